#!/usr/bin/env bash
# replay.t: each libFuzzer target (tests/fuzz/fuzz.mk) runs once over its seeds and regression
# inputs (tests/fuzz/wire, nvm, nano, vmd): no fuzzing, so it is quick and the same every time.  Every
# input that once crashed a target is among them (named crash-*, with what it found in
# tests/fuzz/README.md).  Skipped when the targets are not built (no clang with a libFuzzer
# runtime: make test builds them when it can).
. "$(dirname "$0")/../lib/tap.sh"
FUZZ=$BUILD/fuzz
for f in fuzz_nvm fuzz_front fuzz_wire fuzz_vmd; do
    [ -x "$FUZZ/$f" ] || skip_all "the libFuzzer targets are not built (clang with libclang-rt is not installed)"
done
for pair in fuzz_wire:wire fuzz_nvm:nvm fuzz_front:nano fuzz_vmd:vmd; do
    target=${pair%%:*} seeds=$ROOT/tests/fuzz/${pair#*:}
    count=$(ls "$seeds" | wc -l)
    # -runs=0: run the corpus once and stop; inputs are read, never written (no corpus to add to)
    (cd "$t" && TMPDIR=$t "$FUZZ/$target" -runs=0 -close_fd_mask=3 -rss_limit_mb=4096 \
        -timeout=120 "$seeds") > "$t/$target.log" 2>&1
    status=$?
    if [ "$status" = 0 ] && grep -q "DONE" "$t/$target.log"; then
        ok 0 "$target runs its $count inputs ($(grep -o 'cov: [0-9]*' "$t/$target.log" | tail -1))"
    else
        ok 1 "$target runs its $count inputs (status $status)" "$(grep -v "^#\|^INFO" "$t/$target.log" | tail -n 20)"
    fi
done
finish
