#!/usr/bin/env bash
# hostile.t: the compiler against hostile inputs and command lines (native stage 1 build,
# NANO_VIRT to test another): an output path that is one of the sources is refused and the
# source is left as it was.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
if [ ! -x "$VIRT" ] || [ ! -x "$VM" ]; then echo "1..0 # SKIP nano_virt is not built"; exit 0; fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); [ $# -ge 3 ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -n 10; fi; }
cd "$t" || exit 1
export PWD="$t"

# 1. the output is one of the sources
printf 'import "lib.nano"\nfn main() -> int {\n    return (f)\n}\n\nshadow main {\n    assert true\n}\n' > x.nano
printf 'pub fn f() -> int {\n    return 0\n}\n\nshadow f {\n    assert (== (f) 0)\n}\n' > lib.nano
cp x.nano x.orig; cp lib.nano lib.orig
for out in x.nano ./x.nano "$t/x.nano" sub/../x.nano; do
    mkdir -p sub
    "$VIRT" x.nano -o "$out" > out 2> err; st=$?
    [ "$st" = 2 ] && cmp -s x.nano x.orig && [ "$(cat err)" = "nano_virt: refusing to write $out: it is the source file x.nano" ]; ok $? "-o $out (the input) is refused with exit 2 and the source is kept" err
done
"$VIRT" x.nano -o lib.nano > out 2> err; st=$?
[ "$st" = 2 ] && cmp -s lib.nano lib.orig && [ "$(cat err)" = "nano_virt: refusing to write lib.nano: it is the source file lib.nano" ]; ok $? "so is an imported module" err
"$VIRT" x.nano --run -o x.nano > out 2> err; st=$?
[ "$st" = 2 ] && cmp -s x.nano x.orig; ok $? "also with --run" err
"$VIRT" x.nano -o x.nvm > out 2> err; st=$?
[ "$st" = 0 ] && [ -f x.nvm ]; ok $? "another output is written" err

echo "1..$n"
[ "$failed" = 0 ]
