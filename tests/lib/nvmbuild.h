/* nvmbuild.h: a .nvm bytecode builder for tests (the VM is tested before the compiler exists).
 *
 * The builder writes exactly what it is told: it checks nothing, so that tests can make invalid
 * programs on purpose.  Its output is canonical (docs/NVM_FORMAT.md): sections in id order,
 * contiguous, optional sections only when non-empty, strings deduplicated in first-use order,
 * functions laid out in CODE in index order.  Building is deterministic.
 *
 *     NB *b = nb_new();
 *     uint32_t main_fn = nb_func(b, "main", 0, 1, 1);
 *     nb_begin(b, main_fn);
 *     nb_line(b, 3);
 *     nb_op1(b, OP_PUSH_STR, nb_str(b, "hi\n"));
 *     nb_op1(b, OP_TRAP, TRAP_PRINT);
 *     nb_op1(b, OP_PUSH_SMALL, 0);
 *     nb_op(b, OP_RET);
 *     nb_entry(b, main_fn);
 *     size_t len; uint8_t *bytes = nb_build(b, &len);   // free() it
 *     nb_free(b);
 *
 * Misuse of the builder itself (emitting with no current function, an unmarked label, out of
 * memory) prints a message and aborts the test program.
 */
#ifndef NANOVM_NVMBUILD_H
#define NANOVM_NVMBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"
#include "nvm_format.h"

typedef struct NB NB;

NB *nb_new(void);
void nb_free(NB *b);

/* ---- string pool (deduplicated) ---- */
uint32_t nb_str(NB *b, const char *s);
uint32_t nb_strn(NB *b, const char *s, size_t len);

/* ---- functions ---- */
/* Declare a function; returns its index.  A NULL name is written as NVM_NONE.  Nothing is
 * checked (nlocals < nparams, nret 7 ... are written as given). */
uint32_t nb_func(NB *b, const char *name, uint32_t nparams, uint32_t nlocals, uint32_t nret);
/* Source file (added to META's source list on first use) and declaration line. */
void nb_source(NB *b, uint32_t func, const char *file, uint32_t decl_line);
/* Make 'func' the current function: following instructions are appended to its body.  Bodies
 * may be emitted in any order and resumed later. */
void nb_begin(NB *b, uint32_t func);
/* Word offset of the next instruction in the current function. */
uint32_t nb_pc(NB *b);

void nb_op(NB *b, Opcode op);
void nb_op1(NB *b, Opcode op, uint32_t a);
void nb_op2(NB *b, Opcode op, uint32_t a, uint32_t bb);
void nb_op3(NB *b, Opcode op, uint32_t a, uint32_t bb, uint32_t c);
void nb_i64(NB *b, Opcode op, int64_t v); /* op, low word, high word (PUSH_INT) */
void nb_f64(NB *b, Opcode op, double v);  /* op, bit pattern low word, high word (PUSH_FLOAT) */
/* One raw word (no line entry is recorded for it). */
void nb_word(NB *b, uint32_t w);

/* ---- labels (resolved by nb_build, relative to the jumping instruction) ---- */
uint32_t nb_label(NB *b);
void nb_mark(NB *b, uint32_t label); /* the label is the next instruction of the current function */
void nb_jump(NB *b, Opcode op, uint32_t label);                 /* JUMP, JUMP_IF_*, J<cc>_INT */
void nb_jump_imm(NB *b, Opcode op, int32_t imm, uint32_t label); /* JLT_INT_IMM, JGE_INT_IMM */
void nb_jump_table(NB *b, uint32_t n, const uint32_t *labels);   /* JUMP_TABLE */

/* ---- debug lines ---- */
/* Source line of the following instructions of the current function (an entry is recorded at
 * the next instruction whenever the line changes). */
void nb_line(NB *b, uint32_t line);
/* A raw DEBUG_LINES entry, appended after the function's recorded ones (no sorting). */
void nb_raw_line(NB *b, uint32_t func, uint32_t offset, uint32_t line);

/* ---- types ---- */
uint32_t nb_struct(NB *b, const char *name, uint32_t nfields, const char *const *fields);
uint32_t nb_tuple(NB *b, uint32_t nfields);
uint32_t nb_union(NB *b, const char *name); /* then nb_variant for each variant */
uint32_t nb_variant(NB *b, uint32_t type, const char *name, uint32_t nfields,
                    const char *const *fields);
uint32_t nb_enum(NB *b, const char *name, uint32_t nvariants, const char *const *names);

/* ---- globals, imports, shadow tests, metadata ---- */
uint32_t nb_global(NB *b, const char *name);
/* nret is 1 unless ret_kind is NVM_VK_VOID; library NULL is NVM_NONE. */
uint32_t nb_import(NB *b, const char *name, const char *library, uint8_t ret_kind,
                   uint32_t nparams, const uint8_t *param_kinds);
uint32_t nb_shadow(NB *b, const char *name, uint32_t func);
void nb_entry(NB *b, uint32_t func); /* default: function 0 */
void nb_init(NB *b, uint32_t func);  /* default: NVM_NONE */
void nb_module(NB *b, const char *name); /* default: "test" */
void nb_add_source(NB *b, const char *file);

/* ---- output ---- */
/* The file bytes (malloc'd, the caller frees).  Aborts on an unmarked label. */
uint8_t *nb_build(NB *b, size_t *len);
/* Returns 0, or -1 with errno set. */
int nb_write_file(NB *b, const char *path);

/* nb_build, then program_load (which verifies).  NULL with the loader's message in err. */
struct Program;
struct Program *nb_load(NB *b, char *err, size_t errlen);

/* ---- escape hatches for invalid programs ---- */
/* Write code_start/code_len as given instead of the computed layout. */
void nb_func_layout(NB *b, uint32_t func, uint32_t code_start, uint32_t code_len);
/* Replace the content of section 'id' (any id, known or not) by raw bytes. */
void nb_section_raw(NB *b, uint32_t id, const void *data, size_t size);
/* Leave section 'id' out of the file. */
void nb_section_omit(NB *b, uint32_t id);
/* Write section 'id' even when its table is empty. */
void nb_section_force(NB *b, uint32_t id);
/* An additional directory entry after the normal ones (for duplicate ids and the like). */
void nb_section_extra(NB *b, uint32_t id, const void *data, size_t size);

/* ---- editing built bytes ---- */
uint32_t nb_get_u32(const uint8_t *p);
void nb_put_u32(uint8_t *p, uint32_t v);
/* Rewrite the header's file_size to 'len' and recompute the CRC. */
void nb_fix(uint8_t *bytes, size_t len);
/* Find section 'id' through the directory; returns 0 with its offset and size, or -1. */
int nb_find_section(const uint8_t *bytes, size_t len, uint32_t id, uint32_t *offset,
                    uint32_t *size);
/* Overwrite word 'word' of section 'id' (0 = the section's first word) and nb_fix; returns
 * the old value.  Aborts when the section or word does not exist. */
uint32_t nb_patch(uint8_t *bytes, size_t len, uint32_t id, uint32_t word, uint32_t value);

#endif
