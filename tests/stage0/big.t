#!/usr/bin/env bash
# big.t: the multi-file workload in tests/stage0/big (for a small scripting language: a
# tokenizer, parser, tree-walking interpreter, bytecode compiler, verifier, VM, peephole
# optimizer, constant folder and pretty-printer, cross-checked against each other; about 5,700
# lines in 15 files joined by imports) is built by nanoc0, compiled with -Wall -Wextra -Werror and run; its output must
# match big/expected.out and big/scripts/*.out, and each of its shadow blocks is a TAP test.
. "$(dirname "$0")/lib.sh"
cd "$ROOT/tests/stage0/big"
if "$NANOC0" -o "$t/big.c" main.nano 2> "$t/err" && "$NANOC0" --tests -o "$t/bigt.c" main.nano 2>> "$t/err"; then
    ok 0 "nanoc0 transpiles the $(cat ./*.nano | wc -l)-line program ($(ls ./*.nano | wc -l) files)"
else
    not_ok "nanoc0 transpiles it" "$t/err"
    finish
    exit 1
fi
if grep -q '^#line [0-9]* "parser.nano"$' "$t/big.c"; then
    ok 0 "the C carries #line directives naming the .nano sources"
else
    not_ok "the C carries #line directives naming the .nano sources"
fi
cc_all "$t/big.c" "$t/bigt.c"
if [ -x "$t/big.c.bin" ] && [ ! -s "$t/big.c.ccerr" ] && [ -x "$t/bigt.c.bin" ] && [ ! -s "$t/bigt.c.ccerr" ]; then
    ok 0 "the generated C compiles with no warnings"
else
    not_ok "the generated C compiles with no warnings" "$t/big.c.ccerr" "$t/bigt.c.ccerr"
    finish
    exit 1
fi
"$t/big.c.bin" > "$t/out" 2>&1
status=$?
if [ $status = 0 ] && cmp -s "$t/out" expected.out; then
    ok 0 "built-in examples: output matches expected.out"
else
    diff expected.out "$t/out" > "$t/diff"
    not_ok "built-in examples: output matches expected.out (status $status)" "$t/diff"
fi
for s in scripts/*.mini; do
    "$t/big.c.bin" "$s" > "$t/out" 2>&1
    if cmp -s "$t/out" "${s%.mini}.out"; then
        ok 0 "runs $s"
    else
        diff "${s%.mini}.out" "$t/out" > "$t/diff"
        not_ok "runs $s" "$t/diff"
    fi
done
"$t/big.c.bin" no-such-file.mini > /dev/null 2> "$t/err"
if [ $? = 2 ] && grep -q "cannot read no-such-file.mini" "$t/err"; then ok 0 "a missing file: status 2"; else not_ok "a missing file: status 2" "$t/err"; fi
"$t/bigt.c.bin" > "$t/tap" 2> "$t/taperr"
relay big "$t/tap" "$t/taperr"
finish
