#!/usr/bin/env bash
# stdin.t: standard input read with READ_LINE is never lost between the readers that share it: a
# program started with RUN_PROGRAM continues exactly where its parent's reading stopped and the
# parent continues where the child stopped; from a file, the descriptor's offset is left right
# after the last line read, for whoever reads next (another command, C code through the
# co-process); a program with extern functions does not read ahead on a pipe; shadow tests read
# an empty input (docs/ISA.md READ_LINE, RUN_PROGRAM).
. "$(dirname "$0")/../lib/tap.sh"
VM=${NANO_VM:-$ROOT/bin/nano_vm}
ASM=$BUILD/tests/nvmasm
COP=$ROOT/bin/nano_cop
# same NAME FILE EXPECTED: FILE holds exactly EXPECTED (printf %b)
same() {
    printf '%b' "$3" > "$t/want"
    cmp -s "$t/want" "$2"; ok $? "$1"
    cmp -s "$t/want" "$2" || { sed 's/^/# want: /' "$t/want"; sed 's/^/# got:  /' "$2"; }
}

# one: reads a line, prints "one: LINE"
cat >"$t/one.s" <<'S'
.func main 0 0 1
    TRAP READ_LINE
    POP
    PUSH_STR "one: "
    SWAP
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# all: reads every line, prints "all: N lines"
cat >"$t/all.s" <<'S'
.func main 0 1 1
    PUSH_SMALL 0
    STORE_LOCAL 0
top:
    TRAP READ_LINE
    JUMP_IF_FALSE done
    POP
    INC_LOCAL 0 1
    JUMP top
done:
    POP
    PUSH_STR "all: "
    LOAD_LOCAL 0
    INT_TO_STR
    STR_CONCAT
    PUSH_STR " lines\n"
    STR_CONCAT
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# parent CHILD.nvm: reads a line, runs CHILD.nvm, reads a line; prints each line and whether
# there was one
cat >"$t/parent.s" <<'S'
.func main 0 0 1
    CALL line
    PUSH_SMALL 1
    TRAP ARG
    TRAP READ_FILE
    POP
    PUSH_SMALL 1
    TRAP ARG
    ARRAY_LIT 1
    TRAP RUN_PROGRAM
    POP
    CALL line
    PUSH_SMALL 0
    RET
.func line 0 0 0
    TRAP READ_LINE
    BOOL_TO_STR
    PUSH_STR " "
    STR_CONCAT
    SWAP
    STR_CONCAT
    PUSH_STR "parent: "
    SWAP
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    RET_VOID
S
# getc: reads a line, then C's getchar (through the co-process) reads the next byte
cat >"$t/getc.s" <<'S'
.import getchar - int
.func main 0 0 1
    TRAP READ_LINE
    POP
    PUSH_STR "line: "
    SWAP
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    CALL_EXTERN getchar
    INT_TO_STR
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# shadow: a shadow test that expects end of input
cat >"$t/shadow.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 0
    RET
.func t 0 0 0
    TRAP READ_LINE
    NOT
    ASSERT
    POP
    RET_VOID
.shadow empty t
S
for s in one all parent getc shadow; do "$ASM" "$t/$s.s" "$t/$s.nvm" || echo "# cannot assemble $s"; done
printf '1\n2\n3\n' > "$t/123"

# parent and child share the input, from a file and from a pipe
"$VM" "$t/parent.nvm" "$t/one.nvm" < "$t/123" > "$t/out" 2>&1
same "from a file: the child reads the line after the parent's, the parent the one after the child's" "$t/out" 'parent: true 1\none: 2\nparent: true 3\n'
printf '1\n2\n3\n' | "$VM" "$t/parent.nvm" "$t/one.nvm" > "$t/out" 2>&1
same "from a pipe: the same" "$t/out" 'parent: true 1\none: 2\nparent: true 3\n'
printf '1\n2\n3\n4\n' | "$VM" "$t/parent.nvm" "$t/all.nvm" > "$t/out" 2>&1
same "a child that reads to the end leaves the parent at the end" "$t/out" 'parent: true 1\nall: 3 lines\nparent: false \n'
# the child is parent.nvm again, without an argument: it reads a line, then fails
printf '1\n2\n3' | "$VM" "$t/parent.nvm" "$t/parent.nvm" > "$t/out" 2>/dev/null
same "a child of a child, the same; a last line without a newline" "$t/out" 'parent: true 1\nparent: true 2\nparent: true 3\n'

# from a file, whatever reads after the program starts right after its last line
{ "$VM" "$t/one.nvm"; cat; } < "$t/123" > "$t/out" 2>&1
same "a command after nano_vm reads the rest of the file" "$t/out" 'one: 1\n2\n3\n'
{ "$VM" "$t/one.nvm"; "$VM" "$t/one.nvm"; "$VM" "$t/all.nvm"; } < "$t/123" > "$t/out" 2>&1
same "three programs in turn read the file line by line" "$t/out" 'one: 1\none: 2\nall: 1 lines\n'

# C code through the co-process reads the byte after the line READ_LINE returned
if [ -x "$COP" ]; then
    printf 'first\nAB' > "$t/in"
    NANO_COP=$COP "$VM" "$t/getc.nvm" < "$t/in" > "$t/out" 2>&1
    same "from a file, getchar in the co-process reads the next byte" "$t/out" 'line: first\n65\n'
    printf 'first\nAB' | NANO_COP=$COP "$VM" "$t/getc.nvm" > "$t/out" 2>&1
    same "from a pipe too (a program with extern functions does not read ahead)" "$t/out" 'line: first\n65\n'
else
    ok 0 "getchar after READ_LINE # SKIP bin/nano_cop is not built"
fi

# a line is bounded by what is left of the heap (a guard, not a measurement: a regression fails
# instead of exhausting memory)
( ulimit -v 4000000; timeout 60 "$VM" --heap 1m "$t/all.nvm" ) < /dev/zero > "$t/out" 2> "$t/err"
st=$?
[ "$st" = 1 ] && grep -q "error: out of memory (heap limit 1048576 bytes; a line of standard input is longer than what is left)" "$t/err"
ok $? "a line without end (/dev/zero) is out of memory at the heap limit (status $st)"
printf '.func main 0 0 1\n    TRAP READ_ALL\n    TRAP PRINT\n    PUSH_SMALL 0\n    RET\n' > "$t/rest.s"
"$ASM" "$t/rest.s" "$t/rest.nvm"
( ulimit -v 4000000; timeout 60 "$VM" --heap 1m "$t/rest.nvm" ) < /dev/zero > "$t/out" 2> "$t/err"
st=$?
[ "$st" = 1 ] && grep -q "error: out of memory (heap limit 1048576 bytes; standard input is longer than what is left)" "$t/err"
ok $? "READ_ALL of input without end (/dev/zero) is out of memory at the heap limit (status $st)"

# the sanitizer build (AddressSanitizer, UndefinedBehaviorSanitizer) reads empty and short
# input, alone and nested
VM_SAN=${NANO_VM_SAN:-$BUILD/san/nano_vm}
if [ -x "$VM_SAN" ]; then
    "$VM_SAN" "$t/one.nvm" < /dev/null > "$t/out" 2>&1
    same "sanitizers: end of input at once" "$t/out" 'one: \n'
    printf '1\n2\n3' | "$VM_SAN" "$t/parent.nvm" "$t/all.nvm" > "$t/out" 2>&1
    same "sanitizers: a parent and a child" "$t/out" 'parent: true 1\nall: 2 lines\nparent: false \n'
else
    ok 0 "the sanitizer build # SKIP $VM_SAN is not built"
fi

# shadow tests read an empty input, whatever nano_vm's is
printf 'not for tests\n' | "$VM" --test "$t/shadow.nvm" > "$t/out" 2>&1
ok $? "a shadow test's standard input is empty"

finish
