#!/usr/bin/env bash
# install.t: `make install DESTDIR=... PREFIX=...` gives a tree that works with only its bin/ on
# PATH: nano_virt finds the standard library and the runtime stubs, nano_vm its co-process, a
# thin executable the daemon; the commands work through symbolic links and from any directory;
# `make uninstall` removes everything it installed.
. "$(dirname "$0")/lib.sh"
use_run install
dest=$t/dest
P=/opt/nano
root=$dest$P
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -C "$ROOT" "$@"; }
mk install DESTDIR="$dest" PREFIX="$P" >"$t/mk.out" 2>&1; s=$?
[ "$s" = 0 ]; ok $? "make install DESTDIR=... PREFIX=$P (status $s)"
[ "$s" = 0 ] || show "$t/mk.out"
good=0
for p in nano_virt nano_vm nano_vmd nano_cop; do
    [ -L "$root/bin/$p" ] && [ -x "$root/bin/$p" ] && good=$((good + 1))
done
[ "$good" = 4 ] && [ -f "$root/lib/nanovm/bin/nano_stub_full" ] && [ -f "$root/lib/nanovm/bin/nano_stub_thin" ] &&
    [ -f "$root/lib/nanovm/lib/std/strings.nano" ]
ok $? "bin/ has the four commands; lib/nanovm/ the stubs and the standard library"

mkdir -p "$t/work"
cat >"$t/work/hello.nano" <<'N'
import "std/strings.nano"
extern fn labs(x: c_long) -> c_long

fn main() -> int {
    (println (str_join ["hello ", (int_to_string (labs (- 0 5))), " ", (bool_to_string (starts_with (get_argv 1) "wor"))]))
    return 0
}

shadow main {
    assert true
}
N
# only the installed tree (and the system) on PATH, none of the tree's variables
run() { (cd "$t/work" && env -u NANO_LIB -u NANO_VMD -u NANO_COP PATH="$root/bin:/usr/bin:/bin" "$@"); }
run nano_virt hello.nano >"$t/out" 2>&1 && run nano_vm hello.nvm world >>"$t/out" 2>&1
[ "$(cat "$t/out")" = "hello 5 true" ]; ok $? "nano_virt (the standard library found without flags) and nano_vm (an extern call) from PATH"
show "$t/out"
run nano_virt hello.nano --native -o hello >"$t/out" 2>&1 && run ./hello world >>"$t/out" 2>&1
[ "$(cat "$t/out")" = "hello 5 true" ]; ok $? "nano_virt --native from PATH: the executable runs"
show "$t/out"
run nano_virt hello.nano --daemon-wrapper -o thin >"$t/out" 2>&1 && run ./thin world >>"$t/out" 2>&1
[ "$(cat "$t/out")" = "hello 5 true" ]; ok $? "nano_virt --daemon-wrapper from PATH: the thin executable starts nano_vmd from PATH"
show "$t/out"
mkdir -p "$t/links" "$t/elsewhere"
ln -s "$root/bin/nano_virt" "$t/links/nv"
ln -s "$t/links/nv" "$t/links/nv2"
(cd "$t/elsewhere" && env -u NANO_LIB PATH=/usr/bin:/bin "$t/links/nv2" "$t/work/hello.nano" --native -o app >"$t/out" 2>&1 && ./app xyz >>"$t/out" 2>&1)
[ "$(cat "$t/out")" = "hello 5 false" ]; ok $? "nano_virt through a chain of symbolic links, from another directory"
show "$t/out"
ln -s "$root/bin/nano_vm" "$t/links/vm"
(cd "$t/work" && env -u NANO_COP PATH=/usr/bin:/bin "$t/links/vm" hello.nvm x >"$t/out" 2>&1)
[ "$(cat "$t/out")" = "hello 5 false" ]; ok $? "nano_vm through a symbolic link finds its nano_cop"
show "$t/out"
good=0
for p in nano_virt nano_vm nano_vmd nano_cop; do
    run "$p" --help >"$t/help" 2>&1 && grep -q "usage: $p" "$t/help" && good=$((good + 1))
done
[ "$good" = 4 ]; ok $? "every installed command has --help (usage: ...)"
run nano_virt --help | grep -q -- "--daemon-wrapper"; ok $? "nano_virt --help describes --native and --daemon-wrapper"

XDG_RUNTIME_DIR=$t/install "$root/bin/nano_vmd" --stop >/dev/null 2>&1
mk uninstall DESTDIR="$dest" PREFIX="$P" >"$t/mk.out" 2>&1; s=$?
left=$(find "$dest" -type f -o -type l | head -5)
[ "$s" = 0 ] && [ -z "$left" ]; ok $? "make uninstall removes every file and link it installed (status $s)"
[ -z "$left" ] || echo "# left: $left"
finish
