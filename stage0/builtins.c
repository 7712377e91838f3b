/* builtins.c: the builtin functions, from the shared table isa/builtins.def: their names, the
 * type rule each signature implies, and the C each call becomes.
 *
 * A signature is words (isa/builtins.def): parameter words, ":", the result word.  The type
 * variables T (elem), K (key), V (value) and N (num) of one call are bound from the call's
 * expected type first, then from the arguments left to right, as in the compiler
 * (stage1/check_builtins.nano). */
#include <string.h>

#include "check.h"

typedef struct {
    const char *name, *sig, *native;
    bool pure;
} Row;

#define PURE true
#define EFFECT false
static const Row rows[] = {
#define BUILTIN(name, sig, low, a, b, effect, native) {#name, sig, native, effect},
#include "builtins.def"
#undef BUILTIN
};

/* A builtin without a native form (list_X_OP) is not in the bootstrap subset: its name is an
 * ordinary (undefined) name here. */
int builtin_lookup(const char *name) {
    for (int i = 0; i < B_COUNT; i++)
        if (rows[i].native[0] && strcmp(rows[i].name, name) == 0) return i;
    return -1;
}

const char *builtin_name(int id) { return rows[id].name; }

bool builtin_pure(int id) { return rows[id].pure; }

/* ---- type rules ---------------------------------------------------------------------------- */

typedef struct {
    Type *T, *K, *V, *N; /* NULL while unbound */
} Vars;

/* The signature's words, each NUL-terminated in a copy; returns the count. */
static int words(const char *sig, char **w, int max) {
    char *s = xstrdup(sig);
    int n = 0;
    for (char *t = strtok(s, " "); t && n < max; t = strtok(NULL, " ")) w[n++] = t;
    return n;
}

static bool is(const char *w, const char *k) { return strcmp(w, k) == 0; }

static Type *fixed_type(const char *w) {
    if (is(w, "int")) return ty_int;
    if (is(w, "float")) return ty_float;
    if (is(w, "bool")) return ty_bool;
    if (is(w, "string")) return ty_string;
    if (is(w, "strings")) return ty_array(ty_string);
    if (is(w, "void")) return ty_void;
    return NULL;
}

/* The type word w stands for, given the variables bound so far, or NULL. */
static Type *word_type(const char *w, const Vars *v) {
    Type *t = fixed_type(w);
    if (t) return t;
    if (is(w, "num")) return v->N;
    if (is(w, "elem")) return v->T;
    if (is(w, "key")) return v->K;
    if (is(w, "value")) return v->V;
    if (is(w, "array")) return v->T ? ty_array(v->T) : NULL;
    if (is(w, "keys")) return v->K ? ty_array(v->K) : NULL;
    if (is(w, "values")) return v->V ? ty_array(v->V) : NULL;
    if (is(w, "map")) return v->K && v->V ? ty_map(v->K, v->V) : NULL;
    return NULL; /* printable */
}

static void bind(Type **var, Type *t) {
    if (!*var) *var = t;
}

/* What the call's expected type says about the variables of result word w. */
static void bind_expected(const char *w, Type *expected, Vars *v) {
    if (!expected || expected == ty_void) return;
    if (is(w, "num") && (expected == ty_int || expected == ty_float)) bind(&v->N, expected);
    if (is(w, "elem")) bind(&v->T, expected);
    if (is(w, "key")) bind(&v->K, expected);
    if (is(w, "value")) bind(&v->V, expected);
    if (expected->kind == T_ARRAY) {
        if (is(w, "array")) bind(&v->T, expected->elem);
        if (is(w, "keys")) bind(&v->K, expected->elem);
        if (is(w, "values")) bind(&v->V, expected->elem);
    }
    if (expected->kind == T_MAP && is(w, "map")) {
        bind(&v->K, expected->key);
        bind(&v->V, expected->elem);
    }
}

static Node *arg(Node *call, int i) { return VEC_AT(call->list, i); }

/* Argument i of a parameter of word w whose type is not known yet: checks it and binds. */
static void accept(Node *call, int i, const char *w, Vars *v) {
    const char *name = rows[call->ival].name;
    Type *t = check_expr(arg(call, i), NULL);
    if (t->kind == T_VARIANT) t = t->decl->type;
    if (is(w, "printable")) {
        if (t != ty_int && t != ty_float && t != ty_bool && t != ty_string)
            error_at(arg(call, i)->loc, "%s takes an int, float, bool or string, not %s", name, ty_name(t));
    } else if (is(w, "num")) {
        if (t != ty_int && t != ty_float)
            error_at(arg(call, i)->loc, "%s takes an int or a float, not %s", name, ty_name(t));
        v->N = t;
    } else if (is(w, "array")) {
        if (t->kind != T_ARRAY)
            error_at(arg(call, i)->loc, "argument %d of %s must be an array, not %s", i + 1, name, ty_name(t));
        v->T = t->elem;
    } else if (is(w, "map")) {
        if (t->kind != T_MAP)
            error_at(arg(call, i)->loc, "argument %d of %s must be a HashMap, not %s", i + 1, name, ty_name(t));
        v->K = t->key;
        v->V = t->elem;
    } else {
        if (t == ty_void) error_at(arg(call, i)->loc, "%s needs a non-void argument %d", name, i + 1);
        bind(is(w, "elem") ? &v->T : is(w, "key") ? &v->K : &v->V, t);
    }
}

Type *check_builtin(Node *call, int id, Type *expected) {
    char *w[8];
    int n = words(rows[id].sig, w, 8), nparams = n - 2; /* the last two words: ":" result */
    const char *result = w[n - 1];
    if (call->list.len != nparams)
        error_at(call->loc, "%s takes %d argument%s, %d given", rows[id].name, nparams, nparams == 1 ? "" : "s",
                 call->list.len);
    Vars v = {0};
    bind_expected(result, expected, &v);
    for (int i = 0; i < nparams; i++) {
        Type *want = word_type(w[i], &v);
        if (want) {
            check_expr(arg(call, i), want);
            expect_type(arg(call, i), want, xprintf("argument %d of %s", i + 1, rows[id].name));
        } else {
            accept(call, i, w[i], &v);
        }
    }
    Type *t = word_type(result, &v);
    if (!t)
        error_at(call->loc, "the type of (%s) is unknown here; give the variable a type: let m: HashMap<K, V> = (%s)",
                 rows[id].name, rows[id].name);
    return t;
}

/* ---- the C of a call ------------------------------------------------------------------------- */

static const char *print_kind(Type *t) {
    return t == ty_int ? "int" : t == ty_float ? "float" : t == ty_bool ? "bool" : "str";
}

/* The C expression for a call of builtin id, from its native template in isa/builtins.def:
 * o[i] is argument i's C text, types[i] its type, result the call's type, loc its position. */
char *builtin_c(int id, char **o, Type **types, int n, Type *result, const char *loc) {
    Buf b = {0};
    for (const char *s = rows[id].native; *s; s++) {
        if (*s != '%') {
            buf_put(&b, s, 1);
            continue;
        }
        char c = *++s;
        Type *t0 = n > 0 ? types[0] : NULL;
        if (c >= '0' && c <= '9') buf_puts(&b, o[c - '0']);
        else if (c == '*')
            for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ", " : "", o[i]);
        else if (c == 'L') buf_puts(&b, loc);
        else if (c == 't') buf_puts(&b, print_kind(t0));
        else if (c == 'u') buf_puts(&b, print_kind(n > 1 ? types[1] : NULL));
        else if (c == 'k') buf_puts(&b, t0->key == ty_string ? "s" : "i");
        else if (c == 'E') buf_puts(&b, ty_c(t0->elem));
        else if (c == 'R') buf_puts(&b, ty_c(result));
        else if (c == 'Y') buf_puts(&b, ty_c(result->elem));
        else if (c == 'K') buf_puts(&b, result->key == ty_string ? "true" : "false");
        else error_at((Loc){"isa/builtins.def", 1, 1}, "internal error: bad template '%%%c' for builtin %s", c,
                      rows[id].name);
    }
    return b.p ? b.p : xstrdup("");
}
