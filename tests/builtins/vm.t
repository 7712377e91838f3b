#!/usr/bin/env bash
# vm.t: the builtin test vectors on the VM: builtins.nano compiled by nano_virt (its shadow tests
# run at compile time) and run by nano_vm must print exactly what the native runtime prints
# (builtins.out, builtins.err, exit status 7; native.t checks the native side against the same
# files), so the two runtimes agree byte for byte (docs/ARCHITECTURE.md section 4).
. "$(dirname "$0")/../stage0/lib.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
cd "$ROOT/tests/builtins"
mkdir -p "$t/work"
# compiled inside the scratch directory: the shadow tests run at compile time write files there
if (cd "$t/work" && "$VIRT" "$ROOT/tests/builtins/builtins.nano" -o "$t/b.nvm" > "$t/cout" 2> "$t/err"); then
    ok 0 "nano_virt compiles builtins.nano and its shadow tests pass"
else
    not_ok "nano_virt compiles builtins.nano and its shadow tests pass" "$t/err"
fi
(cd "$t/work" && "$VM" "$t/b.nvm" > "$t/out" 2> "$t/stderr" < /dev/null)
status=$?
diff builtins.out "$t/out" > "$t/diff" 2>&1 && ok 0 "stdout matches builtins.out (the native output)" || not_ok "stdout matches builtins.out" "$t/diff"
cmp -s builtins.err "$t/stderr" && ok 0 "stderr matches builtins.err" || not_ok "stderr matches builtins.err" "$t/stderr"
[ "$status" = 7 ] && ok 0 "exit status 7 (from exit)" || { echo "status $status" > "$t/st"; not_ok "exit status 7" "$t/st"; }
(cd "$t/work" && "$VM" --test "$t/b.nvm" > "$t/tap" 2> "$t/taperr" < /dev/null)
relay "on the VM" "$t/tap" "$t/taperr"
finish
