/* verify.c: the bytecode verifier (docs/NVM_FORMAT.md section 5, docs/ISA.md section 4).
 *
 * A program that passes cannot make the interpreter read outside its tables or its operand
 * stack: every opcode is defined, every operand index is in range, every jump lands on an
 * instruction boundary of the same function, the stack depth is the same on every path into an
 * instruction and never negative, and control never runs off the end of a function.
 *
 * Per function, three linear passes:
 *   1. decode from offset 0, instruction after instruction: opcodes, instruction lengths and
 *      every non-jump operand (unreachable code included); mark instruction starts;
 *   2. check every jump target against the instruction starts;
 *   3. dataflow from offset 0 with a worklist: each instruction gets its depth once (when it is
 *      first reached) and every other edge into it must agree, so the work is linear.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "natives.h"
#include "nvm_format.h"
#include "program.h"

#define NO_DEPTH UINT32_MAX

typedef struct {
    const Program *p;
    const Function *f;
    uint32_t fi;
    const uint32_t *code; /* the function's first word */
    uint32_t len;
    uint8_t *is_start;    /* len entries */
    uint32_t *depth;      /* len entries, NO_DEPTH until reached */
    uint32_t *work;       /* worklist, at most len entries */
    char *err;
    size_t errlen;
} V;

/* A name from the string pool, escaped and shortened so that a message stays one line. */
static void safe_name(char *out, size_t outlen, const Program *p, uint32_t idx) {
    if (idx >= p->nstrings || !p->strings) {
        snprintf(out, outlen, "#%u", idx);
        return;
    }
    const ObjString *s = p->strings[idx];
    size_t o = 0;
    for (int64_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->bytes[i];
        if (o + 8 >= outlen) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out[o++] = (char)c;
        } else {
            snprintf(out + o, outlen - o, "\\x%02x", c);
            o += 4;
        }
    }
    out[o] = '\0';
}

__attribute__((format(printf, 3, 4))) static int vfail(V *v, uint32_t pc, const char *fmt, ...) {
    if (v->errlen == 0) return -1;
    char name[72];
    safe_name(name, sizeof name, v->p, v->f->name);
    int n;
    if (pc == NO_DEPTH)
        n = snprintf(v->err, v->errlen, "verify: function '%s': ", name);
    else
        n = snprintf(v->err, v->errlen, "verify: function '%s' at offset %u: ", name, pc);
    if (n >= 0 && (size_t)n < v->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->err + n, v->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int64_t jump_offset(uint32_t w) {
    return w <= INT32_MAX ? (int64_t)w : (int64_t)w - 4294967296LL;
}

/* Index (0-based) of the instruction's first operand of kind k, or -1 when it has none. */
static int operand_index(const OpInfo *info, OperandKind k) {
    for (int i = 0; i < 3; i++)
        if (info->operand[i] == k) return i;
    return -1;
}

/* Check one non-jump operand 'w' of kind k (operand number i, 0-based) of the instruction at
 * pc.  *type is the TYPE operand seen so far in this instruction (for VARIANT).  Besides the
 * kind's range, the instruction's attributes (isa.def's FLAGS) may constrain an operand. */
static int check_operand(V *v, uint32_t pc, uint32_t op, int i, OperandKind k, uint32_t w,
                         uint32_t *type) {
    const Program *p = v->p;
    const OpInfo *info = &isa_ops[op];
    const char *nm = info->name;
    switch (k) {
    case OPK_LOCAL:
        if (w >= v->f->nlocals)
            return vfail(v, pc, "%s: local %u out of range (function has %u locals)", nm, w,
                         v->f->nlocals);
        break;
    case OPK_GLOBAL:
        if (w >= p->nglobals)
            return vfail(v, pc, "%s: global %u out of range (%u globals)", nm, w, p->nglobals);
        break;
    case OPK_STR:
        if (w >= p->nstrings)
            return vfail(v, pc, "%s: string %u out of range (%u strings)", nm, w, p->nstrings);
        break;
    case OPK_FUNC:
        if (w >= p->nfuncs)
            return vfail(v, pc, "%s: function %u out of range (%u functions)", nm, w, p->nfuncs);
        if (op == OP_MAKE_CLOSURE) {
            /* the captured values become the function's last parameters: at least one (a
             * function value that captures nothing is PUSH_FN), at most all of them */
            uint32_t n = v->code[pc + 1];
            if (n == 0 || n > p->funcs[w].nparams)
                return vfail(v, pc, "%s: %u captured values for function %u with %u parameters "
                             "(must be 1 to %u)", nm, n, w, p->funcs[w].nparams,
                             p->funcs[w].nparams);
        }
        break;
    case OPK_TYPE:
        if (w >= p->ntypes)
            return vfail(v, pc, "%s: type %u out of range (%u types)", nm, w, p->ntypes);
        if (info->flags & ISA_FX_FIELDS) {
            /* the record it makes: a union variant, or a struct or tuple */
            if (operand_index(info, OPK_VARIANT) >= 0) {
                if (p->types[w].kind != NVM_TYPE_UNION)
                    return vfail(v, pc, "%s: type %u is not a union", nm, w);
            } else if (p->types[w].kind != NVM_TYPE_STRUCT && p->types[w].kind != NVM_TYPE_TUPLE) {
                return vfail(v, pc, "%s: type %u is not a struct or tuple", nm, w);
            }
        }
        if (p->types[w].nvariants == 0 || !p->types[w].variants)
            return vfail(v, pc, "%s: type %u has no variants", nm, w);
        *type = w;
        break;
    case OPK_VARIANT:
        if (*type == NVM_NONE)
            return vfail(v, pc, "%s: variant operand without a type operand", nm);
        if (w >= p->types[*type].nvariants)
            return vfail(v, pc, "%s: variant %u out of range (type %u has %u variants)", nm, w,
                         *type, p->types[*type].nvariants);
        break;
    case OPK_IMPORT:
        if (w >= p->nimports)
            return vfail(v, pc, "%s: import %u out of range (%u imports)", nm, w, p->nimports);
        break;
    case OPK_COUNT:
        if ((info->flags & ISA_FX_INDIRECT) && i == 1 && w > 1)
            return vfail(v, pc, "%s: result count %u (must be 0 or 1)", nm, w);
        break;
    case OPK_KEY:
        if (w > 1) return vfail(v, pc, "%s: key kind %u (must be 0 or 1)", nm, w);
        break;
    case OPK_TRAPNO:
        if (w >= TRAP__COUNT)
            return vfail(v, pc, "%s: trap %u out of range (%d traps)", nm, w, (int)TRAP__COUNT);
        break;
    case OPK_NATIVE:
        if (w >= NATIVE__COUNT)
            return vfail(v, pc, "%s: native %u out of range (%d natives)", nm, w, (int)NATIVE__COUNT);
        break;
    default: /* FIELD (checked at run time), immediates, jumps (pass 2) */
        break;
    }
    return 0;
}

/* Word offset of operand i (0-based) of the instruction at ins, from the start of the
 * instruction (the operands before it are decoded and fit inside the function). */
static uint32_t operand_at(const uint32_t *ins, const OpInfo *info, int i) {
    uint32_t at = 1;
    for (int j = 0; j < i; j++) at += isa_operand_words((OperandKind)info->operand[j], ins[at]);
    return at;
}

/* Stack effect of the (decoded, operand-checked) instruction at pc: the POPS and PUSHES columns
 * of isa.def, with a VAR side computed as the instruction's stack-effect attribute (FX_...)
 * says; the operands it reads are the ones the attribute names (isa.def's header). */
static int stack_effect(V *v, uint32_t pc, uint64_t *pops, uint64_t *pushes) {
    const Program *p = v->p;
    const uint32_t *ins = v->code + pc;
    const OpInfo *info = &isa_ops[ins[0]];
    int64_t po = info->pops, pu = info->pushes;
    if (po != VAR && pu != VAR) {
        *pops = (uint64_t)po;
        *pushes = (uint64_t)pu;
        return 0;
    }
    switch (info->flags & ISA_FX_MASK) {
    case ISA_FX_COUNT: po = ins[1]; break;
    case ISA_FX_FIELDS: {
        int vi = operand_index(info, OPK_VARIANT);
        uint32_t variant = vi >= 0 ? ins[operand_at(ins, info, vi)] : 0;
        po = p->types[ins[1]].variants[variant].nfields;
        break;
    }
    case ISA_FX_SIG:
        switch ((OperandKind)info->operand[0]) {
        case OPK_FUNC:
            po = p->funcs[ins[1]].nparams;
            pu = p->funcs[ins[1]].nret;
            break;
        case OPK_IMPORT:
            po = p->imports[ins[1]].nparams;
            pu = p->imports[ins[1]].nret;
            break;
        case OPK_TRAPNO:
            po = isa_traps[ins[1]].pops;
            pu = isa_traps[ins[1]].pushes;
            break;
        case OPK_NATIVE:
            po = native_params(ins[1]);
            pu = native_results(ins[1]);
            break;
        default: break; /* the table is inconsistent: reported below */
        }
        break;
    case ISA_FX_INDIRECT:
        po = (int64_t)ins[1] + 1;
        pu = ins[operand_at(ins, info, 1)];
        break;
    default: break;
    }
    if (po == VAR || pu == VAR)
        return vfail(v, pc, "%s: the verifier knows no stack effect for it", info->name);
    *pops = (uint64_t)po;
    *pushes = (uint64_t)pu;
    return 0;
}

/* Pass 1. */
static int decode(V *v) {
    memset(v->is_start, 0, v->len);
    uint32_t pc = 0;
    while (pc < v->len) {
        uint32_t op = v->code[pc];
        if (op > 255 || isa_ops[op].name == NULL)
            return vfail(v, pc, "invalid opcode 0x%x", op);
        const OpInfo *info = &isa_ops[op];
        uint32_t at = pc + 1, type = NVM_NONE;
        for (int i = 0; i < 3 && info->operand[i] != OPK_NONE; i++) {
            OperandKind k = (OperandKind)info->operand[i];
            uint32_t n = at < v->len ? isa_operand_words(k, v->code[at]) : 1;
            if (at >= v->len || n > v->len - at)
                return vfail(v, pc, "%s: operand %d (%s) runs past the end of the function "
                             "(%u words)", info->name, i + 1, isa_operand_kind_name(k), v->len);
            if (check_operand(v, pc, op, i, k, v->code[at], &type) < 0) return -1;
            at += n;
        }
        if ((info->flags & ISA_RETURN) && (int64_t)v->f->nret != info->pops)
            return vfail(v, pc, "%s returns %d value%s, the function has %u result%s", info->name,
                         info->pops, info->pops == 1 ? "" : "s", v->f->nret,
                         v->f->nret == 1 ? "" : "s");
        v->is_start[pc] = 1;
        pc = at;
    }
    return 0;
}

static int check_target(V *v, uint32_t pc, uint32_t w) {
    int64_t t = (int64_t)pc + jump_offset(w);
    if (t < 0 || t >= (int64_t)v->len)
        return vfail(v, pc, "%s: jump target %lld is outside the function (%u words)",
                     isa_ops[v->code[pc]].name, (long long)t, v->len);
    if (!v->is_start[t])
        return vfail(v, pc, "%s: jump target %lld is not an instruction boundary",
                     isa_ops[v->code[pc]].name, (long long)t);
    return 0;
}

/* Calls fn(v, pc, target_word) for every jump operand of the instruction at pc. */
#define FOR_EACH_TARGET(v, pc, STMT)                                                           \
    do {                                                                                       \
        const OpInfo *info_ = &isa_ops[(v)->code[pc]];                                         \
        uint32_t at_ = (pc) + 1;                                                               \
        for (int i_ = 0; i_ < 3 && info_->operand[i_] != OPK_NONE; i_++) {                    \
            OperandKind k_ = (OperandKind)info_->operand[i_];                                  \
            if (k_ == OPK_JUMP) {                                                              \
                uint32_t target_word = (v)->code[at_];                                         \
                STMT;                                                                          \
            } else if (k_ == OPK_TABLE) {                                                      \
                uint32_t n_ = (v)->code[at_];                                                  \
                for (uint32_t j_ = 0; j_ < n_; j_++) {                                         \
                    uint32_t target_word = (v)->code[at_ + 1 + j_];                            \
                    STMT;                                                                      \
                }                                                                              \
            }                                                                                  \
            at_ += isa_operand_words(k_, (v)->code[at_]);                                      \
        }                                                                                      \
    } while (0)

/* Pass 2. */
static int check_jumps(V *v) {
    for (uint32_t pc = 0; pc < v->len; pc++) {
        if (!v->is_start[pc]) continue;
        int bad = 0;
        FOR_EACH_TARGET(v, pc, if (!bad && check_target(v, pc, target_word) < 0) bad = 1);
        if (bad) return -1;
    }
    return 0;
}

static int flow(V *v, uint32_t from, uint32_t to, uint32_t d, uint32_t *nwork) {
    if (v->depth[to] == NO_DEPTH) {
        v->depth[to] = d;
        v->work[(*nwork)++] = to;
        return 0;
    }
    if (v->depth[to] != d)
        return vfail(v, from, "stack depth %u at the jump or fall-through to offset %u, which "
                     "is reached elsewhere with depth %u", d, to, v->depth[to]);
    return 0;
}

/* Pass 3.  Stores the deepest operand stack of the function in *max_stack. */
static int dataflow(V *v, uint32_t *max_stack) {
    for (uint32_t i = 0; i < v->len; i++) v->depth[i] = NO_DEPTH;
    uint32_t nwork = 0, max = 0;
    v->depth[0] = 0;
    v->work[nwork++] = 0;
    while (nwork) {
        uint32_t pc = v->work[--nwork];
        uint32_t d = v->depth[pc];
        uint32_t op = v->code[pc];
        uint64_t pops = 0, pushes = 0;
        if (stack_effect(v, pc, &pops, &pushes) < 0) return -1;
        if (pops > d)
            return vfail(v, pc, "stack underflow: %s needs %llu value%s, the stack has %u",
                         isa_ops[op].name, (unsigned long long)pops, pops == 1 ? "" : "s", d);
        uint64_t nd = d - pops + pushes;
        if (nd >= NO_DEPTH) return vfail(v, pc, "stack too deep");
        if (nd > max) max = (uint32_t)nd;
        if (!(isa_ops[op].flags & ISA_END)) {
            uint32_t words = isa_instr_words(v->code, v->len, pc);
            uint64_t next = (uint64_t)pc + words;
            if (words == 0 || next >= v->len)
                return vfail(v, pc, "control falls off the end of the function after %s",
                             isa_ops[op].name);
            if (flow(v, pc, (uint32_t)next, (uint32_t)nd, &nwork) < 0) return -1;
        }
        int bad = 0;
        FOR_EACH_TARGET(v, pc, {
            if (!bad) {
                uint32_t t = (uint32_t)((int64_t)pc + jump_offset(target_word));
                if (flow(v, pc, t, (uint32_t)nd, &nwork) < 0) bad = 1;
            }
        });
        if (bad) return -1;
    }
    *max_stack = max;
    return 0;
}

static int check_lines(V *v) {
    const Program *p = v->p;
    const Function *f = v->f;
    if (f->lines_count == 0) return 0;
    if (!p->lines || f->lines_start > p->nlines || f->lines_count > p->nlines - f->lines_start)
        return vfail(v, NO_DEPTH, "line table range out of bounds");
    for (uint32_t i = 0; i < f->lines_count; i++) {
        uint32_t off = p->lines[f->lines_start + i].offset;
        if (off >= v->len || !v->is_start[off])
            return vfail(v, off, "debug line entry is not at an instruction boundary");
    }
    return 0;
}

int program_verify(Program *p, char *err, size_t errlen) {
    if (errlen) err[0] = '\0';
    uint32_t maxlen = 0;
    for (uint32_t i = 0; i < p->nfuncs; i++)
        if (p->funcs[i].code_len > maxlen) maxlen = p->funcs[i].code_len;
    uint8_t *is_start = malloc(maxlen ? maxlen : 1);
    uint32_t *depth = malloc(sizeof(uint32_t) * (maxlen ? maxlen : 1));
    uint32_t *work = malloc(sizeof(uint32_t) * (maxlen ? maxlen : 1));
    int rc = 0;
    if (!is_start || !depth || !work) {
        snprintf(err, errlen, "verify: out of memory");
        rc = -1;
    }
    for (uint32_t i = 0; rc == 0 && i < p->nfuncs; i++) {
        Function *f = &p->funcs[i];
        V v = {p, f, i, p->code, f->code_len, is_start, depth, work, err, errlen};
        if (!p->code || (uint64_t)f->code_start + f->code_len > p->code_len) {
            rc = vfail(&v, NO_DEPTH, "code range outside the code section");
            break;
        }
        v.code = p->code + f->code_start;
        if (f->code_len == 0) {
            rc = vfail(&v, NO_DEPTH, "empty body (control falls off the end)");
        } else if (decode(&v) < 0 || check_jumps(&v) < 0 || dataflow(&v, &f->max_stack) < 0 ||
                   check_lines(&v) < 0) {
            rc = -1;
        }
    }
    free(is_start);
    free(depth);
    free(work);
    return rc;
}
