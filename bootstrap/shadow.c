/* shadow.c: the run_shadow_tests builtin, natively.  It is the VM library's own code
 * (vm/shadow.c, the same that services the VM's RUN_TESTS trap), linked into the program, so the
 * native stage 1 compiler and the compiler running on the VM run shadow tests identically. */
#include <stdio.h>
#include <stdlib.h>

#include "nanort.h"
#include "shadow.h"

nr_str nr_run_shadow_tests(nr_str image) {
    char *report = shadow_run_image((const uint8_t *)image.ptr, (size_t)image.len);
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
