#!/usr/bin/env bash
# big.t: the multi-file workload in tests/stage0/big (for a small scripting language: a
# tokenizer, parser, tree-walking interpreter, bytecode compiler, verifier, VM, peephole
# optimizer, constant folder and pretty-printer, cross-checked against each other; about 5,700
# lines in 15 files joined by imports) is built by nanoc0, compiled with -Wall -Wextra -Werror and run; its output must
# match big/expected.out and big/scripts/*.out, and each of its shadow blocks is a TAP test.
. "$(dirname "$0")/lib.sh"
cd "$ROOT/tests/stage0/big"
if "$NANOC0" -o "$TMP/big.c" main.nano 2> "$TMP/err" && "$NANOC0" --tests -o "$TMP/bigt.c" main.nano 2>> "$TMP/err"; then
    ok "nanoc0 transpiles the $(cat ./*.nano | wc -l)-line program ($(ls ./*.nano | wc -l) files)"
else
    not_ok "nanoc0 transpiles it" "$TMP/err"
    done_testing
    exit 1
fi
if grep -q '^#line [0-9]* "parser.nano"$' "$TMP/big.c"; then
    ok "the C carries #line directives naming the .nano sources"
else
    not_ok "the C carries #line directives naming the .nano sources"
fi
cc_all "$TMP/big.c" "$TMP/bigt.c"
if [ -x "$TMP/big.c.bin" ] && [ ! -s "$TMP/big.c.ccerr" ] && [ -x "$TMP/bigt.c.bin" ] && [ ! -s "$TMP/bigt.c.ccerr" ]; then
    ok "the generated C compiles with no warnings"
else
    not_ok "the generated C compiles with no warnings" "$TMP/big.c.ccerr" "$TMP/bigt.c.ccerr"
    done_testing
    exit 1
fi
"$TMP/big.c.bin" > "$TMP/out" 2>&1
status=$?
if [ $status = 0 ] && cmp -s "$TMP/out" expected.out; then
    ok "built-in examples: output matches expected.out"
else
    diff expected.out "$TMP/out" > "$TMP/diff"
    not_ok "built-in examples: output matches expected.out (status $status)" "$TMP/diff"
fi
for s in scripts/*.mini; do
    "$TMP/big.c.bin" "$s" > "$TMP/out" 2>&1
    if cmp -s "$TMP/out" "${s%.mini}.out"; then
        ok "runs $s"
    else
        diff "${s%.mini}.out" "$TMP/out" > "$TMP/diff"
        not_ok "runs $s" "$TMP/diff"
    fi
done
"$TMP/big.c.bin" no-such-file.mini > /dev/null 2> "$TMP/err"
if [ $? = 2 ] && grep -q "cannot read no-such-file.mini" "$TMP/err"; then ok "a missing file: status 2"; else not_ok "a missing file: status 2" "$TMP/err"; fi
"$TMP/bigt.c.bin" > "$TMP/tap" 2> "$TMP/taperr"
while IFS= read -r line; do
    case "$line" in
    "ok "*) ok "big: ${line#ok * - }" ;;
    "not ok "*) not_ok "big: ${line#not ok * - }" "$TMP/taperr" ;;
    esac
done < "$TMP/tap"
done_testing
