#!/bin/sh
# make bench, native executables: the sizes of hello world as a full (`nano_virt --native`) and a
# thin (`--daemon-wrapper`) executable, and the start-to-exit (wall) time of each beside
# `nano_vm hello.nvm`, a C hello (cc -O2), lua5.4 and python3 on the same one-line program
# (tests/bench/hello/).  The thin executable runs in a daemon of its own, warm (started, and one
# run made, before the timing), in a private XDG_RUNTIME_DIR; it is stopped at the end.
#
# Each command runs HELLO_RUNS times (default 20), interleaved, and the table has the median
# wall time (tests/bench/measure.c) in milliseconds.  Every run must print "hello, world".
#
# Environment: B (build directory, default build), VIRT (the compiler, default bin/nano_virt),
# HELLO_RUNS.
set -eu
B=${B:-build}
VIRT=${VIRT:-bin/nano_virt}
VM=${VM:-bin/nano_vm}
VMD=${VMD:-bin/nano_vmd}
RUNS=${HELLO_RUNS:-20}
here=tests/bench/hello
out=$B/bench/hello
measure=$B/bench/measure
. tests/bench/lib.sh
bench_runs_ok HELLO_RUNS "$RUNS"
[ -x "$measure" ] || { echo "bench: $measure is missing (make bench builds it)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
run_dir=$(mktemp -d)
chmod 700 "$run_dir"
stop_daemon() {
    XDG_RUNTIME_DIR=$run_dir "$VMD" --stop > /dev/null 2>&1 || true
    rm -rf "$run_dir"
}
trap stop_daemon EXIT

"$VIRT" "$here/hello.nano" -o "$out/hello.nvm"
"$VIRT" "$here/hello.nano" --native -o "$out/hello_full"
"$VIRT" "$here/hello.nano" --daemon-wrapper -o "$out/hello_thin"
${CC:-cc} -O2 "$here/hello.c" -o "$out/hello_c"

systems="full thin vm c"
cmd_full="$out/hello_full"; title_full="full executable"
cmd_thin="$out/hello_thin"; title_thin="thin executable (warm nano_vmd)"
cmd_vm="$VM $out/hello.nvm"; title_vm="nano_vm hello.nvm"
cmd_c="$out/hello_c"; title_c="C (cc -O2)"
if command -v lua5.4 > /dev/null 2>&1; then
    systems="$systems lua"; cmd_lua="lua5.4 $here/hello.lua"; title_lua="lua5.4"
else
    echo "bench: lua5.4 not found: its row is left out"
fi
if command -v python3 > /dev/null 2>&1; then
    systems="$systems py"; cmd_py="python3 $here/hello.py"; title_py="python3"
else
    echo "bench: python3 not found: its row is left out"
fi

export XDG_RUNTIME_DIR=$run_dir
export NANO_VMD="$(readlink -f "$VMD")"
"$out/hello_thin" > /dev/null # launches the daemon: the timed runs find it warm
one_run() { # one_run ROUND SYSTEM: one timed run of SYSTEM's hello
    eval "cmd=\$cmd_$2"
    # shellcheck disable=SC2086
    got=$("$measure" "$out/$2.runs" $cmd)
    [ "$got" = "hello, world" ] || { echo "bench: $2 printed '$got'" >&2; exit 1; }
}
# shellcheck disable=SC2086
bench_interleave "$RUNS" one_run $systems

median_ms() { bench_median "$1" 6 1000 %.2f; } # field 6 of measure's line: wall seconds
size_of() { stat -c %s "$1"; }
echo
echo "hello world, start to exit: median wall time of $RUNS runs"
printf '%-34s %12s %10s\n' "" "size (bytes)" "time (ms)"
for s in $systems; do
    eval "title=\$title_$s"
    case $s in
        full) size=$(size_of "$out/hello_full") ;;
        thin) size=$(size_of "$out/hello_thin") ;;
        vm) size="$(size_of "$out/hello.nvm") .nvm" ;;
        c) size=$(size_of "$out/hello_c") ;;
        *) size="-" ;;
    esac
    printf '%-34s %12s %10s\n' "$title" "$size" "$(median_ms "$out/$s.runs")"
done
echo "(the full executable carries the VM: its size is bin/nano_stub_full's $(size_of bin/nano_stub_full) bytes plus the .nvm and a 32-byte trailer; the thin one bin/nano_stub_thin's $(size_of bin/nano_stub_thin))"
