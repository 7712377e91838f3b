#!/usr/bin/env bash
# reject.t: every tests/stage0/reject/NAME.nano must be rejected by nanoc0 with exit status 1
# and exactly the message on its first line ("# expect: FILE:LINE:COL: error: ...").
. "$(dirname "$0")/lib.sh"
cd "$ROOT/tests/stage0"
for p in reject/*.nano; do
    want=$(head -n 1 "$p" | sed -n 's/^# expect: //p')
    "$NANOC0" -o "$TMP/out.c" "$p" > /dev/null 2> "$TMP/err"
    status=$?
    got=$(cat "$TMP/err")
    if [ "$status" = 1 ] && [ "$got" = "$want" ]; then
        ok "$p: $want"
    else
        printf 'expected: %s\ngot (status %s): %s\n' "$want" "$status" "$got" > "$TMP/why"
        not_ok "$p" "$TMP/why"
    fi
done
done_testing
