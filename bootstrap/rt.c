/* rt.c: process start-up, allocation, runtime errors and the shadow-test runner. */
#include "nanort.h"

#include <gc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int nr_argc;
char **nr_argv;
bool nr_quiet; /* set while a shadow test runs: stdout output is discarded */

static jmp_buf *test_jmp; /* non-NULL while a shadow test runs */

void nr_init(int argc, char **argv) {
    GC_INIT();
    nr_argc = argc;
    nr_argv = argv;
}

void *nr_alloc(size_t n) {
    void *p = GC_MALLOC(n ? n : 1);
    if (p == NULL) {
        fputs("error: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void *nr_alloc_atomic(size_t n) {
    void *p = GC_MALLOC_ATOMIC(n ? n : 1);
    if (p == NULL) {
        fputs("error: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void nr_fail(const char *file, int64_t line, const char *fmt, ...) {
    fflush(stdout);
    fprintf(stderr, "%s:%lld: error: ", file, (long long)line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (test_jmp != NULL) longjmp(*test_jmp, 1);
    exit(1);
}

void nr_no_return(const char *file, int64_t line, const char *fn) {
    nr_fail(file, line, "function '%s' ended without returning a value", fn);
}

void nr_assert(bool ok, const char *file, int64_t line) {
    if (!ok) nr_fail(file, line, "assertion failed");
}

int nr_finish(int64_t status) {
    fflush(stdout);
    return (int)((uint64_t)status & 255u);
}

/* Runs each shadow test with stdout suppressed and prints TAP; the exit status is the number of
 * failed tests (at most 254). */
int nr_run_tests(int n, void (*const *fns)(void), const char *const *names) {
    volatile int failed = 0;
    printf("1..%d\n", n);
    for (int i = 0; i < n; i++) {
        jmp_buf jb;
        fflush(stdout);
        nr_quiet = true;
        test_jmp = &jb;
        volatile int ok = 1;
        if (setjmp(jb) == 0)
            fns[i]();
        else
            ok = 0;
        test_jmp = NULL;
        nr_quiet = false;
        if (!ok) failed++;
        printf("%sok %d - shadow %s\n", ok ? "" : "not ", i + 1, names[i]);
    }
    fflush(stdout);
    return failed > 254 ? 254 : failed;
}

void nr_unset_global(const char *name, const char *file, int64_t line) {
    nr_fail(file, line, "type error: global '%s' read before its initializer ran", name);
}
