/* sys.c: the builtins of files, directories, the environment, standard input, time, random
 * numbers and paths added for the standard library (docs/BUILTINS.md).  The file-system work is
 * vm/sysio.c and the byte-level work vm/natives_core.c, the VM's own code, so that both runtimes
 * behave the same; relative paths are the OS process's working directory's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "nanort.h"
#include "natives_core.h"
#include "numfmt.h"
#include "sysio.h"

static const char empty[1] = "";

static nr_str copy(const char *p, size_t n) {
    if (n == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic(n);
    memcpy(q, p, n);
    return (nr_str){(int64_t)n, q};
}

/* A NUL-terminated copy for the C library; NULL if s contains a NUL byte. */
static char *cstr(nr_str s) {
    if (s.len > 0 && memchr(s.ptr, 0, (size_t)s.len) != NULL) return NULL;
    char *p = nr_alloc_atomic((size_t)s.len + 1);
    memcpy(p, s.ptr, (size_t)s.len);
    p[s.len] = '\0';
    return p;
}

/* ---- files and directories ---- */

int64_t nr_file_append(nr_str path, nr_str data) {
    char *p = cstr(path);
    return p == NULL ? EINVAL : sysio_append(AT_FDCWD, p, data.ptr, (size_t)data.len, 0666);
}

int64_t nr_file_remove(nr_str path) {
    char *p = cstr(path);
    return p == NULL ? EINVAL : sysio_remove(AT_FDCWD, p);
}

int64_t nr_file_rename(nr_str from, nr_str to) {
    char *f = cstr(from), *t = cstr(to);
    return f == NULL || t == NULL ? EINVAL : sysio_rename(AT_FDCWD, f, t);
}

int64_t nr_file_size(nr_str path) {
    char *p = cstr(path);
    return p == NULL ? -1 : sysio_file_size(AT_FDCWD, p);
}

int64_t nr_dir_create(nr_str path) {
    char *p = cstr(path);
    return p == NULL ? EINVAL : sysio_dir_create(AT_FDCWD, p, 0777);
}

int64_t nr_dir_remove(nr_str path) {
    char *p = cstr(path);
    return p == NULL ? EINVAL : sysio_dir_remove(AT_FDCWD, p);
}

bool nr_dir_exists(nr_str path) {
    char *p = cstr(path);
    return p != NULL && sysio_dir_exists(AT_FDCWD, p);
}

int64_t nr_file_kind(nr_str path) {
    char *p = cstr(path);
    return p == NULL ? 0 : sysio_file_kind(AT_FDCWD, p);
}

nr_array *nr_dir_list(nr_str path) {
    nr_array *a = nr_array_make(sizeof(nr_str), 0);
    char *p = cstr(path);
    char **names = NULL;
    size_t n = 0;
    if (p == NULL || sysio_dir_list(AT_FDCWD, p, &names, &n) != 0) return a;
    for (size_t i = 0; i < n; i++) {
        nr_str s = copy(names[i], strlen(names[i]));
        nr_array_push(a, &s);
    }
    sysio_free_names(names, n);
    return a;
}

int64_t nr_dir_list_status(nr_str path) {
    char *p = cstr(path);
    char **names = NULL;
    size_t n = 0;
    if (p == NULL) return EINVAL;
    int err = sysio_dir_list(AT_FDCWD, p, &names, &n);
    sysio_free_names(names, n);
    return err;
}

nr_str nr_getcwd(void) {
    char *cwd = sysio_getcwd(AT_FDCWD);
    nr_str r = cwd ? copy(cwd, strlen(cwd)) : (nr_str){0, empty};
    free(cwd);
    return r;
}

nr_str nr_tmp_dir(void) {
    const char *d = sysio_tmp_dir(getenv("TMPDIR"));
    return copy(d, strlen(d));
}

nr_str nr_mktemp(nr_str prefix, bool dir_too) {
    char *p = cstr(prefix);
    char *made = NULL;
    if (p == NULL || sysio_mktemp(AT_FDCWD, sysio_tmp_dir(getenv("TMPDIR")), p, dir_too, &made) != 0)
        return (nr_str){0, empty};
    nr_str r = copy(made, strlen(made));
    free(made);
    return r;
}

/* ---- the environment ---- */

bool nr_env_has(nr_str name) {
    char *p = cstr(name);
    return p != NULL && sysio_env_name_ok(p) && getenv(p) != NULL;
}

int64_t nr_setenv(nr_str name, nr_str value) {
    char *n = cstr(name), *v = cstr(value);
    if (n == NULL || v == NULL || !sysio_env_name_ok(n)) return EINVAL;
    return setenv(n, v, 1) == 0 ? 0 : (errno ? errno : ENOMEM);
}

/* ---- standard input ---- */

nr_str nr_read_line(void) {
    fflush(stdout);
    size_t len = 0, cap = 64;
    char *buf = nr_alloc_atomic(cap);
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (len == cap) {
            char *nb = nr_alloc_atomic(cap * 2);
            memcpy(nb, buf, len);
            buf = nb;
            cap *= 2;
        }
        buf[len++] = (char)c;
    }
    return len ? (nr_str){(int64_t)len, buf} : (nr_str){0, empty};
}

bool nr_stdin_eof(void) {
    fflush(stdout);
    int c = getchar();
    if (c == EOF) return true;
    ungetc(c, stdin);
    return false;
}

nr_str nr_read_all(void) {
    fflush(stdout);
    size_t len = 0, cap = 4096;
    char *buf = nr_alloc_atomic(cap);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len, stdin)) > 0) {
        len += r;
        if (len == cap) {
            char *nb = nr_alloc_atomic(cap * 2);
            memcpy(nb, buf, len);
            buf = nb;
            cap *= 2;
        }
    }
    return len ? (nr_str){(int64_t)len, buf} : (nr_str){0, empty};
}

/* ---- time ---- */

int64_t nr_time_now(void) { return sysio_time_now(); }

/* ---- random numbers ---- */

static uint64_t rng; /* 0 at the start, as after random_seed 0 */

void nr_random_seed(int64_t seed) { rng = (uint64_t)seed; }

int64_t nr_random_int(int64_t lo, int64_t hi, const char *file, int64_t line) {
    if (lo > hi) nr_fail(file, line, "random_int with an empty range [%lld, %lld]", (long long)lo, (long long)hi);
    return nc_rng_range(&rng, lo, hi);
}

double nr_random_float(void) { return nc_rng_float(&rng); }

/* ---- paths ---- */

nr_str nr_path_join(nr_str a, nr_str b) {
    if ((b.len > 0 && b.ptr[0] == '/') || a.len == 0) return b;
    if (b.len == 0) return a;
    char *q = nr_alloc_atomic((size_t)(a.len + b.len + 1));
    size_t n = nc_path_join(a.ptr, (size_t)a.len, b.ptr, (size_t)b.len, q);
    return (nr_str){(int64_t)n, q};
}

nr_str nr_path_basename(nr_str s) {
    size_t start, len;
    nc_path_basename(s.ptr, (size_t)s.len, &start, &len);
    return len ? (nr_str){(int64_t)len, s.ptr + start} : (nr_str){0, empty};
}

nr_str nr_path_dirname(nr_str s) {
    char *q = nr_alloc_atomic((size_t)s.len + 1);
    return (nr_str){(int64_t)nc_path_dirname(s.ptr, (size_t)s.len, q), q};
}

nr_str nr_path_normalize(nr_str s) {
    char *q = nr_alloc_atomic((size_t)s.len + 1);
    return (nr_str){(int64_t)nc_path_normalize(s.ptr, (size_t)s.len, q), q};
}

/* ---- format ---- */

static NcFormat format_spec(nr_str spec, const char *file, int64_t line) {
    NcFormat f;
    const char *why = nc_format_parse(spec.ptr, (size_t)spec.len, &f);
    if (why != NULL) nr_fail(file, line, "format: %s in the spec", why);
    return f;
}

static nr_str format_write(nr_str spec, const NcFormat *f, const char *val, size_t vn) {
    if (f->conv == 's' && f->prec >= 0 && vn > (size_t)f->prec) vn = (size_t)f->prec;
    size_t len = nc_format_write(spec.ptr, (size_t)spec.len, f, val, vn, NULL);
    if (len == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic(len);
    nc_format_write(spec.ptr, (size_t)spec.len, f, val, vn, q);
    return (nr_str){(int64_t)len, q};
}

nr_str nr_format_int(nr_str spec, int64_t v, const char *file, int64_t line) {
    NcFormat f = format_spec(spec, file, line);
    char num[NC_FORMAT_NUM_BUF];
    size_t n = f.conv == 'd' ? nc_format_int(&f, v, num)
               : f.conv == 's' ? nf_format_int(v, num)
                               : nc_format_float(&f, (double)v, num);
    return format_write(spec, &f, num, n);
}

nr_str nr_format_float(nr_str spec, double v, const char *file, int64_t line) {
    NcFormat f = format_spec(spec, file, line);
    if (f.conv == 'd') nr_fail(file, line, "format: %%d needs an int, got a float");
    char num[NC_FORMAT_NUM_BUF];
    size_t n = f.conv == 's' ? nf_format_float(v, num) : nc_format_float(&f, v, num);
    return format_write(spec, &f, num, n);
}

nr_str nr_format_str(nr_str spec, nr_str v, const char *file, int64_t line) {
    NcFormat f = format_spec(spec, file, line);
    if (f.conv != 's') nr_fail(file, line, "format: %%%c needs %s, got a string", f.conv,
                               f.conv == 'd' ? "an int" : "a float or an int");
    return format_write(spec, &f, v.len ? v.ptr : empty, (size_t)v.len);
}

nr_str nr_format_bool(nr_str spec, bool v, const char *file, int64_t line) {
    NcFormat f = format_spec(spec, file, line);
    if (f.conv != 's') nr_fail(file, line, "format: %%%c needs %s, got a string", f.conv,
                               f.conv == 'd' ? "an int" : "a float or an int");
    return format_write(spec, &f, v ? "true" : "false", v ? 4 : 5);
}
