#!/usr/bin/env bash
# shadow_rules.t: shadow tests at compile time behave as docs/LANGUAGE.md section 10 says: each
# in a fresh process (globals at their initial values), stdout and stderr discarded, `exit 0`
# passes and `exit N` fails, every test runs after a failure, each failure is one line
# "FILE:LINE: shadow test 'f' failed: MESSAGE", exit status 1 and no output file; a test stops at
# its step limit, 1000000000 by default, N with --test-steps N (a positive integer, else a usage
# error), never more than nano_vm --max-steps leaves; and the same through the self-hosted
# compiler (NANO_SELF, default bin/nano_virt).
. "$(dirname "$0")/../lib/tap.sh"
VM=${NANO_VM:-$ROOT/bin/nano_vm}
SELF_NVM=${NANO_SELF_NVM:-$ROOT/bin/nano_virt.nvm}

cat > "$t/pass.nano" <<'N'
let mut counter: int = 0
let names: array<string> = []

fn bump() -> int {
    set counter (+ counter 1)
    (array_push names "x")
    (println "to stdout")
    (eprintln "to stderr")
    return counter
}

shadow bump {
    assert (== (bump) 1)
    assert (== (bump) 2)
    assert (== (array_length names) 2)
}

shadow bump {
    assert (== (bump) 1)
    assert (== (array_length names) 1)
}

fn done() -> int {
    return 0
}

shadow done {
    (exit 0)
    assert false
}

fn main() -> int {
    return (bump)
}
N

cat > "$t/fail.nano" <<'N'
fn a() -> int {
    return 1
}

shadow a {
    (exit 3)
}

fn b() -> int {
    return 2
}

shadow b {
    assert (== (b) 3)
}

fn c() -> int {
    return 3
}

shadow c {
    (eprintln "not shown")
    (panic "boom")
}

fn main() -> int {
    return 0
}
N

cat > "$t/fail.expected" <<'E'
shadow test 'a' failed: exit(3) called in a shadow test
fail.nano:14: shadow test 'b' failed: assertion failed
fail.nano:23: shadow test 'c' failed: boom
E

# a shadow test that never ends fails at the default step limit of a shadow test
# (docs/ISA.md 6.5), where it was stopped; the next test still runs
cat > "$t/spin.nano" <<'N'
fn spin() -> int {
    let mut i: int = 0
    while true {
        set i (+ i 1)
    }
    return i
}

shadow spin {
    assert (== (spin) 0)
}

fn two() -> int {
    return 2
}

shadow two {
    assert (== (two) 3)
}

fn main() -> int {
    return 0
}
N

# a shadow test that finishes after some 3,000,000 to 3,500,000 instructions
cat > "$t/count.nano" <<'N'
fn count(n: int) -> int {
    let mut i: int = 0
    while (< i n) {
        set i (+ i 1)
    }
    return i
}

shadow count {
    assert (== (count 1000000) 1000000)
}

fn main() -> int {
    return 0
}
N

for compiler in "$BUILD/stage1/nano_virt" "${NANO_SELF:-$ROOT/bin/nano_virt}"; do
    name=${compiler#$ROOT/}
    if [ ! -x "$compiler" ]; then
        ok 0 "$name is not built # SKIP"
        continue
    fi
    (cd "$t" && "$compiler" pass.nano -o pass.nvm > out 2> err)
    ok $? "$name: passing tests: fresh globals per test, exit 0 passes" "$t/err"
    [ -s "$t/pass.nvm" ] && [ ! -s "$t/out" ] && [ ! -s "$t/err" ]
    ok $? "$name: the tests' stdout and stderr are discarded, the output is written" "$t/out"
    rm -f "$t/fail.nvm"
    (cd "$t" && "$compiler" fail.nano -o fail.nvm > out 2> err)
    status=$?
    [ "$status" = 1 ]
    ok $? "$name: failing tests: exit status 1 (got $status)" "$t/err"
    [ ! -e "$t/fail.nvm" ]
    ok $? "$name: no output file after a failed test"
    diff "$t/fail.expected" "$t/err" > "$t/diff"
    ok $? "$name: every test runs; one line per failure, in source order" "$t/diff"
    (cd "$t" && "$compiler" spin.nano -o spin.nvm > out 2> err)
    status=$?
    [ "$status" = 1 ] && grep -q "^spin.nano:[0-9]*: shadow test 'spin' failed: did not finish within 1000000000 steps\$" "$t/err"
    ok $? "$name: a shadow test that never ends fails at the step limit (status $status)" "$t/err"
    grep -q "^spin.nano:18: shadow test 'two' failed: assertion failed\$" "$t/err"
    ok $? "$name: and the next test runs" "$t/err"

    # --test-steps N
    rm -f "$t/spin.nvm"
    (cd "$t" && "$compiler" --test-steps 10000 spin.nano -o spin.nvm > out 2> err)
    status=$?
    [ "$status" = 1 ] && [ ! -e "$t/spin.nvm" ] && grep -q "^spin.nano:[345]: shadow test 'spin' failed: did not finish within 10000 steps\$" "$t/err"
    ok $? "$name: --test-steps 10000 stops a test that never ends after 10000 steps, in its loop (status $status)" "$t/err"
    grep -q "^spin.nano:18: shadow test 'two' failed: assertion failed\$" "$t/err" && [ "$(wc -l < "$t/err")" = 2 ]
    ok $? "$name: the next test still runs" "$t/err"
    (cd "$t" && "$compiler" count.nano --test-steps 10000 -o count.nvm > out 2> err)
    status=$?
    [ "$status" = 1 ] && [ ! -e "$t/count.nvm" ] && grep -q "^count.nano:[345]: shadow test 'count' failed: did not finish within 10000 steps\$" "$t/err"
    ok $? "$name: a test that needs more than --test-steps fails (status $status)" "$t/err"
    (cd "$t" && "$compiler" count.nano --test-steps 10000000 -o count.nvm > out 2> err)
    status=$?
    [ "$status" = 0 ] && [ -s "$t/count.nvm" ] && [ ! -s "$t/err" ]
    ok $? "$name: and compiles with a large enough --test-steps (status $status)" "$t/err"
    rm -rf "$t/outdir" && mkdir "$t/outdir"
    (cd "$t" && "$compiler" --out-dir outdir pass.nano count.nano spin.nano --test-steps 5000 > out 2> err)
    status=$?
    [ "$status" = 1 ] && [ -s "$t/outdir/pass.nvm" ] && [ ! -e "$t/outdir/count.nvm" ] && [ ! -e "$t/outdir/spin.nvm" ]
    ok $? "$name: --test-steps holds for every file of an --out-dir compile (status $status)" "$t/err"
    grep -q "^count.nano:[345]: shadow test 'count' failed: did not finish within 5000 steps\$" "$t/err" &&
        grep -q "^spin.nano:[345]: shadow test 'spin' failed: did not finish within 5000 steps\$" "$t/err"
    ok $? "$name: each file's tests stop at 5000 steps" "$t/err"
    for bad in 0 -1 abc 1e9 "" 99999999999999999999; do
        rm -f "$t/count.nvm"
        (cd "$t" && "$compiler" count.nano --test-steps "$bad" > out 2> err)
        status=$?
        [ "$status" = 2 ] && [ ! -e "$t/count.nvm" ] && [ "$(head -n 1 "$t/err")" = "nano_virt: --test-steps needs a positive integer, not '$bad'" ]
        ok $? "$name: --test-steps '$bad' is a usage error (status $status)" "$t/err"
    done
    (cd "$t" && "$compiler" count.nano --test-steps > out 2> err)
    status=$?
    [ "$status" = 2 ] && [ ! -e "$t/count.nvm" ] && [ "$(head -n 1 "$t/err")" = "nano_virt: --test-steps needs a positive integer" ]
    ok $? "$name: --test-steps without its value is a usage error (status $status)" "$t/err"
    "$compiler" --help > "$t/out" 2>&1 && grep -q -- "--test-steps N" "$t/out"
    ok $? "$name: --help lists --test-steps"
done

# On the VM, nano_vm's limits hold for the compiler and the tests it runs together: a test's limit
# is the smaller of --test-steps (nano_virt's, else nano_vm's) and what --max-steps leaves.
if [ -x "$VM" ] && [ -f "$SELF_NVM" ]; then
    (cd "$t" && "$VM" --test-steps 10000 "$SELF_NVM" spin.nano -o spin.nvm > out 2> err)
    grep -q "^spin.nano:[345]: shadow test 'spin' failed: did not finish within 10000 steps\$" "$t/err"
    ok $? "nano_vm --test-steps reaches the compiler's tests without nano_virt --test-steps" "$t/err"
    (cd "$t" && "$VM" --test-steps 10000 "$SELF_NVM" --test-steps 20000 spin.nano -o spin.nvm > out 2> err)
    grep -q "^spin.nano:[345]: shadow test 'spin' failed: did not finish within 20000 steps\$" "$t/err"
    ok $? "nano_virt --test-steps overrides nano_vm's" "$t/err"
    # the steps the compiler needs for count.nano up to its shadow tests: measured with
    # --no-shadow (the tests' run is the only difference)
    (cd "$t" && "$VM" --profile "$SELF_NVM" --no-shadow count.nano -o count.nvm > out 2> prof)
    base=$(sed -n 's/^.* \([0-9][0-9]*\) instructions.*$/\1/p' "$t/prof" | head -n 1)
    if [ -n "$base" ]; then
        max=$((base + 300000))
        rm -f "$t/count.nvm"
        (cd "$t" && "$VM" --max-steps "$max" "$SELF_NVM" --test-steps 1000000000 count.nano -o count.nvm > out 2> err)
        status=$?
        [ "$status" = 1 ] && [ ! -e "$t/count.nvm" ] && grep -q "error: step limit of $max instructions reached" "$t/err"
        ok $? "nano_vm --max-steps $max, smaller than nano_virt --test-steps: the compile stops within --max-steps (status $status)" "$t/err"
        max=$((base + 10000000))
        (cd "$t" && "$VM" --max-steps "$max" "$SELF_NVM" --test-steps 1000000000 count.nano -o count.nvm > out 2> err)
        status=$?
        [ "$status" = 0 ] && [ -s "$t/count.nvm" ]
        ok $? "and with enough steps left for the test it compiles (status $status)" "$t/err"
        (cd "$t" && "$VM" --max-steps "$max" "$SELF_NVM" --test-steps 10000 count.nano -o count.nvm > out 2> err)
        status=$?
        [ "$status" = 1 ] && grep -q "^count.nano:[345]: shadow test 'count' failed: did not finish within 10000 steps\$" "$t/err"
        ok $? "nano_virt --test-steps smaller than what --max-steps leaves: the test stops at it (status $status)" "$t/err"
    else
        ok 1 "nano_vm --profile gave the compiler's instruction count" "$t/prof"
    fi
else
    skip "nano_vm or $SELF_NVM is not built"
fi
finish
