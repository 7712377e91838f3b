/* tap.h: tiny TAP helpers for C tests (TAP 13 without a version line: "1..N", "ok N - what",
 * "not ok N - what").
 *
 *     int main(void) {
 *         plan(2);                       // or no plan: done() prints "1..N" at the end
 *         ok(1 + 1 == 2, "addition");
 *         like(msg, "CRC mismatch", "corrupt file is rejected");
 *         return done();                 // 0 when every test passed and the plan was met
 *     }
 *
 * Header-only (each test program is one translation unit).  Output is unbuffered in order, so
 * a crash loses nothing already reported.
 */
#ifndef NANOVM_TAP_H
#define NANOVM_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_planned_ = -1, tap_run_ = 0, tap_failed_ = 0;

static inline void plan(int n) {
    tap_planned_ = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

/* Print the description with newlines and '#' made harmless. */
static inline void tap_desc_(const char *fmt, va_list ap) {
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '#') *c = ' ';
    fputs(buf, stdout);
}

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...) {
    tap_run_++;
    if (!cond) tap_failed_++;
    printf("%sok %d - ", cond ? "" : "not ", tap_run_);
    va_list ap;
    va_start(ap, fmt);
    tap_desc_(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return cond;
}

/* A diagnostic line ("# ..."), on stderr so that prove shows it. */
__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "# %s\n", buf);
    fflush(stderr);
}

/* A comment line on stdout (shown by prove -v only). */
__attribute__((format(printf, 1, 2))) static inline void note(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("# %s\n", buf);
    fflush(stdout);
}

/* ok(got == want) with a diagnostic on failure. */
#define is_int(got, want, ...)                                                                 \
    tap_is_int_((long long)(got), (long long)(want), __VA_ARGS__)
__attribute__((format(printf, 3, 4))) static inline int tap_is_int_(long long got,
                                                                    long long want,
                                                                    const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int r = ok(got == want, "%s", buf);
    if (!r) diag("  got %lld, expected %lld", got, want);
    return r;
}

/* ok(strstr(got, substring)) with a diagnostic on failure; got may be NULL. */
__attribute__((format(printf, 3, 4))) static inline int like(const char *got,
                                                             const char *substring,
                                                             const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int r = ok(got != NULL && strstr(got, substring) != NULL, "%s", buf);
    if (!r) diag("  got '%s', expected it to contain '%s'", got ? got : "(null)", substring);
    return r;
}

/* Print the plan if there was none; the exit status for main. */
static inline int done(void) {
    if (tap_planned_ < 0) printf("1..%d\n", tap_run_);
    fflush(stdout);
    if (tap_planned_ >= 0 && tap_planned_ != tap_run_) {
        diag("planned %d tests but ran %d", tap_planned_, tap_run_);
        return 1;
    }
    return tap_failed_ ? 1 : 0;
}

#endif
