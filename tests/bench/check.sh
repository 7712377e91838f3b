#!/bin/sh
# make bench-check: a regression guard that does not depend on timing.  Each benchmark program
# (tests/bench/programs/*.nano), compiled by nano_virt, runs on nano_vm once under valgrind's
# cachegrind with the reduced input given in tests/bench/counts.txt, and the number of machine
# instructions it executed (cachegrind's "I refs", the same from run to run on one machine and
# toolchain) is compared with the count recorded there.  A count more than BENCH_TOLERANCE
# percent (default 3) above its record fails the check; one as far below is reported as an
# improvement to record.  With UPDATE=1 the file is rewritten with the new counts.
#
# counts.txt has one line per program, "PROGRAM ARGUMENT INSTRUCTIONS"; lines starting with #
# are comments.  A new program needs a line (any count, then UPDATE=1).  The counts belong to
# the default build (make, computed-goto dispatch) with the compiler the machine has; a
# different compiler or flags need UPDATE=1 first.
set -eu
B=${B:-build}
VIRT=${VIRT:-bin/nano_virt}
VM=${VM:-bin/nano_vm}
TOL=${BENCH_TOLERANCE:-3}
UPDATE=${UPDATE:-}
here=tests/bench
counts=$here/counts.txt
out=$B/bench/check
mkdir -p "$out"

case $TOL in
    '' | *[!0-9.]*) echo "bench-check: BENCH_TOLERANCE must be a number of percent, not '$TOL'" >&2; exit 2 ;;
esac
if ! command -v valgrind > /dev/null 2>&1; then
    if command -v apt-get > /dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        echo "bench-check: installing valgrind (apt-get)"
        { apt-get install -y -qq valgrind || { apt-get update -qq && apt-get install -y -qq valgrind; }; } > /dev/null 2>&1 || true
    fi
    command -v valgrind > /dev/null 2>&1 ||
        { echo "bench-check: valgrind is missing: sudo apt-get install -y valgrind" >&2; exit 2; }
fi

# The recorded argument and count of a program.
recorded() {
    awk -v p="$1" '$1 == p && $1 !~ /^#/ { print $2, $3; found = 1; exit } END { if (!found) exit 1 }' "$counts"
}

rows=$out/rows.txt
: > "$rows"
for src in "$here"/programs/*.nano; do
    prog=$(basename "$src" .nano)
    line=$(recorded "$prog") ||
        { echo "bench-check: $counts has no line for $prog: add '$prog ARGUMENT 0' and run make bench-check UPDATE=1" >&2; exit 2; }
    set -- $line
    arg=$1 old=$2
    "$VIRT" "$src" -o "$out/$prog.nvm" || { echo "bench-check: $VIRT failed on $src" >&2; exit 1; }
    status=0
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$VM" "$out/$prog.nvm" "$arg" > "$out/$prog.out" 2> "$out/$prog.err" || status=$?
    if [ "$status" != 0 ]; then
        echo "bench-check: $prog $arg exited with status $status under valgrind:" >&2
        cat "$out/$prog.err" >&2
        exit 1
    fi
    new=$(sed -n 's/^==[0-9]*== I *refs: *\([0-9,]*\).*/\1/p' "$out/$prog.err" | tr -d ,)
    [ -n "$new" ] || { echo "bench-check: no instruction count in valgrind's output for $prog:" >&2; cat "$out/$prog.err" >&2; exit 1; }
    echo "$prog $arg $old $new" >> "$rows"
done

# The table, and the verdict: exit 1 when a count rose beyond the tolerance (unless UPDATE=1).
status=0
awk -v tol="$TOL" -v update="$UPDATE" '
BEGIN {
    printf "instructions executed by nano_vm (valgrind cachegrind), tolerance %s%%\n\n", tol
    printf "%-10s %9s %15s %15s %9s  %s\n", "benchmark", "argument", "recorded", "now", "change", ""
}
{
    change = $3 > 0 ? ($4 - $3) * 100 / $3 : 0
    verdict = "ok"
    if ($3 <= 0) verdict = "new"
    else if (change > tol + 0) { verdict = "HIGHER"; bad++ }
    else if (change < -tol) verdict = "lower: make bench-check UPDATE=1 records it"
    printf "%-10s %9s %15s %15s %+8.2f%%  %s\n", $1, $2, $3, $4, change, verdict
}
END {
    if (bad && update != "1") {
        printf "\nbench-check: %d benchmark(s) now execute more than %s%% more instructions\n", bad, tol
        exit 1
    }
}' "$rows" || status=$?

if [ "$UPDATE" = 1 ]; then
    {
        sed -n '/^#/p' "$counts"
        awk '{ print $1, $2, $4 }' "$rows"
    } > "$out/counts.new"
    mv "$out/counts.new" "$counts"
    echo
    echo "bench-check: $counts rewritten"
fi
exit "$status"
