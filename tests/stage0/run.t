#!/usr/bin/env bash
# run.t: every tests/stage0/run/NAME.nano is transpiled by nanoc0 (normally and with --tests),
# compiled with -Wall -Wextra -Werror and run.  Its stdout must equal NAME.out, its stderr
# NAME.err (empty if absent), its exit status NAME.status (0 if absent); arguments come from
# NAME.args.  Each shadow block becomes one TAP test, except that when NAME.tap exists the
# --tests output must equal it (and its stderr NAME.taperr): for shadow tests meant to fail.
. "$(dirname "$0")/lib.sh"
cd "$ROOT/tests/stage0"
progs=$(ls run/*.nano)
srcs=()
for p in $progs; do
    n=$(basename "$p" .nano)
    if "$NANOC0" -o "$t/$n.c" "$p" 2> "$t/$n.c0err" && "$NANOC0" --tests -o "$t/$n.t.c" "$p" 2>> "$t/$n.c0err"; then
        srcs+=("$t/$n.c" "$t/$n.t.c")
    fi
done
[ ${#srcs[@]} -gt 0 ] && cc_all "${srcs[@]}"
mkdir -p "$t/work"
for p in $progs; do
    n=$(basename "$p" .nano)
    if [ ! -f "$t/$n.t.c" ]; then
        not_ok "$p: nanoc0 accepts it" "$t/$n.c0err"
        continue
    fi
    if [ ! -x "$t/$n.c.bin" ] || [ -s "$t/$n.c.ccerr" ] || [ ! -x "$t/$n.t.c.bin" ] || [ -s "$t/$n.t.c.ccerr" ]; then
        not_ok "$p: the C compiles without warnings" "$t/$n.c.ccerr" "$t/$n.t.c.ccerr"
        continue
    fi
    ok 0 "$p: transpiles and compiles without warnings"
    args=()
    [ -f "run/$n.args" ] && read -r -a args < "run/$n.args"
    want_status=0
    [ -f "run/$n.status" ] && want_status=$(cat "run/$n.status")
    (cd "$t/work" && NANO_TEST_VAR=hello "$t/$n.c.bin" "${args[@]}" > "$t/$n.stdout" 2> "$t/$n.stderr" < /dev/null)
    status=$?
    if ! cmp -s "$t/$n.stdout" "run/$n.out" 2>/dev/null; then
        diff "run/$n.out" "$t/$n.stdout" > "$t/$n.diff" 2>&1
        not_ok "$p: stdout" "$t/$n.diff"
    elif [ -f "run/$n.err" ] && ! cmp -s "$t/$n.stderr" "run/$n.err"; then
        not_ok "$p: stderr" "$t/$n.stderr"
    elif [ ! -f "run/$n.err" ] && [ -s "$t/$n.stderr" ]; then
        not_ok "$p: stderr is empty" "$t/$n.stderr"
    elif [ "$status" != "$want_status" ]; then
        echo "status $status, expected $want_status" > "$t/$n.st"
        not_ok "$p: exit status" "$t/$n.st"
    else
        ok 0 "$p: output and exit status"
    fi
    # the shadow tests, one TAP line each
    (cd "$t/work" && "$t/$n.t.c.bin" > "$t/$n.tap" 2> "$t/$n.taperr" < /dev/null)
    if [ -f "run/$n.tap" ]; then
        # a program whose shadow tests are meant to fail: compare the TAP and stderr exactly
        if cmp -s "$t/$n.tap" "run/$n.tap" && cmp -s "$t/$n.taperr" "run/$n.taperr"; then
            ok 0 "$p: --tests output"
        else
            not_ok "$p: --tests output" "$t/$n.tap" "$t/$n.taperr"
        fi
        continue
    fi
    relay "$p" "$t/$n.tap" "$t/$n.taperr"
done
finish
