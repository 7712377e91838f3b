/* isa.h: the C view of isa/isa.def and isa/traps.def (opcode enum, names, operand kinds,
 * instruction lengths, attributes). */
#ifndef NANOVM_ISA_H
#define NANOVM_ISA_H

#include <stddef.h>
#include <stdint.h>

#define VAR (-1) /* stack effect that depends on operands or on the program */

typedef enum {
#define OP(name, code, a, b, c, pops, pushes, flags, doc) OP_##name = code,
#include "isa.def"
#undef OP
} Opcode;

/* The operand kinds of isa.def: X(KIND, WORDS, "name").  WORDS is what an operand of the kind
 * occupies; for TABLE, its count word (the offsets that follow depend on the count). */
#define ISA_OPERAND_KINDS(X)                                                                   \
    X(NONE, 0, "none")                                                                         \
    X(LOCAL, 1, "local")                                                                       \
    X(GLOBAL, 1, "global")                                                                     \
    X(STR, 1, "str")                                                                           \
    X(FUNC, 1, "func")                                                                         \
    X(TYPE, 1, "type")                                                                         \
    X(VARIANT, 1, "variant")                                                                   \
    X(IMPORT, 1, "import")                                                                     \
    X(COUNT, 1, "count")                                                                       \
    X(FIELD, 1, "field")                                                                       \
    X(KEY, 1, "key")                                                                           \
    X(TRAPNO, 1, "trapno")                                                                     \
    X(NATIVE, 1, "native")                                                                     \
    X(I32, 1, "i32")                                                                           \
    X(I64, 2, "i64")                                                                           \
    X(F64, 2, "f64")                                                                           \
    X(JUMP, 1, "jump")                                                                         \
    X(TABLE, 1, "table")

typedef enum {
#define ISA_KIND_ENUM(kind, words, name) OPK_##kind,
    ISA_OPERAND_KINDS(ISA_KIND_ENUM)
#undef ISA_KIND_ENUM
} OperandKind;

enum {
#define ISA_KIND_WORDS(kind, words, name) ISA_WORDS_##kind = words,
    ISA_OPERAND_KINDS(ISA_KIND_WORDS)
#undef ISA_KIND_WORDS
};

/* ISA_LEN_NAME: the length in words of instruction NAME, computed from its operand kinds (for
 * JUMP_TABLE without the n offsets that follow its count).  The interpreter's handlers advance
 * by it, so changing an operand kind in isa.def changes the advance with it. */
enum {
#define OP(name, code, a, b, c, pops, pushes, flags, doc)                                      \
    ISA_LEN_##name = 1 + ISA_WORDS_##a + ISA_WORDS_##b + ISA_WORDS_##c,
#include "isa.def"
#undef OP
};

/* Attributes of an instruction: the FLAGS column of isa.def (its header comment defines them;
 * the table writes them without the ISA_ prefix). */
typedef enum {
    ISA_END = 1 << 0,        /* control never continues to the next instruction */
    ISA_RETURN = 1 << 1,     /* returns; only in a function with POPS results */
    ISA_FX_COUNT = 1 << 2,   /* pops as many values as its COUNT operand A */
    ISA_FX_FIELDS = 1 << 3,  /* pops the field count of its TYPE (and VARIANT) operand */
    ISA_FX_SIG = 1 << 4,     /* signature of the FUNC, IMPORT, TRAPNO or NATIVE operand A */
    ISA_FX_INDIRECT = 1 << 5 /* pops A arguments and a function value, pushes B (0 or 1) */
} OpFlag;

/* The attributes that say how a VAR stack effect is computed (exactly one per VAR row). */
#define ISA_FX_MASK (ISA_FX_COUNT | ISA_FX_FIELDS | ISA_FX_SIG | ISA_FX_INDIRECT)

typedef struct {
    const char *name;      /* NULL for an unassigned opcode number */
    uint8_t operand[3];    /* OperandKind, OPK_NONE when absent */
    int8_t pops, pushes;   /* VAR when variable */
    uint8_t flags;         /* OpFlag bits */
    uint8_t len;           /* ISA_LEN_NAME, or 0 when the length depends on a TABLE count */
    const char *doc;
} OpInfo;

/* Indexed by opcode number (0..255); unassigned numbers have name == NULL. */
extern const OpInfo isa_ops[256];
/* Number of opcodes the table defines. */
extern const int isa_op_count;

typedef enum {
#define TRAP_DEF(name, num, pops, pushes, doc) TRAP_##name = num,
#include "traps.def"
#undef TRAP_DEF
    TRAP__COUNT
} TrapNo;

typedef struct {
    const char *name;
    int8_t pops, pushes;
    const char *doc;
} TrapInfo;

extern const TrapInfo isa_traps[TRAP__COUNT];

const char *isa_operand_kind_name(OperandKind k);

/* Words an operand of kind k occupies, given the first word of the operand (for TABLE, the
 * count). */
uint32_t isa_operand_words(OperandKind k, uint32_t first_word);

/* Length in words of the instruction starting at code[pc], or 0 when it is not a valid
 * instruction that fits inside code[0..len). */
uint32_t isa_instr_words(const uint32_t *code, uint32_t len, uint32_t pc);

#endif
