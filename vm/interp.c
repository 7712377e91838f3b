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
 * handler advances it past its operands, so an error always knows the failing instruction.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isa.h"
#include "numfmt.h"
#include "nvm_format.h"
#include "object.h"
#include "process.h"

#if defined(__GNUC__) && !defined(VM_DISPATCH_SWITCH)
#define USE_COMPUTED_GOTO 1
#endif

static const char *tag_name(uint64_t t) {
    switch (t) {
    case T_UNIT: return "unit";
    case T_INT: return "int";
    case T_FLOAT: return "float";
    case T_FN: return "function";
    case T_STR: return "string";
    case T_ARR: return "array";
    case T_MAP: return "map";
    case T_REC: return "record";
    default: return "?";
    }
}

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

/* Out-of-range message for a [start, start+n) range of a sequence of length len. */
static bool range_ok(int64_t start, int64_t n, int64_t len) {
    return start >= 0 && n >= 0 && start <= len && n <= len - start;
}

#ifndef VM_PROFILE
void process_fail(Process *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, ap);
    va_end(ap);
}
#endif

/* interp_prof.c compiles this file a second time as vm_core_run_profiled, with VM_PROFILE. */
#ifndef VM_CORE_NAME
#define VM_CORE_NAME vm_core_run
#endif

StopReason VM_CORE_NAME(Process *p) {
    const Program *prog = p->prog;
    const uint32_t *const code = prog->code;
    const uint32_t *ip = code + p->pc;
    Value *sp = p->sp;
    Frame *fr = &p->frames[p->nframes - 1];
    Value *base = fr->base;
    Value *const globals = p->globals;

/* Write the cached registers back before anything that may collect or stop. */
#define SYNC() (p->sp = sp)
#define FAIL(...)                                                                              \
    do {                                                                                       \
        SYNC();                                                                                \
        p->error_pc = (uint32_t)(ip - code);                                                   \
        process_fail(p, __VA_ARGS__);                                                          \
        return STOP_ERROR;                                                                     \
    } while (0)
/* An allocation failed: the message is already recorded. */
#define FAIL_RECORDED()                                                                        \
    do {                                                                                       \
        p->error_pc = (uint32_t)(ip - code);                                                   \
        return STOP_ERROR;                                                                     \
    } while (0)
#define TYPE_ERROR(opname, want, v)                                                            \
    FAIL("type error: %s expects %s, got %s", opname, want, tag_name((v).tag))
#define CHECK(v, t, opname)                                                                    \
    do {                                                                                       \
        if ((v).tag != (t)) TYPE_ERROR(opname, tag_name(t), v);                                \
    } while (0)
#define S(n) (sp[-(n)]) /* n-th value from the top, 1-based */
/* Replaces the top of the stack by a new string of the n bytes at b (may collect). */
#define SET_TOP_STR(b, n)                                                                      \
    do {                                                                                       \
        SYNC();                                                                                \
        ObjString *new_str = str_new(p, (b), (n));                                             \
        if (new_str == NULL) FAIL_RECORDED();                                                  \
        S(1) = v_obj(T_STR, new_str);                                                          \
    } while (0)
#define JUMP_BY(off) (ip += (int32_t)(off))

#if defined(VM_PROFILE)
#define COUNT_OP()                                                                             \
    do {                                                                                       \
        p->prof_instrs[fr->func]++;                                                            \
        if (++p->steps == p->max_steps)                                                        \
            FAIL("step limit of %llu instructions reached", (unsigned long long)p->max_steps); \
    } while (0)
#elif defined(VM_COUNT_OPS)
#define COUNT_OP() (p->op_counts[*ip]++)
#else
#define COUNT_OP() ((void)0)
#endif

#ifdef USE_COMPUTED_GOTO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#pragma GCC diagnostic ignored "-Wpedantic"
    static const void *const dispatch_table[256] = {
        [0 ... 255] = &&op_invalid,
#define OP(name, code, a, b, c, pops, pushes, doc) [code] = &&op_##name,
#include "isa.def"
#undef OP
    };
#pragma GCC diagnostic pop
#define DISPATCH()                                                                             \
    do {                                                                                       \
        COUNT_OP();                                                                            \
        goto *dispatch_table[*ip];                                                             \
    } while (0)
#define CASE(name) op_##name:
#define DEFAULT op_invalid:
#else
#define DISPATCH() goto dispatch
#define CASE(name) case OP_##name:
#define DEFAULT default:
#endif

/* A binary operation on two operands read as `field` (i or f), its result made by `make`. */
#define BINARY(name, type, field, make, expr)                                                  \
    CASE(name) {                                                                               \
        type a = S(2).as.field, b = S(1).as.field;                                             \
        S(2) = make(expr);                                                                     \
        sp--;                                                                                  \
        ip += 1;                                                                               \
        DISPATCH();                                                                            \
    }
#define BIN_INT(name, expr) BINARY(name, int64_t, i, v_int, expr)
#define CMP_INT(name, op) BINARY(name, int64_t, i, v_bool, a op b)
#define BIN_FLOAT(name, expr) BINARY(name, double, f, v_float, expr)
#define CMP_FLOAT(name, op) BINARY(name, double, f, v_bool, a op b)
#define UN_FLOAT(name, expr)                                                                   \
    CASE(name) {                                                                               \
        double a = S(1).as.f;                                                                  \
        S(1) = v_float(expr);                                                                  \
        ip += 1;                                                                               \
        DISPATCH();                                                                            \
    }
#define JCMP_INT(name, op)                                                                     \
    CASE(name) {                                                                               \
        int64_t a = S(2).as.i, b = S(1).as.i;                                                  \
        sp -= 2;                                                                               \
        if (a op b) JUMP_BY(ip[1]);                                                            \
        else ip += 2;                                                                          \
        DISPATCH();                                                                            \
    }

#ifdef USE_COMPUTED_GOTO
    DISPATCH();
#else
dispatch:
    COUNT_OP();
    switch (*ip) {
#endif

    /* ---- constants and stack ---------------------------------------------------------- */
    CASE(NOP) { ip += 1; DISPATCH(); }
    CASE(PUSH_UNIT) { *sp++ = v_unit(); ip += 1; DISPATCH(); }
    CASE(PUSH_INT) { *sp++ = v_int(read_i64(ip + 1)); ip += 3; DISPATCH(); }
    CASE(PUSH_SMALL) { *sp++ = v_int((int32_t)ip[1]); ip += 2; DISPATCH(); }
    CASE(PUSH_FLOAT) { *sp++ = v_float(read_f64(ip + 1)); ip += 3; DISPATCH(); }
    CASE(PUSH_TRUE) { *sp++ = v_bool(true); ip += 1; DISPATCH(); }
    CASE(PUSH_FALSE) { *sp++ = v_bool(false); ip += 1; DISPATCH(); }
    CASE(PUSH_STR) { *sp++ = v_obj(T_STR, prog->strings[ip[1]]); ip += 2; DISPATCH(); }
    CASE(PUSH_FN) { *sp++ = v_fn(ip[1]); ip += 2; DISPATCH(); }
    CASE(POP) { sp--; ip += 1; DISPATCH(); }
    CASE(DUP) { sp[0] = sp[-1]; sp++; ip += 1; DISPATCH(); }
    CASE(SWAP) {
        Value t = S(1);
        S(1) = S(2);
        S(2) = t;
        ip += 1;
        DISPATCH();
    }

    /* ---- locals and globals ----------------------------------------------------------- */
    CASE(LOAD_LOCAL) { *sp++ = base[ip[1]]; ip += 2; DISPATCH(); }
    CASE(STORE_LOCAL) { base[ip[1]] = *--sp; ip += 2; DISPATCH(); }
    CASE(LOAD_GLOBAL) { *sp++ = globals[ip[1]]; ip += 2; DISPATCH(); }
    CASE(STORE_GLOBAL) { globals[ip[1]] = *--sp; ip += 2; DISPATCH(); }
    CASE(LOAD_LOCAL2) {
        sp[0] = base[ip[1]];
        sp[1] = base[ip[2]];
        sp += 2;
        ip += 3;
        DISPATCH();
    }
    CASE(LOAD_LOCAL_FIELD) {
        Value r = base[ip[1]];
        CHECK(r, T_REC, "LOAD_LOCAL_FIELD");
        uint32_t k = ip[2];
        if (k >= AS_REC(r)->n)
            FAIL("type error: LOAD_LOCAL_FIELD %u of a record with %u fields", k, AS_REC(r)->n);
        *sp++ = AS_REC(r)->fields[k];
        ip += 3;
        DISPATCH();
    }
    CASE(INC_LOCAL) {
        Value *l = &base[ip[1]];
        *l = v_int(wrap_add(l->as.i, (int32_t)ip[2]));
        ip += 3;
        DISPATCH();
    }

    /* ---- bitwise ---------------------------------------------------------------------- */
    BIN_INT(AND_INT, a & b)
    BIN_INT(OR_INT, a | b)
    BIN_INT(XOR_INT, a ^ b)
    BIN_INT(SHL_INT, (int64_t)((uint64_t)a << (b & 63)))
    BIN_INT(SHR_INT, a < 0 ? (int64_t)~(~(uint64_t)a >> (b & 63)) : (int64_t)((uint64_t)a >> (b & 63)))
    BIN_INT(USHR_INT, (int64_t)((uint64_t)a >> (b & 63)))

    /* ---- integers --------------------------------------------------------------------- */
    BIN_INT(ADD_INT, wrap_add(a, b))
    BIN_INT(SUB_INT, wrap_sub(a, b))
    BIN_INT(MUL_INT, wrap_mul(a, b))
    BIN_INT(DIV_INT, int_div(a, b))
    BIN_INT(MOD_INT, int_mod(a, b))
    BIN_INT(MIN_INT, a < b ? a : b)
    BIN_INT(MAX_INT, a > b ? a : b)
    CASE(NEG_INT) { S(1) = v_int(wrap_sub(0, S(1).as.i)); ip += 1; DISPATCH(); }
    CASE(ABS_INT) {
        int64_t a = S(1).as.i;
        S(1) = v_int(a < 0 ? wrap_sub(0, a) : a);
        ip += 1;
        DISPATCH();
    }
    CASE(ADD_INT_IMM) { S(1) = v_int(wrap_add(S(1).as.i, (int32_t)ip[1])); ip += 2; DISPATCH(); }
    CMP_INT(EQ_INT, ==)
    CMP_INT(NE_INT, !=)
    CMP_INT(LT_INT, <)
    CMP_INT(LE_INT, <=)
    CMP_INT(GT_INT, >)
    CMP_INT(GE_INT, >=)

    /* ---- floats ----------------------------------------------------------------------- */
    BIN_FLOAT(ADD_FLOAT, a + b)
    BIN_FLOAT(SUB_FLOAT, a - b)
    BIN_FLOAT(MUL_FLOAT, a * b)
    BIN_FLOAT(DIV_FLOAT, a / b)
    BIN_FLOAT(MOD_FLOAT, fmod(a, b))
    BIN_FLOAT(MIN_FLOAT, a < b ? a : b)
    BIN_FLOAT(MAX_FLOAT, a > b ? a : b)
    BIN_FLOAT(POW_FLOAT, pow(a, b))
    BIN_FLOAT(ATAN2_FLOAT, atan2(a, b))
    UN_FLOAT(NEG_FLOAT, -a)
    UN_FLOAT(ABS_FLOAT, fabs(a))
    UN_FLOAT(SQRT_FLOAT, sqrt(a))
    UN_FLOAT(FLOOR_FLOAT, floor(a))
    UN_FLOAT(CEIL_FLOAT, ceil(a))
    UN_FLOAT(ROUND_FLOAT, round(a))
    UN_FLOAT(SIN_FLOAT, sin(a))
    UN_FLOAT(COS_FLOAT, cos(a))
    UN_FLOAT(TAN_FLOAT, tan(a))
    UN_FLOAT(EXP_FLOAT, exp(a))
    UN_FLOAT(LOG_FLOAT, log(a))
    CMP_FLOAT(EQ_FLOAT, ==)
    CMP_FLOAT(NE_FLOAT, !=)
    CMP_FLOAT(LT_FLOAT, <)
    CMP_FLOAT(LE_FLOAT, <=)
    CMP_FLOAT(GT_FLOAT, >)
    CMP_FLOAT(GE_FLOAT, >=)

    /* ---- booleans and conversions ----------------------------------------------------- */
    CASE(NOT) { S(1) = v_bool(S(1).as.i == 0); ip += 1; DISPATCH(); }
    CASE(INT_TO_FLOAT) { S(1) = v_float((double)S(1).as.i); ip += 1; DISPATCH(); }
    CASE(FLOAT_TO_INT) { S(1) = v_int(float_to_int(S(1).as.f)); ip += 1; DISPATCH(); }
    CASE(FLOAT_BITS) {
        uint64_t bits;
        memcpy(&bits, &S(1).as.f, sizeof bits);
        S(1) = v_int((int64_t)bits);
        ip += 1;
        DISPATCH();
    }
    CASE(BITS_FLOAT) {
        double d;
        memcpy(&d, &S(1).as.i, sizeof d);
        S(1) = v_float(d);
        ip += 1;
        DISPATCH();
    }
    CASE(INT_TO_STR) {
        char buf[NF_INT_BUF];
        size_t n = nf_format_int(S(1).as.i, buf);
        SET_TOP_STR(buf, n);
        ip += 1;
        DISPATCH();
    }
    CASE(FLOAT_TO_STR) {
        char buf[NF_FLOAT_BUF];
        size_t n = nf_format_float(S(1).as.f, buf);
        SET_TOP_STR(buf, n);
        ip += 1;
        DISPATCH();
    }
    CASE(BOOL_TO_STR) {
        if (S(1).as.i != 0) SET_TOP_STR("true", 4);
        else SET_TOP_STR("false", 5);
        ip += 1;
        DISPATCH();
    }
    CASE(STR_TO_INT) {
        CHECK(S(1), T_STR, "STR_TO_INT");
        ObjString *s = AS_STR(S(1));
        S(1) = v_int(nf_parse_int(s->bytes, (size_t)s->len));
        ip += 1;
        DISPATCH();
    }
    CASE(STR_TO_FLOAT) {
        CHECK(S(1), T_STR, "STR_TO_FLOAT");
        ObjString *s = AS_STR(S(1));
        S(1) = v_float(nf_parse_float(s->bytes, (size_t)s->len));
        ip += 1;
        DISPATCH();
    }
    CASE(CHAR_TO_STR) {
        int64_t c = S(1).as.i;
        if (c < 0 || c > 255) FAIL("string_from_char: %lld is not a byte (0..255)", (long long)c);
        char byte = (char)(unsigned char)c;
        SET_TOP_STR(&byte, 1);
        ip += 1;
        DISPATCH();
    }

    /* ---- strings ---------------------------------------------------------------------- */
    CASE(STR_CONCAT) {
        CHECK(S(2), T_STR, "STR_CONCAT");
        CHECK(S(1), T_STR, "STR_CONCAT");
        ObjString *a = AS_STR(S(2)), *b = AS_STR(S(1));
        if (b->len == 0) {
            sp--;
        } else if (a->len == 0) {
            S(2) = S(1);
            sp--;
        } else {
            SYNC(); /* a and b stay rooted on the stack; the collector does not move objects */
            ObjString *s = str_alloc(p, (size_t)a->len + (size_t)b->len);
            if (s == NULL) FAIL_RECORDED();
            memcpy(s->bytes, a->bytes, (size_t)a->len);
            memcpy(s->bytes + a->len, b->bytes, (size_t)b->len);
            S(2) = v_obj(T_STR, s);
            sp--;
        }
        ip += 1;
        DISPATCH();
    }
    CASE(STR_LEN) {
        CHECK(S(1), T_STR, "STR_LEN");
        S(1) = v_int(AS_STR(S(1))->len);
        ip += 1;
        DISPATCH();
    }
    CASE(STR_CHAR_AT) {
        CHECK(S(2), T_STR, "STR_CHAR_AT");
        ObjString *s = AS_STR(S(2));
        int64_t i = S(1).as.i;
        if (i < 0 || i >= s->len)
            FAIL("index %lld out of range for string of length %lld", (long long)i,
                 (long long)s->len);
        S(2) = v_int((unsigned char)s->bytes[i]);
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(STR_SUB) {
        CHECK(S(3), T_STR, "STR_SUB");
        ObjString *s = AS_STR(S(3));
        int64_t start = S(2).as.i, n = S(1).as.i;
        if (!range_ok(start, n, s->len))
            FAIL("substring [%lld, %lld) out of range for string of length %lld",
                 (long long)start, (long long)wrap_add(start, n), (long long)s->len);
        if (n == s->len) {
            sp -= 2; /* the whole string */
        } else {
            SYNC();
            ObjString *r = str_new(p, s->bytes + start, (size_t)n);
            if (r == NULL) FAIL_RECORDED();
            S(3) = v_obj(T_STR, r);
            sp -= 2;
        }
        ip += 1;
        DISPATCH();
    }
    CASE(STR_EQ) {
        CHECK(S(2), T_STR, "STR_EQ");
        CHECK(S(1), T_STR, "STR_EQ");
        S(2) = v_bool(str_equal(AS_STR(S(2)), AS_STR(S(1))));
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(STR_NE) {
        CHECK(S(2), T_STR, "STR_NE");
        CHECK(S(1), T_STR, "STR_NE");
        S(2) = v_bool(!str_equal(AS_STR(S(2)), AS_STR(S(1))));
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(STR_CMP) {
        CHECK(S(2), T_STR, "STR_CMP");
        CHECK(S(1), T_STR, "STR_CMP");
        S(2) = v_int(str_compare(AS_STR(S(2)), AS_STR(S(1))));
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(STR_JOIN) {
        CHECK(S(1), T_ARR, "STR_JOIN");
        ObjArray *a = AS_ARR(S(1));
        size_t total = 0;
        for (int64_t i = 0; i < a->len; i++) {
            if (a->items[i].tag != T_STR) TYPE_ERROR("STR_JOIN", "array of strings", a->items[i]);
            total += (size_t)AS_STR(a->items[i])->len;
        }
        SYNC();
        ObjString *s = str_alloc(p, total);
        if (s == NULL) FAIL_RECORDED();
        size_t at = 0;
        for (int64_t i = 0; i < a->len; i++) {
            ObjString *part = AS_STR(a->items[i]);
            memcpy(s->bytes + at, part->bytes, (size_t)part->len);
            at += (size_t)part->len;
        }
        S(1) = v_obj(T_STR, s);
        ip += 1;
        DISPATCH();
    }

    /* ---- arrays ----------------------------------------------------------------------- */
    CASE(ARRAY_NEW) {
        int64_t n = S(2).as.i;
        if (n < 0) FAIL("array_new with negative length %lld", (long long)n);
        SYNC(); /* the initial value stays rooted on the stack */
        ObjArray *a = arr_new(p, n, S(1));
        if (a == NULL) FAIL_RECORDED();
        S(2) = v_obj(T_ARR, a);
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(ARRAY_LIT) {
        uint32_t n = ip[1];
        SYNC();
        ObjArray *a = arr_new(p, 0, v_unit());
        if (a == NULL) FAIL_RECORDED();
        if (n > 0) {
            *p->sp++ = v_obj(T_ARR, a);
            int r = arr_reserve(p, a, n);
            p->sp--;
            if (r != 0) FAIL_RECORDED();
            memcpy(a->items, sp - n, n * sizeof(Value));
            a->len = n;
        }
        sp -= n;
        *sp++ = v_obj(T_ARR, a);
        ip += 2;
        DISPATCH();
    }
    CASE(ARRAY_GET) {
        CHECK(S(2), T_ARR, "ARRAY_GET");
        ObjArray *a = AS_ARR(S(2));
        int64_t i = S(1).as.i;
        if ((uint64_t)i >= (uint64_t)a->len)
            FAIL("index %lld out of range for array of length %lld", (long long)i,
                 (long long)a->len);
        S(2) = a->items[i];
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(ARRAY_SET) {
        CHECK(S(3), T_ARR, "ARRAY_SET");
        ObjArray *a = AS_ARR(S(3));
        int64_t i = S(2).as.i;
        if ((uint64_t)i >= (uint64_t)a->len)
            FAIL("index %lld out of range for array of length %lld", (long long)i,
                 (long long)a->len);
        a->items[i] = S(1);
        sp -= 3;
        ip += 1;
        DISPATCH();
    }
    CASE(ARRAY_PUSH) {
        CHECK(S(2), T_ARR, "ARRAY_PUSH");
        ObjArray *a = AS_ARR(S(2));
        SYNC(); /* array and value stay rooted */
        if (arr_push(p, a, S(1)) != 0) FAIL_RECORDED();
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(ARRAY_POP) {
        CHECK(S(1), T_ARR, "ARRAY_POP");
        ObjArray *a = AS_ARR(S(1));
        if (a->len == 0) FAIL("array_pop on an empty array");
        S(1) = a->items[--a->len];
        ip += 1;
        DISPATCH();
    }
    CASE(ARRAY_LEN) {
        CHECK(S(1), T_ARR, "ARRAY_LEN");
        S(1) = v_int(AS_ARR(S(1))->len);
        ip += 1;
        DISPATCH();
    }
    CASE(ARRAY_SLICE) {
        CHECK(S(3), T_ARR, "ARRAY_SLICE");
        ObjArray *a = AS_ARR(S(3));
        int64_t start = S(2).as.i, n = S(1).as.i;
        if (!range_ok(start, n, a->len))
            FAIL("slice [%lld, %lld) out of range for array of length %lld", (long long)start,
                 (long long)wrap_add(start, n), (long long)a->len);
        SYNC();
        ObjArray *r = arr_new(p, 0, v_unit());
        if (r == NULL) FAIL_RECORDED();
        if (n > 0) {
            *p->sp++ = v_obj(T_ARR, r);
            int rc = arr_reserve(p, r, n);
            p->sp--;
            if (rc != 0) FAIL_RECORDED();
            memcpy(r->items, a->items + start, (size_t)n * sizeof(Value));
            r->len = n;
        }
        S(3) = v_obj(T_ARR, r);
        sp -= 2;
        ip += 1;
        DISPATCH();
    }

    /* ---- maps ------------------------------------------------------------------------- */
#define CHECK_KEY(m, k, opname)                                                                \
    do {                                                                                       \
        if ((k).tag != ((m)->key_kind ? T_STR : T_INT))                                        \
            TYPE_ERROR(opname, (m)->key_kind ? "a string key" : "an int key", k);              \
    } while (0)
    CASE(MAP_NEW) {
        SYNC();
        ObjMap *m = map_new(p, ip[1]);
        if (m == NULL) FAIL_RECORDED();
        *sp++ = v_obj(T_MAP, m);
        ip += 2;
        DISPATCH();
    }
    CASE(MAP_GET) {
        CHECK(S(2), T_MAP, "MAP_GET");
        ObjMap *m = AS_MAP(S(2));
        CHECK_KEY(m, S(1), "MAP_GET");
        Value v;
        if (!map_get(m, S(1), &v)) FAIL("key not found");
        S(2) = v;
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(MAP_HAS) {
        CHECK(S(2), T_MAP, "MAP_HAS");
        ObjMap *m = AS_MAP(S(2));
        CHECK_KEY(m, S(1), "MAP_HAS");
        S(2) = v_bool(map_get(m, S(1), NULL));
        sp--;
        ip += 1;
        DISPATCH();
    }
    CASE(MAP_PUT) {
        CHECK(S(3), T_MAP, "MAP_PUT");
        ObjMap *m = AS_MAP(S(3));
        CHECK_KEY(m, S(2), "MAP_PUT");
        SYNC(); /* map, key and value stay rooted */
        if (map_put(p, m, S(2), S(1)) != 0) FAIL_RECORDED();
        sp -= 3;
        ip += 1;
        DISPATCH();
    }
    CASE(MAP_REMOVE) {
        CHECK(S(2), T_MAP, "MAP_REMOVE");
        ObjMap *m = AS_MAP(S(2));
        CHECK_KEY(m, S(1), "MAP_REMOVE");
        map_remove(m, S(1));
        sp -= 2;
        ip += 1;
        DISPATCH();
    }
    CASE(MAP_SIZE) {
        CHECK(S(1), T_MAP, "MAP_SIZE");
        S(1) = v_int(AS_MAP(S(1))->count);
        ip += 1;
        DISPATCH();
    }
    CASE(MAP_KEYS)
    CASE(MAP_VALUES) {
        bool keys = *ip == OP_MAP_KEYS;
        CHECK(S(1), T_MAP, keys ? "MAP_KEYS" : "MAP_VALUES");
        ObjMap *m = AS_MAP(S(1));
        SYNC();
        ObjArray *a = arr_new(p, 0, v_unit());
        if (a == NULL) FAIL_RECORDED();
        if (m->count > 0) {
            *p->sp++ = v_obj(T_ARR, a);
            int r = arr_reserve(p, a, m->count);
            p->sp--;
            if (r != 0) FAIL_RECORDED();
            for (int64_t i = 0; i < m->used; i++) {
                const MapEntry *e = &m->entries[i];
                if (e->key.tag == T_UNIT) continue;
                a->items[a->len++] = keys ? e->key : e->value;
            }
        }
        S(1) = v_obj(T_ARR, a);
        ip += 1;
        DISPATCH();
    }

    /* ---- records ---------------------------------------------------------------------- */
    CASE(NEW_RECORD)
    CASE(NEW_VARIANT) {
        bool variant = *ip == OP_NEW_VARIANT;
        uint32_t type = ip[1], v = variant ? ip[2] : 0;
        uint32_t n = prog->types[type].variants[v].nfields;
        SYNC(); /* the fields stay rooted on the stack */
        ObjRecord *r = rec_new(p, type, v, n);
        if (r == NULL) FAIL_RECORDED();
        if (n > 0) memcpy(r->fields, sp - n, n * sizeof(Value));
        sp -= n;
        *sp++ = v_obj(T_REC, r);
        ip += variant ? 3 : 2;
        DISPATCH();
    }
    CASE(GET_FIELD) {
        CHECK(S(1), T_REC, "GET_FIELD");
        ObjRecord *r = AS_REC(S(1));
        uint32_t k = ip[1];
        if (k >= r->n) FAIL("type error: GET_FIELD %u of a record with %u fields", k, r->n);
        S(1) = r->fields[k];
        ip += 2;
        DISPATCH();
    }
    CASE(UNION_TAG) {
        CHECK(S(1), T_REC, "UNION_TAG");
        S(1) = v_int(AS_REC(S(1))->variant);
        ip += 1;
        DISPATCH();
    }

    /* ---- control flow ----------------------------------------------------------------- */
    CASE(JUMP) { JUMP_BY(ip[1]); DISPATCH(); }
    CASE(JUMP_IF_FALSE) {
        if ((--sp)->as.i == 0) JUMP_BY(ip[1]);
        else ip += 2;
        DISPATCH();
    }
    CASE(JUMP_IF_TRUE) {
        if ((--sp)->as.i != 0) JUMP_BY(ip[1]);
        else ip += 2;
        DISPATCH();
    }
    CASE(JUMP_TABLE) {
        uint32_t n = ip[1];
        int64_t k = (--sp)->as.i;
        if (k >= 0 && k < (int64_t)n) JUMP_BY(ip[2 + k]);
        else ip += 2 + n;
        DISPATCH();
    }
    JCMP_INT(JEQ_INT, ==)
    JCMP_INT(JNE_INT, !=)
    JCMP_INT(JLT_INT, <)
    JCMP_INT(JLE_INT, <=)
    JCMP_INT(JGT_INT, >)
    JCMP_INT(JGE_INT, >=)
    CASE(JLT_INT_IMM) {
        if ((--sp)->as.i < (int32_t)ip[1]) JUMP_BY(ip[2]);
        else ip += 3;
        DISPATCH();
    }
    CASE(JGE_INT_IMM) {
        if ((--sp)->as.i >= (int32_t)ip[1]) JUMP_BY(ip[2]);
        else ip += 3;
        DISPATCH();
    }
    CASE(JEQ_INT_IMM) {
        if ((--sp)->as.i == (int32_t)ip[1]) JUMP_BY(ip[2]);
        else ip += 3;
        DISPATCH();
    }
    CASE(JNE_INT_IMM) {
        if ((--sp)->as.i != (int32_t)ip[1]) JUMP_BY(ip[2]);
        else ip += 3;
        DISPATCH();
    }

    {
        uint32_t callee, ret_pc;
    CASE(CALL)
        callee = ip[1];
        ret_pc = (uint32_t)(ip + 2 - code);
        goto do_call;
    CASE(CALL_INDIRECT) {
        Value fv = *--sp;
        if (fv.tag != T_FN) {
            sp++;
            TYPE_ERROR("CALL_INDIRECT", "function", fv);
        }
        callee = (uint32_t)fv.as.i;
        const Function *f = &prog->funcs[callee];
        if (f->nparams != ip[1] || f->nret != ip[2]) {
            sp++;
            FAIL("type error: CALL_INDIRECT of %s (%u parameters, %u results) with %u "
                 "arguments and %u results",
                 program_str(prog, f->name), f->nparams, f->nret, ip[1], ip[2]);
        }
        ret_pc = (uint32_t)(ip + 3 - code);
    }
    do_call: {
        const Function *f = &prog->funcs[callee];
        Value *nb = sp - f->nparams;
        if (p->nframes == p->max_frames ||
            (size_t)(p->stack_end - nb) < (size_t)f->nlocals + f->max_stack + VM_STACK_SLACK)
            FAIL("stack overflow (%zu calls deep)", p->nframes);
        for (Value *s = sp; s < nb + f->nlocals; s++) *s = v_unit();
        sp = nb + f->nlocals;
        fr = &p->frames[p->nframes++];
        fr->func = callee;
#ifdef VM_PROFILE
        p->prof_calls[callee]++;
#endif
        fr->ret_pc = ret_pc;
        fr->base = base = nb;
        ip = code + f->code_start;
        DISPATCH();
    }
    }
    CASE(RET)
    CASE(RET_VOID) {
        bool value = *ip == OP_RET;
        Value r = value ? S(1) : v_unit();
        uint32_t ret_pc = fr->ret_pc;
        sp = fr->base;
        if (value) *sp++ = r;
        p->nframes--;
        if (ret_pc == VM_RET_TO_HARNESS) {
            SYNC();
            p->pc = ret_pc;
            return STOP_RETURN;
        }
        fr = &p->frames[p->nframes - 1];
        base = fr->base;
        ip = code + ret_pc;
        DISPATCH();
    }

    /* ---- failure, exit and the world -------------------------------------------------- */
    CASE(ASSERT) {
        if ((--sp)->as.i == 0) {
            sp++;
            FAIL("assertion failed");
        }
        ip += 1;
        DISPATCH();
    }
    CASE(PANIC) {
        CHECK(S(1), T_STR, "PANIC");
        FAIL("%s", AS_STR(S(1))->bytes);
    }
    CASE(HALT) {
        p->exit_status = (int)(S(1).as.i & 255);
        sp--;
        SYNC();
        p->pc = (uint32_t)(ip - code);
        return STOP_HALT;
    }
    CASE(TRAP) {
        SYNC();
        p->trap_no = ip[1];
        p->trap_import = NVM_NONE;
        p->trap_pc = (uint32_t)(ip - code);
        p->pc = (uint32_t)(ip + 2 - code);
        return STOP_TRAP;
    }
    CASE(CALL_EXTERN) {
        SYNC();
        p->trap_no = NVM_NONE;
        p->trap_import = ip[1];
        p->trap_pc = (uint32_t)(ip - code);
        p->pc = (uint32_t)(ip + 2 - code);
        return STOP_TRAP;
    }

    DEFAULT {
        /* unreachable for verified code */
        FAIL("invalid opcode %u", *ip);
    }
#ifndef USE_COMPUTED_GOTO
    }
#endif
    return STOP_ERROR; /* not reached */
}
