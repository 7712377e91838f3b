#!/bin/sh
# json.sh: the JSON part of make bench: a round trip (parse, print, parse, print) of a 3.3 MB
# document (json/json_roundtrip.nano: 20,000 objects with ints, floats across the exponent
# range, escaped strings and bytes 128..255) with std/json.nano on nano_vm, beside the same with
# Python's json module (json/json_roundtrip.py, which must print the same counts of values).
# Median CPU time (user + sys, tests/bench/measure.c) of BENCH_RUNS runs (default 5), interleaved.
set -u
B=${B:-build}
RUNS=${BENCH_RUNS:-5}
N=${JSON_BENCH_OBJECTS:-20000}
measure=$B/bench/measure
. tests/bench/lib.sh
bench_runs_ok BENCH_RUNS "$RUNS"
[ -x "$measure" ] || { echo "json bench: $measure is missing (make bench builds it)" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_json_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
bin/nano_virt tests/bench/json/json_roundtrip.nano -o "$TMP/json.nvm" > /dev/null || exit 1
bin/nano_vm "$TMP/json.nvm" gen "$TMP/doc.json" "$N" || { echo "json bench: could not write the document" >&2; exit 1; }
want=$(bin/nano_vm "$TMP/json.nvm" run "$TMP/doc.json") || { echo "json bench: the nanolang round trip failed" >&2; exit 1; }
have_py=no
if command -v python3 > /dev/null 2>&1; then
    got=$(python3 tests/bench/json/json_roundtrip.py "$TMP/doc.json") || { echo "json bench: the Python round trip failed" >&2; exit 1; }
    [ "$got" = "$want" ] || { echo "json bench: Python printed '$got', nano_vm '$want'" >&2; exit 1; }
    have_py=yes
fi
: > "$TMP/times"
# one_run ROUND SYSTEM: one measured round trip on SYSTEM (vm or py), appended to times
one_run() {
    rm -f "$TMP/m"
    case $2 in
        vm) "$measure" "$TMP/m" bin/nano_vm "$TMP/json.nvm" run "$TMP/doc.json" > /dev/null || exit 1 ;;
        py) "$measure" "$TMP/m" python3 tests/bench/json/json_roundtrip.py "$TMP/doc.json" > /dev/null || exit 1 ;;
    esac
    echo "$2 $(cut -d' ' -f1,2 "$TMP/m")" >> "$TMP/times"
}
systems=vm
[ "$have_py" = no ] || systems="vm py"
# shellcheck disable=SC2086
bench_interleave "$RUNS" one_run $systems
echo
echo "JSON round trip of a $(wc -c < "$TMP/doc.json" | tr -d ' ')-byte document ($want), median of $RUNS:"
awk "$BENCH_AWK_MEDIAN"'
{ cpu[$1] = cpu[$1] " " $2; kb[$1] = kb[$1] " " $3 }
END {
    vt = median(cpu["vm"])
    printf "  %-40s %7.3f s %7.1f MB\n", "std/json.nano on nano_vm", vt, median(kb["vm"]) / 1024
    if ("py" in cpu) {
        pt = median(cpu["py"])
        printf "  %-40s %7.3f s %7.1f MB   %.2fx nano_vm\n", "python3 json module", pt, median(kb["py"]) / 1024, (vt > 0 ? pt / vt : 0)
    } else print "  (python3 is not installed: no comparison)"
}' "$TMP/times"
