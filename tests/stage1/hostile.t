#!/usr/bin/env bash
# hostile.t: the compiler against hostile inputs and command lines (native stage 1 build,
# NANO_VIRT to test another): 1. an output path that is one of the sources is refused and the
# source is left as it was; 2. a function beyond the loader's limit of local slots is a
# diagnostic, not a file the VM rejects; 3. flat sequences do not nest, chains and nesting are
# bounded with an error at the element beyond; 5. a source that cannot be read, an empty import
# path and a source beyond 16 MiB are errors naming the file; 6. a diagnostic in a line of 600 KB
# quotes a part of it; 7. an output that cannot be written is reported with the reason in words.
. "$(dirname "$0")/../lib/tap.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
need "$VIRT" "$VM"
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

# 3. nesting: flat sequences (else-if chains, operator chains, argument lists) do not nest;
# a chain is bounded (2000), nesting too (500), each reported at the element beyond the limit
elif_chain() { # elif_chain N: f(x) is an else-if chain of N arms, each on its own line
    awk -v n="$1" 'BEGIN { print "fn f(x: int) -> int {"; printf "    if (== x 0) { return 0 }\n";
      for (i = 1; i < n; i++) printf "    else if (== x %d) { return %d }\n", i, i;
      print "    else { return -1 }\n}\n\nshadow f {\n    assert (== (f 499) 499)\n}\n";
      print "fn g(a: int) -> int {\n    return a\n}\n\nshadow g {\n    assert (== (g 1) 1)\n}\n";
      print "fn main() -> int {\n    return (f 0)\n}\n\nshadow main {\n    assert true\n}" }'
}
elif_chain 600 > chain.nano
"$VIRT" chain.nano -o chain.nvm > out 2> err; st=$?
[ "$st" = 0 ] && "$VM" chain.nvm; ok $? "a 600-arm else-if chain compiles and runs (exit $st)" err
elif_chain 2000 > chain.nano
"$VIRT" chain.nano -o chain.nvm > out 2> err; st=$?
[ "$st" = 0 ] && "$VM" chain.nvm; ok $? "so does one of 2000 arms" err
elif_chain 100000 > chain.nano
"$VIRT" chain.nano -o chain.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "chain.nano:2002:10: error: else-if chain longer than 2000 arms" ]; ok $? "one of 100,000 arms is an error at the 2001st 'if' (exit $st)" err
awk 'BEGIN { print "fn main() -> int {\n    let x: int = 0"; for (i = 0; i < 100000; i++) printf "        + %d\n", i % 10;
  print "    return x\n}" }' > ops.nano
"$VIRT" ops.nano -o ops.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "ops.nano:2002:11: error: operator chain longer than 2000 operands" ]; ok $? "an infix chain of 100,001 operands is an error at the 2001st (exit $st)" err
awk 'BEGIN { print "fn main() -> int {\n    let x: int = 0"; for (i = 0; i < 1999; i++) printf "        + %d\n", i % 10;
  print "    return (- x 8991)\n}\n\nshadow main {\n    assert (== (main) 0)\n}" }' > ops.nano
"$VIRT" ops.nano -o ops.nvm > out 2> err; st=$?
[ "$st" = 0 ] && "$VM" ops.nvm; ok $? "one of 2000 compiles and runs (exit $st)" err
awk 'BEGIN { print "fn main() -> int {\n    let x: int = (+"; for (i = 0; i < 3000; i++) printf "        %d\n", i % 10;
  print "    )\n    return x\n}" }' > ops.nano
"$VIRT" ops.nano -o ops.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "ops.nano:2003:9: error: operator chain longer than 2000 operands" ]; ok $? "a prefix operator with 3000 operands is an error at the 2001st (exit $st)" err
awk 'BEGIN { print "fn main() -> int {\n    let x: int = (+"; for (i = 0; i < 600; i++) printf "        %d\n", i % 10;
  print "    )\n    return (- x 2700)\n}\n\nshadow main {\n    assert (== (main) 0)\n}" }' > ops.nano
"$VIRT" ops.nano -o ops.nvm > out 2> err; st=$?
[ "$st" = 0 ] && "$VM" ops.nvm; ok $? "one with 600 compiles and runs (exit $st)" err
awk 'BEGIN { printf "fn h("; for (i = 0; i < 600; i++) printf "%sa%d: int", (i ? ", " : ""), i; print ") -> int {\n    return a599\n}\n";
  print "shadow h {\n    assert true\n}\n\nfn main() -> int {\n    return (- (h"; for (i = 0; i < 600; i++) printf "        %d\n", i;
  print "    ) 599)\n}\n\nshadow main {\n    assert (== (main) 0)\n}" }' > args.nano
"$VIRT" args.nano -o args.nvm > out 2> err; st=$?
[ "$st" = 0 ] && "$VM" args.nvm; ok $? "a call with 600 arguments compiles and runs (exit $st)" err
awk 'BEGIN { print "fn main() -> int {\n    let mut x: int = 0"; for (i = 0; i < 501; i++) printf "    %*sif true {\n", i, "";
  print "    set x 1"; for (i = 0; i < 501; i++) print "    }"; print "    return x\n}" }' > deep.nano
"$VIRT" deep.nano -o deep.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "deep.nano:502:507: error: nesting deeper than 500 levels" ]; ok $? "501 nested ifs: an error at the first token 501 levels deep, the 500th if's condition (exit $st)" err
awk 'BEGIN { print "fn main() -> int {\n    return (- 0"; for (i = 0; i < 501; i++) printf "        (-\n"; print "        0"; for (i = 0; i < 501; i++) print "        )"; print "    )\n}" }' > deep.nano
"$VIRT" deep.nano -o deep.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "deep.nano:501:9: error: nesting deeper than 500 levels" ]; ok $? "501 nested operators: an error at the first 501 levels deep (return, the outer '(-', 499 more) (exit $st)" err

# 5. sources that cannot be read: an error naming the file, never an empty program or module
main_ok='fn main() -> int {\n    return 0\n}\n\nshadow main {\n    assert true\n}\n'
"$VIRT" /proc/self/mem -o mem.nvm > out 2> err; st=$?
[ "$st" = 2 ] && [ "$(cat err)" = "nano_virt: cannot read /proc/self/mem: Input/output error" ]; ok $? "an entry file whose read fails: exit 2 naming it and the reason" err
{ printf 'import "/proc/self/mem"\n'; printf "$main_ok"; } > imp.nano
"$VIRT" imp.nano -o imp.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "imp.nano:1:8: error: cannot read module '/proc/self/mem': Input/output error" ]; ok $? "so is an imported one: an error at the path string (exit $st)" err
{ printf 'import ""\n'; printf "$main_ok"; } > imp.nano
"$VIRT" imp.nano -o imp.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "imp.nano:1:8: error: empty import path" ]; ok $? "import \"\" is an error (exit $st)" err
{ printf 'from "" import f\n'; printf "$main_ok"; } > imp.nano
"$VIRT" imp.nano -o imp.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "imp.nano:1:6: error: empty import path" ]; ok $? "so is from \"\" import (exit $st)" err
{ printf "$main_ok"; head -c 16777216 /dev/zero | tr '\0' ' '; } > huge.nano
"$VIRT" huge.nano -o huge.nvm > out 2> err; st=$?
[ "$st" = 2 ] && [ "$(cat err)" = "nano_virt: cannot read huge.nano: larger than 16777216 bytes" ]; ok $? "a source of more than 16 MiB is refused (exit $st)" err
{ printf 'import "huge.nano"\n'; printf "$main_ok"; } > imp.nano
"$VIRT" imp.nano -o imp.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "imp.nano:1:8: error: cannot read module 'huge.nano': larger than 16777216 bytes" ]; ok $? "as an entry file and as a module (exit $st)" err

# an endless device is not a regular file: file_read refuses it at once (vm/fileio.c, both runtimes)
{ printf 'import "/dev/zero"\n'; printf "$main_ok"; } > imp.nano
"$VIRT" imp.nano -o imp.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(head -n 1 err)" = "imp.nano:1:8: error: cannot read module '/dev/zero': Invalid argument" ]; ok $? "an endless file (/dev/zero) is an error, not a hang (exit $st)" err

# 6. a diagnostic in a line of 600 KB quotes 160 bytes of it around the column, "..." marking each
# cut (docs/LANGUAGE.md 12), not the whole line
a600k=$(head -c 600000 /dev/zero | tr '\0' a)
a152=$(head -c 152 /dev/zero | tr '\0' a)
a122=$(head -c 122 /dev/zero | tr '\0' a)
printf 'fn main() -> int {\n    let s: int = (+ (str_length "%s") nope)\n    return s\n}\n' "$a600k" > long.nano
"$VIRT" long.nano -o long.nvm > out 2> err; st=$?
col=$((4 + 16 + 13 + 600000 + 3 + 1))
printf "long.nano:2:%d: error: undefined name 'nope'\\n...%s\") nope)\\n%158s^\\n" "$col" "$a152" "" > want
[ "$st" = 1 ] && [ "$(head -n 3 err)" = "$(cat want)" ]; ok $? "an error at the end of a 600 KB line quotes its last 160 bytes (exit $st)" err
[ "$(wc -c < err)" -lt 2000 ]; ok $? "the message is short ($(wc -c < err) bytes)"
printf 'fn main() -> int {\n    let s: int = (+ nope (str_length "%s"))\n    return s\n}\n' "$a600k" > long.nano
"$VIRT" long.nano -o long.nvm > out 2> err; st=$?
printf "long.nano:2:21: error: undefined name 'nope'\\n    let s: int = (+ nope (str_length \"%s...\\n%20s^\\n" "$a122" "" > want
[ "$st" = 1 ] && [ "$(head -n 3 err)" = "$(cat want)" ]; ok $? "an error at its start quotes its first 160 bytes (exit $st)" err

# 7. an output that cannot be written: the reason in words, not an errno number
printf "$main_ok" > w.nano
"$VIRT" w.nano -o "$t/no/such/dir/w.nvm" > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(cat err)" = "nano_virt: cannot write $t/no/such/dir/w.nvm: No such file or directory" ]; ok $? "a missing directory (exit $st)" err
mkdir -p isdir.nvm
"$VIRT" w.nano -o isdir.nvm > out 2> err; st=$?
[ "$st" = 1 ] && [ "$(cat err)" = "nano_virt: cannot write isdir.nvm: Is a directory" ]; ok $? "a directory (exit $st)" err
finish
