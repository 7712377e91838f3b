#!/usr/bin/env bash
# agree.t: every benchmark program (tests/bench/programs/) compiles (its shadow tests pass),
# runs on nano_vm, and prints the same line as its Lua and Python peers (tests/bench/peers/)
# under lua5.4, luajit -joff and python3, each interpreter that is installed (a missing one is a
# TAP skip).  Every program runs on its reduced input from tests/bench/counts.txt, so the test
# takes a few seconds; make bench compares the full-size runs the same way.  The same for the JSON
# round trip (json/: std/json.nano beside Python's json module) on a document of 300 objects.
. "$(dirname "$0")/../lib/tap.sh"
VIRT=${NANO_VIRT:-$ROOT/bin/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
need "$VIRT" "$VM"
export PYTHONDONTWRITEBYTECODE=1
cd "$ROOT/tests/bench"

progs=$(for f in programs/*.nano; do basename "$f" .nano; done)
[ -n "$progs" ]; ok $? "there are benchmark programs"
for prog in $progs; do
    arg=$(awk -v p="$prog" '$1 == p { print $2; exit }' counts.txt)
    [ -n "$arg" ]; ok $? "$prog has a reduced input in counts.txt"
    [ -f "peers/$prog.lua" ] && [ -f "peers/$prog.py" ]; ok $? "$prog has a Lua and a Python peer"
    "$VIRT" "programs/$prog.nano" -o "$t/$prog.nvm" > "$t/err" 2>&1
    ok $? "nano_virt compiles $prog.nano (its shadow tests pass)" "$t/err"
    "$VM" "$t/$prog.nvm" ${arg:-1} > "$t/vm.out" 2> "$t/err"; s=$?
    [ "$s" = 0 ] && grep -q "^$prog [0-9]" "$t/vm.out"
    ok $? "$prog $arg on nano_vm prints its checksum: $(head -n 1 "$t/vm.out")" "$t/err"
    for interp in lua5.4 "luajit -joff" python3; do
        name=${interp%% *}
        case $name in python3) peer=peers/$prog.py ;; *) peer=peers/$prog.lua ;; esac
        if ! command -v "$name" > /dev/null 2>&1; then
            skip "$name is not installed"
            continue
        fi
        $interp "$peer" ${arg:-1} > "$t/peer.out" 2> "$t/err"
        if cmp -s "$t/vm.out" "$t/peer.out"; then
            ok 0 "$interp $peer $arg prints the same"
        else
            { echo "nano_vm: $(cat "$t/vm.out")"; echo "$name: $(cat "$t/peer.out")"; cat "$t/err"; } > "$t/diff"
            ok 1 "$interp $peer $arg prints the same" "$t/diff"
        fi
    done
done
# the JSON round trip of make bench (json.sh) on a document of 300 objects
"$VIRT" json/json_roundtrip.nano -o "$t/json.nvm" > "$t/err" 2>&1
ok $? "nano_virt compiles json/json_roundtrip.nano (its shadow tests pass)" "$t/err"
"$VM" "$t/json.nvm" gen "$t/doc.json" 300 > "$t/err" 2>&1
ok $? "json_roundtrip gen writes a document" "$t/err"
"$VM" "$t/json.nvm" run "$t/doc.json" > "$t/vm.out" 2> "$t/err"; s=$?
[ "$s" = 0 ] && grep -q "^json null 300 bool 600 int 600 float 1200 string 300 array 601 object 300$" "$t/vm.out"
ok $? "json_roundtrip run on nano_vm prints the counts: $(head -n 1 "$t/vm.out")" "$t/err"
if command -v python3 > /dev/null 2>&1; then
    python3 json/json_roundtrip.py "$t/doc.json" > "$t/peer.out" 2> "$t/err"
    cmp -s "$t/vm.out" "$t/peer.out"
    ok $? "python3 json/json_roundtrip.py prints the same" "$t/err"
else
    skip "python3 is not installed"
fi
finish
