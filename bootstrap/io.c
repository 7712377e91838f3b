/* io.c: print, the program's arguments, files, the environment and exit. */
#include "nanort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "numfmt.h"

extern int nr_argc;
extern char **nr_argv;
extern bool nr_quiet;

static void out(const char *p, size_t n) {
    if (!nr_quiet && n > 0) fwrite(p, 1, n, stdout);
}

void nr_print_int(int64_t v) {
    char buf[NF_INT_BUF];
    out(buf, nf_format_int(v, buf));
}
void nr_print_float(double v) {
    char buf[NF_FLOAT_BUF];
    out(buf, nf_format_float(v, buf));
}
void nr_print_bool(bool v) { v ? out("true", 4) : out("false", 5); }
void nr_print_str(nr_str s) { out(s.ptr, (size_t)s.len); }
void nr_println_int(int64_t v) { nr_print_int(v), out("\n", 1); }
void nr_println_float(double v) { nr_print_float(v), out("\n", 1); }
void nr_println_bool(bool v) { nr_print_bool(v), out("\n", 1); }
void nr_println_str(nr_str s) { nr_print_str(s), out("\n", 1); }

void nr_eprint(nr_str s) {
    fflush(stdout);
    if (s.len > 0) fwrite(s.ptr, 1, (size_t)s.len, stderr);
}
void nr_eprintln(nr_str s) {
    nr_eprint(s);
    fputc('\n', stderr);
}

int64_t nr_get_argc(void) { return nr_argc; }

nr_str nr_get_argv(int64_t i, const char *file, int64_t line) {
    if (i < 0 || i >= nr_argc) nr_fail(file, line, "get_argv: index %lld out of range", (long long)i);
    return (nr_str){(int64_t)strlen(nr_argv[i]), nr_argv[i]};
}

/* A NUL-terminated copy for the C library; NULL if s contains a NUL byte (no such file). */
static char *cpath(nr_str s) {
    if (memchr(s.ptr, 0, (size_t)s.len) != NULL) return NULL;
    char *p = nr_alloc_atomic((size_t)s.len + 1);
    memcpy(p, s.ptr, (size_t)s.len);
    p[s.len] = '\0';
    return p;
}

/* The VM's own code (vm/fileio.c, the READ_FILE trap's), so that both runtimes refuse the same
 * files: anything but a regular file, and files beyond FILEIO_READ_MAX. */
nr_str nr_file_read(nr_str path) {
    char *p = cpath(path);
    char *data;
    size_t len;
    if (p == NULL || fileio_read(p, SIZE_MAX, &data, &len) != 0) return NR_LIT("", 0);
    char *copy = nr_alloc_atomic(len + 1);
    memcpy(copy, data, len + 1);
    free(data);
    return (nr_str){(int64_t)len, copy};
}

bool nr_file_exists(nr_str path) {
    char *p = cpath(path);
    struct stat st;
    return p != NULL && stat(p, &st) == 0;
}

/* The VM's own code (vm/fileio.c, the WRITE_FILE trap's): a new file, then rename. */
int64_t nr_file_write(nr_str path, nr_str data) {
    char *p = cpath(path);
    if (p == NULL) return EINVAL; /* as the VM: a path with a NUL byte */
    return fileio_write(p, data.ptr, (size_t)data.len, 0666);
}

/* The VM's own code (vm/fileio.c, the WRITE_EXEC_FILE trap's): mode 0777 less the umask. */
int64_t nr_file_write_exec(nr_str path, nr_str data) {
    char *p = cpath(path);
    if (p == NULL) return EINVAL;
    mode_t mask = umask(0);
    umask(mask);
    return fileio_write_exec(p, data.ptr, (size_t)data.len, 0777 & ~(unsigned)mask);
}

nr_str nr_getenv(nr_str name) {
    char *p = cpath(name);
    const char *v = p ? getenv(p) : NULL;
    if (v == NULL) return NR_LIT("", 0);
    return (nr_str){(int64_t)strlen(v), v};
}

void nr_exit(int64_t status) {
    fflush(stdout);
    exit((int)((uint64_t)status & 255u));
}

void nr_panic(nr_str msg, const char *file, int64_t line) {
    nr_fail(file, line, "%.*s", (int)(msg.len > 100000 ? 100000 : msg.len), msg.ptr);
}

int64_t nr_clock_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
