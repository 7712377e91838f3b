/* shadow.c: the run_shadow_tests and run_program builtins, natively.  It is the VM library's own code
 * (vm/shadow.c, the same that services the VM's RUN_TESTS trap), linked into the program, so the
 * native stage 1 compiler and the compiler running on the VM run shadow tests identically. */
#include <stdio.h>
#include <stdlib.h>

#include "nanort.h"
#include "image.h"
#include "shadow.h"

/* The options (limits, read_only) of the virtual processes run_shadow_tests and run_program
 * start: the defaults, one level down, since the native program has no limits of its own.  A
 * program that embeds the compiler may set them (tests/fuzz/fuzz_front.c runs the shadow tests
 * of what it compiles read-only and under small limits); the descriptors are set per call. */
ProcessOptions nr_vm_options = {.nesting = 1};

/* The report of the shadow tests of image, each with the step limit test_steps (0: that of
 * nr_vm_options, by default VM_DEFAULT_TEST_STEPS), as the RUN_TESTS traps give it. */
static nr_str run_tests(nr_str image, uint64_t test_steps) {
    ProcessOptions o = nr_vm_options;
    if (test_steps > 0) o.test_steps = test_steps;
    char *report = shadow_run_image((const uint8_t *)image.ptr, (size_t)image.len, &o, NULL);
    if (report == NULL) {
        fflush(stdout);
        fprintf(stderr, "run_shadow_tests: out of memory\n");
        exit(1);
    }
    size_t n = strlen(report);
    char *copy = nr_alloc_atomic(n + 1);
    memcpy(copy, report, n + 1);
    free(report);
    return (nr_str){(int64_t)n, copy};
}

nr_str nr_run_shadow_tests(nr_str image) { return run_tests(image, 0); }

/* run_shadow_tests_steps: the RUN_TESTS_STEPS trap's checks and limit. */
nr_str nr_run_shadow_tests_steps(nr_str image, int64_t steps, const char *file, int64_t line) {
    if (steps < 0)
        nr_fail(file, line, "run_shadow_tests_steps: negative step limit %lld", (long long)steps);
    return run_tests(image, (uint64_t)steps);
}

/* run_program: the VM library's image_run (vm/image.c), as the RUN_PROGRAM trap does it. */
int64_t nr_run_program(nr_str image, nr_array *args) {
    char **argv = nr_alloc((size_t)(args->len + 1) * sizeof *argv);
    for (int64_t i = 0; i < args->len; i++) {
        nr_str s = ((nr_str *)args->data)[i];
        char *c = nr_alloc_atomic((size_t)s.len + 1);
        memcpy(c, s.ptr, (size_t)s.len);
        c[s.len] = '\0';
        argv[i] = c;
    }
    fflush(stdout);
    fflush(stderr);
    ProcessOptions o = nr_vm_options;
    o.in_fd = 0, o.out_fd = 1, o.err_fd = 2;
    return image_run((const uint8_t *)image.ptr, (size_t)image.len, (int)args->len, argv, &o, NULL);
}
