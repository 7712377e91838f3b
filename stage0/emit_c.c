/* emit_c.c: the C translation unit for a checked program: types, globals, functions, shadow
 * tests and main.  Every statement carries a #line directive naming its .nano source. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"

static Buf *out;          /* the whole translation unit */
static const char *out_name;

static void line_dir(Buf *b, Loc loc) { buf_printf(b, "#line %d %s\n", loc.line, c_string_lit(loc.file, strlen(loc.file))); }

/* resets #line to the generated file itself */
static void gen_line(void) { buf_printf(out, "#line %d %s\n", out->lines + 2, c_string_lit(out_name, strlen(out_name))); }

/* ---- types ---- */
static void emit_struct(Decl *d) {
    if (d->emit_state == 3) return;
    d->emit_state = 3;
    for (int i = 0; i < d->fields.len; i++) {
        Field *f = VEC_AT(d->fields, i);
        if (f->type->kind == T_STRUCT) emit_struct(f->type->decl);
    }
    buf_printf(out, "struct %s {\n", ty_c(d->type));
    for (int i = 0; i < d->fields.len; i++) {
        Field *f = VEC_AT(d->fields, i);
        buf_printf(out, "    %s f_%s;\n", ty_c(f->type), f->name);
    }
    if (d->fields.len == 0) buf_puts(out, "    char nr_unused;\n");
    buf_puts(out, "};\n");
}

static void emit_union(Decl *d) {
    const char *T = ty_c(d->type);
    buf_printf(out, "struct %s_box {\n    int64_t tag;\n    union {\n", T);
    for (int v = 0; v < d->variants.len; v++) {
        Variant *var = VEC_AT(d->variants, v);
        buf_puts(out, "        struct {\n");
        for (int i = 0; i < var->fields.len; i++) {
            Field *f = VEC_AT(var->fields, i);
            buf_printf(out, "            %s f_%s;\n", ty_c(f->type), f->name);
        }
        if (var->fields.len == 0) buf_puts(out, "            char nr_unused;\n");
        buf_printf(out, "        } v%d; /* %s */\n", v, var->name);
    }
    buf_puts(out, "    } u;\n};\n");
    for (int v = 0; v < d->variants.len; v++) {
        Variant *var = VEC_AT(d->variants, v);
        buf_printf(out, "static inline NR_UNUSED %s nr_mk_%s_%d(", T, T, v);
        for (int i = 0; i < var->fields.len; i++) {
            Field *f = VEC_AT(var->fields, i);
            buf_printf(out, "%s%s f_%s", i ? ", " : "", ty_c(f->type), f->name);
        }
        if (var->fields.len == 0) buf_puts(out, "void");
        buf_printf(out, ") {\n    %s r = nr_alloc(sizeof *r);\n    r->tag = %d;\n", T, v);
        for (int i = 0; i < var->fields.len; i++) {
            Field *f = VEC_AT(var->fields, i);
            buf_printf(out, "    r->u.v%d.f_%s = f_%s;\n", v, f->name, f->name);
        }
        buf_puts(out, "    return r;\n}\n");
    }
}

/* ---- statements ---- */
static void stmt(Buf *b, Node *s, int ind);

static void indent(Buf *b, int ind) {
    for (int i = 0; i < ind; i++) buf_puts(b, "    ");
}

static void block_body(Buf *b, Node *blk, int ind) {
    for (int i = 0; i < blk->list.len; i++) stmt(b, VEC_AT(blk->list, i), ind);
}

static const char *vtype(Type *t) { return ty_c(t->kind == T_VARIANT ? t->decl->type : t); }

static void stmt(Buf *b, Node *s, int ind) {
    line_dir(b, s->loc);
    indent(b, ind);
    switch (s->kind) {
    case S_LET: {
        const char *v = c_local(s->local);
        buf_printf(b, "%s %s = %s;\n", vtype(s->local->type), v, emit_expr(s->a));
        indent(b, ind);
        buf_printf(b, "(void)%s;\n", v);
        break;
    }
    case S_SET:
        if (s->local)
            buf_printf(b, "%s = %s;\n", c_local(s->local), emit_expr(s->a));
        else
            buf_printf(b, "%s = %s;\n%s_ready = true;\n", c_global(s->decl), emit_expr(s->a), c_global(s->decl));
        break;
    case S_IF:
        buf_printf(b, "if (%s) {\n", emit_expr(s->a));
        block_body(b, s->b, ind + 1);
        indent(b, ind);
        if (s->c) {
            buf_puts(b, "} else {\n");
            if (s->c->kind == S_IF) stmt(b, s->c, ind + 1);
            else block_body(b, s->c, ind + 1);
            indent(b, ind);
        }
        buf_puts(b, "}\n");
        break;
    case S_WHILE:
        buf_printf(b, "while (%s) {\n", emit_expr(s->a));
        block_body(b, s->b, ind + 1);
        indent(b, ind);
        buf_puts(b, "}\n");
        break;
    case S_FOR_RANGE: {
        int k = ef.uniq++;
        const char *v = c_local(s->local);
        buf_printf(b, "{\n");
        indent(b, ind + 1);
        buf_printf(b, "int64_t nr_lo%d = %s;\n", k, emit_expr(s->a));
        indent(b, ind + 1);
        buf_printf(b, "int64_t nr_hi%d = %s;\n", k, emit_expr(s->b));
        indent(b, ind + 1);
        buf_printf(b, "for (int64_t %s = nr_lo%d; %s < nr_hi%d; %s++) {\n", v, k, v, k, v);
        block_body(b, s->c, ind + 2);
        indent(b, ind + 1);
        buf_puts(b, "}\n");
        indent(b, ind);
        buf_puts(b, "}\n");
        break;
    }
    case S_FOR_ARRAY: {
        int k = ef.uniq++;
        const char *v = c_local(s->local);
        const char *T = vtype(s->local->type);
        buf_printf(b, "{\n");
        indent(b, ind + 1);
        buf_printf(b, "nr_array *nr_a%d = %s;\n", k, emit_expr(s->a));
        indent(b, ind + 1);
        buf_printf(b, "for (int64_t nr_i%d = 0; nr_i%d < nr_a%d->len; nr_i%d++) {\n", k, k, k, k);
        indent(b, ind + 2);
        buf_printf(b, "%s %s = ((%s *)nr_a%d->data)[nr_i%d];\n", T, v, T, k, k);
        indent(b, ind + 2);
        buf_printf(b, "(void)%s;\n", v);
        block_body(b, s->c, ind + 2);
        indent(b, ind + 1);
        buf_puts(b, "}\n");
        indent(b, ind);
        buf_puts(b, "}\n");
        break;
    }
    case S_RETURN:
        if (s->a) buf_printf(b, "return %s;\n", emit_expr(s->a));
        else buf_puts(b, "return;\n");
        break;
    case S_BREAK: buf_puts(b, "break;\n"); break;
    case S_CONTINUE: buf_puts(b, "continue;\n"); break;
    case S_ASSERT: buf_printf(b, "nr_assert(%s, %s, %d);\n", emit_expr(s->a), c_file(s->loc), s->loc.line); break;
    case S_MATCH: {
        int k = ef.uniq++;
        buf_printf(b, "{\n");
        indent(b, ind + 1);
        buf_printf(b, "%s nr_m%d = %s;\n", vtype(s->a->type), k, emit_expr(s->a));
        for (int i = 0; i < s->list.len; i++) {
            MatchArm *arm = VEC_AT(s->list, i);
            indent(b, ind + 1);
            if (arm->index >= 0) buf_printf(b, "%sif (nr_m%d->tag == %d) {\n", i ? "else " : "", k, arm->index);
            else buf_printf(b, "%s{\n", i ? "else " : "");
            if (arm->local) {
                indent(b, ind + 2);
                buf_printf(b, "%s %s = nr_m%d;\n", vtype(s->a->type), c_local(arm->local), k);
                indent(b, ind + 2);
                buf_printf(b, "(void)%s;\n", c_local(arm->local));
            }
            block_body(b, arm->body, ind + 2);
            indent(b, ind + 1);
            buf_puts(b, "}\n");
        }
        indent(b, ind);
        buf_puts(b, "}\n");
        break;
    }
    case S_EXPR:
        if (s->a->type == ty_void) buf_printf(b, "%s;\n", emit_expr(s->a));
        else buf_printf(b, "(void)%s;\n", emit_expr(s->a));
        break;
    case S_BLOCK:
        buf_puts(b, "{\n");
        block_body(b, s, ind + 1);
        indent(b, ind);
        buf_puts(b, "}\n");
        break;
    default: error_at(s->loc, "internal error: cannot emit statement");
    }
}

/* ---- functions ---- */
static void fn_signature(Buf *b, Decl *d) {
    buf_printf(b, "%s %s(", ty_c(d->ret), c_fn(d));
    for (int i = 0; i < d->params.len; i++) {
        Field *p = VEC_AT(d->params, i);
        buf_printf(b, "%s%s v_%s_%d", i ? ", " : "", ty_c(p->type), p->name, i);
    }
    if (d->params.len == 0) buf_puts(b, "void");
    buf_puts(b, ")");
}

/* a function body: temporaries are declared first, so the body is built separately */
static void emit_body(Loc loc, const char *header, Decl *fn, Node *body, Node *global_init_list) {
    Buf b = {0};
    ef.temps.len = 0;
    if (fn)
        for (int i = 0; i < fn->params.len; i++) {
            Field *p = VEC_AT(fn->params, i);
            buf_printf(&b, "    (void)v_%s_%d;\n", p->name, i);
        }
    if (body) block_body(&b, body, 1);
    (void)global_init_list;
    line_dir(out, loc);
    buf_printf(out, "%s {\n", header);
    for (int i = 0; i < ef.temps.len; i++) buf_printf(out, "    %s nr_t%d;\n", (char *)VEC_AT(ef.temps, i), i);
    buf_put(out, b.p ? b.p : "", b.len);
    free(b.p);
    if (fn && fn->ret != ty_void) buf_printf(out, "    nr_no_return(%s, %d, \"%s\");\n", c_file(fn->loc), fn->loc.line, fn->name);
    buf_puts(out, "}\n");
    gen_line();
}

void emit_program(Vec *modules, bool tests, const char *name, Buf *o) {
    out = o;
    out_name = name;
    buf_puts(out, "/* generated by nanoc0 from nanolang source: do not edit */\n#include \"nanort.h\"\n\n");
    /* helpers and constructors a program does not use must not warn (clang warns about unused
     * static inline functions in a .c file) */
    buf_puts(out, "#define NR_UNUSED __attribute__((unused))\n");
    buf_puts(out,
             "static inline NR_UNUSED bool nr_eqi(int64_t a, int64_t b) { return a == b; }\n"
             "static inline NR_UNUSED bool nr_nei(int64_t a, int64_t b) { return a != b; }\n"
             "static inline NR_UNUSED bool nr_lti(int64_t a, int64_t b) { return a < b; }\n"
             "static inline NR_UNUSED bool nr_lei(int64_t a, int64_t b) { return a <= b; }\n"
             "static inline NR_UNUSED bool nr_gti(int64_t a, int64_t b) { return a > b; }\n"
             "static inline NR_UNUSED bool nr_gei(int64_t a, int64_t b) { return a >= b; }\n"
             "static inline NR_UNUSED bool nr_eqf(double a, double b) { return a == b; }\n"
             "static inline NR_UNUSED bool nr_nef(double a, double b) { return a != b; }\n"
             "static inline NR_UNUSED bool nr_ltf(double a, double b) { return a < b; }\n"
             "static inline NR_UNUSED bool nr_lef(double a, double b) { return a <= b; }\n"
             "static inline NR_UNUSED bool nr_gtf(double a, double b) { return a > b; }\n"
             "static inline NR_UNUSED bool nr_gef(double a, double b) { return a >= b; }\n"
             "static inline NR_UNUSED bool nr_eqb(bool a, bool b) { return a == b; }\n"
             "static inline NR_UNUSED bool nr_neb(bool a, bool b) { return a != b; }\n\n");
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        const char *cf = c_file((Loc){m->path, 0, 0});
        /* unused when the file has no code that can fail (only types, say) */
        buf_printf(out, "static const char %s[] NR_UNUSED = %s;\n", cf, c_string_lit(m->path, strlen(m->path)));
    }
    /* types */
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind == D_STRUCT) buf_printf(out, "typedef struct %s %s;\n", ty_c(d->type), ty_c(d->type));
            if (d->kind == D_UNION) buf_printf(out, "typedef struct %s_box *%s;\n", ty_c(d->type), ty_c(d->type));
        }
    }
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind == D_STRUCT) emit_struct(d);
        }
    }
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind == D_UNION) emit_union(d);
        }
    }
    /* globals and prototypes */
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind == D_GLOBAL)
                buf_printf(out, "static %s %s%s;\nstatic bool %s_ready;\n", ty_c(d->type), c_global(d),
                           d->type == ty_string ? " = {0, \"\"}" : "", c_global(d));
            if (d->kind == D_FN) {
                fn_signature(out, d);
                buf_puts(out, ";\n");
            }
        }
    }
    gen_line();
    /* functions */
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->decls.len; k++) {
            Decl *d = VEC_AT(m->decls, k);
            if (d->kind != D_FN) continue;
            Buf h = {0};
            fn_signature(&h, d);
            emit_body(d->loc, h.p, d, d->body, NULL);
        }
    }
    /* global initializers, in dependency then source order */
    {
        Buf b = {0};
        ef.temps.len = 0;
        for (int i = 0; i < modules->len; i++) {
            Module *m = VEC_AT(*modules, i);
            for (int k = 0; k < m->decls.len; k++) {
                Decl *d = VEC_AT(m->decls, k);
                if (d->kind != D_GLOBAL) continue;
                line_dir(&b, d->loc);
                buf_printf(&b, "    %s = %s;\n    %s_ready = true;\n", c_global(d), emit_expr(d->init), c_global(d));
            }
        }
        buf_puts(out, "static void nr_init_globals(void) {\n");
        for (int i = 0; i < ef.temps.len; i++) buf_printf(out, "    %s nr_t%d;\n", (char *)VEC_AT(ef.temps, i), i);
        buf_put(out, b.p ? b.p : "", b.len);
        buf_puts(out, "}\n");
        gen_line();
    }
    Module *main_mod = VEC_AT(*modules, modules->len - 1);
    SymEntry *me = sym_lookup(main_mod, "main");
    if (!tests) {
        buf_printf(out,
                   "int main(int argc, char **argv) {\n    nr_init(argc, argv);\n    nr_init_globals();\n"
                   "    return nr_finish(%s());\n}\n",
                   c_fn(me->decl));
        return;
    }
    int nt = 0;
    Buf names = {0}, fns = {0};
    for (int i = 0; i < modules->len; i++) {
        Module *m = VEC_AT(*modules, i);
        for (int k = 0; k < m->shadows.len; k++) {
            Shadow *s = VEC_AT(m->shadows, k);
            const char *h = xprintf("static void nr_shadow_%d(void)", nt);
            emit_body(s->loc, h, NULL, s->body, NULL);
            buf_printf(&fns, "%snr_shadow_%d", nt ? ", " : "", nt);
            buf_printf(&names, "%s%s", nt ? ", " : "", c_string_lit(s->fn_name, strlen(s->fn_name)));
            nt++;
        }
    }
    if (nt > 0)
        buf_printf(out, "static void (*const nr_tests[])(void) = {%s};\nstatic const char *const nr_test_names[] = {%s};\n",
                   fns.p, names.p);
    buf_printf(out,
               "int main(int argc, char **argv) {\n    nr_init(argc, argv);\n    nr_init_globals();\n"
               "    return nr_run_tests(%d, %s, %s);\n}\n",
               nt, nt ? "nr_tests" : "NULL", nt ? "nr_test_names" : "NULL");
}
