/* fuse.h: instruction pairs the interpreter executes as one.
 *
 * When a program is loaded (vm/loader.c), after it is verified, the loader makes a copy of its
 * code, Program.xcode, in which the opcode word of the first instruction of each pair listed
 * here is replaced by an internal opcode (VM_FUSED_BASE + the pair's index): the handler of that
 * opcode (vm/interp_core.inc) does the work of both instructions with one dispatch.  Nothing
 * else changes: every operand word and the second instruction's words stay where they were, so
 * that every offset (jump targets, return addresses, the pc of an error or a trap, debug lines)
 * means the same in code and in xcode, and a jump or a return to the second instruction of a
 * pair runs it alone, as it would have.  The internal opcodes exist only in xcode: they are not
 * part of NanoISA, no file can contain them (the verifier checks the file's code, where opcodes
 * are below 256), and the profiling core, the disassembler and the verifier see only code.
 *
 * Each pair is (A, B, KIND).  A is a simple instruction that never fails and only moves values
 * (a DO_A body, vm/interp.c).  KIND says how B is done:
 *   S  B is simple too: both bodies run in the fused handler;
 *   J  B is a jump or compare-and-branch (a DO_B body that sets ip);
 *   G  B is anything: after A's body the handler continues in B's own handler (a direct goto,
 *      not a dispatch), so B's errors report B's own pc.
 * Pairs with the same A are listed together (the loader's lookup relies on it).  They were
 * chosen from the instruction pairs counted while the benchmarks (tests/bench/programs) and the
 * compiler compiling itself ran.
 */
#ifndef NANOVM_FUSE_H
#define NANOVM_FUSE_H

#include <stdint.h>

#include "isa.h"

#define VM_FUSED_PAIRS(X)                                                                      \
    X(LOAD_LOCAL, JLT_INT_IMM, J)                                                              \
    X(LOAD_LOCAL, JGE_INT_IMM, J)                                                              \
    X(LOAD_LOCAL, JNE_INT_IMM, J)                                                              \
    X(LOAD_LOCAL, JEQ_INT_IMM, J)                                                              \
    X(LOAD_LOCAL, JLT_INT, J)                                                                  \
    X(LOAD_LOCAL, JGT_INT, J)                                                                  \
    X(LOAD_LOCAL, PUSH_SMALL, S)                                                               \
    X(LOAD_LOCAL, LOAD_GLOBAL, S)                                                              \
    X(LOAD_LOCAL, STORE_LOCAL, S)                                                              \
    X(LOAD_LOCAL, ADD_INT, S)                                                                  \
    X(LOAD_LOCAL, ADD_INT_IMM, S)                                                              \
    X(LOAD_LOCAL, RET, G)                                                                      \
    X(LOAD_LOCAL, CALL, G)                                                                     \
    X(LOAD_LOCAL, STR_CHAR_AT, G)                                                              \
    X(LOAD_LOCAL, ARRAY_GET, G)                                                                \
    X(LOAD_LOCAL, ARRAY_LEN, G)                                                                \
    X(LOAD_LOCAL2, JLT_INT, J)                                                                 \
    X(LOAD_LOCAL2, JGE_INT, J)                                                                 \
    X(LOAD_LOCAL2, ADD_INT, S)                                                                 \
    X(LOAD_LOCAL2, SUB_INT, S)                                                                 \
    X(LOAD_LOCAL2, MUL_INT, S)                                                                 \
    X(LOAD_LOCAL2, PUSH_FALSE, S)                                                              \
    X(LOAD_LOCAL2, LOAD_LOCAL, S)                                                              \
    X(LOAD_LOCAL2, ARRAY_GET, G)                                                               \
    X(LOAD_LOCAL2, STR_CMP, G)                                                                 \
    X(LOAD_LOCAL2, CALL, G)                                                                    \
    X(STORE_LOCAL, LOAD_LOCAL, S)                                                              \
    X(STORE_LOCAL, LOAD_LOCAL2, S)                                                             \
    X(STORE_LOCAL, LOAD_GLOBAL, S)                                                             \
    X(STORE_LOCAL, INC_LOCAL, S)                                                               \
    X(STORE_LOCAL, JUMP, J)                                                                    \
    X(STORE_LOCAL, LOAD_LOCAL_FIELD, G)                                                        \
    X(LOAD_GLOBAL, LOAD_LOCAL, S)                                                              \
    X(LOAD_GLOBAL, LOAD_GLOBAL, S)                                                             \
    X(LOAD_GLOBAL, JGE_INT, J)                                                                 \
    X(LOAD_GLOBAL, JLT_INT, J)                                                                 \
    X(LOAD_GLOBAL, CALL, G)                                                                    \
    X(PUSH_SMALL, AND_INT, S)                                                                  \
    X(PUSH_SMALL, USHR_INT, S)                                                                 \
    X(PUSH_SMALL, MUL_INT, S)                                                                  \
    X(PUSH_SMALL, MOD_INT, S)                                                                  \
    X(PUSH_SMALL, PUSH_SMALL, S)                                                               \
    X(PUSH_SMALL, CALL, G)                                                                     \
    X(INC_LOCAL, LOAD_LOCAL2, S)                                                               \
    X(INC_LOCAL, LOAD_LOCAL, S)                                                                \
    X(INC_LOCAL, JUMP, J)                                                                      \
    X(ADD_INT, STORE_LOCAL, S)                                                                 \
    X(ADD_INT, PUSH_SMALL, S)                                                                  \
    X(MUL_INT, ADD_INT, S)                                                                     \
    X(MUL_INT, LOAD_LOCAL2, S)                                                                 \
    X(MUL_INT, PUSH_SMALL, S)                                                                  \
    X(MOD_INT, STORE_LOCAL, S)                                                                 \
    X(MOD_INT, ADD_INT, S)                                                                     \
    X(MOD_INT, RET, G)                                                                         \
    X(MOD_INT, NEW_RECORD, G)                                                                  \
    X(MOD_INT, LOAD_LOCAL_FIELD, G)                                                            \
    X(XOR_INT, STORE_LOCAL, S)                                                                 \
    X(USHR_INT, XOR_INT, S)                                                                    \
    X(AND_INT, JNE_INT_IMM, J)                                                                 \
    X(AND_INT, ARRAY_GET, G)                                                                   \
    X(ADD_INT_IMM, CALL, G)                                                                    \
    X(ADD_INT_IMM, STORE_LOCAL, S)

enum {
#define VM_FUSED_ENUM(a, b, kind) FUSED_##a##__##b,
    VM_FUSED_PAIRS(VM_FUSED_ENUM)
#undef VM_FUSED_ENUM
    VM_NFUSED
};

/* Internal opcodes: VM_FUSED_BASE + FUSED_A__B.  Every opcode of xcode is below VM_NOPCODES. */
#define VM_FUSED_BASE 256
#define VM_NOPCODES (VM_FUSED_BASE + VM_NFUSED)

/* The two opcodes of each pair. */
static const uint8_t vm_fused_ops[VM_NFUSED][2] = {
#define VM_FUSED_OPS(a, b, kind) {OP_##a, OP_##b},
    VM_FUSED_PAIRS(VM_FUSED_OPS)
#undef VM_FUSED_OPS
};

#endif
