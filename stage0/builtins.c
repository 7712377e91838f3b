/* builtins.c: the builtin functions of docs/BUILTINS.md: names and type rules. */
#include <string.h>

#include "check.h"

static const char *const names[] = {
#define B(id, name) name,
#include "builtins.def"
#undef B
};

int builtin_lookup(const char *name) {
    for (int i = 0; i < B_COUNT; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

const char *builtin_name(int id) { return names[id]; }

/* Fixed signatures: parameter codes then '>' and the result code.
 * i int, f float, b bool, s string, v void; NULL: checked by hand below. */
static const char *sig(int id) {
    switch (id) {
    case B_eprint: case B_eprintln: return "s>v";
    case B_get_argc: return ">i";
    case B_get_argv: return "i>s";
    case B_file_read: return "s>s";
    case B_file_exists: return "s>b";
    case B_file_write: return "ss>i";
    case B_getenv: return "s>s";
    case B_run_shadow_tests: return "s>s";
    case B_clock_ns: return ">i";
    case B_exit: return "i>v";
    case B_panic: return "s>v";
    case B_sqrt: case B_floor: case B_ceil: case B_round: case B_sin: case B_cos: case B_tan:
    case B_exp: case B_log: return "f>f";
    case B_pow: case B_atan2: return "ff>f";
    case B_bit_and: case B_bit_or: case B_bit_xor: case B_bit_shl: case B_bit_shr: case B_bit_ushr:
        return "ii>i";
    case B_float_to_bits: return "f>i";
    case B_bits_to_float: return "i>f";
    case B_int_to_float: return "i>f";
    case B_float_to_int: return "f>i";
    case B_int_to_string: return "i>s";
    case B_float_to_string: return "f>s";
    case B_bool_to_string: return "b>s";
    case B_string_to_int: return "s>i";
    case B_string_to_float: return "s>f";
    case B_str_length: return "s>i";
    case B_str_concat: return "ss>s";
    case B_str_substring: return "sii>s";
    case B_str_equals: return "ss>b";
    case B_str_compare: return "ss>i";
    case B_str_contains: return "ss>b";
    case B_str_index_of: return "ss>i";
    case B_char_at: return "si>i";
    case B_string_from_char: return "i>s";
    case B_is_digit: case B_is_alpha: case B_is_alnum: case B_is_whitespace: case B_is_upper:
    case B_is_lower: return "i>b";
    default: return NULL;
    }
}

static Type *code_type(char c) {
    switch (c) {
    case 'i': return ty_int;
    case 'f': return ty_float;
    case 'b': return ty_bool;
    case 's': return ty_string;
    default: return ty_void;
    }
}

static void nargs(Node *call, int n) {
    if (call->list.len != n)
        error_at(call->loc, "%s takes %d argument%s, %d given", names[call->ival], n, n == 1 ? "" : "s", call->list.len);
}

static Node *arg(Node *call, int i) { return VEC_AT(call->list, i); }

static Type *arg_type(Node *call, int i, Type *expected) {
    Type *t = check_expr(arg(call, i), expected);
    return t->kind == T_VARIANT ? t->decl->type : t;
}

static void want(Node *call, int i, Type *t) {
    check_expr(arg(call, i), t);
    expect_type(arg(call, i), t, xprintf("argument %d of %s", i + 1, names[call->ival]));
}

static Type *want_array(Node *call, int i) {
    Type *t = arg_type(call, i, NULL);
    if (t->kind != T_ARRAY) error_at(arg(call, i)->loc, "argument %d of %s must be an array, not %s", i + 1, names[call->ival], ty_name(t));
    return t;
}

static Type *want_map(Node *call, int i) {
    Type *t = arg_type(call, i, NULL);
    if (t->kind != T_MAP) error_at(arg(call, i)->loc, "argument %d of %s must be a HashMap, not %s", i + 1, names[call->ival], ty_name(t));
    return t;
}

Type *check_builtin(Node *call, int id, Type *expected) {
    const char *s = sig(id);
    if (s) {
        const char *gt = strchr(s, '>');
        nargs(call, (int)(gt - s));
        for (int i = 0; s[i] != '>'; i++) want(call, i, code_type(s[i]));
        return code_type(gt[1]);
    }
    Type *t, *u;
    switch (id) {
    case B_print:
    case B_println:
        nargs(call, 1);
        t = arg_type(call, 0, NULL);
        if (t != ty_int && t != ty_float && t != ty_bool && t != ty_string)
            error_at(arg(call, 0)->loc, "%s takes an int, float, bool or string, not %s", names[id], ty_name(t));
        return ty_void;
    case B_abs:
        nargs(call, 1);
        t = arg_type(call, 0, NULL);
        if (t != ty_int && t != ty_float) error_at(arg(call, 0)->loc, "abs takes an int or a float, not %s", ty_name(t));
        return t;
    case B_min:
    case B_max:
        nargs(call, 2);
        t = arg_type(call, 0, NULL);
        if (t != ty_int && t != ty_float) error_at(arg(call, 0)->loc, "%s takes ints or floats, not %s", names[id], ty_name(t));
        want(call, 1, t);
        return t;
    case B_str_join:
        nargs(call, 1);
        want(call, 0, ty_array(ty_string));
        return ty_string;
    case B_run_program:
        nargs(call, 2);
        want(call, 0, ty_string);
        want(call, 1, ty_array(ty_string));
        return ty_int;
    case B_array_new:
        nargs(call, 2);
        want(call, 0, ty_int);
        t = arg_type(call, 1, expected && expected->kind == T_ARRAY ? expected->elem : NULL);
        if (t == ty_void) error_at(arg(call, 1)->loc, "array_new needs a non-void initial value");
        if (expected && expected->kind == T_ARRAY) {
            expect_type(arg(call, 1), expected->elem, "argument 2 of array_new");
            t = expected->elem;
        }
        return ty_array(t);
    case B_array_length:
        nargs(call, 1);
        want_array(call, 0);
        return ty_int;
    case B_at:
        nargs(call, 2);
        t = want_array(call, 0);
        want(call, 1, ty_int);
        return t->elem;
    case B_array_set:
        nargs(call, 3);
        t = want_array(call, 0);
        want(call, 1, ty_int);
        want(call, 2, t->elem);
        return ty_void;
    case B_array_push:
        nargs(call, 2);
        t = want_array(call, 0);
        want(call, 1, t->elem);
        return t;
    case B_array_pop:
        nargs(call, 1);
        t = want_array(call, 0);
        return t->elem;
    case B_array_slice:
        nargs(call, 3);
        t = want_array(call, 0);
        want(call, 1, ty_int);
        want(call, 2, ty_int);
        return t;
    case B_map_new:
        nargs(call, 0);
        if (!expected || expected->kind != T_MAP)
            error_at(call->loc, "the type of (map_new) is unknown here; give the variable a type: let m: HashMap<K, V> = (map_new)");
        return expected;
    case B_map_put:
        nargs(call, 3);
        t = want_map(call, 0);
        want(call, 1, t->key);
        want(call, 2, t->elem);
        return ty_void;
    case B_map_get:
    case B_map_has:
    case B_map_remove:
        nargs(call, 2);
        t = want_map(call, 0);
        want(call, 1, t->key);
        return id == B_map_get ? t->elem : id == B_map_has ? ty_bool : ty_void;
    case B_map_size:
        nargs(call, 1);
        want_map(call, 0);
        return ty_int;
    case B_map_keys:
    case B_map_values:
        nargs(call, 1);
        t = want_map(call, 0);
        u = id == B_map_keys ? t->key : t->elem;
        return ty_array(u);
    default: error_at(call->loc, "internal error: builtin %s has no type rule", names[id]);
    }
}
