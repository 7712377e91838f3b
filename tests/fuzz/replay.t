#!/usr/bin/env bash
# replay.t: each libFuzzer target (tests/fuzz/fuzz.mk) runs once over its seeds and regression
# inputs (tests/fuzz/wire, nvm, nano, vmd): no fuzzing, so it is quick and the same every time.  Every
# input that once crashed a target is among them (named crash-*, with what it found in
# tests/fuzz/README.md).  Skipped when the targets are not built (no clang with a libFuzzer
# runtime: make test builds them when it can).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ=${NANO_BUILD:-$ROOT/build}/fuzz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if [ ! -x "$FUZZ/fuzz_nvm" ] || [ ! -x "$FUZZ/fuzz_front" ] || [ ! -x "$FUZZ/fuzz_wire" ] ||
    [ ! -x "$FUZZ/fuzz_vmd" ]; then
    echo "1..0 # SKIP the libFuzzer targets are not built (clang with libclang-rt is not installed)"
    exit 0
fi
n=0; failed=0
for pair in fuzz_wire:wire fuzz_nvm:nvm fuzz_front:nano fuzz_vmd:vmd; do
    target=${pair%%:*} seeds=$ROOT/tests/fuzz/${pair#*:}
    count=$(ls "$seeds" | wc -l)
    # -runs=0: run the corpus once and stop; inputs are read, never written (no corpus to add to)
    (cd "$TMP" && TMPDIR=$TMP "$FUZZ/$target" -runs=0 -close_fd_mask=3 -rss_limit_mb=4096 \
        -timeout=120 "$seeds") > "$TMP/$target.log" 2>&1
    status=$?
    n=$((n+1))
    if [ "$status" = 0 ] && grep -q "DONE" "$TMP/$target.log"; then
        echo "ok $n - $target runs its $count inputs ($(grep -o 'cov: [0-9]*' "$TMP/$target.log" | tail -1))"
    else
        echo "not ok $n - $target runs its $count inputs (status $status)"
        grep -v "^#\|^INFO" "$TMP/$target.log" | tail -30 | sed 's/^/# /'
        failed=$((failed+1))
    fi
done
echo "1..$n"
[ "$failed" = 0 ]
