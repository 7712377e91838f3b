/* nanoc0.h: the bootstrap transpiler's shared declarations: source locations, diagnostics,
 * tokens, the syntax tree, types and modules.  nanoc0 stops at the first error. */
#ifndef NANOC0_H
#define NANOC0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- utilities (util.c) ---- */
typedef struct {
    const char *file; /* path as given or as resolved from the importing file */
    int line, col;
} Loc;

void *xmalloc(size_t n); /* zeroed; never freed (nanoc0 is a short-lived process) */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void error_at(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define SUBSET "not in the bootstrap subset (docs/BOOTSTRAP.md)"

typedef struct {
    char *p;
    size_t len, cap;
    int lines; /* newlines written so far */
} Buf;
void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable vector of pointers. */
typedef struct {
    void **items;
    int len, cap;
} Vec;
void vec_push(Vec *v, void *x);
#define VEC_AT(v, i) ((v).items[i])

/* ---- tokens (lexer.c) ---- */
typedef enum {
    TK_EOF, TK_IDENT, TK_INT, TK_FLOAT, TK_STRING, TK_CHAR, TK_KEYWORD,
    TK_PUNCT /* ( ) { } [ ] , : . -> => = and operators */
} TokKind;

typedef struct {
    TokKind kind;
    Loc loc;
    const char *text; /* identifier, keyword or punctuation; string contents (len in slen) */
    size_t slen;
    uint64_t ival;    /* TK_INT, TK_CHAR (TK_INT may be 2^63: only valid after unary minus) */
    double fval;
    bool space_before;
} Token;

Token *lex_file(const char *path, const char *src, size_t len, int *ntok);

/* ---- types ---- */
typedef enum {
    T_INT, T_FLOAT, T_BOOL, T_STRING, T_VOID, T_ARRAY, T_MAP, T_STRUCT, T_ENUM, T_UNION,
    T_VARIANT /* a bound match arm: one variant of a union */
} TypeKind;

struct Decl;
typedef struct Type {
    TypeKind kind;
    struct Type *elem;  /* T_ARRAY element, T_MAP value */
    struct Type *key;   /* T_MAP key */
    struct Decl *decl;  /* T_STRUCT / T_ENUM / T_UNION / T_VARIANT */
    int variant;        /* T_VARIANT */
    struct Type *array_of; /* interning cache */
    struct Type *variants; /* T_UNION: array of variant types */
} Type;

extern Type *ty_int, *ty_float, *ty_bool, *ty_string, *ty_void;
Type *ty_array(Type *elem);
Type *ty_map(Type *key, Type *val);
Type *ty_variant(Type *u, int idx);
const char *ty_name(Type *t);
const char *ty_c(Type *t); /* the C type */

/* ---- syntax tree ---- */
typedef enum {
    /* expressions */
    E_INT, E_FLOAT, E_STRING, E_BOOL, E_NAME, E_FIELD, E_CALL, E_PAREN, E_BINOP, E_UNOP,
    E_IF, E_ARRAY, E_RECORD, /* P { x: 1 } or R.V { f: 1 } */
    /* resolved forms created by the checker */
    E_ENUMVAL, E_GLOBAL, E_LOCAL, E_VARFIELD, E_BUILTIN,
    /* statements */
    S_LET, S_SET, S_IF, S_WHILE, S_FOR_RANGE, S_FOR_ARRAY, S_RETURN, S_BREAK, S_CONTINUE,
    S_ASSERT, S_MATCH, S_EXPR, S_BLOCK
} NodeKind;

typedef struct Node {
    NodeKind kind;
    Loc loc;
    Type *type;          /* expressions: set by the checker */
    const char *name;    /* E_NAME, E_FIELD field, E_BINOP/E_UNOP op, S_LET/S_SET/for var */
    int64_t ival;        /* E_INT, E_BOOL, E_ENUMVAL value; E_BUILTIN id */
    double fval;
    const char *sval;    /* E_STRING bytes */
    size_t slen;
    struct Node *a, *b, *c; /* children: see parser.c */
    Vec list;            /* E_CALL args, E_ARRAY items, E_RECORD values, S_BLOCK stmts, S_MATCH arms */
    Vec names;           /* E_RECORD field names, S_MATCH arm variant names / bindings */
    Type *decl_type;     /* S_LET explicit type (parsed as TypeExpr in tnode) */
    struct TypeExpr *tnode;
    bool mut;            /* S_LET */
    struct Local *local; /* E_LOCAL, S_LET, for vars */
    struct Decl *decl;   /* E_GLOBAL, E_CALL callee, E_RECORD type */
    int variant;         /* E_RECORD of a union variant; E_VARFIELD */
} Node;

/* A syntactic type, resolved by the checker: name (possibly M.Name) and arguments. */
typedef struct TypeExpr {
    Loc loc;
    const char *module; /* M in M.Name, or NULL */
    const char *name;
    struct TypeExpr *args[2];
    int nargs;
    Type *resolved;
} TypeExpr;

typedef struct Local {
    const char *name;
    Type *type;
    bool mut;
    int id;            /* unique within the function: C name is name_id */
} Local;

typedef struct {
    const char *name;
    TypeExpr *texpr;
    Type *type;
} Field;

typedef struct {
    const char *name;
    Loc loc;
    Vec fields; /* Field* */
    int64_t value; /* enums */
} Variant;

typedef enum { D_FN, D_STRUCT, D_ENUM, D_UNION, D_GLOBAL } DeclKind;

struct Module;
typedef struct Decl {
    DeclKind kind;
    Loc loc;
    const char *name;
    bool pub;
    struct Module *mod;
    /* D_FN */
    Vec params;          /* Field* */
    TypeExpr *ret_texpr;
    Type *ret;
    Node *body;
    bool has_shadow;
    /* D_STRUCT: fields; D_ENUM / D_UNION: variants */
    Vec fields;          /* Field* */
    Vec variants;        /* Variant* */
    Type *type;          /* D_STRUCT/D_ENUM/D_UNION: the type; D_GLOBAL: its type */
    /* D_GLOBAL */
    bool mut;
    TypeExpr *texpr;
    Node *init;
    int emit_state;      /* struct ordering */
} Decl;

typedef struct {
    Loc loc;
    const char *fn_name;
    Decl *fn;
    Node *body;
} Shadow;

typedef struct {
    Loc loc;
    const char *path;   /* as written */
    const char *alias;  /* import ... as M */
    Vec names;          /* from ... import a, b (const char*) ; empty + no alias: all pub names */
    Vec name_locs;      /* Loc* */
    bool from;
    struct Module *target;
} Import;

typedef struct SymEntry {
    const char *name;
    Decl *decl;
    struct Module *module; /* for aliases */
    struct SymEntry *next;
} SymEntry;

typedef struct Module {
    int id;
    const char *path;     /* display path */
    const char *realpath; /* identity */
    Vec decls;            /* Decl*, source order */
    Vec shadows;          /* Shadow* */
    Vec imports;          /* Import* */
    SymEntry *syms[256];  /* top-level names visible in this module */
    int state;            /* loading: 1 in progress, 2 done */
} Module;

/* ---- phases ---- */
Module *parse_module(const char *path, const char *src, size_t len, int id);
void load_program(const char *main_path, Vec *modules); /* modules in dependency order */
void check_program(Vec *modules);
void emit_program(Vec *modules, bool tests, const char *out_name, Buf *out);

/* symbol tables (check.c) */
SymEntry *sym_lookup(Module *m, const char *name);
void sym_add(Module *m, Loc loc, const char *name, Decl *d, Module *alias);

/* builtins (builtins.c, from the table isa/builtins.def) */
typedef enum {
#define BUILTIN(name, sig, low, a, b, effect, native) B_##name,
#include "builtins.def"
#undef BUILTIN
    B_COUNT
} BuiltinId;
int builtin_lookup(const char *name); /* -1 if not a builtin of the bootstrap subset */
const char *builtin_name(int id);
bool builtin_pure(int id); /* no effect but its value (or a runtime error) */
Type *check_builtin(Node *call, int id, Type *expected);
/* The C expression of a call: o[i] the C of argument i, types[i] its type. */
char *builtin_c(int id, char **o, Type **types, int n, Type *result, const char *loc);

/* check helpers shared by check.c and builtins.c */
Type *check_expr(Node *e, Type *expected);
void expect_type(Node *e, Type *want, const char *what);
bool is_pure(Node *e);



/* one arm of a match statement (kept in Node.list of an S_MATCH) */
typedef struct {
    Loc loc;
    const char *variant; /* NULL for '_' */
    const char *binding; /* NULL if none */
    Node *body;          /* S_BLOCK */
    int index;           /* variant index, set by the checker */
    Local *local;
} MatchArm;
#endif
