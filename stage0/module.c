/* module.c: reading source files and following imports.  Import paths are relative to the
 * importing file's directory.  Modules come out in dependency order (imports first); import
 * cycles are an error. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanoc0.h"

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.p ? b.p : xstrdup("");
}

static char *join_dir(const char *from, const char *rel) {
    if (rel[0] == '/') return xstrdup(rel);
    const char *slash = strrchr(from, '/');
    if (slash == NULL) return xstrdup(rel);
    return xprintf("%.*s/%s", (int)(slash - from), from, rel);
}

typedef struct {
    Vec all;   /* every module loaded */
    Vec order; /* dependency order */
    Vec stack; /* modules being loaded, for cycle messages */
} Loader;

static Module *load(Loader *L, const char *path, Loc from) {
    char *real = realpath(path, NULL);
    if (real == NULL) {
        if (from.file == NULL) {
            fprintf(stderr, "nanoc0: cannot read %s: %s\n", path, strerror(errno));
            exit(1);
        }
        error_at(from, "cannot import '%s': %s", path, strerror(errno));
    }
    for (int i = 0; i < L->all.len; i++) {
        Module *m = VEC_AT(L->all, i);
        if (strcmp(m->realpath, real) != 0) continue;
        if (m->state == 1) {
            Buf b = {0};
            for (int k = 0; k < L->stack.len; k++) {
                Module *s = VEC_AT(L->stack, k);
                if (b.len || s == m) buf_printf(&b, "%s -> ", s->path);
            }
            buf_puts(&b, m->path);
            error_at(from, "import cycle: %s", b.p);
        }
        free(real);
        return m;
    }
    size_t len;
    char *src = read_file(path, &len);
    if (src == NULL) {
        if (from.file == NULL) {
            fprintf(stderr, "nanoc0: cannot read %s: %s\n", path, strerror(errno));
            exit(1);
        }
        error_at(from, "cannot import '%s': %s", path, strerror(errno));
    }
    if (memchr(src, 0, len) != NULL) {
        fprintf(stderr, "%s:1:1: error: source file contains a NUL byte\n", path);
        exit(1);
    }
    Module *m = parse_module(path, src, len, L->all.len);
    m->realpath = real;
    m->state = 1;
    vec_push(&L->all, m);
    vec_push(&L->stack, m);
    for (int i = 0; i < m->imports.len; i++) {
        Import *im = VEC_AT(m->imports, i);
        im->target = load(L, join_dir(path, im->path), im->loc);
    }
    L->stack.len--;
    m->state = 2;
    vec_push(&L->order, m);
    return m;
}

void load_program(const char *main_path, Vec *modules) {
    Loader L = {0};
    load(&L, main_path, (Loc){0});
    *modules = L.order;
}
