#!/bin/sh
# vmd.sh: the daemon part of make bench: the time from start to exit of hello world run through
# a warm nano_vmd (nano_vm --daemon), beside plain nano_vm, lua5.4 and python3 (the median wall
# time of VMD_BENCH_RUNS runs each, default 51, the four interleaved so that the machine's load
# falls on all alike), and the throughput of 100 programs started at once in one daemon (and
# of 100 plain nano_vm runs started at once, for comparison).  Wall-clock times: the daemon's
# point is the latency a user sees, and on a shared machine they are rough figures.  The daemon
# runs with a runtime directory of this script's own and is stopped at the end.
set -u
B=${B:-build}
N=${VMD_BENCH_RUNS:-51}
. tests/bench/lib.sh
bench_runs_ok VMD_BENCH_RUNS "$N"
top=$(pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_vmd_bench.XXXXXX")
mkdir -m 700 "$TMP/run"
export XDG_RUNTIME_DIR="$TMP/run" NANO_VMD="$top/bin/nano_vmd" NANO_VMD_GRACE=60
cleanup() {
    "$top/bin/nano_vmd" --stop > /dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
printf 'fn main() -> int {\n    (println "hello, world")\n    return 0\n}\n' > "$TMP/hello.nano"
printf 'print("hello, world")\n' > "$TMP/hello.lua"
printf 'print("hello, world")\n' > "$TMP/hello.py"
bin/nano_virt "$TMP/hello.nano" -o "$TMP/hello.nvm" || exit 1
bin/nano_vm --daemon "$TMP/hello.nvm" > /dev/null || { echo "vmd bench: the daemon does not run hello" >&2; exit 1; }
kinds="daemon plain"
command -v lua5.4 > /dev/null 2>&1 && kinds="$kinds lua"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # the system's, not a version manager's shim
command -v "$PY" > /dev/null 2>&1 && kinds="$kinds python"
one_run() { # one_run ROUND KIND: one timed hello of KIND
    kind=$2
    case $kind in
    daemon) set -- bin/nano_vm --daemon "$TMP/hello.nvm" ;;
    plain) set -- bin/nano_vm "$TMP/hello.nvm" ;;
    lua) set -- lua5.4 "$TMP/hello.lua" ;;
    python) set -- "$PY" "$TMP/hello.py" ;;
    esac
    "$B/bench/measure" "$TMP/$kind.txt" "$@" > /dev/null || exit 1
}
# shellcheck disable=SC2086
bench_interleave "$N" one_run $kinds
echo
echo "hello world, start to exit ($N runs each, interleaved)   median wall ms"
for k in $kinds; do
    case $k in
    daemon) label="nano_vm --daemon (a warm nano_vmd)" ;;
    plain) label="nano_vm" ;;
    lua) label="lua5.4" ;;
    python) label="python3" ;;
    esac
    ms=$(bench_median "$TMP/$k.txt" 6 1000 %.2f)
    printf '  %-44s %10s\n' "$label" "$ms"
done
[ -n "$(echo "$kinds" | grep lua)" ] || echo "  (lua5.4 is not installed: left out)"

# 100 programs at once: the wall time from the first start to the last exit
burst() {
    s=$(date +%s%N)
    for i in $(seq 1 100); do
        "$@" > /dev/null &
    done
    wait
    e=$(date +%s%N)
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.0f", 100 / ((e - s) / 1e9) }'
}
echo "100 hello worlds started at once                    programs/s"
printf '  %-44s %10s\n' "in one warm nano_vmd" "$(burst bin/nano_vm --daemon "$TMP/hello.nvm")"
printf '  %-44s %10s\n' "as 100 plain nano_vm processes" "$(burst bin/nano_vm "$TMP/hello.nvm")"
