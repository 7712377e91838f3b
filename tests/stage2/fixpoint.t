#!/usr/bin/env bash
# fixpoint.t: the bootstrap's fixpoint, checked again: stage 1 (native) and A (stage 1's output,
# on the VM) compile the compiler to the same bytes, which are the installed self-hosted
# compiler; the self-hosted compiler reproduces itself, also on the sanitizer build of the VM;
# and compare.sh names the first differing section when two images differ.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$BUILD/stage1/nano_virt" stage1/main.nano -o "$t/a.nvm" 2> "$t/err"
ok $? "stage 1 compiles the compiler" "$t/err"
"$ROOT/bin/nano_vm" "$t/a.nvm" stage1/main.nano -o "$t/b.nvm" 2> "$t/err"
ok $? "that bytecode, on nano_vm, compiles the compiler again" "$t/err"
stage2/compare.sh "$t/a.nvm" "$t/b.nvm" > "$t/line" 2>&1
ok $? "the two are the same bytes: $(cat "$t/line")" "$t/line"
cmp -s "$t/b.nvm" "$ROOT/bin/nano_virt.nvm"
ok $? "and they are the installed self-hosted compiler (bin/nano_virt.nvm)"
"$ROOT/bin/nano_virt" stage1/main.nano -o "$t/c.nvm" 2> "$t/err"
ok $? "bin/nano_virt compiles the compiler" "$t/err"
cmp -s "$t/c.nvm" "$t/b.nvm"
ok $? "to the same bytes again"

san=$BUILD/san/nano_vm
if [ -x "$san" ]; then
    "$san" "$t/a.nvm" stage1/main.nano -o "$t/s.nvm" 2> "$t/err"
    ok $? "under the ASan+UBSan build of nano_vm the compiler compiles itself with no report" "$t/err"
    cmp -s "$t/s.nvm" "$t/b.nvm"
    ok $? "to the same bytes"
fi

# a difference is reported by section and offset, and fails
cp "$t/a.nvm" "$t/d.nvm"
size=$(wc -c < "$t/d.nvm")
# flip the last byte: it lies in META, the last section
last=$((size - 1))
byte=$(od -An -tu1 -j "$last" -N 1 "$t/d.nvm" | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" | dd of="$t/d.nvm" bs=1 seek="$last" conv=notrunc 2> /dev/null
stage2/compare.sh "$t/a.nvm" "$t/d.nvm" > "$t/out" 2>&1
st=$?
[ "$st" != 0 ]; ok $? "compare.sh fails when the images differ"
grep -q "first difference in section META at offset" "$t/out"
ok $? "and names the section and offset: $(head -n 1 "$t/out")" "$t/out"
head -c 1000 "$t/a.nvm" > "$t/e.nvm"
stage2/compare.sh "$t/a.nvm" "$t/e.nvm" > "$t/out" 2>&1
grep -q "first difference in section" "$t/out"
ok $? "a truncated image is located too: $(head -n 1 "$t/out")" "$t/out"
finish
