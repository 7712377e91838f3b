/* cop_wire.c: see cop_wire.h. */
#include "cop_wire.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

const char *cop_ctype_name(unsigned t, char *buf, size_t n) {
    static const char *const names[COP_C__COUNT] = {
        "void",     "int8",   "int16", "int32",  "int64", "uint8", "uint16",
        "uint32",   "uint64", "size_t", "long",  "int",   "double", "float",
        "bool",     "char *", "pointer", "callback"};
    if (t < COP_C__COUNT) return names[t];
    snprintf(buf, n, "type %u", t);
    return buf;
}

/* ---- encoding ------------------------------------------------------------------------------ */

static int reserve(CopBuf *b, size_t n) {
    if (b->oom) return -1;
    if (n <= b->cap - b->len) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    uint8_t *d = realloc(b->data, cap);
    if (d == NULL) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void cop_put_bytes(CopBuf *b, const void *p, size_t n) {
    if (n == 0 || reserve(b, n) != 0) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->payload += n;
}

void cop_buf_start(CopBuf *b, CopMsg type) {
    b->len = 0;
    b->nrefs = 0;
    b->payload = 0;
    b->oom = 0;
    if (reserve(b, 5) != 0) return;
    memset(b->data, 0, 4); /* the length, filled in by cop_buf_write */
    b->len = 4;
    cop_put_u8(b, (uint8_t)type);
}

void cop_put_u8(CopBuf *b, uint8_t v) { cop_put_bytes(b, &v, 1); }

void cop_put_u32(CopBuf *b, uint32_t v) {
    uint8_t x[4];
    for (int i = 0; i < 4; i++) x[i] = (uint8_t)(v >> (8 * i));
    cop_put_bytes(b, x, 4);
}

void cop_put_u64(CopBuf *b, uint64_t v) {
    uint8_t x[8];
    for (int i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
    cop_put_bytes(b, x, 8);
}

void cop_put_f64(CopBuf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    cop_put_u64(b, u);
}

void cop_put_ext(CopBuf *b, const void *p, size_t n) {
    if (n == 0 || b->oom) return;
    if (b->nrefs == b->refs_cap) {
        size_t cap = b->refs_cap ? b->refs_cap * 2 : 8;
        CopRef *r = realloc(b->refs, cap * sizeof *r);
        if (r == NULL) {
            b->oom = 1;
            return;
        }
        b->refs = r;
        b->refs_cap = cap;
    }
    b->refs[b->nrefs++] = (CopRef){b->len, p, n};
    b->payload += n;
}

void cop_put_str(CopBuf *b, const char *s, uint32_t len, int ext) {
    cop_put_u32(b, len);
    if (ext) cop_put_ext(b, s, len);
    else cop_put_bytes(b, s, len);
    cop_put_u8(b, 0);
}

void cop_put_value(CopBuf *b, const CopValue *v, int ext) {
    cop_put_u8(b, v->type);
    switch (v->type) {
    case COP_C_VOID: break;
    case COP_C_DOUBLE:
    case COP_C_FLOAT: cop_put_f64(b, v->f); break;
    case COP_C_STRING: cop_put_str(b, v->s, v->len, ext); break;
    case COP_C_POINTER:
    case COP_C_CALLBACK: cop_put_u64(b, v->handle); break;
    default: cop_put_u64(b, (uint64_t)v->i); break;
    }
}

uint64_t cop_buf_size(const CopBuf *b) { return b->oom ? 0 : b->payload; }

int cop_buf_write(CopBuf *b, int fd) {
    if (b->oom) return ENOMEM;
    if (b->payload == 0 || b->payload > COP_MAX_FRAME) return E2BIG;
    for (int i = 0; i < 4; i++) b->data[i] = (uint8_t)(b->payload >> (8 * i));
    /* the frame is data[0..len) with the references spliced in at their offsets */
    enum { MAXV = 64 };
    struct iovec iov[MAXV];
    size_t at = 0, r = 0;
    int n = 0;
    while (at < b->len || r < b->nrefs) {
        n = 0;
        while (n < MAXV && (at < b->len || r < b->nrefs)) {
            size_t upto = r < b->nrefs ? b->refs[r].at : b->len;
            if (at < upto) {
                iov[n++] = (struct iovec){b->data + at, upto - at};
                at = upto;
            } else {
                iov[n++] = (struct iovec){(void *)b->refs[r].ext, b->refs[r].len};
                r++;
            }
        }
        int k = 0;
        while (k < n) {
            ssize_t w = writev(fd, iov + k, n - k);
            if (w < 0) {
                if (errno == EINTR) continue;
                return errno ? errno : EIO;
            }
            size_t done = (size_t)w;
            while (k < n && done >= iov[k].iov_len) done -= iov[k++].iov_len;
            if (k < n) {
                iov[k].iov_base = (char *)iov[k].iov_base + done;
                iov[k].iov_len -= done;
            }
        }
    }
    return 0;
}

void cop_buf_free(CopBuf *b) {
    free(b->data);
    free(b->refs);
    memset(b, 0, sizeof *b);
}

/* ---- reading frames ------------------------------------------------------------------------ */

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads exactly n bytes; returns n, the bytes before end of input, or -1 (errno set). */
static ssize_t read_full(int fd, uint8_t *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

#define READ_STEP ((size_t)64 << 10)

int cop_read_frame(CopReader *r, int fd, const uint8_t **payload, size_t *len, char *err,
                   size_t errlen) {
    uint8_t h[4];
    ssize_t got = read_full(fd, h, 4);
    if (got < 0) {
        fail(err, errlen, "cannot read: %s", strerror(errno));
        return -1;
    }
    if (got == 0) return 0;
    if (got < 4) {
        fail(err, errlen, "the input ended inside a frame's length");
        return -1;
    }
    uint32_t n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    if (n == 0 || n > COP_MAX_FRAME) {
        fail(err, errlen, "a frame of %u bytes (the limit is 1 to %u)", n, COP_MAX_FRAME);
        return -2;
    }
    size_t have = 0;
    while (have < n) {
        if (have == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : READ_STEP;
            if (cap > n) cap = n;
            uint8_t *b = realloc(r->buf, cap);
            if (b == NULL) {
                fail(err, errlen, "no memory for a frame of %u bytes", n);
                return -2;
            }
            r->buf = b;
            r->cap = cap;
        }
        size_t want = (r->cap < n ? r->cap : n) - have;
        got = read_full(fd, r->buf + have, want);
        if (got < 0) {
            fail(err, errlen, "cannot read: %s", strerror(errno));
            return -1;
        }
        have += (size_t)got;
        if ((size_t)got < want) {
            fail(err, errlen, "the input ended inside a frame (%zu of %u bytes)", have, n);
            return -1;
        }
    }
    *payload = r->buf;
    *len = n;
    return 1;
}

void cop_reader_trim(CopReader *r) {
    if (r->cap > ((size_t)1 << 20)) {
        free(r->buf);
        r->buf = NULL;
        r->cap = 0;
    }
}

void cop_reader_free(CopReader *r) {
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

/* ---- decoding ------------------------------------------------------------------------------ */

typedef struct {
    const uint8_t *p;
    size_t left;
    char *err;
    size_t errlen;
    int bad;
} Dec;

static int dec_fail(Dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int dec_fail(Dec *d, const char *fmt, ...) {
    if (!d->bad) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->err, d->errlen, fmt, ap);
        va_end(ap);
    }
    d->bad = 1;
    return -1;
}

static int need(Dec *d, size_t n, const char *what) {
    if (d->bad) return -1;
    if (d->left < n) return dec_fail(d, "the frame ends inside %s", what);
    return 0;
}

static uint8_t get_u8(Dec *d, const char *what) {
    if (need(d, 1, what) != 0) return 0;
    d->left--;
    return *d->p++;
}

static uint32_t get_u32(Dec *d, const char *what) {
    if (need(d, 4, what) != 0) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)d->p[i] << (8 * i);
    d->p += 4;
    d->left -= 4;
    return v;
}

static uint64_t get_u64(Dec *d, const char *what) {
    if (need(d, 8, what) != 0) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)d->p[i] << (8 * i);
    d->p += 8;
    d->left -= 8;
    return v;
}

/* A string: u32 length, bytes, NUL.  max: its cap; names: no NUL inside. */
static const char *get_str(Dec *d, uint32_t *len, uint32_t max, int name, const char *what) {
    uint32_t n = get_u32(d, what);
    if (d->bad) return NULL;
    if (n > max) {
        dec_fail(d, "%s of %u bytes (the limit is %u)", what, n, max);
        return NULL;
    }
    if (need(d, (size_t)n + 1, what) != 0) return NULL;
    const char *s = (const char *)d->p;
    if (d->p[n] != 0) {
        dec_fail(d, "%s is not followed by a NUL byte", what);
        return NULL;
    }
    if (name && memchr(s, 0, n) != NULL) {
        dec_fail(d, "%s contains a NUL byte", what);
        return NULL;
    }
    d->p += (size_t)n + 1;
    d->left -= (size_t)n + 1;
    *len = n;
    return s;
}

/* The range of an integer type carried as i64: [lo, hi]; 64-bit types take every pattern. */
static int int_range(uint8_t t, int64_t *lo, int64_t *hi) {
    switch (t) {
    case COP_C_INT8: *lo = INT8_MIN, *hi = INT8_MAX; return 1;
    case COP_C_INT16: *lo = INT16_MIN, *hi = INT16_MAX; return 1;
    case COP_C_INT32: *lo = INT32_MIN, *hi = INT32_MAX; return 1;
    case COP_C_INT: *lo = INT_MIN, *hi = INT_MAX; return 1;
    case COP_C_UINT8: *lo = 0, *hi = UINT8_MAX; return 1;
    case COP_C_UINT16: *lo = 0, *hi = UINT16_MAX; return 1;
    case COP_C_UINT32: *lo = 0, *hi = UINT32_MAX; return 1;
    case COP_C_BOOL: *lo = 0, *hi = 1; return 1;
#if LONG_MAX < INT64_MAX
    case COP_C_LONG: *lo = LONG_MIN, *hi = LONG_MAX; return 1;
#endif
#if SIZE_MAX < UINT64_MAX
    case COP_C_SIZE_T: *lo = 0, *hi = (int64_t)SIZE_MAX; return 1;
#endif
    default: return 0;
    }
}

/* A value.  VOID is allowed in results (void_ok & 1), a callback in CALL arguments
 * (void_ok & 2). */
static void get_value(Dec *d, CopValue *v, int void_ok, const char *what) {
    memset(v, 0, sizeof *v);
    v->type = get_u8(d, what);
    if (d->bad) return;
    char tb[32];
    switch (v->type) {
    case COP_C_VOID:
        if (!(void_ok & 1)) dec_fail(d, "%s has type void", what);
        return;
    case COP_C_DOUBLE:
    case COP_C_FLOAT: {
        uint64_t u = get_u64(d, what);
        memcpy(&v->f, &u, 8);
        return;
    }
    case COP_C_STRING: v->s = get_str(d, &v->len, COP_MAX_FRAME, 0, what); return;
    case COP_C_POINTER: v->handle = get_u64(d, what); return;
    case COP_C_CALLBACK:
        v->handle = get_u64(d, what);
        if (!d->bad && !(void_ok & 2)) dec_fail(d, "%s is a callback, which is not allowed here", what);
        return;
    default:
        if (v->type >= COP_C__COUNT) {
            dec_fail(d, "%s has the unknown %s", what, cop_ctype_name(v->type, tb, sizeof tb));
            return;
        }
        uint64_t u = get_u64(d, what);
        memcpy(&v->i, &u, sizeof v->i); /* the two's complement bits */
        int64_t lo, hi;
        if (!d->bad && int_range(v->type, &lo, &hi) && (v->i < lo || v->i > hi))
            dec_fail(d, "%s: %lld is out of range for %s", what, (long long)v->i,
                     cop_ctype_name(v->type, tb, sizeof tb));
        return;
    }
}

static int finish(Dec *d) {
    if (d->bad) return -1;
    if (d->left != 0) return dec_fail(d, "%zu bytes after the end of the message", d->left);
    return 0;
}

static const char *msg_name(uint8_t t) {
    switch (t) {
    case COP_HELLO: return "HELLO";
    case COP_BIND: return "BIND";
    case COP_CALL: return "CALL";
    case COP_CALLBACK_RETURN: return "CALLBACK_RETURN";
    case COP_CALLBACK_FAIL: return "CALLBACK_FAIL";
    case COP_HELLO_OK: return "HELLO_OK";
    case COP_BOUND: return "BOUND";
    case COP_RESULT: return "RESULT";
    case COP_ERROR: return "ERROR";
    case COP_CALLBACK: return "CALLBACK";
    default: return NULL;
    }
}

static int bad_type(Dec *d, uint8_t t, const char *dir) {
    const char *name = msg_name(t);
    if (name != NULL) return dec_fail(d, "a %s message is not %s", name, dir);
    return dec_fail(d, "unknown message type 0x%02x", t);
}

int cop_decode_request(const uint8_t *payload, size_t len, CopRequest *out, char *err,
                       size_t errlen) {
    Dec d = {payload, len, err, errlen, 0};
    memset(out, 0, offsetof(CopRequest, u));
    out->type = get_u8(&d, "the message type");
    if (d.bad) return -1;
    char name[48];
    switch (out->type) {
    case COP_HELLO:
        out->u.hello.magic = get_u32(&d, "HELLO");
        out->u.hello.version = get_u32(&d, "HELLO");
        if (!d.bad && out->u.hello.magic != COP_MAGIC)
            return dec_fail(&d, "HELLO has the wrong magic number 0x%08x", out->u.hello.magic);
        return finish(&d);
    case COP_BIND: {
        out->u.bind.library =
            get_str(&d, &out->u.bind.library_len, COP_MAX_NAME, 1, "the library name");
        out->u.bind.symbol = get_str(&d, &out->u.bind.symbol_len, COP_MAX_NAME, 1, "the symbol name");
        out->u.bind.ret = get_u8(&d, "the result type");
        if (d.bad) return -1;
        if (out->u.bind.ret >= COP_C__COUNT || out->u.bind.ret == COP_C_CALLBACK)
            return dec_fail(&d, "BIND: the result has the %s",
                            cop_ctype_name(out->u.bind.ret, name, sizeof name));
        uint32_t n = get_u32(&d, "the parameter count");
        if (d.bad) return -1;
        if (n > COP_MAX_PARAMS)
            return dec_fail(&d, "BIND with %u parameters (the limit is %u)", n, COP_MAX_PARAMS);
        out->u.bind.nparams = n;
        uint32_t ncb = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t t = get_u8(&d, "the parameter types");
            if (d.bad) return -1;
            if (t == COP_C_VOID || t >= COP_C__COUNT)
                return dec_fail(&d, "BIND: parameter %u has the %s", i + 1,
                                cop_ctype_name(t, name, sizeof name));
            out->u.bind.params[i] = t;
            ncb += t == COP_C_CALLBACK;
        }
        /* the callbacks' signatures: result, count, parameter types */
        out->u.bind.cbsig = d.p;
        size_t before = d.left;
        for (uint32_t k = 0; k < ncb; k++) {
            uint8_t r = get_u8(&d, "a callback signature");
            uint8_t m = get_u8(&d, "a callback signature");
            if (d.bad) return -1;
            if (r >= COP_C__COUNT || r == COP_C_CALLBACK || r == COP_C_STRING)
                return dec_fail(&d, "BIND: callback %u returns the %s", k + 1,
                                cop_ctype_name(r, name, sizeof name));
            if (m > COP_MAX_PARAMS)
                return dec_fail(&d, "BIND: callback %u has %u parameters (the limit is %u)", k + 1,
                                m, COP_MAX_PARAMS);
            for (uint32_t q = 0; q < m; q++) {
                uint8_t t = get_u8(&d, "a callback signature");
                if (d.bad) return -1;
                if (t == COP_C_VOID || t >= COP_C_CALLBACK)
                    return dec_fail(&d, "BIND: callback %u: parameter %u has the %s", k + 1, q + 1,
                                    cop_ctype_name(t, name, sizeof name));
            }
        }
        out->u.bind.cbsig_len = (uint32_t)(before - d.left);
        return finish(&d);
    }
    case COP_CALL: {
        out->u.call.id = get_u32(&d, "the binding id");
        uint32_t n = get_u32(&d, "the argument count");
        if (d.bad) return -1;
        if (n > COP_MAX_PARAMS)
            return dec_fail(&d, "CALL with %u arguments (the limit is %u)", n, COP_MAX_PARAMS);
        out->u.call.nargs = n;
        for (uint32_t i = 0; i < n && !d.bad; i++) {
            snprintf(name, sizeof name, "argument %u", i + 1);
            get_value(&d, &out->u.call.args[i], 2, name);
        }
        return finish(&d);
    }
    case COP_CALLBACK_RETURN:
        get_value(&d, &out->u.cb_return.value, 1, "the callback's result");
        return finish(&d);
    case COP_CALLBACK_FAIL: return finish(&d);
    default: return bad_type(&d, out->type, "a request");
    }
}

int cop_decode_reply(const uint8_t *payload, size_t len, CopReply *out, char *err, size_t errlen) {
    Dec d = {payload, len, err, errlen, 0};
    memset(out, 0, sizeof *out);
    out->type = get_u8(&d, "the message type");
    if (d.bad) return -1;
    switch (out->type) {
    case COP_HELLO_OK:
        out->u.hello.magic = get_u32(&d, "HELLO_OK");
        out->u.hello.version = get_u32(&d, "HELLO_OK");
        if (!d.bad && out->u.hello.magic != COP_MAGIC)
            return dec_fail(&d, "HELLO_OK has the wrong magic number 0x%08x", out->u.hello.magic);
        return finish(&d);
    case COP_BOUND: out->u.bound.id = get_u32(&d, "BOUND"); return finish(&d);
    case COP_RESULT: {
        uint32_t e = get_u32(&d, "RESULT");
        memcpy(&out->u.result.c_errno, &e, sizeof e);
        get_value(&d, &out->u.result.value, 1, "the result");
        return finish(&d);
    }
    case COP_ERROR:
        out->u.error.code = get_u32(&d, "ERROR");
        out->u.error.message = get_str(&d, &out->u.error.len, COP_MAX_MESSAGE, 1, "the error message");
        return finish(&d);
    case COP_CALLBACK: {
        out->u.callback.id = get_u64(&d, "CALLBACK");
        uint32_t n = get_u32(&d, "the argument count");
        if (d.bad) return -1;
        if (n > COP_MAX_PARAMS)
            return dec_fail(&d, "CALLBACK with %u arguments (the limit is %u)", n, COP_MAX_PARAMS);
        out->u.callback.nargs = n;
        char name[48];
        for (uint32_t i = 0; i < n && !d.bad; i++) {
            snprintf(name, sizeof name, "callback argument %u", i + 1);
            get_value(&d, &out->u.callback.args[i], 0, name);
        }
        return finish(&d);
    }
    default: return bad_type(&d, out->type, "a reply");
    }
}
