/* parser.c: tokens to a module's syntax tree.  Recursive descent; all infix operators have
 * equal precedence and associate to the left; postfix '.field' binds tighter. */
#include <string.h>

#include "nanoc0.h"

typedef struct {
    Token *t;
    int pos, n;
    Module *mod;
} Parser;

static Token *cur(Parser *P) { return &P->t[P->pos]; }
static Token *ahead(Parser *P, int k) { return &P->t[P->pos + k < P->n ? P->pos + k : P->n - 1]; }
static Token *next(Parser *P) {
    Token *t = cur(P);
    if (t->kind != TK_EOF) P->pos++;
    return t;
}
static bool is_p(Token *t, const char *s) { return t->kind == TK_PUNCT && strcmp(t->text, s) == 0; }
static bool is_k(Token *t, const char *s) { return t->kind == TK_KEYWORD && strcmp(t->text, s) == 0; }

static const char *describe(Token *t) {
    switch (t->kind) {
    case TK_EOF: return "end of file";
    case TK_INT: return "integer literal";
    case TK_FLOAT: return "float literal";
    case TK_STRING: return "string literal";
    case TK_CHAR: return "character literal";
    default: return xprintf("'%s'", t->text);
    }
}

static Token *expect_p(Parser *P, const char *s, const char *where) {
    if (!is_p(cur(P), s)) error_at(cur(P)->loc, "expected '%s' %s, found %s", s, where, describe(cur(P)));
    return next(P);
}

static const char *expect_ident(Parser *P, const char *what) {
    Token *t = cur(P);
    if (t->kind != TK_IDENT) error_at(t->loc, "expected %s, found %s", what, describe(t));
    next(P);
    return t->text;
}

static Node *mk(NodeKind k, Loc loc) {
    Node *n = xmalloc(sizeof *n);
    n->kind = k;
    n->loc = loc;
    return n;
}

/* nesting limit: deeper input is an error, never a stack overflow */
#define MAX_DEPTH 500
static int depth;

/* ---- types ---- */
#define MAX_TYPE_DEPTH 100
static int type_depth;

static TypeExpr *parse_type(Parser *P) {
    Token *t = cur(P);
    if (++type_depth > MAX_TYPE_DEPTH) error_at(t->loc, "type nested deeper than %d levels", MAX_TYPE_DEPTH);
    TypeExpr *te = xmalloc(sizeof *te);
    te->loc = t->loc;
    if (is_p(t, "(")) error_at(t->loc, "tuple types are " SUBSET);
    if (is_k(t, "fn")) error_at(t->loc, "function types are " SUBSET);
    if (is_k(t, "opaque")) error_at(t->loc, "opaque types are " SUBSET);
    te->name = expect_ident(P, "a type");
    if (is_p(cur(P), ".")) {
        next(P);
        te->module = te->name;
        te->name = expect_ident(P, "a type name after '.'");
    }
    if (is_p(cur(P), "<")) {
        Loc lt = cur(P)->loc;
        if (te->module || (strcmp(te->name, "array") != 0 && strcmp(te->name, "HashMap") != 0)) {
            if (strcmp(te->name, "List") == 0) error_at(te->loc, "List<T> is " SUBSET "; use array<T>");
            error_at(lt, "generic types other than array<T> and HashMap<K, V> are " SUBSET);
        }
        next(P);
        te->args[te->nargs++] = parse_type(P);
        while (is_p(cur(P), ",")) {
            Loc c = cur(P)->loc;
            next(P);
            if (te->nargs == 2) error_at(c, "too many type arguments");
            te->args[te->nargs++] = parse_type(P);
        }
        expect_p(P, ">", "to close the type arguments");
    }
    type_depth--;
    return te;
}

/* ---- expressions ---- */
static Node *parse_expr(Parser *P);
static Node *parse_unary(Parser *P);
static Node *parse_block(Parser *P);

static bool is_binop(Token *t) {
    if (t->kind == TK_KEYWORD) return strcmp(t->text, "and") == 0 || strcmp(t->text, "or") == 0;
    if (t->kind != TK_PUNCT) return false;
    static const char *const ops[] = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", NULL};
    for (int i = 0; ops[i]; i++)
        if (strcmp(t->text, ops[i]) == 0) return true;
    return false;
}

static void reject_punct(Token *t) {
    if (t->kind != TK_PUNCT) return;
    const char *s = t->text;
    if (!strcmp(s, "!") || !strcmp(s, "&") || !strcmp(s, "|") || !strcmp(s, "^") || !strcmp(s, "~"))
        error_at(t->loc, "operator '%s' is not nanolang (use and, or, not)", s);
    if (!strcmp(s, ";")) error_at(t->loc, "';' is not nanolang: statements need no terminator");
}

static bool is_name_path(Node *e) {
    while (e->kind == E_FIELD) e = e->a;
    return e->kind == E_NAME;
}

static const char *last_name(Node *e) { return e->kind == E_FIELD || e->kind == E_NAME ? e->name : ""; }

/* 'Name {' starts a struct literal when followed by 'ident :' or by '}' for a capitalized name */
static bool record_follows(Parser *P, Node *e) {
    if (!is_p(cur(P), "{") || !is_name_path(e)) return false;
    Token *a = ahead(P, 1), *b = ahead(P, 2);
    if (a->kind == TK_IDENT && is_p(b, ":")) return true;
    const char *n = last_name(e);
    return is_p(a, "}") && n[0] >= 'A' && n[0] <= 'Z';
}

static Node *parse_record(Parser *P, Node *type) {
    Node *r = mk(E_RECORD, type->loc);
    r->a = type;
    expect_p(P, "{", "to start a struct literal");
    while (!is_p(cur(P), "}")) {
        Token *ft = cur(P);
        const char *f = expect_ident(P, "a field name");
        for (int i = 0; i < r->names.len; i++)
            if (strcmp(VEC_AT(r->names, i), f) == 0) error_at(ft->loc, "field '%s' given twice", f);
        expect_p(P, ":", "after the field name");
        vec_push(&r->names, (void *)f);
        vec_push(&r->list, parse_expr(P));
        if (!is_p(cur(P), "}")) expect_p(P, ",", "between fields");
    }
    next(P);
    return r;
}

/* { expr } as the branch of an if-expression */
static Node *parse_expr_block(Parser *P) {
    expect_p(P, "{", "to start an if-expression branch");
    Token *t = cur(P);
    if (t->kind == TK_KEYWORD && !is_k(t, "if") && !is_k(t, "true") && !is_k(t, "false") && !is_k(t, "not"))
        error_at(t->loc, "if-expressions whose branches contain statements are " SUBSET);
    Node *e = parse_expr(P);
    if (!is_p(cur(P), "}")) error_at(cur(P)->loc, "if-expressions whose branches contain statements are " SUBSET);
    next(P);
    return e;
}

static Node *parse_if_expr(Parser *P) {
    Node *n = mk(E_IF, next(P)->loc);
    n->a = parse_expr(P);
    n->b = parse_expr_block(P);
    if (!is_k(cur(P), "else")) error_at(cur(P)->loc, "an if-expression needs an else branch");
    next(P);
    n->c = is_k(cur(P), "if") ? parse_if_expr(P) : parse_expr_block(P);
    return n;
}

/* '-' written against its operand ("-x", "-1") is a unary minus, not an operator */
static bool tight_minus(Parser *P, int k) {
    Token *t = ahead(P, k), *n = ahead(P, k + 1);
    return is_p(t, "-") && !n->space_before && n->kind != TK_EOF && !is_p(n, ")") &&
           (k == 0 ? (P->pos == 0 || t->space_before || is_p(&P->t[P->pos - 1], "(")) : true);
}

static Node *parse_paren(Parser *P) {
    Token *open = next(P);
    Token *t = cur(P);
    if (is_p(t, ")")) error_at(t->loc, "empty parentheses: '()' is not a value");
    if ((is_binop(t) && !tight_minus(P, 0)) || is_k(t, "not")) {
        /* prefix operator application */
        next(P);
        Vec args = {0};
        while (!is_p(cur(P), ")")) {
            if (cur(P)->kind == TK_EOF) error_at(open->loc, "unclosed '('");
            vec_push(&args, parse_unary(P));
        }
        next(P);
        const char *op = t->text;
        if (is_k(t, "not") || (strcmp(op, "-") == 0 && args.len == 1)) {
            if (args.len != 1) error_at(t->loc, "'%s' takes one operand", op);
            Node *u = mk(E_UNOP, t->loc);
            u->name = op;
            u->a = VEC_AT(args, 0);
            return u;
        }
        bool assoc = !strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*") || !strcmp(op, "and") ||
                     !strcmp(op, "or") || !strcmp(op, "/") || !strcmp(op, "%");
        if (args.len < 2 || (!assoc && args.len != 2))
            error_at(t->loc, "'%s' takes %s operands", op, assoc ? "two or more" : "two");
        if (depth + args.len > MAX_DEPTH) error_at(t->loc, "nesting deeper than %d levels", MAX_DEPTH);
        Node *acc = VEC_AT(args, 0);
        for (int i = 1; i < args.len; i++) {
            Node *b = mk(E_BINOP, t->loc);
            b->name = op;
            b->a = acc;
            b->b = VEC_AT(args, i);
            acc = b;
        }
        return acc;
    }
    if (is_k(t, "cond")) error_at(t->loc, "cond expressions are " SUBSET "; use if/else");
    Node *first = parse_unary(P);
    if (is_p(cur(P), ")")) {
        next(P);
        Node *n = mk(E_PAREN, open->loc);
        n->a = first;
        return n;
    }
    if (is_p(cur(P), ",")) error_at(open->loc, "tuples are " SUBSET);
    if (is_binop(cur(P)) && !tight_minus(P, 0)) {
        Node *acc = first;
        int chain = depth;
        while (is_binop(cur(P))) {
            if (++chain > MAX_DEPTH) error_at(cur(P)->loc, "nesting deeper than %d levels", MAX_DEPTH);
            Token *op = next(P);
            Node *b = mk(E_BINOP, op->loc);
            b->name = op->text;
            b->a = acc;
            b->b = parse_unary(P);
            acc = b;
        }
        if (is_p(cur(P), ",")) error_at(open->loc, "tuples are " SUBSET);
        expect_p(P, ")", "to close the parenthesized expression");
        return acc;
    }
    /* a call: (f a b) */
    if (!is_name_path(first)) error_at(first->loc, "only a function name can be called");
    Node *call = mk(E_CALL, open->loc);
    call->a = first;
    while (!is_p(cur(P), ")")) {
        if (cur(P)->kind == TK_EOF) error_at(open->loc, "unclosed '('");
        reject_punct(cur(P));
        vec_push(&call->list, parse_unary(P));
    }
    next(P);
    return call;
}

static Node *parse_primary(Parser *P) {
    Token *t = cur(P);
    Node *n;
    switch (t->kind) {
    case TK_INT:
    case TK_CHAR:
        next(P);
        if (t->ival > (uint64_t)INT64_MAX) error_at(t->loc, "integer literal out of range");
        n = mk(E_INT, t->loc);
        n->ival = (int64_t)t->ival;
        return n;
    case TK_FLOAT:
        next(P);
        n = mk(E_FLOAT, t->loc);
        n->fval = t->fval;
        return n;
    case TK_STRING:
        next(P);
        n = mk(E_STRING, t->loc);
        n->sval = t->text;
        n->slen = t->slen;
        return n;
    case TK_IDENT:
        next(P);
        if (is_p(cur(P), "(") && !cur(P)->space_before)
            error_at(t->loc, "calls are written (%s ...) in nanolang, not %s(...)", t->text, t->text);
        n = mk(E_NAME, t->loc);
        n->name = t->text;
        return n;
    case TK_KEYWORD:
        if (is_k(t, "true") || is_k(t, "false")) {
            next(P);
            n = mk(E_BOOL, t->loc);
            n->ival = is_k(t, "true");
            return n;
        }
        if (is_k(t, "if")) return parse_if_expr(P);
        if (is_k(t, "match")) error_at(t->loc, "match expressions are " SUBSET "; use a match statement");
        if (is_k(t, "cond")) error_at(t->loc, "cond expressions are " SUBSET "; use if/else");
        if (is_k(t, "fn")) error_at(t->loc, "function values are " SUBSET);
        error_at(t->loc, "expected an expression, found %s", describe(t));
    case TK_PUNCT:
        if (is_p(t, "(")) return parse_paren(P);
        if (is_p(t, "[")) {
            n = mk(E_ARRAY, next(P)->loc);
            while (!is_p(cur(P), "]")) {
                vec_push(&n->list, parse_expr(P));
                if (!is_p(cur(P), "]")) expect_p(P, ",", "between array elements");
            }
            next(P);
            return n;
        }
        reject_punct(t);
        error_at(t->loc, "expected an expression, found %s", describe(t));
    default:
        error_at(t->loc, "expected an expression, found %s", describe(t));
    }
}

static Node *parse_postfix(Parser *P) {
    Node *e = parse_primary(P);
    for (;;) {
        if (is_p(cur(P), ".")) {
            Token *dot = next(P);
            if (cur(P)->kind == TK_INT || cur(P)->kind == TK_FLOAT) error_at(dot->loc, "tuples are " SUBSET);
            Node *f = mk(E_FIELD, dot->loc);
            f->a = e;
            f->name = expect_ident(P, "a field name after '.'");
            e = f;
        } else if (is_p(cur(P), "[") && !cur(P)->space_before) {
            error_at(cur(P)->loc, "indexing with [] is not nanolang: use (at a i)");
        } else if (record_follows(P, e)) {
            e = parse_record(P, e);
        } else {
            return e;
        }
    }
}

static Node *parse_unary_inner(Parser *P) {
    Token *t = cur(P);
    if (is_k(t, "not") || is_p(t, "-")) {
        next(P);
        Node *operand = parse_unary(P);
        if (is_p(t, "-") && operand->kind == E_INT) {
            operand->ival = (int64_t)(0 - (uint64_t)operand->ival);
            operand->loc = t->loc;
            return operand;
        }
        if (is_p(t, "-") && operand->kind == E_FLOAT) {
            operand->fval = -operand->fval;
            operand->loc = t->loc;
            return operand;
        }
        Node *u = mk(E_UNOP, t->loc);
        u->name = t->text;
        u->a = operand;
        return u;
    }
    if (t->kind == TK_INT && t->ival == (uint64_t)INT64_MAX + 1) {
        /* 9223372036854775808 is only valid right after a unary minus */
        Token *prev = P->pos > 0 ? &P->t[P->pos - 1] : NULL;
        if (prev && is_p(prev, "-")) {
            next(P);
            Node *n = mk(E_INT, t->loc);
            n->ival = INT64_MIN;
            n->fval = 1; /* marks: already negated */
            return n;
        }
    }
    reject_punct(t);
    return parse_postfix(P);
}


static void enter(Parser *P) {
    if (++depth > MAX_DEPTH) error_at(cur(P)->loc, "nesting deeper than %d levels", MAX_DEPTH);
}

static Node *parse_unary(Parser *P) {
    enter(P);
    Node *n = parse_unary_inner(P);
    depth--;
    return n;
}

static Node *parse_expr(Parser *P) {
    Node *acc = parse_unary(P);
    int chain = depth;
    while (is_binop(cur(P))) {
        if (++chain > MAX_DEPTH) error_at(cur(P)->loc, "nesting deeper than %d levels", MAX_DEPTH);
        Token *op = next(P);
        Node *b = mk(E_BINOP, op->loc);
        b->name = op->text;
        b->a = acc;
        b->b = parse_unary(P);
        acc = b;
    }
    reject_punct(cur(P));
    return acc;
}

/* ---- statements ---- */
static Node *parse_stmt(Parser *P);

static Node *parse_block(Parser *P) {
    Node *b = mk(S_BLOCK, cur(P)->loc);
    expect_p(P, "{", "to start a block");
    while (!is_p(cur(P), "}")) {
        if (cur(P)->kind == TK_EOF) error_at(b->loc, "unclosed '{'");
        vec_push(&b->list, parse_stmt(P));
    }
    next(P);
    return b;
}

static Node *parse_let(Parser *P) {
    Node *n = mk(S_LET, next(P)->loc);
    if (is_k(cur(P), "mut")) {
        next(P);
        n->mut = true;
    }
    if (is_p(cur(P), "(")) error_at(cur(P)->loc, "tuple destructuring is " SUBSET);
    n->name = expect_ident(P, "a variable name after 'let'");
    if (is_p(cur(P), ":")) {
        next(P);
        n->tnode = parse_type(P);
    }
    expect_p(P, "=", "in let (a variable needs an initial value)");
    n->a = parse_expr(P);
    return n;
}

static Node *parse_if_stmt(Parser *P) {
    Node *n = mk(S_IF, next(P)->loc);
    n->a = parse_expr(P);
    n->b = parse_block(P);
    if (is_k(cur(P), "else")) {
        next(P);
        if (is_k(cur(P), "if")) { /* each arm of an else-if chain is a level of nesting */
            enter(P);
            n->c = parse_if_stmt(P);
            depth--;
        } else {
            n->c = parse_block(P);
        }
    }
    return n;
}

static Node *parse_match(Parser *P) {
    Node *n = mk(S_MATCH, next(P)->loc);
    n->a = parse_expr(P);
    expect_p(P, "{", "to start the match arms");
    while (!is_p(cur(P), "}")) {
        MatchArm *arm = xmalloc(sizeof *arm);
        arm->loc = cur(P)->loc;
        if (cur(P)->kind == TK_IDENT && strcmp(cur(P)->text, "_") == 0) {
            next(P);
        } else {
            arm->variant = expect_ident(P, "a union variant name in a match arm");
            if (is_p(cur(P), ".")) { /* Union.Variant(b) */
                next(P);
                arm->variant = expect_ident(P, "a variant name");
            }
            if (is_p(cur(P), "(")) {
                next(P);
                if (cur(P)->kind != TK_IDENT) error_at(cur(P)->loc, "nested patterns are " SUBSET "; bind a name: Variant(v)");
                arm->binding = expect_ident(P, "a binding name");
                if (strcmp(arm->binding, "_") == 0) arm->binding = NULL;
                if (is_p(cur(P), ",")) error_at(cur(P)->loc, "a match arm binds one name: Variant(v), then v.field");
                expect_p(P, ")", "after the binding");
            }
        }
        expect_p(P, "=>", "after the match pattern");
        if (is_p(cur(P), "{")) {
            arm->body = parse_block(P);
        } else {
            Node *b = mk(S_BLOCK, cur(P)->loc);
            vec_push(&b->list, parse_stmt(P));
            arm->body = b;
        }
        if (is_p(cur(P), ",")) next(P);
        vec_push(&n->list, arm);
    }
    next(P);
    return n;
}

static Node *parse_stmt_inner(Parser *P);

static Node *parse_stmt(Parser *P) {
    enter(P);
    Node *n = parse_stmt_inner(P);
    depth--;
    return n;
}

static Node *parse_stmt_inner(Parser *P) {
    Token *t = cur(P);
    Node *n;
    if (t->kind == TK_KEYWORD) {
        if (is_k(t, "let")) return parse_let(P);
        if (is_k(t, "set")) {
            n = mk(S_SET, next(P)->loc);
            n->name = expect_ident(P, "a variable name after 'set'");
            if (is_p(cur(P), "."))
                error_at(cur(P)->loc, "field assignment is not allowed: structs are immutable values");
            if (is_p(cur(P), "=")) error_at(cur(P)->loc, "write 'set x value', without '='");
            n->a = parse_expr(P);
            return n;
        }
        if (is_k(t, "if")) return parse_if_stmt(P);
        if (is_k(t, "while")) {
            n = mk(S_WHILE, next(P)->loc);
            n->a = parse_expr(P);
            n->b = parse_block(P);
            return n;
        }
        if (is_k(t, "for")) {
            next(P);
            Loc loc = t->loc;
            if (is_p(cur(P), "(")) error_at(cur(P)->loc, "tuple destructuring is " SUBSET);
            const char *var = expect_ident(P, "a loop variable after 'for'");
            if (!is_k(cur(P), "in")) error_at(cur(P)->loc, "expected 'in' after the loop variable, found %s", describe(cur(P)));
            next(P);
            Node *src = parse_expr(P);
            if (src->kind == E_CALL && src->a->kind == E_NAME && strcmp(src->a->name, "range") == 0) {
                if (src->list.len != 2) error_at(src->loc, "range takes two arguments: (range start end)");
                n = mk(S_FOR_RANGE, loc);
                n->a = VEC_AT(src->list, 0);
                n->b = VEC_AT(src->list, 1);
            } else {
                n = mk(S_FOR_ARRAY, loc);
                n->a = src;
            }
            n->name = var;
            n->c = parse_block(P);
            return n;
        }
        if (is_k(t, "return")) {
            n = mk(S_RETURN, next(P)->loc);
            if (!is_p(cur(P), "}")) n->a = parse_expr(P);
            return n;
        }
        if (is_k(t, "break")) return mk(S_BREAK, next(P)->loc);
        if (is_k(t, "continue")) return mk(S_CONTINUE, next(P)->loc);
        if (is_k(t, "assert")) {
            n = mk(S_ASSERT, next(P)->loc);
            n->a = parse_expr(P);
            return n;
        }
        if (is_k(t, "match")) return parse_match(P);
        if (is_k(t, "fn")) error_at(t->loc, "nested functions are " SUBSET);
        if (is_k(t, "struct") || is_k(t, "enum") || is_k(t, "union"))
            error_at(t->loc, "local type declarations are " SUBSET "; declare %s at top level", t->text);
    }
    if (t->kind == TK_IDENT && strcmp(t->text, "unsafe") == 0 && is_p(ahead(P, 1), "{"))
        error_at(t->loc, "unsafe blocks are " SUBSET);
    if (is_p(t, "{")) error_at(t->loc, "bare blocks are " SUBSET "; use if true { ... }");
    n = mk(S_EXPR, t->loc);
    n->a = parse_expr(P);
    return n;
}

/* ---- top level ---- */
static Decl *new_decl(Parser *P, DeclKind k, Loc loc, bool pub) {
    Decl *d = xmalloc(sizeof *d);
    d->kind = k;
    d->loc = loc;
    d->pub = pub;
    d->mod = P->mod;
    vec_push(&P->mod->decls, d);
    return d;
}

static void parse_fields(Parser *P, Vec *fields, const char *what) {
    expect_p(P, "{", what);
    while (!is_p(cur(P), "}")) {
        Field *f = xmalloc(sizeof *f);
        Token *ft = cur(P);
        f->name = expect_ident(P, "a field name");
        for (int i = 0; i < fields->len; i++)
            if (strcmp(((Field *)VEC_AT(*fields, i))->name, f->name) == 0)
                error_at(ft->loc, "field '%s' declared twice", f->name);
        expect_p(P, ":", "after the field name");
        f->texpr = parse_type(P);
        vec_push(fields, f);
        if (is_p(cur(P), ",")) next(P);
    }
    next(P);
}

static void parse_fn(Parser *P, bool pub) {
    Loc loc = next(P)->loc;
    Decl *d = new_decl(P, D_FN, loc, pub);
    d->name = expect_ident(P, "a function name");
    d->loc = P->t[P->pos - 1].loc;
    if (is_p(cur(P), "<")) error_at(cur(P)->loc, "generic functions are " SUBSET);
    expect_p(P, "(", "after the function name");
    while (!is_p(cur(P), ")")) {
        Field *f = xmalloc(sizeof *f);
        Token *pt = cur(P);
        if (is_k(pt, "mut")) error_at(pt->loc, "mutable parameters are " SUBSET);
        f->name = expect_ident(P, "a parameter name");
        for (int i = 0; i < d->params.len; i++)
            if (strcmp(((Field *)VEC_AT(d->params, i))->name, f->name) == 0)
                error_at(pt->loc, "parameter '%s' declared twice", f->name);
        expect_p(P, ":", "after the parameter name (parameters need types)");
        f->texpr = parse_type(P);
        vec_push(&d->params, f);
        if (!is_p(cur(P), ")")) expect_p(P, ",", "between parameters");
    }
    next(P);
    if (is_p(cur(P), "->")) {
        next(P);
        d->ret_texpr = parse_type(P);
    }
    d->body = parse_block(P);
}

static void parse_item(Parser *P) {
    Token *t = cur(P);
    bool pub = false;
    if (is_k(t, "pub")) {
        pub = true;
        next(P);
        t = cur(P);
    }
    if (is_k(t, "fn")) {
        parse_fn(P, pub);
    } else if (is_k(t, "struct")) {
        next(P);
        Decl *d = new_decl(P, D_STRUCT, cur(P)->loc, pub);
        d->name = expect_ident(P, "a struct name");
        if (is_p(cur(P), "<")) error_at(cur(P)->loc, "generic structs are " SUBSET);
        parse_fields(P, &d->fields, "to start the struct fields");
    } else if (is_k(t, "enum")) {
        next(P);
        Decl *d = new_decl(P, D_ENUM, cur(P)->loc, pub);
        d->name = expect_ident(P, "an enum name");
        expect_p(P, "{", "to start the enum values");
        int64_t value = 0;
        while (!is_p(cur(P), "}")) {
            Variant *v = xmalloc(sizeof *v);
            v->loc = cur(P)->loc;
            v->name = expect_ident(P, "an enum value name");
            if (is_p(cur(P), "=")) {
                next(P);
                bool neg = false;
                if (is_p(cur(P), "-")) {
                    next(P);
                    neg = true;
                }
                if (cur(P)->kind != TK_INT || cur(P)->ival > (uint64_t)INT64_MAX)
                    error_at(cur(P)->loc, "an enum value must be an integer literal");
                value = (int64_t)next(P)->ival;
                if (neg) value = -value;
            }
            for (int i = 0; i < d->variants.len; i++)
                if (strcmp(((Variant *)VEC_AT(d->variants, i))->name, v->name) == 0)
                    error_at(v->loc, "enum value '%s' declared twice", v->name);
            v->value = value;
            value = (int64_t)((uint64_t)value + 1);
            vec_push(&d->variants, v);
            if (!is_p(cur(P), "}")) expect_p(P, ",", "between enum values");
        }
        next(P);
    } else if (is_k(t, "union")) {
        next(P);
        Decl *d = new_decl(P, D_UNION, cur(P)->loc, pub);
        d->name = expect_ident(P, "a union name");
        if (is_p(cur(P), "<")) error_at(cur(P)->loc, "generic unions are " SUBSET);
        expect_p(P, "{", "to start the union variants");
        while (!is_p(cur(P), "}")) {
            Variant *v = xmalloc(sizeof *v);
            v->loc = cur(P)->loc;
            v->name = expect_ident(P, "a variant name");
            for (int i = 0; i < d->variants.len; i++)
                if (strcmp(((Variant *)VEC_AT(d->variants, i))->name, v->name) == 0)
                    error_at(v->loc, "variant '%s' declared twice", v->name);
            if (is_p(cur(P), "(")) error_at(cur(P)->loc, "tuple variants are " SUBSET "; write %s { field: T }", v->name);
            if (is_p(cur(P), "{")) parse_fields(P, &v->fields, "to start the variant fields");
            vec_push(&d->variants, v);
            if (is_p(cur(P), ",")) next(P);
        }
        next(P);
        if (d->variants.len == 0) error_at(d->loc, "a union needs at least one variant");
    } else if (is_k(t, "let")) {
        next(P);
        Decl *d = new_decl(P, D_GLOBAL, cur(P)->loc, pub);
        if (is_k(cur(P), "mut")) {
            next(P);
            d->mut = true;
            d->loc = cur(P)->loc;
        }
        d->name = expect_ident(P, "a global name");
        if (is_p(cur(P), ":")) {
            next(P);
            d->texpr = parse_type(P);
        }
        expect_p(P, "=", "in a global let (globals need an initial value)");
        d->init = parse_expr(P);
    } else if (pub) {
        error_at(t->loc, "expected fn, struct, enum, union or let after 'pub'");
    } else if (is_k(t, "shadow")) {
        next(P);
        Shadow *s = xmalloc(sizeof *s);
        s->loc = cur(P)->loc;
        s->fn_name = expect_ident(P, "a function name after 'shadow'");
        s->body = parse_block(P);
        vec_push(&P->mod->shadows, s);
    } else if (is_k(t, "import") || is_k(t, "from")) {
        Import *im = xmalloc(sizeof *im);
        im->loc = t->loc;
        im->from = is_k(t, "from");
        next(P);
        if (cur(P)->kind != TK_STRING) error_at(cur(P)->loc, "expected a file name string after '%s'", t->text);
        im->path = next(P)->text;
        if (im->from) {
            if (!is_k(cur(P), "import")) error_at(cur(P)->loc, "expected 'import' after the file name");
            next(P);
            do {
                if (is_p(cur(P), ",")) next(P);
                Loc *l = xmalloc(sizeof *l);
                *l = cur(P)->loc;
                vec_push(&im->names, (void *)expect_ident(P, "a name to import"));
                vec_push(&im->name_locs, l);
            } while (is_p(cur(P), ","));
        } else if (is_k(cur(P), "as")) {
            next(P);
            im->alias = expect_ident(P, "a module name after 'as'");
        }
        vec_push(&P->mod->imports, im);
    } else if (is_k(t, "extern")) {
        error_at(t->loc, "extern functions are " SUBSET);
    } else if (is_k(t, "opaque")) {
        error_at(t->loc, "opaque types are " SUBSET);
    } else if (t->kind == TK_IDENT && (strcmp(t->text, "impl") == 0 || strcmp(t->text, "module") == 0 ||
                                       strcmp(t->text, "type") == 0 || strcmp(t->text, "const") == 0)) {
        error_at(t->loc, "'%s' declarations are " SUBSET, t->text);
    } else {
        error_at(t->loc, "expected a top-level declaration (fn, shadow, struct, enum, union, let, import), found %s",
                 describe(t));
    }
}

Module *parse_module(const char *path, const char *src, size_t len, int id) {
    Parser P = {0};
    P.t = lex_file(path, src, len, &P.n);
    P.mod = xmalloc(sizeof(Module));
    P.mod->id = id;
    P.mod->path = path;
    while (cur(&P)->kind != TK_EOF) parse_item(&P);
    return P.mod;
}
