/* natives.c: the native builtins (the NATIVE rows of isa/builtins.def) of the native runtime.
 * The byte-level work is vm/natives_core.c, the implementation the VM's vm/natives.c uses too,
 * so that both runtimes give the same bytes. */
#include <stdlib.h>

#include "nanort.h"
#include "natives_core.h"

static const char empty[1] = "";

static nr_str make(const char *p, size_t n) {
    if (n == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic(n);
    memcpy(q, p, n);
    return (nr_str){(int64_t)n, q};
}

/* ---- strings ---- */

static nr_str trim(nr_str s, bool left, bool right) {
    size_t start, len;
    nc_trim(s.ptr, (size_t)s.len, left, right, &start, &len);
    return (nr_str){(int64_t)len, len ? s.ptr + start : empty};
}

nr_str nr_str_trim(nr_str s) { return trim(s, true, true); }
nr_str nr_str_trim_left(nr_str s) { return trim(s, true, false); }
nr_str nr_str_trim_right(nr_str s) { return trim(s, false, true); }

static nr_str map_case(nr_str s, bool upper) {
    if (s.len == 0) return s;
    char *q = nr_alloc_atomic((size_t)s.len);
    nc_map_case(s.ptr, (size_t)s.len, q, upper);
    return (nr_str){s.len, q};
}

nr_str nr_str_to_lower(nr_str s) { return map_case(s, false); }
nr_str nr_str_to_upper(nr_str s) { return map_case(s, true); }

nr_str nr_str_replace(nr_str s, nr_str pat, nr_str rep) {
    size_t n = (size_t)s.len, m = (size_t)pat.len, r = (size_t)rep.len;
    size_t c = m ? nc_count(s.ptr, n, pat.ptr, m) : 0;
    if (c == 0) return s;
    if (r > m && (r - m) > (((size_t)1 << 40) - n) / c)
        nr_fail("?", 0, "out of memory (str_replace result of more than 2^40 bytes)");
    size_t total = n - c * m + c * r;
    if (total == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic(total);
    nc_replace(s.ptr, n, pat.ptr, m, rep.ptr, r, q);
    return (nr_str){(int64_t)total, q};
}

nr_array *nr_str_split(nr_str s, nr_str sep) {
    nr_array *a = nr_array_make(sizeof(nr_str), 0);
    size_t n = (size_t)s.len, m = (size_t)sep.len, at = 0;
    for (;;) {
        size_t end;
        if (m == 0) {
            if (at == n) break;
            end = at + 1;
        } else {
            int64_t i = nc_find(s.ptr, n, at, sep.ptr, m);
            end = i < 0 ? n : (size_t)i;
        }
        nr_str part = end > at ? (nr_str){(int64_t)(end - at), s.ptr + at} : (nr_str){0, empty};
        nr_array_push(a, &part);
        if (end == n) break;
        at = end + m;
    }
    return a;
}

nr_str nr_str_repeat(nr_str s, int64_t k, const char *file, int64_t line) {
    if (k < 0) nr_fail(file, line, "str_repeat with negative count %lld", (long long)k);
    size_t n = (size_t)s.len;
    if (n != 0 && (uint64_t)k > ((uint64_t)1 << 40) / n)
        nr_fail(file, line, "out of memory (str_repeat of %lld copies of %zu bytes)", (long long)k, n);
    if (n == 0 || k == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic(n * (size_t)k);
    for (int64_t i = 0; i < k; i++) memcpy(q + (size_t)i * n, s.ptr, n);
    return (nr_str){(int64_t)(n * (size_t)k), q};
}

int64_t nr_char_to_lower(int64_t c) { return nc_char_lower(c); }
int64_t nr_char_to_upper(int64_t c) { return nc_char_upper(c); }
int64_t nr_digit_value(int64_t c) { return nc_digit_value(c); }

/* ---- arrays ---- */

void *nr_array_remove_at(nr_array *a, int64_t i, const char *file, int64_t line) {
    if (i < 0 || i >= a->len) nr_array_index_fail(a, i, file, line);
    void *x = nr_alloc(a->esize); /* copied out: the slot is reused */
    char *at = a->data + (size_t)i * a->esize;
    memcpy(x, at, a->esize);
    memmove(at, at + a->esize, (size_t)(a->len - i - 1) * a->esize);
    a->len--;
    memset(a->data + (size_t)a->len * a->esize, 0, a->esize);
    return x;
}

void nr_array_clear(nr_array *a) {
    memset(a->data, 0, (size_t)a->len * a->esize);
    a->len = 0;
}

nr_array *nr_array_concat(nr_array *a, nr_array *b) {
    nr_array *r = nr_array_make(a->esize, a->len + b->len);
    if (a->len) memcpy(r->data, a->data, (size_t)a->len * a->esize);
    if (b->len) memcpy(r->data + (size_t)a->len * a->esize, b->data, (size_t)b->len * a->esize);
    return r;
}

nr_array *nr_array_reverse(nr_array *a) {
    nr_array *r = nr_array_make(a->esize, a->len);
    for (int64_t i = 0; i < a->len; i++)
        memcpy(r->data + (size_t)i * a->esize, a->data + (size_t)(a->len - 1 - i) * a->esize, a->esize);
    return r;
}

int64_t nr_array_index_of(nr_array *a, const void *x, int kind) {
    for (int64_t i = 0; i < a->len; i++) {
        const void *e = a->data + (size_t)i * a->esize;
        bool eq;
        switch (kind) {
        case NR_KIND_INT: eq = *(const int64_t *)e == *(const int64_t *)x; break;
        case NR_KIND_FLOAT: eq = *(const double *)e == *(const double *)x; break;
        case NR_KIND_BOOL: eq = *(const bool *)e == *(const bool *)x; break;
        case NR_KIND_STR: eq = nr_str_equals(*(const nr_str *)e, *(const nr_str *)x); break;
        default: eq = memcmp(e, x, a->esize) == 0; break; /* the checker allows no other types */
        }
        if (eq) return i;
    }
    return -1;
}

static int cmp_int(const void *x, const void *y) { return nc_cmp_int(*(const int64_t *)x, *(const int64_t *)y); }
static int cmp_float(const void *x, const void *y) { return nc_cmp_float(*(const double *)x, *(const double *)y); }
static int cmp_bool(const void *x, const void *y) { return nc_cmp_int(*(const bool *)x, *(const bool *)y); }
static int cmp_str(const void *x, const void *y) {
    const nr_str *a = x, *b = y;
    return nc_cmp_bytes(a->ptr, (size_t)a->len, b->ptr, (size_t)b->len);
}

nr_array *nr_array_sort(nr_array *a, int kind) {
    nr_array *r = nr_array_slice(a, 0, a->len, "?", 0);
    if (r->len > 1) {
        int (*cmp)(const void *, const void *) = kind == NR_KIND_INT     ? cmp_int
                                                 : kind == NR_KIND_FLOAT ? cmp_float
                                                 : kind == NR_KIND_BOOL  ? cmp_bool
                                                 : kind == NR_KIND_STR   ? cmp_str
                                                                         : NULL;
        if (cmp == NULL) nr_fail("?", 0, "array_sort sorts ints, floats or strings");
        void *tmp = nr_alloc((size_t)r->len * r->esize);
        nc_sort(r->data, (size_t)r->len, r->esize, cmp, tmp);
    }
    return r;
}

/* ---- floats ---- */

nr_str nr_float_to_repr(double f) {
    char buf[NC_REPR_BUF];
    size_t n = nc_float_repr(f, buf);
    return make(buf, n);
}

nr_str nr_float_to_fixed(double f, int64_t digits, const char *file, int64_t line) {
    if (digits < 0 || digits > NC_FIXED_MAX_DIGITS)
        nr_fail(file, line, "float_to_fixed with %lld digits (0..%d)", (long long)digits, NC_FIXED_MAX_DIGITS);
    char buf[NC_FIXED_BUF];
    size_t n = nc_float_fixed(f, (int)digits, buf);
    return make(buf, n);
}
