/* t_wire.c: the co-process protocol (cop/cop_wire.h, docs/COP_PROTOCOL.md) under attack from
 * both sides.
 *
 *  1. every message and C type encodes, frames and decodes back to itself;
 *  2. both decoders take random payloads and mutations of valid ones (in a buffer of exactly the
 *     payload's size, so the sanitizer build catches any read past it) and either reject them
 *     with a message or return values that lie inside the payload;
 *  3. the frame reader takes bad lengths, truncated frames and random streams;
 *  4. a real nano_cop, spoken to directly: every C type through the test library, each error
 *     reply, then thousands of garbage and mutated requests, after which it still answers
 *     correctly; broken framing makes it exit with status 2, never with a signal;
 *  5. the VM against a fake co-process (this program, run as `t_wire.t --serve ...`) that
 *     answers garbage: every program ends with a runtime error, the VM never crashes, every
 *     fake is reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cop_wire.h"
#include "nvmasm.h"
#include "tap.h"
#include "vmrun.h"

extern char **environ;

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static uint32_t below(uint32_t n) { return n ? (uint32_t)(rnd() % n) : 0; }

/* ---- a corpus of valid payloads ------------------------------------------------------------ */

typedef struct {
    uint8_t *p;
    size_t n;
} Bytes;

/* The payload of b (without the length field), malloc'd. */
static Bytes payload_of(CopBuf *b) {
    FILE *f = tmpfile();
    if (f == NULL || cop_buf_write(b, fileno(f)) != 0) abort();
    CopReader r = {0};
    const uint8_t *p;
    size_t n;
    char err[256];
    lseek(fileno(f), 0, SEEK_SET);
    if (cop_read_frame(&r, fileno(f), &p, &n, err, sizeof err) != 1) abort();
    Bytes out = {malloc(n), n};
    memcpy(out.p, p, n);
    cop_reader_free(&r);
    fclose(f);
    return out;
}

static CopValue val_int(uint8_t t, int64_t i) { return (CopValue){.type = t, .i = i}; }
static CopValue val_f(uint8_t t, double f) { return (CopValue){.type = t, .f = f}; }
static CopValue val_s(const char *s) { return (CopValue){.type = COP_C_STRING, .s = s, .len = (uint32_t)strlen(s)}; }
static CopValue val_h(uint64_t h) { return (CopValue){.type = COP_C_POINTER, .handle = h}; }

static void enc_hello(CopBuf *b, uint32_t version) {
    cop_buf_start(b, COP_HELLO);
    cop_put_u32(b, COP_MAGIC);
    cop_put_u32(b, version);
}

static void enc_bind(CopBuf *b, const char *lib, const char *sym, uint8_t ret, uint32_t n,
                     const uint8_t *params) {
    cop_buf_start(b, COP_BIND);
    cop_put_str(b, lib, (uint32_t)strlen(lib), 0);
    cop_put_str(b, sym, (uint32_t)strlen(sym), 1);
    cop_put_u8(b, ret);
    cop_put_u32(b, n);
    for (uint32_t i = 0; i < n; i++) cop_put_u8(b, params[i]);
}

static void enc_call(CopBuf *b, uint32_t id, uint32_t n, const CopValue *args) {
    cop_buf_start(b, COP_CALL);
    cop_put_u32(b, id);
    cop_put_u32(b, n);
    for (uint32_t i = 0; i < n; i++) cop_put_value(b, &args[i], (i & 1) != 0);
}

enum { NCORPUS = 16 };
static Bytes requests[NCORPUS], replies[NCORPUS];
static int nrequests, nreplies;

static void corpus(void) {
    CopBuf b = {0};
    enc_hello(&b, COP_VERSION);
    requests[nrequests++] = payload_of(&b);
    uint8_t ps[] = {COP_C_INT8, COP_C_UINT16, COP_C_INT32, COP_C_DOUBLE, COP_C_FLOAT, COP_C_BOOL,
                    COP_C_STRING, COP_C_INT64, COP_C_POINTER, COP_C_SIZE_T, COP_C_LONG, COP_C_INT};
    enc_bind(&b, "", "ct_mix", COP_C_DOUBLE, 12, ps);
    requests[nrequests++] = payload_of(&b);
    enc_bind(&b, "libm.so.6", "hypot", COP_C_DOUBLE, 2, (uint8_t[]){COP_C_DOUBLE, COP_C_DOUBLE});
    requests[nrequests++] = payload_of(&b);
    CopValue args[] = {val_int(COP_C_INT8, -5), val_int(COP_C_UINT16, 65535), val_int(COP_C_INT32, -7),
                       val_f(COP_C_DOUBLE, 2.5), val_f(COP_C_FLOAT, 0.25), val_int(COP_C_BOOL, 1),
                       val_s("hello"), val_int(COP_C_INT64, INT64_MIN), val_h(3),
                       val_int(COP_C_SIZE_T, -1), val_int(COP_C_LONG, 12), val_int(COP_C_INT, -1)};
    enc_call(&b, 0, 12, args);
    requests[nrequests++] = payload_of(&b);
    enc_call(&b, 7, 0, NULL);
    requests[nrequests++] = payload_of(&b);
    CopValue two[] = {val_s(""), val_int(COP_C_UINT8, 255)};
    enc_call(&b, 1, 2, two);
    requests[nrequests++] = payload_of(&b);

    cop_buf_start(&b, COP_HELLO_OK);
    cop_put_u32(&b, COP_MAGIC);
    cop_put_u32(&b, COP_VERSION);
    replies[nreplies++] = payload_of(&b);
    cop_buf_start(&b, COP_BOUND);
    cop_put_u32(&b, 3);
    replies[nreplies++] = payload_of(&b);
    CopValue results[] = {val_int(COP_C_INT64, -42), val_f(COP_C_DOUBLE, 1.5), val_s("result"),
                          val_h(9), val_int(COP_C_BOOL, 0), (CopValue){.type = COP_C_VOID},
                          val_int(COP_C_UINT32, 4000000000)};
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        cop_buf_start(&b, COP_RESULT);
        cop_put_u32(&b, (uint32_t)i);
        cop_put_value(&b, &results[i], 0);
        replies[nreplies++] = payload_of(&b);
    }
    cop_buf_start(&b, COP_ERROR);
    cop_put_u32(&b, COP_E_SYMBOL);
    cop_put_str(&b, "symbol 'x' not found", 20, 0);
    replies[nreplies++] = payload_of(&b);
    cop_buf_free(&b);
}

/* ---- 1. round trips ------------------------------------------------------------------------ */

static void round_trips(void) {
    CopRequest rq;
    CopReply rp;
    char err[256];
    int good = cop_decode_request(requests[0].p, requests[0].n, &rq, err, sizeof err) == 0 &&
               rq.type == COP_HELLO && rq.u.hello.version == COP_VERSION;
    ok(good, "HELLO round trip");
    good = cop_decode_request(requests[1].p, requests[1].n, &rq, err, sizeof err) == 0 &&
           rq.type == COP_BIND && strcmp(rq.u.bind.library, "") == 0 &&
           strcmp(rq.u.bind.symbol, "ct_mix") == 0 && rq.u.bind.ret == COP_C_DOUBLE &&
           rq.u.bind.nparams == 12 && rq.u.bind.params[6] == COP_C_STRING &&
           rq.u.bind.params[11] == COP_C_INT;
    ok(good, "BIND round trip (library, symbol, result and parameter types)");
    good = cop_decode_request(requests[3].p, requests[3].n, &rq, err, sizeof err) == 0 &&
           rq.type == COP_CALL && rq.u.call.nargs == 12;
    const CopValue *a = rq.u.call.args;
    good = good && a[0].type == COP_C_INT8 && a[0].i == -5 && a[1].i == 65535 && a[2].i == -7 &&
           a[3].f == 2.5 && a[4].f == 0.25 && a[5].i == 1 && a[6].len == 5 &&
           strcmp(a[6].s, "hello") == 0 && a[7].i == INT64_MIN && a[8].handle == 3 &&
           a[9].i == -1 && a[10].i == 12 && a[11].type == COP_C_INT && a[11].i == -1;
    ok(good, "CALL round trip: every C type, copied and referenced strings");
    good = 1;
    for (int i = 0; i < nreplies; i++)
        if (cop_decode_reply(replies[i].p, replies[i].n, &rp, err, sizeof err) != 0) good = 0;
    cop_decode_reply(replies[4].p, replies[4].n, &rp, err, sizeof err);
    good = good && rp.type == COP_RESULT && rp.u.result.c_errno == 2 &&
           rp.u.result.value.type == COP_C_STRING && strcmp(rp.u.result.value.s, "result") == 0;
    cop_decode_reply(replies[nreplies - 1].p, replies[nreplies - 1].n, &rp, err, sizeof err);
    good = good && rp.type == COP_ERROR && rp.u.error.code == COP_E_SYMBOL && rp.u.error.len == 20;
    ok(good, "replies round trip (HELLO_OK, BOUND, RESULT of each kind, ERROR)");

    /* a 64 MiB string, referenced by the encoder, through a file */
    size_t big = (size_t)64 << 20;
    char *s = malloc(big + 1);
    memset(s, 'q', big);
    s[big] = '\0';
    CopBuf b = {0};
    CopValue v = {.type = COP_C_STRING, .s = s, .len = (uint32_t)big};
    enc_call(&b, 0, 1, (CopValue[]){val_int(COP_C_INT64, 0)});
    cop_buf_start(&b, COP_CALL);
    cop_put_u32(&b, 0);
    cop_put_u32(&b, 1);
    cop_put_value(&b, &v, 1);
    FILE *f = tmpfile();
    int w = cop_buf_write(&b, fileno(f));
    lseek(fileno(f), 0, SEEK_SET);
    CopReader r = {0};
    const uint8_t *p;
    size_t n;
    good = w == 0 && cop_read_frame(&r, fileno(f), &p, &n, err, sizeof err) == 1 &&
           cop_decode_request(p, n, &rq, err, sizeof err) == 0 && rq.u.call.args[0].len == big &&
           memcmp(rq.u.call.args[0].s, s, big) == 0 && rq.u.call.args[0].s[big] == '\0';
    ok(good, "a 64 MiB string argument round trip");
    cop_reader_free(&r);
    fclose(f);
    free(s);

    /* the cap: a frame over 1 GiB is refused by the encoder without being written */
    cop_buf_start(&b, COP_CALL);
    static const char dummy[1] = {0};
    for (int i = 0; i < 1025; i++) cop_put_ext(&b, dummy, (size_t)1 << 20); /* sizes only */
    ok(cop_buf_write(&b, -1) == E2BIG, "the encoder refuses a frame over COP_MAX_FRAME");
    cop_buf_free(&b);
}

/* ---- 2. decoders under fuzz ---------------------------------------------------------------- */

static long accepted, rejected;

/* Decode one payload in an exact-size buffer with both decoders; check what was accepted. */
static int fuzz_one(const uint8_t *data, size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    if (p == NULL) abort();
    memcpy(p, data, n);
    static CopRequest rq;
    CopReply rp;
    char err[256];
    int bad = 0;
    if (cop_decode_request(p, n, &rq, err, sizeof err) == 0) {
        accepted++;
        if (rq.type == COP_BIND) {
            bad |= rq.u.bind.nparams > COP_MAX_PARAMS || rq.u.bind.library[rq.u.bind.library_len] != 0 ||
                   rq.u.bind.symbol[rq.u.bind.symbol_len] != 0 ||
                   strlen(rq.u.bind.symbol) != rq.u.bind.symbol_len;
            for (uint32_t i = 0; i < rq.u.bind.nparams; i++)
                bad |= rq.u.bind.params[i] == COP_C_VOID || rq.u.bind.params[i] >= COP_C__COUNT;
            bad |= rq.u.bind.cbsig < p || rq.u.bind.cbsig + rq.u.bind.cbsig_len > p + n;
        } else if (rq.type == COP_CALL) {
            bad |= rq.u.call.nargs > COP_MAX_PARAMS;
            for (uint32_t i = 0; i < rq.u.call.nargs; i++) {
                const CopValue *v = &rq.u.call.args[i];
                bad |= v->type == COP_C_VOID || v->type >= COP_C__COUNT;
                if (v->type == COP_C_STRING)
                    bad |= (const uint8_t *)v->s < p || (const uint8_t *)v->s + v->len >= p + n ||
                           v->s[v->len] != 0;
            }
        } else if (rq.type == COP_CALLBACK_RETURN) {
            const CopValue *v = &rq.u.cb_return.value;
            bad |= v->type >= COP_C_CALLBACK;
            if (v->type == COP_C_STRING)
                bad |= (const uint8_t *)v->s + v->len >= p + n || v->s[v->len] != 0;
        } else {
            bad |= rq.type != COP_HELLO && rq.type != COP_CALLBACK_FAIL;
        }
    } else {
        rejected++;
        bad |= err[0] == '\0';
    }
    if (cop_decode_reply(p, n, &rp, err, sizeof err) == 0) {
        accepted++;
        if (rp.type == COP_RESULT && rp.u.result.value.type == COP_C_STRING)
            bad |= (const uint8_t *)rp.u.result.value.s + rp.u.result.value.len >= p + n;
        if (rp.type == COP_ERROR) bad |= rp.u.error.len > COP_MAX_MESSAGE;
        if (rp.type == COP_CALLBACK) {
            bad |= rp.u.callback.nargs > COP_MAX_PARAMS;
            for (uint32_t i = 0; i < rp.u.callback.nargs && i < COP_MAX_PARAMS; i++) {
                const CopValue *v = &rp.u.callback.args[i];
                bad |= v->type == COP_C_VOID || v->type >= COP_C_CALLBACK;
                if (v->type == COP_C_STRING) bad |= (const uint8_t *)v->s + v->len >= p + n;
            }
        }
    } else {
        rejected++;
        bad |= err[0] == '\0';
    }
    free(p);
    return bad;
}

static void mutate(uint8_t *p, size_t *n, size_t cap) {
    int k = 1 + (int)below(4);
    for (int j = 0; j < k; j++) {
        switch (below(7)) {
        case 0: if (*n) p[below((uint32_t)*n)] ^= (uint8_t)(1u << below(8)); break;
        case 1: if (*n) p[below((uint32_t)*n)] = (uint8_t)rnd(); break;
        case 2: if (*n) *n = below((uint32_t)*n); break; /* truncate */
        case 3: if (*n < cap) p[(*n)++] = (uint8_t)rnd(); break;
        case 4: /* an extreme u32 somewhere (a length, a count) */
            if (*n >= 4) {
                uint32_t at = below((uint32_t)*n - 3);
                static const uint32_t ex[] = {0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, COP_MAX_FRAME, COP_MAX_PARAMS + 1};
                uint32_t v = ex[below(sizeof ex / sizeof ex[0])];
                for (int i = 0; i < 4; i++) p[at + i] = (uint8_t)(v >> (8 * i));
            }
            break;
        case 5: if (*n) p[0] = (uint8_t)below(0x90); break; /* another message type */
        default: /* delete a byte */
            if (*n) {
                size_t at = below((uint32_t)*n);
                memmove(p + at, p + at + 1, *n - at - 1);
                (*n)--;
            }
            break;
        }
    }
}

static void decoder_fuzz(void) {
    uint8_t buf[512];
    int bad = 0;
    for (int i = 0; i < 40000; i++) {
        size_t n = below(80);
        for (size_t k = 0; k < n; k++) buf[k] = (uint8_t)rnd();
        if (n && below(2)) buf[0] = (uint8_t)(below(2) ? below(6) : 0x81 + below(5));
        bad |= fuzz_one(buf, n);
    }
    ok(!bad, "40000 random payloads: each rejected with a message or decoded inside its bytes");
    long acc_before = accepted, rej_before = rejected;
    for (int i = 0; i < 60000; i++) {
        const Bytes *src = below(2) ? &requests[below((uint32_t)nrequests)] : &replies[below((uint32_t)nreplies)];
        size_t n = src->n < sizeof buf ? src->n : sizeof buf;
        memcpy(buf, src->p, n);
        mutate(buf, &n, sizeof buf);
        bad |= fuzz_one(buf, n);
    }
    ok(!bad && accepted > acc_before && rejected > rej_before,
       "60000 mutated valid payloads likewise (%ld decodes accepted, %ld rejected)",
       accepted - acc_before, rejected - rej_before);

    /* specific rejections, with their messages */
    struct {
        const char *what;
        uint8_t bytes[40];
        size_t n;
        int reply;
        const char *msg;
    } cases[] = {
        {"an empty payload", {0}, 0, 0, "ends inside the message type"},
        {"a trailing byte", {COP_BOUND, 1, 0, 0, 0, 9}, 6, 1, "1 bytes after the end"},
        {"a string without its NUL", {COP_ERROR, 1, 0, 0, 0, 1, 0, 0, 0, 'x', 'y'}, 11, 1, "not followed by a NUL"},
        {"a name with a NUL inside", {COP_BIND, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 'a', 0, 0, 0, 0, 0, 0, 0}, 19, 0, "contains a NUL byte"},
        {"an int8 out of range", {COP_CALL, 0, 0, 0, 0, 1, 0, 0, 0, COP_C_INT8, 200, 0, 0, 0, 0, 0, 0, 0}, 18, 0, "200 is out of range for int8"},
        {"a bool of 2", {COP_CALL, 0, 0, 0, 0, 1, 0, 0, 0, COP_C_BOOL, 2, 0, 0, 0, 0, 0, 0, 0}, 18, 0, "out of range for bool"},
        {"a void argument", {COP_CALL, 0, 0, 0, 0, 1, 0, 0, 0, COP_C_VOID}, 10, 0, "has type void"},
        {"128 parameters", {COP_BIND, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'f', 0, COP_C_VOID, 128, 0, 0, 0}, 17, 0, "128 parameters (the limit is 127)"},
        {"a string longer than the frame", {COP_CALL, 0, 0, 0, 0, 1, 0, 0, 0, COP_C_STRING, 0xff, 0xff, 0xff, 0x3f, 'a', 0}, 16, 0, "ends inside argument 1"},
        {"a CALLBACK cut short", {COP_CALLBACK}, 1, 1, "ends inside CALLBACK"},
        {"a callback as a callback's argument", {COP_CALLBACK, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, COP_C_CALLBACK, 0, 0, 0, 0, 0, 0, 0, 0}, 22, 1, "callback argument 1 is a callback, which is not allowed here"},
        {"a callback as a callback's result", {COP_CALLBACK_RETURN, COP_C_CALLBACK, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 0, "is a callback, which is not allowed here"},
        {"a BIND without its callback's signature", {COP_BIND, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'f', 0, COP_C_VOID, 1, 0, 0, 0, COP_C_CALLBACK}, 18, 0, "ends inside a callback signature"},
        {"a callback returning a string", {COP_BIND, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'f', 0, COP_C_VOID, 1, 0, 0, 0, COP_C_CALLBACK, COP_C_STRING, 0}, 20, 0, "callback 1 returns the char *"},
        {"a callback taking a callback", {COP_BIND, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'f', 0, COP_C_VOID, 1, 0, 0, 0, COP_C_CALLBACK, COP_C_VOID, 1, COP_C_CALLBACK}, 21, 0, "callback 1: parameter 1 has the callback"},
        {"an unknown message", {0x42}, 1, 0, "unknown message type 0x42"},
        {"a reply sent as a request", {COP_BOUND, 0, 0, 0, 0}, 5, 0, "a BOUND message is not a request"},
        {"a wrong magic number", {COP_HELLO, 1, 2, 3, 4, 1, 0, 0, 0}, 9, 0, "wrong magic number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static CopRequest rq;
        CopReply rp;
        char err[256] = "";
        uint8_t *p = malloc(cases[i].n ? cases[i].n : 1);
        memcpy(p, cases[i].bytes, cases[i].n);
        int r = cases[i].reply ? cop_decode_reply(p, cases[i].n, &rp, err, sizeof err)
                               : cop_decode_request(p, cases[i].n, &rq, err, sizeof err);
        free(p);
        ok(r == -1 && strstr(err, cases[i].msg) != NULL, "rejects %s: %s", cases[i].what, err);
    }
}

/* ---- 3. the frame reader ------------------------------------------------------------------- */

static int read_stream(const uint8_t *bytes, size_t n, char *err, size_t *cap_after) {
    FILE *f = tmpfile();
    if (n) fwrite(bytes, 1, n, f);
    fflush(f);
    lseek(fileno(f), 0, SEEK_SET);
    CopReader r = {0};
    const uint8_t *p;
    size_t len;
    int res;
    while ((res = cop_read_frame(&r, fileno(f), &p, &len, err, 256)) == 1) {
    }
    if (cap_after) *cap_after = r.cap;
    cop_reader_free(&r);
    fclose(f);
    return res;
}

static void frame_reader(void) {
    char err[256];
    size_t cap = 0;
    ok(read_stream((const uint8_t *)"", 0, err, NULL) == 0, "frames: an empty stream is the end");
    ok(read_stream((const uint8_t *)"\0\0\0\0", 4, err, NULL) == -2 && strstr(err, "a frame of 0 bytes"),
       "frames: length 0 is refused (%s)", err);
    uint8_t over[4] = {1, 0, 0, 0x40}; /* 2^30 + 1 */
    ok(read_stream(over, 4, err, NULL) == -2 && strstr(err, "1073741825 bytes"),
       "frames: a length over 1 GiB is refused (%s)", err);
    ok(read_stream((const uint8_t *)"\5\0", 2, err, NULL) == -1 && strstr(err, "inside a frame's length"),
       "frames: a stream ending inside the length");
    uint8_t lie[12] = {0, 0, 0, 0x40, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}; /* claims 1 GiB */
    int lied = read_stream(lie, sizeof lie, err, &cap);
    ok(lied == -1 && strstr(err, "ended inside a frame (8 of") && cap <= ((size_t)64 << 10),
       "frames: a lying length costs no memory (buffer %zu bytes)", cap);
    uint8_t stream[4096];
    int crashed = 0;
    for (int i = 0; i < 3000; i++) {
        size_t n = below(sizeof stream);
        for (size_t k = 0; k < n; k++) stream[k] = (uint8_t)rnd();
        /* sometimes plausible lengths */
        for (size_t k = 0; k + 4 <= n && below(3) == 0; k += 4 + below(64)) {
            uint32_t l = below(80);
            for (int j = 0; j < 4; j++) stream[k + j] = (uint8_t)(l >> (8 * j));
        }
        int r = read_stream(stream, n, err, NULL);
        crashed |= r != 0 && r != -1 && r != -2;
    }
    ok(!crashed, "frames: 3000 random streams end in end-of-input or an error");
}

/* ---- 4. a live nano_cop -------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int req, rep;
    CopReader rd;
    CopBuf b;
} Live;

static int live_start(Live *l) {
    memset(l, 0, sizeof *l);
    int req[2], rep[2];
    if (pipe2(req, O_CLOEXEC) != 0 || pipe2(rep, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, req[0], 3);
    posix_spawn_file_actions_adddup2(&fa, rep[1], 4);
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    char *argv[] = {NANO_COP_BIN, "--serve", "3", "4", pid, NULL};
    int e = posix_spawn(&l->pid, NANO_COP_BIN, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(req[0]);
    close(rep[1]);
    l->req = req[1];
    l->rep = rep[0];
    return e == 0 ? 0 : -1;
}

/* Sends l->b; reads and decodes the reply: its type, or -1 (read or decode failure). */
static int live_ask(Live *l, CopReply *rp) {
    if (cop_buf_write(&l->b, l->req) != 0) return -1;
    const uint8_t *p;
    size_t n;
    char err[256];
    if (cop_read_frame(&l->rd, l->rep, &p, &n, err, sizeof err) != 1) return -1;
    if (cop_decode_reply(p, n, rp, err, sizeof err) != 0) {
        diag("undecodable reply: %s", err);
        return -1;
    }
    return rp->type;
}

/* Sends a raw payload as one well-formed frame. */
static int live_raw(Live *l, const uint8_t *p, size_t n, CopReply *rp) {
    cop_buf_start(&l->b, COP_HELLO);
    l->b.len = 4; /* drop the type: the payload is all raw */
    l->b.payload = 0;
    cop_put_bytes(&l->b, p, n);
    return live_ask(l, rp);
}

/* Ends the co-process (closing the request pipe) and returns its wait status. */
static int live_end(Live *l) {
    close(l->req);
    int st = -1;
    while (waitpid(l->pid, &st, 0) < 0 && errno == EINTR) {
    }
    close(l->rep);
    cop_reader_free(&l->rd);
    cop_buf_free(&l->b);
    return st;
}

static uint32_t live_bind(Live *l, const char *lib, const char *sym, uint8_t ret, uint32_t n, const uint8_t *ps) {
    CopReply rp;
    enc_bind(&l->b, lib, sym, ret, n, ps);
    if (live_ask(l, &rp) != COP_BOUND) {
        diag("binding %s failed: %.*s", sym, rp.type == COP_ERROR ? (int)rp.u.error.len : 0,
             rp.type == COP_ERROR ? rp.u.error.message : "");
        return UINT32_MAX;
    }
    return rp.u.bound.id;
}

/* Calls id with one argument; the reply in *rp; 1 when it is a RESULT. */
static int live_call1(Live *l, uint32_t id, CopValue v, CopReply *rp) {
    enc_call(&l->b, id, 1, &v);
    return live_ask(l, rp) == COP_RESULT;
}

static const char *msg_of(const CopReply *rp) {
    return rp->type == COP_ERROR && rp->u.error.message ? rp->u.error.message : "(not an error)";
}

static void live_cop(void) {
    Live l;
    CopReply rp;
    int t;
    if (live_start(&l) != 0) {
        ok(0, "start nano_cop");
        return;
    }
    enc_call(&l.b, 0, 0, NULL);
    t = live_ask(&l, &rp);
    ok(t == COP_ERROR && rp.u.error.code == COP_E_PROTOCOL &&
           strstr(msg_of(&rp), "must be HELLO"),
       "live: a request before HELLO is refused");
    enc_hello(&l.b, COP_VERSION);
    t = live_ask(&l, &rp);
    ok(t == COP_HELLO_OK && rp.u.hello.version == COP_VERSION, "live: HELLO, HELLO_OK");

    /* one function per C type from the test library */
    const char *lib = COPTEST_LIB;
    struct {
        const char *sym;
        uint8_t t;
        int64_t in, out;
    } ints[] = {
        {"ct_neg_i8", COP_C_INT8, -100, 100},        {"ct_neg_i8", COP_C_INT8, -128, -128},
        {"ct_neg_i16", COP_C_INT16, 30000, -30000},  {"ct_neg_i32", COP_C_INT32, -2000000000, 2000000000},
        {"ct_neg_i64", COP_C_INT64, INT64_MAX, -INT64_MAX}, {"ct_inc_u8", COP_C_UINT8, 255, 0},
        {"ct_inc_u8", COP_C_UINT8, 41, 42},          {"ct_inc_u16", COP_C_UINT16, 65535, 0},
        {"ct_inc_u32", COP_C_UINT32, 4294967294, 4294967295}, {"ct_inc_u64", COP_C_UINT64, -1, 0},
        {"ct_inc_u64", COP_C_UINT64, INT64_MAX, INT64_MIN}, {"ct_inc_size", COP_C_SIZE_T, 9, 10},
        {"ct_neg_long", COP_C_LONG, -5, 5},          {"ct_neg_int", COP_C_INT, -2147483647, 2147483647},
        {"ct_not", COP_C_BOOL, 1, 0},                {"ct_not", COP_C_BOOL, 0, 1},
    };
    int good = 1;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        uint32_t id = live_bind(&l, lib, ints[i].sym, ints[i].t, 1, &ints[i].t);
        if (!live_call1(&l, id, val_int(ints[i].t, ints[i].in), &rp) || rp.u.result.value.type != ints[i].t ||
            rp.u.result.value.i != ints[i].out) {
            diag("%s(%lld): got %lld", ints[i].sym, (long long)ints[i].in, (long long)rp.u.result.value.i);
            good = 0;
        }
    }
    ok(good, "live: int8..int64, uint8..uint64, size_t, long, int, bool arguments and results");
    uint32_t hd = live_bind(&l, lib, "ct_half_d", COP_C_DOUBLE, 1, (uint8_t[]){COP_C_DOUBLE});
    uint32_t hf = live_bind(&l, lib, "ct_half_f", COP_C_FLOAT, 1, (uint8_t[]){COP_C_FLOAT});
    good = live_call1(&l, hd, val_f(COP_C_DOUBLE, 3), &rp) && rp.u.result.value.f == 1.5;
    good = good && live_call1(&l, hf, val_f(COP_C_FLOAT, 5), &rp) && rp.u.result.value.type == COP_C_FLOAT &&
           rp.u.result.value.f == 2.5;
    ok(good, "live: double and float");
    uint8_t mix_ps[] = {COP_C_INT8, COP_C_UINT16, COP_C_INT32, COP_C_DOUBLE, COP_C_FLOAT, COP_C_BOOL, COP_C_STRING, COP_C_INT64};
    uint32_t mix = live_bind(&l, lib, "ct_mix", COP_C_DOUBLE, 8, mix_ps);
    CopValue mix_args[] = {val_int(COP_C_INT8, 1), val_int(COP_C_UINT16, 2), val_int(COP_C_INT32, 3),
                           val_f(COP_C_DOUBLE, 4), val_f(COP_C_FLOAT, 5), val_int(COP_C_BOOL, 1),
                           val_s("1234567"), val_int(COP_C_INT64, 8)};
    enc_call(&l.b, mix, 8, mix_args);
    t = live_ask(&l, &rp);
    double mixed = t == COP_RESULT ? rp.u.result.value.f : 0;
    ok(mixed == 87154321.0, "live: eight arguments of eight types in order (%.1f)", mixed);
    uint32_t nul = live_bind(&l, lib, "ct_null_str", COP_C_STRING, 0, NULL);
    enc_call(&l.b, nul, 0, NULL);
    t = live_ask(&l, &rp);
    ok(t == COP_RESULT && rp.u.result.value.type == COP_C_STRING && rp.u.result.value.len == 0,
       "live: a NULL char * comes back as \"\"");
    uint32_t strerr = live_bind(&l, "", "strtol", COP_C_LONG, 3, (uint8_t[]){COP_C_STRING, COP_C_POINTER, COP_C_INT});
    CopValue st_args[] = {val_s("99999999999999999999999"), val_h(0), val_int(COP_C_INT, 10)};
    enc_call(&l.b, strerr, 3, st_args);
    t = live_ask(&l, &rp);
    ok(t == COP_RESULT && rp.u.result.value.i == INT64_MAX && rp.u.result.c_errno == ERANGE,
       "live: errno after the call travels with the result (ERANGE from strtol)");

    /* errors */
    enc_call(&l.b, 5000, 0, NULL);
    t = live_ask(&l, &rp);
    ok(t == COP_ERROR && rp.u.error.code == COP_E_BINDING, "live: an unbound id: %s", msg_of(&rp));
    enc_call(&l.b, hd, 0, NULL);
    t = live_ask(&l, &rp);
    ok(t == COP_ERROR && rp.u.error.code == COP_E_ARGUMENT, "live: a wrong argument count: %s",
       msg_of(&rp));
    t = live_call1(&l, hd, val_int(COP_C_INT64, 3), &rp);
    ok(!t && rp.u.error.code == COP_E_ARGUMENT &&
           strstr(msg_of(&rp), "argument 1 is a int64, the binding says double"),
       "live: a wrong argument type: %s", msg_of(&rp));
    uint32_t id_fn = live_bind(&l, lib, "ct_id", COP_C_POINTER, 1, (uint8_t[]){COP_C_POINTER});
    t = live_call1(&l, id_fn, val_h(77), &rp);
    ok(!t && rp.u.error.code == COP_E_HANDLE &&
           strstr(msg_of(&rp), "invalid handle 77"),
       "live: a forged handle: %s", msg_of(&rp));
    enc_bind(&l.b, "", "surely_not_a_symbol", COP_C_VOID, 0, NULL);
    t = live_ask(&l, &rp);
    ok(t == COP_ERROR && rp.u.error.code == COP_E_SYMBOL, "live: %s", msg_of(&rp));
    enc_bind(&l.b, "libsurely_not.so.1", "f", COP_C_VOID, 0, NULL);
    t = live_ask(&l, &rp);
    ok(t == COP_ERROR && rp.u.error.code == COP_E_LIBRARY, "live: %s", msg_of(&rp));
    uint8_t bad_int8[] = {COP_CALL, 0, 0, 0, 0, 1, 0, 0, 0, COP_C_INT8, 0x2c, 1, 0, 0, 0, 0, 0, 0};
    t = live_raw(&l, bad_int8, sizeof bad_int8, &rp);
    ok(t == COP_ERROR && rp.u.error.code == COP_E_PROTOCOL,
       "live: a malformed request is answered: %s", msg_of(&rp));

    /* fuzz: garbage and mutants, each answered with exactly one decodable reply */
    uint32_t neg64 = live_bind(&l, lib, "ct_neg_i64", COP_C_INT64, 1, (uint8_t[]){COP_C_INT64});
    Bytes safe_calls[4];
    CopBuf b = {0};
    enc_call(&b, neg64, 1, (CopValue[]){val_int(COP_C_INT64, 5)});
    safe_calls[0] = payload_of(&b);
    enc_call(&b, mix, 8, mix_args);
    safe_calls[1] = payload_of(&b);
    enc_call(&b, id_fn, 1, (CopValue[]){val_h(0)});
    safe_calls[2] = payload_of(&b);
    enc_bind(&b, "", "labs", COP_C_INT64, 1, (uint8_t[]){COP_C_INT64});
    safe_calls[3] = payload_of(&b); /* labs dereferences nothing, whatever its types */
    cop_buf_free(&b);
    int answered = 1, sent = 0, errors = 0;
    uint8_t buf[512];
    for (int i = 0; i < 4000 && answered; i++) {
        size_t n;
        if (i % 3 == 0) {
            n = below(64);
            for (size_t k = 0; k < n; k++) buf[k] = (uint8_t)rnd();
            if (n) buf[0] = (uint8_t)(below(2) ? COP_CALL : below(256));
            if (n && buf[0] == COP_BIND) buf[0] = COP_CALL; /* never bind random symbols */
        } else {
            const Bytes *s = &safe_calls[below(4)];
            n = s->n;
            memcpy(buf, s->p, n);
            if (buf[0] == COP_BIND) {
                /* mutate only the types: the result never a char * (labs's result is no pointer) */
                size_t types = 1 + 4 + 1 + 4 + 5; /* type, "", "labs" */
                buf[types] = (uint8_t)below(COP_C__COUNT);
                if (buf[types] == COP_C_STRING) buf[types] = COP_C_POINTER;
                buf[types + 5] = (uint8_t)below(COP_C__COUNT + 2);
            } else {
                mutate(buf, &n, sizeof buf);
                if (n && buf[0] == COP_BIND) buf[0] = COP_CALL;
            }
        }
        if (n == 0) continue;
        int r = live_raw(&l, buf, n, &rp);
        answered = r > 0;
        sent++;
        errors += r == COP_ERROR;
    }
    ok(answered && sent > 3500, "live: %d garbage and mutated requests, each answered (%d with an error)",
       sent, errors);
    t = live_call1(&l, neg64, val_int(COP_C_INT64, 41), &rp);
    ok(t && rp.u.result.value.i == -41,
       "live: and then a call still works");
    for (int i = 0; i < 4; i++) free(safe_calls[i].p);
    int st = live_end(&l);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "live: end of the request pipe: exit status 0");

    /* broken framing: the co-process says why and exits 2 */
    struct {
        const char *what;
        uint8_t bytes[8];
        size_t n;
    } framing[] = {{"a zero length", {0, 0, 0, 0}, 4},
                   {"a length over 1 GiB", {0, 0, 0, 0x41}, 4},
                   {"a frame cut short", {9, 0, 0, 0, 1, 2}, 6}};
    for (size_t i = 0; i < sizeof framing / sizeof framing[0]; i++) {
        if (live_start(&l) != 0) continue;
        if (write(l.req, framing[i].bytes, framing[i].n) != (ssize_t)framing[i].n) abort();
        close(l.req);
        l.req = -1;
        const uint8_t *p;
        size_t n;
        char err[256];
        int r = cop_read_frame(&l.rd, l.rep, &p, &n, err, sizeof err);
        int got_error = r == 1 && cop_decode_reply(p, n, &rp, err, sizeof err) == 0 && rp.type == COP_ERROR;
        char msg[300];
        snprintf(msg, sizeof msg, "%s", msg_of(&rp));
        st = live_end(&l);
        ok(got_error && WIFEXITED(st) && WEXITSTATUS(st) == 2, "live: %s: an error, then exit status 2 (%s)",
           framing[i].what, msg);
    }
    if (live_start(&l) == 0) {
        enc_hello(&l.b, 99);
        int r = live_ask(&l, &rp);
        char msg[300];
        snprintf(msg, sizeof msg, "%s", msg_of(&rp));
        uint32_t code = rp.u.error.code;
        st = live_end(&l);
        ok(r == COP_ERROR && code == COP_E_VERSION && WIFEXITED(st) && WEXITSTATUS(st) == 2,
           "live: HELLO for version 99: %s", msg);
    }
}

/* ---- 5. the VM against a fake co-process --------------------------------------------------- */

/* Run as a co-process: answers HELLO and BIND properly, then CALL with garbage chosen by
 * FAKE_COP_SEED. */
static int fake_cop(int argc, char **argv) {
    (void)argc;
    (void)argv;
    const char *env = getenv("FAKE_COP_SEED");
    unsigned long long seed = strtoull(env ? env : "1", NULL, 10);
    rng ^= seed * 0x2545F4914F6CDD1DULL;
    CopReader rd = {0};
    CopBuf b = {0};
    const uint8_t *p;
    size_t n;
    char err[256];
    uint8_t junk[300];
    while (cop_read_frame(&rd, 3, &p, &n, err, sizeof err) == 1) {
        if (p[0] == COP_HELLO) {
            cop_buf_start(&b, COP_HELLO_OK);
            cop_put_u32(&b, COP_MAGIC);
            cop_put_u32(&b, COP_VERSION);
            cop_buf_write(&b, 4);
            continue;
        }
        if (p[0] == COP_BIND) {
            cop_buf_start(&b, COP_BOUND);
            cop_put_u32(&b, 0);
            cop_buf_write(&b, 4);
            continue;
        }
        /* the first 24 seeds go through every kind of garbage twice */
        uint32_t how = seed <= 24 ? (uint32_t)seed % 12 : below(12);
        switch (how) {
        case 0: /* random payload */
        case 1: {
            size_t k = 1 + below(60);
            for (size_t i = 0; i < k; i++) junk[i] = (uint8_t)rnd();
            if (below(2)) junk[0] = (uint8_t)(0x81 + below(5));
            uint8_t h[4] = {(uint8_t)k, 0, 0, 0};
            if (write(4, h, 4) < 0 || write(4, junk, k) < 0) return 1;
            break;
        }
        case 2: { /* a mutated valid reply */
            const Bytes *s = &replies[below((uint32_t)nreplies)];
            size_t k = s->n;
            memcpy(junk, s->p, k);
            mutate(junk, &k, sizeof junk);
            if (k == 0) k = 1;
            uint8_t h[4] = {(uint8_t)k, (uint8_t)(k >> 8), 0, 0};
            if (write(4, h, 4) < 0 || write(4, junk, k) < 0) return 1;
            break;
        }
        case 3: { /* a RESULT of the wrong type */
            cop_buf_start(&b, COP_RESULT);
            cop_put_u32(&b, 0);
            CopValue v = val_s("not an int");
            cop_put_value(&b, &v, 0);
            cop_buf_write(&b, 4);
            break;
        }
        case 4: { /* a huge length, then nothing */
            uint8_t h[4] = {0xff, 0xff, 0xff, 0xff};
            if (write(4, h, 4) < 0) return 1;
            return 0;
        }
        case 5: { /* a frame cut short */
            uint8_t h[6] = {100, 0, 0, 0, COP_RESULT, 0};
            if (write(4, h, 6) < 0) return 1;
            return 0;
        }
        case 6: { /* an error with control bytes */
            cop_buf_start(&b, COP_ERROR);
            cop_put_u32(&b, COP_E_SYMBOL);
            cop_put_str(&b, "bad\033[31m\nname\x7f", 14, 0);
            cop_buf_write(&b, 4);
            break;
        }
        case 7: return 7; /* an exit */
        case 8: raise(SIGSEGV); return 1;
        case 9: { /* closes its reply pipe and lingers */
            close(4);
            usleep(100000);
            return 5;
        }
        case 10: { /* a reserved callback request */
            uint8_t h[5] = {1, 0, 0, 0, COP_CALLBACK};
            if (write(4, h, 5) < 0) return 1;
            break;
        }
        default: { /* a handle too large for the VM */
            cop_buf_start(&b, COP_RESULT);
            cop_put_u32(&b, 0);
            CopValue v = val_h(UINT64_MAX);
            cop_put_value(&b, &v, 0);
            cop_buf_write(&b, 4);
            break;
        }
        }
    }
    return 0;
}

/* Under the sanitizers each fake (this program) takes long to start and end. */
#if defined(__SANITIZE_ADDRESS__)
#define FAKE_RUNS 48
#else
#define FAKE_RUNS 150
#endif

static void fake_cops(void) {
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k < 0) {
        ok(0, "readlink /proc/self/exe");
        return;
    }
    self[k] = '\0';
    setenv("NANO_COP", self, 1);
    const char *src_int = ".import f - int int\n.func main 0 0 1\n.file \"t.nano\" 1\n"
                          ".line 2\nPUSH_SMALL 1\nCALL_EXTERN f\nPOP\nPUSH_SMALL 0\nRET\n";
    const char *src_ptr = ".import f - opaque int\n.func main 0 0 1\n.file \"t.nano\" 1\n"
                          ".line 2\nPUSH_SMALL 1\nCALL_EXTERN f\nPOP\nPUSH_SMALL 0\nRET\n";
    size_t len_i, len_p;
    uint8_t *img_i = asm_build(src_int, &len_i), *img_p = asm_build(src_ptr, &len_p);
    int good = 1, ctl = 0, n = 0, ok_runs = 0;
    for (int seed = 1; seed <= FAKE_RUNS; seed++) {
        char s[32];
        snprintf(s, sizeof s, "%d", seed);
        setenv("FAKE_COP_SEED", s, 1);
        VmResult r = seed % 2 ? vm_run_bytes(img_i, len_i, 0, NULL, NULL, NULL)
                              : vm_run_bytes(img_p, len_p, 0, NULL, NULL, NULL);
        n++;
        if (r.status == 0) {
            ok_runs++; /* garbage that happens to be a valid RESULT of the right type */
        } else if (r.status != 1 || strstr(r.err, "t.nano:2: error: extern call to f: ") == NULL) {
            good = 0;
            diag("seed %d: status %d, stderr %s", seed, r.status, r.err);
        }
        if (strstr(r.err, "bad?[31m?name?")) ctl = 1;
        for (const char *c = r.err; *c; c++)
            if (*c == '\033') good = 0;
        vm_result_free(&r);
    }
    ok(good, "fake co-processes answering garbage: %d programs end in 'extern call to f: ...' errors "
             "(%d got a valid result by chance)", n, ok_runs);
    ok(ctl, "control bytes in a co-process's message are shown as '?'");
    int st;
    errno = 0;
    ok(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "every fake co-process was reaped");
    free(img_i);
    free(img_p);
    unsetenv("NANO_COP");
}

int main(int argc, char **argv) {
    corpus();
    if (argc >= 2 && strcmp(argv[1], "--serve") == 0) return fake_cop(argc, argv);
    round_trips();
    decoder_fuzz();
    frame_reader();
    live_cop();
    fake_cops();
    return done();
}
