/* types.c: type representation.  Types are interned: equal types are the same pointer. */
#include <string.h>

#include "nanoc0.h"

static Type t_int = {.kind = T_INT}, t_float = {.kind = T_FLOAT}, t_bool = {.kind = T_BOOL},
            t_string = {.kind = T_STRING}, t_void = {.kind = T_VOID};
Type *ty_int = &t_int, *ty_float = &t_float, *ty_bool = &t_bool, *ty_string = &t_string, *ty_void = &t_void;

Type *ty_array(Type *elem) {
    if (elem->array_of == NULL) {
        Type *t = xmalloc(sizeof *t);
        t->kind = T_ARRAY;
        t->elem = elem;
        elem->array_of = t;
    }
    return elem->array_of;
}

static Vec maps;

Type *ty_map(Type *key, Type *val) {
    for (int i = 0; i < maps.len; i++) {
        Type *t = VEC_AT(maps, i);
        if (t->key == key && t->elem == val) return t;
    }
    Type *t = xmalloc(sizeof *t);
    t->kind = T_MAP;
    t->key = key;
    t->elem = val;
    vec_push(&maps, t);
    return t;
}

Type *ty_variant(Type *u, int idx) {
    if (u->variants == NULL) {
        int n = u->decl->variants.len;
        u->variants = xmalloc((size_t)n * sizeof(Type));
        for (int i = 0; i < n; i++) {
            u->variants[i].kind = T_VARIANT;
            u->variants[i].decl = u->decl;
            u->variants[i].variant = i;
        }
    }
    return &u->variants[idx];
}

const char *ty_name(Type *t) {
    switch (t->kind) {
    case T_INT: return "int";
    case T_FLOAT: return "float";
    case T_BOOL: return "bool";
    case T_STRING: return "string";
    case T_VOID: return "void";
    case T_ARRAY: return xprintf("array<%s>", ty_name(t->elem));
    case T_MAP: return xprintf("HashMap<%s, %s>", ty_name(t->key), ty_name(t->elem));
    case T_STRUCT:
    case T_ENUM:
    case T_UNION: return t->decl->name;
    case T_VARIANT:
        return xprintf("%s.%s", t->decl->name, ((Variant *)VEC_AT(t->decl->variants, t->variant))->name);
    }
    return "?";
}

const char *ty_c(Type *t) {
    switch (t->kind) {
    case T_INT:
    case T_ENUM: return "int64_t";
    case T_FLOAT: return "double";
    case T_BOOL: return "bool";
    case T_STRING: return "nr_str";
    case T_VOID: return "void";
    case T_ARRAY: return "nr_array *";
    case T_MAP: return "nr_map *";
    case T_STRUCT: return xprintf("S%d_%s", t->decl->mod->id, t->decl->name);
    case T_UNION:
    case T_VARIANT: return xprintf("U%d_%s", t->decl->mod->id, t->decl->name);
    }
    return "void";
}
