#!/usr/bin/env bash
# sqlite3.t: lib/sqlite3.nano over libsqlite3.so.0: its shadow tests, then a program that creates
# a database file, inserts 10,000 rows in a transaction through a prepared statement and checks
# aggregate queries (and an exec with a row callback) against values it computes itself; the
# file is read again by a second run; error messages come from sqlite3_errmsg.
. "$(dirname "$0")/lib.sh" sqlite3 7
out=$("$VIRT" "$HERE/sqlite3_main.nano" -o "$t/s.nvm" 2>&1)
ok $? "compiles, the shadow tests of lib/sqlite3.nano passing" "$out"
tests=$("$VM" --test "$t/s.nvm" 2>&1)
! echo "$tests" | grep -q '^not ok' && [ "$(echo "$tests" | grep -c '^ok')" -ge 20 ]
ok $? "nano_vm --test: the shadow tests pass ($(echo "$tests" | grep -c '^ok'))" "$tests"
"$VM" "$t/s.nvm" "$t/t.db" 10000 > "$t/out" 2> "$t/err"
st=$?
ok $st "10,000 rows inserted and every aggregate agrees (status $st)" "$(grep -v '^ok ' "$t/out"; cat "$t/err")"
[ "$(grep -c '^ok ' "$t/out")" = 23 ] && ! grep -q '^FAIL' "$t/out"
ok $? "23 checks, none failed" "$(grep -v '^ok ' "$t/out")"
grep -qx 'error: table t already exists' "$t/out" && grep -qx 'error: no such column: missing_column' "$t/out"
ok $? "error messages from sqlite3_errmsg" "$(grep '^error' "$t/out")"
[ "$(head -c 15 "$t/t.db")" = "SQLite format 3" ] && [ "$("$VM" "$t/s.nvm" "$t/t.db" 0 reopen)" = "rows 10000" ]
ok $? "the database file holds the 10,000 rows for a second program"
grep '^rate ' "$t/out" | sed 's/^/# /'
"$VM" "$t/s.nvm" "$t/no/such/dir/t.db" 1 > "$t/out2" 2>&1
grep -q '^FAIL create' "$t/out2"
ok $? "a database that cannot be opened fails its statements" "$(head -3 "$t/out2")"
finish
