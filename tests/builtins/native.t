#!/usr/bin/env bash
# native.t: the builtin test vectors (builtins.nano, expected output builtins.out and
# builtins.err, exit status 7) on the native runtime: nanoc0 + bootstrap/.  The same files are
# the expected results for the VM (docs/ARCHITECTURE.md section 4).  Also checks that
# builtins.nano calls every builtin listed in docs/BUILTINS.md and that nanoc0 knows each of them.
. "$(dirname "$0")/../stage0/lib.sh"
cd "$ROOT/tests/builtins"
if "$NANOC0" -o "$TMP/b.c" builtins.nano 2> "$TMP/err" && "$NANOC0" --tests -o "$TMP/bt.c" builtins.nano 2>> "$TMP/err"; then
    ok "nanoc0 transpiles builtins.nano"
else
    not_ok "nanoc0 transpiles builtins.nano" "$TMP/err"
fi
cc_all "$TMP/b.c" "$TMP/bt.c"
if [ -x "$TMP/b.c.bin" ] && [ ! -s "$TMP/b.c.ccerr" ]; then ok "it compiles without warnings"; else not_ok "it compiles without warnings" "$TMP/b.c.ccerr"; fi
mkdir -p "$TMP/work"
(cd "$TMP/work" && "$TMP/b.c.bin" > "$TMP/out" 2> "$TMP/stderr" < /dev/null)
status=$?
diff builtins.out "$TMP/out" > "$TMP/diff" 2>&1 && ok "stdout matches builtins.out" || not_ok "stdout matches builtins.out" "$TMP/diff"
cmp -s builtins.err "$TMP/stderr" && ok "stderr matches builtins.err" || not_ok "stderr matches builtins.err" "$TMP/stderr"
[ "$status" = 7 ] && ok "exit status 7 (from exit)" || { echo "status $status" > "$TMP/st"; not_ok "exit status 7" "$TMP/st"; }
(cd "$TMP/work" && "$TMP/bt.c.bin" > "$TMP/tap" 2> "$TMP/taperr" < /dev/null)
while IFS= read -r line; do
    case "$line" in
    "ok "*) ok "builtins.nano: ${line#ok * - }" ;;
    "not ok "*) not_ok "builtins.nano: ${line#not ok * - }" "$TMP/taperr" ;;
    esac
done < "$TMP/tap"
# every builtin of docs/BUILTINS.md: called here, and known to nanoc0 (its row in
# isa/builtins.def has a native template); a higher-order one, called by hof_builtins.nano
native_row() { grep -q "^BUILTIN($1, .*\"[^\"][^\"]*\")\$" "$ROOT/isa/builtins.def"; }
names=$(grep '^| `' "$ROOT/docs/BUILTINS.md" | cut -d'|' -f2 | grep -o '`[a-z_0-9]*`' | tr -d '`')
for n in $(echo "$names" | sort -u); do
    if [ "$n" = panic ]; then # it ends the program: tests/stage0/run/err_panic.nano
        native_row panic && ok "builtin panic is known to nanoc0 (tested by tests/stage0/run/err_panic.nano)" || not_ok "builtin panic is known to nanoc0"
    elif grep -q "^BUILTIN($n, *\"[^\"]*\(mapfn\|pred\|folder\|cmp\)" "$ROOT/isa/builtins.def"; then
        # a higher-order builtin takes a function value, which the bootstrap subset has not
        # (docs/BOOTSTRAP.md): it is tested on the VM by tests/conformance/hof_builtins.nano
        grep -q "($n[ )]" "$ROOT/tests/conformance/hof_builtins.nano" && ok "builtin $n (higher-order, VM only) is tested by conformance/hof_builtins.nano" || not_ok "builtin $n (higher-order) is tested by conformance/hof_builtins.nano"
    elif grep -q "($n[ )]" builtins.nano && native_row "$n"; then
        ok "builtin $n is tested and known to nanoc0"
    else
        not_ok "builtin $n is tested and known to nanoc0"
    fi
done
done_testing
