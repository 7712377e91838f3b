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
    if "$NANOC0" -o "$TMP/$n.c" "$p" 2> "$TMP/$n.c0err" && "$NANOC0" --tests -o "$TMP/$n.t.c" "$p" 2>> "$TMP/$n.c0err"; then
        srcs+=("$TMP/$n.c" "$TMP/$n.t.c")
    fi
done
[ ${#srcs[@]} -gt 0 ] && cc_all "${srcs[@]}"
mkdir -p "$TMP/work"
for p in $progs; do
    n=$(basename "$p" .nano)
    if [ ! -f "$TMP/$n.t.c" ]; then
        not_ok "$p: nanoc0 accepts it" "$TMP/$n.c0err"
        continue
    fi
    if [ ! -x "$TMP/$n.c.bin" ] || [ -s "$TMP/$n.c.ccerr" ] || [ ! -x "$TMP/$n.t.c.bin" ] || [ -s "$TMP/$n.t.c.ccerr" ]; then
        not_ok "$p: the C compiles without warnings" "$TMP/$n.c.ccerr" "$TMP/$n.t.c.ccerr"
        continue
    fi
    ok "$p: transpiles and compiles without warnings"
    args=()
    [ -f "run/$n.args" ] && read -r -a args < "run/$n.args"
    want_status=0
    [ -f "run/$n.status" ] && want_status=$(cat "run/$n.status")
    (cd "$TMP/work" && NANO_TEST_VAR=hello "$TMP/$n.c.bin" "${args[@]}" > "$TMP/$n.stdout" 2> "$TMP/$n.stderr" < /dev/null)
    status=$?
    if ! cmp -s "$TMP/$n.stdout" "run/$n.out" 2>/dev/null; then
        diff "run/$n.out" "$TMP/$n.stdout" > "$TMP/$n.diff" 2>&1
        not_ok "$p: stdout" "$TMP/$n.diff"
    elif [ -f "run/$n.err" ] && ! cmp -s "$TMP/$n.stderr" "run/$n.err"; then
        not_ok "$p: stderr" "$TMP/$n.stderr"
    elif [ ! -f "run/$n.err" ] && [ -s "$TMP/$n.stderr" ]; then
        not_ok "$p: stderr is empty" "$TMP/$n.stderr"
    elif [ "$status" != "$want_status" ]; then
        echo "status $status, expected $want_status" > "$TMP/$n.st"
        not_ok "$p: exit status" "$TMP/$n.st"
    else
        ok "$p: output and exit status"
    fi
    # the shadow tests, one TAP line each
    (cd "$TMP/work" && "$TMP/$n.t.c.bin" > "$TMP/$n.tap" 2> "$TMP/$n.taperr" < /dev/null)
    if [ -f "run/$n.tap" ]; then
        # a program whose shadow tests are meant to fail: compare the TAP and stderr exactly
        if cmp -s "$TMP/$n.tap" "run/$n.tap" && cmp -s "$TMP/$n.taperr" "run/$n.taperr"; then
            ok "$p: --tests output"
        else
            not_ok "$p: --tests output" "$TMP/$n.tap" "$TMP/$n.taperr"
        fi
        continue
    fi
    while IFS= read -r line; do
        case "$line" in
        "ok "*) ok "$p: ${line#ok * - }" ;;
        "not ok "*) not_ok "$p: ${line#not ok * - }" "$TMP/$n.taperr" ;;
        esac
    done < "$TMP/$n.tap"
done
done_testing
