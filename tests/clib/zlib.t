#!/usr/bin/env bash
# zlib.t: lib/zlib.nano over libz.so.1: its shadow tests, then crc32 and adler32 against perl's
# zlib, a compress/uncompress round trip, a gzip file written by the program and read by gzip,
# and one written by gzip and read by the program.
. "$(dirname "$0")/lib.sh" zlib 8
out=$("$VIRT" "$HERE/zlib_main.nano" -o "$t/z.nvm" 2>&1)
ok $? "compiles, the shadow tests of lib/zlib.nano passing" "$out"
tests=$("$VM" --test "$t/z.nvm" 2>&1)
! echo "$tests" | grep -q '^not ok' && [ "$(echo "$tests" | grep -c '^ok')" -ge 8 ]
ok $? "nano_vm --test: the shadow tests pass" "$tests"
text="The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog again."
printf 'from gzip\nsecond line\n' | gzip -c > "$t/in.gz"
"$VM" "$t/z.nvm" "$text" "$t/out.gz" "$t/in.gz" > "$t/out" 2> "$t/err"
ok $? "the program runs" "$(cat "$t/err")"
want=$(perl -MCompress::Zlib -e 'printf "crc32 %u\nadler32 %u\n", crc32($ARGV[0]), adler32($ARGV[0])' "$text")
[ "$(sed -n 1,2p "$t/out")" = "$want" ]
ok $? "crc32 and adler32 agree with perl's zlib" "$(sed -n 1,2p "$t/out") / $want"
size=$(sed -n 's/^compressed //p' "$t/out")
[ -n "$size" ] && [ "$size" -gt 0 ] && [ "$size" -lt ${#text} ] && grep -qx 'round trip true' "$t/out"
ok $? "compress makes $size bytes of ${#text}, and uncompress gives the text back"
grep -qx 'written true' "$t/out" && [ "$(gzip -dc "$t/out.gz")" = "$text" ]
ok $? "gzip reads the file the program wrote"
[ "$(sed -n '6,$p' "$t/out")" = "$(printf 'from gzip\nsecond line')" ]
ok $? "the program reads the file gzip wrote" "$(sed -n '6,$p' "$t/out")"
"$VM" "$t/z.nvm" "x" "$t/no/such/dir/out.gz" "$t/missing.gz" > "$t/out2" 2>&1
grep -qx 'written false' "$t/out2"
ok $? "writing where no file can be made answers false" "$(cat "$t/out2")"
finish
