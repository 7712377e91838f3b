/* interp.c: the pure core.  Executes verified NanoISA code until the program needs the world
 * (a trap), finishes, or fails.  No I/O happens here.
 *
 * Invariants relied on (established by the verifier, vm/verify.c):
 *   - every opcode is valid and its operands are in range and inside the function;
 *   - stack depth never goes below the frame's operand base and never exceeds max_stack, so
 *     the only stack check is the one CALL makes for the whole frame;
 *   - jumps land on instruction boundaries inside the function.
 * What the verifier cannot know is checked here: bounds, object kinds behind references (one
 * tag compare), map key kinds, and the signature of a function value at CALL_INDIRECT.
 *
 * Dispatch: computed goto (GCC/Clang "labels as values") unless VM_DISPATCH_SWITCH is set,
 * then a portable switch.  'ip' points at the opcode word of the executing instruction; each
 * handler advances it past its operands by the instruction's length from the table
 * (NEXT(NAME) adds ISA_LEN_NAME, vm/isa.h), so an error always knows the failing instruction
 * and an operand kind changed in isa/isa.def changes the advance with it.
 *
 * The handlers are in interp_core.inc, which this file includes twice: as the body of
 * vm_core_run, and of vm_core_run_profiled (VM_PROFILE: counts the instructions and calls of
 * each function and enforces the step limit), so that ordinary runs pay nothing for profiling.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cancel.h"
#include "fuse.h"
#include "interp.h"
#include "isa.h"
#include "natives.h"
#include "numfmt.h"
#include "nvm_format.h"
#include "object.h"
#include "process.h"

#if defined(__GNUC__) && !defined(VM_DISPATCH_SWITCH)
#define USE_COMPUTED_GOTO 1
#endif


static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static int64_t int_div(int64_t a, int64_t b) {
    if (b == 0) return 0;
    if (b == -1) return wrap_sub(0, a); /* INT64_MIN / -1 wraps to INT64_MIN */
    return a / b;
}
static int64_t int_mod(int64_t a, int64_t b) { return (b == 0 || b == -1) ? 0 : a % b; }

static int64_t float_to_int(double f) {
    if (isnan(f)) return 0;
    if (f >= 0x1p63) return INT64_MAX;
    if (f < -0x1p63) return INT64_MIN;
    return (int64_t)f;
}

static int64_t read_i64(const uint32_t *w) {
    return (int64_t)((uint64_t)w[0] | ((uint64_t)w[1] << 32));
}

static double read_f64(const uint32_t *w) {
    uint64_t bits = (uint64_t)w[0] | ((uint64_t)w[1] << 32);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* What a local beyond the parameters holds on entry: copied as one 16-byte store (the 8-byte
 * loads that read it later are forwarded from it, unlike the converse, vm/value.h). */
static const Value unit_value = {.as.i = 0, .tag = T_UNIT};

/* Out-of-range message for a [start, start+n) range of a sequence of length len. */
static bool range_ok(int64_t start, int64_t n, int64_t len) {
    return start >= 0 && n >= 0 && start <= len && n <= len - start;
}

#ifdef VM_COUNT_OPS
/* A handler advanced by the length of another opcode than the one executing: a bug in this
 * file, which the tests (they execute every opcode in the counting build) must catch.  (An
 * instruction that begins a fused pair carries the pair's opcode: a fused handler that goes on
 * in the second instruction's handler may find one there.) */
static void check_len(uint32_t op, uint32_t want1, uint32_t want2) {
    if (op >= VM_FUSED_BASE) op = vm_fused_ops[op - VM_FUSED_BASE][0];
    if (op == want1 || op == want2) return;
    fprintf(stderr, "nano_vm: internal error: the handler of %s advances as %s\n",
            isa_ops[op].name, isa_ops[want1].name);
    abort();
}
#endif

#ifdef VM_COUNT_OPS
/* Count an executed opcode; a fused pair counts as its two instructions. */
static void count_op(uint64_t *counts, uint32_t op) {
    if (op < VM_FUSED_BASE) {
        counts[op]++;
    } else {
        counts[vm_fused_ops[op - VM_FUSED_BASE][0]]++;
        counts[vm_fused_ops[op - VM_FUSED_BASE][1]]++;
    }
}
#endif

/* ---- the handlers' vocabulary (interp_core.inc) ---------------------------------------- */

/* Write the cached registers back before anything that may collect or stop. */
#define SYNC() (p->sp = sp)
#define FAIL(...)                                                                              \
    do {                                                                                       \
        SYNC();                                                                                \
        p->error_pc = (uint32_t)(ip - code);                                                   \
        process_fail(p, __VA_ARGS__);                                                          \
        return STOP_ERROR;                                                                     \
    } while (0)
/* An allocation failed: the heap says why. */
#define FAIL_ALLOC() FAIL("%s", heap->error)
#define TYPE_ERROR(opname, want, v)                                                            \
    FAIL("type error: %s expects %s, got %s", opname, want, value_tag_name((v).tag))
#define CHECK(v, t, opname)                                                                    \
    do {                                                                                       \
        if ((v).tag != (t)) TYPE_ERROR(opname, value_tag_name(t), v);                                \
    } while (0)
#define S(n) (sp[-(n)]) /* n-th value from the top, 1-based */
/* Replaces the top of the stack by a new string of the n bytes at b (may collect). */
#define SET_TOP_STR(b, n)                                                                      \
    do {                                                                                       \
        SYNC();                                                                                \
        ObjString *new_str = str_new(heap, (b), (n));                                             \
        if (new_str == NULL) FAIL_ALLOC();                                                  \
        S(1) = v_obj(T_STR, new_str);                                                          \
    } while (0)
/* Cancellation (vm/cancel.h): both cores count taken jumps (backward ones close every loop) and
 * calls (a recursion needs no backward jump) in the local poll_left, and every VM_POLL_EVERY-th
 * looks at the process's cancel flag (a relaxed load; a process that cannot be cancelled points
 * at a zero of its own, Process.no_cancel).  The count costs two instructions where the flag
 * test would cost three or four, and no process runs more than VM_POLL_EVERY loop iterations or
 * calls (plus the straight-line code between them) past its cancellation.  I is the
 * instruction that jumps or calls: the error is reported there. */
#define POLL_CANCEL(I)                                                                         \
    do {                                                                                       \
        if (__builtin_expect(--poll_left == 0, 0)) {                                           \
            poll_left = VM_POLL_EVERY;                                                         \
            if (atomic_load_explicit(p->cancel_flag, memory_order_relaxed) != 0) {             \
                ip = (I);                                                                      \
                goto cancelled;                                                                \
            }                                                                                  \
        }                                                                                      \
    } while (0)
/* Go on at offset off from instruction I (a taken jump). */
#define GO(I, off)                                                                             \
    do {                                                                                       \
        int32_t go_off = (int32_t)(off);                                                       \
        POLL_CANCEL(I);                                                                        \
        ip = (I) + go_off;                                                                     \
    } while (0)
#define JUMP_BY(off) GO(ip, off)

/* Bodies of the instructions that fused pairs are made of (vm/fuse.h), shared by their own
 * handlers and the fused ones.  I is the instruction's first word.  DO_A for a simple A moves
 * values and sp and never fails; DO_B for a jump sets ip to where execution goes on. */
#define DO_LOAD_LOCAL(I) v_copy(sp++, &base[(I)[1]])
#define DO_LOAD_LOCAL2(I) (v_copy(&sp[0], &base[(I)[1]]), v_copy(&sp[1], &base[(I)[2]]), sp += 2)
#define DO_STORE_LOCAL(I) v_copy(&base[(I)[1]], --sp)
#define DO_LOAD_GLOBAL(I) v_copy(sp++, &globals[(I)[1]])
#define DO_PUSH_SMALL(I) (*sp++ = v_int((int32_t)(I)[1]))
#define DO_PUSH_FALSE(I) (*sp++ = v_bool(false))
#define DO_INC_LOCAL(I)                                                                        \
    (base[(I)[1]] = v_int(wrap_add(base[(I)[1]].as.i, (int32_t)(I)[2])))
#define DO_ADD_INT_IMM(I) (S(1) = v_int(wrap_add(S(1).as.i, (int32_t)(I)[1])))
#define DO_BIN_INT(expr)                                                                       \
    do {                                                                                       \
        int64_t a = S(2).as.i, b = S(1).as.i;                                                  \
        S(2) = v_int(expr);                                                                    \
        sp--;                                                                                  \
    } while (0)
#define DO_ADD_INT(I) DO_BIN_INT(wrap_add(a, b))
#define DO_SUB_INT(I) DO_BIN_INT(wrap_sub(a, b))
#define DO_MUL_INT(I) DO_BIN_INT(wrap_mul(a, b))
#define DO_MOD_INT(I) DO_BIN_INT(int_mod(a, b))
#define DO_AND_INT(I) DO_BIN_INT(a & b)
#define DO_XOR_INT(I) DO_BIN_INT(a ^ b)
#define DO_USHR_INT(I) DO_BIN_INT((int64_t)((uint64_t)a >> (b & 63)))
#define DO_JUMP(I) GO(I, (I)[1])
/* compare the top value with an immediate and branch */
#define DO_JCMP_IMM(I, name, op)                                                               \
    do {                                                                                       \
        if ((--sp)->as.i op (int32_t)(I)[1]) GO(I, (I)[2]);                                      \
        else ip = (I) + ISA_LEN_##name;                                                        \
    } while (0)
#define DO_JLT_INT_IMM(I) DO_JCMP_IMM(I, JLT_INT_IMM, <)
#define DO_JGE_INT_IMM(I) DO_JCMP_IMM(I, JGE_INT_IMM, >=)
#define DO_JEQ_INT_IMM(I) DO_JCMP_IMM(I, JEQ_INT_IMM, ==)
#define DO_JNE_INT_IMM(I) DO_JCMP_IMM(I, JNE_INT_IMM, !=)
/* compare the two top values and branch */
#define DO_JCMP(I, name, op)                                                                   \
    do {                                                                                       \
        int64_t a = S(2).as.i, b = S(1).as.i;                                                  \
        sp -= 2;                                                                               \
        if (a op b) GO(I, (I)[1]);                                                              \
        else ip = (I) + ISA_LEN_##name;                                                        \
    } while (0)
#define DO_JEQ_INT(I) DO_JCMP(I, JEQ_INT, ==)
#define DO_JNE_INT(I) DO_JCMP(I, JNE_INT, !=)
#define DO_JLT_INT(I) DO_JCMP(I, JLT_INT, <)
#define DO_JLE_INT(I) DO_JCMP(I, JLE_INT, <=)
#define DO_JGT_INT(I) DO_JCMP(I, JGT_INT, >)
#define DO_JGE_INT(I) DO_JCMP(I, JGE_INT, >=)

/* The handler of each fused pair (vm/fuse.h), by its kind. */
#define FUSED_S(a, b)                                                                          \
    {                                                                                          \
        DO_##a(ip);                                                                            \
        DO_##b(ip + ISA_LEN_##a);                                                              \
        ip += ISA_LEN_##a + ISA_LEN_##b;                                                       \
        DISPATCH();                                                                            \
    }
#define FUSED_J(a, b)                                                                          \
    {                                                                                          \
        DO_##a(ip);                                                                            \
        DO_##b(ip + ISA_LEN_##a);                                                              \
        DISPATCH();                                                                            \
    }
#define FUSED_G(a, b)                                                                          \
    {                                                                                          \
        DO_##a(ip);                                                                            \
        ip += ISA_LEN_##a;                                                                     \
        goto op_##b;                                                                           \
    }

#ifdef USE_COMPUTED_GOTO
#define DISPATCH()                                                                             \
    do {                                                                                       \
        COUNT_OP();                                                                            \
        goto *dispatch_table[*ip];                                                             \
    } while (0)
#define CASE(name) op_##name:
#define DEFAULT op_invalid:
#else
#define DISPATCH() goto dispatch
#define CASE(name) case OP_##name: op_##name:
#define DEFAULT default:
#endif
/* The label of a fused pair's handler. */
#ifdef USE_COMPUTED_GOTO
#define FUSED_CASE(a, b) fop_##a##__##b:
#else
#define FUSED_CASE(a, b) case VM_FUSED_BASE + FUSED_##a##__##b:
#endif

/* A binary operation on two operands read as `field` (i or f), its result made by `make`. */
#define BINARY(name, type, field, make, expr)                                                  \
    CASE(name) {                                                                               \
        type a = S(2).as.field, b = S(1).as.field;                                             \
        S(2) = make(expr);                                                                     \
        sp--;                                                                                  \
        NEXT(name);                                                                            \
    }
#define BIN_INT(name, expr) BINARY(name, int64_t, i, v_int, expr)
#define CMP_INT(name, op) BINARY(name, int64_t, i, v_bool, a op b)
#define BIN_FLOAT(name, expr) BINARY(name, double, f, v_float, expr)
#define CMP_FLOAT(name, op) BINARY(name, double, f, v_bool, a op b)
#define UN_FLOAT(name, expr)                                                                   \
    CASE(name) {                                                                               \
        double a = S(1).as.f;                                                                  \
        S(1) = v_float(expr);                                                                  \
        NEXT(name);                                                                            \
    }
/* Advance past the executing instruction NAME (SKIP), and go on with the next one (NEXT).
 * The counting build (tests: VM_COUNT_OPS) also checks that a handler names its own opcode. */
#ifdef VM_COUNT_OPS
#define SKIP(name) (check_len(*ip, OP_##name, OP_##name), ip += ISA_LEN_##name)
#else
#define SKIP(name) (ip += ISA_LEN_##name)
#endif
#define NEXT(name)                                                                             \
    do {                                                                                       \
        SKIP(name);                                                                            \
        DISPATCH();                                                                            \
    } while (0)
/* The same for a handler shared by two opcodes of the same length. */
#ifdef VM_COUNT_OPS
#define SKIP2(a, b) (check_len(*ip, OP_##a, OP_##b), ip += ISA_LEN_##a)
#else
#define SKIP2(a, b) (ip += ISA_LEN_##a)
#endif
#define NEXT2(a, b)                                                                            \
    do {                                                                                       \
        _Static_assert(ISA_LEN_##a == ISA_LEN_##b, #a " and " #b " differ in length");        \
        SKIP2(a, b);                                                                           \
        DISPATCH();                                                                            \
    } while (0)

#ifndef USE_COMPUTED_GOTO
/* With a switch, every handler has a label op_NAME too (CASE), which only the fused handlers
 * that go on in another handler jump to. */
#pragma GCC diagnostic ignored "-Wunused-label"
#endif

StopReason vm_core_run(Process *p) {
#define VM_PROFILE 0
#include "interp_core.inc"
#undef VM_PROFILE
}

StopReason vm_core_run_profiled(Process *p) {
#define VM_PROFILE 1
#include "interp_core.inc"
#undef VM_PROFILE
}
