#!/bin/sh
# compare.sh A B: the bootstrap's fixpoint check.  A is the compiler compiled by the native
# stage 1 compiler, B the compiler compiled by A running on nano_vm.  When they are the same
# bytes, prints one line with the size and SHA-256 of the fixpoint; otherwise names the first
# differing section and the offset in it, keeps both files, and fails.
set -u
a=$1
b=$2
if cmp -s "$a" "$b"; then
    size=$(wc -c < "$a" | tr -d ' ')
    sum=$(sha256sum "$a" | cut -d' ' -f1)
    echo "fixpoint: $b = $a, $size bytes, sha256 $sum"
    exit 0
fi
# the first differing byte (cmp counts from 1)
first=$(cmp "$a" "$b" 2>/dev/null | sed -n 's/.* differ: byte \([0-9]*\),.*/\1/p')
if [ -z "$first" ]; then
    # one file is a prefix of the other
    sa=$(wc -c < "$a"); sb=$(wc -c < "$b")
    first=$(( (sa < sb ? sa : sb) + 1 ))
fi
off=$((first - 1))
# u32 at byte offset $2 of file $1 (little-endian)
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
where="the header"
if [ "$off" -ge 32 ]; then
    count=$(u32 "$a" 12)
    where="the section directory"
    i=0
    while [ "$i" -lt "$count" ] && [ "$i" -lt 16 ]; do
        e=$((32 + 12 * i))
        id=$(u32 "$a" "$e"); so=$(u32 "$a" $((e + 4))); sz=$(u32 "$a" $((e + 8)))
        if [ "$off" -ge "$so" ] && [ "$off" -lt $((so + sz)) ]; then
            case $id in
                1) name=STRINGS ;; 2) name=CODE ;; 3) name=FUNCTIONS ;; 4) name=TYPES ;;
                5) name=GLOBALS ;; 6) name=IMPORTS ;; 7) name=DEBUG_LINES ;; 8) name=SHADOW ;;
                9) name=META ;; *) name="id $id" ;;
            esac
            where="section $name at offset $((off - so)) (file offset $off)"
            break
        fi
        i=$((i + 1))
    done
fi
echo "bootstrap FAILED: $a and $b differ; first difference in $where" >&2
echo "both files are kept for inspection (nano_vm --dis shows them)" >&2
exit 1
