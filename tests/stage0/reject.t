#!/usr/bin/env bash
# reject.t: every tests/stage0/reject/NAME.nano must be rejected by nanoc0 with exit status 1
# and exactly the message on its first line ("# expect: FILE:LINE:COL: error: ...").
. "$(dirname "$0")/lib.sh"
cd "$ROOT/tests/stage0"
for p in reject/*.nano; do
    want=$(head -n 1 "$p" | sed -n 's/^# expect: //p')
    "$NANOC0" -o "$t/out.c" "$p" > /dev/null 2> "$t/err"
    status=$?
    got=$(cat "$t/err")
    if [ "$status" = 1 ] && [ "$got" = "$want" ]; then
        ok 0 "$p: $want"
    else
        printf 'expected: %s\ngot (status %s): %s\n' "$want" "$status" "$got" > "$t/why"
        not_ok "$p" "$t/why"
    fi
done
# A chain of 100,000 else-if arms (each arm a level of nesting) is the nesting error, not a crash
# of nanoc0's C stack.
{
    echo 'fn f(x: int) -> int {'
    echo '    if (== x 0) { return 0 }'
    i=1
    while [ $i -lt 100000 ]; do echo "    else if (== x $i) { return $i }"; i=$((i + 1)); done
    echo '    else { return -1 }'
    echo '}'
} > "$t/chain.nano"
"$NANOC0" -o "$t/chain.c" "$t/chain.nano" > /dev/null 2> "$t/err"
status=$?
if [ "$status" = 1 ] && grep -q '^.*chain.nano:[0-9]*:[0-9]*: error: nesting deeper than 500 levels$' "$t/err"; then
    ok 0 "a 100,000-arm else-if chain is the nesting error"
else
    echo "status $status" >> "$t/err"
    not_ok "a 100,000-arm else-if chain is the nesting error" "$t/err"
fi
finish
