/* nvmbuild.c: the test bytecode builder (see nvmbuild.h). */
#include "nvmbuild.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

/* ---- growable arrays ---------------------------------------------------------------------- */

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("nvmbuild: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 8;
    while (n < need) n *= 2;
    void *q = realloc(p, n * elem);
    if (!q) die("out of memory");
    *cap = n;
    return q;
}

#define PUSH(arr, n, cap, v)                                                                   \
    do {                                                                                       \
        (arr) = grow((arr), &(cap), (n) + 1, sizeof *(arr));                                   \
        (arr)[(n)++] = (v);                                                                    \
    } while (0)

typedef struct {
    uint8_t *p;
    size_t len, cap;
} Buf;

static void buf_bytes(Buf *b, const void *data, size_t n) {
    if (n == 0) return;
    b->p = grow(b->p, &b->cap, b->len + n, 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_u32(Buf *b, uint32_t v) {
    uint8_t w[4];
    nb_put_u32(w, v);
    buf_bytes(b, w, 4);
}

static void buf_pad4(Buf *b) {
    static const uint8_t zero[4];
    buf_bytes(b, zero, (4 - b->len % 4) % 4);
}

/* ---- the builder -------------------------------------------------------------------------- */

typedef struct {
    char *bytes;
    size_t len;
} Str;

typedef struct {
    uint32_t offset, line;
} Line;

typedef struct {
    uint32_t name, nparams, nlocals, nret, file, line;
    uint32_t *code;
    size_t ncode, capcode;
    Line *lines;
    size_t nlines, caplines;
    uint32_t cur_line, last_line;
    int layout_override;
    uint32_t code_start, code_len;
} Func;

typedef struct {
    uint32_t name, nfields;
    uint32_t *fields;
} Var;

typedef struct {
    uint32_t kind, name;
    Var *vars;
    size_t nvars, capvars;
} Type;

typedef struct {
    uint32_t name, library, nparams, ret_kind;
    uint8_t *kinds;
} Imp;

typedef struct {
    uint32_t func, pos; /* pos UINT32_MAX until marked */
} Label;

typedef struct {
    uint32_t func, instr, word, label;
} Fixup;

typedef struct {
    uint32_t func, offset, line;
} RawLine;

typedef struct {
    uint32_t id;
    uint8_t *data;
    size_t size;
} RawSec;

enum { SEC_DEFAULT = 0, SEC_OMIT, SEC_RAW, SEC_FORCE };

struct NB {
    Str *strs;
    size_t nstrs, capstrs;
    Func *funcs;
    size_t nfuncs, capfuncs;
    uint32_t cur; /* current function, UINT32_MAX when none */
    Label *labels;
    size_t nlabels, caplabels;
    Fixup *fixups;
    size_t nfixups, capfixups;
    RawLine *rawlines;
    size_t nrawlines, caprawlines;
    Type *types;
    size_t ntypes, captypes;
    uint32_t *globals;
    size_t nglobals, capglobals;
    Imp *imps;
    size_t nimps, capimps;
    uint32_t *shadows; /* pairs: name, func */
    size_t nshadows, capshadows;
    uint32_t *sources;
    size_t nsources, capsources;
    uint32_t entry, init, module;
    int sec_mode[NVM_SEC__LAST + 1];
    RawSec raw[NVM_SEC__LAST + 1];
    RawSec *extra;
    size_t nextra, capextra;
    RawSec *unknown; /* nb_section_raw with an unknown id: appended like extras */
    size_t nunknown, capunknown;
};

NB *nb_new(void) {
    NB *b = calloc(1, sizeof(NB));
    if (!b) die("out of memory");
    b->cur = UINT32_MAX;
    b->entry = 0;
    b->init = NVM_NONE;
    b->module = NVM_NONE;
    return b;
}

void nb_free(NB *b) {
    if (!b) return;
    for (size_t i = 0; i < b->nstrs; i++) free(b->strs[i].bytes);
    free(b->strs);
    for (size_t i = 0; i < b->nfuncs; i++) {
        free(b->funcs[i].code);
        free(b->funcs[i].lines);
    }
    free(b->funcs);
    free(b->labels);
    free(b->fixups);
    free(b->rawlines);
    for (size_t i = 0; i < b->ntypes; i++) {
        for (size_t v = 0; v < b->types[i].nvars; v++) free(b->types[i].vars[v].fields);
        free(b->types[i].vars);
    }
    free(b->types);
    free(b->globals);
    for (size_t i = 0; i < b->nimps; i++) free(b->imps[i].kinds);
    free(b->imps);
    free(b->shadows);
    free(b->sources);
    for (int i = 0; i <= NVM_SEC__LAST; i++) free(b->raw[i].data);
    for (size_t i = 0; i < b->nextra; i++) free(b->extra[i].data);
    free(b->extra);
    for (size_t i = 0; i < b->nunknown; i++) free(b->unknown[i].data);
    free(b->unknown);
    free(b);
}

uint32_t nb_strn(NB *b, const char *s, size_t len) {
    for (size_t i = 0; i < b->nstrs; i++)
        if (b->strs[i].len == len && (len == 0 || memcmp(b->strs[i].bytes, s, len) == 0))
            return (uint32_t)i;
    Str str = {malloc(len ? len : 1), len};
    if (!str.bytes) die("out of memory");
    if (len) memcpy(str.bytes, s, len);
    PUSH(b->strs, b->nstrs, b->capstrs, str);
    return (uint32_t)(b->nstrs - 1);
}

uint32_t nb_str(NB *b, const char *s) { return nb_strn(b, s, strlen(s)); }

static uint32_t opt_str(NB *b, const char *s) { return s ? nb_str(b, s) : NVM_NONE; }

uint32_t nb_func(NB *b, const char *name, uint32_t nparams, uint32_t nlocals, uint32_t nret) {
    Func f;
    memset(&f, 0, sizeof f);
    f.name = opt_str(b, name);
    f.nparams = nparams;
    f.nlocals = nlocals;
    f.nret = nret;
    f.file = NVM_NONE;
    PUSH(b->funcs, b->nfuncs, b->capfuncs, f);
    return (uint32_t)(b->nfuncs - 1);
}

static Func *func_at(NB *b, uint32_t func) {
    if (func >= b->nfuncs) die("function %u not declared", func);
    return &b->funcs[func];
}

void nb_add_source(NB *b, const char *file) {
    uint32_t s = nb_str(b, file);
    for (size_t i = 0; i < b->nsources; i++)
        if (b->sources[i] == s) return;
    PUSH(b->sources, b->nsources, b->capsources, s);
}

void nb_source(NB *b, uint32_t func, const char *file, uint32_t decl_line) {
    Func *f = func_at(b, func);
    f->file = opt_str(b, file);
    f->line = decl_line;
    if (file) nb_add_source(b, file);
}

void nb_begin(NB *b, uint32_t func) {
    func_at(b, func);
    b->cur = func;
}

static Func *cur(NB *b) {
    if (b->cur == UINT32_MAX) die("no current function (call nb_begin)");
    return &b->funcs[b->cur];
}

uint32_t nb_pc(NB *b) { return (uint32_t)cur(b)->ncode; }

void nb_word(NB *b, uint32_t w) {
    Func *f = cur(b);
    PUSH(f->code, f->ncode, f->capcode, w);
}

/* Start an instruction: record a line entry if the line changed. */
static void instr(NB *b, Opcode op) {
    Func *f = cur(b);
    if (f->cur_line != 0 && f->cur_line != f->last_line) {
        Line l = {(uint32_t)f->ncode, f->cur_line};
        PUSH(f->lines, f->nlines, f->caplines, l);
        f->last_line = f->cur_line;
    }
    nb_word(b, (uint32_t)op);
}

void nb_op(NB *b, Opcode op) { instr(b, op); }

void nb_op1(NB *b, Opcode op, uint32_t a) {
    instr(b, op);
    nb_word(b, a);
}

void nb_op2(NB *b, Opcode op, uint32_t a, uint32_t bb) {
    instr(b, op);
    nb_word(b, a);
    nb_word(b, bb);
}

void nb_op3(NB *b, Opcode op, uint32_t a, uint32_t bb, uint32_t c) {
    instr(b, op);
    nb_word(b, a);
    nb_word(b, bb);
    nb_word(b, c);
}

void nb_i64(NB *b, Opcode op, int64_t v) {
    uint64_t u = (uint64_t)v;
    nb_op2(b, op, (uint32_t)u, (uint32_t)(u >> 32));
}

void nb_f64(NB *b, Opcode op, double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    nb_op2(b, op, (uint32_t)u, (uint32_t)(u >> 32));
}

uint32_t nb_label(NB *b) {
    Label l = {UINT32_MAX, UINT32_MAX};
    PUSH(b->labels, b->nlabels, b->caplabels, l);
    return (uint32_t)(b->nlabels - 1);
}

void nb_mark(NB *b, uint32_t label) {
    if (label >= b->nlabels) die("unknown label %u", label);
    if (b->labels[label].pos != UINT32_MAX) die("label %u marked twice", label);
    b->labels[label].func = b->cur;
    b->labels[label].pos = nb_pc(b);
}

static void fixup(NB *b, uint32_t instr_pc, uint32_t label) {
    if (label >= b->nlabels) die("unknown label %u", label);
    Fixup x = {b->cur, instr_pc, nb_pc(b), label};
    PUSH(b->fixups, b->nfixups, b->capfixups, x);
    nb_word(b, 0);
}

void nb_jump(NB *b, Opcode op, uint32_t label) {
    uint32_t at = nb_pc(b);
    instr(b, op);
    fixup(b, at, label);
}

void nb_jump_imm(NB *b, Opcode op, int32_t imm, uint32_t label) {
    uint32_t at = nb_pc(b);
    instr(b, op);
    nb_word(b, (uint32_t)imm);
    fixup(b, at, label);
}

void nb_jump_table(NB *b, uint32_t n, const uint32_t *labels) {
    uint32_t at = nb_pc(b);
    instr(b, OP_JUMP_TABLE);
    nb_word(b, n);
    for (uint32_t i = 0; i < n; i++) fixup(b, at, labels[i]);
}

void nb_line(NB *b, uint32_t line) { cur(b)->cur_line = line; }

void nb_raw_line(NB *b, uint32_t func, uint32_t offset, uint32_t line) {
    RawLine r = {func, offset, line};
    PUSH(b->rawlines, b->nrawlines, b->caprawlines, r);
}

static uint32_t new_type(NB *b, uint32_t kind, uint32_t name) {
    Type t;
    memset(&t, 0, sizeof t);
    t.kind = kind;
    t.name = name;
    PUSH(b->types, b->ntypes, b->captypes, t);
    return (uint32_t)(b->ntypes - 1);
}

static uint32_t add_variant(NB *b, uint32_t type, uint32_t name, uint32_t nfields,
                            const uint32_t *fields) {
    if (type >= b->ntypes) die("type %u not declared", type);
    Type *t = &b->types[type];
    Var v = {name, nfields, malloc(sizeof(uint32_t) * (nfields ? nfields : 1))};
    if (!v.fields) die("out of memory");
    if (nfields) memcpy(v.fields, fields, sizeof(uint32_t) * nfields);
    PUSH(t->vars, t->nvars, t->capvars, v);
    return (uint32_t)(t->nvars - 1);
}

static uint32_t *field_strs(NB *b, uint32_t nfields, const char *const *fields) {
    uint32_t *f = malloc(sizeof(uint32_t) * (nfields ? nfields : 1));
    if (!f) die("out of memory");
    for (uint32_t i = 0; i < nfields; i++) f[i] = fields ? opt_str(b, fields[i]) : NVM_NONE;
    return f;
}

uint32_t nb_struct(NB *b, const char *name, uint32_t nfields, const char *const *fields) {
    uint32_t t = new_type(b, NVM_TYPE_STRUCT, opt_str(b, name));
    uint32_t *f = field_strs(b, nfields, fields);
    add_variant(b, t, NVM_NONE, nfields, f);
    free(f);
    return t;
}

uint32_t nb_tuple(NB *b, uint32_t nfields) {
    uint32_t t = new_type(b, NVM_TYPE_TUPLE, NVM_NONE);
    uint32_t *f = field_strs(b, nfields, NULL);
    add_variant(b, t, NVM_NONE, nfields, f);
    free(f);
    return t;
}

uint32_t nb_union(NB *b, const char *name) { return new_type(b, NVM_TYPE_UNION, opt_str(b, name)); }

uint32_t nb_variant(NB *b, uint32_t type, const char *name, uint32_t nfields,
                    const char *const *fields) {
    uint32_t n = opt_str(b, name);
    uint32_t *f = field_strs(b, nfields, fields);
    uint32_t v = add_variant(b, type, n, nfields, f);
    free(f);
    return v;
}

uint32_t nb_enum(NB *b, const char *name, uint32_t nvariants, const char *const *names) {
    uint32_t t = new_type(b, NVM_TYPE_ENUM, opt_str(b, name));
    for (uint32_t i = 0; i < nvariants; i++) add_variant(b, t, opt_str(b, names[i]), 0, NULL);
    return t;
}

uint32_t nb_global(NB *b, const char *name) {
    uint32_t s = opt_str(b, name);
    PUSH(b->globals, b->nglobals, b->capglobals, s);
    return (uint32_t)(b->nglobals - 1);
}

uint32_t nb_import(NB *b, const char *name, const char *library, uint8_t ret_kind,
                   uint32_t nparams, const uint8_t *param_kinds) {
    Imp im = {opt_str(b, name), opt_str(b, library), nparams, ret_kind,
              malloc(nparams ? nparams : 1)};
    if (!im.kinds) die("out of memory");
    if (nparams) memcpy(im.kinds, param_kinds, nparams);
    PUSH(b->imps, b->nimps, b->capimps, im);
    return (uint32_t)(b->nimps - 1);
}

uint32_t nb_shadow(NB *b, const char *name, uint32_t func) {
    uint32_t s = opt_str(b, name);
    PUSH(b->shadows, b->nshadows, b->capshadows, s);
    PUSH(b->shadows, b->nshadows, b->capshadows, func);
    return (uint32_t)(b->nshadows / 2 - 1);
}

void nb_entry(NB *b, uint32_t func) { b->entry = func; }
void nb_init(NB *b, uint32_t func) { b->init = func; }
void nb_module(NB *b, const char *name) { b->module = opt_str(b, name); }

void nb_func_layout(NB *b, uint32_t func, uint32_t code_start, uint32_t code_len) {
    Func *f = func_at(b, func);
    f->layout_override = 1;
    f->code_start = code_start;
    f->code_len = code_len;
}

static uint8_t *dup_bytes(const void *data, size_t size) {
    uint8_t *p = malloc(size ? size : 1);
    if (!p) die("out of memory");
    if (size) memcpy(p, data, size);
    return p;
}

void nb_section_raw(NB *b, uint32_t id, const void *data, size_t size) {
    if (id >= 1 && id <= NVM_SEC__LAST) {
        free(b->raw[id].data);
        b->raw[id] = (RawSec){id, dup_bytes(data, size), size};
        b->sec_mode[id] = SEC_RAW;
    } else {
        RawSec r = {id, dup_bytes(data, size), size};
        PUSH(b->unknown, b->nunknown, b->capunknown, r);
    }
}

void nb_section_omit(NB *b, uint32_t id) {
    if (id < 1 || id > NVM_SEC__LAST) die("nb_section_omit: unknown id %u", id);
    b->sec_mode[id] = SEC_OMIT;
}

void nb_section_force(NB *b, uint32_t id) {
    if (id < 1 || id > NVM_SEC__LAST) die("nb_section_force: unknown id %u", id);
    b->sec_mode[id] = SEC_FORCE;
}

void nb_section_extra(NB *b, uint32_t id, const void *data, size_t size) {
    RawSec r = {id, dup_bytes(data, size), size};
    PUSH(b->extra, b->nextra, b->capextra, r);
}

/* ---- serialization ------------------------------------------------------------------------ */

uint32_t nb_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void nb_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* The computed layout: code_start of each function in index order. */
static void layout(NB *b, uint32_t *starts, size_t *total) {
    size_t at = 0;
    for (size_t i = 0; i < b->nfuncs; i++) {
        starts[i] = (uint32_t)at;
        at += b->funcs[i].ncode;
    }
    *total = at;
}

static void resolve_labels(NB *b) {
    for (size_t i = 0; i < b->nfixups; i++) {
        Fixup *x = &b->fixups[i];
        Label *l = &b->labels[x->label];
        if (l->pos == UINT32_MAX) die("label %u used but never marked", x->label);
        if (l->func != x->func)
            die("label %u is in function %u but used in function %u", x->label, l->func,
                x->func);
        b->funcs[x->func].code[x->word] = (uint32_t)((int64_t)l->pos - (int64_t)x->instr);
    }
}

/* Content of standard section id, or 0 when it is empty and optional. */
static int section(NB *b, uint32_t id, Buf *out) {
    uint32_t *starts = NULL;
    size_t total = 0;
    switch (id) {
    case NVM_SEC_STRINGS:
        buf_u32(out, (uint32_t)b->nstrs);
        for (size_t i = 0; i < b->nstrs; i++) {
            buf_u32(out, (uint32_t)b->strs[i].len);
            buf_bytes(out, b->strs[i].bytes, b->strs[i].len);
            buf_pad4(out);
        }
        return 1;
    case NVM_SEC_CODE:
        for (size_t i = 0; i < b->nfuncs; i++)
            for (size_t k = 0; k < b->funcs[i].ncode; k++) buf_u32(out, b->funcs[i].code[k]);
        return 1;
    case NVM_SEC_FUNCTIONS:
        starts = malloc(sizeof(uint32_t) * (b->nfuncs ? b->nfuncs : 1));
        if (!starts) die("out of memory");
        layout(b, starts, &total);
        buf_u32(out, (uint32_t)b->nfuncs);
        for (size_t i = 0; i < b->nfuncs; i++) {
            Func *f = &b->funcs[i];
            buf_u32(out, f->name);
            buf_u32(out, f->nparams);
            buf_u32(out, f->nlocals);
            buf_u32(out, f->nret);
            buf_u32(out, f->layout_override ? f->code_start : starts[i]);
            buf_u32(out, f->layout_override ? f->code_len : (uint32_t)f->ncode);
            buf_u32(out, f->file);
            buf_u32(out, f->line);
        }
        free(starts);
        return 1;
    case NVM_SEC_TYPES:
        buf_u32(out, (uint32_t)b->ntypes);
        for (size_t i = 0; i < b->ntypes; i++) {
            Type *t = &b->types[i];
            buf_u32(out, t->kind);
            buf_u32(out, t->name);
            buf_u32(out, (uint32_t)t->nvars);
            for (size_t v = 0; v < t->nvars; v++) {
                buf_u32(out, t->vars[v].name);
                buf_u32(out, t->vars[v].nfields);
                for (uint32_t k = 0; k < t->vars[v].nfields; k++)
                    buf_u32(out, t->vars[v].fields[k]);
            }
        }
        return b->ntypes > 0;
    case NVM_SEC_GLOBALS:
        buf_u32(out, (uint32_t)b->nglobals);
        for (size_t i = 0; i < b->nglobals; i++) buf_u32(out, b->globals[i]);
        return b->nglobals > 0;
    case NVM_SEC_IMPORTS:
        buf_u32(out, (uint32_t)b->nimps);
        for (size_t i = 0; i < b->nimps; i++) {
            Imp *im = &b->imps[i];
            buf_u32(out, im->name);
            buf_u32(out, im->library);
            buf_u32(out, im->nparams);
            buf_u32(out, im->ret_kind != NVM_VK_VOID);
            buf_u32(out, im->ret_kind);
            buf_bytes(out, im->kinds, im->nparams);
            buf_pad4(out);
        }
        return b->nimps > 0;
    case NVM_SEC_DEBUG_LINES: {
        size_t n = b->nrawlines;
        for (size_t i = 0; i < b->nfuncs; i++) n += b->funcs[i].nlines;
        buf_u32(out, (uint32_t)n);
        for (size_t i = 0; i < b->nfuncs; i++)
            for (size_t k = 0; k < b->funcs[i].nlines; k++) {
                buf_u32(out, (uint32_t)i);
                buf_u32(out, b->funcs[i].lines[k].offset);
                buf_u32(out, b->funcs[i].lines[k].line);
            }
        for (size_t i = 0; i < b->nrawlines; i++) {
            buf_u32(out, b->rawlines[i].func);
            buf_u32(out, b->rawlines[i].offset);
            buf_u32(out, b->rawlines[i].line);
        }
        return n > 0;
    }
    case NVM_SEC_SHADOW:
        buf_u32(out, (uint32_t)(b->nshadows / 2));
        for (size_t i = 0; i < b->nshadows; i++) buf_u32(out, b->shadows[i]);
        return b->nshadows > 0;
    case NVM_SEC_META:
        buf_u32(out, b->entry);
        buf_u32(out, b->init);
        buf_u32(out, b->module);
        buf_u32(out, (uint32_t)b->nsources);
        for (size_t i = 0; i < b->nsources; i++) buf_u32(out, b->sources[i]);
        return 1;
    case NVM_SEC_CTYPES: /* only as raw bytes (nb_section_raw) */
        buf_u32(out, 0);
        return 0;
    default:
        die("unknown section %u", id);
    }
}

uint8_t *nb_build(NB *b, size_t *len) {
    if (b->module == NVM_NONE) b->module = nb_str(b, "test");
    resolve_labels(b);
    /* Collect the sections: the standard ones in id order, then unknown ids, then extras. */
    RawSec secs[NVM_SEC__LAST + 64];
    Buf bufs[NVM_SEC__LAST + 1];
    memset(bufs, 0, sizeof bufs);
    size_t n = 0;
    for (uint32_t id = 1; id <= NVM_SEC__LAST; id++) {
        if (b->sec_mode[id] == SEC_OMIT) continue;
        if (b->sec_mode[id] == SEC_RAW) {
            secs[n++] = (RawSec){id, b->raw[id].data, b->raw[id].size};
            continue;
        }
        int present = section(b, id, &bufs[id]);
        if (present || b->sec_mode[id] == SEC_FORCE)
            secs[n++] = (RawSec){id, bufs[id].p, bufs[id].len};
    }
    for (size_t i = 0; i < b->nunknown && n < sizeof secs / sizeof secs[0]; i++)
        secs[n++] = b->unknown[i];
    for (size_t i = 0; i < b->nextra && n < sizeof secs / sizeof secs[0]; i++)
        secs[n++] = b->extra[i];

    Buf out = {0};
    uint8_t header[NVM_HEADER_SIZE] = {NVM_MAGIC0, NVM_MAGIC1, NVM_MAGIC2, NVM_MAGIC3,
                                       NVM_VERSION_MAJOR, 0, NVM_VERSION_MINOR, 0};
    nb_put_u32(header + 12, (uint32_t)n);
    buf_bytes(&out, header, sizeof header);
    size_t at = NVM_HEADER_SIZE + NVM_DIR_ENTRY_SIZE * n;
    for (size_t i = 0; i < n; i++) {
        buf_u32(&out, secs[i].id);
        buf_u32(&out, (uint32_t)at);
        buf_u32(&out, (uint32_t)secs[i].size);
        at += secs[i].size;
    }
    for (size_t i = 0; i < n; i++) buf_bytes(&out, secs[i].data, secs[i].size);
    for (int i = 0; i <= NVM_SEC__LAST; i++) free(bufs[i].p);
    if (!out.p) die("empty output");
    nb_fix(out.p, out.len);
    *len = out.len;
    return out.p;
}

int nb_write_file(NB *b, const char *path) {
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(bytes);
        return -1;
    }
    size_t w = fwrite(bytes, 1, len, f);
    int rc = fclose(f);
    free(bytes);
    if (w != len || rc != 0) {
        if (!errno) errno = EIO;
        return -1;
    }
    return 0;
}

Program *nb_load(NB *b, char *err, size_t errlen) {
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    Program *p = program_load(bytes, len, err, errlen);
    free(bytes);
    return p;
}

void nb_fix(uint8_t *bytes, size_t len) {
    if (len < NVM_HEADER_SIZE) return;
    nb_put_u32(bytes + 16, (uint32_t)len);
    nb_put_u32(bytes + 20, nvm_crc32(bytes + NVM_HEADER_SIZE, len - NVM_HEADER_SIZE));
}

int nb_find_section(const uint8_t *bytes, size_t len, uint32_t id, uint32_t *offset,
                    uint32_t *size) {
    if (len < NVM_HEADER_SIZE) return -1;
    uint32_t n = nb_get_u32(bytes + 12);
    for (uint32_t i = 0; i < n && NVM_HEADER_SIZE + NVM_DIR_ENTRY_SIZE * ((size_t)i + 1) <= len;
         i++) {
        const uint8_t *e = bytes + NVM_HEADER_SIZE + NVM_DIR_ENTRY_SIZE * i;
        if (nb_get_u32(e) == id) {
            *offset = nb_get_u32(e + 4);
            *size = nb_get_u32(e + 8);
            return 0;
        }
    }
    return -1;
}

uint32_t nb_patch(uint8_t *bytes, size_t len, uint32_t id, uint32_t word, uint32_t value) {
    uint32_t off, size;
    if (nb_find_section(bytes, len, id, &off, &size) < 0) die("nb_patch: no section %u", id);
    if ((uint64_t)word * 4 + 4 > size || (uint64_t)off + size > len)
        die("nb_patch: word %u outside section %u (%u bytes)", word, id, size);
    uint8_t *p = bytes + off + 4 * (size_t)word;
    uint32_t old = nb_get_u32(p);
    nb_put_u32(p, value);
    nb_fix(bytes, len);
    return old;
}
