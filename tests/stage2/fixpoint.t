#!/usr/bin/env bash
# fixpoint.t: the bootstrap's fixpoint, checked again: stage 1 (native) and A (stage 1's output,
# on the VM) compile the compiler to the same bytes, which are the installed self-hosted
# compiler; the self-hosted compiler reproduces itself, also on the sanitizer build of the VM;
# and compare.sh names the first differing section when two images differ.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$BUILD/stage1/nano_virt" stage1/main.nano -o "$TMP/a.nvm" 2> "$TMP/err"
ok $? "stage 1 compiles the compiler" "$TMP/err"
"$ROOT/bin/nano_vm" "$TMP/a.nvm" stage1/main.nano -o "$TMP/b.nvm" 2> "$TMP/err"
ok $? "that bytecode, on nano_vm, compiles the compiler again" "$TMP/err"
stage2/compare.sh "$TMP/a.nvm" "$TMP/b.nvm" > "$TMP/line" 2>&1
ok $? "the two are the same bytes: $(cat "$TMP/line")" "$TMP/line"
cmp -s "$TMP/b.nvm" "$ROOT/bin/nano_virt.nvm"
ok $? "and they are the installed self-hosted compiler (bin/nano_virt.nvm)"
"$ROOT/bin/nano_virt" stage1/main.nano -o "$TMP/c.nvm" 2> "$TMP/err"
ok $? "bin/nano_virt compiles the compiler" "$TMP/err"
cmp -s "$TMP/c.nvm" "$TMP/b.nvm"
ok $? "to the same bytes again"

san=$BUILD/san/nano_vm
if [ -x "$san" ]; then
    "$san" "$TMP/a.nvm" stage1/main.nano -o "$TMP/s.nvm" 2> "$TMP/err"
    ok $? "under the ASan+UBSan build of nano_vm the compiler compiles itself with no report" "$TMP/err"
    cmp -s "$TMP/s.nvm" "$TMP/b.nvm"
    ok $? "to the same bytes"
fi

# a difference is reported by section and offset, and fails
cp "$TMP/a.nvm" "$TMP/d.nvm"
size=$(wc -c < "$TMP/d.nvm")
# flip the last byte: it lies in META, the last section
last=$((size - 1))
byte=$(od -An -tu1 -j "$last" -N 1 "$TMP/d.nvm" | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" | dd of="$TMP/d.nvm" bs=1 seek="$last" conv=notrunc 2> /dev/null
stage2/compare.sh "$TMP/a.nvm" "$TMP/d.nvm" > "$TMP/out" 2>&1
st=$?
[ "$st" != 0 ]; ok $? "compare.sh fails when the images differ"
grep -q "first difference in section META at offset" "$TMP/out"
ok $? "and names the section and offset: $(head -n 1 "$TMP/out")" "$TMP/out"
head -c 1000 "$TMP/a.nvm" > "$TMP/e.nvm"
stage2/compare.sh "$TMP/a.nvm" "$TMP/e.nvm" > "$TMP/out" 2>&1
grep -q "first difference in section" "$TMP/out"
ok $? "a truncated image is located too: $(head -n 1 "$TMP/out")" "$TMP/out"
done_testing
