#!/usr/bin/env bash
# vm/ keeps no global mutable state: every object file of the VM library has empty .data and
# .bss sections (read-only tables live in .rodata / .data.rel.ro), so everything a running
# program owns is in its Process and many processes can run on threads in one VM.
set -u
objs=$(ls "${NANO_BUILD:-build}"/vm/*.o 2>/dev/null)
[ -n "$objs" ] || { echo "1..0 # SKIP the VM is not built"; exit 0; }
n=0; failed=0
for o in $objs; do
    n=$((n+1))
    bad=$(size -A "$o" | awk '$1 ~ /^\.(data|bss|tbss|tdata)(\.|$)/ && $1 !~ /\.rel\.ro/ && $2 > 0 { print $1 " " $2 " bytes" }')
    if [ -z "$bad" ]; then
        echo "ok $n - $(basename "$o"): no writable globals"
    else
        echo "not ok $n - $(basename "$o"): writable globals: $bad"
        failed=$((failed+1))
    fi
done
echo "1..$n"
[ "$failed" = 0 ]
