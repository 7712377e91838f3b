/* isa.c: tables generated from isa.def and traps.def. */
#include "isa.h"

#define K(kind) OPK_##kind

/* The names the FLAGS column of isa.def uses, visible only while the table is expanded here. */
enum {
    END = ISA_END,
    RETURN = ISA_RETURN,
    FX_COUNT = ISA_FX_COUNT,
    FX_FIELDS = ISA_FX_FIELDS,
    FX_SIG = ISA_FX_SIG,
    FX_INDIRECT = ISA_FX_INDIRECT
};

#define FIXED_LEN(name, a, b, c)                                                               \
    (K(a) == OPK_TABLE || K(b) == OPK_TABLE || K(c) == OPK_TABLE ? 0 : ISA_LEN_##name)

const OpInfo isa_ops[256] = {
#define OP(name, code, a, b, c, pops, pushes, flags, doc)                                      \
    [code] = {#name, {K(a), K(b), K(c)}, pops, pushes, flags, FIXED_LEN(name, a, b, c), doc},
#include "isa.def"
#undef OP
};

const int isa_op_count = 0
#define OP(name, code, a, b, c, pops, pushes, flags, doc) +1
#include "isa.def"
#undef OP
    ;

const TrapInfo isa_traps[TRAP__COUNT] = {
#define TRAP_DEF(name, num, pops, pushes, doc) [num] = {#name, pops, pushes, doc},
#include "traps.def"
#undef TRAP_DEF
};

static const char *const kind_names[] = {
#define KIND_NAME(kind, words, name) name,
    ISA_OPERAND_KINDS(KIND_NAME)
#undef KIND_NAME
};

static const uint8_t kind_words[] = {
#define KIND_WORDS(kind, words, name) words,
    ISA_OPERAND_KINDS(KIND_WORDS)
#undef KIND_WORDS
};

const char *isa_operand_kind_name(OperandKind k) {
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

uint32_t isa_operand_words(OperandKind k, uint32_t first_word) {
    if (k == OPK_TABLE) return first_word > UINT32_MAX - 1 ? UINT32_MAX : 1 + first_word;
    return (unsigned)k < sizeof kind_words ? kind_words[k] : 0;
}

uint32_t isa_instr_words(const uint32_t *code, uint32_t len, uint32_t pc) {
    if (pc >= len) return 0;
    uint32_t word = code[pc];
    if (word > 255 || isa_ops[word].name == NULL) return 0;
    const OpInfo *info = &isa_ops[word];
    if (info->len != 0) return info->len <= len - pc ? info->len : 0;
    uint32_t at = pc + 1;
    for (int i = 0; i < 3 && info->operand[i] != OPK_NONE; i++) {
        if (at >= len) return 0;
        uint32_t n = isa_operand_words((OperandKind)info->operand[i], code[at]);
        if (n > len - at) return 0;
        at += n;
    }
    return at - pc;
}
