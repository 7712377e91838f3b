/* shadow.h: running a program's shadow tests, each in a fresh virtual process.
 *
 * Used by `nano_vm --test` and by the RUN_TESTS and RUN_TESTS_STEPS traps, through which the
 * compiler (on the VM, or natively through the bootstrap runtime, which links this library)
 * runs the shadow tests of the program it has just compiled before reporting success. */
#ifndef NANOVM_SHADOW_H
#define NANOVM_SHADOW_H

#include <stddef.h>
#include <stdint.h>

#include "process.h"
#include "program.h"

typedef struct {
    int failed;           /* 0 when the test returned normally */
    int status;           /* the process's exit status (HALT in a test counts as a failure) */
    int out_of_steps;     /* it failed because it reached its step limit */
    uint64_t limit;       /* that step limit */
    uint64_t steps;       /* instructions it executed, with those of the programs it started */
    char location[300];   /* "FILE:LINE" of the failure, "" when unknown */
    char message[512];    /* the runtime error's message ("did not finish within N steps") */
} ShadowResult;

/* Runs shadow test i of prog: the global initializer, then the test, in a new process with the
 * options opt (descriptors, limits, nesting: see process_child_options).  Its step limit is
 * opt->test_steps (0: VM_DEFAULT_TEST_STEPS), or opt->max_steps when that is smaller and not 0.
 * Returns 0, or -1 when the process could not be created. */
int shadow_run_one(const Program *prog, uint32_t i, const ProcessOptions *opt, ShadowResult *r);

/* Loads a .nvm image and runs all its shadow tests in source order, each with the options opt
 * (its descriptors are ignored: the tests read an empty standard input and their output is
 * discarded); opt->max_steps, when not 0, is the budget of all the tests together, and *steps
 * (when steps is not NULL) is set to the instructions they executed.  Returns a malloc'd
 * report, one line per test, "ok NAME" or "not ok NAME<TAB>LOCATION<TAB>MESSAGE", or the single
 * line "error<TAB>MESSAGE" when the image does not load; NULL when out of memory. */
char *shadow_run_image(const uint8_t *bytes, size_t len, const ProcessOptions *opt,
                       uint64_t *steps);

#endif
