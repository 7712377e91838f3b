/* natives.c: the native builtins of the VM (see natives.h).  The table is built from the rows
 * of isa/builtins.def whose lowering is NATIVE; a row names its function native_NAME.  Layer 3,
 * beside the interpreter that calls them (vm/heap.h). */
#include "natives.h"

#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "natives_core.h"
#include "numfmt.h"
#include "object.h"

/* ---- the vocabulary of the natives -------------------------------------------------------- */


/* A verified program still may pass a value of another kind: check the tag, as the
 * instructions do (docs/ISA.md, "Safety"). */
#define ARG(i, t, name)                                                                        \
    do {                                                                                       \
        if (args[i].tag != (t))                                                                \
            return type_error(p, name, i, value_tag_name(t), args[i]);                              \
    } while (0)

static int type_error(Process *p, const char *name, int i, const char *want, Value got) {
    process_fail(p, "type error: %s expects %s as argument %d, got %s", name, want, i + 1,
                 value_tag_name(got.tag));
    return -1;
}

/* An allocation failed: the heap says why. */
static int fail_alloc(Process *p) {
    process_fail(p, "%s", p->heap.error);
    return -1;
}

static int ret_str(Process *p, const char *b, size_t n, Value *result) {
    ObjString *s = str_new(&p->heap, b, n);
    if (s == NULL) return fail_alloc(p);
    *result = v_obj(T_STR, s);
    return 0;
}

/* A new empty array with room for n items, in *result. */
static int new_array(Process *p, int64_t n, Value *result) {
    ObjArray *a = arr_new(&p->heap, 0, v_unit());
    if (a == NULL) return fail_alloc(p);
    if (n > 0) {
        heap_push_temp(&p->heap, v_obj(T_ARR, a));
        int r = arr_reserve(&p->heap, a, n);
        heap_pop_temps(&p->heap, 1);
        if (r != 0) return fail_alloc(p);
    }
    *result = v_obj(T_ARR, a);
    return 0;
}

/* ---- strings ------------------------------------------------------------------------------ */

static int trim(Process *p, Value *args, Value *result, bool left, bool right, const char *name) {
    ARG(0, T_STR, name);
    ObjString *s = AS_STR(args[0]);
    size_t start, len;
    nc_trim(s->bytes, (size_t)s->len, left, right, &start, &len);
    if (len == (size_t)s->len) {
        *result = args[0];
        return 0;
    }
    return ret_str(p, s->bytes + start, len, result);
}

static int native_str_trim(Process *p, Value *args, Value *result) {
    return trim(p, args, result, true, true, "str_trim");
}

static int native_str_trim_left(Process *p, Value *args, Value *result) {
    return trim(p, args, result, true, false, "str_trim_left");
}

static int native_str_trim_right(Process *p, Value *args, Value *result) {
    return trim(p, args, result, false, true, "str_trim_right");
}

static int map_case(Process *p, Value *args, Value *result, bool upper, const char *name) {
    ARG(0, T_STR, name);
    size_t n = (size_t)AS_STR(args[0])->len;
    ObjString *r = str_alloc(&p->heap, n);
    if (r == NULL) return fail_alloc(p);
    nc_map_case(AS_STR(args[0])->bytes, n, r->bytes, upper);
    *result = v_obj(T_STR, r);
    return 0;
}

static int native_str_to_lower(Process *p, Value *args, Value *result) {
    return map_case(p, args, result, false, "str_to_lower");
}

static int native_str_to_upper(Process *p, Value *args, Value *result) {
    return map_case(p, args, result, true, "str_to_upper");
}

static int native_str_replace(Process *p, Value *args, Value *result) {
    ARG(0, T_STR, "str_replace");
    ARG(1, T_STR, "str_replace");
    ARG(2, T_STR, "str_replace");
    ObjString *s = AS_STR(args[0]), *pat = AS_STR(args[1]), *rep = AS_STR(args[2]);
    size_t n = (size_t)s->len, m = (size_t)pat->len, r = (size_t)rep->len;
    size_t c = m ? nc_count(s->bytes, n, pat->bytes, m) : 0;
    if (c == 0) {
        *result = args[0];
        return 0;
    }
    if (r > m && (r - m) > (SIZE_MAX / 2 - n) / c) {
        process_fail(p, "out of memory (str_replace result of more than %zu bytes)", SIZE_MAX / 2);
        return -1;
    }
    ObjString *out = str_alloc(&p->heap, n - c * m + c * r);
    if (out == NULL) return fail_alloc(p);
    s = AS_STR(args[0]), pat = AS_STR(args[1]), rep = AS_STR(args[2]);
    nc_replace(s->bytes, n, pat->bytes, m, rep->bytes, r, out->bytes);
    *result = v_obj(T_STR, out);
    return 0;
}

static int native_str_split(Process *p, Value *args, Value *result) {
    ARG(0, T_STR, "str_split");
    ARG(1, T_STR, "str_split");
    if (new_array(p, 0, result) != 0) return -1;
    Heap *h = &p->heap;
    heap_push_temp(h, *result);
    ObjArray *a = AS_ARR(*result);
    size_t n = (size_t)AS_STR(args[0])->len, m = (size_t)AS_STR(args[1])->len, at = 0;
    int rc = 0;
    for (;;) {
        const char *s = AS_STR(args[0])->bytes;
        size_t end;
        if (m == 0) { /* every byte on its own */
            if (at == n) break;
            end = at + 1;
        } else {
            int64_t i = nc_find(s, n, at, AS_STR(args[1])->bytes, m);
            end = i < 0 ? n : (size_t)i;
        }
        ObjString *part = str_new(h, s + at, end - at);
        if (part == NULL || arr_push(h, a, v_obj(T_STR, part)) != 0) {
            rc = fail_alloc(p);
            break;
        }
        if (end == n) break;
        at = end + m;
    }
    heap_pop_temps(h, 1);
    return rc;
}

static int native_str_repeat(Process *p, Value *args, Value *result) {
    ARG(0, T_STR, "str_repeat");
    int64_t k = args[1].as.i;
    if (k < 0) {
        process_fail(p, "str_repeat with negative count %lld", (long long)k);
        return -1;
    }
    size_t n = (size_t)AS_STR(args[0])->len;
    if (n != 0 && (uint64_t)k > (SIZE_MAX / 2) / n) {
        process_fail(p, "out of memory (str_repeat of %lld copies of %zu bytes)", (long long)k, n);
        return -1;
    }
    ObjString *r = str_alloc(&p->heap, n * (size_t)k);
    if (r == NULL) return fail_alloc(p);
    for (int64_t i = 0; i < k && n > 0; i++) memcpy(r->bytes + (size_t)i * n, AS_STR(args[0])->bytes, n);
    *result = v_obj(T_STR, r);
    return 0;
}

static int native_char_to_lower(Process *p, Value *args, Value *result) {
    (void)p;
    *result = v_int(nc_char_lower(args[0].as.i));
    return 0;
}

static int native_char_to_upper(Process *p, Value *args, Value *result) {
    (void)p;
    *result = v_int(nc_char_upper(args[0].as.i));
    return 0;
}

static int native_digit_value(Process *p, Value *args, Value *result) {
    (void)p;
    *result = v_int(nc_digit_value(args[0].as.i));
    return 0;
}

/* ---- arrays ------------------------------------------------------------------------------- */

static int native_array_remove_at(Process *p, Value *args, Value *result) {
    ARG(0, T_ARR, "array_remove_at");
    ObjArray *a = AS_ARR(args[0]);
    int64_t i = args[1].as.i;
    if (i < 0 || i >= a->len) {
        process_fail(p, "index %lld out of range for array of length %lld", (long long)i,
                     (long long)a->len);
        return -1;
    }
    if (a->h.packed && arr_unpack(&p->heap, a) != 0) { /* removing moves values: unpack first */
        process_fail(p, "%s", p->heap.error);
        return -1;
    }
    *result = a->items[i];
    memmove(a->items + i, a->items + i + 1, (size_t)(a->len - i - 1) * sizeof(Value));
    arr_set_len(a, a->len - 1);
    return 0;
}

static int native_array_concat(Process *p, Value *args, Value *result) {
    ARG(0, T_ARR, "array_concat");
    ARG(1, T_ARR, "array_concat");
    int64_t n = AS_ARR(args[0])->len, m = AS_ARR(args[1])->len;
    if (new_array(p, n + m, result) != 0) return -1; /* lengths are far below INT64_MAX / 2 */
    ObjArray *r = AS_ARR(*result), *a = AS_ARR(args[0]), *b = AS_ARR(args[1]);
    for (int64_t i = 0; i < n; i++) r->items[i] = arr_get(a, i); /* a or b may be packed */
    for (int64_t i = 0; i < m; i++) r->items[n + i] = arr_get(b, i);
    arr_set_len(r, n + m);
    return 0;
}

static int native_array_reverse(Process *p, Value *args, Value *result) {
    ARG(0, T_ARR, "array_reverse");
    int64_t n = AS_ARR(args[0])->len;
    if (new_array(p, n, result) != 0) return -1;
    ObjArray *r = AS_ARR(*result), *a = AS_ARR(args[0]);
    for (int64_t i = 0; i < n; i++) r->items[i] = arr_get(a, n - 1 - i);
    arr_set_len(r, n);
    return 0;
}

/* Whether x == y for values of a type == accepts (int, bool, enum, float, string); -1 with an
 * error for other values. */
static int equal(Process *p, Value x, Value y, const char *name) {
    if (x.tag != y.tag) return 0;
    switch (x.tag) {
    case T_INT: return x.as.i == y.as.i;
    case T_FLOAT: return x.as.f == y.as.f;
    case T_STR: return str_equal(AS_STR(x), AS_STR(y));
    default:
        process_fail(p, "type error: %s compares with ==, not defined for a %s", name, value_tag_name(x.tag));
        return -1;
    }
}

static int index_of(Process *p, Value *args, const char *name, int64_t *at) {
    ARG(0, T_ARR, name);
    ObjArray *a = AS_ARR(args[0]);
    *at = -1;
    for (int64_t i = 0; i < a->len; i++) {
        int e = equal(p, arr_get(a, i), args[1], name);
        if (e < 0) return -1;
        if (e) {
            *at = i;
            break;
        }
    }
    return 0;
}

static int native_array_index_of(Process *p, Value *args, Value *result) {
    int64_t i;
    if (index_of(p, args, "array_index_of", &i) != 0) return -1;
    *result = v_int(i);
    return 0;
}

static int native_array_contains(Process *p, Value *args, Value *result) {
    int64_t i;
    if (index_of(p, args, "array_contains", &i) != 0) return -1;
    *result = v_bool(i >= 0);
    return 0;
}

static int cmp_int(const void *x, const void *y) {
    return nc_cmp_int(((const Value *)x)->as.i, ((const Value *)y)->as.i);
}
static int cmp_float(const void *x, const void *y) {
    return nc_cmp_float(((const Value *)x)->as.f, ((const Value *)y)->as.f);
}
static int cmp_str(const void *x, const void *y) {
    const ObjString *a = AS_STR(*(const Value *)x), *b = AS_STR(*(const Value *)y);
    return nc_cmp_bytes(a->bytes, (size_t)a->len, b->bytes, (size_t)b->len);
}

static int native_array_sort(Process *p, Value *args, Value *result) {
    ARG(0, T_ARR, "array_sort");
    int64_t n = AS_ARR(args[0])->len;
    ObjArray *a = AS_ARR(args[0]);
    uint64_t tag = n > 0 ? arr_get(a, 0).tag : T_INT;
    for (int64_t i = 0; i < n; i++)
        if (arr_get(a, i).tag != tag || (tag != T_INT && tag != T_FLOAT && tag != T_STR)) {
            process_fail(p, "type error: array_sort sorts ints, floats or strings, got a %s",
                         value_tag_name(arr_get(a, i).tag));
            return -1;
        }
    Value *tmp = n > 1 ? malloc((size_t)n * sizeof(Value)) : NULL;
    if (n > 1 && tmp == NULL) {
        process_fail(p, "out of memory (array_sort of %lld elements)", (long long)n);
        return -1;
    }
    if (new_array(p, n, result) != 0) {
        free(tmp);
        return -1;
    }
    ObjArray *r = AS_ARR(*result);
    a = AS_ARR(args[0]);
    for (int64_t i = 0; i < n; i++) r->items[i] = arr_get(a, i); /* a may be packed */
    arr_set_len(r, n);
    if (n > 1)
        nc_sort(r->items, (size_t)n, sizeof(Value),
                tag == T_INT ? cmp_int : tag == T_FLOAT ? cmp_float : cmp_str, tmp);
    free(tmp);
    return 0;
}

static int native_array_clear(Process *p, Value *args, Value *result) {
    ARG(0, T_ARR, "array_clear");
    arr_set_len(AS_ARR(args[0]), 0);
    *result = v_unit();
    return 0;
}

/* ---- maps --------------------------------------------------------------------------------- */

static int native_map_clear(Process *p, Value *args, Value *result) {
    ARG(0, T_MAP, "map_clear");
    ObjMap *m = AS_MAP(args[0]);
    m->count = m->used = 0; /* the storage stays for the keys to come */
    if (m->index) memset(m->index, 0, (size_t)m->index_cap * sizeof m->index[0]);
    *result = v_unit();
    return 0;
}

/* ---- floats ------------------------------------------------------------------------------- */

static int native_float_to_repr(Process *p, Value *args, Value *result) {
    ARG(0, T_FLOAT, "float_to_repr");
    char buf[NC_REPR_BUF];
    size_t n = nc_float_repr(args[0].as.f, buf);
    return ret_str(p, buf, n, result);
}

static int native_float_to_fixed(Process *p, Value *args, Value *result) {
    ARG(0, T_FLOAT, "float_to_fixed");
    int64_t d = args[1].as.i;
    if (d < 0 || d > NC_FIXED_MAX_DIGITS) {
        process_fail(p, "float_to_fixed with %lld digits (0..%d)", (long long)d, NC_FIXED_MAX_DIGITS);
        return -1;
    }
    char buf[NC_FIXED_BUF];
    size_t n = nc_float_fixed(args[0].as.f, (int)d, buf);
    return ret_str(p, buf, n, result);
}

/* ---- random numbers ----------------------------------------------------------------------- */

static int native_random_seed(Process *p, Value *args, Value *result) {
    p->rng = (uint64_t)args[0].as.i;
    *result = v_unit();
    return 0;
}

static int native_random_int(Process *p, Value *args, Value *result) {
    int64_t lo = args[0].as.i, hi = args[1].as.i;
    if (lo > hi) {
        process_fail(p, "random_int with an empty range [%lld, %lld]", (long long)lo, (long long)hi);
        return -1;
    }
    *result = v_int(nc_rng_range(&p->rng, lo, hi));
    return 0;
}

static int native_random_float(Process *p, Value *args, Value *result) {
    (void)args;
    *result = v_float(nc_rng_float(&p->rng));
    return 0;
}

/* ---- paths -------------------------------------------------------------------------------- */

static int native_path_join(Process *p, Value *args, Value *result) {
    ARG(0, T_STR, "path_join");
    ARG(1, T_STR, "path_join");
    ObjString *a = AS_STR(args[0]), *b = AS_STR(args[1]);
    size_t an = (size_t)a->len, bn = (size_t)b->len;
    if ((bn > 0 && b->bytes[0] == '/') || an == 0 || bn == 0) { /* b or a itself */
        *result = bn == 0 && an > 0 ? args[0] : args[1];
        return 0;
    }
    ObjString *r = str_alloc(&p->heap, an + bn + (a->bytes[an - 1] == '/' ? 0 : 1));
    if (r == NULL) return fail_alloc(p);
    a = AS_STR(args[0]), b = AS_STR(args[1]);
    nc_path_join(a->bytes, an, b->bytes, bn, r->bytes);
    *result = v_obj(T_STR, r);
    return 0;
}

static int native_path_basename(Process *p, Value *args, Value *result) {
    ARG(0, T_STR, "path_basename");
    ObjString *s = AS_STR(args[0]);
    size_t start, len;
    nc_path_basename(s->bytes, (size_t)s->len, &start, &len);
    if (len == (size_t)s->len) {
        *result = args[0];
        return 0;
    }
    return ret_str(p, s->bytes + start, len, result);
}

/* A result of at most n + 1 bytes written by f into a scratch buffer. */
static int via_buffer(Process *p, Value *args, Value *result, const char *name,
                      size_t (*f)(const char *, size_t, char *)) {
    ARG(0, T_STR, name);
    size_t n = (size_t)AS_STR(args[0])->len;
    char small[256];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (buf == NULL) {
        process_fail(p, "out of memory (%s of %zu bytes)", name, n);
        return -1;
    }
    size_t len = f(AS_STR(args[0])->bytes, n, buf);
    int r = ret_str(p, buf, len, result);
    if (buf != small) free(buf);
    return r;
}

static int native_path_dirname(Process *p, Value *args, Value *result) {
    return via_buffer(p, args, result, "path_dirname", nc_path_dirname);
}

static int native_path_normalize(Process *p, Value *args, Value *result) {
    return via_buffer(p, args, result, "path_normalize", nc_path_normalize);
}

/* ---- format ------------------------------------------------------------------------------- */

static int native_format(Process *p, Value *args, Value *result) {
    ARG(0, T_STR, "format");
    ObjString *spec = AS_STR(args[0]);
    NcFormat f;
    const char *why = nc_format_parse(spec->bytes, (size_t)spec->len, &f);
    if (why != NULL) {
        process_fail(p, "format: %s in the spec", why);
        return -1;
    }
    Value v = args[1];
    char num[NC_FORMAT_NUM_BUF];
    const char *val = num;
    size_t vn = 0;
    if (f.conv == 'd') {
        if (v.tag != T_INT) {
            process_fail(p, "format: %%d needs an int, got a %s", value_tag_name(v.tag));
            return -1;
        }
        vn = nc_format_int(&f, v.as.i, num);
    } else if (f.conv == 'f' || f.conv == 'g') {
        if (v.tag != T_INT && v.tag != T_FLOAT) {
            process_fail(p, "format: %%%c needs a float or an int, got a %s", f.conv, value_tag_name(v.tag));
            return -1;
        }
        vn = nc_format_float(&f, v.tag == T_INT ? (double)v.as.i : v.as.f, num);
    } else if (v.tag == T_STR) { /* %s */
        val = AS_STR(v)->bytes;
        vn = (size_t)AS_STR(v)->len;
    } else if (v.tag == T_INT) {
        vn = nf_format_int(v.as.i, num);
    } else if (v.tag == T_FLOAT) {
        vn = nf_format_float(v.as.f, num);
    } else {
        process_fail(p, "format: %%s needs an int, float, bool or string, got a %s", value_tag_name(v.tag));
        return -1;
    }
    if (f.conv == 's' && f.prec >= 0 && vn > (size_t)f.prec) vn = (size_t)f.prec;
    size_t len = nc_format_write(spec->bytes, (size_t)spec->len, &f, val, vn, NULL);
    ObjString *r = str_alloc(&p->heap, len);
    if (r == NULL) return fail_alloc(p);
    spec = AS_STR(args[0]);
    if (v.tag == T_STR) val = AS_STR(args[1])->bytes; /* the collection may have moved it */
    nc_format_write(spec->bytes, (size_t)spec->len, &f, val, vn, r->bytes);
    *result = v_obj(T_STR, r);
    return 0;
}

/* ---- the table ---------------------------------------------------------------------------- */

#define NATIVE_FN_OP(name)
#define NATIVE_FN_NUM(name)
#define NATIVE_FN_TRAP(name)
#define NATIVE_FN_TRAP1(name)
#define NATIVE_FN_HELPER(name)
#define NATIVE_FN_SPECIAL(name)
#define NATIVE_FN_NATIVE(name) [NATIVE_##name] = native_##name,
const NativeFn native_fns[NATIVE__COUNT] = {
#define BUILTIN(name, sig, low, a, b, effect, native) NATIVE_FN_##low(name)
#include "builtins.def"
#undef BUILTIN
};
