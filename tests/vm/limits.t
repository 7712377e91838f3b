#!/usr/bin/env bash
# limits.t: nano_vm's limits (--heap, --max-steps, --stack, --frames, --test-steps) hold for
# every program a process starts (RUN_PROGRAM) and for shadow tests (nano_vm --test, RUN_TESTS,
# RUN_TESTS_STEPS):
# a nested program gets what its parent has left, never more (docs/ISA.md 6.2, RUN_PROGRAM).
. "$(dirname "$0")/../lib/tap.sh"
VM=${NANO_VM:-$ROOT/bin/nano_vm}
ASM=$BUILD/tests/nvmasm

# parent CHILD.nvm [N]: runs CHILD.nvm (RUN_PROGRAM), prints "child exit S", then counts to N
cat >"$t/parent.s" <<'S'
.func main 0 1 1
    PUSH_SMALL 1
    TRAP ARG
    TRAP READ_FILE
    POP
    PUSH_SMALL 1
    TRAP ARG
    ARRAY_LIT 1
    TRAP RUN_PROGRAM
    INT_TO_STR
    PUSH_STR "child exit "
    SWAP
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    PUSH_SMALL 0
    STORE_LOCAL 0
    TRAP ARG_COUNT
    PUSH_SMALL 3
    JLT_INT done
top:
    LOAD_LOCAL 0
    PUSH_SMALL 2
    TRAP ARG
    STR_TO_INT
    JGE_INT done
    INC_LOCAL 0 1
    JUMP top
done:
    PUSH_STR "parent done\n"
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# tests IMAGE.nvm: prints the RUN_TESTS report of IMAGE.nvm
cat >"$t/tests.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 1
    TRAP ARG
    TRAP READ_FILE
    POP
    TRAP RUN_TESTS
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# tests_steps IMAGE.nvm N: prints the RUN_TESTS_STEPS report of IMAGE.nvm with step limit N
cat >"$t/tests_steps.s" <<'S'
.func main 0 0 1
.file "ts.nano" 1
.line 2
    PUSH_SMALL 1
    TRAP ARG
    TRAP READ_FILE
    POP
    PUSH_SMALL 2
    TRAP ARG
    STR_TO_INT
    TRAP RUN_TESTS_STEPS
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# about 100 MB of arrays, kept
cat >"$t/alloc.s" <<'S'
.func main 0 2 1
    ARRAY_LIT 0
    STORE_LOCAL 0
    PUSH_SMALL 0
    STORE_LOCAL 1
top:
    LOAD_LOCAL 1
    JGE_INT_IMM 64 done
    LOAD_LOCAL 0
    PUSH_SMALL 100000
    PUSH_SMALL 0
    ARRAY_NEW
    ARRAY_PUSH
    POP
    INC_LOCAL 1 1
    JUMP top
done:
    PUSH_STR "allocated\n"
    TRAP PRINT
    PUSH_SMALL 0
    RET
.func t_alloc 0 0 0
.file "alloc.nano" 20
.line 21
    CALL main
    POP
    RET_VOID
.shadow alloc t_alloc
S
# counts to 2,000,000 (some 8,000,000 instructions)
cat >"$t/loop.s" <<'S'
.func main 0 1 1
    PUSH_SMALL 0
    STORE_LOCAL 0
top:
    LOAD_LOCAL 0
    JGE_INT_IMM 2000000 done
    INC_LOCAL 0 1
    JUMP top
done:
    PUSH_STR "counted\n"
    TRAP PRINT
    PUSH_SMALL 0
    RET
.func t_loop 0 0 0
.file "loop.nano" 10
.line 11
    CALL main
    POP
    RET_VOID
.shadow loop t_loop
S
# a shadow test that never ends: it stops at the default step limit of a shadow test
cat >"$t/long.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 0
    RET
.func t_long 0 1 0
.file "long.nano" 3
.line 4
    PUSH_SMALL 0
    STORE_LOCAL 0
top:
    INC_LOCAL 0 1
    JUMP top
.shadow long t_long
S
# recursion 5,000 deep, then returns
cat >"$t/deep.s" <<'S'
.func main 0 0 1
    PUSH_SMALL 5000
    CALL r
    PUSH_STR "deep enough\n"
    TRAP PRINT
    PUSH_SMALL 0
    RET
.func r 1 1 0
    LOAD_LOCAL 0
    JEQ_INT_IMM 0 out
    LOAD_LOCAL 0
    ADD_INT_IMM -1
    CALL r
out:
    RET_VOID
.func t_deep 0 0 0
.file "deep.nano" 20
.line 21
    CALL main
    POP
    RET_VOID
.shadow deep t_deep
S
# writer: file_write "data" to its own path with ".w" added, prints the status; then an extern
# call (C's labs)
cat >"$t/writer.s" <<'S'
.import labs - int int
.func main 0 0 1
    PUSH_SMALL 0
    TRAP ARG
    PUSH_STR ".w"
    STR_CONCAT
    PUSH_STR "data"
    TRAP WRITE_FILE
    INT_TO_STR
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    PUSH_SMALL -5
    CALL_EXTERN labs
    INT_TO_STR
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
# atdepth CHILD.nvm: runs CHILD.nvm from its second frame
cat >"$t/atdepth.s" <<'S'
.func main 0 0 1
    CALL run
    PUSH_SMALL 0
    RET
.func run 0 0 0
    PUSH_SMALL 1
    TRAP ARG
    TRAP READ_FILE
    POP
    PUSH_SMALL 1
    TRAP ARG
    ARRAY_LIT 1
    TRAP RUN_PROGRAM
    INT_TO_STR
    PUSH_STR "child exit "
    SWAP
    STR_CONCAT
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    RET_VOID
S
cat >"$t/hello.s" <<'S'
.func main 0 0 1
    PUSH_STR "child ran\n"
    TRAP PRINT
    PUSH_SMALL 0
    RET
S
for s in parent tests tests_steps alloc loop long deep writer atdepth hello; do "$ASM" "$t/$s.s" "$t/$s.nvm" || echo "# cannot assemble $s"; done

# the programs alone, under no limits: they finish
exits "alloc.nvm alone allocates" 0 "$VM" "$t/alloc.nvm"
exits "loop.nvm alone counts" 0 "$VM" "$t/loop.nvm"
exits "deep.nvm alone recurses" 0 "$VM" "$t/deep.nvm"

# --heap
exits "a child under --heap 16m cannot allocate 100 MB" 0 "$VM" --heap 16m "$t/parent.nvm" "$t/alloc.nvm"
has out "child exit 1" "the child fails"
hasnt out "allocated" "before it has allocated it"
has err "error: out of memory" "with out of memory"
exits "a child without --heap can" 0 "$VM" "$t/parent.nvm" "$t/alloc.nvm"
has out "child exit 0" "(and succeeds)"
exits "a grandchild under --heap 16m cannot either" 0 "$VM" --heap 16m "$t/parent.nvm" "$t/parent.nvm" "$t/alloc.nvm"
hasnt out "allocated" "nesting does not get a fresh heap"

# --max-steps: the budget is shared; what a child executes counts against its parent
exits "a child under --max-steps 1000000 stops" 1 "$VM" --max-steps 1000000 "$t/parent.nvm" "$t/loop.nvm"
hasnt out "counted" "before it has counted"
has err "error: step limit of" "with the step limit"
hasnt out "parent done" "and the parent, with no steps left, stops too"
exits "a child's steps count against its parent" 1 "$VM" --max-steps 12000000 "$t/parent.nvm" "$t/loop.nvm" 1000000
has out "child exit 0" "the child finishes within the budget"
has err "error: step limit of 12000000 instructions reached" "the parent does not"
exits "without the child the parent finishes within it" 0 "$VM" --max-steps 12000000 "$t/parent.nvm" "$t/parent.nvm" 1000000

# --frames and --stack
exits "a child started at the caller's last frame has none" 0 "$VM" --frames 2 "$t/atdepth.nvm" "$t/hello.nvm"
hasnt out "child ran" "it does not run"
has out "child exit 1" "it fails"
has err "error: stack overflow" "with a stack overflow"
exits "with a frame to spare it runs" 0 "$VM" --frames 3 "$t/atdepth.nvm" "$t/hello.nvm"
has out "child ran" "(and prints)"
exits "a child under --frames 1000 cannot recurse 5000 deep" 0 "$VM" --frames 1000 "$t/parent.nvm" "$t/deep.nvm"
has out "child exit 1" "the child fails"
has err "error: stack overflow" "with a stack overflow"
exits "a child under --stack 2000 cannot recurse 5000 deep" 0 "$VM" --stack 2000 "$t/parent.nvm" "$t/deep.nvm"
has out "child exit 1" "the child fails"
has err "error: stack overflow" "with a stack overflow"

# nano_vm --test: each shadow test runs under the command's limits
exits "--test --heap 16m: a shadow test cannot allocate 100 MB" 1 "$VM" --test --heap 16m "$t/alloc.nvm"
has out "not ok 1 - shadow alloc" "the test fails"
has err "shadow test 'alloc' failed: out of memory" "with out of memory"
exits "--test --max-steps 1000000 stops a shadow test" 1 "$VM" --test --max-steps 1000000 "$t/loop.nvm"
has err "shadow test 'loop' did not finish within 1000000 steps" "it did not finish"
exits "--test --frames 1000" 1 "$VM" --test --frames 1000 "$t/deep.nvm"
has err "shadow test 'deep' failed: stack overflow" "stops a deep shadow test"
exits "--test-steps 1000000 stops a shadow test" 1 "$VM" --test --test-steps 1000000 "$t/loop.nvm"
has err "shadow test 'loop' did not finish within 1000000 steps" "it did not finish"
exits "--test-steps applies to shadow tests only" 0 "$VM" --test-steps 1000000 "$t/loop.nvm"
exits "--test-steps needs a count" 64 "$VM" --test --test-steps x "$t/loop.nvm"
exits "a shadow test has a step limit by default" 1 "$VM" --test "$t/long.nvm"
has err "long.nano:" "it is reported where it stopped"
has err "shadow test 'long' did not finish within 1000000000 steps" "it did not finish within the default"
exits "a short shadow test finishes within it" 0 "$VM" --test "$t/loop.nvm"

# RUN_TESTS: the shadow tests a program runs share its limits
exits "RUN_TESTS under --heap 16m" 0 "$VM" --heap 16m "$t/tests.nvm" "$t/alloc.nvm"
has out "not ok alloc" "the shadow test fails"
has out "out of memory" "with out of memory"
exits "RUN_TESTS without --heap" 0 "$VM" "$t/tests.nvm" "$t/alloc.nvm"
has out "ok alloc" "the shadow test passes"
exits "RUN_TESTS: a shadow test has a step limit by default" 0 "$VM" "$t/tests.nvm" "$t/long.nvm"
has out "not ok long	long.nano:" "the test fails where it stopped"
has out "did not finish within 1000000000 steps" "it did not finish within the default"
exits "--test-steps reaches RUN_TESTS" 0 "$VM" --test-steps 1000000 "$t/tests.nvm" "$t/loop.nvm"
has out "did not finish within 1000000 steps" "the shadow test stops within it"
exits "--max-steps reaches RUN_TESTS" 1 "$VM" --max-steps 1000000 "$t/tests.nvm" "$t/loop.nvm"
has err "error: step limit of 1000000 instructions reached" "and the caller stops with no steps left"

# RUN_TESTS_STEPS: each test's step limit is the operand (0: the process's), within the caller's
exits "RUN_TESTS_STEPS 1000000" 0 "$VM" "$t/tests_steps.nvm" "$t/loop.nvm" 1000000
has out "not ok loop	" "stops a shadow test"
has out "did not finish within 1000000 steps" "after 1000000 steps"
exits "RUN_TESTS_STEPS 10000000" 0 "$VM" "$t/tests_steps.nvm" "$t/loop.nvm" 10000000
has out "ok loop" "lets a shorter test finish"
exits "RUN_TESTS_STEPS 10000000 under --test-steps 1000" 0 "$VM" --test-steps 1000 "$t/tests_steps.nvm" "$t/loop.nvm" 10000000
has out "ok loop" "its limit replaces the process's test step limit"
exits "RUN_TESTS_STEPS 0 under --test-steps 1000000" 0 "$VM" --test-steps 1000000 "$t/tests_steps.nvm" "$t/loop.nvm" 0
has out "did not finish within 1000000 steps" "0 is the process's test step limit"
exits "RUN_TESTS_STEPS 0" 0 "$VM" "$t/tests_steps.nvm" "$t/long.nvm" 0
has out "did not finish within 1000000000 steps" "0 without --test-steps is the default"
exits "RUN_TESTS_STEPS 1000000000 under --max-steps 1000000" 1 "$VM" --max-steps 1000000 "$t/tests_steps.nvm" "$t/loop.nvm" 1000000000
has err "ts.nano:2: error: step limit of 1000000 instructions reached" "the caller's budget is the bound: it stops with no steps left"
hasnt out "ok loop" "before the test could finish"
exits "RUN_TESTS_STEPS -5" 1 "$VM" "$t/tests_steps.nvm" "$t/loop.nvm" -5
has err "ts.nano:2: error: run_shadow_tests_steps: negative step limit -5" "a negative step limit is a runtime error"

# --read-only: no file is written (EROFS, 30), no C is called, by the program or those it starts
exits "--read-only: file_write fails with EROFS, an extern call with a runtime error" 1 "$VM" --read-only "$t/writer.nvm"
has out "30" "the write's status is EROFS"
[ ! -e "$t/writer.nvm.w" ]; ok $? "no file is written"
has err "error: extern call to labs: not allowed in a read-only process" "the extern call fails"
exits "--read-only reaches a child" 0 "$VM" --read-only "$t/parent.nvm" "$t/writer.nvm"
has out "30" "whose file_write fails"
has out "child exit 1" "and whose extern call fails"
[ ! -e "$t/writer.nvm.w" ]; ok $? "no file is written"

# --help says so
exits "--help" 0 "$VM" --help
has out "--test-steps N" "--help lists --test-steps"
has out "programs it starts" "--help says that limits reach nested programs"

finish
