/* emit.h: state shared by emit_c.c and emit_expr.c. */
#ifndef NANOC0_EMIT_H
#define NANOC0_EMIT_H

#include "nanoc0.h"

typedef struct {
    Vec temps;     /* C types of the current function's temporaries (nr_tN) */
    int uniq;      /* counter for other generated names */
} EmitFn;

extern EmitFn ef;
extern Vec emit_files;

char *emit_expr(Node *e);              /* a C expression; malloc'd */
const char *c_file(Loc loc);           /* the C name of loc's file-name constant */
char *c_string_lit(const char *s, size_t n);
const char *c_local(Local *l);
const char *c_global(Decl *d);
const char *c_fn(Decl *d);

#endif
