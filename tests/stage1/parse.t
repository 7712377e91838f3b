#!/usr/bin/env bash
# parse.t: the front end of nano_virt (build/stage1/nano_virt).
#   1. --dump-ast on each program of tests/stage1/parse/ (a NAME.nano, or a directory NAME/
#      with main.nano, run from its directory): stdout must equal NAME.ast, stderr NAME.err,
#      and the status is 1 exactly when NAME.err is not empty.
#   2. inputs that must not crash or hang: nesting deeper than the limit, a long operator chain,
#      arbitrary bytes.
#   3. --check on every tests/frontend/pass program: status 0, no output.
#   4. --check on the lexical and syntax-error programs of tests/frontend/fail (lex_*, parse_*):
#      status 1 and exactly the expected errors (tests/frontend/README.md).
#   5. the driver's usage errors and its cannot-read error.
. "$(dirname "$0")/../lib/tap.sh"
NV=$BUILD/stage1/nano_virt
need "$NV"

# 1. golden dumps
cd "$ROOT/tests/stage1/parse"
for case in *.nano */; do
    name=${case%.nano}
    name=${name%/}
    if [ -d "$name" ]; then dir=$name; entry=main.nano; else dir=.; entry=$case; fi
    (cd "$dir" && "$NV" --dump-ast "$entry" > "$t/out" 2> "$t/err")
    status=$?
    want=0
    [ -s "$name.err" ] && want=1
    if cmp -s "$t/out" "$name.ast" && cmp -s "$t/err" "$name.err" && [ $status = $want ]; then
        ok 0 "--dump-ast $case"
    else
        diff "$name.ast" "$t/out" > "$t/diff"
        diff "$name.err" "$t/err" >> "$t/diff"
        not_ok "--dump-ast $case (status $status)" "$t/diff"
    fi
done

# 2. robustness
{ printf 'fn main() -> int {\n    return '; for i in $(seq 600); do printf '('; done; printf '1'; for i in $(seq 600); do printf ')'; done; printf '\n}\n'; } > "$t/deep.nano"
"$NV" --check "$t/deep.nano" > /dev/null 2> "$t/err"
if [ $? = 1 ] && grep -q "error: nesting deeper than 500 levels" "$t/err"; then ok 0 "600 nested parentheses: an error, not a crash"; else not_ok "600 nested parentheses" "$t/err"; fi
{ printf 'fn main() -> int {\n    return 1'; for i in $(seq 100000); do printf ' + 1'; done; printf '\n}\n'; } > "$t/chain.nano"
"$NV" --check "$t/chain.nano" > /dev/null 2> "$t/err"
if [ $? = 1 ] && grep -q "error: operator chain longer than 2000 operands" "$t/err"; then ok 0 "a 100000-operator chain: an error, not a crash"; else not_ok "a 100000-operator chain" "$t/err"; fi
{ printf 'fn main() -> int {\n'; for i in $(seq 600); do printf 'if true {\n'; done; for i in $(seq 600); do printf '}\n'; done; printf 'return 0\n}\n'; } > "$t/blocks.nano"
"$NV" --check "$t/blocks.nano" > /dev/null 2> "$t/err"
if [ $? = 1 ] && grep -q "error: nesting deeper than 500 levels" "$t/err"; then ok 0 "600 nested blocks: an error, not a crash"; else not_ok "600 nested blocks" "$t/err"; fi
crashed=0
for src in "$NV" "$ROOT/stage1/parse_code.nano" "$ROOT/docs/LANGUAGE.md"; do
    for off in 0 1000 5000; do
        head -c $((off + 3000)) "$src" | tail -c 3000 > "$t/junk.nano"
        "$NV" --dump-ast "$t/junk.nano" > /dev/null 2>&1
        s=$?
        if [ $s != 0 ] && [ $s != 1 ]; then crashed=1; echo "# status $s on $src at $off"; fi
    done
done
if [ $crashed = 0 ]; then ok 0 "arbitrary bytes: status 0 or 1, never a crash"; else not_ok "arbitrary bytes"; fi

# 3. the pass corpus parses (and checks) cleanly
cd "$ROOT/tests/frontend/pass"
bad=""
for f in *.nano */main.nano; do
    [ -f "$f" ] || continue
    out=$(cd "$(dirname "$f")" && "$NV" --check "$(basename "$f")" 2>&1)
    if [ $? != 0 ] || [ -n "$out" ]; then bad="$bad $f"; echo "# $f: $(echo "$out" | head -3)"; fi
done
if [ -z "$bad" ]; then ok 0 "--check on tests/frontend/pass: status 0, no output"; else not_ok "--check on tests/frontend/pass:$bad"; fi

# 4. lexical and syntax errors of the fail corpus
cd "$ROOT/tests/frontend/fail"
for prog in lex_* parse_*; do
    if [ -d "$prog" ]; then dir=$prog; entry=main.nano; files=$(cd "$dir" && find . -name '*.nano' | sed 's|^\./||'); else dir=.; entry=$prog; files=$prog; fi
    (cd "$dir" && "$NV" --check "$entry" > /dev/null 2> "$t/err")
    status=$?
    (cd "$dir" && grep -a -H -E '^# expect: ' $files /dev/null) | sed -E 's/^([^:]*):# expect: /\1:/; s/[[:space:]]*$//' > "$t/expect"
    grep -a -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning): ' "$t/err" > "$t/got"
    good=1
    [ $status = 1 ] || good=0
    while IFS= read -r e; do
        head=${e%%: error: *}; msg=${e#*: error: }
        grep -a -q -F "$head: error: " "$t/got" || good=0
        grep -a -F "$head: error: " "$t/got" | grep -a -q -F "$msg" || good=0
    done < "$t/expect"
    while IFS= read -r g; do
        m=0
        while IFS= read -r e; do
            head=${e%%: error: *}; msg=${e#*: error: }
            case "$g" in "$head: error: "*"$msg"*) m=1 ;; esac
        done < "$t/expect"
        [ $m = 1 ] || good=0
    done < "$t/got"
    if [ $good = 1 ]; then ok 0 "--check fail/$prog"; else cat "$t/expect" "$t/err" > "$t/both"; not_ok "--check fail/$prog (status $status)" "$t/both"; fi
done

# 5. the driver
cd "$t"
"$NV" --frobnicate > /dev/null 2> "$t/err"
if [ $? = 2 ] && grep -q "^nano_virt: unknown option '--frobnicate'" "$t/err"; then ok 0 "an unknown option is a usage error (status 2)"; else not_ok "unknown option" "$t/err"; fi
"$NV" --check > /dev/null 2> "$t/err"
if [ $? = 2 ]; then ok 0 "--check without a file: status 2"; else not_ok "--check without a file"; fi
"$NV" --check no-such-file.nano > /dev/null 2> "$t/err"
if [ $? = 2 ] && [ "$(cat "$t/err")" = "nano_virt: cannot read no-such-file.nano: No such file or directory" ]; then ok 0 "an unreadable entry file: status 2, no position"; else not_ok "an unreadable entry file" "$t/err"; fi
"$NV" --help > "$t/out" 2>&1
if [ $? = 0 ] && grep -q -- "--dump-ast" "$t/out"; then ok 0 "--help"; else not_ok "--help" "$t/out"; fi
"$NV" --version > "$t/out" 2>&1
if [ $? = 0 ] && grep -q "^nano_virt " "$t/out"; then ok 0 "--version"; else not_ok "--version" "$t/out"; fi
printf 'fn main() -> int {\n    return 0\n}\n' > ok.nano
"$NV" -v --check ok.nano > "$t/out" 2> "$t/err"
if [ $? = 0 ] && [ ! -s "$t/out" ] && grep -q "^nano_virt: check" "$t/err"; then ok 0 "-v prints the phases to stderr"; else not_ok "-v" "$t/err"; fi

finish
