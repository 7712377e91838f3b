/* array.c: growable arrays of fixed-size elements; arrays are references. */
#include "nanort.h"

nr_array *nr_array_make(size_t esize, int64_t n) {
    nr_array *a = nr_alloc(sizeof *a);
    a->esize = esize;
    a->len = n;
    a->cap = n < 4 ? 4 : n;
    a->data = nr_alloc((size_t)a->cap * esize);
    return a;
}

nr_array *nr_array_new(int64_t n, size_t esize, const void *init, const char *file, int64_t line) {
    if (n < 0) nr_fail(file, line, "array_new with negative length %lld", (long long)n);
    if ((uint64_t)n > ((uint64_t)1 << 40) / (esize ? esize : 1))
        nr_fail(file, line, "out of memory (array_new of %lld elements)", (long long)n);
    nr_array *a = nr_array_make(esize, n);
    for (int64_t i = 0; i < n; i++) memcpy(a->data + (size_t)i * esize, init, esize);
    return a;
}

_Noreturn void nr_array_index_fail(nr_array *a, int64_t i, const char *file, int64_t line) {
    nr_fail(file, line, "index %lld out of range for array of length %lld", (long long)i,
            (long long)a->len);
}

nr_array *nr_array_push(nr_array *a, const void *x) {
    if (a->len == a->cap) {
        int64_t ncap = a->cap * 2;
        char *nd = nr_alloc((size_t)ncap * a->esize);
        memcpy(nd, a->data, (size_t)a->len * a->esize);
        a->data = nd;
        a->cap = ncap;
    }
    memcpy(a->data + (size_t)a->len * a->esize, x, a->esize);
    a->len++;
    return a;
}

void *nr_array_pop(nr_array *a, const char *file, int64_t line) {
    if (a->len == 0) nr_fail(file, line, "array_pop on an empty array");
    a->len--;
    /* copy out: the slot may be overwritten by a later push */
    void *p = nr_alloc(a->esize);
    memcpy(p, a->data + (size_t)a->len * a->esize, a->esize);
    memset(a->data + (size_t)a->len * a->esize, 0, a->esize);
    return p;
}

nr_array *nr_array_slice(nr_array *a, int64_t start, int64_t len, const char *file, int64_t line) {
    if (start < 0 || len < 0 || start > a->len || len > a->len - start)
        nr_fail(file, line, "slice [%lld, %lld) out of range for array of length %lld",
                (long long)start, (long long)nr_add(start, len), (long long)a->len);
    nr_array *r = nr_array_make(a->esize, len);
    if (len > 0) memcpy(r->data, a->data + (size_t)start * a->esize, (size_t)len * a->esize);
    return r;
}

nr_array *nr_array_from(size_t esize, int64_t n, const void *items) {
    nr_array *a = nr_array_make(esize, n);
    memcpy(a->data, items, (size_t)n * esize);
    return a;
}

