#!/usr/bin/env bash
# native.t: native executables (docs/EXECUTABLES.md): `nano_virt --native` (full: the VM and the
# co-process in the one file) and `--daemon-wrapper` (thin: run by nano_vmd) behave as nano_vm
# on programs that read their arguments, environment, files by relative paths and standard
# input, write files, stdout and stderr, fail at run time; they still run moved or copied, the
# full one alone in an empty directory, and with the C modules it needs in lib/ beside it;
# stripped, truncated and corrupted ones exit 65 (cut inside the stub's own ELF: never run, not
# 0); the same source gives the same bytes; they are written with mode 0777 less the umask,
# through symbolic links (also dangling ones).
. "$(dirname "$0")/lib.sh"
export NANO_VMD_GRACE=600
use_run main

. "$ROOT/tests/vmd/programs.sh"
printf 'one\ntwo\nthree' >"$t/in3"

# ---- the compiler's options
"$VIRT" "$HERE/world.nano" --native -o "$t/world" 2>"$t/err"; s=$?
[ "$s" = 0 ] && [ -x "$t/world" ]; ok $? "--native -o writes an executable (status $s)"
show "$t/err"
"$VIRT" "$HERE/world.nano" --daemon-wrapper -o "$t/world.thin" 2>"$t/err"; s=$?
[ "$s" = 0 ] && [ -x "$t/world.thin" ]; ok $? "--daemon-wrapper -o writes an executable (status $s)"
"$VIRT" "$HERE/world.nano" --emit-nvm -o "$t/world.nvm" && "$VIRT" "$HERE/world.nano" -o "$t/world.default.nvm" &&
    cmp -s "$t/world.nvm" "$t/world.default.nvm"; ok $? "--emit-nvm writes the .nvm, the default"
cp "$HERE/world.nano" "$t/prog.nano"
mkdir -p "$t/od"
(cd "$t" && "$VIRT" prog.nano --native && "$VIRT" prog.nano --daemon-wrapper --out-dir "$t/od") 2>"$t/err"
[ -x "$t/prog" ] && [ -x "$t/od/prog" ] && [ ! -e "$t/prog.nvm" ]
ok $? "the default output is FILE without .nano, --out-dir DIR gives DIR/NAME"
show "$t/err"
"$VIRT" "$HERE/world.nano" --native --emit-nvm -o "$t/x" 2>"$t/err"; s=$?
[ "$s" = 2 ] && grep -q "^nano_virt: --native and --emit-nvm cannot be combined$" "$t/err"; ok $? "--native with --emit-nvm is a usage error (status $s)"
"$VIRT" --check "$HERE/world.nano" --daemon-wrapper 2>"$t/err"; s=$?
[ "$s" = 2 ] && grep -q "^nano_virt: --check cannot be combined with --daemon-wrapper$" "$t/err"; ok $? "--check with --daemon-wrapper is a usage error (status $s)"
"$VIRT" "$HERE/world.nano" --native -o "$t/no/such/dir/x" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "^nano_virt: cannot write $t/no/such/dir/x: No such file or directory$" "$t/err"
ok $? "an output in a missing directory: status 1 and the reason in words (status $s)"
show "$t/err"
mkdir -p "$t/lonely"
cp "$VIRT" "$t/lonely/nano_virt"
"$t/lonely/nano_virt" "$HERE/world.nano" --native -o "$t/x" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "^nano_virt: cannot write $t/x: the runtime stub nano_stub_full for --native is not installed (looked for $t/lonely/nano_stub_full and $(dirname "$t")/bin/nano_stub_full)$" "$t/err" && [ ! -e "$t/x" ]
ok $? "a compiler without its stubs says where it looked (status $s)"
show "$t/err"
"$ROOT/bin/nano_virt" "$HERE/world.nano" --native -o "$t/world.vm" 2>"$t/err"
cmp -s "$t/world" "$t/world.vm"; ok $? "the self-hosted compiler (on nano_vm) writes the same bytes as the native one"
"$VIRT" "$HERE/world.nano" --native -o "$t/world.again" && cmp -s "$t/world" "$t/world.again"
ok $? "two builds of the same source are identical"
mkexe "$FULL" "$t/world.nvm" "$t/world.byhand" && cmp -s "$t/world" "$t/world.byhand"
ok $? "the full executable is the stub, the .nvm and the trailer of docs/EXECUTABLES.md"
mkexe "$THIN" "$t/world.nvm" "$t/world.thin.byhand" && cmp -s "$t/world.thin" "$t/world.thin.byhand"
ok $? "the thin executable is the thin stub, the .nvm and the trailer"

"$VM" --read-only "$ROOT/bin/nano_virt.nvm" "$HERE/world.nano" --native -o "$t/ro" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "^nano_virt: cannot write $t/ro: Read-only file system$" "$t/err" && [ ! -e "$t/ro" ]
ok $? "in a read-only process (nano_vm --read-only) the executable is not written: EROFS, in words (status $s)"
show "$t/err"

# ---- the mode: 0777 less the umask, also over an existing file
(umask 027 && "$VIRT" "$HERE/world.nano" --native -o "$t/m1")
m=$(stat -c %a "$t/m1"); [ "$m" = 750 ]; ok $? "umask 027: mode 750 (got $m)"
echo old >"$t/m2"; chmod 600 "$t/m2"
(umask 022 && "$ROOT/bin/nano_virt" "$HERE/world.nano" --daemon-wrapper -o "$t/m2")
m=$(stat -c %a "$t/m2"); [ "$m" = 755 ] && [ "$(head -c 4 "$t/m2")" = "$(printf '\177ELF')" ]
ok $? "replacing a file of mode 600 under umask 022: mode 755 (got $m), on the VM too"
echo old >"$t/m3.target"; ln -s m3.target "$t/m3"
"$VIRT" "$HERE/world.nano" --native -o "$t/m3" && [ -L "$t/m3" ] && [ -x "$t/m3.target" ] && cmp -s "$t/m3.target" "$t/world"
ok $? "an output that is a symbolic link: its target is written"
ln -s m4.target "$t/m4"
"$VIRT" "$HERE/world.nano" --native -o "$t/m4" 2>"$t/err" && [ -L "$t/m4" ] && [ -x "$t/m4.target" ] && cmp -s "$t/m4.target" "$t/world"
ok $? "an output that is a dangling symbolic link: its target is created"
show "$t/err"
ln -s m5.target "$t/m5"
"$ROOT/bin/nano_virt" "$HERE/world.nano" --daemon-wrapper -o "$t/m5" 2>"$t/err" && [ -L "$t/m5" ] && [ -x "$t/m5.target" ] && cmp -s "$t/m5.target" "$t/world.thin"
ok $? "an output that is a dangling symbolic link: its target is created, on the VM too"
show "$t/err"
ln -s m6b "$t/m6a"; ln -s m6a "$t/m6b"
"$VIRT" "$HERE/world.nano" --native -o "$t/m6a" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "^nano_virt: cannot write $t/m6a: Too many levels of symbolic links$" "$t/err" && [ -L "$t/m6a" ] && [ -L "$t/m6b" ]
ok $? "an output that is a symbolic link loop: status 1 and the reason in words (status $s)"
show "$t/err"

# ---- the same world as nano_vm: each way in a fresh directory of the same name, the program
# at ./prog, stdin from $t/in3; stdout, stderr, status and the file it writes must agree
# run_as KIND FILE ARGS...: runs FILE as ./prog (KIND vm: through nano_vm) in $t/w, results in
# $t/KIND.{out,err,status,file}
run_as() {
    local kind=$1 file=$2; shift 2
    rm -rf "$t/w"; mkdir -p "$t/w"
    printf 'relative\n' >"$t/w/in.txt"
    cp "$file" "$t/w/prog"
    if [ "$kind" = vm ]; then
        (cd "$t/w" && umask 027 && VAR="a b=c" "$VM" ./prog "$@" <"$t/in3" >"$t/$kind.out" 2>"$t/$kind.err"; echo $? >"$t/$kind.status")
    else
        (cd "$t/w" && umask 027 && VAR="a b=c" ./prog "$@" <"$t/in3" >"$t/$kind.out" 2>"$t/$kind.err"; echo $? >"$t/$kind.status")
    fi
    { cat "$t/w/out.txt" 2>/dev/null; stat -c %a "$t/w/out.txt" 2>/dev/null; } >"$t/$kind.file"
}
# same NAME NVM FULL THIN ARGS...
same() {
    local name=$1 nvm=$2 full=$3 thin=$4; shift 4
    run_as vm "$nvm" "$@"; run_as full "$full" "$@"; run_as thin "$thin" "$@"
    local k r=0
    for k in full thin; do
        for f in out err status file; do
            cmp -s "$t/vm.$f" "$t/$k.$f" || { r=1; echo "# $k: $f differs:"; diff "$t/vm.$f" "$t/$k.$f" | head -6 | sed 's/^/# /'; }
        done
    done
    ok $r "$name: full and thin give nano_vm's stdout, stderr, status ($(cat "$t/vm.status")) and files"
}
same "arguments, environment, relative paths, files" "$t/world.nvm" "$t/world" "$t/world.thin" a "b c" "" --help -v
same "no arguments" "$t/world.nvm" "$t/world" "$t/world.thin"
for p in echo fail args hello; do
    mkexe "$FULL" "$t/$p.nvm" "$t/$p.full" && mkexe "$THIN" "$t/$p.nvm" "$t/$p.thin"
done
same "standard input (READ_LINE)" "$t/echo.nvm" "$t/echo.full" "$t/echo.thin"
same "a runtime error" "$t/fail.nvm" "$t/fail.full" "$t/fail.thin"
WHO=someone same "environment (GETENV)" "$t/hello.nvm" "$t/hello.full" "$t/hello.thin"
same "arguments (ARG)" "$t/args.nvm" "$t/args.full" "$t/args.thin" x "y z"
# the conformance programs that use arguments, the environment, files and stderr
for c in io_args io_args_none io_getenv io_eprint io_file_roundtrip io_file_missing io_file_read_status io_file_write_exec err_get_argv; do
    src=$ROOT/tests/conformance/$c.nano
    "$VIRT" "$src" -o "$t/$c.nvm" >/dev/null 2>&1 && "$VIRT" "$src" --native -o "$t/$c.full" >/dev/null 2>&1 &&
        "$VIRT" "$src" --daemon-wrapper -o "$t/$c.thin" >/dev/null 2>&1 || echo "# cannot compile $c"
    args=()
    if [ -f "$ROOT/tests/conformance/$c.args" ]; then
        while IFS= read -r line || [ -n "$line" ]; do args+=("$line"); done <"$ROOT/tests/conformance/$c.args"
    fi
    NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP=$t/w same "conformance $c" "$t/$c.nvm" "$t/$c.full" "$t/$c.thin" ${args[@]+"${args[@]}"}
done

"$t/args.full" --serve 3 4 5 >"$t/sv.out" 2>&1; s=$?
[ "$s" = 5 ] && [ "$(cat "$t/sv.out")" = "$t/args.full|--serve|3|4|5|" ]
ok $? "a full executable given nano_cop's arguments runs its program (the co-process role needs its own argument 0)"
show "$t/sv.out"
(exec -a "nano_cop(embedded)" "$t/args.full" --serve 3 4 5 6 7 >"$t/sv.out" 2>&1); s=$?
[ "$s" = 64 ] && grep -q "usage: nano_cop" "$t/sv.out" && ! grep -q -- "--serve|" "$t/sv.out"
ok $? "a full executable started as its co-process with a bad command line is a usage error, not its program (status $s)"
show "$t/sv.out"

# ---- moved, copied, alone
mkdir -p "$t/elsewhere"
cp "$t/hello.full" "$t/elsewhere/copy" && mv "$t/hello.thin" "$t/elsewhere/moved"
(cd /tmp && WHO=x "$t/elsewhere/copy" >"$t/c.out" 2>&1; echo $? >>"$t/c.out")
(cd / && WHO=x "$t/elsewhere/moved" >"$t/m.out" 2>&1; echo $? >>"$t/m.out")
[ "$(cat "$t/c.out")" = "hello x
7" ] && [ "$(cat "$t/m.out")" = "hello x
7" ]; ok $? "copied and moved executables still run, from any directory"
show "$t/c.out" "$t/m.out"
"$VIRT" "$HERE/extern.nano" --native -o "$t/extern" 2>"$t/err" || show "$t/err"
mkdir -p "$t/alone"
cp "$t/extern" "$t/alone/app"
(cd "$t/alone" && env -i PATH=/usr/bin:/bin NANO_COP=/nonexistent ./app >"$t/a.out" 2>&1; echo $? >>"$t/a.out")
[ "$(cat "$t/a.out")" = "42
0" ] && [ "$(ls "$t/alone")" = app ]
ok $? "a full executable runs alone in an empty directory, with extern calls (its own co-process), PATH=/usr/bin:/bin"
show "$t/a.out"

# ---- a full executable of a program with a module's C code (lib/zlib.nano: libnano_zlib.so):
# what docs/EXECUTABLES.md says to ship is the executable and lib/libnano_zlib.so beside it
# (the compiler on the VM: the module's shadow tests call C, through the nano_cop beside it)
printf 'from gzip\n' | gzip -c >"$t/in.gz"
"$ROOT/bin/nano_virt" "$ROOT/tests/clib/zlib_main.nano" --native -o "$t/zapp" 2>"$t/err"; s=$?
[ "$s" = 0 ] && [ -x "$t/zapp" ]; ok $? "a program importing lib/zlib.nano compiles to a full executable (status $s)"
show "$t/err"
zrun() { # zrun DIR CMD: CMD in DIR with a bare environment, output and status in $t/z.out
    (cd "$1" && env -i PATH=/usr/bin:/bin "$2" hello out.gz "$t/in.gz" >"$t/z.out" 2>&1; echo "status $?" >>"$t/z.out")
}
zwant="crc32 907060870
adler32 103547413
compressed 13
round trip true
written true
from gzip
status 0"
mkdir -p "$t/zship" "$t/zbare"
cp "$t/zapp" "$t/zbare/app"
zrun "$t/zbare" ./app
grep -q "error: extern call to nano_zlib_compress: cannot load library 'libnano_zlib.so': " "$t/z.out" && [ "$(tail -n 1 "$t/z.out")" = "status 1" ] && [ "$(head -n 2 "$t/z.out")" = "crc32 907060870
adler32 103547413" ]
ok $? "alone, it runs until its first call into libnano_zlib.so, which it cannot load: a runtime error, status 1"
show "$t/z.out"
cp "$t/zapp" "$t/zship/app"; mkdir -p "$t/zship/lib"; cp "$ROOT/bin/lib/libnano_zlib.so" "$t/zship/lib/"
zrun "$t/zship" ./app
[ "$(cat "$t/z.out")" = "$zwant" ] && [ "$(gzip -dc "$t/zship/out.gz")" = hello ]
ok $? "with lib/libnano_zlib.so beside it (and nothing else of the toolchain), it runs in full"
show "$t/z.out"
mkdir -p "$t/zlinks"; ln -s "$t/zship/app" "$t/zlinks/app"
zrun "$t/zlinks" ./app
[ "$(cat "$t/z.out")" = "$zwant" ]
ok $? "run through a symbolic link, it finds the lib/ beside its real path"
show "$t/z.out"
mkdir -p "$t/zenv"; cp "$t/zapp" "$t/zenv/app"
(cd "$t/zenv" && env -i PATH=/usr/bin:/bin NANO_CLIB_PATH="$t/zship/lib" ./app hello out.gz "$t/in.gz" >"$t/z.out" 2>&1; echo "status $?" >>"$t/z.out")
[ "$(cat "$t/z.out")" = "$zwant" ]
ok $? "or with NANO_CLIB_PATH naming a directory that holds it"
show "$t/z.out"

# ---- damaged executables: exit 65, never a partial run
damaged() { # damaged NAME FILE: runs it, expects 65, no stdout, a message
    local name=$1 f=$2
    "$f" >"$t/d.out" 2>"$t/d.err"; local s=$?
    [ "$s" = 65 ] && [ ! -s "$t/d.out" ] && grep -q "cannot run this executable: " "$t/d.err"
    ok $? "$name: exit 65 with a message, nothing run (status $s)"
    show "$t/d.err"
}
for k in full thin; do
    src=$t/args.$k
    cp "$src" "$t/s.$k"; strip "$t/s.$k" 2>/dev/null
    damaged "$k, stripped" "$t/s.$k"
    size=$(stat -c %s "$src")
    head -c $((size - 1)) "$src" >"$t/t1.$k"; chmod +x "$t/t1.$k"
    damaged "$k, truncated by one byte" "$t/t1.$k"
    head -c $((size - 40)) "$src" >"$t/t2.$k"; chmod +x "$t/t2.$k"
    damaged "$k, truncated into the image" "$t/t2.$k"
    cp "$src" "$t/f.$k"
    stub=$(stat -c %s "$( [ $k = full ] && echo "$FULL" || echo "$THIN")")
    printf '\x55' | dd of="$t/f.$k" bs=1 seek=$((stub + 40)) conv=notrunc 2>/dev/null
    damaged "$k, a byte of the image changed" "$t/f.$k"
    cp "$src" "$t/g.$k"
    printf '\x7f' | dd of="$t/g.$k" bs=1 seek=$((size - 12)) conv=notrunc 2>/dev/null
    damaged "$k, the trailer's version changed" "$t/g.$k"
    # cut inside the stub's own ELF (docs/EXECUTABLES.md 2): no code of the stub runs, so no 65;
    # what is guaranteed is that the program never runs and the status is not 0.  Cut in the ELF
    # header the system refuses it (execve: ENOEXEC; the shell's 126); cut in its loaded segments
    # the kernel or ld.so kills it before main (SIGSEGV or SIGBUS); cut after them (in the section
    # headers) the stub runs and finds no program (65)
    head -c 52 "$src" >"$t/c.$k"; chmod +x "$t/c.$k"
    { ( exec "$t/c.$k" ) 2>"$t/c.err"; s=$?; } 2>/dev/null
    [ "$s" = 126 ] && grep -q "Exec format error" "$t/c.err"; ok $? "$k, cut in the ELF header: the system refuses to run it (status $s)"
    head -c $((stub / 2)) "$src" >"$t/c.$k"; chmod +x "$t/c.$k"
    { ( exec "$t/c.$k" ) >"$t/c.out" 2>"$t/c.err"; s=$?; } 2>/dev/null # (no "Segmentation fault" from bash)
    { [ "$s" = $((128 + 11)) ] || [ "$s" = $((128 + 7)) ]; } && [ ! -s "$t/c.out" ] && [ ! -s "$t/c.err" ]
    ok $? "$k, cut in the middle of the stub: killed by SIGSEGV or SIGBUS before main, nothing printed (status $s)"
    head -c $((stub - 16)) "$src" >"$t/c.$k"; chmod +x "$t/c.$k"
    damaged "$k, cut in the stub's section headers (not loaded)" "$t/c.$k"
    head -c $stub "$src" >"$t/c.$k"; chmod +x "$t/c.$k"
    damaged "$k, cut right after the stub" "$t/c.$k"
done

# ---- thin: the daemon
"$VM" --daemon "$t/hello.nvm" >/dev/null 2>&1
mkdir -p "$t/nodmn"; cp "$t/args.thin" "$t/nodmn/app"
(cd "$t/nodmn" && env -u NANO_VMD PATH=/usr/bin:/bin ./app q >"$t/n.out" 2>"$t/n.err"; echo $? >>"$t/n.out")
[ "$(cat "$t/n.out")" = "./app|q|
2" ]; ok $? "a thin executable finds a running daemon without nano_vmd on PATH"
show "$t/n.out" "$t/n.err"
use_run none
(cd "$t/nodmn" && env -u NANO_VMD PATH=/usr/bin:/bin ./app q >"$t/n.out" 2>"$t/n.err"; echo $? >"$t/n.status")
[ "$(cat "$t/n.status")" = 70 ] && [ ! -s "$t/n.out" ] &&
    grep -q "cannot start the daemon: cannot find nano_vmd: NANO_VMD is not set, $t/nodmn/nano_vmd is not there, and no directory of PATH (/usr/bin:/bin) has it" "$t/n.err"
ok $? "a thin executable without a daemon to find says what it tried (status $(cat "$t/n.status"))"
show "$t/n.err"
ln -s "$VMD" "$t/nodmn/nano_vmd"
(cd "$t/nodmn" && env -u NANO_VMD PATH=/usr/bin:/bin ./app q >"$t/n.out" 2>"$t/n.err"; echo $? >>"$t/n.out")
[ "$(cat "$t/n.out")" = "./app|q|
2" ]; ok $? "a thin executable launches the nano_vmd beside it"
show "$t/n.err"
use_run sig
mkexe "$THIN" "$t/loop.nvm" "$t/loop.thin"
"$VM" --daemon "$t/hello.nvm" >/dev/null 2>&1
"$t/loop.thin" & lp=$!
running_is_1() { "$VMD" --status 2>/dev/null | grep -q ", 1 programs running"; }
wait_for running_is_1
kill -TERM "$lp"; wait "$lp"; s=$?
[ "$s" = 143 ]; ok $? "SIGTERM cancels a thin executable's program in the daemon: status 143 as nano_vm --daemon (got $s)"

finish
