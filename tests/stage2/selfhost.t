#!/usr/bin/env bash
# selfhost.t: the self-hosted compiler (bin/nano_virt: the fixpoint on nano_vm) behaves exactly
# like the native stage 1 compiler: for every program of the conformance suite, the front-end
# corpus and the benchmarks it writes the same bytes, and it prints the same diagnostics and
# exit status for every front-end error program.  (tests/stage2/conformance.t runs the
# conformance suite through it.)
. "$(dirname "$0")/lib.sh"
S1=$BUILD/stage1/nano_virt
S2=$ROOT/bin/nano_virt
cd "$ROOT"
progs=$(ls tests/conformance/*.nano tests/conformance/*/main.nano tests/frontend/pass/*.nano tests/frontend/pass/*/main.nano 2> /dev/null | sort)
n=0; same=0; differ=""
for p in $progs; do
    n=$((n + 1))
    "$S1" --no-shadow "$p" -o "$t/1.nvm" > /dev/null 2>&1; s1=$?
    "$S2" --no-shadow "$p" -o "$t/2.nvm" > /dev/null 2>&1; s2=$?
    if [ "$s1" = "$s2" ] && cmp -s "$t/1.nvm" "$t/2.nvm"; then
        same=$((same + 1))
    else
        differ="$differ $p"
    fi
    rm -f "$t/1.nvm" "$t/2.nvm"
done
echo "$differ" | tr ' ' '\n' > "$t/differ"
[ "$same" = "$n" ]; ok $? "the same .nvm bytes from both compilers for $same of $n programs" "$t/differ"
n=0; same=0; differ=""
for p in $(ls tests/frontend/fail/*.nano tests/frontend/fail/*/main.nano tests/frontend/warn/*.nano 2> /dev/null | sort); do
    n=$((n + 1))
    (cd "$(dirname "$p")" && "$S1" --check "$(basename "$p")" > "$t/o1" 2>&1; echo "status $?" >> "$t/o1")
    (cd "$(dirname "$p")" && "$S2" --check "$(basename "$p")" > "$t/o2" 2>&1; echo "status $?" >> "$t/o2")
    if cmp -s "$t/o1" "$t/o2"; then same=$((same + 1)); else differ="$differ $p"; fi
done
echo "$differ" | tr ' ' '\n' > "$t/differ"
[ "$same" = "$n" ]; ok $? "the same diagnostics and status from both compilers for $same of $n error programs" "$t/differ"
for flag in --help --version --frobnicate; do
    "$S1" $flag > "$t/o1" 2>&1; echo "status $?" >> "$t/o1"
    "$S2" $flag > "$t/o2" 2>&1; echo "status $?" >> "$t/o2"
    cmp -s "$t/o1" "$t/o2"; ok $? "the same output and status for $flag"
done
for p in tests/bench/programs/*.nano; do
    "$S1" "$p" -o "$t/1.nvm" > /dev/null 2>&1 && "$S2" "$p" -o "$t/2.nvm" > /dev/null 2>&1 && cmp -s "$t/1.nvm" "$t/2.nvm"
    ok $? "the same bytes for benchmark $(basename "$p")"
done
finish
