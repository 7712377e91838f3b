#!/usr/bin/env bash
# nano_vm as a command: options, exit statuses, arguments, stdin, errors, --dis, --test.
. "$(dirname "$0")/../lib/tap.sh"
VM=${NANO_VM:-$ROOT/bin/nano_vm}
ASM=$BUILD/tests/nvmasm

cat >"$t/args.s" <<'S'
.func main 0 2 1
.file "args.nano" 1
    TRAP ARG_COUNT
    STORE_LOCAL 0
    PUSH_SMALL 0
    STORE_LOCAL 1
loop:
    LOAD_LOCAL 1
    TRAP ARG
    TRAP PRINT
    PUSH_STR "|"
    TRAP PRINT
    INC_LOCAL 1 1
    LOAD_LOCAL 1
    LOAD_LOCAL 0
    JLT_INT loop
    LOAD_LOCAL 0
    RET
S
cat >"$t/fail.s" <<'S'
.func main 0 0 1
.file "fail.nano" 1
.line 2
    CALL helper
    PUSH_SMALL 0
    RET
.func helper 0 0 0
.file "fail.nano" 5
.line 6
    PUSH_SMALL 1
    ARRAY_LIT 1
    PUSH_SMALL 4
    ARRAY_GET
    POP
    RET_VOID
S
cat >"$t/echo.s" <<'S'
.func main 0 0 1
loop:
    TRAP READ_LINE
    JUMP_IF_FALSE done
    PUSH_STR "> "
    SWAP
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    JUMP loop
done:
    POP
    PUSH_SMALL 0
    RET
S
cat >"$t/shadow.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 0
    RET
.func t_good 0 0 0
    PUSH_STR "shadow output is not TAP"
    TRAP PRINT
    PUSH_TRUE
    ASSERT
    RET_VOID
.func t_bad 0 0 0
.file "s.nano" 9
.line 10
    PUSH_FALSE
    ASSERT
    RET_VOID
.shadow add t_good
.shadow sub t_bad
S
cat >"$t/recurse.s" <<'S'
.func main 0 0 1
    CALL r
    PUSH_SMALL 0
    RET
.func r 0 0 0
    CALL r
    RET_VOID
S
cat >"$t/alloc.s" <<'S'
.func main 0 1 1
    ARRAY_LIT 0
    STORE_LOCAL 0
loop:
    LOAD_LOCAL 0
    PUSH_SMALL 100000
    PUSH_SMALL 0
    ARRAY_NEW
    ARRAY_PUSH
    POP
    JUMP loop
S
cat >"$t/yes.s" <<'S'
.func main 0 0 1
loop:
    PUSH_STR "y\n"
    TRAP PRINT
    JUMP loop
S
for s in args fail echo shadow recurse alloc yes; do "$ASM" "$t/$s.s" "$t/$s.nvm" || echo "# cannot assemble $s"; done

exits "--help" 0 "$VM" --help
has out "usage: nano_vm" "--help prints the usage"
exits "--version" 0 "$VM" --version
has out "nano_vm" "--version names the program"
exits "no program is a usage error" 64 "$VM"
exits "an unknown option is a usage error" 64 "$VM" --frobnicate x.nvm
exits "--heap without a size is a usage error" 64 "$VM" --heap
exits "a missing file" 66 "$VM" "$t/missing.nvm"
has err "missing.nvm" "the message names the file"
printf 'not bytecode at all' >"$t/junk.nvm"
exits "a file that is not .nvm" 65 "$VM" "$t/junk.nvm"
has err "junk.nvm: " "the message names the file and the problem"
exits "args reach the program; main's result is the status" 3 "$VM" "$t/args.nvm" one "two words"
has out "args.nvm|one|two words|" "argument 0 is the program, then the arguments"
exits "options before the program, arguments after" 2 "$VM" --stack 100000 -- "$t/args.nvm" --help
has out "|--help|" "arguments after the program are not options"
exits "a runtime error exits 1" 1 "$VM" "$t/fail.nvm"
has err "fail.nano:6: error: index 4 out of range for array of length 1" "the error has file:line"
has err "  at helper (fail.nano:6)" "the stack trace names the failing function"
has err "  at main (fail.nano:2)" "and its caller"
printf 'a\nb c\n' | "$VM" "$t/echo.nvm" >"$t/out" 2>"$t/err"
ok $? "stdin reaches the program"
[ "$(cat "$t/out")" = "$(printf '> a\n> b c')" ]; ok $? "line by line"
exits "--verify accepts a valid file" 0 "$VM" --verify "$t/fail.nvm"
exits "--verify rejects an invalid file" 65 "$VM" --verify "$t/junk.nvm"
exits "--dis" 0 "$VM" --dis "$t/fail.nvm"
has out "helper" "--dis names the functions"
has out "ARRAY_GET" "--dis shows the instructions"
has out "fail.nano" "--dis shows the source file"
exits "--test with a failing shadow test exits 1" 1 "$VM" --test "$t/shadow.nvm"
has out "1..2" "--test prints a TAP plan"
has out "ok 1 - shadow add" "the passing shadow test"
has out "not ok 2 - shadow sub" "the failing shadow test"
has err "s.nano:10: shadow test 'sub' failed: assertion failed" "the failure's location and message"
if grep -q "shadow output" "$t/out"; then ok 1 "shadow test output stays out of the TAP"; else ok 0 "shadow test output stays out of the TAP"; fi
exits "unbounded recursion is a stack overflow, not a crash" 1 "$VM" --frames 10000 "$t/recurse.nvm"
has err "error: stack overflow" "the message says stack overflow"
has err "more frames" "a deep stack trace is abridged"
exits "exhausting --heap is out of memory, not a crash" 1 "$VM" --heap 16m "$t/alloc.nvm"
has err "error: out of memory" "the message says out of memory"
exits "--max-steps stops a program that never ends" 1 "$VM" --max-steps 100000 "$t/yes.nvm"
has err "error: step limit of 100000 instructions reached" "with a runtime error that says so"
exits "--max-steps lets a short program finish" 3 "$VM" --max-steps 100000 "$t/args.nvm" a b
exits "--max-steps needs a count" 64 "$VM" --max-steps x "$t/args.nvm"
exits "--profile runs the program" 3 "$VM" --profile "$t/args.nvm" x y
has err "profile: " "and prints the instruction count"
has err "main (args.nano:1)" "and the functions with their source"
"$VM" "$t/yes.nvm" 2>"$t/err" | head -c 10 >/dev/null
st=${PIPESTATUS[0]}
[ "$st" -lt 128 ]; ok $? "a closed stdout does not crash the VM (status $st)"

# sizes whose memory cannot exist are usage errors, not a wrapped multiplication
exits "--frames too large is a usage error" 64 "$VM" --frames 1152921504606846976 "$t/recurse.nvm"
has err "--frames" "the message names the option"
exits "--stack too large is a usage error" 64 "$VM" --stack 1152921504606846976 "$t/recurse.nvm"
has err "--stack" "the message names the option"
exits "--stack 16g slots is a usage error" 64 "$VM" --stack 16g "$t/args.nvm"
exits "--frames 18446744073709551615 is a usage error" 64 "$VM" --frames 18446744073709551615 "$t/args.nvm"
exits "--heap beyond 2^64 is a usage error" 64 "$VM" --heap 17179869184g "$t/args.nvm"
exits "--stack 0 is a usage error" 64 "$VM" --stack 0 "$t/args.nvm"
exits "a small --frames still overflows cleanly" 1 "$VM" --frames 3 "$t/recurse.nvm"
has err "error: stack overflow" "with a stack overflow"
exits "a small --stack still overflows cleanly" 1 "$VM" --stack 40 "$t/recurse.nvm"
has err "error: stack overflow" "with a stack overflow"

# only regular files of at most 4 GiB are read as .nvm files (a device or a FIFO would be read
# forever or block); every check is bounded in time and memory so that a regression fails, not hangs
exits "/dev/zero is refused" 66 bounded "$VM" /dev/zero
has err "nano_vm: /dev/zero: not a regular file (a character device)" "the message names the file and says why"
mkfifo "$t/fifo.nvm"
exits "a FIFO is refused without waiting for a writer" 66 bounded "$VM" "$t/fifo.nvm"
has err "fifo.nvm: not a regular file (a FIFO)" "the message says it is a FIFO"
exits "a directory is refused" 66 bounded "$VM" "$t"
has err ": is a directory" "the message says it is a directory"
if truncate -s 5G "$t/big.nvm" 2>/dev/null; then
    exits "a file over 4 GiB is refused without reading it" 65 bounded "$VM" "$t/big.nvm"
    has err "big.nvm: too large for a .nvm file (5368709120 bytes, at most 4294967295)" "the message gives the size and the limit"
    rm -f "$t/big.nvm"
else
    ok 0 "# SKIP cannot make a sparse 5 GiB file"; ok 0 "# SKIP"
fi
exits "--test refuses /dev/zero too" 66 bounded "$VM" --test /dev/zero
exits "--dis refuses a FIFO too" 66 bounded "$VM" --dis "$t/fifo.nvm"

# shadow test names (and failure messages) come from the file: control bytes, backslashes and
# '#' are escaped so that a name cannot add TAP lines or turn a failure into a TODO
cat >"$t/evil.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 0
    RET
.func t_good 0 0 0
    RET_VOID
.func t_bad 0 0 0
    PUSH_STR "line one\nok 7 - forged"
    PANIC
.shadow "evil\nok 3 - injected\r\x01" t_good
.shadow "x # TODO not really \\ here" t_bad
S
"$ASM" "$t/evil.s" "$t/evil.nvm" || echo "# cannot assemble evil"
exits "--test with hostile shadow names" 1 "$VM" --test "$t/evil.nvm"
[ "$(grep -c '^' "$t/out")" = 3 ]; ok $? "the TAP stream is the plan and two test lines"
[ "$(grep -cE '^(not )?ok ' "$t/out")" = 2 ]; ok $? "no injected test line"
has out 'ok 1 - shadow evil\x0aok 3 - injected\x0d\x01' "control bytes in a name are escaped"
has out 'not ok 2 - shadow x \# TODO not really \\ here' "'#' and backslash in a name are escaped"
[ "$(grep -c '^' "$t/err")" = 1 ]; ok $? "the failure's diagnostic is one line"
has err "failed: line one\x0aok 7 - forged" "the message is escaped too"

# output that cannot be written (a full device) is an error, whether it is lost while the program
# runs or when its buffered output is written at the end
cat >"$t/hello.s" <<'S'
.func main 0 0 1
    PUSH_STR "hello\n"
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
"$ASM" "$t/hello.s" "$t/hello.nvm" || echo "# cannot assemble hello"
if [ -w /dev/full ]; then
    "$VM" "$t/hello.nvm" >/dev/full 2>"$t/err"; st=$?
    [ "$st" = 1 ]; ok $? "a program whose output is lost on a full device exits 1 (exit $st)"
    has err "error: cannot write to standard output: No space left on device" "and says why on stderr"
    bounded "$VM" --max-steps 10000000 "$t/yes.nvm" >/dev/full 2>"$t/err"; st=$?
    [ "$st" = 1 ]; ok $? "so does one that fills its output buffer first (exit $st)"
    has err "cannot write to standard output: No space left on device" "with the same reason"
    "$VM" --dis "$t/hello.nvm" >/dev/full 2>"$t/err"; st=$?
    [ "$st" = 74 ]; ok $? "--dis on a full device exits 74 (exit $st)"
    has err "nano_vm: cannot write to standard output: No space left on device" "and says why"
    "$VM" --test "$t/shadow.nvm" >/dev/full 2>"$t/err"; st=$?
    [ "$st" = 74 ]; ok $? "--test on a full device exits 74 (exit $st)"
    "$VM" --help >/dev/full 2>"$t/err"; st=$?
    [ "$st" = 74 ]; ok $? "--help on a full device exits 74 (exit $st)"
    "$VM" "$t/hello.nvm" >"$t/out" 2>/dev/full; st=$?
    [ "$st" = 0 ]; ok $? "a full stderr that nobody writes to changes nothing (exit $st)"
    printf '.func main 0 0 1\n    PUSH_STR "oops\\n"\n    TRAP EPRINT\n    PUSH_SMALL 0\n    RET\n' >"$t/eprint.s"
    "$ASM" "$t/eprint.s" "$t/eprint.nvm" || echo "# cannot assemble eprint"
    "$VM" "$t/eprint.nvm" 2>/dev/full; st=$?
    [ "$st" = 1 ]; ok $? "a program whose stderr output is lost exits 1 (exit $st)"
else
    for i in 1 2 3 4 5 6 7 8 9 10; do ok 0 "# SKIP no /dev/full"; done
fi

finish
