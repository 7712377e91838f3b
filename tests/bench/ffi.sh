#!/bin/sh
# ffi.sh: the extern-call part of make bench: the round trip of an extern call (100,000 calls of
# labs from nanolang through nano_cop) beside an in-process ffi_call of the same function
# (ffi_call.c), and the rows per second of the sqlite3 test's 10,000-row insert
# (tests/clib/sqlite3_main.nano).  Wall-clock times on a shared machine: rough figures.
set -u
B=${B:-build}
N=${FFI_BENCH_CALLS:-100000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_ffi_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
bin/nano_virt tests/bench/extern_labs.nano -o "$TMP/labs.nvm" || exit 1
bin/nano_virt tests/clib/sqlite3_main.nano -o "$TMP/sqlite3.nvm" || exit 1
ext=$(bin/nano_vm "$TMP/labs.nvm" "$N") || { echo "ffi bench: the extern loop failed" >&2; exit 1; }
inproc=$("$B/bench/ffi_call" "$N") || { echo "ffi bench: ffi_call failed" >&2; exit 1; }
rate=$(bin/nano_vm "$TMP/sqlite3.nvm" "$TMP/bench.db" 10000 | sed -n 's/^rate \([0-9]*\) rows\/s$/\1/p')
echo
echo "extern calls ($N calls of labs)      microseconds per call"
printf '  %-36s %10s\n' "nanolang extern fn (nano_cop)" "$ext"
printf '  %-36s %10s\n' "in-process ffi_call (C)" "$inproc"
echo "sqlite3 (lib/sqlite3.nano)"
printf '  %-36s %10s\n' "insert of 10,000 rows, rows/s" "${rate:-?}"
