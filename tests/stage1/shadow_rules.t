#!/usr/bin/env bash
# shadow_rules.t: shadow tests at compile time behave as docs/LANGUAGE.md section 10 says: each
# in a fresh process (globals at their initial values), stdout and stderr discarded, `exit 0`
# passes and `exit N` fails, every test runs after a failure, each failure is one line
# "FILE:LINE: shadow test 'f' failed: MESSAGE", exit status 1 and no output file; and the same
# through the self-hosted compiler (NANO_SELF, default bin/nano_virt).
. "$(dirname "$0")/../lib/tap.sh"

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
done
finish
