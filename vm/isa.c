/* isa.c: tables generated from isa.def and traps.def. */
#include "isa.h"

#define K(kind) OPK_##kind
#define OPK_NONE_ OPK_NONE

const OpInfo isa_ops[256] = {
#define OP(name, code, a, b, c, pops, pushes, doc) \
    [code] = {#name, {K(a), K(b), K(c)}, pops, pushes, doc},
#include "isa.def"
#undef OP
};

const int isa_op_count = 0
#define OP(name, code, a, b, c, pops, pushes, doc) +1
#include "isa.def"
#undef OP
    ;

const TrapInfo isa_traps[TRAP__COUNT] = {
#define TRAP_DEF(name, num, pops, pushes, doc) [num] = {#name, pops, pushes, doc},
#include "traps.def"
#undef TRAP_DEF
};

const char *isa_operand_kind_name(OperandKind k) {
    static const char *const names[] = {
        "none", "local", "global", "str", "func", "type", "variant", "import", "count",
        "field", "key", "trapno", "i32", "i64", "f64", "jump", "table"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

uint32_t isa_operand_words(OperandKind k, uint32_t first_word) {
    switch (k) {
    case OPK_NONE: return 0;
    case OPK_I64:
    case OPK_F64: return 2;
    case OPK_TABLE: return first_word > UINT32_MAX - 1 ? UINT32_MAX : 1 + first_word;
    default: return 1;
    }
}

uint32_t isa_instr_words(const uint32_t *code, uint32_t len, uint32_t pc) {
    if (pc >= len) return 0;
    uint32_t word = code[pc];
    if (word > 255 || isa_ops[word].name == NULL) return 0;
    const OpInfo *info = &isa_ops[word];
    uint32_t at = pc + 1;
    for (int i = 0; i < 3 && info->operand[i] != OPK_NONE; i++) {
        if (at >= len) return 0;
        uint32_t n = isa_operand_words((OperandKind)info->operand[i], code[at]);
        if (n > len - at) return 0;
        at += n;
    }
    return at - pc;
}
