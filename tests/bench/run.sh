#!/bin/sh
# make bench: every program of ../shared/bench/programs, compiled by nano_virt and run on
# nano_vm, beside the same program in Lua 5.4 and Python 3 (../shared/bench/peers): one run
# each, the time ratio, and the peak resident memory.  The outputs must agree.
set -eu
B=${B:-build}
VIRT=${VIRT:-bin/nano_virt}
bench=${BENCH:-../shared/bench}
out=$B/bench
mkdir -p "$out"
[ -d "$bench/programs" ] || { echo "bench: $bench/programs not found"; exit 1; }

# Lua 5.4 is installed when missing (Debian's lua5.4), if this user may install packages.
if ! command -v lua5.4 >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    echo "bench: installing lua5.4"
    { $SUDO apt-get install -y -qq lua5.4 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq lua5.4; }; } >/dev/null 2>&1 ||
        echo "bench: could not install lua5.4"
fi
lua=$(command -v lua5.4 || true)
py=$(command -v python3 || true)
[ -n "$lua" ] || echo "bench: lua5.4 not found; its column is empty"
[ -n "$py" ] || echo "bench: python3 not found; its column is empty"

# measure CMD...: prints "SECONDS KB" of one run; its stdout is in $out/out.txt
measure() {
    rm -f "$out/m.txt"
    "$B/bench/measure" "$out/m.txt" "$@" >"$out/out.txt"
    read -r secs kb status <"$out/m.txt"
    [ "$status" = 0 ] || { echo "bench: '$*' exited $status" >&2; exit 1; }
    echo "$secs $kb"
}

same_output() {
    [ "$(cat "$out/out.txt")" = "$expect" ] || { echo "bench: $prog: $1 printed '$(cat "$out/out.txt")', nano_vm '$expect'"; exit 1; }
}

printf '%-8s %14s %14s %14s %9s %9s\n' program "nano_vm s/MB" "lua5.4 s/MB" "python3 s/MB" "vm/lua" "vm/py"
for src in "$bench"/programs/*.nano; do
    prog=$(basename "$src" .nano)
    "$VIRT" "$src" -o "$out/$prog.nvm"
    set -- $(measure bin/nano_vm "$out/$prog.nvm"); vt=$1; vk=$2
    expect=$(cat "$out/out.txt")
    lt=-; lk=-; pt=-; pk=-
    if [ -n "$lua" ] && [ -f "$bench/peers/$prog.lua" ]; then
        set -- $(measure "$lua" "$bench/peers/$prog.lua"); lt=$1; lk=$2
        same_output lua
    fi
    if [ -n "$py" ] && [ -f "$bench/peers/$prog.py" ]; then
        set -- $(measure "$py" "$bench/peers/$prog.py"); pt=$1; pk=$2
        same_output python
    fi
    awk -v p="$prog" -v vt="$vt" -v vk="$vk" -v lt="$lt" -v lk="$lk" -v pt="$pt" -v pk="$pk" 'BEGIN {
        v = sprintf("%.3f/%.1f", vt, vk / 1024)
        l = lt == "-" ? "-" : sprintf("%.3f/%.1f", lt, lk / 1024)
        q = pt == "-" ? "-" : sprintf("%.3f/%.1f", pt, pk / 1024)
        rl = lt == "-" ? "-" : sprintf("%.2fx", vt / lt)
        rp = pt == "-" ? "-" : sprintf("%.2fx", vt / pt)
        printf "%-8s %14s %14s %14s %9s %9s\n", p, v, l, q, rl, rp
    }'
done
echo "(one run each; ratio < 1 means nano_vm is faster; MB is peak resident memory)"
