/* util.c: allocation, diagnostics, growable buffers and vectors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanoc0.h"

void *xmalloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        fputs("nanoc0: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void error_at(Loc loc, const char *fmt, ...) {
    fflush(stdout);
    fprintf(stderr, "%s:%d:%d: error: ", loc.file ? loc.file : "nanoc0", loc.line, loc.col);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void buf_put(Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            fputs("nanoc0: out of memory\n", stderr);
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n') b->lines++;
}

void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_put(b, p, (size_t)n);
    free(p);
}

void vec_push(Vec *v, void *x) {
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4;
        void **n = realloc(v->items, (size_t)v->cap * sizeof(void *));
        if (n == NULL) {
            fputs("nanoc0: out of memory\n", stderr);
            exit(2);
        }
        v->items = n;
    }
    v->items[v->len++] = x;
}
