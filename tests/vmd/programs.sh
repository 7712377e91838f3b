# Sourced by tests/vmd/*.t: assembles the test programs into $t (needs $ASM).
cat >"$t/hello.s" <<'S'
.func main 0 0 1
    PUSH_STR "hello "
    TRAP PRINT
    PUSH_STR "WHO"
    TRAP GETENV
    TRAP PRINT
    PUSH_STR "\n"
    TRAP PRINT
    PUSH_SMALL 7
    RET
S
cat >"$t/args.s" <<'S'
.func main 0 2 1
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
    PUSH_STR "\n"
    TRAP PRINT
    LOAD_LOCAL 0
    RET
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
    PUSH_STR "e\n"
    TRAP EPRINT
    JUMP loop
done:
    POP
    PUSH_SMALL 5
    RET
S
cat >"$t/fail.s" <<'S'
.func main 0 0 1
.file "fail.nano" 1
.line 2
    PUSH_STR "before\n"
    TRAP PRINT
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
cat >"$t/yes.s" <<'S'
.func main 0 0 1
loop:
    PUSH_STR "y\n"
    TRAP PRINT
    JUMP loop
S
cat >"$t/loop.s" <<'S'
.func main 0 0 1
loop:
    NOP
    JUMP loop
S
# loops whose only way back is a conditional jump, a jump to itself, or a call (cancellation
# must reach each: the core polls at backward jumps and calls)
cat >"$t/count.s" <<'S'
.func main 0 1 1
    PUSH_SMALL 0
    STORE_LOCAL 0
loop:
    INC_LOCAL 0 1
    LOAD_LOCAL 0
    JGE_INT_IMM -5 loop
    PUSH_SMALL 0
    RET
S
cat >"$t/spin.s" <<'S'
.func main 0 0 1
here:
    JUMP here
S
# no backward jump at all: twice(60) makes 2^61 calls, each only jumping forward
cat >"$t/recur.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 60
    CALL twice
    PUSH_SMALL 0
    RET
.func twice 1 1 0
    LOAD_LOCAL 0
    JEQ_INT_IMM 0 done
    LOAD_LOCAL 0
    PUSH_SMALL -1
    ADD_INT
    CALL twice
    LOAD_LOCAL 0
    PUSH_SMALL -1
    ADD_INT
    CALL twice
done:
    RET_VOID
S
# a string that doubles until the heap limit stops it
cat >"$t/hog.s" <<'S'
.func main 0 1 1
    PUSH_STR "0123456789abcdef"
    STORE_LOCAL 0
loop:
    LOAD_LOCAL 0
    LOAD_LOCAL 0
    STR_CONCAT
    STORE_LOCAL 0
    JUMP loop
S
# the world of a process: its environment, working directory (relative paths) and umask
cat >"$t/world.s" <<'S'
.func main 0 0 1
    PUSH_STR "VAR"
    TRAP GETENV
    PUSH_STR ":"
    STR_CONCAT
    PUSH_STR "in.txt"
    TRAP READ_FILE
    POP
    STR_CONCAT
    PUSH_STR ":"
    STR_CONCAT
    PUSH_STR "in.txt"
    TRAP FILE_EXISTS
    BOOL_TO_STR
    STR_CONCAT
    PUSH_STR ":"
    STR_CONCAT
    PUSH_STR "nothere.txt"
    TRAP FILE_EXISTS
    BOOL_TO_STR
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    DUP
    TRAP PRINT
    PUSH_STR "out.txt"
    SWAP
    TRAP WRITE_FILE
    RET
S
for s in hello args echo fail yes loop count spin recur hog world; do
    "$ASM" "$t/$s.s" "$t/$s.nvm" || echo "# cannot assemble $s"
done
