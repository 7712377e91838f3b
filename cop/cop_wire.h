/* cop_wire.h: the protocol between nano_vm and its co-process nano_cop (docs/COP_PROTOCOL.md).
 *
 * Frames, both directions: u32 length (little-endian), then `length` payload bytes whose first
 * byte is the message type.  This file is shared by both ends: the encoder (CopBuf), the frame
 * reader (CopReader) and the decoders of requests (used by nano_cop) and replies (used by the
 * VM).  The decoders treat every byte as hostile: they check every length against the bytes
 * present and the caps below, never read outside the payload, and answer -1 with a message in
 * words for anything malformed.  Decoded strings point into the payload (which must stay alive);
 * each is followed by a NUL byte on the wire, so it can be passed to C as it is.
 */
#ifndef NANOVM_COP_WIRE_H
#define NANOVM_COP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define COP_VERSION 1
#define COP_MAGIC 0x504F434Eu /* "NCOP" as a little-endian u32 */

/* Caps (docs/COP_PROTOCOL.md section 2). */
#define COP_MAX_FRAME ((uint32_t)1 << 30) /* payload bytes of one frame: 1 GiB */
#define COP_MAX_PARAMS 127u               /* parameters of one bound function */
#define COP_MAX_NAME 4095u                /* bytes of a library or symbol name */
#define COP_MAX_MESSAGE 4095u             /* bytes of an error message */

/* Descriptors of the pipes in nano_cop when it starts. */
#define COP_FD_REQUEST 3
#define COP_FD_REPLY 4

typedef enum {
    /* VM -> nano_cop */
    COP_HELLO = 0x01,
    COP_BIND = 0x02,
    COP_CALL = 0x03,
    COP_CALLBACK_RETURN = 0x04, /* the result of a callback */
    COP_CALLBACK_FAIL = 0x05,   /* a callback failed: nano_cop exits */
    /* nano_cop -> VM */
    COP_HELLO_OK = 0x81,
    COP_BOUND = 0x82,
    COP_RESULT = 0x83,
    COP_ERROR = 0x84,
    COP_CALLBACK = 0x85 /* C calls a function value of the program, during a CALL */
} CopMsg;

/* C types on the wire. */
typedef enum {
    COP_C_VOID = 0, /* results only */
    COP_C_INT8,
    COP_C_INT16,
    COP_C_INT32,
    COP_C_INT64,
    COP_C_UINT8,
    COP_C_UINT16,
    COP_C_UINT32,
    COP_C_UINT64,
    COP_C_SIZE_T,
    COP_C_LONG,
    COP_C_INT,
    COP_C_DOUBLE,
    COP_C_FLOAT,
    COP_C_BOOL,
    COP_C_STRING,   /* char *: NUL-terminated bytes */
    COP_C_POINTER,  /* void *: an opaque handle on the wire */
    COP_C_CALLBACK, /* a function pointer made from a function value: a u64 callback id */
    COP_C__COUNT
} CopCType;

/* Error codes of COP_ERROR. */
typedef enum {
    COP_E_PROTOCOL = 1,  /* a malformed or unexpected request */
    COP_E_VERSION = 2,   /* HELLO asked for a version nano_cop does not speak */
    COP_E_LIBRARY = 3,   /* dlopen failed */
    COP_E_SYMBOL = 4,    /* the symbol is in none of the libraries */
    COP_E_SIGNATURE = 5, /* the types cannot be bound (libffi refused the signature) */
    COP_E_BINDING = 6,   /* CALL of an id that was never bound */
    COP_E_ARGUMENT = 7,  /* CALL arguments do not match the binding */
    COP_E_HANDLE = 8,    /* an opaque handle that this co-process never issued */
    COP_E_TOO_BIG = 9,   /* a result string over the frame cap */
    COP_E_NO_MEMORY = 10
} CopError;

/* "int64", "char *", ... (also for out-of-range values: "type 200"). */
const char *cop_ctype_name(unsigned t, char *buf, size_t n);

/* One value: an argument or a result. */
typedef struct {
    uint8_t type;    /* CopCType */
    int64_t i;       /* integer types and bool (0 or 1); uint64 and size_t as their bit pattern */
    double f;        /* double and float */
    uint64_t handle; /* pointer: 0 is NULL */
    const char *s;   /* string: s[len] is a NUL (into the payload) */
    uint32_t len;
} CopValue;

/* ---- encoding ------------------------------------------------------------------------------ */

/* A frame under construction.  Small fields are copied into `data`; large byte runs may be
 * referenced instead (cop_put_ext) and are written straight from the caller's memory. */
typedef struct {
    size_t at;        /* bytes of data before this reference */
    const void *ext;
    size_t len;
} CopRef;

typedef struct {
    uint8_t *data;
    size_t len, cap;
    CopRef *refs;
    size_t nrefs, refs_cap;
    uint64_t payload; /* payload bytes so far (data after the length field, plus references) */
    int oom;
} CopBuf;

void cop_buf_start(CopBuf *b, CopMsg type); /* empties b, writes the length slot and the type */
void cop_put_u8(CopBuf *b, uint8_t v);
void cop_put_u32(CopBuf *b, uint32_t v);
void cop_put_u64(CopBuf *b, uint64_t v);
void cop_put_f64(CopBuf *b, double v);
void cop_put_bytes(CopBuf *b, const void *p, size_t n);
void cop_put_ext(CopBuf *b, const void *p, size_t n); /* referenced until cop_buf_write */
/* A string: u32 length, the bytes, a NUL.  ext: reference the bytes instead of copying. */
void cop_put_str(CopBuf *b, const char *s, uint32_t len, int ext);
void cop_put_value(CopBuf *b, const CopValue *v, int ext);
/* The frame's payload size, or 0 when an allocation failed. */
uint64_t cop_buf_size(const CopBuf *b);
/* Writes the frame to fd (retrying short writes and EINTR).  Returns 0, or an errno value:
 * E2BIG when the payload is over COP_MAX_FRAME, ENOMEM when building it ran out of memory. */
int cop_buf_write(CopBuf *b, int fd);
void cop_buf_free(CopBuf *b);

/* ---- reading frames ------------------------------------------------------------------------ */

typedef struct {
    uint8_t *buf;
    size_t cap;
} CopReader;

/* Reads one frame from fd.  Returns 1 with the payload in *payload and *len (valid until the next
 * call), 0 at end of input before a frame starts, -1 with a message in err when the input ends
 * inside a frame or cannot be read, -2 with a message for a length of 0 or over COP_MAX_FRAME
 * (the stream is garbage) or no memory.  The buffer grows only as bytes arrive, so a lying
 * length costs no memory. */
int cop_read_frame(CopReader *r, int fd, const uint8_t **payload, size_t *len, char *err,
                   size_t errlen);
/* Gives back a large buffer after a large frame. */
void cop_reader_trim(CopReader *r);
void cop_reader_free(CopReader *r);

/* ---- decoding ------------------------------------------------------------------------------ */

typedef struct {
    uint8_t type; /* CopMsg */
    union {
        struct {
            uint32_t magic, version;
        } hello;
        struct {
            const char *library, *symbol; /* NUL-terminated, no NUL inside */
            uint32_t library_len, symbol_len;
            uint8_t ret;                  /* CopCType */
            uint32_t nparams;
            uint8_t params[COP_MAX_PARAMS];
            /* per callback parameter, in order: result, count, parameter types (checked) */
            const uint8_t *cbsig;
            uint32_t cbsig_len;
        } bind;
        struct {
            uint32_t id;
            uint32_t nargs;
            CopValue args[COP_MAX_PARAMS];
        } call;
        struct {
            CopValue value;
        } cb_return;
    } u;
} CopRequest;

typedef struct {
    uint8_t type; /* CopMsg */
    union {
        struct {
            uint32_t magic, version;
        } hello;
        struct {
            uint32_t id;
        } bound;
        struct {
            int32_t c_errno;
            CopValue value;
        } result;
        struct {
            uint32_t code;
            const char *message;
            uint32_t len;
        } error;
        struct {
            uint64_t id;
            uint32_t nargs;
            CopValue args[COP_MAX_PARAMS];
        } callback;
    } u;
} CopReply;

/* Decode one payload.  0, or -1 with a message in err. */
int cop_decode_request(const uint8_t *payload, size_t len, CopRequest *out, char *err,
                       size_t errlen);
int cop_decode_reply(const uint8_t *payload, size_t len, CopReply *out, char *err, size_t errlen);

#endif
