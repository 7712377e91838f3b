#!/usr/bin/env bash
# determinism.t: the compiler's output depends only on its input: a copy of the source in
# another directory (files created in reverse order), compiled under another locale, time zone,
# HOME and user name, gives the fixpoint's exact bytes, by the native stage 1 compiler and by
# the self-hosted one on the VM.
. "$(dirname "$0")/lib.sh"
want=$(sha256sum "$BUILD/stage2/nano_virt.nvm" | cut -d' ' -f1)
copy=$t/elsewhere/some/deeper/checkout
mkdir -p "$copy/stage1" "$copy/lib"
for f in $(ls "$ROOT/stage1" | sort -r); do cp "$ROOT/stage1/$f" "$copy/stage1/$f"; done
cp -r "$ROOT/lib/." "$copy/lib/"
cd "$copy"
run_env() {
    env LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 TZ=Pacific/Kiritimati HOME=/nonexistent USER=someone-else LOGNAME=someone-else "$@"
}
run_env "$BUILD/stage1/nano_virt" stage1/main.nano -o "$t/a.nvm" 2> "$t/err"
ok $? "stage 1 compiles the relocated copy" "$t/err"
got=$(sha256sum "$t/a.nvm" | cut -d' ' -f1)
[ "$got" = "$want" ]; ok $? "same SHA-256 as the fixpoint ($got)"
run_env "$ROOT/bin/nano_virt" stage1/main.nano -o "$t/b.nvm" 2> "$t/err"
ok $? "the self-hosted compiler compiles the relocated copy" "$t/err"
got=$(sha256sum "$t/b.nvm" | cut -d' ' -f1)
[ "$got" = "$want" ]; ok $? "same SHA-256 as the fixpoint ($got)"
TZ=UTC0 LC_ALL=C "$ROOT/bin/nano_virt" stage1/main.nano -o "$t/c.nvm" 2> "$t/err"
cmp -s "$t/b.nvm" "$t/c.nvm"; ok $? "and the same under the C locale and UTC"
if grep -qF -e "$copy" -e "$ROOT" -e "$t" "$t/b.nvm"; then found=1; else found=0; fi
[ "$found" = 0 ]; ok $? "the image contains no absolute path (of the copy, the tree or the temporary directory)"
finish
