#!/usr/bin/env bash
# The compiler's .nvm writer (stage1/nvm.nano), built natively by stage0, writes a program that
# the VM's loader and verifier accept and run; its bytes are deterministic; its own shadow tests
# pass.
. "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
VM=${NANO_VM:-bin/nano_vm}

src=tests/stage1/nvm_writer/main.nano
flags=$(cat "$BUILD/bootstrap/link.flags")
bin/nanoc0 -o "$t/w.c" "$src" && cc -std=c11 -O0 -w "$t/w.c" $flags -o "$t/w"
ok $? "the writer builds through nanoc0"
bin/nanoc0 --tests -o "$t/wt.c" "$src" && cc -std=c11 -O0 -w "$t/wt.c" $flags -o "$t/wt"
"$t/wt" >"$t/tap" 2>&1
ok $? "the shadow tests of stage1/nvm.nano pass natively ($(grep -c '^ok' "$t/tap") tests)"
"$t/w" "$t/a.nvm" && "$t/w" "$t/b.nvm"
ok $? "the writer writes a file"
cmp -s "$t/a.nvm" "$t/b.nvm"
ok $? "its bytes are the same on every run"
"$VM" --verify "$t/a.nvm" 2>"$t/err"
ok $? "the VM's loader and verifier accept them"
"$VM" "$t/a.nvm" >"$t/out" 2>"$t/err"
status=$?
[ "$status" = 1 ]; ok $? "the program runs to its final runtime error (exit $status)"
[ "$(cat "$t/out")" = "$(printf 'fib 6765\n2.51')" ]; ok $? "globals, the initializer, calls, records and unions work"
grep -q "^w.nano:13: error: " "$t/err"; ok $? "the line table places the error at w.nano:13"
grep -q "  at main (w.nano:13)" "$t/err"; ok $? "the stack trace names main"
"$VM" --test "$t/a.nvm" >"$t/tap" 2>&1
grep -q "^ok 1 - shadow fib" "$t/tap" && grep -q "^not ok 2 - shadow fib_again" "$t/tap"; ok $? "the shadow section runs under nano_vm --test"
"$t/w" --run-tests >"$t/report"
[ "$(cat "$t/report")" = "$(printf 'ok fib\nnot ok fib_again\tw.nano:9\tassertion failed')" ]; ok $? "run_shadow_tests runs them natively (the VM library's runner)"
"$t/w" --run-tests-steps 100000 >"$t/report"
[ "$(cat "$t/report")" = "$(printf 'ok fib\nnot ok fib_again\tw.nano:9\tassertion failed')" ]; ok $? "run_shadow_tests_steps with enough steps gives the same report"
"$t/w" --run-tests-steps 0 >"$t/report"
[ "$(cat "$t/report")" = "$(printf 'ok fib\nnot ok fib_again\tw.nano:9\tassertion failed')" ]; ok $? "run_shadow_tests_steps 0: the default limit"
"$t/w" --run-tests-steps 100 >"$t/report"
grep -q "^not ok fib	w\.nano:[345]	did not finish within 100 steps\$" "$t/report" && grep -q "^not ok fib_again	w\.nano:[345]	did not finish within 100 steps\$" "$t/report"
ok $? "run_shadow_tests_steps 100 stops each test after 100 steps, natively"
"$t/w" --run-tests-steps -3 >"$t/report" 2>"$t/err"
status=$?
[ "$status" = 1 ] && grep -q "main\.nano:[0-9]*: error: run_shadow_tests_steps: negative step limit -3\$" "$t/err"
ok $? "a negative step limit is a runtime error natively (exit $status)"
"$VM" --dis "$t/a.nvm" >"$t/dis"
grep -q "Point" "$t/dis" && grep -q "Result" "$t/dis"; ok $? "the type table names Point and Result"
finish
