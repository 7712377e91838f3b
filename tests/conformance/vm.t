#!/usr/bin/env bash
# vm.t: the conformance suite (tests/conformance/README.md) on the VM.  Every program is compiled
# by nano_virt (NANO_VIRT, default build/stage1/nano_virt), which runs its shadow tests at compile
# time, and run by nano_vm; its stdout must equal P.out, its exit status P.status (0 if absent),
# every line of P.err must occur in its stderr (which must be empty when there is no P.err).
# One TAP line per program.  Programs are compiled and run two at a time.
#
# NANO_VM chooses the VM (vm_san.t runs the suite under the AddressSanitizer and
# UndefinedBehaviorSanitizer build).
. "$(dirname "$0")/../lib/tap.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
need "$VIRT" "$VM"

cd "$HERE"
entries=$(ls *.nano */main.nano 2> /dev/null | sort)

# run_one ENTRY: compiles and runs one program, writes $t/res/ID.result ("ok" or the reasons).
run_one() {
    local e=$1 id dir base
    case "$e" in */main.nano) id=${e%/main.nano} ;; *) id=${e%.nano} ;; esac
    base=${e%.nano}
    dir=$t/run/$id
    mkdir -p "$dir" "$t/res"
    local res=$t/res/$id.result
    # compiled inside the scratch directory: shadow tests run at compile time and may write files
    if ! (cd "$dir" && NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP="$dir" "$VIRT" "$HERE/$e" -o "$t/run/$id.nvm" > "$dir.cout" 2> "$dir.cerr"); then
        { echo "nano_virt failed:"; head -n 20 "$dir.cerr"; } > "$res"
        return
    fi
    local args=() line
    if [ -f "$base.args" ]; then
        while IFS= read -r line || [ -n "$line" ]; do args+=("$line"); done < "$base.args"
    fi
    local input=/dev/null
    [ -f "$base.stdin" ] && input=$HERE/$base.stdin
    (cd "$dir" && env -u NANO_CONFORMANCE_UNSET NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP="$dir" \
        "$VM" "$t/run/$id.nvm" ${args[@]+"${args[@]}"} < "$input" > "$dir.out" 2> "$dir.err")
    local status=$? want=0 problems=""
    [ -f "$base.status" ] && want=$(cat "$base.status")
    [ "$status" = "$want" ] || problems="${problems}exit status $status, expected $want
"
    cmp -s "$dir.out" "$base.out" || problems="${problems}stdout differs: $(diff "$base.out" "$dir.out" | head -n 6)
"
    if [ -f "$base.err" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -z "$line" ] && continue
            grep -qF -- "$line" "$dir.err" || problems="${problems}stderr lacks: $line
"
        done < "$base.err"
    elif [ -s "$dir.err" ]; then
        problems="${problems}unexpected stderr: $(head -n 3 "$dir.err")
"
    fi
    if [ -z "$problems" ]; then echo ok > "$res"; else printf '%s' "$problems" > "$res"; fi
}
export -f run_one
export t VIRT VM HERE

printf '%s\n' $entries | xargs -P 2 -I{} bash -c 'run_one "$1"' _ {}

for e in $entries; do
    case "$e" in */main.nano) id=${e%/main.nano} ;; *) id=${e%.nano} ;; esac
    [ "$(cat "$t/res/$id.result" 2> /dev/null)" = ok ]
    ok $? "$id" "$(cat "$t/res/$id.result" 2> /dev/null || echo "no result")"
done
finish
