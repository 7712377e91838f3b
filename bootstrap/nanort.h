/* nanort.h: the C runtime that nanoc0's output links against (the native half of the
 * bootstrap).  Memory comes from the Boehm collector and is never freed.  Every builtin in
 * docs/BUILTINS.md has an nr_ function here; runtime errors print "file:line: error: msg" and
 * exit with status 1.  Number formatting and parsing is vm/numfmt.c, shared with the VM. */
#ifndef NANORT_H
#define NANORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An immutable byte string: any bytes 0..255, not NUL terminated.  Passed by value. */
typedef struct {
    int64_t len;
    const char *ptr;
} nr_str;

/* A growable array of elements of esize bytes.  Arrays are references (nr_array *). */
typedef struct nr_array {
    int64_t len, cap;
    size_t esize;
    char *data;
} nr_array;

/* A hash map with int or string keys, iterated in insertion order. */
typedef struct nr_map nr_map;

#define NR_LIT(s, n) ((nr_str){(n), (s)})

/* ---- process, memory, errors (rt.c) ---- */
void nr_init(int argc, char **argv);
void *nr_alloc(size_t n);        /* zeroed, scanned for pointers */
void *nr_alloc_atomic(size_t n); /* not scanned: bytes only */
_Noreturn void nr_fail(const char *file, int64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void nr_no_return(const char *file, int64_t line, const char *fn);
_Noreturn void nr_unset_global(const char *name, const char *file, int64_t line);
void nr_assert(bool ok, const char *file, int64_t line);
int nr_finish(int64_t status);         /* flushes output; status & 255 */
int nr_run_tests(int n, void (*const *fns)(void), const char *const *names);

/* ---- integers: two's complement wrap, total division ---- */
static inline int64_t nr_wrap(uint64_t u) {
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}
static inline int64_t nr_add(int64_t a, int64_t b) { return nr_wrap((uint64_t)a + (uint64_t)b); }
static inline int64_t nr_sub(int64_t a, int64_t b) { return nr_wrap((uint64_t)a - (uint64_t)b); }
static inline int64_t nr_mul(int64_t a, int64_t b) { return nr_wrap((uint64_t)a * (uint64_t)b); }
static inline int64_t nr_neg(int64_t a) { return nr_wrap((uint64_t)0 - (uint64_t)a); }
static inline int64_t nr_div(int64_t a, int64_t b) {
    if (b == 0) return 0;
    if (b == -1) return nr_neg(a);
    return a / b;
}
static inline int64_t nr_mod(int64_t a, int64_t b) {
    if (b == 0 || b == -1) return 0;
    return a % b;
}

/* ---- bits: on the two's complement representation; shift counts are taken & 63 ---- */
static inline int64_t nr_bit_and(int64_t a, int64_t b) { return nr_wrap((uint64_t)a & (uint64_t)b); }
static inline int64_t nr_bit_or(int64_t a, int64_t b) { return nr_wrap((uint64_t)a | (uint64_t)b); }
static inline int64_t nr_bit_xor(int64_t a, int64_t b) { return nr_wrap((uint64_t)a ^ (uint64_t)b); }
static inline int64_t nr_bit_shl(int64_t a, int64_t n) { return nr_wrap((uint64_t)a << ((uint64_t)n & 63u)); }
static inline int64_t nr_bit_ushr(int64_t a, int64_t n) { return nr_wrap((uint64_t)a >> ((uint64_t)n & 63u)); }
static inline int64_t nr_bit_shr(int64_t a, int64_t n) {
    uint64_t s = (uint64_t)n & 63u;
    /* arithmetic: for negative a, shift the complement (non-negative) and complement back */
    return a < 0 ? ~(int64_t)(~(uint64_t)a >> s) : (int64_t)((uint64_t)a >> s);
}
static inline int64_t nr_float_to_bits(double f) {
    uint64_t u;
    memcpy(&u, &f, sizeof u);
    return nr_wrap(u);
}
static inline double nr_bits_to_float(int64_t i) {
    double f;
    memcpy(&f, &i, sizeof f);
    return f;
}

/* ---- output and host (io.c) ---- */
void nr_print_int(int64_t v);
void nr_print_float(double v);
void nr_print_bool(bool v);
void nr_print_str(nr_str s);
void nr_println_int(int64_t v);
void nr_println_float(double v);
void nr_println_bool(bool v);
void nr_println_str(nr_str s);
void nr_eprint(nr_str s);
void nr_eprintln(nr_str s);
int64_t nr_get_argc(void);
nr_str nr_get_argv(int64_t i, const char *file, int64_t line);
nr_str nr_file_read(nr_str path);
int64_t nr_file_read_status(nr_str path); /* bootstrap/io_status.c */
bool nr_file_exists(nr_str path);
int64_t nr_file_write(nr_str path, nr_str data);
int64_t nr_file_write_exec(nr_str path, nr_str data);
nr_str nr_getenv(nr_str name);
nr_str nr_run_shadow_tests(nr_str image); /* shadow.c: vm/shadow.c's report */
nr_str nr_run_shadow_tests_steps(nr_str image, int64_t steps, const char *file, int64_t line);
int64_t nr_clock_ns(void);                 /* monotonic clock, nanoseconds */
int64_t nr_run_program(nr_str image, nr_array *args); /* shadow.c: vm/image.c */
_Noreturn void nr_exit(int64_t status);
_Noreturn void nr_panic(nr_str msg, const char *file, int64_t line);

/* ---- numbers (num.c) ---- */
int64_t nr_abs_int(int64_t x);
double nr_abs_float(double x);
int64_t nr_min_int(int64_t a, int64_t b);
int64_t nr_max_int(int64_t a, int64_t b);
double nr_min_float(double a, double b);
double nr_max_float(double a, double b);
double nr_sqrt(double x);
double nr_floor(double x);
double nr_ceil(double x);
double nr_round(double x);
double nr_sin(double x);
double nr_cos(double x);
double nr_tan(double x);
double nr_exp(double x);
double nr_log(double x);
double nr_pow(double a, double b);
double nr_atan2(double a, double b);
double nr_int_to_float(int64_t i);
int64_t nr_float_to_int(double f);
nr_str nr_int_to_string(int64_t i);
nr_str nr_float_to_string(double f);
nr_str nr_bool_to_string(bool b);
int64_t nr_string_to_int(nr_str s);
double nr_string_to_float(nr_str s);

/* cast_int, cast_float, cast_bool, cast_string and to_string: the template names one of these
 * by the argument's type (%t). */
static inline int64_t nr_cast_int_int(int64_t v) { return v; }
static inline int64_t nr_cast_int_float(double v) { return nr_float_to_int(v); }
static inline int64_t nr_cast_int_bool(bool v) { return v ? 1 : 0; }
static inline int64_t nr_cast_int_str(nr_str v) { return nr_string_to_int(v); }
static inline double nr_cast_float_int(int64_t v) { return nr_int_to_float(v); }
static inline double nr_cast_float_float(double v) { return v; }
static inline double nr_cast_float_bool(bool v) { return v ? 1.0 : 0.0; }
static inline double nr_cast_float_str(nr_str v) { return nr_string_to_float(v); }
static inline bool nr_cast_bool_int(int64_t v) { return v != 0; }
static inline bool nr_cast_bool_float(double v) { return v != 0.0; }
static inline bool nr_cast_bool_bool(bool v) { return v; }
static inline bool nr_cast_bool_str(nr_str v) { return v.len != 0; }
static inline nr_str nr_cast_string_int(int64_t v) { return nr_int_to_string(v); }
static inline nr_str nr_cast_string_float(double v) { return nr_float_to_string(v); }
static inline nr_str nr_cast_string_bool(bool v) { return nr_bool_to_string(v); }
static inline nr_str nr_cast_string_str(nr_str v) { return v; }

/* ---- strings (str.c) ---- */
static inline int64_t nr_str_length(nr_str s) { return s.len; }
nr_str nr_str_concat(nr_str a, nr_str b);
nr_str nr_str_substring(nr_str s, int64_t start, int64_t len, const char *file, int64_t line);
bool nr_str_equals(nr_str a, nr_str b);
int64_t nr_str_compare(nr_str a, nr_str b);
bool nr_str_contains(nr_str s, nr_str part);
int64_t nr_str_index_of(nr_str s, nr_str part);
bool nr_str_starts_with(nr_str s, nr_str prefix);
bool nr_str_ends_with(nr_str s, nr_str suffix);
nr_str nr_str_join(nr_array *parts);
_Noreturn void nr_char_index_fail(nr_str s, int64_t i, const char *file, int64_t line);
static inline int64_t nr_char_at(nr_str s, int64_t i, const char *file, int64_t line) {
    if ((uint64_t)i >= (uint64_t)s.len) nr_char_index_fail(s, i, file, line);
    return (unsigned char)s.ptr[i];
}
nr_str nr_string_from_char(int64_t c, const char *file, int64_t line);
bool nr_is_digit(int64_t c);
bool nr_is_alpha(int64_t c);
bool nr_is_alnum(int64_t c);
bool nr_is_whitespace(int64_t c);
bool nr_is_upper(int64_t c);
bool nr_is_lower(int64_t c);

/* ---- arrays (array.c) ---- */
nr_array *nr_array_make(size_t esize, int64_t n);          /* n zeroed elements */
nr_array *nr_array_new(int64_t n, size_t esize, const void *init, const char *file, int64_t line);
nr_array *nr_array_from(size_t esize, int64_t n, const void *items);
/* at and array_set are inline (the compiler reads its context records' cells through them);
 * an index out of range fails in nr_array_index_fail. */
_Noreturn void nr_array_index_fail(nr_array *a, int64_t i, const char *file, int64_t line);
static inline void *nr_array_at(nr_array *a, int64_t i, const char *file, int64_t line) {
    if ((uint64_t)i >= (uint64_t)a->len) nr_array_index_fail(a, i, file, line);
    return a->data + (size_t)i * a->esize;
}
static inline void nr_array_set(nr_array *a, int64_t i, const void *x, const char *file,
                                int64_t line) {
    memcpy(nr_array_at(a, i, file, line), x, a->esize);
}
nr_array *nr_array_push(nr_array *a, const void *x);
void *nr_array_pop(nr_array *a, const char *file, int64_t line);
nr_array *nr_array_slice(nr_array *a, int64_t start, int64_t len, const char *file, int64_t line);
static inline int64_t nr_array_length(nr_array *a) { return a->len; }

/* ---- maps (map.c) ---- */
nr_map *nr_map_new(bool str_keys, size_t vsize);
void nr_map_put_s(nr_map *m, nr_str k, const void *v);
void nr_map_put_i(nr_map *m, int64_t k, const void *v);
void *nr_map_get_s(nr_map *m, nr_str k, const char *file, int64_t line);
void *nr_map_get_i(nr_map *m, int64_t k, const char *file, int64_t line);
bool nr_map_has_s(nr_map *m, nr_str k);
bool nr_map_has_i(nr_map *m, int64_t k);
void nr_map_remove_s(nr_map *m, nr_str k);
void nr_map_remove_i(nr_map *m, int64_t k);
int64_t nr_map_size(nr_map *m);
nr_array *nr_map_keys(nr_map *m);
nr_array *nr_map_values(nr_map *m);
void nr_map_clear(nr_map *m);

/* ---- native builtins (natives.c; the byte-level work is vm/natives_core.c, shared with the
 * VM's vm/natives.c) ---- */
nr_str nr_str_trim(nr_str s);
nr_str nr_str_trim_left(nr_str s);
nr_str nr_str_trim_right(nr_str s);
nr_str nr_str_to_lower(nr_str s);
nr_str nr_str_to_upper(nr_str s);
nr_str nr_str_replace(nr_str s, nr_str pat, nr_str rep);
nr_array *nr_str_split(nr_str s, nr_str sep);
nr_str nr_str_repeat(nr_str s, int64_t n, const char *file, int64_t line);
int64_t nr_char_to_lower(int64_t c);
int64_t nr_char_to_upper(int64_t c);
int64_t nr_digit_value(int64_t c);
void *nr_array_remove_at(nr_array *a, int64_t i, const char *file, int64_t line);
void nr_array_clear(nr_array *a);
nr_array *nr_array_concat(nr_array *a, nr_array *b);
nr_array *nr_array_reverse(nr_array *a);
/* How array_index_of, array_contains and array_sort compare elements of C type T. */
enum { NR_KIND_INT, NR_KIND_FLOAT, NR_KIND_BOOL, NR_KIND_STR, NR_KIND_OTHER };
#define NR_KIND(T)                                                                             \
    _Generic((T *)0, int64_t *: NR_KIND_INT, double *: NR_KIND_FLOAT, bool *: NR_KIND_BOOL,   \
             nr_str *: NR_KIND_STR, default: NR_KIND_OTHER)
int64_t nr_array_index_of(nr_array *a, const void *x, int kind);
nr_array *nr_array_sort(nr_array *a, int kind);
nr_str nr_float_to_repr(double f);
nr_str nr_float_to_fixed(double f, int64_t digits, const char *file, int64_t line);

/* ---- files, directories, the environment, standard input, time, random numbers, paths
 * (sys.c; vm/sysio.c and vm/natives_core.c, shared with the VM) ---- */
int64_t nr_file_append(nr_str path, nr_str data);
int64_t nr_file_remove(nr_str path);
int64_t nr_file_rename(nr_str from, nr_str to);
int64_t nr_file_size(nr_str path);
int64_t nr_dir_create(nr_str path);
int64_t nr_dir_remove(nr_str path);
bool nr_dir_exists(nr_str path);
int64_t nr_file_kind(nr_str path);
nr_array *nr_dir_list(nr_str path);
int64_t nr_dir_list_status(nr_str path);
nr_str nr_getcwd(void);
nr_str nr_tmp_dir(void);
nr_str nr_mktemp(nr_str prefix, bool dir_too);
bool nr_env_has(nr_str name);
int64_t nr_setenv(nr_str name, nr_str value);
nr_str nr_read_line(void);
bool nr_stdin_eof(void);
nr_str nr_read_all(void);
int64_t nr_time_now(void);
void nr_random_seed(int64_t seed);
int64_t nr_random_int(int64_t lo, int64_t hi, const char *file, int64_t line);
double nr_random_float(void);
nr_str nr_path_join(nr_str a, nr_str b);
nr_str nr_path_basename(nr_str s);
nr_str nr_path_dirname(nr_str s);
nr_str nr_path_normalize(nr_str s);
nr_str nr_format_int(nr_str spec, int64_t v, const char *file, int64_t line);
nr_str nr_format_float(nr_str spec, double v, const char *file, int64_t line);
nr_str nr_format_bool(nr_str spec, bool v, const char *file, int64_t line);
nr_str nr_format_str(nr_str spec, nr_str v, const char *file, int64_t line);

#endif
