#!/usr/bin/env bash
# agree.t: every benchmark program (tests/bench/programs/) compiles (its shadow tests pass),
# runs on nano_vm, and prints the same line as its Lua and Python peers (tests/bench/peers/)
# under lua5.4, luajit -joff and python3, each interpreter that is installed (a missing one is a
# TAP skip).  Every program runs on its reduced input from tests/bench/counts.txt, so the test
# takes a few seconds; make bench compares the full-size runs the same way.  The same for the JSON
# round trip (json/: std/json.nano beside Python's json module) on a document of 300 objects.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
VIRT=${NANO_VIRT:-$ROOT/bin/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
if [ ! -x "$VIRT" ] || [ ! -x "$VM" ]; then
    echo "1..0 # SKIP the bootstrap has not run (make)"
    exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export PYTHONDONTWRITEBYTECODE=1
cd "$ROOT/tests/bench"
T_N=0
T_FAILED=0
# ok STATUS DESCRIPTION [FILE-WITH-DETAILS]
ok() {
    T_N=$((T_N + 1))
    if [ "$1" = 0 ]; then
        echo "ok $T_N - $2"
    else
        echo "not ok $T_N - $2"
        T_FAILED=$((T_FAILED + 1))
        [ $# -ge 3 ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -n 20
    fi
    return 0
}
skip() {
    T_N=$((T_N + 1))
    echo "ok $T_N # SKIP $1"
}

progs=$(for f in programs/*.nano; do basename "$f" .nano; done)
[ -n "$progs" ]; ok $? "there are benchmark programs"
for prog in $progs; do
    arg=$(awk -v p="$prog" '$1 == p { print $2; exit }' counts.txt)
    [ -n "$arg" ]; ok $? "$prog has a reduced input in counts.txt"
    [ -f "peers/$prog.lua" ] && [ -f "peers/$prog.py" ]; ok $? "$prog has a Lua and a Python peer"
    "$VIRT" "programs/$prog.nano" -o "$TMP/$prog.nvm" > "$TMP/err" 2>&1
    ok $? "nano_virt compiles $prog.nano (its shadow tests pass)" "$TMP/err"
    "$VM" "$TMP/$prog.nvm" ${arg:-1} > "$TMP/vm.out" 2> "$TMP/err"; s=$?
    [ "$s" = 0 ] && grep -q "^$prog [0-9]" "$TMP/vm.out"
    ok $? "$prog $arg on nano_vm prints its checksum: $(head -n 1 "$TMP/vm.out")" "$TMP/err"
    for interp in lua5.4 "luajit -joff" python3; do
        name=${interp%% *}
        case $name in python3) peer=peers/$prog.py ;; *) peer=peers/$prog.lua ;; esac
        if ! command -v "$name" > /dev/null 2>&1; then
            skip "$name is not installed"
            continue
        fi
        $interp "$peer" ${arg:-1} > "$TMP/peer.out" 2> "$TMP/err"
        if cmp -s "$TMP/vm.out" "$TMP/peer.out"; then
            ok 0 "$interp $peer $arg prints the same"
        else
            { echo "nano_vm: $(cat "$TMP/vm.out")"; echo "$name: $(cat "$TMP/peer.out")"; cat "$TMP/err"; } > "$TMP/diff"
            ok 1 "$interp $peer $arg prints the same" "$TMP/diff"
        fi
    done
done
# the JSON round trip of make bench (json.sh) on a document of 300 objects
"$VIRT" json/json_roundtrip.nano -o "$TMP/json.nvm" > "$TMP/err" 2>&1
ok $? "nano_virt compiles json/json_roundtrip.nano (its shadow tests pass)" "$TMP/err"
"$VM" "$TMP/json.nvm" gen "$TMP/doc.json" 300 > "$TMP/err" 2>&1
ok $? "json_roundtrip gen writes a document" "$TMP/err"
"$VM" "$TMP/json.nvm" run "$TMP/doc.json" > "$TMP/vm.out" 2> "$TMP/err"; s=$?
[ "$s" = 0 ] && grep -q "^json null 300 bool 600 int 600 float 1200 string 300 array 601 object 300$" "$TMP/vm.out"
ok $? "json_roundtrip run on nano_vm prints the counts: $(head -n 1 "$TMP/vm.out")" "$TMP/err"
if command -v python3 > /dev/null 2>&1; then
    python3 json/json_roundtrip.py "$TMP/doc.json" > "$TMP/peer.out" 2> "$TMP/err"
    cmp -s "$TMP/vm.out" "$TMP/peer.out"
    ok $? "python3 json/json_roundtrip.py prints the same" "$TMP/err"
else
    skip "python3 is not installed"
fi
echo "1..$T_N"
[ "$T_FAILED" = 0 ]
