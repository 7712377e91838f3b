/* nano_cop: the co-process that performs a virtual process's extern calls (docs/COP_PROTOCOL.md).
 *
 * nano_vm starts one per virtual process, at its first extern call, as
 *     nano_cop --serve 3 4 VM_PID
 * with the program's standard input, output and error, the request pipe on descriptor 3 and the
 * reply pipe on 4.  It binds each import once (dlopen by soname, dlsym, one libffi cif), then
 * performs calls.  Pointers never leave this process: a returned pointer becomes a handle, an
 * index into a table that only grows.  A crash here ends this process and the VM turns it into a
 * runtime error of the call; the VM itself is untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ffi.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cop_wire.h"

#define NANO_COP_VERSION "0.1.0"

_Static_assert(sizeof(bool) == 1, "bool is one byte (passed as uint8)");
_Static_assert(sizeof(size_t) == 4 || sizeof(size_t) == 8, "size_t is 32 or 64 bits");

/* In the sanitizer build: a crash of the C code called is the program's crash, reported by the
 * VM, not a sanitizer report; values leaked by C code are not this program's leaks. */
#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:"
           "detect_leaks=0:allow_user_segv_handler=1";
}
#endif

static int req_fd = -1, rep_fd = -1;
static CopBuf out;

/* ---- replies ------------------------------------------------------------------------------- */

static void send_frame(void) {
    int e = cop_buf_write(&out, rep_fd);
    if (e == 0) return;
    /* the VM is gone (EPIPE) or the frame cannot be built: nothing more to do */
    exit(2);
}

static void reply_error(CopError code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_error(CopError code, const char *fmt, ...) {
    char msg[COP_MAX_MESSAGE + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    size_t len = strnlen(msg, sizeof msg - 1);
    cop_buf_start(&out, COP_ERROR);
    cop_put_u32(&out, (uint32_t)code);
    cop_put_str(&out, msg, (uint32_t)len, 0);
    send_frame();
}

/* ---- libraries ----------------------------------------------------------------------------- */

typedef struct {
    char *name;
    void *handle;
} Lib;

static Lib *libs;
static size_t nlibs, libs_cap;

/* Where the shared objects built from modules' C code are (docs/LANGUAGE.md 11.1): each
 * directory of $NANO_CLIB_PATH (separated by ':'), then lib/ beside this executable. */
static void *module_library(const char *name) {
    char path[PATH_MAX];
    const char *env = getenv("NANO_CLIB_PATH");
    while (env != NULL && *env != '\0') {
        const char *end = strchr(env, ':');
        size_t n = end ? (size_t)(end - env) : strlen(env);
        if (n > 0 && (size_t)snprintf(path, sizeof path, "%.*s/%s", (int)n, env, name) < sizeof path) {
            void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (h != NULL) return h;
        }
        env = end ? end + 1 : NULL;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) return NULL;
    exe[k] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) return NULL;
    slash[1] = '\0';
    if ((size_t)snprintf(path, sizeof path, "%slib/%s", exe, name) >= sizeof path) return NULL;
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

/* The library named `name`, loaded once; NULL with a message in err. */
static void *library(const char *name, char *err, size_t errlen) {
    for (size_t i = 0; i < nlibs; i++)
        if (strcmp(libs[i].name, name) == 0) return libs[i].handle;
    dlerror();
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load library '%s': %s", name, why ? why : "dlopen failed");
        /* a name without '/' is also looked for in the directories of modules' C code */
        if (strchr(name, '/') == NULL) h = module_library(name);
        if (h == NULL) return NULL;
    }
    char *copy = strdup(name);
    if (copy == NULL || (nlibs == libs_cap && libs_cap > SIZE_MAX / 2 / sizeof *libs)) {
        free(copy);
        snprintf(err, errlen, "cannot load library '%s': out of memory", name);
        return NULL;
    }
    if (nlibs == libs_cap) {
        size_t cap = libs_cap ? libs_cap * 2 : 4;
        Lib *l = realloc(libs, cap * sizeof *l);
        if (l == NULL) {
            free(copy);
            snprintf(err, errlen, "cannot load library '%s': out of memory", name);
            return NULL;
        }
        libs = l;
        libs_cap = cap;
    }
    libs[nlibs++] = (Lib){copy, h};
    return h;
}

/* The libraries searched for library "": the C library and the math library. */
static const char *const default_libs[] = {"libc.so.6", "libm.so.6"};

/* ---- bindings ------------------------------------------------------------------------------ */

/* The signature of a callback parameter: what C calls the function pointer with. */
typedef struct {
    ffi_cif cif;
    ffi_type *atypes[COP_MAX_PARAMS];
    uint8_t ret;
    uint32_t nparams;
    uint8_t params[COP_MAX_PARAMS];
} CbSig;

typedef struct {
    void (*fn)(void);
    ffi_cif cif;
    ffi_type **atypes;
    uint8_t ret;
    uint32_t nparams;
    uint8_t *params;
    CbSig **cbs; /* per parameter: its callback signature, or NULL */
    int own;     /* one of nano_cop's own functions (COP_OWN_LIBRARY): leaves last_errno alone */
} Binding;

static Binding **bindings;
static uint32_t nbindings, bindings_cap;

static ffi_type *ffi_of(uint8_t t) {
    switch (t) {
    case COP_C_VOID: return &ffi_type_void;
    case COP_C_INT8: return &ffi_type_sint8;
    case COP_C_INT16: return &ffi_type_sint16;
    case COP_C_INT32: return &ffi_type_sint32;
    case COP_C_INT64: return &ffi_type_sint64;
    case COP_C_UINT8: return &ffi_type_uint8;
    case COP_C_UINT16: return &ffi_type_uint16;
    case COP_C_UINT32: return &ffi_type_uint32;
    case COP_C_UINT64: return &ffi_type_uint64;
    case COP_C_SIZE_T: return sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32;
    case COP_C_LONG: return &ffi_type_slong;
    case COP_C_INT: return &ffi_type_sint;
    case COP_C_DOUBLE: return &ffi_type_double;
    case COP_C_FLOAT: return &ffi_type_float;
    case COP_C_BOOL: return &ffi_type_uint8;
    case COP_C_STRING:
    case COP_C_POINTER: return &ffi_type_pointer;
    default: return NULL;
    }
}

static void free_binding(Binding *b) {
    if (b == NULL) return;
    if (b->cbs != NULL)
        for (uint32_t i = 0; i < b->nparams; i++) free(b->cbs[i]);
    free(b->cbs);
    free(b->atypes);
    free(b->params);
    free(b);
}

static void cop_release(void *p);

/* errno after the last call of a C function (not one of nano_cop's own): what the own function
 * "errno" returns. */
static int last_errno;
static int64_t cop_errno(void) { return last_errno; }

/* The library name of nano_cop's own functions (docs/COP_PROTOCOL.md 7: "release"). */
#define COP_OWN_LIBRARY "nano_cop"

static void do_bind(const CopRequest *rq) {
    const char *libname = rq->u.bind.library, *sym = rq->u.bind.symbol;
    char err[COP_MAX_MESSAGE + 1];
    void *found = NULL;
    const char *const *names = default_libs;
    size_t nnames = sizeof default_libs / sizeof default_libs[0];
    if (libname[0] != '\0') {
        names = &libname;
        nnames = 1;
    }
    /* nano_cop's own functions, each with the one signature it can be called with */
    int own = strcmp(libname, COP_OWN_LIBRARY) == 0;
    void (*own_fn)(void) = NULL;
    if (own && strcmp(sym, "release") == 0) {
        if (rq->u.bind.nparams != 1 || rq->u.bind.params[0] != COP_C_POINTER ||
            rq->u.bind.ret != COP_C_VOID) {
            reply_error(COP_E_SIGNATURE,
                        "nano_cop's 'release' takes one value of an opaque type and returns nothing");
            return;
        }
        own_fn = (void (*)(void))cop_release;
    } else if (own && strcmp(sym, "errno") == 0) {
        if (rq->u.bind.nparams != 0 || rq->u.bind.ret != COP_C_INT64) {
            reply_error(COP_E_SIGNATURE, "nano_cop's 'errno' takes nothing and returns int");
            return;
        }
        own_fn = (void (*)(void))cop_errno;
    }
    for (size_t i = 0; i < nnames && found == NULL && !own; i++) {
        void *h = library(names[i], err, sizeof err);
        if (h == NULL) {
            reply_error(COP_E_LIBRARY, "%s", err);
            return;
        }
        dlerror();
        found = dlsym(h, sym);
    }
    if (found == NULL && own_fn == NULL) {
        if (libname[0] != '\0')
            reply_error(COP_E_SYMBOL, "symbol '%s' not found in library '%s'", sym, libname);
        else
            reply_error(COP_E_SYMBOL, "symbol '%s' not found in %s, %s", sym, default_libs[0],
                        default_libs[1]);
        return;
    }
    uint32_t n = rq->u.bind.nparams;
    Binding *b = calloc(1, sizeof *b);
    if (b != NULL) {
        b->atypes = calloc(n ? n : 1, sizeof *b->atypes);
        b->params = malloc(n ? n : 1);
        b->cbs = calloc(n ? n : 1, sizeof *b->cbs);
    }
    if (b == NULL || b->atypes == NULL || b->params == NULL || b->cbs == NULL ||
        (nbindings == bindings_cap && bindings_cap >= UINT32_MAX / 2)) {
        free_binding(b);
        reply_error(COP_E_NO_MEMORY, "out of memory binding '%s'", sym);
        return;
    }
    if (nbindings == bindings_cap) {
        uint32_t cap = bindings_cap ? bindings_cap * 2 : 16;
        Binding **t = realloc(bindings, (size_t)cap * sizeof *t);
        if (t == NULL) {
            free_binding(b);
            reply_error(COP_E_NO_MEMORY, "out of memory binding '%s'", sym);
            return;
        }
        bindings = t;
        bindings_cap = cap;
    }
    /* a data address converted to a function pointer: what dlsym is for (POSIX) */
    if (own_fn != NULL) b->fn = own_fn;
    else memcpy(&b->fn, &found, sizeof b->fn);
    b->own = own;
    b->ret = rq->u.bind.ret;
    b->nparams = n;
    const uint8_t *cs = rq->u.bind.cbsig; /* checked by the decoder */
    ffi_status st = FFI_OK;
    for (uint32_t i = 0; i < n; i++) {
        b->params[i] = rq->u.bind.params[i];
        b->atypes[i] = b->params[i] == COP_C_CALLBACK ? &ffi_type_pointer : ffi_of(b->params[i]);
        if (b->params[i] != COP_C_CALLBACK) continue;
        CbSig *cb = calloc(1, sizeof *cb);
        if (cb == NULL) {
            free_binding(b);
            reply_error(COP_E_NO_MEMORY, "out of memory binding '%s'", sym);
            return;
        }
        b->cbs[i] = cb;
        cb->ret = cs[0];
        cb->nparams = cs[1];
        for (uint32_t q = 0; q < cb->nparams; q++) {
            cb->params[q] = cs[2 + q];
            cb->atypes[q] = ffi_of(cb->params[q]);
        }
        cs += 2 + cb->nparams;
        if (st == FFI_OK)
            st = ffi_prep_cif(&cb->cif, FFI_DEFAULT_ABI, cb->nparams, ffi_of(cb->ret), cb->atypes);
    }
    if (st == FFI_OK) st = ffi_prep_cif(&b->cif, FFI_DEFAULT_ABI, n, ffi_of(b->ret), b->atypes);
    if (st != FFI_OK) {
        free_binding(b);
        reply_error(COP_E_SIGNATURE, "libffi cannot prepare a call of '%s': %s", sym,
                    st == FFI_BAD_TYPEDEF ? "a bad type"
                    : st == FFI_BAD_ABI   ? "a bad calling convention"
                                          : "an unsupported signature");
        return;
    }
    uint32_t id = nbindings;
    bindings[nbindings++] = b;
    cop_buf_start(&out, COP_BOUND);
    cop_put_u32(&out, id);
    send_frame();
}

/* ---- handles ------------------------------------------------------------------------------- */

/* Handle k (k >= 1) is ptrs[k - 1]; 0 is NULL.  A handle is never reused: the same pointer gets
 * the same handle again (index: open addressing over handles, 0 empty) until the handle is
 * released (nano_cop's own "release", below); its slot then holds RELEASED, which matches no
 * pointer, so that the pointer gets a new handle when C returns it again and the old handle is
 * an error.  Released slots stay in the index's probe chains and are left out when it grows. */
static char released_mark;
#define RELEASED ((void *)&released_mark)
static void **ptrs;
static uint64_t nptrs, ptrs_cap;
static uint64_t *index_;
static uint64_t index_cap; /* a power of two, more than twice nptrs */

static uint64_t hash_ptr(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void index_insert(uint64_t *ix, uint64_t cap, uint64_t handle) {
    uint64_t i = hash_ptr(ptrs[handle - 1]) & (cap - 1);
    while (ix[i] != 0) i = (i + 1) & (cap - 1);
    ix[i] = handle;
}

/* The handle of p (new or existing); 0 for NULL; UINT64_MAX when out of memory. */
static uint64_t handle_of(void *p) {
    if (p == NULL) return 0;
    if (index_cap > 0)
        for (uint64_t i = hash_ptr(p) & (index_cap - 1); index_[i] != 0; i = (i + 1) & (index_cap - 1))
            if (ptrs[index_[i] - 1] == p) return index_[i];
    if (nptrs == ptrs_cap) {
        uint64_t cap = ptrs_cap ? ptrs_cap * 2 : 64;
        if (cap > SIZE_MAX / sizeof *ptrs) return UINT64_MAX;
        void **t = realloc(ptrs, (size_t)cap * sizeof *t);
        if (t == NULL) return UINT64_MAX;
        ptrs = t;
        ptrs_cap = cap;
    }
    if ((nptrs + 1) * 2 >= index_cap) {
        uint64_t cap = index_cap ? index_cap * 2 : 128;
        if (cap > SIZE_MAX / sizeof *index_) return UINT64_MAX;
        uint64_t *ix = calloc((size_t)cap, sizeof *ix);
        if (ix == NULL) return UINT64_MAX;
        for (uint64_t h = 1; h <= nptrs; h++)
            if (ptrs[h - 1] != RELEASED) index_insert(ix, cap, h);
        free(index_);
        index_ = ix;
        index_cap = cap;
    }
    ptrs[nptrs++] = p;
    index_insert(index_, index_cap, nptrs);
    return nptrs;
}

/* Whether h is a handle a program may pass: 0 (NULL), or issued and not released. */
static int handle_ok(uint64_t h) { return h == 0 || (h <= nptrs && ptrs[h - 1] != RELEASED); }

/* Why h is not: never issued, or released. */
static const char *handle_problem(uint64_t h) {
    return h > nptrs ? "never issued by this co-process" : "released";
}

/* nano_cop's own function "release" of library "nano_cop" (docs/COP_PROTOCOL.md 7): the handle
 * of p is released.  Its argument was checked as any handle is (a released or forged one is the
 * HANDLE error before the call), so p is NULL or the pointer of a live handle. */
static void cop_release(void *p) {
    if (p == NULL || index_cap == 0) return;
    for (uint64_t i = hash_ptr(p) & (index_cap - 1); index_[i] != 0; i = (i + 1) & (index_cap - 1))
        if (ptrs[index_[i] - 1] == p) {
            ptrs[index_[i] - 1] = RELEASED;
            return;
        }
}

/* ---- calls --------------------------------------------------------------------------------- */

typedef union {
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    size_t z;
    long l;
    int i;
    double d;
    float f;
    void *p;
} Arg;

/* An integer result, widened by libffi to ffi_arg when narrower. */
static int64_t int_result(uint8_t t, const void *rv) {
    ffi_sarg s;
    ffi_arg a;
    memcpy(&s, rv, sizeof s);
    memcpy(&a, rv, sizeof a);
    switch (t) {
    case COP_C_INT8: return (int8_t)s;
    case COP_C_INT16: return (int16_t)s;
    case COP_C_INT32: return (int32_t)s;
    case COP_C_INT: return (int)s;
    case COP_C_UINT8: return (uint8_t)a;
    case COP_C_UINT16: return (uint16_t)a;
    case COP_C_UINT32: return (uint32_t)a;
    case COP_C_BOOL: return (uint8_t)a != 0;
    case COP_C_LONG:
        if (sizeof(long) < sizeof s) return (long)s;
        else {
            long x;
            memcpy(&x, rv, sizeof x);
            return x;
        }
    case COP_C_SIZE_T:
        if (sizeof(size_t) < sizeof a) return (int64_t)(size_t)a;
        else {
            uint64_t x;
            memcpy(&x, rv, sizeof x);
            int64_t y;
            memcpy(&y, &x, sizeof y);
            return y;
        }
    default: { /* INT64, UINT64: the bit pattern */
        int64_t x;
        memcpy(&x, rv, sizeof x);
        return x;
    }
    }
}

/* ---- callbacks ----------------------------------------------------------------------------- */

struct Callback;
static void free_callbacks(void *cbs, uint32_t n);

/* A function pointer made for one callback argument of one CALL: C calls `code`, libffi calls
 * on_callback with this as its user data. */
typedef struct {
    ffi_closure *closure;
    void *code;
    const CbSig *sig;
    uint64_t id; /* the VM's callback id from the CALL */
} Callback;

static void serve(int nested, void *ret, const CbSig *sig);

static void free_callbacks(void *cbs, uint32_t n) {
    Callback *c = cbs;
    for (uint32_t i = 0; i < n; i++) ffi_closure_free(c[i].closure);
}

/* C called a callback: ask the VM to run the function value (CALLBACK), serving the requests it
 * makes meanwhile (nested CALLs), until its CALLBACK_RETURN. */
static void on_callback(ffi_cif *cif, void *ret, void **args, void *user) {
    (void)cif;
    const Callback *cb = user;
    const CbSig *sig = cb->sig;
    cop_buf_start(&out, COP_CALLBACK);
    cop_put_u64(&out, cb->id);
    cop_put_u32(&out, sig->nparams);
    for (uint32_t i = 0; i < sig->nparams; i++) {
        CopValue v = {.type = sig->params[i]};
        const void *a = args[i];
        switch (v.type) {
        case COP_C_INT8: v.i = *(const int8_t *)a; break;
        case COP_C_INT16: v.i = *(const int16_t *)a; break;
        case COP_C_INT32: v.i = *(const int32_t *)a; break;
        case COP_C_INT64: v.i = *(const int64_t *)a; break;
        case COP_C_UINT8: v.i = *(const uint8_t *)a; break;
        case COP_C_UINT16: v.i = *(const uint16_t *)a; break;
        case COP_C_UINT32: v.i = *(const uint32_t *)a; break;
        case COP_C_UINT64: memcpy(&v.i, a, 8); break;
        case COP_C_SIZE_T: v.i = (int64_t)*(const size_t *)a; break;
        case COP_C_LONG: v.i = *(const long *)a; break;
        case COP_C_INT: v.i = *(const int *)a; break;
        case COP_C_DOUBLE: v.f = *(const double *)a; break;
        case COP_C_FLOAT: v.f = *(const float *)a; break;
        case COP_C_BOOL: v.i = *(const bool *)a; break;
        case COP_C_STRING: {
            const char *s = *(char *const *)a;
            if (s == NULL) s = "";
            size_t n = strlen(s);
            if (n > COP_MAX_FRAME - 64) n = COP_MAX_FRAME - 64; /* cut: the frame has a cap */
            v.s = s;
            v.len = (uint32_t)n;
            break;
        }
        case COP_C_POINTER:
            v.handle = handle_of(*(void *const *)a);
            if (v.handle == UINT64_MAX) {
                fprintf(stderr, "nano_cop: out of memory for a handle\n");
                _exit(2);
            }
            break;
        default: break;
        }
        cop_put_value(&out, &v, 1);
    }
    fflush(stdout);
    fflush(stderr);
    send_frame();
    serve(1, ret, sig);
}

/* Stores a callback's result where libffi wants it (integers narrower than a register as
 * ffi_arg). */
static void store_result(void *ret, uint8_t t, const CopValue *v) {
    ffi_arg a = 0;
    ffi_sarg s = 0;
    switch (t) {
    case COP_C_VOID: return;
    case COP_C_DOUBLE: memcpy(ret, &v->f, sizeof v->f); return;
    case COP_C_FLOAT: {
        float f = (float)v->f;
        memcpy(ret, &f, sizeof f);
        return;
    }
    case COP_C_POINTER: {
        void *p = v->handle == 0 ? NULL : ptrs[v->handle - 1];
        memcpy(ret, &p, sizeof p);
        return;
    }
    case COP_C_INT8: case COP_C_INT16: case COP_C_INT32: case COP_C_INT:
        s = (ffi_sarg)v->i;
        memcpy(ret, &s, sizeof s);
        return;
    case COP_C_UINT8: case COP_C_UINT16: case COP_C_UINT32: case COP_C_BOOL:
        a = (ffi_arg)(uint64_t)v->i;
        memcpy(ret, &a, sizeof a);
        return;
    case COP_C_LONG: {
        long l = (long)v->i;
        if (sizeof l < sizeof s) {
            s = l;
            memcpy(ret, &s, sizeof s);
        } else {
            memcpy(ret, &l, sizeof l);
        }
        return;
    }
    case COP_C_SIZE_T: {
        size_t z = (size_t)(uint64_t)v->i;
        if (sizeof z < sizeof a) {
            a = z;
            memcpy(ret, &a, sizeof a);
        } else {
            memcpy(ret, &z, sizeof z);
        }
        return;
    }
    default: memcpy(ret, &v->i, sizeof v->i); return; /* INT64, UINT64 */
    }
}

static void do_call(const CopRequest *rq) {
    uint32_t id = rq->u.call.id;
    if (id >= nbindings) {
        reply_error(COP_E_BINDING, "call of binding %u, which was never bound", id);
        return;
    }
    const Binding *b = bindings[id];
    if (rq->u.call.nargs != b->nparams) {
        reply_error(COP_E_ARGUMENT, "the binding takes %u arguments, the call has %u",
                    b->nparams, rq->u.call.nargs);
        return;
    }
    Arg args[COP_MAX_PARAMS];
    void *avalues[COP_MAX_PARAMS];
    Callback cbs[COP_MAX_PARAMS];
    uint32_t ncbs = 0;
    for (uint32_t i = 0; i < b->nparams; i++) {
        const CopValue *v = &rq->u.call.args[i];
        Arg *a = &args[i];
        char t1[32], t2[32];
        if (v->type != b->params[i]) {
            reply_error(COP_E_ARGUMENT, "argument %u is a %s, the binding says %s", i + 1,
                        cop_ctype_name(v->type, t1, sizeof t1),
                        cop_ctype_name(b->params[i], t2, sizeof t2));
            free_callbacks(cbs, ncbs);
            return;
        }
        switch (v->type) {
        case COP_C_INT8: a->i8 = (int8_t)v->i; break;
        case COP_C_INT16: a->i16 = (int16_t)v->i; break;
        case COP_C_INT32: a->i32 = (int32_t)v->i; break;
        case COP_C_INT64: a->i64 = v->i; break;
        case COP_C_UINT8: a->u8 = (uint8_t)v->i; break;
        case COP_C_UINT16: a->u16 = (uint16_t)v->i; break;
        case COP_C_UINT32: a->u32 = (uint32_t)v->i; break;
        case COP_C_UINT64: a->u64 = (uint64_t)v->i; break;
        case COP_C_SIZE_T: a->z = (size_t)(uint64_t)v->i; break;
        case COP_C_LONG: a->l = (long)v->i; break;
        case COP_C_INT: a->i = (int)v->i; break;
        case COP_C_DOUBLE: a->d = v->f; break;
        case COP_C_FLOAT: a->f = (float)v->f; break;
        case COP_C_BOOL: a->u8 = v->i != 0; break;
        case COP_C_STRING: a->p = (void *)v->s; break; /* NUL-terminated in the frame */
        case COP_C_POINTER:
            if (!handle_ok(v->handle)) {
                reply_error(COP_E_HANDLE, "argument %u: invalid handle %llu (%s)", i + 1,
                            (unsigned long long)v->handle, handle_problem(v->handle));
                free_callbacks(cbs, ncbs);
                return;
            }
            a->p = v->handle == 0 ? NULL : ptrs[v->handle - 1];
            break;
        case COP_C_CALLBACK: {
            Callback *cb = &cbs[ncbs];
            cb->closure = ffi_closure_alloc(sizeof(ffi_closure), &cb->code);
            if (cb->closure == NULL) {
                reply_error(COP_E_NO_MEMORY, "out of memory for the function pointer of argument %u",
                            i + 1);
                free_callbacks(cbs, ncbs);
                return;
            }
            ncbs++;
            cb->sig = b->cbs[i];
            cb->id = v->handle;
            if (ffi_prep_closure_loc(cb->closure, (ffi_cif *)&cb->sig->cif, on_callback, cb,
                                     cb->code) != FFI_OK) {
                reply_error(COP_E_SIGNATURE, "libffi cannot make the function pointer of argument %u",
                            i + 1);
                free_callbacks(cbs, ncbs);
                return;
            }
            a->p = cb->code;
            break;
        }
        default:
            reply_error(COP_E_ARGUMENT, "argument %u has an unsupported type", i + 1);
            free_callbacks(cbs, ncbs);
            return;
        }
        avalues[i] = a;
    }
    union {
        ffi_arg a;
        ffi_sarg s;
        int64_t i64;
        double d;
        float f;
        void *p;
        char room[16];
    } rv;
    memset(&rv, 0, sizeof rv);
    errno = 0;
    ffi_call((ffi_cif *)&b->cif, b->fn, &rv, avalues);
    int c_errno = errno;
    if (!b->own) last_errno = c_errno;
    free_callbacks(cbs, ncbs); /* the function pointers die with the call */
    fflush(stdout);
    fflush(stderr);

    CopValue r = {.type = b->ret};
    switch (b->ret) {
    case COP_C_VOID: break;
    case COP_C_DOUBLE: r.f = rv.d; break;
    case COP_C_FLOAT: r.f = (double)rv.f; break;
    case COP_C_STRING: {
        const char *s = rv.p ? rv.p : "";
        size_t n = strlen(s);
        if (n > COP_MAX_FRAME - 64) {
            reply_error(COP_E_TOO_BIG, "the result is a string of %zu bytes (the limit is %u)", n,
                        COP_MAX_FRAME - 64);
            return;
        }
        r.s = s;
        r.len = (uint32_t)n;
        break;
    }
    case COP_C_POINTER:
        r.handle = handle_of(rv.p);
        if (r.handle == UINT64_MAX) {
            reply_error(COP_E_NO_MEMORY, "out of memory for the handle of the result");
            return;
        }
        break;
    default: r.i = int_result(b->ret, &rv); break;
    }
    cop_buf_start(&out, COP_RESULT);
    cop_put_u32(&out, (uint32_t)c_errno);
    cop_put_value(&out, &r, 1); /* a string result is written from C's memory */
    send_frame();
}

/* ---- the server ---------------------------------------------------------------------------- */

static int parse_int(const char *s, long *v) {
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || x < 0) return -1;
    *v = x;
    return 0;
}

/* An umask: octal, at most 0777. */
static int parse_octal(const char *s, long *v) {
    char *end;
    errno = 0;
    long x = strtol(s, &end, 8);
    if (errno != 0 || end == s || *end != '\0' || x < 0 || x > 0777) return -1;
    *v = x;
    return 0;
}

/* Moves fd to the lowest free descriptor >= 64 (close-on-exec), so that the C code's first
 * open() gets 3 as in an ordinary C program and children it starts do not inherit the pipes. */
static int move_high(int fd) {
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 64);
    if (h < 0) return -1;
    close(fd);
    return h;
}

static void usage(FILE *f) {
    fputs("usage: nano_cop --serve REQUEST_FD REPLY_FD VM_PID [UMASK]\n"
          "\n"
          "The co-process of nano_vm: it performs the C calls (extern fn) of one virtual\n"
          "process, which starts it at its first extern call.  It is not meant to be run by\n"
          "hand; the protocol is docs/COP_PROTOCOL.md.\n",
          f);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("nano_cop %s (protocol version %d)\n", NANO_COP_VERSION, COP_VERSION);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    long rq, rp, vm, mask = -1;
    if ((argc != 5 && argc != 6) || strcmp(argv[1], "--serve") != 0 ||
        parse_int(argv[2], &rq) != 0 || parse_int(argv[3], &rp) != 0 ||
        parse_int(argv[4], &vm) != 0 || rq > INT_MAX || rp > INT_MAX || rq == rp ||
        (argc == 6 && parse_octal(argv[5], &mask) != 0)) {
        usage(stderr);
        return 64;
    }
    if (mask >= 0) umask((mode_t)mask); /* the program's, which the daemon's own is not */
    /* die with the VM: the signal when the thread that started us ends, and then a check for
     * a VM that ended before the signal was armed */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if ((long)getppid() != vm) return 0;

    struct stat st;
    if (fstat((int)rq, &st) != 0 || !S_ISFIFO(st.st_mode) || fstat((int)rp, &st) != 0 ||
        !S_ISFIFO(st.st_mode)) {
        fprintf(stderr, "nano_cop: descriptors %ld and %ld must be the pipes from nano_vm\n", rq, rp);
        return 64;
    }
    req_fd = move_high((int)rq);
    rep_fd = move_high((int)rp);
    if (req_fd < 0 || rep_fd < 0) {
        fprintf(stderr, "nano_cop: cannot move the pipes: %s\n", strerror(errno));
        return 71;
    }
    /* nothing but stdin, stdout, stderr and the two pipes stays open */
    int lo = req_fd < rep_fd ? req_fd : rep_fd, hi = req_fd < rep_fd ? rep_fd : req_fd;
    close_range(3, (unsigned)lo - 1, 0);
    if (hi > lo + 1) close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
    close_range((unsigned)hi + 1, ~0u, 0);

    serve(0, NULL, NULL);
    return 0;
}

/* Serves requests: at the top (nested = 0) until end of input; inside a callback (nested = 1)
 * until its CALLBACK_RETURN, whose value goes to ret as sig's result type.  Each level has its
 * own reader and request, so a CALL's strings stay valid in its frame while C runs. */
static void serve(int nested, void *ret, const CbSig *sig) {
    static int greeted = 0;
    CopReader in = {0};
    CopRequest *rqst = malloc(sizeof *rqst);
    if (rqst == NULL) {
        fprintf(stderr, "nano_cop: out of memory\n");
        _exit(2);
    }
    char err[256];
    for (;;) {
        const uint8_t *payload;
        size_t len;
        int r = cop_read_frame(&in, req_fd, &payload, &len, err, sizeof err);
        if (r == 0) {
            if (!nested) exit(0); /* the virtual process is over: exit handlers run, stdio flushes */
            _exit(2); /* the VM went away in the middle of a callback: C cannot be resumed */
        }
        if (r < 0) {
            /* framing is lost: say why and stop */
            reply_error(COP_E_PROTOCOL, "bad request frame: %s", err);
            exit(2);
        }
        if (cop_decode_request(payload, len, rqst, err, sizeof err) != 0) {
            reply_error(COP_E_PROTOCOL, "bad request: %s", err);
            continue;
        }
        if (!greeted && rqst->type != COP_HELLO) {
            reply_error(COP_E_PROTOCOL, "bad request: the first request must be HELLO");
            continue;
        }
        switch (rqst->type) {
        case COP_HELLO:
            if (rqst->u.hello.version != COP_VERSION) {
                reply_error(COP_E_VERSION, "nano_cop speaks protocol version %d, not %u",
                            COP_VERSION, rqst->u.hello.version);
                exit(2);
            }
            greeted = 1;
            cop_buf_start(&out, COP_HELLO_OK);
            cop_put_u32(&out, COP_MAGIC);
            cop_put_u32(&out, COP_VERSION);
            send_frame();
            break;
        case COP_BIND: do_bind(rqst); break;
        case COP_CALL: do_call(rqst); break;
        case COP_CALLBACK_RETURN: {
            char t1[32], t2[32];
            const CopValue *v = &rqst->u.cb_return.value;
            if (!nested) {
                reply_error(COP_E_PROTOCOL, "bad request: CALLBACK_RETURN outside a callback");
                break;
            }
            if (v->type == sig->ret && v->type == COP_C_POINTER && !handle_ok(v->handle)) {
                reply_error(COP_E_PROTOCOL, "bad request: the callback returned handle %llu (%s)",
                            (unsigned long long)v->handle, handle_problem(v->handle));
                _exit(2);
            }
            if (v->type != sig->ret) {
                /* C is waiting for a value this co-process cannot give: it cannot go on */
                reply_error(COP_E_PROTOCOL, "bad request: the callback returned a %s, its signature says %s",
                            cop_ctype_name(v->type, t1, sizeof t1), cop_ctype_name(sig->ret, t2, sizeof t2));
                _exit(2);
            }
            store_result(ret, sig->ret, v);
            free(rqst);
            cop_reader_free(&in);
            return;
        }
        case COP_CALLBACK_FAIL:
            if (!nested) {
                reply_error(COP_E_PROTOCOL, "bad request: CALLBACK_FAIL outside a callback");
                break;
            }
            /* the program failed inside the callback: there is no way back into C */
            fflush(stdout);
            fflush(stderr);
            _exit(3);
        default: reply_error(COP_E_PROTOCOL, "bad request: unexpected message"); break;
        }
        cop_reader_trim(&in);
    }
}
