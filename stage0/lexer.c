/* lexer.c: nanolang source bytes to tokens.  Comments are '#' or '//' to end of line and
 * '/ * ... * /' blocks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanoc0.h"

static const char *const keywords[] = {
    "fn", "let", "mut", "set", "if", "else", "while", "for", "in", "return", "break", "continue",
    "assert", "match", "struct", "enum", "union", "shadow", "pub", "import", "from", "as", "true",
    "false", "and", "or", "not", "extern", "opaque", "cond", NULL,
};

/* longest first */
static const char *const puncts[] = {
    "->", "=>", "==", "!=", "<=", ">=", "(", ")", "{", "}", "[", "]", ",", ":", ".", "=", "<",
    ">", "+", "-", "*", "/", "%", "!", "&", "|", "^", "~", "?", ";", "@", "$", NULL,
};

typedef struct {
    const char *path, *src;
    size_t len, pos;
    int line, col;
    Token *toks;
    int n, cap;
} Lexer;

static Loc here(Lexer *L) { return (Loc){L->path, L->line, L->col}; }

static void advance(Lexer *L) {
    if (L->src[L->pos] == '\n') {
        L->line++;
        L->col = 1;
    } else {
        L->col++;
    }
    L->pos++;
}

static int peekc(Lexer *L, size_t k) { return L->pos + k < L->len ? (unsigned char)L->src[L->pos + k] : -1; }

static Token *push(Lexer *L, TokKind kind, Loc loc, bool space) {
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 1024;
        Token *t = realloc(L->toks, (size_t)L->cap * sizeof(Token));
        if (t == NULL) {
            fputs("nanoc0: out of memory\n", stderr);
            exit(2);
        }
        L->toks = t;
    }
    Token *t = &L->toks[L->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->loc = loc;
    t->space_before = space;
    return t;
}

static bool skip_space(Lexer *L) {
    bool any = false;
    for (;;) {
        int c = peekc(L, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(L);
        } else if (c == '#' || (c == '/' && peekc(L, 1) == '/')) {
            while (peekc(L, 0) != -1 && peekc(L, 0) != '\n') advance(L);
        } else if (c == '/' && peekc(L, 1) == '*') {
            Loc start = here(L);
            advance(L), advance(L);
            while (!(peekc(L, 0) == '*' && peekc(L, 1) == '/')) {
                if (peekc(L, 0) == -1) error_at(start, "unterminated comment");
                advance(L);
            }
            advance(L), advance(L);
        } else {
            return any;
        }
        any = true;
    }
}

static int escape(Lexer *L) {
    Loc loc = here(L);
    advance(L); /* backslash */
    int c = peekc(L, 0);
    int r;
    switch (c) {
    case 'n': r = '\n'; break;
    case 't': r = '\t'; break;
    case 'r': r = '\r'; break;
    case '\\': r = '\\'; break;
    case '"': r = '"'; break;
    case '\'': r = '\''; break;
    default:
        if (c == -1) error_at(loc, "unterminated string");
        error_at(loc, "unknown escape sequence '\\%c' (nanolang has \\n \\t \\r \\\\ \\\" \\')",
                 c >= 32 && c < 127 ? c : '?');
    }
    advance(L);
    return r;
}

static void lex_number(Lexer *L, Token *t) {
    size_t start = L->pos;
    Loc loc = t->loc;
    if (peekc(L, 0) == '0' && (peekc(L, 1) == 'x' || peekc(L, 1) == 'X')) {
        advance(L), advance(L);
        uint64_t v = 0;
        int digits = 0;
        for (int c; (c = peekc(L, 0)) != -1 && (strchr("0123456789abcdefABCDEF", c) && c); advance(L)) {
            int d = c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
            if (v > (UINT64_MAX >> 4)) error_at(loc, "integer literal out of range");
            v = v * 16 + (uint64_t)d;
            digits++;
        }
        if (digits == 0) error_at(loc, "hexadecimal literal needs digits");
        if (v > (uint64_t)INT64_MAX) error_at(loc, "integer literal out of range");
        t->kind = TK_INT;
        t->ival = v;
        return;
    }
    bool is_float = false;
    while (peekc(L, 0) >= '0' && peekc(L, 0) <= '9') advance(L);
    if (peekc(L, 0) == '.' && peekc(L, 1) >= '0' && peekc(L, 1) <= '9') {
        is_float = true;
        advance(L);
        while (peekc(L, 0) >= '0' && peekc(L, 0) <= '9') advance(L);
    }
    if ((peekc(L, 0) == 'e' || peekc(L, 0) == 'E') &&
        ((peekc(L, 1) >= '0' && peekc(L, 1) <= '9') ||
         ((peekc(L, 1) == '+' || peekc(L, 1) == '-') && peekc(L, 2) >= '0' && peekc(L, 2) <= '9'))) {
        is_float = true;
        advance(L), advance(L);
        while (peekc(L, 0) >= '0' && peekc(L, 0) <= '9') advance(L);
    }
    int c = peekc(L, 0);
    if (c != -1 && (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        error_at(here(L), "unexpected character '%c' after number", c);
    char *text = xstrndup(L->src + start, L->pos - start);
    if (is_float) {
        t->kind = TK_FLOAT;
        t->fval = strtod(text, NULL);
        if (isinf(t->fval)) error_at(loc, "float literal out of range");
    } else {
        uint64_t v = 0;
        for (char *p = text; *p; p++) {
            if (v > (uint64_t)INT64_MAX / 10 + 1) error_at(loc, "integer literal out of range");
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > (uint64_t)INT64_MAX + 1) error_at(loc, "integer literal out of range");
        }
        t->kind = TK_INT;
        t->ival = v;
    }
    free(text);
}

Token *lex_file(const char *path, const char *src, size_t len, int *ntok) {
    Lexer L = {.path = path, .src = src, .len = len, .line = 1, .col = 1};
    for (;;) {
        bool space = skip_space(&L);
        Loc loc = here(&L);
        int c = peekc(&L, 0);
        if (c == -1) {
            push(&L, TK_EOF, loc, true);
            break;
        }
        if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t start = L.pos;
            while ((c = peekc(&L, 0)) != -1 &&
                   (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                advance(&L);
            Token *t = push(&L, TK_IDENT, loc, space);
            t->text = xstrndup(src + start, L.pos - start);
            for (int i = 0; keywords[i]; i++)
                if (strcmp(keywords[i], t->text) == 0) t->kind = TK_KEYWORD;
        } else if (c >= '0' && c <= '9') {
            Token *t = push(&L, TK_INT, loc, space);
            lex_number(&L, t);
        } else if (c == '"') {
            advance(&L);
            Buf b = {0};
            for (;;) {
                c = peekc(&L, 0);
                if (c == -1) error_at(loc, "unterminated string");
                if (c == '"') break;
                if (c == '\\') {
                    char e = (char)escape(&L);
                    buf_put(&b, &e, 1);
                } else {
                    char ch = (char)c;
                    buf_put(&b, &ch, 1);
                    advance(&L);
                }
            }
            advance(&L);
            Token *t = push(&L, TK_STRING, loc, space);
            t->text = b.p ? b.p : xstrdup("");
            t->slen = b.len;
        } else if (c == '\'') {
            advance(&L);
            int v;
            c = peekc(&L, 0);
            if (c == '\\') {
                v = escape(&L);
            } else if (c == -1 || c == '\'' || c == '\n') {
                error_at(loc, "bad character literal");
            } else {
                v = c;
                advance(&L);
            }
            if (peekc(&L, 0) != '\'') error_at(loc, "character literal must be one byte followed by '");
            advance(&L);
            Token *t = push(&L, TK_CHAR, loc, space);
            t->ival = (uint64_t)v;
        } else {
            int i;
            for (i = 0; puncts[i]; i++) {
                size_t n = strlen(puncts[i]);
                if (L.pos + n <= len && memcmp(src + L.pos, puncts[i], n) == 0) break;
            }
            if (!puncts[i]) {
                if (c >= 32 && c < 127) error_at(loc, "unexpected character '%c'", c);
                error_at(loc, "unexpected byte 0x%02x", c);
            }
            for (size_t k = strlen(puncts[i]); k > 0; k--) advance(&L);
            Token *t = push(&L, TK_PUNCT, loc, space);
            t->text = puncts[i];
        }
    }
    *ntok = L.n;
    return L.toks;
}
