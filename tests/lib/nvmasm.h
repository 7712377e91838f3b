/* nvmasm.h: a small text assembler for NanoISA, on top of the builder (nvmbuild.h), so that VM
 * tests read like the programs they run.
 *
 *     .func main 0 1 1          ; name, parameters, locals, results: declares and begins it
 *     .file "t.nano" 1          ; source file and declaration line of the current function
 *     .line 3                   ; source line of the following instructions
 *         PUSH_SMALL 0
 *         STORE_LOCAL 0
 *     top:                      ; a label (scoped to the function)
 *         LOAD_LOCAL 0
 *         JGE_INT_IMM 10 done
 *         INC_LOCAL 0 1
 *         JUMP top
 *     done:
 *         PUSH_STR "bye\n"
 *         TRAP PRINT
 *         PUSH_SMALL 0
 *         RET
 *
 * Directives: .func NAME P L R, .file "F" LINE, .line N, .struct NAME FIELD..., .tuple NAME N,
 * .union NAME, .variant UNION NAME FIELD..., .enum NAME V..., .global NAME, .entry NAME,
 * .init NAME, .shadow NAME FUNC, .import NAME LIB|- RETKIND PARAMKIND... (kinds: void int float
 * bool string opaque), .module NAME.
 * Operands by kind: FUNC, GLOBAL, TYPE, IMPORT by name (or number); VARIANT by name within the
 * preceding TYPE (or number); TRAPNO by name (PRINT) or number; STR a "quoted string" with
 * \n \t \r \\ \" \0 \xHH escapes; JUMP a label; TABLE a list of labels; I64/I32/COUNT/... a
 * number (decimal or 0x hex); F64 a float (strtod syntax).  ';' or '#' starts a comment.
 * Functions are referenced before their .func (two passes).  The first .func is the entry
 * unless .entry says otherwise.
 *
 * Assembly errors abort the test program with "asm:LINE: message" (they are bugs in a test).
 */
#ifndef NANOVM_NVMASM_H
#define NANOVM_NVMASM_H

#include <stddef.h>
#include <stdint.h>

#include "nvmbuild.h"

/* Assemble into a new builder (for tests that want to add to it or corrupt it). */
NB *asm_builder(const char *src);
/* Assemble straight to file bytes (malloc'd). */
uint8_t *asm_build(const char *src, size_t *len);

#endif
