/* isa.h: the C view of isa/isa.def and isa/traps.def (opcode enum, names, operand kinds). */
#ifndef NANOVM_ISA_H
#define NANOVM_ISA_H

#include <stddef.h>
#include <stdint.h>

#define VAR (-1) /* stack effect that depends on operands or on the program */

typedef enum {
#define OP(name, code, a, b, c, pops, pushes, doc) OP_##name = code,
#include "isa.def"
#undef OP
} Opcode;

typedef enum {
    OPK_NONE = 0,
    OPK_LOCAL,
    OPK_GLOBAL,
    OPK_STR,
    OPK_FUNC,
    OPK_TYPE,
    OPK_VARIANT,
    OPK_IMPORT,
    OPK_COUNT,
    OPK_FIELD,
    OPK_KEY,
    OPK_TRAPNO,
    OPK_I32,
    OPK_I64,
    OPK_F64,
    OPK_JUMP,
    OPK_TABLE
} OperandKind;

typedef struct {
    const char *name;      /* NULL for an unassigned opcode number */
    uint8_t operand[3];    /* OperandKind, OPK_NONE when absent */
    int8_t pops, pushes;   /* VAR when variable */
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
