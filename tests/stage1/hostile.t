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

# 2. the loader's limits: a function with more than 65536 local slots is a diagnostic at its
# name, not a file the VM rejects
awk 'BEGIN { print "fn main() -> int {"; for (i = 0; i < 65537; i++) printf "    let x%d: int = %d\n", i, i;
  print "    return x0\n}\n\nshadow main {\n    assert (== (main) 0)\n}" }' > big.nano
"$VIRT" big.nano -o big.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ ! -f big.nvm ] && [ "$(head -n 1 err)" = "big.nano:1:4: error: function 'main' needs 65537 local slots, more than the 65536 a function can have" ]; ok $? "a function with 65537 local slots is an error at its name (exit $st)" err
awk 'BEGIN { print "fn f() -> int {\n    return 1\n}\n\nshadow f {"; for (i = 0; i < 65537; i++) printf "    let y%d: int = %d\n", i, i;
  print "    assert (== (f) 1)\n}\n\nfn main() -> int {\n    return 0\n}\n\nshadow main {\n    assert true\n}" }' > sh.nano
"$VIRT" sh.nano -o sh.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ ! -f sh.nvm ] && [ "$(head -n 1 err)" = "sh.nano:5:1: error: shadow test of 'f' needs 65537 local slots, more than the 65536 a function can have" ]; ok $? "so is a shadow test with 65537, at its 'shadow' (exit $st)" err
awk 'BEGIN { print "fn main() -> int {"; for (i = 0; i < 65530; i++) printf "    let x%d: int = %d\n", i, i;
  print "    return x0\n}\n\nshadow main {\n    assert (== (main) 0)\n}" }' > fits.nano
"$VIRT" fits.nano -o fits.nvm > out 2> err; st=$?
[ "$st" = 0 ] && "$VM" fits.nvm; ok $? "a function with 65530 locals compiles and runs" err

echo "1..$n"
[ "$failed" = 0 ]
