/* zlib.c: the C part of lib/zlib.nano, built by make into libnano_zlib.so (docs/LANGUAGE.md
 * 11.1): compress and uncompress, whose lengths are out-parameters and whose compressed bytes
 * contain NULs, kept in a buffer that stays in the co-process.
 * pkg-config: zlib
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    uLongf len;
    Bytef data[];
} NanoZBuf;

NanoZBuf *nano_zlib_compress(const char *src, int64_t level);
int64_t nano_zlib_size(const NanoZBuf *b);
char *nano_zlib_uncompress(const NanoZBuf *b, int64_t len);
void nano_zlib_free(void *p);

/* src (up to its NUL) compressed at level (-1 default, 0..9), or NULL. */
NanoZBuf *nano_zlib_compress(const char *src, int64_t level) {
    uLong n = (uLong)strlen(src);
    uLong cap = compressBound(n);
    NanoZBuf *b = malloc(sizeof *b + cap);
    if (b == NULL) return NULL;
    b->len = cap;
    if (level < -1 || level > 9 ||
        compress2(b->data, &b->len, (const Bytef *)src, n, (int)level) != Z_OK) {
        free(b);
        return NULL;
    }
    return b;
}

int64_t nano_zlib_size(const NanoZBuf *b) { return b == NULL ? -1 : (int64_t)b->len; }

/* The bytes b holds uncompressed, len of them at most, as a string (NULL when they are not
 * zlib data, are longer, or contain a NUL). */
char *nano_zlib_uncompress(const NanoZBuf *b, int64_t len) {
    static char *last; /* the previous result, which nano_cop has copied by now */
    free(last);
    last = NULL;
    if (b == NULL || len < 0) return NULL;
    uLongf n = (uLongf)len;
    char *out = malloc(n + 1);
    if (out == NULL) return NULL;
    if (uncompress((Bytef *)out, &n, b->data, b->len) != Z_OK || memchr(out, 0, n) != NULL) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    last = out;
    return out;
}

void nano_zlib_free(void *p) { free(p); }
