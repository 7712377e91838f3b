#!/usr/bin/env bash
# nano_vmd built with ThreadSanitizer: concurrent programs (each in its own directory and
# environment), a cancelled one, a failing one, garbage requests and --stop, with no data race
# reported.
. "$(dirname "$0")/lib.sh"
TSAN=$BUILD/tsan/nano_vmd
GARBAGE=$BUILD/tests/vmd_garbage
need "$TSAN" "$GARBAGE"
VMD=$TSAN
export NANO_VMD=$TSAN
use_run tsan
# in the foreground, its reports on a file; ready once it has written "ready"
TSAN_OPTIONS="halt_on_error=0 exitcode=66" "$TSAN" --grace 600 --ready-fd 3 3>"$t/ready" 2>"$t/tsan.err" &
p=$!
wait_for grep -q ready "$t/ready"; ok $? "the daemon starts under ThreadSanitizer"
"$VM" --daemon "$t/loop.nvm" >/dev/null 2>&1 &
victim=$!
for i in $(seq 1 12); do
    mkdir -p "$t/h/$i"
    echo "in$i" >"$t/h/$i/in.txt"
    prog=world
    [ $((i % 4)) = 0 ] && prog=fail
    (cd "$t/h/$i" && VAR="v$i" "$VM" --daemon "$t/$prog.nvm" >out 2>err; echo $? >"$t/h/$i/status") &
    eval "h$i=\$!"
done
wait_for running_at_least 1
kill -INT "$victim"; wait "$victim"; vs=$?
good=0
for i in $(seq 1 12); do
    eval "wait \$h$i"
    d=$t/h/$i
    if [ $((i % 4)) = 0 ]; then
        [ "$(cat "$d/status")" = 1 ] && grep -q "index 4 out of range" "$d/err" && good=$((good + 1))
    else
        [ "$(cat "$d/status")" = 0 ] && [ "$(cat "$d/out.txt")" = "v$i:in$i
:true:false" ] && good=$((good + 1))
    fi
done
[ "$good" = 12 ] && [ "$vs" = 130 ]; ok $? "12 programs at once and a cancelled one ($good right, cancelled: $vs)"
"$GARBAGE" "$XDG_RUNTIME_DIR/nanovm/sock" >/dev/null 2>&1; ok $? "garbage requests"
"$VMD" --stop >/dev/null 2>&1
wait "$p"; s=$?
[ "$s" = 0 ]; ok $? "the daemon stops cleanly (exit $s)"
! grep -q "ThreadSanitizer" "$t/tsan.err"; ok $? "ThreadSanitizer reports nothing"
grep -A12 "WARNING: ThreadSanitizer" "$t/tsan.err" | head -40 | sed 's/^/# /'
finish
