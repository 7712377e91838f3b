#!/usr/bin/env bash
# libc.t: lib/libc.nano (getpid, time, strlen, abs, qsort with a nanolang comparator): its shadow
# tests at compile time and under nano_vm --test, and a program whose results are checked
# against the shell's: the co-process's pid, the clock, and 500 numbers sorted by sort -n.
. "$(dirname "$0")/lib.sh" libc 7
out=$("$VIRT" "$HERE/libc_main.nano" -o "$t/libc_main.nvm" 2>&1)
ok $? "compiles, the shadow tests of lib/libc.nano passing" "$out"
tests=$("$VM" --test "$t/libc_main.nvm" 2>&1)
echo "$tests" | grep -q '^1\.\.8$' && ! echo "$tests" | grep -q '^not ok'
ok $? "nano_vm --test: 8 shadow tests pass" "$tests"
before=$(date +%s)
"$VM" "$t/libc_main.nvm" 500 > "$t/out" 2> "$t/err"
st=$?
after=$(date +%s)
ok $st "the program runs" "$(cat "$t/err")"
clock=$(sed -n 's/^time //p' "$t/out")
[ -n "$clock" ] && [ "$clock" -ge "$before" ] && [ "$clock" -le "$after" ]
ok $? "time is the clock's ($before <= $clock <= $after)"
pid=$(sed -n 's/^pid //p' "$t/out")
[ -n "$pid" ] && [ "$pid" -gt 1 ] && [ "$pid" != $$ ]
ok $? "getpid is a process's ($pid)"
grep -qx 'strlen 8 0' "$t/out" && grep -qx 'abs 2147483647 12' "$t/out"
ok $? "strlen and abs" "$(head -4 "$t/out")"
# the 500 numbers come back in descending order (sort -rn agrees)
sed -n '5,504p' "$t/out" > "$t/sorted"
sort -rn "$t/sorted" | cmp -s - "$t/sorted" && [ "$(wc -l < "$t/sorted")" = 500 ] && grep -qx 'compared true' "$t/out"
ok $? "qsort with a nanolang comparator sorts 500 numbers in descending order" "$(head -3 "$t/sorted")"
finish
