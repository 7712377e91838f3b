/* t_verify.c: the bytecode verifier (vm/verify.c): one test per rule, with its message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natives.h"
#include "nvmbuild.h"
#include "program.h"
#include "tap.h"

static char err[1024];

/* A program whose function 1 is 'f' (the function under test); function 0 is a valid main.
 * Also a struct (type 0: 2 fields), a union (type 1: variants A(1 field), B(0 fields)), an enum
 * (type 2), a tuple (type 3: 3 fields), a global, an import (2 params, 1 result), and a helper
 * function 2 'h'(a, b) -> int. */
static NB *prog(uint32_t nparams, uint32_t nlocals, uint32_t nret) {
    NB *b = nb_new();
    uint32_t m = nb_func(b, "main", 0, 0, 1);
    uint32_t f = nb_func(b, "f", nparams, nlocals, nret);
    uint32_t h = nb_func(b, "h", 2, 2, 1);
    nb_struct(b, "P", 2, (const char *[]){"x", "y"});
    uint32_t u = nb_union(b, "U");
    nb_variant(b, u, "A", 1, (const char *[]){"v"});
    nb_variant(b, u, "B", 0, NULL);
    nb_enum(b, "E", 2, (const char *[]){"R", "G"});
    nb_tuple(b, 3);
    nb_global(b, "g");
    nb_import(b, "ext", NULL, NVM_VK_INT, 2, (const uint8_t[]){NVM_VK_INT, NVM_VK_STRING});
    nb_begin(b, m);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op(b, OP_RET);
    nb_begin(b, h);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op(b, OP_RET);
    nb_entry(b, m);
    nb_begin(b, f);
    return b;
}

static int one_line(const char *m) { return m[0] != '\0' && strchr(m, '\n') == NULL; }

/* Load b (freed), expect failure with 'want' in the message. */
static void bad(NB *b, const char *want, const char *what) {
    Program *p = nb_load(b, err, sizeof err);
    nb_free(b);
    if (p) {
        ok(0, "%s (verified, expected '%s')", what, want);
        program_free(p);
        return;
    }
    if (like(err, want, "%s", what) && !one_line(err)) diag("message is not one line");
}

/* Load b (freed), expect success; returns f's max_stack or -1. */
static long good(NB *b, const char *what) {
    Program *p = nb_load(b, err, sizeof err);
    nb_free(b);
    if (!ok(p != NULL, "%s", what)) {
        diag("  %s", err);
        return -1;
    }
    long ms = (long)p->funcs[1].max_stack;
    program_free(p);
    return ms;
}

static void test_decode(void) {
    NB *b = prog(0, 0, 0);
    nb_op(b, OP_NOP);
    nb_word(b, 0x0C);
    bad(b, "verify: function 'f' at offset 1: invalid opcode 0xc", "unassigned opcode number");
    b = prog(0, 0, 0);
    nb_word(b, 0x1A0);
    bad(b, "at offset 0: invalid opcode 0x1a0", "opcode word above 255");
    b = prog(0, 0, 0);
    nb_word(b, 0xFFFFFFFF);
    bad(b, "invalid opcode 0xffffffff", "opcode word 0xFFFFFFFF");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_word(b, OP_PUSH_INT);
    nb_word(b, 1);
    bad(b, "at offset 1: PUSH_INT: operand 1 (i64) runs past the end of the function (3 words)",
        "I64 operand cut by the function end");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_word(b, OP_PUSH_SMALL);
    bad(b, "at offset 1: PUSH_SMALL: operand 1 (i32) runs past the end", "missing operand");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_word(b, OP_JUMP_TABLE);
    nb_word(b, 0xFFFFFFFF);
    bad(b, "JUMP_TABLE: operand 1 (table) runs past the end", "hostile jump table count");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_word(b, OP_INC_LOCAL);
    bad(b, "INC_LOCAL: operand 1 (local) runs past the end", "two-operand instruction truncated");
    /* the instruction stream continues in the next function: still an error */
    b = prog(0, 1, 0);
    nb_op(b, OP_RET_VOID);
    nb_word(b, OP_INC_LOCAL);
    nb_word(b, 0);
    bad(b, "INC_LOCAL: operand 2 (i32) runs past the end",
        "operand may not spill into the next function");
    b = prog(0, 0, 0);
    bad(b, "verify: function 'f': empty body", "empty function");
}

static void test_operands(void) {
    NB *b = prog(1, 2, 0);
    nb_op1(b, OP_LOAD_LOCAL, 2);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 0: LOAD_LOCAL: local 2 out of range (function has 2 locals)", "LOCAL");
    b = prog(0, 1, 0);
    nb_op2(b, OP_INC_LOCAL, 1, 5);
    nb_op(b, OP_RET_VOID);
    bad(b, "INC_LOCAL: local 1 out of range (function has 1 locals)", "INC_LOCAL's LOCAL");
    b = prog(0, 0, 0);
    nb_op1(b, OP_LOAD_GLOBAL, 1);
    nb_op(b, OP_RET_VOID);
    bad(b, "LOAD_GLOBAL: global 1 out of range (1 globals)", "GLOBAL");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_STR, 1000);
    nb_op(b, OP_RET_VOID);
    bad(b, "PUSH_STR: string 1000 out of range", "STR");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_FN, 3);
    nb_op(b, OP_RET_VOID);
    bad(b, "PUSH_FN: function 3 out of range (3 functions)", "FUNC (PUSH_FN)");
    b = prog(0, 0, 0);
    nb_op1(b, OP_CALL, 0xFFFFFFFF);
    nb_op(b, OP_RET_VOID);
    bad(b, "CALL: function 4294967295 out of range", "FUNC (CALL)");
    b = prog(0, 0, 0);
    nb_op1(b, OP_NEW_RECORD, 4);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_RECORD: type 4 out of range (4 types)", "TYPE");
    b = prog(0, 0, 0);
    nb_op1(b, OP_NEW_RECORD, 1);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_RECORD: type 1 is not a struct or tuple", "NEW_RECORD of a union");
    b = prog(0, 0, 0);
    nb_op2(b, OP_NEW_VARIANT, 0, 0);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_VARIANT: type 0 is not a union", "NEW_VARIANT of a struct");
    b = prog(0, 0, 0);
    nb_op2(b, OP_NEW_VARIANT, 2, 0);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_VARIANT: type 2 is not a union", "NEW_VARIANT of an enum");
    b = prog(0, 0, 0);
    nb_op2(b, OP_NEW_VARIANT, 1, 2);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_VARIANT: variant 2 out of range (type 1 has 2 variants)", "VARIANT");
    b = prog(0, 0, 0);
    nb_op1(b, OP_CALL_EXTERN, 1);
    nb_op(b, OP_RET_VOID);
    bad(b, "CALL_EXTERN: import 1 out of range (1 imports)", "IMPORT");
    b = prog(0, 0, 0);
    nb_op1(b, OP_TRAP, TRAP__COUNT);
    nb_op(b, OP_RET_VOID);
    {
        char want[64];
        snprintf(want, sizeof want, "TRAP: trap %d out of range (%d traps)", TRAP__COUNT, TRAP__COUNT);
        bad(b, want, "TRAPNO");
    }
    b = prog(0, 0, 0);
    nb_op1(b, OP_CALL_NATIVE, NATIVE__COUNT);
    nb_op(b, OP_RET_VOID);
    {
        char want[64];
        snprintf(want, sizeof want, "CALL_NATIVE: native %d out of range (%d natives)", NATIVE__COUNT, NATIVE__COUNT);
        bad(b, want, "NATIVE");
    }
    b = prog(0, 0, 0);
    nb_op1(b, OP_MAP_NEW, 2);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "MAP_NEW: key kind 2 (must be 0 or 1)", "KEY");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_FN, 0);
    nb_op2(b, OP_CALL_INDIRECT, 0, 2);
    nb_op(b, OP_RET_VOID);
    bad(b, "CALL_INDIRECT: result count 2 (must be 0 or 1)", "CALL_INDIRECT result count");
    b = prog(0, 1, 0);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_GET_FIELD, 0xFFFFFFFF);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    good(b, "FIELD is checked at run time, not by the verifier");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_op1(b, OP_LOAD_LOCAL, 9);
    bad(b, "at offset 1: LOAD_LOCAL: local 9 out of range", "unreachable code is operand-checked");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op(b, OP_ADD_INT);
    good(b, "unreachable code (even with a bad stack) is allowed");
}

static void test_jumps(void) {
    NB *b = prog(0, 0, 0);
    nb_op1(b, OP_JUMP, 1);
    nb_op(b, OP_RET_VOID);
    bad(b, "verify: function 'f' at offset 0: JUMP: jump target 1 is not an instruction boundary",
        "jump into the middle of an instruction");
    b = prog(0, 0, 0);
    nb_op1(b, OP_JUMP, 5);
    nb_op(b, OP_RET_VOID);
    bad(b, "JUMP: jump target 5 is outside the function (3 words)", "jump past the end");
    b = prog(0, 0, 0);
    nb_op(b, OP_NOP);
    nb_op1(b, OP_JUMP, (uint32_t)-2);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 1: JUMP: jump target -1 is outside the function", "jump before the start");
    b = prog(0, 0, 0);
    nb_op1(b, OP_JUMP, 0x80000000u);
    nb_op(b, OP_RET_VOID);
    bad(b, "jump target -2147483648 is outside", "most negative offset");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op2(b, OP_JLT_INT_IMM, 5, 4);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 2: JLT_INT_IMM: jump target 6 is outside the function (6 words)",
        "jump to the first word after the function");
    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    nb_op1(b, OP_JUMP, 100);
    bad(b, "at offset 1: JUMP: jump target 101 is outside", "unreachable jumps are checked too");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_word(b, OP_JUMP_TABLE);
    nb_word(b, 2);
    nb_word(b, 3);
    nb_word(b, 4);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 2: JUMP_TABLE: jump target 5 is not an instruction boundary",
        "jump table entry inside the table itself");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_word(b, OP_JUMP_TABLE);
    nb_word(b, 2);
    nb_word(b, 4);
    nb_word(b, 40);
    nb_op(b, OP_RET_VOID);
    bad(b, "JUMP_TABLE: jump target 42 is outside", "jump table entry outside");
}

static void test_stack(void) {
    NB *b = prog(0, 0, 1);
    nb_op(b, OP_ADD_INT);
    nb_op(b, OP_RET);
    bad(b, "at offset 0: stack underflow: ADD_INT needs 2 values, the stack has 0",
        "underflow on an empty stack");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 3: stack underflow: POP needs 1 value, the stack has 0", "underflow by one");
    /* merge: the two arms of an if leave different depths */
    b = prog(0, 0, 0);
    uint32_t els = nb_label(b), end = nb_label(b);
    nb_op(b, OP_PUSH_TRUE);
    nb_jump(b, OP_JUMP_IF_FALSE, els);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_jump(b, OP_JUMP, end);
    nb_mark(b, els);
    nb_mark(b, end);
    nb_op(b, OP_RET_VOID);
    bad(b, "which is reached elsewhere with depth", "inconsistent depth at a merge");
    /* a loop that grows the stack each iteration */
    b = prog(0, 0, 0);
    uint32_t top = nb_label(b);
    nb_mark(b, top);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op(b, OP_PUSH_TRUE);
    nb_jump(b, OP_JUMP_IF_TRUE, top);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "stack depth 1 at the jump or fall-through to offset 0, which is reached elsewhere "
           "with depth 0", "loop that leaks a value");
    /* falling off the end */
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op(b, OP_POP);
    bad(b, "at offset 2: control falls off the end of the function after POP", "falls off the end");
    b = prog(0, 0, 0);
    uint32_t l = nb_label(b);
    nb_mark(b, l);
    nb_op(b, OP_PUSH_TRUE);
    nb_jump(b, OP_JUMP_IF_TRUE, l);
    bad(b, "control falls off the end of the function after JUMP_IF_TRUE",
        "conditional jump as the last instruction");
    b = prog(0, 0, 0);
    uint32_t t0 = nb_label(b);
    nb_mark(b, t0);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_jump_table(b, 1, &t0);
    bad(b, "falls off the end of the function after JUMP_TABLE", "jump table falls through");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 3);
    nb_op(b, OP_HALT);
    good(b, "HALT ends a function");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_STR, 0);
    nb_op(b, OP_PANIC);
    good(b, "PANIC ends a function");
    /* RET / RET_VOID */
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op(b, OP_RET);
    bad(b, "at offset 2: RET returns 1 value, the function has 0 results", "RET in a void function");
    b = prog(0, 0, 1);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 0: RET_VOID returns 0 values, the function has 1 result",
        "RET_VOID in a value function");
    b = prog(0, 0, 1);
    nb_op(b, OP_RET);
    bad(b, "stack underflow: RET needs 1 value, the stack has 0", "RET with an empty stack");
    b = prog(0, 0, 1);
    nb_op(b, OP_PUSH_TRUE);
    nb_op(b, OP_PUSH_TRUE);
    nb_op(b, OP_RET);
    ok(good(b, "RET with extra values below the result") == 2, "  max_stack 2");
}

static void test_var_effects(void) {
    /* CALL pops the callee's params, pushes its results */
    NB *b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_CALL, 2);
    nb_op(b, OP_RET);
    bad(b, "at offset 2: stack underflow: CALL needs 2 values, the stack has 1",
        "CALL pops nparams");
    b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_CALL, 2);
    nb_op(b, OP_RET);
    ok(good(b, "CALL of h(a, b) -> int") == 2, "  max_stack 2");
    b = prog(0, 0, 1);
    nb_op1(b, OP_CALL, 0); /* main() -> int */
    nb_op1(b, OP_CALL, 0);
    nb_op(b, OP_ADD_INT);
    nb_op(b, OP_RET);
    ok(good(b, "CALL pushes the callee's result") == 2, "  max_stack 2");
    b = prog(0, 0, 0);
    nb_op1(b, OP_CALL, 1); /* f itself: void, no params */
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 2: stack underflow: POP needs 1 value, the stack has 0",
        "CALL of a void function pushes nothing");
    /* CALL_INDIRECT pops A args + the function, pushes B */
    b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op2(b, OP_CALL_INDIRECT, 2, 1);
    nb_op(b, OP_RET);
    bad(b, "CALL_INDIRECT needs 3 values, the stack has 2", "CALL_INDIRECT pops the function too");
    b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_PUSH_FN, 2);
    nb_op2(b, OP_CALL_INDIRECT, 2, 1);
    nb_op(b, OP_RET);
    ok(good(b, "CALL_INDIRECT with 2 args and a result") == 3, "  max_stack 3");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_FN, 1);
    nb_op2(b, OP_CALL_INDIRECT, 0, 0);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "POP needs 1 value, the stack has 0", "CALL_INDIRECT with 0 results pushes nothing");
    b = prog(0, 0, 0);
    nb_op2(b, OP_CALL_INDIRECT, 0xFFFFFFFF, 0);
    nb_op(b, OP_RET_VOID);
    bad(b, "CALL_INDIRECT needs 4294967296 values", "CALL_INDIRECT huge count (no overflow)");
    /* MAKE_CLOSURE captures 1 .. nparams values of its function (h has 2 parameters) */
    b = prog(0, 0, 0);
    nb_op2(b, OP_MAKE_CLOSURE, 0, 2);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "MAKE_CLOSURE: 0 captured values for function 2 with 2 parameters (must be 1 to 2)",
        "MAKE_CLOSURE capturing nothing");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_PUSH_SMALL, 3);
    nb_op2(b, OP_MAKE_CLOSURE, 3, 2);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "MAKE_CLOSURE: 3 captured values for function 2 with 2 parameters (must be 1 to 2)",
        "MAKE_CLOSURE capturing more than the function's parameters");
    b = prog(0, 0, 0);
    nb_op2(b, OP_MAKE_CLOSURE, 1, 0);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "MAKE_CLOSURE: 1 captured values for function 0 with 0 parameters (must be 1 to 0)",
        "MAKE_CLOSURE of a function without parameters");
    b = prog(0, 0, 0);
    nb_op2(b, OP_MAKE_CLOSURE, 1, 9);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "MAKE_CLOSURE: function 9 out of range (3 functions)", "MAKE_CLOSURE function out of range");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op2(b, OP_MAKE_CLOSURE, 2, 2);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "MAKE_CLOSURE needs 2 values, the stack has 1", "MAKE_CLOSURE pops its captured values");
    b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op2(b, OP_MAKE_CLOSURE, 1, 2);
    nb_op2(b, OP_CALL_INDIRECT, 1, 1);
    nb_op(b, OP_RET);
    ok(good(b, "MAKE_CLOSURE then CALL_INDIRECT with the other argument") == 2, "  max_stack 2");
    /* CALL_NATIVE per its builtin's signature */
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_STR, 0);
    nb_op1(b, OP_CALL_NATIVE, NATIVE_str_replace);
    nb_op(b, OP_RET_VOID);
    bad(b, "stack underflow: CALL_NATIVE needs 3 values, the stack has 1", "CALL_NATIVE str_replace pops 3");
    /* TRAP per traps.def */
    b = prog(0, 0, 0);
    nb_op1(b, OP_TRAP, TRAP_PRINT);
    nb_op(b, OP_RET_VOID);
    bad(b, "stack underflow: TRAP needs 1 value, the stack has 0", "TRAP PRINT pops 1");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_STR, 0);
    nb_op1(b, OP_TRAP, TRAP_READ_FILE);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    ok(good(b, "TRAP READ_FILE pops 1 pushes 2") == 2, "  max_stack 2");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_STR, 0);
    nb_op1(b, OP_TRAP, TRAP_READ_FILE);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    bad(b, "at offset 6: stack underflow: POP", "TRAP READ_FILE pushes exactly 2");
    /* NEW_RECORD / NEW_VARIANT pop the field count */
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_NEW_RECORD, 0);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_RECORD needs 2 values, the stack has 1", "NEW_RECORD pops the struct's fields");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_NEW_RECORD, 3);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_RECORD needs 3 values, the stack has 2", "NEW_RECORD pops the tuple's fields");
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_NEW_RECORD, 0);
    nb_op2(b, OP_NEW_VARIANT, 1, 0);
    nb_op2(b, OP_NEW_VARIANT, 1, 1);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    ok(good(b, "NEW_RECORD and NEW_VARIANT stack effects") == 2, "  max_stack 2");
    b = prog(0, 0, 0);
    nb_op2(b, OP_NEW_VARIANT, 1, 0);
    nb_op(b, OP_RET_VOID);
    bad(b, "NEW_VARIANT needs 1 value, the stack has 0", "NEW_VARIANT pops the variant's fields");
    /* CALL_EXTERN pops the import's params, pushes its result */
    b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_CALL_EXTERN, 0);
    nb_op(b, OP_RET);
    bad(b, "CALL_EXTERN needs 2 values, the stack has 1", "CALL_EXTERN pops nparams");
    b = prog(0, 0, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_STR, 0);
    nb_op1(b, OP_CALL_EXTERN, 0);
    nb_op(b, OP_RET);
    ok(good(b, "CALL_EXTERN pushes nret") == 2, "  max_stack 2");
    /* ARRAY_LIT pops A */
    b = prog(0, 0, 0);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_ARRAY_LIT, 2);
    nb_op(b, OP_RET_VOID);
    bad(b, "ARRAY_LIT needs 2 values, the stack has 1", "ARRAY_LIT pops A");
    b = prog(0, 0, 0);
    nb_op1(b, OP_ARRAY_LIT, 0xFFFFFFFF);
    nb_op(b, OP_RET_VOID);
    bad(b, "ARRAY_LIT needs 4294967295 values", "ARRAY_LIT hostile count");
    b = prog(0, 0, 0);
    nb_op1(b, OP_ARRAY_LIT, 0);
    nb_op1(b, OP_ARRAY_LIT, 1);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    ok(good(b, "ARRAY_LIT of 0 and 1 elements") == 1, "  max_stack 1");
}

/* A realistic function: fib(n) with a loop and a jump table; max_stack by hand. */
static void test_max_stack(void) {
    NB *b = prog(1, 3, 1);
    uint32_t loop = nb_label(b), done_l = nb_label(b), c0 = nb_label(b), c1 = nb_label(b),
             join = nb_label(b);
    nb_op1(b, OP_PUSH_SMALL, 0); /* a = 0 */          /* depth 1 */
    nb_op1(b, OP_STORE_LOCAL, 1);                       /* 0 */
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_STORE_LOCAL, 2); /* b = 1 */
    nb_mark(b, loop);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_jump_imm(b, OP_JLT_INT_IMM, 1, done_l);          /* 1 -> 0 */
    nb_op1(b, OP_LOAD_LOCAL, 1);                        /* 1 */
    nb_op1(b, OP_LOAD_LOCAL, 2);                        /* 2 */
    nb_op(b, OP_DUP);                                   /* 3 */
    nb_op1(b, OP_STORE_LOCAL, 1);                       /* 2 */
    nb_op(b, OP_ADD_INT);                               /* 1 */
    nb_op1(b, OP_STORE_LOCAL, 2);                       /* 0 */
    nb_op2(b, OP_INC_LOCAL, 0, (uint32_t)-1);
    nb_jump(b, OP_JUMP, loop);
    nb_mark(b, done_l);
    nb_op1(b, OP_LOAD_LOCAL, 1);                        /* 1 */
    nb_op1(b, OP_LOAD_LOCAL, 0);                        /* 2 */
    uint32_t cases[2] = {c0, c1};
    nb_jump_table(b, 2, cases);                         /* 1 */
    nb_jump(b, OP_JUMP, join);
    nb_mark(b, c0);
    nb_jump(b, OP_JUMP, join);
    nb_mark(b, c1);
    nb_op1(b, OP_PUSH_SMALL, 7);                        /* 2 */
    nb_op1(b, OP_PUSH_SMALL, 8);                        /* 3 */
    nb_op1(b, OP_PUSH_SMALL, 9);                        /* 4 */
    nb_op(b, OP_ADD_INT);
    nb_op(b, OP_ADD_INT);                               /* 2 */
    nb_op(b, OP_ADD_INT);                               /* 1 */
    nb_mark(b, join);
    nb_op(b, OP_RET);
    is_int(good(b, "loop + jump table sample verifies"), 4, "  max_stack of the sample is 4");

    b = prog(0, 0, 0);
    nb_op(b, OP_RET_VOID);
    is_int(good(b, "trivial function"), 0, "  max_stack 0");
    b = prog(0, 0, 0);
    nb_i64(b, OP_PUSH_INT, -5);
    nb_f64(b, OP_PUSH_FLOAT, 2.5);
    nb_op(b, OP_DUP);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    is_int(good(b, "DUP counts toward max_stack"), 3, "  max_stack 3");
}

static void test_messages(void) {
    NB *b = nb_new();
    uint32_t m = nb_func(b, "main", 0, 0, 1);
    nb_begin(b, m);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op(b, OP_RET);
    uint32_t f = nb_func(b, "fib", 1, 1, 1);
    nb_begin(b, f);
    for (int i = 0; i < 6; i++) nb_op(b, OP_NOP);
    nb_word(b, OP_PUSH_INT);
    nb_word(b, 1);
    nb_word(b, 2);
    nb_op(b, OP_POP);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_JUMP, (uint32_t)(7 - 12));
    nb_op(b, OP_RET);
    Program *p = nb_load(b, err, sizeof err);
    ok(p == NULL && strcmp(err, "verify: function 'fib' at offset 12: JUMP: jump target 7 is "
                                "not an instruction boundary") == 0,
       "exact message names function, offset and target");
    if (p) program_free(p);
    nb_free(b);

    b = nb_new();
    m = nb_func(b, "main", 0, 0, 1);
    nb_begin(b, m);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op(b, OP_RET);
    f = nb_func(b, "evil\nname\x01\xff", 0, 0, 0);
    nb_begin(b, f);
    nb_op(b, OP_POP);
    nb_op(b, OP_RET_VOID);
    p = nb_load(b, err, sizeof err);
    ok(p == NULL && one_line(err) && strstr(err, "'evil\\x0aname\\x01\\xff'"),
       "names are escaped in messages: %s", err);
    nb_free(b);

    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    b = nb_new();
    m = nb_func(b, long_name, 0, 0, 1);
    nb_begin(b, m);
    nb_op(b, OP_RET);
    p = nb_load(b, err, sizeof err);
    ok(p == NULL && strstr(err, "...' at offset 0: stack underflow") && strlen(err) < 200,
       "long names are shortened");
    nb_free(b);
}

/* Big hostile-shaped inputs must verify in linear time (no assertion on time: a quadratic
 * verifier would make this test hang visibly). */
static void test_big(void) {
    NB *b = prog(0, 1, 0);
    enum { N = 100000 };
    uint32_t *labels = malloc(sizeof(uint32_t) * N);
    uint32_t target = nb_label(b);
    for (int i = 0; i < N; i++) labels[i] = target;
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_jump_table(b, N, labels);
    nb_mark(b, target);
    for (int i = 0; i < N; i++) {
        nb_op1(b, OP_PUSH_SMALL, i);
        nb_op(b, OP_POP);
    }
    uint32_t back = nb_label(b);
    nb_mark(b, back);
    for (int i = 0; i < N; i++) nb_op1(b, OP_PUSH_SMALL, i);
    for (int i = 0; i < N; i++) nb_op(b, OP_POP);
    nb_op(b, OP_PUSH_FALSE);
    nb_jump(b, OP_JUMP_IF_TRUE, back);
    nb_op(b, OP_RET_VOID);
    is_int(good(b, "100000-entry jump table and a 500000-word function"), N, "  max_stack");
    free(labels);
}

int main(void) {
    test_decode();
    test_operands();
    test_jumps();
    test_stack();
    test_var_effects();
    test_max_stack();
    test_messages();
    test_big();
    return done();
}
