#!/bin/sh
# The machine's tables (isa/isa.def, isa/traps.def, isa/builtins.def) reach the compiler as
# nanolang that isa/gen_tables.c writes (stage1/isa.nano, stage1/builtins.nano, checked in
# because the bootstrap compiles them).  This fails when a checked-in copy differs from what the
# generator writes now, and when docs/BUILTINS.md and isa/builtins.def name different builtins.
cd "$(dirname "$0")/../.." || exit 1
gen=${NANO_BUILD:-build}/isa/gen_tables
echo "1..4"
n=0
for what in isa builtins; do
    n=$((n + 1))
    if "$gen" "$what" | cmp -s - "stage1/$what.nano"; then
        echo "ok $n - stage1/$what.nano matches the tables"
    else
        echo "not ok $n - stage1/$what.nano is stale: run 'make stage1/$what.nano'"
        fail=1
    fi
done
# The builtins of the table (list_X_OP excepted: docs/BUILTINS.md describes List apart) and the
# backquoted names in the first column of docs/BUILTINS.md's tables.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sed -n 's/^BUILTIN(\([a-z_0-9]*\),.*/\1/p' isa/builtins.def | grep -v '^list_X_' | sort > "$tmp/table"
sed -n 's/^| \(`[^|]*\) |.*/\1/p' docs/BUILTINS.md | grep -o '`[a-z_0-9]*`' | tr -d '`' | sort -u > "$tmp/doc"
missing=$(comm -23 "$tmp/table" "$tmp/doc" | tr '\n' ' ')
extra=$(comm -13 "$tmp/table" "$tmp/doc" | tr '\n' ' ')
if [ -s "$tmp/table" ] && [ -z "$missing" ]; then
    echo "ok 3 - every builtin of isa/builtins.def ($(wc -l < "$tmp/table")) is in docs/BUILTINS.md"
else
    echo "not ok 3 - not in docs/BUILTINS.md: $missing"
    fail=1
fi
if [ -s "$tmp/doc" ] && [ -z "$extra" ]; then
    echo "ok 4 - every builtin of docs/BUILTINS.md is a row of isa/builtins.def"
else
    echo "not ok 4 - in docs/BUILTINS.md but not in isa/builtins.def: $extra"
    fail=1
fi
exit ${fail:-0}
