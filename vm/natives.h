/* natives.h: the native builtins, the rows of isa/builtins.def whose lowering is NATIVE.
 *
 * A call of one is the instruction CALL_NATIVE N (docs/ISA.md), N the native's index: its
 * position among the NATIVE rows of builtins.def, in table order (the compiler gets the same
 * number from isa/gen_tables.c, as LOWER_A of the row).  The instruction pops the builtin's
 * parameters (the words of its signature before ':') and pushes its result unless the result
 * word is `void`.
 *
 * Each native is a C function in vm/natives.c named after its builtin:
 *
 *     int native_NAME(Process *p, Value *args, Value *result)
 *
 * args[0..nparams) are the arguments (still on the value stack, so rooted); the function stores
 * its result in *result and returns 0, or records a runtime error with process_fail and returns
 * -1.  It may allocate on p->heap; a new object it still needs across a further allocation is
 * rooted with heap_push_temp (vm/heap.h), at most two at once.  The byte-level work is shared
 * with the native bootstrap runtime through vm/natives_core.c.
 */
#ifndef NANOVM_NATIVES_H
#define NANOVM_NATIVES_H

#include <stdint.h>

#include "process.h"
#include "value.h"

/* NATIVE_NAME: the index of each native builtin. */
#define NATIVE_ROW_OP(name)
#define NATIVE_ROW_NUM(name)
#define NATIVE_ROW_TRAP(name)
#define NATIVE_ROW_TRAP1(name)
#define NATIVE_ROW_HELPER(name)
#define NATIVE_ROW_SPECIAL(name)
#define NATIVE_ROW_NATIVE(name) NATIVE_##name,
typedef enum {
#define BUILTIN(name, sig, low, a, b, effect, native) NATIVE_ROW_##low(name)
#include "builtins.def"
#undef BUILTIN
    NATIVE__COUNT
} NativeNo;

/* Layer 1 (vm/native_sigs.c; the verifier and the disassembler use it): each native's name
 * and signature words. */
typedef struct {
    const char *name; /* the builtin's name */
    const char *sig;  /* its signature words (builtins.def) */
} NativeSig;

extern const NativeSig native_sigs[NATIVE__COUNT];

/* The parameter count of native n (< NATIVE__COUNT) and its result count (0 or 1), from the
 * words of its signature. */
int native_params(uint32_t n);
int native_results(uint32_t n);

/* Layer 3, beside the interpreter (vm/natives.c): the functions. */
typedef int (*NativeFn)(Process *p, Value *args, Value *result);

extern const NativeFn native_fns[NATIVE__COUNT];

#endif
