#!/usr/bin/env bash
# native.t: the conformance suite (tests/conformance/README.md) on the native runtime.  Every
# program not marked `# conformance: full-language` (or `vm-only`) is transpiled by nanoc0 (once normally, once
# with --tests for its shadow tests), compiled against the bootstrap runtime and run; its stdout
# must equal P.out, its exit status P.status (0 if absent), every line of P.err must occur in its
# stderr (which must be empty when there is no P.err), and all its shadow tests must pass.
# Two TAP lines per program: "NAME: output" and "NAME: shadow tests".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
NANOC0=${NANOC0:-$ROOT/bin/nanoc0}
CC=${CC:-cc}
if [ ! -x "$NANOC0" ] || [ ! -f "$BUILD/bootstrap/libnanort.a" ] || [ ! -f "$BUILD/bootstrap/link.flags" ]; then
    echo "1..0 # SKIP nanoc0 or the bootstrap runtime is not built (make test-build)"
    exit 0
fi
LINK=$(cat "$BUILD/bootstrap/link.flags")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_conformance.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
TIMEOUT=
command -v timeout > /dev/null && TIMEOUT="timeout 60"

N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=$((FAILED + 1))
    echo "not ok $N - $1"; shift
    for f in "$@"; do [ -f "$f" ] && head -c 2000 "$f" | sed 's/^/#   /'; done
    return 0
}

# The programs: NAME.nano, and NAME/main.nano for multi-module programs.  Each entry P.nano has
# its expectations beside it: P.out, P.status, P.err, P.args, P.stdin.
cd "$HERE"
entries=$(ls *.nano */main.nano 2> /dev/null | sort)
progs=()
skipped=0
for e in $entries; do
    first=$(head -n 1 "$e")
    if [ "$first" = "# conformance: full-language" ] || [ "$first" = "# conformance: vm-only" ]; then
        skipped=$((skipped + 1))
    else
        progs+=("$e")
    fi
done
echo "# ${#progs[@]} programs in the bootstrap subset; $skipped full-language or vm-only programs skipped (they need nano_virt)"

# id of an entry: NAME for NAME.nano and NAME/main.nano
id_of() { case "$1" in */main.nano) echo "${1%/main.nano}" ;; *) echo "${1%.nano}" ;; esac; }

# 1. transpile (normal and --tests), 2. compile everything, two cc at a time
: > "$TMP/cfiles"
for e in "${progs[@]}"; do
    id=$(id_of "$e")
    if "$NANOC0" -o "$TMP/$id.c" "$e" 2> "$TMP/$id.c0err" && "$NANOC0" --tests -o "$TMP/$id.t.c" "$e" 2>> "$TMP/$id.c0err"; then
        printf '%s\n%s\n' "$TMP/$id.c" "$TMP/$id.t.c" >> "$TMP/cfiles"
    fi
done
xargs -P 2 -I{} sh -c "$CC -std=c11 -O0 -w {} $LINK -o {}.bin 2> {}.ccerr" < "$TMP/cfiles"

# 3. run
for e in "${progs[@]}"; do
    id=$(id_of "$e")
    p=${e%.nano}
    if [ ! -f "$TMP/$id.t.c" ]; then
        not_ok "$id: nanoc0 accepts it" "$TMP/$id.c0err"
        not_ok "$id: shadow tests"
        continue
    fi
    if [ ! -x "$TMP/$id.c.bin" ] || [ ! -x "$TMP/$id.t.c.bin" ]; then
        not_ok "$id: the C compiles" "$TMP/$id.c.ccerr" "$TMP/$id.t.c.ccerr"
        not_ok "$id: shadow tests"
        continue
    fi
    args=()
    [ -f "$p.args" ] && mapfile -t args < "$p.args"
    input=/dev/null
    [ -f "$p.stdin" ] && input=$HERE/$p.stdin
    scratch="$TMP/scratch.$id"
    mkdir -p "$scratch"
    (cd "$scratch" && NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP="$scratch" $TIMEOUT "$TMP/$id.c.bin" "${args[@]}" \
        > "$TMP/$id.stdout" 2> "$TMP/$id.stderr" < "$input")
    status=$?
    want_status=0
    [ -f "$p.status" ] && want_status=$(cat "$p.status")
    errs=
    if ! cmp -s "$TMP/$id.stdout" "$p.out"; then
        diff "$p.out" "$TMP/$id.stdout" > "$TMP/$id.diff" 2>&1
        not_ok "$id: output (stdout differs from $p.out)" "$TMP/$id.diff" "$TMP/$id.stderr"
    elif [ "$status" != "$want_status" ]; then
        echo "exit status $status, expected $want_status" > "$TMP/$id.st"
        not_ok "$id: output (exit status)" "$TMP/$id.st" "$TMP/$id.stderr"
    elif [ -f "$p.err" ]; then
        while IFS= read -r line; do
            grep -qF -- "$line" "$TMP/$id.stderr" || errs="$errs$line"$'\n'
        done < "$p.err"
        if [ -n "$errs" ]; then
            printf 'missing from stderr:\n%s' "$errs" > "$TMP/$id.st"
            not_ok "$id: output (stderr)" "$TMP/$id.st" "$TMP/$id.stderr"
        else
            ok "$id: output"
        fi
    elif [ -s "$TMP/$id.stderr" ]; then
        not_ok "$id: output (stderr should be empty)" "$TMP/$id.stderr"
    else
        ok "$id: output"
    fi
    rm -rf "$scratch"
    mkdir -p "$scratch"
    (cd "$scratch" && NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP="$scratch" $TIMEOUT "$TMP/$id.t.c.bin" \
        > "$TMP/$id.tap" 2> "$TMP/$id.taperr" < /dev/null)
    status=$?
    if [ "$status" = 0 ] && ! grep -q '^not ok' "$TMP/$id.tap"; then
        ok "$id: shadow tests ($(grep -c '^ok' "$TMP/$id.tap"))"
    else
        grep '^not ok' "$TMP/$id.tap" > "$TMP/$id.tapfail"
        not_ok "$id: shadow tests" "$TMP/$id.tapfail" "$TMP/$id.taperr"
    fi
    rm -rf "$scratch" "$TMP/$id".*
done

# 4. every expectation file belongs to a program, every program has its .out
orphans=
for f in $(ls *.out *.status *.err *.args *.stdin */*.out */*.status */*.err */*.args */*.stdin 2> /dev/null); do
    [ -f "${f%.*}.nano" ] || orphans="$orphans $f"
done
for e in $entries; do
    [ -f "${e%.nano}.out" ] || orphans="$orphans ${e%.nano}.out(missing)"
done
if [ -z "$orphans" ]; then ok "every program has its .out and every expectation file its program"; else
    echo "$orphans" > "$TMP/orphans"; not_ok "every program has its .out and every expectation file its program" "$TMP/orphans"; fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
