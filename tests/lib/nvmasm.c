/* nvmasm.c: see nvmasm.h. */
#include "nvmasm.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natives.h"

#define MAX_TOKENS 64
#define MAX_NAMES 4096

typedef struct {
    char *text; /* NUL-terminated (strings: decoded bytes) */
    size_t len;
    int quoted;
} Token;

typedef struct {
    char *name;
    uint32_t id;
    uint32_t owner; /* labels: function; variants: type */
} Name;

typedef struct {
    NB *b;
    int line;
    Name funcs[MAX_NAMES], globals[MAX_NAMES], types[MAX_NAMES], imports[MAX_NAMES];
    Name labels[MAX_NAMES], variants[MAX_NAMES];
    int nfuncs, nglobals, ntypes, nimports, nlabels, nvariants;
    uint32_t cur_func;
    int have_func;
    uint32_t last_type; /* for VARIANT operands */
    int entry_set;
} Asm;

static void die(const Asm *a, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(const Asm *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "asm:%d: ", a->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static char *dupn(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d == NULL) abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Split one line into tokens; returns the count. */
static int tokenize(Asm *a, const char *s, size_t n, Token *t) {
    int count = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == ';' || c == '#') break;
        if (isspace((unsigned char)c) || c == ',' || c == '[' || c == ']') {
            i++;
            continue;
        }
        if (count == MAX_TOKENS) die(a, "too many tokens");
        Token *tok = &t[count++];
        if (c == '"') {
            char *buf = malloc(n + 1);
            if (buf == NULL) abort();
            size_t len = 0;
            i++;
            while (i < n && s[i] != '"') {
                char ch = s[i++];
                if (ch == '\\' && i < n) {
                    char e = s[i++];
                    switch (e) {
                    case 'n': ch = '\n'; break;
                    case 't': ch = '\t'; break;
                    case 'r': ch = '\r'; break;
                    case '0': ch = '\0'; break;
                    case 'x':
                        if (i + 1 < n && hexval(s[i]) >= 0 && hexval(s[i + 1]) >= 0) {
                            ch = (char)(hexval(s[i]) * 16 + hexval(s[i + 1]));
                            i += 2;
                        } else {
                            die(a, "bad \\x escape");
                        }
                        break;
                    default: ch = e; break;
                    }
                }
                buf[len++] = ch;
            }
            if (i >= n) die(a, "unterminated string");
            i++;
            buf[len] = '\0';
            tok->text = buf;
            tok->len = len;
            tok->quoted = 1;
        } else {
            size_t start = i;
            while (i < n && !isspace((unsigned char)s[i]) && s[i] != ',' && s[i] != ';' &&
                   s[i] != '[' && s[i] != ']')
                i++;
            tok->text = dupn(s + start, i - start);
            tok->len = i - start;
            tok->quoted = 0;
        }
    }
    return count;
}

static Name *find(Name *names, int n, const char *name, uint32_t owner, int scoped) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i].name, name) == 0 && (!scoped || names[i].owner == owner))
            return &names[i];
    return NULL;
}

static void add(Asm *a, Name *names, int *n, const char *name, uint32_t id, uint32_t owner) {
    if (*n == MAX_NAMES) die(a, "too many names");
    names[*n].name = dupn(name, strlen(name));
    names[*n].id = id;
    names[*n].owner = owner;
    (*n)++;
}

static int is_number(const char *s) {
    if (*s == '-' || *s == '+') s++;
    return isdigit((unsigned char)*s);
}

static int64_t number(Asm *a, const Token *t) {
    if (t->quoted || !is_number(t->text)) die(a, "expected a number, got '%s'", t->text);
    char *end;
    long long v = strtoll(t->text, &end, 0);
    if (*end != '\0') {
        unsigned long long u = strtoull(t->text, &end, 0);
        if (*end != '\0') die(a, "bad number '%s'", t->text);
        v = (long long)u;
    }
    return v;
}

static uint32_t lookup(Asm *a, Name *names, int n, const Token *t, const char *what) {
    if (is_number(t->text)) return (uint32_t)number(a, t);
    Name *nm = find(names, n, t->text, 0, 0);
    if (nm == NULL) die(a, "unknown %s '%s'", what, t->text);
    return nm->id;
}

static uint32_t label(Asm *a, const char *name) {
    Name *nm = find(a->labels, a->nlabels, name, a->cur_func, 1);
    if (nm != NULL) return nm->id;
    uint32_t id = nb_label(a->b);
    add(a, a->labels, &a->nlabels, name, id, a->cur_func);
    return id;
}

static uint8_t value_kind(Asm *a, const char *s) {
    static const char *const kinds[] = {"void", "int", "float", "bool", "string", "opaque"};
    for (uint8_t i = 0; i < 6; i++)
        if (strcmp(s, kinds[i]) == 0) return i;
    die(a, "unknown value kind '%s'", s);
}

static const Opcode *opcode_named(const char *name) {
    static Opcode ops[256];
    for (int i = 0; i < 256; i++)
        if (isa_ops[i].name != NULL && strcmp(isa_ops[i].name, name) == 0) {
            ops[i] = (Opcode)i;
            return &ops[i];
        }
    return NULL;
}

static uint32_t operand(Asm *a, OperandKind k, const Token *t) {
    switch (k) {
    case OPK_FUNC: return lookup(a, a->funcs, a->nfuncs, t, "function");
    case OPK_GLOBAL: return lookup(a, a->globals, a->nglobals, t, "global");
    case OPK_TYPE: a->last_type = lookup(a, a->types, a->ntypes, t, "type"); return a->last_type;
    case OPK_IMPORT: return lookup(a, a->imports, a->nimports, t, "import");
    case OPK_STR: {
        if (!t->quoted) die(a, "expected a string");
        return nb_strn(a->b, t->text, t->len);
    }
    case OPK_VARIANT: {
        if (is_number(t->text)) return (uint32_t)number(a, t);
        Name *nm = find(a->variants, a->nvariants, t->text, a->last_type, 1);
        if (nm == NULL) die(a, "unknown variant '%s'", t->text);
        return nm->id;
    }
    case OPK_TRAPNO:
        if (is_number(t->text)) return (uint32_t)number(a, t);
        for (uint32_t i = 0; i < TRAP__COUNT; i++)
            if (strcmp(isa_traps[i].name, t->text) == 0) return i;
        die(a, "unknown trap '%s'", t->text);
    case OPK_NATIVE:
        if (is_number(t->text)) return (uint32_t)number(a, t);
        for (uint32_t i = 0; i < NATIVE__COUNT; i++)
            if (strcmp(native_sigs[i].name, t->text) == 0) return i;
        die(a, "unknown native '%s'", t->text);
    default: return (uint32_t)number(a, t);
    }
}

static void instruction(Asm *a, Token *t, int n) {
    const Opcode *op = opcode_named(t[0].text);
    if (op == NULL) die(a, "unknown instruction '%s'", t[0].text);
    if (!a->have_func) die(a, "instruction outside a .func");
    const OpInfo *info = &isa_ops[*op];
    int nops = 0;
    while (nops < 3 && info->operand[nops] != OPK_NONE) nops++;
    if (nops == 1 && info->operand[0] == OPK_TABLE) {
        uint32_t labels[MAX_TOKENS];
        for (int i = 1; i < n; i++) labels[i - 1] = label(a, t[i].text);
        nb_jump_table(a->b, (uint32_t)(n - 1), labels);
        return;
    }
    if (n - 1 != nops) die(a, "%s takes %d operands, got %d", info->name, nops, n - 1);
    OperandKind k0 = nops > 0 ? (OperandKind)info->operand[0] : OPK_NONE;
    if (k0 == OPK_I64) {
        nb_i64(a->b, *op, number(a, &t[1]));
    } else if (k0 == OPK_F64) {
        nb_f64(a->b, *op, strtod(t[1].text, NULL));
    } else if (k0 == OPK_JUMP) {
        nb_jump(a->b, *op, label(a, t[1].text));
    } else if (nops == 2 && info->operand[1] == OPK_JUMP) {
        nb_jump_imm(a->b, *op, (int32_t)number(a, &t[1]), label(a, t[2].text));
    } else {
        uint32_t v[3] = {0, 0, 0};
        for (int i = 0; i < nops; i++) v[i] = operand(a, (OperandKind)info->operand[i], &t[i + 1]);
        switch (nops) {
        case 0: nb_op(a->b, *op); break;
        case 1: nb_op1(a->b, *op, v[0]); break;
        case 2: nb_op2(a->b, *op, v[0], v[1]); break;
        default: nb_op3(a->b, *op, v[0], v[1], v[2]); break;
        }
    }
}

static void fields(Token *t, int from, int n, const char **out) {
    for (int i = from; i < n; i++) out[i - from] = t[i].text;
}

/* pass 1 declares functions; pass 2 does everything else */
static void directive(Asm *a, Token *t, int n, int pass) {
    const char *d = t[0].text;
    const char *f[MAX_TOKENS];
    if (strcmp(d, ".func") == 0) {
        if (n != 5) die(a, ".func NAME PARAMS LOCALS RESULTS");
        if (pass == 1) {
            uint32_t id = nb_func(a->b, t[1].text, (uint32_t)number(a, &t[2]),
                                  (uint32_t)number(a, &t[3]), (uint32_t)number(a, &t[4]));
            add(a, a->funcs, &a->nfuncs, t[1].text, id, 0);
        } else {
            a->cur_func = find(a->funcs, a->nfuncs, t[1].text, 0, 0)->id;
            a->have_func = 1;
            nb_begin(a->b, a->cur_func);
            if (!a->entry_set) {
                nb_entry(a->b, a->cur_func);
                a->entry_set = 1;
            }
        }
        return;
    }
    if (pass == 1) return;
    if (strcmp(d, ".file") == 0 && n == 3) {
        nb_source(a->b, a->cur_func, t[1].text, (uint32_t)number(a, &t[2]));
    } else if (strcmp(d, ".line") == 0 && n == 2) {
        nb_line(a->b, (uint32_t)number(a, &t[1]));
    } else if (strcmp(d, ".struct") == 0 && n >= 2) {
        fields(t, 2, n, f);
        add(a, a->types, &a->ntypes, t[1].text, nb_struct(a->b, t[1].text, (uint32_t)(n - 2), f), 0);
    } else if (strcmp(d, ".tuple") == 0 && n == 3) {
        add(a, a->types, &a->ntypes, t[1].text, nb_tuple(a->b, (uint32_t)number(a, &t[2])), 0);
    } else if (strcmp(d, ".union") == 0 && n == 2) {
        add(a, a->types, &a->ntypes, t[1].text, nb_union(a->b, t[1].text), 0);
    } else if (strcmp(d, ".variant") == 0 && n >= 3) {
        uint32_t type = lookup(a, a->types, a->ntypes, &t[1], "type");
        fields(t, 3, n, f);
        uint32_t v = nb_variant(a->b, type, t[2].text, (uint32_t)(n - 3), f);
        add(a, a->variants, &a->nvariants, t[2].text, v, type);
    } else if (strcmp(d, ".enum") == 0 && n >= 2) {
        fields(t, 2, n, f);
        add(a, a->types, &a->ntypes, t[1].text, nb_enum(a->b, t[1].text, (uint32_t)(n - 2), f), 0);
    } else if (strcmp(d, ".global") == 0 && n == 2) {
        add(a, a->globals, &a->nglobals, t[1].text, nb_global(a->b, t[1].text), 0);
    } else if (strcmp(d, ".entry") == 0 && n == 2) {
        nb_entry(a->b, lookup(a, a->funcs, a->nfuncs, &t[1], "function"));
        a->entry_set = 1;
    } else if (strcmp(d, ".init") == 0 && n == 2) {
        nb_init(a->b, lookup(a, a->funcs, a->nfuncs, &t[1], "function"));
    } else if (strcmp(d, ".shadow") == 0 && n == 3) {
        nb_shadow(a->b, t[1].text, lookup(a, a->funcs, a->nfuncs, &t[2], "function"));
    } else if (strcmp(d, ".import") == 0 && n >= 4) {
        uint8_t kinds[MAX_TOKENS];
        for (int i = 4; i < n; i++) kinds[i - 4] = value_kind(a, t[i].text);
        const char *lib = strcmp(t[2].text, "-") == 0 ? NULL : t[2].text;
        uint32_t id = nb_import(a->b, t[1].text, lib, value_kind(a, t[3].text),
                                (uint32_t)(n - 4), kinds);
        add(a, a->imports, &a->nimports, t[1].text, id, 0);
    } else if (strcmp(d, ".module") == 0 && n == 2) {
        nb_module(a->b, t[1].text);
    } else {
        die(a, "bad directive '%s'", d);
    }
}

static void free_names(Name *names, int n) {
    for (int i = 0; i < n; i++) free(names[i].name);
}

NB *asm_builder(const char *src) {
    Asm *a = calloc(1, sizeof *a);
    if (a == NULL) abort();
    a->b = nb_new();
    Token t[MAX_TOKENS];
    for (int pass = 1; pass <= 2; pass++) {
        const char *s = src;
        a->line = 0;
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            a->line++;
            int n = tokenize(a, s, len, t);
            if (n > 0) {
                size_t l0 = t[0].len;
                if (t[0].text[0] == '.') {
                    directive(a, t, n, pass);
                } else if (n == 1 && l0 > 1 && t[0].text[l0 - 1] == ':') {
                    if (pass == 2) {
                        t[0].text[l0 - 1] = '\0';
                        nb_mark(a->b, label(a, t[0].text));
                    }
                } else if (pass == 2) {
                    instruction(a, t, n);
                }
            }
            for (int i = 0; i < n; i++) free(t[i].text);
            s += len;
            if (*s == '\n') s++;
        }
    }
    NB *b = a->b;
    free_names(a->funcs, a->nfuncs);
    free_names(a->globals, a->nglobals);
    free_names(a->types, a->ntypes);
    free_names(a->imports, a->nimports);
    free_names(a->labels, a->nlabels);
    free_names(a->variants, a->nvariants);
    free(a);
    return b;
}

uint8_t *asm_build(const char *src, size_t *len) {
    NB *b = asm_builder(src);
    uint8_t *bytes = nb_build(b, len);
    nb_free(b);
    return bytes;
}
