#!/usr/bin/env bash
# vm.t: the builtin test vectors on the VM: builtins.nano compiled by nano_virt (its shadow tests
# run at compile time) and run by nano_vm must print exactly what the native runtime prints
# (builtins.out, builtins.err, exit status 7; native.t checks the native side against the same
# files), so the two runtimes agree byte for byte (docs/ARCHITECTURE.md section 4).
. "$(dirname "$0")/../stage0/lib.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
cd "$ROOT/tests/builtins"
mkdir -p "$TMP/work"
# compiled inside the scratch directory: the shadow tests run at compile time write files there
if (cd "$TMP/work" && "$VIRT" "$ROOT/tests/builtins/builtins.nano" -o "$TMP/b.nvm" > "$TMP/cout" 2> "$TMP/err"); then
    ok "nano_virt compiles builtins.nano and its shadow tests pass"
else
    not_ok "nano_virt compiles builtins.nano and its shadow tests pass" "$TMP/err"
fi
(cd "$TMP/work" && "$VM" "$TMP/b.nvm" > "$TMP/out" 2> "$TMP/stderr" < /dev/null)
status=$?
diff builtins.out "$TMP/out" > "$TMP/diff" 2>&1 && ok "stdout matches builtins.out (the native output)" || not_ok "stdout matches builtins.out" "$TMP/diff"
cmp -s builtins.err "$TMP/stderr" && ok "stderr matches builtins.err" || not_ok "stderr matches builtins.err" "$TMP/stderr"
[ "$status" = 7 ] && ok "exit status 7 (from exit)" || { echo "status $status" > "$TMP/st"; not_ok "exit status 7" "$TMP/st"; }
(cd "$TMP/work" && "$VM" --test "$TMP/b.nvm" > "$TMP/tap" 2> "$TMP/taperr" < /dev/null)
while IFS= read -r line; do
    case "$line" in
    "ok "*) ok "on the VM: ${line#ok * - }" ;;
    "not ok "*) not_ok "on the VM: ${line#not ok * - }" "$TMP/taperr" ;;
    esac
done < "$TMP/tap"
done_testing
