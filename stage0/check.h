/* check.h: state shared by the checker's files (check.c, check_expr.c, builtins.c). */
#ifndef NANOC0_CHECK_H
#define NANOC0_CHECK_H

#include "nanoc0.h"

typedef struct Scope {
    const char *name;
    Local *local;
    struct Scope *next;
} Scope;

typedef struct {
    Module *mod;     /* the module being checked */
    Decl *fn;        /* the function being checked, NULL in shadows and global initializers */
    Type *ret;       /* its return type (void for shadows) */
    Scope *scope;
    int loops;
    int next_local;
} Ctx;

extern Ctx cx;

/* what a name path (a, a.b, a.b.c) refers to */
typedef enum { ENT_VALUE, ENT_GLOBAL, ENT_FUNC, ENT_TYPE, ENT_MODULE, ENT_BUILTIN, ENT_VARIANT } EntKind;
typedef struct {
    EntKind kind;
    Decl *decl;
    Module *module;
    int index; /* builtin id, variant index */
} Entity;

Entity resolve_path(Node *e);
Type *resolve_type(TypeExpr *te, Module *m);
bool assignable(Type *have, Type *want);
Local *scope_find(const char *name);
const char *variant_name(Decl *u, int i);

#endif
