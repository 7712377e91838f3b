/* t_isa.c: the instruction table (isa/isa.def through vm/isa.h) is consistent with itself:
 * generated lengths agree with the decoder, every VAR stack effect has exactly one rule that
 * says how to compute it, and the rules' operands are the kinds they need. */
#include <stdio.h>
#include <string.h>

#include "isa.h"
#include "tap.h"

static const struct {
    uint32_t code;
    uint32_t len;
} lens[] = {
#define OP(name, code, a, b, c, pops, pushes, flags, doc) {code, ISA_LEN_##name},
#include "isa.def"
#undef OP
};

static int bits(unsigned x) {
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

int main(void) {
    const unsigned all_flags = ISA_END | ISA_RETURN | ISA_FX_MASK;
    char bad_len[512] = "", bad_fx[512] = "", bad_kinds[512] = "", bad_ret[512] = "",
         bad_flags[512] = "";
#define NOTE(buf, name) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " %s", name)
    int n = (int)(sizeof lens / sizeof lens[0]);
    ok(n == isa_op_count && n > 100, "the table has %d opcodes", n);
    for (int i = 0; i < n; i++) {
        const OpInfo *info = &isa_ops[lens[i].code];
        /* the generated length against the decoder (a TABLE with count 0) */
        uint32_t code[8] = {lens[i].code, 0, 0, 0, 0, 0, 0, 0};
        if (isa_instr_words(code, 8, 0) != lens[i].len) NOTE(bad_len, info->name);
        unsigned fx = info->flags & ISA_FX_MASK;
        int var = info->pops == VAR || info->pushes == VAR;
        if (bits(fx) != (var ? 1 : 0)) NOTE(bad_fx, info->name);
        OperandKind a = (OperandKind)info->operand[0], b = (OperandKind)info->operand[1];
        int kinds_ok = fx == 0 || (fx == ISA_FX_COUNT && a == OPK_COUNT) ||
                       (fx == ISA_FX_FIELDS && a == OPK_TYPE) ||
                       (fx == ISA_FX_SIG && (a == OPK_FUNC || a == OPK_IMPORT || a == OPK_TRAPNO || a == OPK_NATIVE)) ||
                       (fx == ISA_FX_INDIRECT && a == OPK_COUNT && b == OPK_COUNT);
        if (!kinds_ok) NOTE(bad_kinds, info->name);
        if ((info->flags & ISA_RETURN) &&
            (!(info->flags & ISA_END) || info->pops < 0 || info->pops > 1 || info->pushes != 0))
            NOTE(bad_ret, info->name);
        if (info->flags & ~all_flags) NOTE(bad_flags, info->name);
    }
    ok(bad_len[0] == '\0', "ISA_LEN_NAME is the decoded length of every instruction%s", bad_len);
    ok(bad_fx[0] == '\0', "exactly the rows with a VAR stack effect have one FX_ rule%s", bad_fx);
    ok(bad_kinds[0] == '\0', "each FX_ rule's operands are the kinds it reads%s", bad_kinds);
    ok(bad_ret[0] == '\0', "RETURN rows end control and pop 0 or 1 values%s", bad_ret);
    ok(bad_flags[0] == '\0', "no row has an unknown attribute%s", bad_flags);

    /* the attributes the verifier relies on, row by row */
    const uint32_t ends[] = {OP_JUMP, OP_RET, OP_RET_VOID, OP_HALT, OP_PANIC};
    int nend = 0, ends_ok = 1;
    for (int op = 0; op < 256; op++)
        if (isa_ops[op].name && (isa_ops[op].flags & ISA_END)) nend++;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (!(isa_ops[ends[i]].flags & ISA_END)) ends_ok = 0;
    ok(ends_ok && nend == 5, "END: JUMP, RET, RET_VOID, HALT and PANIC, nothing else (%d)", nend);
    ok(isa_ops[OP_CALL].flags & ISA_FX_SIG && isa_ops[OP_TRAP].flags & ISA_FX_SIG &&
           isa_ops[OP_CALL_EXTERN].flags & ISA_FX_SIG,
       "CALL, TRAP and CALL_EXTERN take their stack effect from a signature");
    ok(ISA_LEN_ADD_INT == 1 && ISA_LEN_PUSH_INT == 3 && ISA_LEN_JLT_INT_IMM == 3 &&
           ISA_LEN_JUMP_TABLE == 2 && ISA_LEN_NEW_VARIANT == 3,
       "sample lengths: ADD_INT 1, PUSH_INT 3, JLT_INT_IMM 3, JUMP_TABLE 2 + n, NEW_VARIANT 3");
    ok(strcmp(isa_operand_kind_name(OPK_TRAPNO), "trapno") == 0 &&
           strcmp(isa_operand_kind_name(OPK_TABLE), "table") == 0 &&
           strcmp(isa_operand_kind_name((OperandKind)99), "?") == 0,
       "operand kind names");
    ok(isa_operand_words(OPK_F64, 0) == 2 && isa_operand_words(OPK_TABLE, 7) == 8 &&
           isa_operand_words(OPK_TABLE, UINT32_MAX) == UINT32_MAX &&
           isa_operand_words(OPK_NONE, 5) == 0,
       "operand words: F64 2, TABLE 1 + n (saturating), NONE 0");
    return done();
}
