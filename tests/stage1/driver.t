#!/usr/bin/env bash
# driver.t: the nano_virt command (native stage 1 build, NANO_VIRT to test another): compiling
# with -o and its default, --run with arguments and the program's exit status, shadow tests at
# compile time (a failing one fails the compile with FILE:LINE and the function's name),
# --no-shadow, --strip-shadow, -v, usage errors, and --run on a multi-module program of several
# thousand lines.
. "$(dirname "$0")/../lib/tap.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
need "$VIRT" "$VM"

cat > "$t/good.nano" <<'N'
fn twice(x: int) -> int {
    return (* x 2)
}

shadow twice {
    (println "shadow output is suppressed")
    assert (== (twice 21) 42)
}

fn main() -> int {
    (println (twice (get_argc)))
    for i in (range 1 (get_argc)) {
        (println (get_argv i))
    }
    return (twice 5)
}
N
cat > "$t/bad.nano" <<'N'
fn half(x: int) -> int {
    return (/ x 2)
}

shadow half {
    assert (== (half 4) 2)
    assert (== (half 5) 3)
}

fn main() -> int {
    return (half 8)
}
N

cd "$t"
"$VIRT" good.nano > out 2> err; st=$?
[ "$st" = 0 ] && [ -f good.nvm ]; ok $? "FILE.nano compiles to FILE.nvm by default" err
[ ! -s out ]; ok $? "and prints nothing (shadow test output is suppressed)" out
"$VM" good.nvm a b > out 2> err; st=$?
[ "$st" = 10 ] && [ "$(cat out)" = "$(printf '6\na\nb')" ]; ok $? "the .nvm runs: arguments arrive, main's result is the status" out
"$VIRT" good.nano -o other.nvm && cmp -s good.nvm other.nvm; ok $? "-o names the output; the bytes are the same"
"$VIRT" good.nano --run -- x > out 2> err; st=$?
[ "$st" = 10 ] && [ "$(cat out)" = "$(printf '4\nx')" ]; ok $? "--run runs it with the arguments after -- (exit $st)" out
"$VM" --test good.nvm > out 2> err
grep -q "^ok 1 - shadow twice" out; ok $? "shadow tests are kept in the .nvm by default (nano_vm --test runs them)" out
"$VIRT" --strip-shadow good.nano -o stripped.nvm && "$VM" --test stripped.nvm > out 2> err
grep -q "^1..0" out && [ "$(wc -c < stripped.nvm)" -lt "$(wc -c < good.nvm)" ]; ok $? "--strip-shadow leaves them out" out
"$VIRT" bad.nano -o bad.nvm > out 2> err; st=$?
[ "$st" = 1 ]; ok $? "a failing shadow test fails the compile (exit $st)"
grep -q "^bad.nano:7: shadow test 'half' failed: assertion failed" err; ok $? "naming the file, the line and the function" err
[ ! -f bad.nvm ]; ok $? "and nothing is written"
"$VIRT" --no-shadow bad.nano -o bad.nvm > out 2> err; st=$?
[ "$st" = 0 ] && [ -f bad.nvm ]; ok $? "--no-shadow skips them" err
"$VIRT" -v good.nano -o v.nvm > out 2> err
grep -q "nano_virt: check: 0 error(s)" err && grep -q "shadow tests: 1 run, 0 failed" err && grep -q " ms)" err; ok $? "-v prints the phases with their times" err
"$VIRT" > out 2> err; st=$?
[ "$st" = 2 ] && grep -q "no input file" err; ok $? "no input file is a usage error (exit $st)" err
"$VIRT" --frobnicate x.nano > out 2> err; st=$?
[ "$st" = 2 ] && grep -q "unknown option '--frobnicate'" err; ok $? "an unknown option is a usage error" err
"$VIRT" missing.nano > out 2> err; st=$?
[ "$st" = 2 ] && grep -q "cannot read missing.nano" err; ok $? "an unreadable input is exit 2 with a message" err
"$VIRT" --help > out 2> err; st=$?
[ "$st" = 0 ] && grep -q -- "--run" out && grep -q -- "--strip-shadow" out; ok $? "--help documents the options" out
printf 'fn main() -> int {\n    return (undefined_thing)\n}\n' > err.nano
"$VIRT" err.nano > out 2> err; st=$?
[ "$st" = 1 ] && grep -q "^err.nano:2:" err && [ ! -f err.nvm ]; ok $? "a compile error exits 1 with FILE:LINE:COL and writes nothing" err

# a multi-module program of several thousand lines (the stage0 workload) with --run
cd "$ROOT/tests/stage0/big"
lines=$(cat ./*.nano | wc -l)
"$VIRT" main.nano --run > "$t/big.out" 2> "$t/big.err"; st=$?
[ "$st" = 0 ] && cmp -s "$t/big.out" expected.out; ok $? "--run of tests/stage0/big ($lines lines, $(ls ./*.nano | wc -l) modules) prints its expected output" "$t/big.err"
finish
