#!/usr/bin/env bash
# sqlite3.t: lib/sqlite3.nano over libsqlite3.so.0: its shadow tests, then a program that creates
# a database file, inserts 10,000 rows in a transaction through a prepared statement and checks
# aggregate queries (and an exec with a row callback) against values it computes itself; the
# file is read again by a second run; error messages come from sqlite3_errmsg.
. "$(dirname "$0")/lib.sh" sqlite3 7
out=$("$VIRT" "$HERE/sqlite3_main.nano" -o "$TMP/s.nvm" 2>&1)
ok $? "compiles, the shadow tests of lib/sqlite3.nano passing" "$out"
tests=$("$VM" --test "$TMP/s.nvm" 2>&1)
! echo "$tests" | grep -q '^not ok' && [ "$(echo "$tests" | grep -c '^ok')" -ge 20 ]
ok $? "nano_vm --test: the shadow tests pass ($(echo "$tests" | grep -c '^ok'))" "$tests"
"$VM" "$TMP/s.nvm" "$TMP/t.db" 10000 > "$TMP/out" 2> "$TMP/err"
st=$?
ok $st "10,000 rows inserted and every aggregate agrees (status $st)" "$(grep -v '^ok ' "$TMP/out"; cat "$TMP/err")"
[ "$(grep -c '^ok ' "$TMP/out")" = 23 ] && ! grep -q '^FAIL' "$TMP/out"
ok $? "23 checks, none failed" "$(grep -v '^ok ' "$TMP/out")"
grep -qx 'error: table t already exists' "$TMP/out" && grep -qx 'error: no such column: missing_column' "$TMP/out"
ok $? "error messages from sqlite3_errmsg" "$(grep '^error' "$TMP/out")"
[ "$(head -c 15 "$TMP/t.db")" = "SQLite format 3" ] && [ "$("$VM" "$TMP/s.nvm" "$TMP/t.db" 0 reopen)" = "rows 10000" ]
ok $? "the database file holds the 10,000 rows for a second program"
grep '^rate ' "$TMP/out" | sed 's/^/# /'
"$VM" "$TMP/s.nvm" "$TMP/no/such/dir/t.db" 1 > "$TMP/out2" 2>&1
grep -q '^FAIL create' "$TMP/out2"
ok $? "a database that cannot be opened fails its statements" "$(head -3 "$TMP/out2")"
exit 0
