/* check.c: declarations, symbol tables, type resolution and statements.  The checker resolves
 * names, computes types and rejects everything outside the bootstrap subset. */
#include <string.h>

#include "check.h"

Ctx cx;

static unsigned hash_name(const char *s) {
    unsigned h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h & 255;
}

SymEntry *sym_lookup(Module *m, const char *name) {
    for (SymEntry *e = m->syms[hash_name(name)]; e; e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}

static const char *what(Decl *d) {
    switch (d->kind) {
    case D_FN: return "function";
    case D_STRUCT: return "struct";
    case D_ENUM: return "enum";
    case D_UNION: return "union";
    case D_GLOBAL: return "global";
    }
    return "name";
}

void sym_add(Module *m, Loc loc, const char *name, Decl *d, Module *alias) {
    SymEntry *old = sym_lookup(m, name);
    if (old) {
        if (old->decl == d && d != NULL) return; /* the same declaration imported twice */
        if (old->decl && old->decl->mod == m)
            error_at(loc, "'%s' is already declared at %s:%d", name, old->decl->loc.file, old->decl->loc.line);
        error_at(loc, "'%s' is already imported into this file", name);
    }
    if (builtin_lookup(name) >= 0) error_at(loc, "'%s' is a builtin and cannot be redefined", name);
    if (strcmp(name, "range") == 0) error_at(loc, "'range' is reserved");
    static const char *const prims[] = {"int", "float", "bool", "string", "void", "array", "HashMap", "List", NULL};
    for (int i = 0; prims[i]; i++)
        if (strcmp(name, prims[i]) == 0) error_at(loc, "'%s' is a type name and cannot be redefined", name);
    SymEntry *e = xmalloc(sizeof *e);
    e->name = name;
    e->decl = d;
    e->module = alias;
    unsigned h = hash_name(name);
    e->next = m->syms[h];
    m->syms[h] = e;
}

const char *variant_name(Decl *u, int i) { return ((Variant *)VEC_AT(u->variants, i))->name; }

/* ---- types ---- */
Type *resolve_type(TypeExpr *te, Module *m) {
    if (te->resolved) return te->resolved;
    Type *t = NULL;
    const char *n = te->name;
    if (te->module == NULL) {
        if (!strcmp(n, "int")) t = ty_int;
        else if (!strcmp(n, "float")) t = ty_float;
        else if (!strcmp(n, "bool")) t = ty_bool;
        else if (!strcmp(n, "string")) t = ty_string;
        else if (!strcmp(n, "void")) t = ty_void;
        else if (!strcmp(n, "array")) {
            if (te->nargs != 1) error_at(te->loc, "array takes one type argument: array<T>");
            Type *e = resolve_type(te->args[0], m);
            if (e == ty_void) error_at(te->args[0]->loc, "array<void> is not a type");
            t = ty_array(e);
        } else if (!strcmp(n, "HashMap")) {
            if (te->nargs != 2) error_at(te->loc, "HashMap takes two type arguments: HashMap<K, V>");
            Type *k = resolve_type(te->args[0], m), *v = resolve_type(te->args[1], m);
            if (k != ty_int && k != ty_string)
                error_at(te->args[0]->loc, "HashMap keys other than int and string are " SUBSET);
            if (v == ty_void) error_at(te->args[1]->loc, "HashMap values cannot be void");
            t = ty_map(k, v);
        }
    }
    if (t == NULL) {
        if (te->nargs) error_at(te->loc, "'%s' takes no type arguments", n);
        if (!strcmp(n, "List") && !te->module) error_at(te->loc, "List<T> is " SUBSET "; use array<T>");
        Decl *d = NULL;
        if (te->module) {
            SymEntry *al = sym_lookup(m, te->module);
            if (!al || !al->module) error_at(te->loc, "unknown module '%s'", te->module);
            SymEntry *e = sym_lookup(al->module, n);
            if (!e || !e->decl || e->decl->mod != al->module)
                error_at(te->loc, "module '%s' has no type '%s'", te->module, n);
            if (!e->decl->pub) error_at(te->loc, "'%s' is not public in %s", n, al->module->path);
            d = e->decl;
        } else {
            SymEntry *e = sym_lookup(m, n);
            if (!e) error_at(te->loc, "unknown type '%s'", n);
            if (e->module) error_at(te->loc, "'%s' is a module, not a type", n);
            d = e->decl;
        }
        if (d->kind == D_FN || d->kind == D_GLOBAL) error_at(te->loc, "'%s' is a %s, not a type", n, what(d));
        t = d->type;
    }
    te->resolved = t;
    return t;
}

bool assignable(Type *have, Type *want) {
    if (have == want) return true;
    return have->kind == T_VARIANT && want->kind == T_UNION && have->decl == want->decl;
}

/* ---- scopes ---- */
Local *scope_find(const char *name) {
    for (Scope *s = cx.scope; s; s = s->next)
        if (s->local && strcmp(s->name, name) == 0) return s->local;
    return NULL;
}

static Local *bind(const char *name, Type *t, bool mut) {
    Local *l = xmalloc(sizeof *l);
    l->name = name;
    l->type = t;
    l->mut = mut;
    l->id = cx.next_local++;
    Scope *s = xmalloc(sizeof *s);
    s->name = name;
    s->local = l;
    s->next = cx.scope;
    cx.scope = s;
    return l;
}

/* ---- statements ---- */
static void check_block(Node *b);

static bool is_noreturn_call(Node *e) {
    return e->kind == E_BUILTIN && (e->ival == B_exit || e->ival == B_panic);
}

static bool returns(Node *s) {
    switch (s->kind) {
    case S_RETURN: return true;
    case S_BLOCK:
        for (int i = 0; i < s->list.len; i++)
            if (returns(VEC_AT(s->list, i))) return true;
        return false;
    case S_IF: return s->c && returns(s->b) && returns(s->c);
    case S_MATCH:
        for (int i = 0; i < s->list.len; i++)
            if (!returns(((MatchArm *)VEC_AT(s->list, i))->body)) return false;
        return true;
    case S_EXPR: return is_noreturn_call(s->a);
    default: return false;
    }
}

static void check_cond(Node *e, const char *what_) {
    Type *t = check_expr(e, ty_bool);
    if (t != ty_bool) error_at(e->loc, "%s must be bool, not %s", what_, ty_name(t));
}

static void check_match(Node *s) {
    Type *t = check_expr(s->a, NULL);
    if (t->kind == T_VARIANT) t = t->decl->type;
    if (t->kind != T_UNION) error_at(s->a->loc, "match needs a union value, not %s", ty_name(t));
    Decl *u = t->decl;
    int n = u->variants.len;
    bool *seen = xmalloc((size_t)n + 1);
    bool wild = false;
    for (int i = 0; i < s->list.len; i++) {
        MatchArm *arm = VEC_AT(s->list, i);
        if (wild) error_at(arm->loc, "unreachable match arm after '_'");
        if (arm->variant == NULL) {
            wild = true;
            arm->index = -1;
        } else {
            arm->index = -1;
            for (int k = 0; k < n; k++)
                if (strcmp(variant_name(u, k), arm->variant) == 0) arm->index = k;
            if (arm->index < 0) error_at(arm->loc, "union '%s' has no variant '%s'", u->name, arm->variant);
            if (seen[arm->index]) error_at(arm->loc, "variant '%s' is matched twice", arm->variant);
            seen[arm->index] = true;
        }
        Scope *saved = cx.scope;
        if (arm->binding) arm->local = bind(arm->binding, ty_variant(t, arm->index), false);
        check_block(arm->body);
        cx.scope = saved;
    }
    if (!wild)
        for (int k = 0; k < n; k++)
            if (!seen[k]) error_at(s->loc, "match on '%s' does not cover variant '%s' (add it or '_')", u->name, variant_name(u, k));
}

static void check_stmt(Node *s) {
    switch (s->kind) {
    case S_LET: {
        Type *want = s->tnode ? resolve_type(s->tnode, cx.mod) : NULL;
        if (want == ty_void) error_at(s->tnode->loc, "a variable cannot be void");
        Type *t = check_expr(s->a, want);
        if (want) {
            expect_type(s->a, want, xprintf("the initial value of '%s'", s->name));
            t = want;
        }
        if (t == ty_void) error_at(s->a->loc, "'%s' cannot hold a void value", s->name);
        if (t->kind == T_VARIANT) t = t->decl->type;
        s->local = bind(s->name, t, s->mut);
        break;
    }
    case S_SET: {
        Local *l = scope_find(s->name);
        Type *t;
        if (l) {
            if (!l->mut) error_at(s->loc, "cannot set '%s': it is not declared 'let mut'", s->name);
            s->local = l;
            t = l->type;
        } else {
            SymEntry *e = sym_lookup(cx.mod, s->name);
            if (!e) error_at(s->loc, "undefined variable '%s'", s->name);
            if (!e->decl || e->decl->kind != D_GLOBAL) error_at(s->loc, "cannot set '%s': it is not a variable", s->name);
            if (!e->decl->mut) error_at(s->loc, "cannot set '%s': it is not declared 'let mut'", s->name);
            if (e->decl->mod != cx.mod) error_at(s->loc, "cannot set '%s': globals of another file are read-only", s->name);
            s->decl = e->decl;
            t = e->decl->type;
        }
        check_expr(s->a, t);
        expect_type(s->a, t, xprintf("the new value of '%s'", s->name));
        break;
    }
    case S_IF: {
        check_cond(s->a, "an if condition");
        Scope *saved = cx.scope;
        check_block(s->b);
        cx.scope = saved;
        if (s->c) {
            if (s->c->kind == S_IF) check_stmt(s->c);
            else check_block(s->c);
            cx.scope = saved;
        }
        break;
    }
    case S_WHILE: {
        check_cond(s->a, "a while condition");
        Scope *saved = cx.scope;
        cx.loops++;
        check_block(s->b);
        cx.loops--;
        cx.scope = saved;
        break;
    }
    case S_FOR_RANGE:
    case S_FOR_ARRAY: {
        Type *vt;
        if (s->kind == S_FOR_RANGE) {
            check_expr(s->a, ty_int);
            expect_type(s->a, ty_int, "the range start");
            check_expr(s->b, ty_int);
            expect_type(s->b, ty_int, "the range end");
            vt = ty_int;
        } else {
            Type *t = check_expr(s->a, NULL);
            if (t->kind != T_ARRAY) error_at(s->a->loc, "for ... in needs an array or (range a b), not %s", ty_name(t));
            vt = t->elem;
        }
        Scope *saved = cx.scope;
        s->local = bind(s->name, vt, false);
        cx.loops++;
        check_block(s->c);
        cx.loops--;
        cx.scope = saved;
        break;
    }
    case S_RETURN:
        if (s->a == NULL) {
            if (cx.ret != ty_void) error_at(s->loc, "return needs a value of type %s", ty_name(cx.ret));
        } else {
            if (cx.ret == ty_void) error_at(s->loc, "%s returns nothing, but return has a value", cx.fn ? cx.fn->name : "a shadow test");
            check_expr(s->a, cx.ret);
            expect_type(s->a, cx.ret, "the return value");
        }
        break;
    case S_BREAK:
    case S_CONTINUE:
        if (cx.loops == 0) error_at(s->loc, "%s outside a loop", s->kind == S_BREAK ? "break" : "continue");
        break;
    case S_ASSERT: check_cond(s->a, "an assert condition"); break;
    case S_MATCH: check_match(s); break;
    case S_EXPR: {
        Node *e = s->a;
        check_expr(e, NULL);
        if (e->kind != E_CALL && e->kind != E_BUILTIN)
            error_at(e->loc, "this expression statement has no effect");
        break;
    }
    case S_BLOCK: check_block(s); break;
    default: error_at(s->loc, "internal error: unexpected statement");
    }
}

static void check_block(Node *b) {
    Scope *saved = cx.scope;
    for (int i = 0; i < b->list.len; i++) check_stmt(VEC_AT(b->list, i));
    cx.scope = saved;
}

/* ---- declarations ---- */
static void check_struct_cycles(Decl *d, Vec *path) {
    if (d->emit_state == 2) return;
    if (d->emit_state == 1) error_at(d->loc, "struct '%s' contains itself by value (use an array or a union)", d->name);
    d->emit_state = 1;
    vec_push(path, d);
    for (int i = 0; i < d->fields.len; i++) {
        Field *f = VEC_AT(d->fields, i);
        if (f->type->kind == T_STRUCT) check_struct_cycles(f->type->decl, path);
    }
    path->len--;
    d->emit_state = 2;
}

static void declare(Module *m) {
    for (int i = 0; i < m->decls.len; i++) {
        Decl *d = VEC_AT(m->decls, i);
        sym_add(m, d->loc, d->name, d, NULL);
        if (d->kind == D_STRUCT || d->kind == D_ENUM || d->kind == D_UNION) {
            Type *t = xmalloc(sizeof *t);
            t->kind = d->kind == D_STRUCT ? T_STRUCT : d->kind == D_ENUM ? T_ENUM : T_UNION;
            t->decl = d;
            d->type = t;
        }
    }
    for (int i = 0; i < m->imports.len; i++) {
        Import *im = VEC_AT(m->imports, i);
        Module *t = im->target;
        if (im->alias) {
            sym_add(m, im->loc, im->alias, NULL, t);
        } else if (im->from) {
            for (int k = 0; k < im->names.len; k++) {
                const char *n = VEC_AT(im->names, k);
                Loc nl = *(Loc *)VEC_AT(im->name_locs, k);
                SymEntry *e = sym_lookup(t, n);
                if (!e || !e->decl || e->decl->mod != t) error_at(nl, "%s has no declaration '%s'", t->path, n);
                if (!e->decl->pub) error_at(nl, "'%s' is not public in %s", n, t->path);
                sym_add(m, nl, n, e->decl, NULL);
            }
        } else {
            for (int k = 0; k < t->decls.len; k++) {
                Decl *d = VEC_AT(t->decls, k);
                if (d->pub) sym_add(m, im->loc, d->name, d, NULL);
            }
        }
    }
}

static void resolve_decl_types(Module *m) {
    for (int i = 0; i < m->decls.len; i++) {
        Decl *d = VEC_AT(m->decls, i);
        if (d->kind == D_STRUCT) {
            for (int k = 0; k < d->fields.len; k++) {
                Field *f = VEC_AT(d->fields, k);
                f->type = resolve_type(f->texpr, m);
                if (f->type == ty_void) error_at(f->texpr->loc, "a field cannot be void");
            }
        } else if (d->kind == D_UNION) {
            for (int v = 0; v < d->variants.len; v++) {
                Variant *var = VEC_AT(d->variants, v);
                for (int k = 0; k < var->fields.len; k++) {
                    Field *f = VEC_AT(var->fields, k);
                    f->type = resolve_type(f->texpr, m);
                    if (f->type == ty_void) error_at(f->texpr->loc, "a field cannot be void");
                }
            }
        } else if (d->kind == D_FN) {
            for (int k = 0; k < d->params.len; k++) {
                Field *f = VEC_AT(d->params, k);
                f->type = resolve_type(f->texpr, m);
                if (f->type == ty_void) error_at(f->texpr->loc, "a parameter cannot be void");
            }
            d->ret = d->ret_texpr ? resolve_type(d->ret_texpr, m) : ty_void;
            if (strcmp(d->name, "main") == 0) {
                if (d->params.len != 0 || d->ret != ty_int) error_at(d->loc, "main must be 'fn main() -> int'");
            }
        }
    }
}

static void check_fn(Decl *d) {
    cx.fn = d;
    cx.ret = d->ret;
    cx.scope = NULL;
    cx.loops = 0;
    cx.next_local = 0;
    for (int k = 0; k < d->params.len; k++) {
        Field *f = VEC_AT(d->params, k);
        bind(f->name, f->type, false);
    }
    check_block(d->body);
    if (d->ret != ty_void && !returns(d->body))
        error_at(d->loc, "function '%s' does not return a value on every path", d->name);
}

void check_program(Vec *modules) {
    for (int i = 0; i < modules->len; i++) declare(VEC_AT(*modules, i));
    for (int i = 0; i < modules->len; i++) resolve_decl_types(VEC_AT(*modules, i));
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            Vec path = {0};
            if (d->kind == D_STRUCT) check_struct_cycles(d, &path);
        }
    }
    /* globals first (in order: a global's initializer may use earlier globals), then bodies */
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        cx.mod = m;
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind != D_GLOBAL) continue;
            cx.fn = NULL;
            cx.scope = NULL;
            cx.ret = ty_void;
            Type *want = d->texpr ? resolve_type(d->texpr, m) : NULL;
            d->type = want; /* so later uses see the declared type */
            Type *t = check_expr(d->init, want);
            if (want) expect_type(d->init, want, xprintf("the initial value of '%s'", d->name));
            else if (t == ty_void) error_at(d->init->loc, "'%s' cannot hold a void value", d->name);
            if (t->kind == T_VARIANT) t = t->decl->type;
            d->type = want ? want : t;
        }
    }
    bool have_main = false;
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        cx.mod = m;
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind == D_FN) check_fn(d);
            if (d->kind == D_FN && i == modules->len - 1 && strcmp(d->name, "main") == 0) have_main = true;
        }
        for (int k = 0; k < m->shadows.len; k++) {
            Shadow *s = VEC_AT(m->shadows, k);
            SymEntry *e = sym_lookup(m, s->fn_name);
            if (!e || !e->decl || e->decl->kind != D_FN || e->decl->mod != m)
                error_at(s->loc, "shadow '%s' does not name a function of this file", s->fn_name);
            s->fn = e->decl;
            e->decl->has_shadow = true;
            cx.fn = NULL;
            cx.ret = ty_void;
            cx.scope = NULL;
            cx.loops = 0;
            cx.next_local = 0;
            check_block(s->body);
        }
    }
    if (!have_main) {
        Module *m = VEC_AT(*modules, modules->len - 1);
        error_at((Loc){m->path, 1, 1}, "the program has no 'fn main() -> int'");
    }
}
