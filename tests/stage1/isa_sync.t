#!/usr/bin/env bash
# The machine's tables (isa/isa.def, isa/traps.def, isa/builtins.def) reach the compiler as
# nanolang that isa/gen_tables.c writes (stage1/isa.nano, stage1/builtins.nano, checked in
# because the bootstrap compiles them).  This fails when a checked-in copy differs from what the
# generator writes now, and when docs/BUILTINS.md and isa/builtins.def name different builtins.
. "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
gen=$BUILD/isa/gen_tables
plan 4
for what in isa builtins; do
    if "$gen" "$what" | cmp -s - "stage1/$what.nano"; then
        ok 0 "stage1/$what.nano matches the tables"
    else
        ok 1 "stage1/$what.nano is stale: run 'make stage1/$what.nano'"
    fi
done
# The builtins of the table (list_X_OP excepted: docs/BUILTINS.md describes List apart) and the
# backquoted names in the first column of docs/BUILTINS.md's tables.
sed -n 's/^BUILTIN(\([a-z_0-9]*\),.*/\1/p' isa/builtins.def | grep -v '^list_X_' | sort > "$t/table"
sed -n 's/^| \(`[^|]*\) |.*/\1/p' docs/BUILTINS.md | grep -o '`[a-z_0-9]*`' | tr -d '`' | sort -u > "$t/doc"
missing=$(comm -23 "$t/table" "$t/doc" | tr '\n' ' ')
extra=$(comm -13 "$t/table" "$t/doc" | tr '\n' ' ')
if [ -s "$t/table" ] && [ -z "$missing" ]; then
    ok 0 "every builtin of isa/builtins.def ($(wc -l < "$t/table")) is in docs/BUILTINS.md"
else
    ok 1 "not in docs/BUILTINS.md: $missing"
fi
if [ -s "$t/doc" ] && [ -z "$extra" ]; then
    ok 0 "every builtin of docs/BUILTINS.md is a row of isa/builtins.def"
else
    ok 1 "in docs/BUILTINS.md but not in isa/builtins.def: $extra"
fi
finish
