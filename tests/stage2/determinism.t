#!/usr/bin/env bash
# determinism.t: the compiler's output depends only on its input: a copy of the source in
# another directory (files created in reverse order), compiled under another locale, time zone,
# HOME and user name, gives the fixpoint's exact bytes, by the native stage 1 compiler and by
# the self-hosted one on the VM.
. "$(dirname "$0")/lib.sh"
want=$(sha256sum "$BUILD/stage2/nano_virt.nvm" | cut -d' ' -f1)
copy=$TMP/elsewhere/some/deeper/checkout
mkdir -p "$copy/stage1" "$copy/lib"
for f in $(ls "$ROOT/stage1" | sort -r); do cp "$ROOT/stage1/$f" "$copy/stage1/$f"; done
cp -r "$ROOT/lib/." "$copy/lib/"
cd "$copy"
run_env() {
    env LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 TZ=Pacific/Kiritimati HOME=/nonexistent USER=someone-else LOGNAME=someone-else "$@"
}
run_env "$BUILD/stage1/nano_virt" stage1/main.nano -o "$TMP/a.nvm" 2> "$TMP/err"
ok $? "stage 1 compiles the relocated copy" "$TMP/err"
got=$(sha256sum "$TMP/a.nvm" | cut -d' ' -f1)
[ "$got" = "$want" ]; ok $? "same SHA-256 as the fixpoint ($got)"
run_env "$ROOT/bin/nano_virt" stage1/main.nano -o "$TMP/b.nvm" 2> "$TMP/err"
ok $? "the self-hosted compiler compiles the relocated copy" "$TMP/err"
got=$(sha256sum "$TMP/b.nvm" | cut -d' ' -f1)
[ "$got" = "$want" ]; ok $? "same SHA-256 as the fixpoint ($got)"
TZ=UTC0 LC_ALL=C "$ROOT/bin/nano_virt" stage1/main.nano -o "$TMP/c.nvm" 2> "$TMP/err"
cmp -s "$TMP/b.nvm" "$TMP/c.nvm"; ok $? "and the same under the C locale and UTC"
if grep -qF -e "$copy" -e "$ROOT" -e "$TMP" "$TMP/b.nvm"; then found=1; else found=0; fi
[ "$found" = 0 ]; ok $? "the image contains no absolute path (of the copy, the tree or the temporary directory)"
done_testing
