#!/bin/sh
# make bench: the benchmark programs (tests/bench/programs/*.nano), compiled by nano_virt and
# run on nano_vm, beside the same algorithms in Lua and Python (tests/bench/peers/) run by
# lua5.4, LuaJIT's interpreter (luajit -joff) and python3; then the self-compile (stage1/main.nano)
# by the compiler on nano_vm and by the native stage 1 compiler.
#
# Every measurement is the CPU time (user + sys) and the peak resident memory of one run
# (tests/bench/measure.c).  Each benchmark runs BENCH_RUNS times (default 5) on every system;
# the runs are interleaved (round 1 runs everything once, then round 2, ...) so that a change in
# the machine's load falls on all systems alike, and the table shows the medians.  Every run's
# output must be the same line as nano_vm's, or the script stops with an error.  All runs are
# kept in $B/bench/runs.txt.
#
# Environment: B (build directory, default build), VIRT (the compiler, default bin/nano_virt),
# BENCH_RUNS (runs per benchmark and system), BENCH_PROGRAMS (names of the programs to run,
# default all).
set -eu
B=${B:-build}
VIRT=${VIRT:-bin/nano_virt}
VM=${VM:-bin/nano_vm}
RUNS=${BENCH_RUNS:-5}
here=tests/bench
out=$B/bench
measure=$out/measure
. "$here/lib.sh"

bench_runs_ok BENCH_RUNS "$RUNS"
[ -x "$measure" ] || { echo "bench: $measure is missing (make bench builds it)" >&2; exit 2; }
mkdir -p "$out"

# ---------------------------------------------------------------------------------------------
# The peers' interpreters, installed with apt-get when missing and this user may install.
apt_install() {
    command -v apt-get > /dev/null 2>&1 || return 1
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo > /dev/null 2>&1 || return 1
        sudo="sudo -n"
    fi
    echo "bench: installing $1 (apt-get)"
    { $sudo apt-get install -y -qq "$1" || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$1"; }; } > /dev/null 2>&1
}
for pkg in lua5.4 luajit; do
    command -v "$pkg" > /dev/null 2>&1 || apt_install "$pkg" || echo "bench: could not install $pkg"
done

# The systems: a short name (the key in runs.txt), the column title and the command prefix.
# nano_vm is always first; a peer whose interpreter is missing is left out with a note.
systems="vm"
title_vm="nano_vm"
if command -v lua5.4 > /dev/null 2>&1; then
    systems="$systems lua"; title_lua="lua5.4"; cmd_lua="lua5.4"
else
    echo "bench: lua5.4 not found: its column is left out"
fi
if command -v luajit > /dev/null 2>&1; then
    systems="$systems jit"; title_jit="luajit -joff"; cmd_jit="luajit -joff"
else
    echo "bench: luajit not found: its column is left out"
fi
if command -v python3 > /dev/null 2>&1; then
    systems="$systems py"; title_py="python3"; cmd_py="python3"
else
    echo "bench: python3 not found: its column is left out"
fi
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1

# ---------------------------------------------------------------------------------------------
# The programs, compiled once; each must have both peers.
programs=${BENCH_PROGRAMS:-$(for f in "$here"/programs/*.nano; do basename "$f" .nano; done)}
for prog in $programs; do
    src=$here/programs/$prog.nano
    [ -f "$src" ] || { echo "bench: no program $src" >&2; exit 1; }
    for ext in lua py; do
        [ -f "$here/peers/$prog.$ext" ] || { echo "bench: $prog has no peer $here/peers/$prog.$ext" >&2; exit 1; }
    done
    "$VIRT" "$src" -o "$out/$prog.nvm" || { echo "bench: $VIRT failed on $src" >&2; exit 1; }
done

# command SYSTEM PROG: the command line that runs PROG on SYSTEM.
command_for() {
    case $1 in
        vm) echo "$VM $out/$2.nvm" ;;
        lua) echo "$cmd_lua $here/peers/$2.lua" ;;
        jit) echo "$cmd_jit $here/peers/$2.lua" ;;
        py) echo "$cmd_py $here/peers/$2.py" ;;
    esac
}

# run KEY SYSTEM COMMAND...: one measured run, appended to runs.txt as "KEY SYSTEM CPU KB";
# its stdout is left in $out/stdout.
runs=$out/runs.txt
: > "$runs"
run() {
    key=$1 sys=$2
    shift 2
    rm -f "$out/m.txt"
    "$measure" "$out/m.txt" "$@" > "$out/stdout" || { echo "bench: could not measure '$*'" >&2; exit 1; }
    read -r cpu kb status _ < "$out/m.txt"
    [ "$status" = 0 ] || { echo "bench: '$*' exited with status $status" >&2; exit 1; }
    echo "$key $sys $cpu $kb" >> "$runs"
}

# The self-compile: the compiler as bytecode on nano_vm, and natively.
self_src=stage1/main.nano
self_vm="$VM bin/nano_virt.nvm $self_src -o $out/self.vm.nvm"
self_native="$B/stage1/nano_virt $self_src -o $out/self.native.nvm"
[ -x "$B/stage1/nano_virt" ] || { echo "bench: $B/stage1/nano_virt is missing (make builds it)" >&2; exit 1; }

echo "bench: $RUNS interleaved runs of $(echo $programs | wc -w) programs on: $(for s in $systems; do eval "printf '%s, ' \"\$title_$s\""; done)and the self-compile"
# round_item ROUND PROG: PROG (a program, or "self": the self-compile) once on every system.
round_item() {
    r=$1 prog=$2
    [ "$r" = "${announced:-0}" ] || { printf 'bench: round %d of %d\n' "$r" "$RUNS"; announced=$r; }
    if [ "$prog" = self ]; then
        # shellcheck disable=SC2086
        run self native $self_native
        # shellcheck disable=SC2086
        run self vm $self_vm
        cmp -s "$out/self.vm.nvm" "$out/self.native.nvm" ||
            { echo "bench: the self-compile on nano_vm and the native one wrote different bytes" >&2; exit 1; }
        return
    fi
    for sys in $systems; do
        # shellcheck disable=SC2046
        run "$prog" "$sys" $(command_for "$sys" "$prog")
        got=$(cat "$out/stdout")
        if [ "$sys" = vm ]; then
            if [ "$r" = 1 ]; then
                expect=$got
                echo "$expect" > "$out/$prog.expect"
            else
                expect=$(cat "$out/$prog.expect")
            fi
        fi
        if [ "$got" != "$expect" ]; then
            eval "t=\$title_$sys"
            echo "bench: $prog: $t printed '$got' but nano_vm printed '$expect'" >&2
            exit 1
        fi
    done
}
# shellcheck disable=SC2086
bench_interleave "$RUNS" round_item $programs self

# ---------------------------------------------------------------------------------------------
# The table: medians per benchmark and system, ratios to nano_vm, peak memory.
titles=""
for s in $systems; do eval "titles=\"\$titles|\$title_$s\""; done
awk -v systems="$systems" -v titles="$titles" -v runs="$RUNS" -v programs="$programs" "$BENCH_AWK_MEDIAN"'
function largest(list,    v, n, i, m) {
    n = split(list, v, " ")
    m = v[1] + 0
    for (i = 2; i <= n; i++) if (v[i] + 0 > m) m = v[i] + 0
    return m
}
# How far the slowest run of a cell lies above the median of that cell; the worst is kept.
function spread(key, name, list,    m, s) {
    m = median(list)
    s = m > 0 ? largest(list) / m - 1 : 0
    if (s > worst) { worst = s; worst_at = key " on " name }
}
{ cpu[$1, $2] = cpu[$1, $2] " " $3; kb[$1, $2] = kb[$1, $2] " " $4 }
END {
    ns = split(systems, sys, " ")
    split(substr(titles, 2), title, "|")
    np = split(programs, prog, " ")
    nruns = runs == 1 ? "1 run" : runs " runs"
    printf "\nCPU seconds (user + sys), median of %s; x = the system\047s time / nano_vm\047s (above 1: nano_vm\n", nruns
    printf "is faster); MB = peak resident memory (median).\n\n"
    printf "%-10s %15s", "", title[1]
    for (s = 2; s <= ns; s++) printf " | %22s", title[s]
    printf "\n%-10s %8s %6s", "benchmark", "cpu s", "MB"
    for (s = 2; s <= ns; s++) printf " | %7s %7s %6s", "cpu s", "x", "MB"
    printf "\n"
    for (p = 1; p <= np; p++) {
        vt = median(cpu[prog[p], "vm"])
        for (s = 1; s <= ns; s++) spread(prog[p], title[s], cpu[prog[p], sys[s]])
        printf "%-10s %8.3f %6.1f", prog[p], vt, median(kb[prog[p], "vm"]) / 1024
        for (s = 2; s <= ns; s++) {
            t = median(cpu[prog[p], sys[s]])
            ratio = vt > 0 ? t / vt : 0
            printf " | %7.3f %6.2fx %6.1f", t, ratio, median(kb[prog[p], sys[s]]) / 1024
            if (ratio > 0) { logsum[s] += log(ratio); count[s]++ }
        }
        printf "\n"
    }
    if (np > 1) {
        printf "%-10s %15s", "geomean", ""
        for (s = 2; s <= ns; s++)
            if (count[s]) printf " | %7s %6.2fx %6s", "", exp(logsum[s] / count[s]), ""
        printf "\n"
    }
    tn = median(cpu["self", "native"]); tv = median(cpu["self", "vm"])
    spread("the self-compile", "nano_vm", cpu["self", "vm"])
    spread("the self-compile", "the native compiler", cpu["self", "native"])
    printf "\nThe self-compile (stage1/main.nano, shadow tests included), median of %s:\n", nruns
    printf "  %-50s %7.3f s %6.1f MB\n", "native stage 1 compiler (build/stage1/nano_virt)", tn, median(kb["self", "native"]) / 1024
    ratio = tn > 0 ? tv / tn : 0
    printf "  %-50s %7.3f s %6.1f MB   %.2fx native\n", "nano_virt on nano_vm (bin/nano_virt)", tv, median(kb["self", "vm"]) / 1024, ratio
    if (runs > 1)
        printf "\nNoise: the slowest run of a cell was up to %.0f%% above the cell\047s median (%s).\n", worst * 100, worst_at
}' "$runs"
echo
echo "(every run: $runs)"
