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
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NV=${NANO_BUILD:-$ROOT/build}/stage1/nano_virt
if [ ! -x "$NV" ]; then
    echo "1..0 # SKIP $NV is not built (make test-build)"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"
    shift
    for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | head -30; done
    return 0
}

# 1. golden dumps
cd "$ROOT/tests/stage1/parse"
for case in *.nano */; do
    name=${case%.nano}
    name=${name%/}
    if [ -d "$name" ]; then dir=$name; entry=main.nano; else dir=.; entry=$case; fi
    (cd "$dir" && "$NV" --dump-ast "$entry" > "$TMP/out" 2> "$TMP/err")
    status=$?
    want=0
    [ -s "$name.err" ] && want=1
    if cmp -s "$TMP/out" "$name.ast" && cmp -s "$TMP/err" "$name.err" && [ $status = $want ]; then
        ok "--dump-ast $case"
    else
        diff "$name.ast" "$TMP/out" > "$TMP/diff"
        diff "$name.err" "$TMP/err" >> "$TMP/diff"
        not_ok "--dump-ast $case (status $status)" "$TMP/diff"
    fi
done

# 2. robustness
{ printf 'fn main() -> int {\n    return '; for i in $(seq 600); do printf '('; done; printf '1'; for i in $(seq 600); do printf ')'; done; printf '\n}\n'; } > "$TMP/deep.nano"
"$NV" --check "$TMP/deep.nano" > /dev/null 2> "$TMP/err"
if [ $? = 1 ] && grep -q "error: nesting deeper than 500 levels" "$TMP/err"; then ok "600 nested parentheses: an error, not a crash"; else not_ok "600 nested parentheses" "$TMP/err"; fi
{ printf 'fn main() -> int {\n    return 1'; for i in $(seq 100000); do printf ' + 1'; done; printf '\n}\n'; } > "$TMP/chain.nano"
"$NV" --check "$TMP/chain.nano" > /dev/null 2> "$TMP/err"
if [ $? = 1 ] && grep -q "error: operator chain longer than 2000 operands" "$TMP/err"; then ok "a 100000-operator chain: an error, not a crash"; else not_ok "a 100000-operator chain" "$TMP/err"; fi
{ printf 'fn main() -> int {\n'; for i in $(seq 600); do printf 'if true {\n'; done; for i in $(seq 600); do printf '}\n'; done; printf 'return 0\n}\n'; } > "$TMP/blocks.nano"
"$NV" --check "$TMP/blocks.nano" > /dev/null 2> "$TMP/err"
if [ $? = 1 ] && grep -q "error: nesting deeper than 500 levels" "$TMP/err"; then ok "600 nested blocks: an error, not a crash"; else not_ok "600 nested blocks" "$TMP/err"; fi
crashed=0
for src in "$NV" "$ROOT/stage1/parse_code.nano" "$ROOT/docs/LANGUAGE.md"; do
    for off in 0 1000 5000; do
        head -c $((off + 3000)) "$src" | tail -c 3000 > "$TMP/junk.nano"
        "$NV" --dump-ast "$TMP/junk.nano" > /dev/null 2>&1
        s=$?
        if [ $s != 0 ] && [ $s != 1 ]; then crashed=1; echo "# status $s on $src at $off"; fi
    done
done
if [ $crashed = 0 ]; then ok "arbitrary bytes: status 0 or 1, never a crash"; else not_ok "arbitrary bytes"; fi

# 3. the pass corpus parses (and checks) cleanly
cd "$ROOT/tests/frontend/pass"
bad=""
for f in *.nano */main.nano; do
    [ -f "$f" ] || continue
    out=$(cd "$(dirname "$f")" && "$NV" --check "$(basename "$f")" 2>&1)
    if [ $? != 0 ] || [ -n "$out" ]; then bad="$bad $f"; echo "# $f: $(echo "$out" | head -3)"; fi
done
if [ -z "$bad" ]; then ok "--check on tests/frontend/pass: status 0, no output"; else not_ok "--check on tests/frontend/pass:$bad"; fi

# 4. lexical and syntax errors of the fail corpus
cd "$ROOT/tests/frontend/fail"
for t in lex_* parse_*; do
    if [ -d "$t" ]; then dir=$t; entry=main.nano; files=$(cd "$dir" && find . -name '*.nano' | sed 's|^\./||'); else dir=.; entry=$t; files=$t; fi
    (cd "$dir" && "$NV" --check "$entry" > /dev/null 2> "$TMP/err")
    status=$?
    (cd "$dir" && grep -a -H -E '^# expect: ' $files /dev/null) | sed -E 's/^([^:]*):# expect: /\1:/; s/[[:space:]]*$//' > "$TMP/expect"
    grep -a -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning): ' "$TMP/err" > "$TMP/got"
    good=1
    [ $status = 1 ] || good=0
    while IFS= read -r e; do
        head=${e%%: error: *}; msg=${e#*: error: }
        grep -a -q -F "$head: error: " "$TMP/got" || good=0
        grep -a -F "$head: error: " "$TMP/got" | grep -a -q -F "$msg" || good=0
    done < "$TMP/expect"
    while IFS= read -r g; do
        m=0
        while IFS= read -r e; do
            head=${e%%: error: *}; msg=${e#*: error: }
            case "$g" in "$head: error: "*"$msg"*) m=1 ;; esac
        done < "$TMP/expect"
        [ $m = 1 ] || good=0
    done < "$TMP/got"
    if [ $good = 1 ]; then ok "--check fail/$t"; else cat "$TMP/expect" "$TMP/err" > "$TMP/both"; not_ok "--check fail/$t (status $status)" "$TMP/both"; fi
done

# 5. the driver
cd "$TMP"
"$NV" --frobnicate > /dev/null 2> "$TMP/err"
if [ $? = 2 ] && grep -q "^nano_virt: unknown option '--frobnicate'" "$TMP/err"; then ok "an unknown option is a usage error (status 2)"; else not_ok "unknown option" "$TMP/err"; fi
"$NV" --check > /dev/null 2> "$TMP/err"
if [ $? = 2 ]; then ok "--check without a file: status 2"; else not_ok "--check without a file"; fi
"$NV" --check no-such-file.nano > /dev/null 2> "$TMP/err"
if [ $? = 2 ] && [ "$(cat "$TMP/err")" = "nano_virt: cannot read no-such-file.nano: No such file or directory" ]; then ok "an unreadable entry file: status 2, no position"; else not_ok "an unreadable entry file" "$TMP/err"; fi
"$NV" --help > "$TMP/out" 2>&1
if [ $? = 0 ] && grep -q -- "--dump-ast" "$TMP/out"; then ok "--help"; else not_ok "--help" "$TMP/out"; fi
"$NV" --version > "$TMP/out" 2>&1
if [ $? = 0 ] && grep -q "^nano_virt " "$TMP/out"; then ok "--version"; else not_ok "--version" "$TMP/out"; fi
printf 'fn main() -> int {\n    return 0\n}\n' > ok.nano
"$NV" -v --check ok.nano > "$TMP/out" 2> "$TMP/err"
if [ $? = 0 ] && [ ! -s "$TMP/out" ] && grep -q "^nano_virt: check" "$TMP/err"; then ok "-v prints the phases to stderr"; else not_ok "-v" "$TMP/err"; fi

echo "1..$N"
[ $FAILED = 0 ]
