/* emit_expr.c: C for nanolang expressions.  Integer arithmetic goes through the runtime's
 * wrapping helpers; nanolang evaluates operands left to right, so when two operands could
 * interfere (one has a side effect) the earlier ones are evaluated into temporaries first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

EmitFn ef;

char *c_string_lit(const char *s, size_t n) {
    Buf b = {0};
    buf_puts(&b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '?') {
            char e[3] = {'\\', (char)c, 0};
            buf_puts(&b, e);
        } else if (c >= 32 && c < 127) {
            buf_put(&b, (const char *)&c, 1);
        } else {
            buf_printf(&b, "\\%03o", c);
        }
    }
    buf_puts(&b, "\"");
    return b.p;
}

const char *c_local(Local *l) { return xprintf("v_%s_%d", l->name, l->id); }
const char *c_global(Decl *d) { return xprintf("g%d_%s", d->mod->id, d->name); }
const char *c_fn(Decl *d) { return xprintf("f%d_%s", d->mod->id, d->name); }
Vec emit_files; /* file paths; path i is the C constant nr_file_i */

const char *c_file(Loc loc) {
    for (int i = 0; i < emit_files.len; i++)
        if (strcmp(VEC_AT(emit_files, i), loc.file) == 0) return xprintf("nr_file_%d", i);
    vec_push(&emit_files, (void *)loc.file);
    return xprintf("nr_file_%d", emit_files.len - 1);
}

static bool stable(Node *e) {
    switch (e->kind) {
    case E_INT: case E_FLOAT: case E_STRING: case E_BOOL: case E_ENUMVAL: case E_LOCAL: return true;
    default: return false;
    }
}

static char *new_temp(Type *t) {
    vec_push(&ef.temps, (void *)ty_c(t->kind == T_VARIANT ? t->decl->type : t));
    return xprintf("nr_t%d", ef.temps.len - 1);
}

/* Emits the n operands of one operation.  out[i] receives each operand's C text; the returned
 * prefix ("(t0 = ..., t1 = ..., ") must be put before the operation and closed with ")". */
static char *operands(Node **kids, int n, char **out) {
    int unstable = 0;
    bool impure = false;
    for (int i = 0; i < n; i++) {
        out[i] = emit_expr(kids[i]);
        if (!stable(kids[i])) unstable++;
        if (!is_pure(kids[i])) impure = true;
    }
    if (unstable < 2 || !impure) return NULL;
    Buf pre = {0};
    buf_puts(&pre, "(");
    int last = n - 1;
    while (last >= 0 && stable(kids[last])) last--;
    for (int i = 0; i < last; i++) {
        if (stable(kids[i])) continue;
        char *t = new_temp(kids[i]->type);
        buf_printf(&pre, "%s = %s, ", t, out[i]);
        out[i] = t;
    }
    return pre.p;
}

static char *wrap(char *pre, char *body) { return pre ? xprintf("%s%s)", pre, body) : body; }

static char *float_lit(double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    if (!strpbrk(buf, ".eEn")) strcat(buf, ".0");
    return xprintf("%s", buf);
}

static char *int_lit(int64_t v) {
    if (v == INT64_MIN) return xstrdup("INT64_MIN");
    return xprintf("INT64_C(%lld)", (long long)v);
}

static char *binop(Node *e) {
    Node *kids[2] = {e->a, e->b};
    char *o[2];
    const char *op = e->name;
    if (!strcmp(op, "and") || !strcmp(op, "or"))
        return xprintf("(%s %s %s)", emit_expr(e->a), op[0] == 'a' ? "&&" : "||", emit_expr(e->b));
    char *pre = operands(kids, 2, o);
    Type *t = e->a->type;
    if (t->kind == T_VARIANT) t = t->decl->type;
    const char *fn = NULL;
    char *body;
    if (t == ty_string) {
        if (!strcmp(op, "+")) fn = "nr_str_concat";
        else if (!strcmp(op, "==")) fn = "nr_str_equals";
        else fn = "!nr_str_equals";
        body = xprintf("%s(%s, %s)", fn, o[0], o[1]);
    } else if (t == ty_float) {
        const char *cop = !strcmp(op, "==") ? "nr_eqf" : !strcmp(op, "!=") ? "nr_nef" : !strcmp(op, "<") ? "nr_ltf" :
                          !strcmp(op, "<=") ? "nr_lef" : !strcmp(op, ">") ? "nr_gtf" : !strcmp(op, ">=") ? "nr_gef" : NULL;
        if (cop) body = xprintf("%s(%s, %s)", cop, o[0], o[1]);
        else body = xprintf("((%s) %s (%s))", o[0], op, o[1]);
    } else if (t == ty_bool) {
        body = xprintf("nr_%sb(%s, %s)", !strcmp(op, "==") ? "eq" : "ne", o[0], o[1]);
    } else {
        const char *f = !strcmp(op, "+") ? "nr_add" : !strcmp(op, "-") ? "nr_sub" : !strcmp(op, "*") ? "nr_mul" :
                        !strcmp(op, "/") ? "nr_div" : !strcmp(op, "%") ? "nr_mod" : !strcmp(op, "==") ? "nr_eqi" :
                        !strcmp(op, "!=") ? "nr_nei" : !strcmp(op, "<") ? "nr_lti" : !strcmp(op, "<=") ? "nr_lei" :
                        !strcmp(op, ">") ? "nr_gti" : "nr_gei";
        body = xprintf("%s(%s, %s)", f, o[0], o[1]);
    }
    return wrap(pre, body);
}

static char *args_list(char **o, int n) {
    Buf b = {0};
    for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ", " : "", o[i]);
    return b.p ? b.p : xstrdup("");
}

/* A builtin call: its template in isa/builtins.def (builtin_c). */
static char *builtin(Node *e) {
    int n = e->list.len;
    Node **kids = (Node **)e->list.items;
    char **o = xmalloc(sizeof(char *) * (size_t)(n + 1));
    Type **types = xmalloc(sizeof(Type *) * (size_t)(n + 1));
    char *pre = operands(kids, n, o);
    for (int i = 0; i < n; i++)
        types[i] = kids[i]->type->kind == T_VARIANT ? kids[i]->type->decl->type : kids[i]->type;
    char *L = xprintf("%s, %d", c_file(e->loc), e->loc.line);
    return wrap(pre, builtin_c((int)e->ival, o, types, n, e->type, L));
}

static char *record(Node *e) {
    Decl *d = e->decl;
    Vec *fields = e->variant < 0 ? &d->fields : &((Variant *)VEC_AT(d->variants, e->variant))->fields;
    int n = e->list.len;
    char **o = xmalloc(sizeof(char *) * (size_t)(n + 1));
    char *pre = operands((Node **)e->list.items, n, o);
    Buf b = {0};
    if (e->variant < 0) {
        buf_printf(&b, "((%s){", ty_c(d->type));
        if (fields->len == 0) buf_puts(&b, ".nr_unused = 0");
    } else {
        buf_printf(&b, "nr_mk_%s_%d(", ty_c(d->type), e->variant);
    }
    for (int k = 0; k < fields->len; k++) {
        Field *f = VEC_AT(*fields, k);
        int i = 0;
        while (strcmp(VEC_AT(e->names, i), f->name) != 0) i++;
        if (e->variant < 0) buf_printf(&b, "%s.f_%s = %s", k ? ", " : "", f->name, o[i]);
        else buf_printf(&b, "%s%s", k ? ", " : "", o[i]);
    }
    buf_puts(&b, e->variant < 0 ? "})" : ")");
    return wrap(pre, b.p);
}

char *emit_expr(Node *e) {
    switch (e->kind) {
    case E_INT:
    case E_ENUMVAL: return int_lit(e->ival);
    case E_FLOAT: return float_lit(e->fval);
    case E_STRING: return xprintf("NR_LIT(%s, %zu)", c_string_lit(e->sval, e->slen), e->slen);
    case E_BOOL: return xstrdup(e->ival ? "true" : "false");
    case E_LOCAL: return xstrdup(c_local(e->local));
    case E_GLOBAL: {
        /* a global read before its initializer ran (through a function an earlier initializer
         * calls) holds the VM's unit slot (LANGUAGE.md 4.5).  An int, float, bool or enum reads
         * as zero, a string as "" (the VM fails only where it is used as one); an array, map,
         * struct or union would be a null pointer here, so the native runtime reports that read
         * as the runtime error "type error" instead of crashing later */
        const char *g = c_global(e->decl);
        int k = e->decl->type->kind;
        if (k != T_ARRAY && k != T_MAP && k != T_STRUCT && k != T_UNION) return xstrdup(g);
        return xprintf("(%s_ready ? %s : (nr_unset_global(\"%s\", %s, %d), %s))", g, g, e->decl->name,
                       c_file(e->loc), e->loc.line, g);
    }
    case E_FIELD: {
        char *base = emit_expr(e->a);
        if (e->a->type->kind == T_VARIANT) return xprintf("(%s)->u.v%d.f_%s", base, e->a->type->variant, e->name);
        return xprintf("(%s).f_%s", base, e->name);
    }
    case E_UNOP: {
        char *x = emit_expr(e->a);
        if (!strcmp(e->name, "not")) return xprintf("(!%s)", x);
        if (e->type == ty_int) return xprintf("nr_neg(%s)", x);
        return xprintf("(-(%s))", x);
    }
    case E_BINOP: return binop(e);
    case E_IF: return xprintf("(%s ? %s : %s)", emit_expr(e->a), emit_expr(e->b), emit_expr(e->c));
    case E_ARRAY: {
        const char *T = ty_c(e->type->elem);
        int n = e->list.len;
        if (n == 0) return xprintf("nr_array_make(sizeof(%s), 0)", T);
        char **o = xmalloc(sizeof(char *) * (size_t)n);
        char *pre = operands((Node **)e->list.items, n, o);
        Buf b = {0};
        buf_printf(&b, "nr_array_from(sizeof(%s), %d, (%s[]){", T, n, T);
        for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ", " : "", o[i]);
        buf_puts(&b, "})");
        return wrap(pre, b.p);
    }
    case E_RECORD: return record(e);
    case E_CALL: {
        int n = e->list.len;
        char **o = xmalloc(sizeof(char *) * (size_t)(n + 1));
        char *pre = operands((Node **)e->list.items, n, o);
        return wrap(pre, xprintf("%s(%s)", c_fn(e->decl), args_list(o, n)));
    }
    case E_BUILTIN: return builtin(e);
    default: error_at(e->loc, "internal error: cannot emit expression");
    }
}
