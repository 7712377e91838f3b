#!/usr/bin/env bash
# native.t: the builtin test vectors (builtins.nano, expected output builtins.out and
# builtins.err, exit status 7) on the native runtime: nanoc0 + bootstrap/.  The same files are
# the expected results for the VM (docs/ARCHITECTURE.md section 4).  Also checks that
# builtins.nano calls every builtin listed in docs/BUILTINS.md and that nanoc0 knows each of them.
. "$(dirname "$0")/../stage0/lib.sh"
cd "$ROOT/tests/builtins"
if "$NANOC0" -o "$t/b.c" builtins.nano 2> "$t/err" && "$NANOC0" --tests -o "$t/bt.c" builtins.nano 2>> "$t/err"; then
    ok 0 "nanoc0 transpiles builtins.nano"
else
    not_ok "nanoc0 transpiles builtins.nano" "$t/err"
fi
cc_all "$t/b.c" "$t/bt.c"
if [ -x "$t/b.c.bin" ] && [ ! -s "$t/b.c.ccerr" ]; then ok 0 "it compiles without warnings"; else not_ok "it compiles without warnings" "$t/b.c.ccerr"; fi
mkdir -p "$t/work"
(cd "$t/work" && "$t/b.c.bin" > "$t/out" 2> "$t/stderr" < /dev/null)
status=$?
diff builtins.out "$t/out" > "$t/diff" 2>&1 && ok 0 "stdout matches builtins.out" || not_ok "stdout matches builtins.out" "$t/diff"
cmp -s builtins.err "$t/stderr" && ok 0 "stderr matches builtins.err" || not_ok "stderr matches builtins.err" "$t/stderr"
[ "$status" = 7 ] && ok 0 "exit status 7 (from exit)" || { echo "status $status" > "$t/st"; not_ok "exit status 7" "$t/st"; }
(cd "$t/work" && "$t/bt.c.bin" > "$t/tap" 2> "$t/taperr" < /dev/null)
relay builtins.nano "$t/tap" "$t/taperr"
# every builtin of docs/BUILTINS.md: called here, and known to nanoc0 (its row in
# isa/builtins.def has a native template); a higher-order one, called by hof_builtins.nano
native_row() { grep -q "^BUILTIN($1, .*\"[^\"][^\"]*\")\$" "$ROOT/isa/builtins.def"; }
names=$(grep '^| `' "$ROOT/docs/BUILTINS.md" | cut -d'|' -f2 | grep -o '`[a-z_0-9]*`' | tr -d '`')
for n in $(echo "$names" | sort -u); do
    if [ "$n" = panic ]; then # it ends the program: tests/stage0/run/err_panic.nano
        native_row panic && ok 0 "builtin panic is known to nanoc0 (tested by tests/stage0/run/err_panic.nano)" || not_ok "builtin panic is known to nanoc0"
    elif grep -q "^BUILTIN($n, *\"[^\"]*\(mapfn\|pred\|folder\|cmp\)" "$ROOT/isa/builtins.def"; then
        # a higher-order builtin takes a function value, which the bootstrap subset has not
        # (docs/BOOTSTRAP.md): it is tested on the VM by tests/conformance/hof_builtins.nano
        grep -q "($n[ )]" "$ROOT/tests/conformance/hof_builtins.nano" && ok 0 "builtin $n (higher-order, VM only) is tested by conformance/hof_builtins.nano" || not_ok "builtin $n (higher-order) is tested by conformance/hof_builtins.nano"
    elif grep -q "($n[ )]" builtins.nano && native_row "$n"; then
        ok 0 "builtin $n is tested and known to nanoc0"
    else
        not_ok "builtin $n is tested and known to nanoc0"
    fi
done
finish
