/* loader.c: reads a .nvm image (docs/NVM_FORMAT.md) into a Program, then verifies it.
 *
 * Every byte is untrusted.  Each section is read through a bounded cursor (Sec) that fails
 * instead of reading past the section; each count is checked against the bytes left in its
 * section before anything is allocated for it.  Every allocation is stored in the Program as
 * soon as it is made, so that program_free() cleans up after a failure at any point.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cop/cop_wire.h"
#include "fuse.h"
#include "nvm_format.h"
#include "program.h"

uint32_t nvm_crc32(const uint8_t *data, size_t len) {
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t get_u32(const uint8_t *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t get_u16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }

/* calloc that never asks for zero bytes (so that NULL always means out of memory). */
static void *xcalloc(size_t n, size_t size) { return calloc(n ? n : 1, size); }

static const char *const sec_names[NVM_SEC__LAST + 1] = {
    [NVM_SEC_STRINGS] = "STRINGS",         [NVM_SEC_CODE] = "CODE",
    [NVM_SEC_FUNCTIONS] = "FUNCTIONS",     [NVM_SEC_TYPES] = "TYPES",
    [NVM_SEC_GLOBALS] = "GLOBALS",         [NVM_SEC_IMPORTS] = "IMPORTS",
    [NVM_SEC_DEBUG_LINES] = "DEBUG_LINES", [NVM_SEC_SHADOW] = "SHADOW",
    [NVM_SEC_META] = "META",               [NVM_SEC_CTYPES] = "CTYPES",
};

static const char *const type_kind_names[] = {"struct", "tuple", "union", "enum"};

typedef struct {
    char *err;
    size_t errlen;
} Loader;

/* A cursor over one section. */
typedef struct {
    Loader *L;
    const char *name;
    const uint8_t *b;
    uint32_t size, pos;
    char ctx[96]; /* "function 3: " etc., prepended to messages */
} Sec;

static int vfail(Loader *L, const char *prefix, const char *ctx, const char *fmt, va_list ap) {
    if (L->errlen == 0) return -1;
    int n = snprintf(L->err, L->errlen, "bad .nvm: %s%s", prefix, ctx);
    if (n >= 0 && (size_t)n < L->errlen) vsnprintf(L->err + n, L->errlen - (size_t)n, fmt, ap);
    return -1;
}

__attribute__((format(printf, 2, 3))) static int fail(Loader *L, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(L, "", "", fmt, ap);
    va_end(ap);
    return -1;
}

__attribute__((format(printf, 2, 3))) static int sfail(Sec *s, const char *fmt, ...) {
    char prefix[40];
    snprintf(prefix, sizeof prefix, "section %s: ", s->name);
    va_list ap;
    va_start(ap, fmt);
    vfail(s->L, prefix, s->ctx, fmt, ap);
    va_end(ap);
    return -1;
}

static int rd(Sec *s, uint32_t *out, const char *what) {
    if (s->size - s->pos < 4)
        return sfail(s, "%s at byte %u runs past the end of the section (%u bytes)", what,
                     s->pos, s->size);
    *out = get_u32(s->b + s->pos);
    s->pos += 4;
    return 0;
}

/* Read a count of entries that each take at least 'min_bytes' more bytes of the section. */
static int rd_count(Sec *s, uint32_t *n, uint32_t min_bytes, const char *what) {
    if (rd(s, n, what) < 0) return -1;
    if (*n > (s->size - s->pos) / min_bytes)
        return sfail(s, "%s %u too large for the %u bytes left in the section", what, *n,
                     s->size - s->pos);
    return 0;
}

/* Read a string index; NVM_NONE is accepted when allow_none. */
static int rd_str(Sec *s, const Program *p, uint32_t *out, bool allow_none, const char *what) {
    if (rd(s, out, what) < 0) return -1;
    if (*out == NVM_NONE) {
        if (allow_none) return 0;
        return sfail(s, "%s is NONE (a string is required)", what);
    }
    if (*out >= p->nstrings)
        return sfail(s, "%s: string index %u out of range (%u strings)", what, *out, p->nstrings);
    return 0;
}

static int rd_func(Sec *s, const Program *p, uint32_t *out, const char *what) {
    if (rd(s, out, what) < 0) return -1;
    if (*out >= p->nfuncs)
        return sfail(s, "%s: function index %u out of range (%u functions)", what, *out,
                     p->nfuncs);
    return 0;
}

static int check_end(Sec *s) {
    s->ctx[0] = '\0';
    if (s->pos != s->size)
        return sfail(s, "%u trailing bytes after the content (section is %u bytes)",
                     s->size - s->pos, s->size);
    return 0;
}

/* ---- sections ---------------------------------------------------------------------------- */

static int load_strings(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 4, "string count") < 0) return -1;
    /* First pass: validate the lengths and padding, and size the arena. */
    const size_t align = _Alignof(ObjString);
    uint64_t total = (uint64_t)count * sizeof(ObjString *);
    total = (total + align - 1) / align * align;
    uint32_t start = s->pos;
    for (uint32_t i = 0; i < count; i++) {
        snprintf(s->ctx, sizeof s->ctx, "string %u: ", i);
        uint32_t len = 0;
        if (rd(s, &len, "length") < 0) return -1;
        uint32_t padded = len + (uint32_t)((4 - len % 4) % 4);
        if (len > s->size - s->pos || padded > s->size - s->pos)
            return sfail(s, "length %u runs past the end of the section (%u bytes left)", len,
                         s->size - s->pos);
        for (uint32_t k = len; k < padded; k++)
            if (s->b[s->pos + k] != 0) return sfail(s, "nonzero padding byte");
        s->pos += padded;
        uint64_t obj = offsetof(ObjString, bytes) + (uint64_t)len + 1;
        total += (obj + align - 1) / align * align;
    }
    if (total > SIZE_MAX) return fail(s->L, "out of memory (string pool)");
    uint8_t *arena = malloc(total ? (size_t)total : 1);
    if (!arena) return fail(s->L, "out of memory (string pool)");
    /* The pointer array and the objects are one block: program_free frees p->strings. */
    p->strings = (ObjString **)(void *)arena;
    p->nstrings = count;
    size_t at = (size_t)count * sizeof(ObjString *);
    at = (at + align - 1) / align * align;
    s->pos = start;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len = get_u32(s->b + s->pos);
        s->pos += 4;
        ObjString *str = (ObjString *)(void *)(arena + at);
        size_t obj = offsetof(ObjString, bytes) + (size_t)len + 1;
        memset(str, 0, offsetof(ObjString, bytes));
        str->h.kind = T_STR;
        str->h.is_static = 1;
        str->len = len;
        if (len) memcpy(str->bytes, s->b + s->pos, len);
        str->bytes[len] = '\0';
        p->strings[i] = str;
        s->pos += len + (uint32_t)((4 - len % 4) % 4);
        at += (obj + align - 1) / align * align;
    }
    return check_end(s);
}

static int load_code(Sec *s, Program *p) {
    p->code_len = s->size / 4;
    p->code = xcalloc(p->code_len, sizeof(uint32_t));
    if (!p->code) return fail(s->L, "out of memory (code)");
    for (uint32_t i = 0; i < p->code_len; i++) p->code[i] = get_u32(s->b + 4 * (size_t)i);
    s->pos = s->size;
    return 0;
}

typedef struct {
    uint32_t start, len, idx;
} Range;

static int range_cmp(const void *a, const void *b) {
    const Range *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int load_functions(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 32, "function count") < 0) return -1;
    p->funcs = xcalloc(count, sizeof(Function));
    if (!p->funcs) return fail(s->L, "out of memory (functions)");
    p->nfuncs = count;
    for (uint32_t i = 0; i < count; i++) {
        Function *f = &p->funcs[i];
        snprintf(s->ctx, sizeof s->ctx, "function %u: ", i);
        if (rd_str(s, p, &f->name, false, "name") < 0 || rd(s, &f->nparams, "nparams") < 0 ||
            rd(s, &f->nlocals, "nlocals") < 0 || rd(s, &f->nret, "nret") < 0 ||
            rd(s, &f->code_start, "code_start") < 0 || rd(s, &f->code_len, "code_len") < 0 ||
            rd_str(s, p, &f->file, true, "file") < 0 || rd(s, &f->line, "line") < 0)
            return -1;
        if (f->nlocals > NVM_MAX_LOCALS)
            return sfail(s, "nlocals %u exceeds the limit (%u)", f->nlocals, NVM_MAX_LOCALS);
        if (f->nparams > f->nlocals)
            return sfail(s, "nparams %u exceeds nlocals %u", f->nparams, f->nlocals);
        if (f->nret > 1) return sfail(s, "nret %u (must be 0 or 1)", f->nret);
        if ((uint64_t)f->code_start + f->code_len > p->code_len)
            return sfail(s, "code range [%u, %llu) outside the code section (%u words)",
                         f->code_start, (unsigned long long)f->code_start + f->code_len,
                         p->code_len);
    }
    /* No two code ranges overlap: sort by start, compare neighbours (empty ranges skipped). */
    Range *r = xcalloc(count, sizeof(Range));
    if (!r) return fail(s->L, "out of memory (functions)");
    uint32_t n = 0;
    for (uint32_t i = 0; i < count; i++)
        if (p->funcs[i].code_len) r[n++] = (Range){p->funcs[i].code_start, p->funcs[i].code_len, i};
    qsort(r, n, sizeof(Range), range_cmp);
    for (uint32_t i = 1; i < n; i++) {
        if (r[i - 1].start + r[i - 1].len > r[i].start) {
            snprintf(s->ctx, sizeof s->ctx, "function %u: ", r[i].idx);
            sfail(s, "code range [%u, %u) overlaps function %u [%u, %u)", r[i].start,
                  r[i].start + r[i].len, r[i - 1].idx, r[i - 1].start,
                  r[i - 1].start + r[i - 1].len);
            free(r);
            return -1;
        }
    }
    free(r);
    return check_end(s);
}

static int load_types(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 12, "type count") < 0) return -1;
    p->types = xcalloc(count, sizeof(TypeInfo));
    if (!p->types) return fail(s->L, "out of memory (types)");
    p->ntypes = count;
    for (uint32_t i = 0; i < count; i++) {
        TypeInfo *t = &p->types[i];
        snprintf(s->ctx, sizeof s->ctx, "type %u: ", i);
        if (rd(s, &t->kind, "kind") < 0) return -1;
        if (t->kind > NVM_TYPE_ENUM) return sfail(s, "unknown kind %u", t->kind);
        const char *kn = type_kind_names[t->kind];
        bool record = t->kind == NVM_TYPE_STRUCT || t->kind == NVM_TYPE_TUPLE;
        if (rd_str(s, p, &t->name, t->kind == NVM_TYPE_TUPLE, "name") < 0) return -1;
        uint32_t nv = 0;
        if (rd_count(s, &nv, 8, "variant count") < 0) return -1;
        if (record && nv != 1) return sfail(s, "%s with %u variants (must be 1)", kn, nv);
        if (!record && nv == 0) return sfail(s, "%s with no variants", kn);
        t->variants = xcalloc(nv, sizeof(Variant));
        if (!t->variants) return fail(s->L, "out of memory (types)");
        t->nvariants = nv;
        for (uint32_t v = 0; v < nv; v++) {
            Variant *var = &t->variants[v];
            snprintf(s->ctx, sizeof s->ctx, "type %u: variant %u: ", i, v);
            if (rd(s, &var->name, "name") < 0) return -1;
            if (record) {
                if (var->name != NVM_NONE)
                    return sfail(s, "name must be NONE in a %s", kn);
            } else if (var->name == NVM_NONE) {
                return sfail(s, "name is NONE (a string is required)");
            } else if (var->name >= p->nstrings) {
                return sfail(s, "name: string index %u out of range (%u strings)", var->name,
                             p->nstrings);
            }
            uint32_t nf = 0;
            if (rd_count(s, &nf, 4, "field count") < 0) return -1;
            if (t->kind == NVM_TYPE_ENUM && nf != 0)
                return sfail(s, "enum variant with %u fields (must be 0)", nf);
            var->field_names = xcalloc(nf, sizeof(uint32_t));
            if (!var->field_names) return fail(s->L, "out of memory (types)");
            var->nfields = nf;
            for (uint32_t k = 0; k < nf; k++) {
                snprintf(s->ctx, sizeof s->ctx, "type %u: variant %u: field %u: ", i, v, k);
                if (t->kind == NVM_TYPE_TUPLE) {
                    if (rd(s, &var->field_names[k], "name") < 0) return -1;
                    if (var->field_names[k] != NVM_NONE)
                        return sfail(s, "name must be NONE in a tuple");
                } else if (rd_str(s, p, &var->field_names[k], false, "name") < 0) {
                    return -1;
                }
            }
        }
    }
    return check_end(s);
}

static int load_globals(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 4, "global count") < 0) return -1;
    p->global_names = xcalloc(count, sizeof(uint32_t));
    if (!p->global_names) return fail(s->L, "out of memory (globals)");
    p->nglobals = count;
    for (uint32_t i = 0; i < count; i++) {
        snprintf(s->ctx, sizeof s->ctx, "global %u: ", i);
        if (rd_str(s, p, &p->global_names[i], false, "name") < 0) return -1;
    }
    return check_end(s);
}

static int load_imports(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 20, "import count") < 0) return -1;
    p->imports = xcalloc(count, sizeof(Import));
    if (!p->imports) return fail(s->L, "out of memory (imports)");
    p->nimports = count;
    for (uint32_t i = 0; i < count; i++) {
        Import *im = &p->imports[i];
        snprintf(s->ctx, sizeof s->ctx, "import %u: ", i);
        uint32_t ret_kind = 0;
        if (rd_str(s, p, &im->name, false, "name") < 0 ||
            rd_str(s, p, &im->library, true, "library") < 0 ||
            rd(s, &im->nparams, "nparams") < 0 || rd(s, &im->nret, "nret") < 0 ||
            rd(s, &ret_kind, "ret_kind") < 0)
            return -1;
        if (im->nret > 1) return sfail(s, "nret %u (must be 0 or 1)", im->nret);
        if (ret_kind > NVM_VK_OPAQUE) return sfail(s, "unknown return kind %u", ret_kind);
        if ((ret_kind == NVM_VK_VOID) != (im->nret == 0))
            return sfail(s, "return kind %u does not match nret %u", ret_kind, im->nret);
        im->ret_kind = (uint8_t)ret_kind;
        uint32_t padded = im->nparams + (uint32_t)((4 - im->nparams % 4) % 4);
        if (im->nparams > s->size - s->pos || padded > s->size - s->pos)
            return sfail(s, "nparams %u too large for the %u bytes left in the section",
                         im->nparams, s->size - s->pos);
        im->param_kinds = xcalloc(im->nparams, 1);
        if (!im->param_kinds) return fail(s->L, "out of memory (imports)");
        for (uint32_t k = 0; k < im->nparams; k++) {
            uint8_t vk = s->b[s->pos + k];
            if (vk == NVM_VK_VOID || vk > NVM_VK_FUNC)
                return sfail(s, "parameter %u: bad value kind %u", k, vk);
            im->param_kinds[k] = vk;
        }
        for (uint32_t k = im->nparams; k < padded; k++)
            if (s->b[s->pos + k] != 0) return sfail(s, "nonzero padding byte");
        s->pos += padded;
    }
    return check_end(s);
}

/* Whether C type code c can carry a value of kind vk (docs/NVM_FORMAT.md 3.10). */
static int ctype_fits(uint8_t vk, uint8_t c) {
    switch (vk) {
    case NVM_VK_VOID: return c == COP_C_VOID;
    case NVM_VK_INT: return c >= COP_C_INT8 && c <= COP_C_INT;
    case NVM_VK_FLOAT: return c == COP_C_DOUBLE || c == COP_C_FLOAT;
    case NVM_VK_BOOL: return c == COP_C_BOOL;
    case NVM_VK_STRING: return c == COP_C_STRING;
    case NVM_VK_OPAQUE: return c == COP_C_POINTER;
    case NVM_VK_FUNC: return c == COP_C_CALLBACK;
    default: return 0;
    }
}

static int load_ctypes(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 4, "import count") < 0) return -1;
    if (count != p->nimports)
        return sfail(s, "%u entries for %u imports", count, p->nimports);
    char tb[32];
    for (uint32_t i = 0; i < count; i++) {
        Import *im = &p->imports[i];
        snprintf(s->ctx, sizeof s->ctx, "import %u: ", i);
        uint32_t n = 0;
        if (rd(s, &n, "length") < 0) return -1;
        uint32_t padded = n + (uint32_t)((4 - n % 4) % 4);
        if (n > s->size - s->pos || padded > s->size - s->pos)
            return sfail(s, "length %u too large for the %u bytes left in the section", n,
                         s->size - s->pos);
        const uint8_t *c = s->b + s->pos;
        if (n < 1 + (uint64_t)im->nparams)
            return sfail(s, "length %u too small for a result and %u parameters", n, im->nparams);
        if (!ctype_fits(im->nret ? im->ret_kind : NVM_VK_VOID, c[0]))
            return sfail(s, "result: C type %s does not carry value kind %u",
                         cop_ctype_name(c[0], tb, sizeof tb), im->ret_kind);
        uint32_t at = 1 + im->nparams;
        for (uint32_t k = 0; k < im->nparams; k++) {
            if (!ctype_fits(im->param_kinds[k], c[1 + k]))
                return sfail(s, "parameter %u: C type %s does not carry value kind %u", k,
                             cop_ctype_name(c[1 + k], tb, sizeof tb), im->param_kinds[k]);
            if (c[1 + k] != COP_C_CALLBACK) continue;
            /* the callback's signature: result, count, parameters */
            if (n - at < 2) return sfail(s, "parameter %u: callback signature cut short", k);
            uint8_t r = c[at], m = c[at + 1];
            if (r > COP_C_POINTER || r == COP_C_STRING)
                return sfail(s, "parameter %u: callback result C type %s", k,
                             cop_ctype_name(r, tb, sizeof tb));
            if (m > COP_MAX_PARAMS || n - at - 2 < m)
                return sfail(s, "parameter %u: callback of %u parameters cut short", k, m);
            for (uint32_t q = 0; q < m; q++) {
                uint8_t pc = c[at + 2 + q];
                if (pc == COP_C_VOID || pc > COP_C_POINTER)
                    return sfail(s, "parameter %u: callback parameter %u: C type %s", k, q,
                                 cop_ctype_name(pc, tb, sizeof tb));
            }
            at += 2u + m;
        }
        if (at != n) return sfail(s, "%u bytes after the signature", n - at);
        for (uint32_t k = n; k < padded; k++)
            if (s->b[s->pos + k] != 0) return sfail(s, "nonzero padding byte");
        im->csig = xcalloc(n, 1);
        if (!im->csig) return fail(s->L, "out of memory (ctypes)");
        memcpy(im->csig, c, n);
        im->csig_len = n;
        s->pos += padded;
    }
    return check_end(s);
}

static int load_lines(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 12, "entry count") < 0) return -1;
    p->lines = xcalloc(count, sizeof(LineEntry));
    if (!p->lines) return fail(s->L, "out of memory (debug lines)");
    p->nlines = count;
    uint32_t prev_func = 0;
    for (uint32_t i = 0; i < count; i++) {
        snprintf(s->ctx, sizeof s->ctx, "entry %u: ", i);
        uint32_t func = 0;
        if (rd_func(s, p, &func, "func") < 0 || rd(s, &p->lines[i].offset, "offset") < 0 ||
            rd(s, &p->lines[i].line, "line") < 0)
            return -1;
        Function *f = &p->funcs[func];
        if (p->lines[i].offset >= f->code_len)
            return sfail(s, "offset %u outside function %u (%u words)", p->lines[i].offset,
                         func, f->code_len);
        if (i > 0 && (func < prev_func ||
                      (func == prev_func && p->lines[i].offset <= p->lines[i - 1].offset)))
            return sfail(s, "not sorted by (func, offset)");
        if (f->lines_count == 0) f->lines_start = i;
        f->lines_count++;
        prev_func = func;
    }
    return check_end(s);
}

static int load_shadow(Sec *s, Program *p) {
    uint32_t count = 0;
    if (rd_count(s, &count, 8, "test count") < 0) return -1;
    p->shadows = xcalloc(count, sizeof(ShadowTest));
    if (!p->shadows) return fail(s->L, "out of memory (shadow tests)");
    p->nshadows = count;
    for (uint32_t i = 0; i < count; i++) {
        ShadowTest *t = &p->shadows[i];
        snprintf(s->ctx, sizeof s->ctx, "test %u: ", i);
        if (rd_str(s, p, &t->name, false, "name") < 0 || rd_func(s, p, &t->func, "func") < 0)
            return -1;
        const Function *f = &p->funcs[t->func];
        if (f->nparams != 0 || f->nret != 0)
            return sfail(s, "test function %u has %u parameters and %u results (must be 0 and 0)",
                         t->func, f->nparams, f->nret);
    }
    return check_end(s);
}

static int load_meta(Sec *s, Program *p) {
    if (rd_func(s, p, &p->entry, "entry") < 0) return -1;
    const Function *e = &p->funcs[p->entry];
    if (e->nparams != 0)
        return sfail(s, "entry function %u has %u parameters (must be 0)", p->entry, e->nparams);
    if (rd(s, &p->init, "init") < 0) return -1;
    if (p->init != NVM_NONE) {
        if (p->init >= p->nfuncs)
            return sfail(s, "init: function index %u out of range (%u functions)", p->init,
                         p->nfuncs);
        const Function *f = &p->funcs[p->init];
        if (f->nparams != 0 || f->nret != 0)
            return sfail(s, "init function %u has %u parameters and %u results (must be 0 and 0)",
                         p->init, f->nparams, f->nret);
    }
    if (rd_str(s, p, &p->module_name, false, "module name") < 0) return -1;
    uint32_t n = 0;
    if (rd_count(s, &n, 4, "source count") < 0) return -1;
    p->sources = xcalloc(n, sizeof(uint32_t));
    if (!p->sources) return fail(s->L, "out of memory (sources)");
    p->nsources = n;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(s->ctx, sizeof s->ctx, "source %u: ", i);
        if (rd_str(s, p, &p->sources[i], false, "name") < 0) return -1;
    }
    return check_end(s);
}

/* ---- the file ---------------------------------------------------------------------------- */

typedef struct {
    uint32_t id, offset, size, index;
} DirEntry;

static int dir_cmp(const void *a, const void *b) {
    const DirEntry *x = a, *y = b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->size < y->size ? -1 : x->size > y->size;
}

static int load_all(Loader *L, Program *p, const uint8_t *b, size_t len) {
    if (len < NVM_HEADER_SIZE)
        return fail(L, "truncated header (%zu bytes, need %d)", len, NVM_HEADER_SIZE);
    if (b[0] != NVM_MAGIC0 || b[1] != NVM_MAGIC1 || b[2] != NVM_MAGIC2 || b[3] != NVM_MAGIC3)
        return fail(L, "bad magic %02x %02x %02x %02x (not a .nvm file)", b[0], b[1], b[2], b[3]);
    uint16_t major = get_u16(b + 4), minor = get_u16(b + 6);
    if (major != NVM_VERSION_MAJOR)
        return fail(L, "unsupported format version %u.%u (this VM reads %d.x)", major, minor,
                    NVM_VERSION_MAJOR);
    uint32_t flags = get_u32(b + 8);
    if (flags != 0) return fail(L, "unknown flags 0x%08x", flags);
    for (int i = 24; i < 32; i++)
        if (b[i] != 0) return fail(L, "reserved header byte %d is not zero", i);
    uint32_t file_size = get_u32(b + 16);
    if (file_size != len)
        return fail(L, "file size mismatch (header says %u bytes, file has %zu)", file_size, len);
    uint32_t nsec = get_u32(b + 12);
    if (nsec < 1 || nsec > NVM_MAX_SECTIONS)
        return fail(L, "section count %u (must be 1..%d)", nsec, NVM_MAX_SECTIONS);
    uint32_t dir_end = NVM_HEADER_SIZE + NVM_DIR_ENTRY_SIZE * nsec;
    if (dir_end > len)
        return fail(L, "section directory (%u entries) runs past the end of the file (%zu bytes)",
                    nsec, len);
    uint32_t want = get_u32(b + 20), got = nvm_crc32(b + NVM_HEADER_SIZE, len - NVM_HEADER_SIZE);
    if (want != got)
        return fail(L, "CRC mismatch (header says 0x%08x, contents give 0x%08x)", want, got);

    DirEntry dir[NVM_MAX_SECTIONS];
    int where[NVM_SEC__LAST + 1];
    for (int i = 0; i <= NVM_SEC__LAST; i++) where[i] = -1;
    for (uint32_t i = 0; i < nsec; i++) {
        const uint8_t *e = b + NVM_HEADER_SIZE + NVM_DIR_ENTRY_SIZE * i;
        DirEntry *d = &dir[i];
        d->id = get_u32(e);
        d->offset = get_u32(e + 4);
        d->size = get_u32(e + 8);
        d->index = i;
        if (d->id < 1 || d->id > NVM_SEC__LAST)
            return fail(L, "section directory entry %u: unknown section id %u", i, d->id);
        const char *name = sec_names[d->id];
        if (where[d->id] >= 0)
            return fail(L, "section directory entry %u: duplicate section %s (also entry %d)", i,
                        name, where[d->id]);
        where[d->id] = (int)i;
        if (d->offset % 4 || d->size % 4)
            return fail(L, "section %s: offset %u / size %u not a multiple of 4", name,
                        d->offset, d->size);
        if (d->offset < dir_end)
            return fail(L, "section %s: offset %u inside the header or directory (ends at %u)",
                        name, d->offset, dir_end);
        if (d->offset > len || d->size > len - d->offset)
            return fail(L, "section %s: [%u, %llu) outside the file (%zu bytes)", name,
                        d->offset, (unsigned long long)d->offset + d->size, len);
    }
    DirEntry sorted[NVM_MAX_SECTIONS];
    memcpy(sorted, dir, sizeof(DirEntry) * nsec);
    qsort(sorted, nsec, sizeof(DirEntry), dir_cmp);
    uint32_t prev_end = 0;
    const DirEntry *prev = NULL;
    for (uint32_t i = 0; i < nsec; i++) {
        if (sorted[i].size == 0) continue;
        if (prev && sorted[i].offset < prev_end)
            return fail(L, "sections %s [%u, %u) and %s [%u, %u) overlap", sec_names[prev->id],
                        prev->offset, prev_end, sec_names[sorted[i].id], sorted[i].offset,
                        sorted[i].offset + sorted[i].size);
        prev = &sorted[i];
        prev_end = sorted[i].offset + sorted[i].size;
    }
    static const int required[] = {NVM_SEC_STRINGS, NVM_SEC_CODE, NVM_SEC_FUNCTIONS, NVM_SEC_META};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (where[required[i]] < 0)
            return fail(L, "required section %s is missing", sec_names[required[i]]);

    typedef int (*SecLoader)(Sec *, Program *);
    static const SecLoader loaders[NVM_SEC__LAST + 1] = {
        [NVM_SEC_STRINGS] = load_strings,   [NVM_SEC_CODE] = load_code,
        [NVM_SEC_FUNCTIONS] = load_functions, [NVM_SEC_TYPES] = load_types,
        [NVM_SEC_GLOBALS] = load_globals,   [NVM_SEC_IMPORTS] = load_imports,
        [NVM_SEC_DEBUG_LINES] = load_lines, [NVM_SEC_SHADOW] = load_shadow,
        [NVM_SEC_META] = load_meta,         [NVM_SEC_CTYPES] = load_ctypes,
    };
    for (int id = 1; id <= NVM_SEC__LAST; id++) {
        if (where[id] < 0) continue;
        const DirEntry *d = &dir[where[id]];
        Sec s = {L, sec_names[id], b + d->offset, d->size, 0, ""};
        if (loaders[id](&s, p) < 0) return -1;
    }
    for (uint32_t i = 0; i < p->nimports; i++)
        for (uint32_t k = 0; k < p->imports[i].nparams && p->imports[i].csig == NULL; k++)
            if (p->imports[i].param_kinds[k] == NVM_VK_FUNC)
                return fail(L, "import %u: parameter %u is a callback, whose signature needs a "
                               "CTYPES section",
                            i, k);
    return 0;
}

/* Make p->xcode (vm/fuse.h): a copy of the verified code in which the first instruction of each
 * fusable pair carries the pair's internal opcode.  Without memory for it, p->xcode stays NULL
 * and the interpreter runs p->code. */
static void fuse_code(Program *p) {
    uint32_t *x = malloc((size_t)(p->code_len ? p->code_len : 1) * sizeof(uint32_t));
    if (x == NULL) return;
    if (p->code_len > 0) memcpy(x, p->code, (size_t)p->code_len * sizeof(uint32_t));
    /* first[op]: 1 + the index of the first pair whose first instruction is op, 0 if none */
    uint8_t first[256] = {0};
    for (int k = VM_NFUSED - 1; k >= 0; k--) first[vm_fused_ops[k][0]] = (uint8_t)(k + 1);
    for (uint32_t f = 0; f < p->nfuncs; f++) {
        uint32_t pc = p->funcs[f].code_start, end = pc + p->funcs[f].code_len;
        while (pc < end) {
            uint32_t op = p->code[pc], n = isa_instr_words(p->code, end, pc), next = pc + n;
            if (n == 0 || next >= end) break; /* the last instruction has no successor */
            for (int k = first[op] - 1; k >= 0 && k < VM_NFUSED && vm_fused_ops[k][0] == op; k++)
                if (vm_fused_ops[k][1] == p->code[next]) {
                    x[pc] = VM_FUSED_BASE + (uint32_t)k;
                    break;
                }
            pc = next;
        }
    }
    p->xcode = x;
}

Program *program_load(const uint8_t *bytes, size_t len, char *err, size_t errlen) {
    Loader L = {err, errlen};
    if (errlen) err[0] = '\0';
    Program *p = calloc(1, sizeof(Program));
    if (!p) {
        fail(&L, "out of memory");
        return NULL;
    }
    p->init = NVM_NONE;
    if (!bytes) len = 0;
    static const uint8_t empty[1];
    if (load_all(&L, p, bytes ? bytes : empty, len) < 0 || program_verify(p, err, errlen) < 0) {
        program_free(p);
        return NULL;
    }
    p->calls = malloc((size_t)(p->nfuncs ? p->nfuncs : 1) * sizeof(CallInfo));
    if (p->calls == NULL) {
        fail(&L, "out of memory");
        program_free(p);
        return NULL;
    }
    for (uint32_t f = 0; f < p->nfuncs; f++) {
        const Function *fn = &p->funcs[f];
        uint64_t need = (uint64_t)fn->nlocals + fn->max_stack;
        /* (a need beyond UINT32_MAX slots is beyond any stack: CALL's check fails as it should) */
        p->calls[f] = (CallInfo){fn->code_start, fn->nparams, fn->nlocals - fn->nparams,
                                 need > UINT32_MAX ? UINT32_MAX : (uint32_t)need};
    }
    fuse_code(p);
    return p;
}

/* What a file that is not a regular file is, in words. */
static const char *file_kind(mode_t m) {
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a file";
}

int program_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen) {
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return PROGRAM_READ_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return PROGRAM_READ_ERROR;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory", path);
        close(fd);
        return PROGRAM_READ_ERROR;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
        close(fd);
        return PROGRAM_READ_ERROR;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > NVM_MAX_FILE_SIZE) {
        snprintf(err, errlen, "%s: too large for a .nvm file (%lld bytes, at most %llu)", path,
                 (long long)st.st_size, (unsigned long long)NVM_MAX_FILE_SIZE);
        close(fd);
        return PROGRAM_READ_INVALID;
    }
    /* Read what fstat promised and one byte more, to notice a file that grew meanwhile (the
     * loader then reports the size mismatch). */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory (%zu bytes)", path, cap);
        close(fd);
        return PROGRAM_READ_ERROR;
    }
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return PROGRAM_READ_ERROR;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = n;
    return PROGRAM_READ_OK;
}

Program *program_load_file(const char *path, char *err, size_t errlen) {
    uint8_t *buf;
    size_t len;
    if (program_read_file(path, &buf, &len, err, errlen) != PROGRAM_READ_OK) return NULL;
    char inner[1024];
    Program *p = program_load(buf, len, inner, sizeof inner);
    free(buf);
    if (!p) snprintf(err, errlen, "%s: %s", path, inner);
    return p;
}

void program_free(Program *p) {
    if (!p) return;
    free(p->code);
    free(p->xcode);
    free(p->strings); /* the pointer array and the string objects are one block */
    free(p->funcs);
    free(p->calls);
    if (p->types) {
        for (uint32_t i = 0; i < p->ntypes; i++) {
            TypeInfo *t = &p->types[i];
            if (t->variants)
                for (uint32_t v = 0; v < t->nvariants; v++) free(t->variants[v].field_names);
            free(t->variants);
        }
        free(p->types);
    }
    free(p->global_names);
    if (p->imports)
        for (uint32_t i = 0; i < p->nimports; i++) {
            free(p->imports[i].param_kinds);
            free(p->imports[i].csig);
        }
    free(p->imports);
    free(p->lines);
    free(p->shadows);
    free(p->sources);
    free(p);
}

uint32_t program_line_at(const Program *p, uint32_t f, uint32_t pc) {
    if (!p || f >= p->nfuncs) return 0;
    const Function *fn = &p->funcs[f];
    if (fn->lines_count == 0 || !p->lines || fn->lines_start > p->nlines ||
        fn->lines_count > p->nlines - fn->lines_start)
        return fn->line;
    const LineEntry *e = p->lines + fn->lines_start;
    uint32_t lo = 0, hi = fn->lines_count; /* find the first entry with offset > pc */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (e[mid].offset <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? e[lo - 1].line : fn->line;
}
