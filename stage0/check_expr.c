/* check_expr.c: expression typing and name resolution.  Rewrites resolved names in place:
 * E_NAME becomes E_LOCAL, E_GLOBAL or E_ENUMVAL; a call of a builtin becomes E_BUILTIN. */
#include <string.h>

#include "check.h"

void expect_type(Node *e, Type *want, const char *what) {
    if (!assignable(e->type, want))
        error_at(e->loc, "%s has type %s, expected %s", what, ty_name(e->type), ty_name(want));
}

static Module *lookup_module_member(Module *target, const char *name, Loc loc, SymEntry **out) {
    SymEntry *e = sym_lookup(target, name);
    if (!e || !e->decl || e->decl->mod != target) error_at(loc, "%s has no declaration '%s'", target->path, name);
    if (!e->decl->pub) error_at(loc, "'%s' is not public in %s", name, target->path);
    *out = e;
    return target;
}

static Entity entity_of_decl(Decl *d) {
    Entity en = {0};
    en.decl = d;
    en.kind = d->kind == D_FN ? ENT_FUNC : d->kind == D_GLOBAL ? ENT_GLOBAL : ENT_TYPE;
    return en;
}

/* Resolves a name path without checking value expressions.  ENT_VALUE means: check the node as
 * an ordinary expression (a variable, or a field of one). */
Entity resolve_path(Node *e) {
    Entity en = {0};
    if (e->kind == E_NAME) {
        if (scope_find(e->name)) {
            en.kind = ENT_VALUE;
            return en;
        }
        SymEntry *s = sym_lookup(cx.mod, e->name);
        if (s) {
            if (s->module) {
                en.kind = ENT_MODULE;
                en.module = s->module;
                return en;
            }
            return entity_of_decl(s->decl);
        }
        int b = builtin_lookup(e->name);
        if (b >= 0) {
            en.kind = ENT_BUILTIN;
            en.index = b;
            return en;
        }
        if (strcmp(e->name, "range") == 0) error_at(e->loc, "range can only be used in 'for x in (range a b)'");
        error_at(e->loc, "undefined name '%s'", e->name);
    }
    if (e->kind != E_FIELD) {
        en.kind = ENT_VALUE;
        return en;
    }
    Entity base = resolve_path(e->a);
    switch (base.kind) {
    case ENT_VALUE:
    case ENT_GLOBAL: en.kind = ENT_VALUE; return en;
    case ENT_MODULE: {
        SymEntry *s;
        lookup_module_member(base.module, e->name, e->loc, &s);
        return entity_of_decl(s->decl);
    }
    case ENT_TYPE: {
        Decl *d = base.decl;
        if (d->kind == D_STRUCT) error_at(e->loc, "struct '%s' has no members; write a value of it", d->name);
        for (int i = 0; i < d->variants.len; i++) {
            if (strcmp(variant_name(d, i), e->name) == 0) {
                en.kind = ENT_VARIANT;
                en.decl = d;
                en.index = i;
                return en;
            }
        }
        error_at(e->loc, "%s '%s' has no %s '%s'", d->kind == D_ENUM ? "enum" : "union", d->name,
                 d->kind == D_ENUM ? "value" : "variant", e->name);
    }
    case ENT_FUNC:
    case ENT_BUILTIN: error_at(e->loc, "a function has no fields");
    case ENT_VARIANT: error_at(e->loc, "a variant has no members");
    }
    return en;
}

static Type *set(Node *e, Type *t) {
    e->type = t;
    return t;
}

static Type *check_call(Node *e, Type *expected) {
    Entity en = resolve_path(e->a);
    if (en.kind == ENT_BUILTIN) {
        e->kind = E_BUILTIN;
        e->ival = en.index;
        return set(e, check_builtin(e, en.index, expected));
    }
    if (en.kind == ENT_VALUE || en.kind == ENT_GLOBAL) error_at(e->a->loc, "function values are " SUBSET "; only a function name can be called");
    if (en.kind != ENT_FUNC) error_at(e->a->loc, "only a function can be called");
    Decl *f = en.decl;
    if (e->list.len != f->params.len)
        error_at(e->loc, "%s takes %d argument%s, %d given", f->name, f->params.len, f->params.len == 1 ? "" : "s", e->list.len);
    for (int i = 0; i < e->list.len; i++) {
        Field *p = VEC_AT(f->params, i);
        Node *a = VEC_AT(e->list, i);
        check_expr(a, p->type);
        expect_type(a, p->type, xprintf("argument %d of %s", i + 1, f->name));
    }
    e->decl = f;
    return set(e, f->ret);
}

static Type *check_record(Node *e) {
    Entity en = resolve_path(e->a);
    Vec *fields;
    Type *result;
    const char *tname;
    if (en.kind == ENT_TYPE && en.decl->kind == D_STRUCT) {
        fields = &en.decl->fields;
        result = en.decl->type;
        e->variant = -1;
        tname = en.decl->name;
    } else if (en.kind == ENT_VARIANT && en.decl->kind == D_UNION) {
        Variant *v = VEC_AT(en.decl->variants, en.index);
        fields = &v->fields;
        result = en.decl->type;
        e->variant = en.index;
        tname = xprintf("%s.%s", en.decl->name, v->name);
    } else if (en.kind == ENT_TYPE && en.decl->kind == D_UNION) {
        error_at(e->loc, "write a union value as %s.Variant { ... }", en.decl->name);
    } else {
        error_at(e->loc, "'%s' is not a struct or union variant", e->a->name);
    }
    e->decl = en.decl;
    for (int i = 0; i < e->names.len; i++) {
        const char *n = VEC_AT(e->names, i);
        Field *f = NULL;
        for (int k = 0; k < fields->len; k++)
            if (strcmp(((Field *)VEC_AT(*fields, k))->name, n) == 0) f = VEC_AT(*fields, k);
        Node *v = VEC_AT(e->list, i);
        if (!f) error_at(v->loc, "%s has no field '%s'", tname, n);
        check_expr(v, f->type);
        expect_type(v, f->type, xprintf("field '%s'", n));
    }
    for (int k = 0; k < fields->len; k++) {
        Field *f = VEC_AT(*fields, k);
        bool given = false;
        for (int i = 0; i < e->names.len; i++)
            if (strcmp(VEC_AT(e->names, i), f->name) == 0) given = true;
        if (!given) error_at(e->loc, "field '%s' of %s is missing", f->name, tname);
    }
    return set(e, result);
}

static Type *field_access(Node *e) {
    Type *bt = check_expr(e->a, NULL);
    Vec *fields;
    if (bt->kind == T_STRUCT) {
        fields = &bt->decl->fields;
    } else if (bt->kind == T_VARIANT) {
        fields = &((Variant *)VEC_AT(bt->decl->variants, bt->variant))->fields;
    } else if (bt->kind == T_UNION) {
        error_at(e->loc, "a union's fields are reached through match: match x { V(v) => v.%s }", e->name);
    } else {
        error_at(e->loc, "%s has no fields", ty_name(bt));
    }
    for (int k = 0; k < fields->len; k++) {
        Field *f = VEC_AT(*fields, k);
        if (strcmp(f->name, e->name) == 0) return set(e, f->type);
    }
    error_at(e->loc, "%s has no field '%s'", ty_name(bt), e->name);
}

static Type *check_name(Node *e) {
    Entity en = resolve_path(e);
    switch (en.kind) {
    case ENT_VALUE:
        if (e->kind == E_NAME) {
            Local *l = scope_find(e->name);
            e->kind = E_LOCAL;
            e->local = l;
            return set(e, l->type);
        }
        return field_access(e);
    case ENT_GLOBAL:
        e->kind = E_GLOBAL;
        e->decl = en.decl;
        if (en.decl->type == NULL) error_at(e->loc, "global '%s' is used before its declaration", en.decl->name);
        return set(e, en.decl->type);
    case ENT_FUNC:
        error_at(e->loc, "function values are " SUBSET "; call it: (%s ...)", en.decl->name);
    case ENT_BUILTIN: error_at(e->loc, "function values are " SUBSET "; call it: (%s ...)", builtin_name(en.index));
    case ENT_TYPE: error_at(e->loc, "'%s' is a type, not a value", en.decl->name);
    case ENT_MODULE: error_at(e->loc, "'%s' is a module, not a value", e->name);
    case ENT_VARIANT:
        if (en.decl->kind == D_ENUM) {
            e->kind = E_ENUMVAL;
            e->ival = ((Variant *)VEC_AT(en.decl->variants, en.index))->value;
            return set(e, en.decl->type);
        } else {
            Variant *v = VEC_AT(en.decl->variants, en.index);
            if (v->fields.len != 0) error_at(e->loc, "variant %s.%s has fields: write %s.%s { ... }", en.decl->name, v->name, en.decl->name, v->name);
            Node *path = xmalloc(sizeof *path);
            *path = *e;
            e->kind = E_RECORD;
            e->a = path;
            e->decl = en.decl;
            e->variant = en.index;
            return set(e, en.decl->type);
        }
    }
    return NULL;
}

static bool num(Type *t) { return t == ty_int || t == ty_float; }

static Type *check_binop(Node *e) {
    const char *op = e->name;
    Type *l = check_expr(e->a, NULL);
    Type *r = check_expr(e->b, l);
    if (l->kind == T_VARIANT) l = l->decl->type;
    if (r->kind == T_VARIANT) r = r->decl->type;
    if (!strcmp(op, "and") || !strcmp(op, "or")) {
        if (l != ty_bool || r != ty_bool) error_at(e->loc, "'%s' needs bool operands, not %s and %s", op, ty_name(l), ty_name(r));
        return set(e, ty_bool);
    }
    if (l != r) error_at(e->loc, "'%s' needs operands of the same type, not %s and %s", op, ty_name(l), ty_name(r));
    if (!strcmp(op, "==") || !strcmp(op, "!=")) {
        if (!num(l) && l != ty_bool && l != ty_string && l->kind != T_ENUM)
            error_at(e->loc, "'%s' is not defined on %s (only int, float, bool, string and enums)", op, ty_name(l));
        return set(e, ty_bool);
    }
    if (!strcmp(op, "<") || !strcmp(op, "<=") || !strcmp(op, ">") || !strcmp(op, ">=")) {
        if (!num(l)) error_at(e->loc, "'%s' needs int or float operands, not %s%s", op, ty_name(l),
                              l == ty_string ? " (use str_compare)" : "");
        return set(e, ty_bool);
    }
    if (!strcmp(op, "+") && l == ty_string) return set(e, ty_string);
    if (!strcmp(op, "%")) {
        if (l != ty_int) error_at(e->loc, "'%%' needs int operands, not %s", ty_name(l));
        return set(e, l);
    }
    if (!num(l)) error_at(e->loc, "'%s' needs int or float operands, not %s", op, ty_name(l));
    return set(e, l);
}

Type *check_expr(Node *e, Type *expected) {
    switch (e->kind) {
    case E_INT: return set(e, ty_int);
    case E_FLOAT: return set(e, ty_float);
    case E_STRING: return set(e, ty_string);
    case E_BOOL: return set(e, ty_bool);
    case E_NAME:
    case E_FIELD: return check_name(e);
    case E_CALL: return check_call(e, expected);
    case E_PAREN: {
        Node *in = e->a;
        if (in->kind == E_NAME || in->kind == E_FIELD) {
            Entity en = resolve_path(in);
            if (en.kind == ENT_FUNC && en.decl->kind == D_FN) {
                e->kind = E_CALL; /* (f) is a call with no arguments */
                return check_call(e, expected);
            }
            if (en.kind == ENT_BUILTIN) {
                e->kind = E_CALL;
                return check_call(e, expected);
            }
        }
        check_expr(in, expected);
        *e = *in;
        return e->type;
    }
    case E_UNOP: {
        Type *t = check_expr(e->a, NULL);
        if (!strcmp(e->name, "not")) {
            if (t != ty_bool) error_at(e->loc, "'not' needs a bool operand, not %s", ty_name(t));
        } else if (!num(t)) {
            error_at(e->loc, "unary '-' needs an int or float operand, not %s", ty_name(t));
        }
        return set(e, t);
    }
    case E_BINOP: return check_binop(e);
    case E_IF: {
        Type *c = check_expr(e->a, ty_bool);
        if (c != ty_bool) error_at(e->a->loc, "an if condition must be bool, not %s", ty_name(c));
        Type *a = check_expr(e->b, expected);
        if (a->kind == T_VARIANT) a = a->decl->type;
        if (a == ty_void) error_at(e->b->loc, "an if-expression branch cannot be void");
        check_expr(e->c, a);
        expect_type(e->c, a, "the else branch");
        return set(e, a);
    }
    case E_ARRAY: {
        Type *elem = expected && expected->kind == T_ARRAY ? expected->elem : NULL;
        if (e->list.len == 0) {
            if (!elem) error_at(e->loc, "the type of [] is unknown here; give the variable a type: let xs: array<T> = []");
            return set(e, expected);
        }
        for (int i = 0; i < e->list.len; i++) {
            Node *x = VEC_AT(e->list, i);
            Type *t = check_expr(x, elem);
            if (!elem) {
                elem = t->kind == T_VARIANT ? t->decl->type : t;
                if (elem == ty_void) error_at(x->loc, "an array element cannot be void");
            }
            expect_type(x, elem, xprintf("array element %d", i + 1));
        }
        return set(e, ty_array(elem));
    }
    case E_RECORD: return check_record(e);
    default: error_at(e->loc, "internal error: unexpected expression");
    }
}

/* Whether evaluating e can have a side effect (a call of a function or of an effectful
 * builtin).  Used to keep nanolang's left-to-right evaluation order in C. */
bool is_pure(Node *e) {
    switch (e->kind) {
    case E_INT: case E_FLOAT: case E_STRING: case E_BOOL: case E_ENUMVAL: case E_LOCAL: case E_GLOBAL:
        return true;
    case E_CALL: return false;
    case E_BUILTIN:
        if (!builtin_pure((int)e->ival)) return false;
        for (int i = 0; i < e->list.len; i++)
            if (!is_pure(VEC_AT(e->list, i))) return false;
        return true;
    case E_FIELD: case E_UNOP: return is_pure(e->a);
    case E_BINOP: return is_pure(e->a) && is_pure(e->b);
    case E_IF: return is_pure(e->a) && is_pure(e->b) && is_pure(e->c);
    case E_ARRAY: case E_RECORD:
        for (int i = 0; i < e->list.len; i++)
            if (!is_pure(VEC_AT(e->list, i))) return false;
        return true;
    default: return false;
    }
}
