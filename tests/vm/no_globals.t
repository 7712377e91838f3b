#!/usr/bin/env bash
# vm/ keeps no global mutable state: every object file of the VM library has empty .data and
# .bss sections (read-only tables live in .rodata / .data.rel.ro), so everything a running
# program owns is in its Process and many processes can run on threads in one VM.
. "$(dirname "$0")/../lib/tap.sh"
objs=$(ls "$BUILD"/vm/*.o 2>/dev/null)
[ -n "$objs" ] || skip_all "the VM is not built (make)"
for o in $objs; do
    bad=$(size -A "$o" | awk '$1 ~ /^\.(data|bss|tbss|tdata)(\.|$)/ && $1 !~ /\.rel\.ro/ && $2 > 0 { print $1 " " $2 " bytes" }')
    if [ -z "$bad" ]; then
        ok 0 "$(basename "$o"): no writable globals"
    else
        ok 1 "$(basename "$o"): writable globals: $bad"
    fi
done
finish
