/* shadow.h: running a program's shadow tests, each in a fresh virtual process.
 *
 * Used by `nano_vm --test` and by the RUN_TESTS trap, through which the compiler (on the VM, or
 * natively through the bootstrap runtime, which links this library) runs the shadow tests of
 * the program it has just compiled before reporting success. */
#ifndef NANOVM_SHADOW_H
#define NANOVM_SHADOW_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"

typedef struct {
    int failed;           /* 0 when the test returned normally */
    int status;           /* the process's exit status (HALT in a test counts as a failure) */
    char location[300];   /* "FILE:LINE" of the failure, "" when unknown */
    char message[512];    /* the runtime error's message */
} ShadowResult;

/* Runs shadow test i of prog: the global initializer, then the test, in a new process whose
 * output goes to discard_fd, nested `nesting` deep (ProcessOptions.nesting).  Returns 0, or -1
 * when the process could not be created. */
int shadow_run_one(const Program *prog, uint32_t i, int discard_fd, int nesting, ShadowResult *r);

/* Loads a .nvm image and runs all its shadow tests in source order.  Returns a malloc'd report,
 * one line per test, "ok NAME" or "not ok NAME<TAB>LOCATION<TAB>MESSAGE", or the single line
 * "error<TAB>MESSAGE" when the image does not load; NULL when out of memory. */
char *shadow_run_image(const uint8_t *bytes, size_t len, int nesting);

#endif
