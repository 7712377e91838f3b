#!/usr/bin/env bash
# The VM's runtime is layered; each layer uses only the layers below it (vm/heap.h states the
# order).  Checked on the object files: no symbol an object file needs is defined by an object
# file of a higher layer.  Every vm/*.c must have a layer here.
#   1  program and values: isa, numfmt, loader, verify, disasm, heap, object, map, native_sigs,
#      natives_core; cancel (a flag and a pipe); vmd_proto (the daemon's wire format and socket
#      directory)
#   2  process
#   3  interp (the pure core), natives (the native builtins it calls)
#   4  harness, shadow, image, cop_client, fileio, sysio (traps, I/O, extern calls, running the core and nested programs)
#   5  main, vmd (nano_vmd), vmd_client (running a program through nano_vmd), vmd_client_file
#      (the same for a .nvm file)
. "$(dirname "$0")/../lib/tap.sh"
objdir=$BUILD/vm
need "$objdir/process.o"
layer() {
    case $1 in
        isa|numfmt|loader|verify|disasm|heap|object|map|cancel|vmd_proto|native_sigs|natives_core) echo 1 ;;
        process) echo 2 ;;
        interp|natives) echo 3 ;;
        harness|shadow|image|cop_client|fileio|sysio) echo 4 ;;
        main|vmd|vmd_client|vmd_client_file) echo 5 ;;
        *) echo 0 ;;
    esac
}

# symbol -> the module defining it
defs=$(for src in "$ROOT"/vm/*.c; do
    m=$(basename "$src" .c)
    nm --defined-only "$objdir/$m.o" 2>/dev/null | awk -v m="$m" '$2 ~ /^[TDRB]$/ { print $3, m }'
done)
for src in "$ROOT"/vm/*.c; do
    m=$(basename "$src" .c)
    l=$(layer "$m")
    if [ "$l" = 0 ]; then ok 1 "vm/$m.c has a layer in this test"; continue; fi
    if [ ! -f "$objdir/$m.o" ]; then ok 1 "vm/$m.c is built ($objdir/$m.o)"; continue; fi
    up=""
    for sym in $(nm -u "$objdir/$m.o" | awk '{ print $2 }'); do
        d=$(printf '%s\n' "$defs" | awk -v s="$sym" '$1 == s { print $2; exit }')
        [ -n "$d" ] || continue
        [ "$(layer "$d")" -gt "$l" ] && up="$up $sym ($d)"
    done
    [ -z "$up" ]; ok $? "vm/$m.c (layer $l) calls nothing above it${up:+: calls$up}"
done
finish
