/* vmrun.h: run a .nvm image in-process for tests and capture what it prints. */
#ifndef NANOVM_TEST_VMRUN_H
#define NANOVM_TEST_VMRUN_H

#include <stddef.h>
#include <stdint.h>

#include "process.h"

typedef struct {
    int loaded;    /* 0 when program_load rejected the image (see load_error) */
    char load_error[512];
    int status;    /* exit status */
    char *out;     /* captured stdout, NUL-terminated (malloc'd) */
    char *err;     /* captured stderr */
    uint64_t collections;    /* garbage collections the run made */
    uint64_t op_counts[256]; /* opcodes executed (only in builds with VM_COUNT_OPS) */
} VmResult;

/* Load bytes[0..len) and run it as a process with the given arguments (argv[0] is set to
 * "test.nvm"), feeding 'input' (may be NULL) on stdin.  opt may be NULL for defaults. */
VmResult vm_run_bytes(const uint8_t *bytes, size_t len, int argc, char **argv, const char *input,
                      const ProcessOptions *opt);
void vm_result_free(VmResult *r);

/* The program the assembler source src (tests/lib/nvmasm.h) makes, loaded and verified; a test
 * whose own program does not load is broken, so this aborts with the loader's message. */
Program *vm_load_asm(const char *src);

/* Opcodes executed by every vm_run_bytes so far in this test program (VM_COUNT_OPS builds). */
extern uint64_t vm_total_op_counts[256];

#endif
