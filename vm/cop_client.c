/* cop_client.c: see cop_client.h. */
#define _GNU_SOURCE
#include "cop_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cop/cop_wire.h"
#include "harness.h"
#include "nvm_format.h"
#include "object.h"

extern char **environ;

struct CopClient {
    pid_t pid;         /* 0 once reaped */
    int req, rep;      /* our ends of the request and reply pipes, -1 when closed */
    uint32_t *bound;   /* per import: 0 not bound yet, else the co-process's id + 1 */
    CopBuf buf;
    CopReader rd;
    char gone[400];    /* why the co-process is gone ("" while it runs) */
    /* the function values passed as callbacks to the calls in progress (outermost first; a
     * callback id is an index): each with the import and parameter whose signature it has */
    struct CopCb {
        uint32_t func, import, param;
    } *cbs;
    size_t ncbs, cbs_cap;
};

/* How long an ending co-process may take to exit before it is killed. */
#define EXIT_GRACE_MS 5000

/* ---- errors -------------------------------------------------------------------------------- */

static int call_fail(Process *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int call_fail(Process *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, ap);
    va_end(ap);
    p->error_pc = p->trap_pc;
    return -1;
}

static const char *import_name(const Process *p) {
    return program_str(p->prog, p->prog->imports[p->trap_import].name);
}


/* "killed by signal 11 (SIGSEGV)", "exited with status 3" */
static void describe_status(int status, char *buf, size_t n) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev != NULL) snprintf(buf, n, "nano_cop killed by signal %d (SIG%s)", sig, abbrev);
        else snprintf(buf, n, "nano_cop killed by signal %d", sig);
    } else if (WIFEXITED(status)) {
        snprintf(buf, n, "nano_cop exited with status %d", WEXITSTATUS(status));
    } else {
        snprintf(buf, n, "nano_cop ended");
    }
}

/* Text from the co-process, with control bytes shown as '?'. */
static void clean_copy(char *dst, size_t n, const char *src, size_t len) {
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < n; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[k++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    dst[k] = '\0';
}

/* ---- the child ----------------------------------------------------------------------------- */

static void sleep_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Waits up to ms milliseconds for the co-process to exit.  1 with its wait status, 0 when it
 * is still running, -1 when it cannot be waited for (errno). */
static int wait_exit(pid_t pid, int *status, long ms) {
    long waited_us = 0, step = 100;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) return 1;
        if (r < 0 && errno != EINTR) return -1;
        if (waited_us >= ms * 1000) return 0;
        sleep_us(step);
        waited_us += step;
        if (step < 10000) step *= 2;
    }
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* The co-process is gone or must go: reap it (waiting for it when `ending`, killing it at
 * once otherwise, or after the grace period) and record why in c->gone.  `why` describes a
 * co-process that was still running (it was killed for it). */
static void lose(struct CopClient *c, int ending, const char *why) {
    close_fd(&c->req);
    close_fd(&c->rep);
    if (c->pid <= 0) return;
    int status = 0;
    int r = ending ? wait_exit(c->pid, &status, EXIT_GRACE_MS) : 0;
    if (r == 1) {
        describe_status(status, c->gone, sizeof c->gone);
    } else if (r == 0) {
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
        }
        snprintf(c->gone, sizeof c->gone, "%s", why);
    } else {
        snprintf(c->gone, sizeof c->gone, "nano_cop ended (%s)", strerror(errno));
    }
    c->pid = 0;
}

/* Writes the frame in c->buf.  SIGPIPE is blocked meanwhile, and one it raised is taken back:
 * a dead co-process is an error of the call, not a signal that ends the VM. */
static int send_frame(struct CopClient *c) {
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int e = cop_buf_write(&c->buf, c->req);
    if (e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return e;
}

/* Sends c->buf and reads the reply.  0 with the reply decoded, -1 when the co-process is lost
 * (c->gone says why). */
static int exchange(struct CopClient *c, CopReply *rp) {
    int e = send_frame(c);
    if (e != 0) {
        char why[300];
        snprintf(why, sizeof why, "cannot write to nano_cop: %s", strerror(e));
        lose(c, e == EPIPE, why);
        return -1;
    }
    const uint8_t *payload;
    size_t len;
    char err[256];
    int r = cop_read_frame(&c->rd, c->rep, &payload, &len, err, sizeof err);
    if (r <= 0) {
        /* the reply pipe ended (the co-process is ending, or closed the pipe: then it is killed
         * after the grace period), or the stream is garbage (it is killed at once) */
        char why[400];
        if (r == 0) snprintf(why, sizeof why, "nano_cop closed the reply pipe");
        else snprintf(why, sizeof why, "nano_cop sent a bad reply: %s", err);
        lose(c, r >= -1, why);
        return -1;
    }
    if (cop_decode_reply(payload, len, rp, err, sizeof err) != 0) {
        char why[400];
        snprintf(why, sizeof why, "nano_cop sent a bad reply: %s", err);
        lose(c, 0, why);
        return -1;
    }
    return 0;
}

/* Locates nano_cop: this executable (nano_stub_cop_argv0, cop_client.h), else $NANO_COP, else
 * next to the running executable. */
static int cop_path(char *path, size_t n, char *err, size_t errlen) {
    if (nano_stub_cop_argv0 != NULL) {
        snprintf(path, n, "/proc/self/exe");
        return 0;
    }
    const char *env = getenv("NANO_COP");
    if (env != NULL && env[0] != '\0') {
        if (strlen(env) >= n) {
            snprintf(err, errlen, "NANO_COP names a path that is too long");
            return -1;
        }
        snprintf(path, n, "%s", env);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k < 0) {
        snprintf(err, errlen, "cannot find nano_cop: cannot read /proc/self/exe: %s (set NANO_COP)",
                 strerror(errno));
        return -1;
    }
    exe[k] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL) slash[1] = '\0';
    else exe[0] = '\0';
    if ((size_t)snprintf(path, n, "%snano_cop", exe) >= n) {
        snprintf(err, errlen, "cannot find nano_cop: the path of the executable is too long");
        return -1;
    }
    return 0;
}

/* Starts the co-process and greets it.  0, or -1 with a message in err. */
static int start(Process *p, struct CopClient *c, char *err, size_t errlen) {
    char path[PATH_MAX];
    if (cop_path(path, sizeof path, err, errlen) != 0) return -1;
    int req[2] = {-1, -1}, rep[2] = {-1, -1};
    if (pipe2(req, O_CLOEXEC) != 0 || pipe2(rep, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot start nano_cop: cannot make a pipe: %s", strerror(errno));
        close_fd(&req[0]);
        close_fd(&req[1]);
        return -1;
    }
    /* the child's descriptors 0..4, first copied above 4 so that no dup2 overwrites a source
     * (copies are close-on-exec, like every descriptor the VM opens) */
    int src[5] = {p->in_fd, p->out.fd, p->err.fd, req[0], rep[1]};
    int high[5], dup_err[5];
    for (int i = 0; i < 5; i++) {
        high[i] = src[i] >= 0 ? fcntl(src[i], F_DUPFD_CLOEXEC, 5) : -1;
        dup_err[i] = high[i] < 0 ? (src[i] >= 0 ? errno : EBADF) : 0;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    int e = 0;
    /* the program's working directory (first: the descriptors below replace the low ones) */
    if (p->cwd_fd >= 0) e = posix_spawn_file_actions_addfchdir_np(&fa, p->cwd_fd);
    for (int i = 0; i < 5 && e == 0; i++) {
        if (high[i] >= 0) e = posix_spawn_file_actions_adddup2(&fa, high[i], i);
        else if (i < 3 && dup_err[i] == EBADF) /* the program has no such stream */
            e = posix_spawn_file_actions_addopen(&fa, i, "/dev/null", O_RDWR, 0);
        else e = dup_err[i]; /* out of descriptors */
    }
    if (e == 0) e = posix_spawn_file_actions_addclosefrom_np(&fa, 5);
    /* an empty signal mask, and SIGPIPE (which nano_vm ignores) back to its default, as for an
     * ordinary C program; other ignored signals stay ignored (nohup) */
    sigset_t none, pipe_set;
    sigemptyset(&none);
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    if (e == 0) e = posix_spawnattr_setsigmask(&at, &none);
    if (e == 0) e = posix_spawnattr_setsigdefault(&at, &pipe_set);
    if (e == 0) e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char vm_pid[32], req_s[8], rep_s[8], umask_s[8];
    snprintf(vm_pid, sizeof vm_pid, "%ld", (long)getpid());
    snprintf(umask_s, sizeof umask_s, "%03o", p->umask & 0777);
    snprintf(req_s, sizeof req_s, "%d", COP_FD_REQUEST);
    snprintf(rep_s, sizeof rep_s, "%d", COP_FD_REPLY);
    char *argv[] = {nano_stub_cop_argv0 != NULL ? (char *)nano_stub_cop_argv0 : path, "--serve", req_s,
                    rep_s, vm_pid, umask_s, NULL};
    pid_t pid = 0;
    /* the program's world: its environment, directory (above) and umask (argument) */
    if (e == 0) e = posix_spawn(&pid, path, &fa, &at, argv, p->env != NULL ? p->env : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    for (int i = 0; i < 5; i++)
        if (high[i] >= 0) close(high[i]);
    close(req[0]);
    close(rep[1]);
    if (e != 0) {
        close(req[1]);
        close(rep[0]);
        snprintf(err, errlen, "cannot start nano_cop (%.250s): %s", path, strerror(e));
        return -1;
    }
    c->pid = pid;
    c->req = req[1];
    c->rep = rep[0];

    CopReply rp;
    cop_buf_start(&c->buf, COP_HELLO);
    cop_put_u32(&c->buf, COP_MAGIC);
    cop_put_u32(&c->buf, COP_VERSION);
    if (exchange(c, &rp) != 0) {
        snprintf(err, errlen, "%s", c->gone);
        return -1;
    }
    if (rp.type == COP_HELLO_OK && rp.u.hello.version == COP_VERSION) return 0;
    char msg[300];
    if (rp.type == COP_ERROR) {
        clean_copy(msg, sizeof msg, rp.u.error.message, rp.u.error.len);
        snprintf(err, errlen, "nano_cop refused to start: %s", msg);
    } else if (rp.type == COP_HELLO_OK) {
        snprintf(err, errlen, "nano_cop speaks protocol version %u, not %d", rp.u.hello.version,
                 COP_VERSION);
    } else {
        snprintf(err, errlen, "nano_cop sent a bad reply: message 0x%02x instead of HELLO_OK",
                 rp.type);
    }
    lose(c, 0, err);
    return -1;
}

/* ---- calls --------------------------------------------------------------------------------- */

/* The C type of a value kind in a file without CTYPES. */
static uint8_t ctype_of(uint8_t kind) {
    switch (kind) {
    case NVM_VK_INT: return COP_C_INT64;
    case NVM_VK_FLOAT: return COP_C_DOUBLE;
    case NVM_VK_BOOL: return COP_C_BOOL;
    case NVM_VK_STRING: return COP_C_STRING;
    case NVM_VK_OPAQUE: return COP_C_POINTER;
    case NVM_VK_FUNC: return COP_C_CALLBACK;
    default: return COP_C_VOID;
    }
}

/* The C types of an import: its CTYPES signature (checked by the loader), else its kinds'. */
static uint8_t ret_ctype(const Import *imp) {
    if (imp->csig != NULL) return imp->csig[0];
    return imp->nret ? ctype_of(imp->ret_kind) : COP_C_VOID;
}

static uint8_t param_ctype(const Import *imp, uint32_t k) {
    if (imp->csig != NULL) return imp->csig[1 + k];
    return ctype_of(imp->param_kinds[k]);
}

/* The range of the integer C types (uint64 and size_t take any bit pattern). */
static int int_fits(uint8_t t, int64_t v, int64_t *lo, int64_t *hi) {
    switch (t) {
    case COP_C_INT8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case COP_C_INT16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case COP_C_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case COP_C_UINT8: *lo = 0; *hi = UINT8_MAX; break;
    case COP_C_UINT16: *lo = 0; *hi = UINT16_MAX; break;
    case COP_C_UINT32: *lo = 0; *hi = UINT32_MAX; break;
    case COP_C_INT: *lo = INT_MIN; *hi = INT_MAX; break;
    case COP_C_LONG: *lo = LONG_MIN; *hi = LONG_MAX; break;
    default: return 1;
    }
    return v >= *lo && v <= *hi;
}

/* A name for the wire: at most COP_MAX_NAME bytes, no NUL inside. */
static int check_name(Process *p, uint32_t idx, const char *what) {
    const ObjString *s = idx < p->prog->nstrings ? p->prog->strings[idx] : NULL;
    if (s == NULL) return 0;
    if ((size_t)s->len > COP_MAX_NAME)
        return call_fail(p, "extern call to %s: the %s is longer than %u bytes", import_name(p),
                         what, COP_MAX_NAME);
    if (strlen(s->bytes) != (size_t)s->len)
        return call_fail(p, "extern call to %s: the %s contains a NUL byte", import_name(p), what);
    return 0;
}

/* Binds import i once; 0, or -1 with the error recorded. */
static int bind_import(Process *p, struct CopClient *c, uint32_t i) {
    const Import *imp = &p->prog->imports[i];
    const char *lib = imp->library == NVM_NONE ? "" : program_str(p->prog, imp->library);
    if (check_name(p, imp->name, "symbol name") != 0) return -1;
    if (imp->library != NVM_NONE && check_name(p, imp->library, "library name") != 0) return -1;
    const char *sym = import_name(p);
    cop_buf_start(&c->buf, COP_BIND);
    cop_put_str(&c->buf, lib, (uint32_t)strlen(lib), 0);
    cop_put_str(&c->buf, sym, (uint32_t)strlen(sym), 0);
    cop_put_u8(&c->buf, ret_ctype(imp));
    cop_put_u32(&c->buf, imp->nparams);
    for (uint32_t k = 0; k < imp->nparams; k++) cop_put_u8(&c->buf, param_ctype(imp, k));
    if (imp->csig != NULL) /* the callbacks' signatures, as CTYPES has them */
        cop_put_bytes(&c->buf, imp->csig + 1 + imp->nparams, imp->csig_len - 1 - imp->nparams);
    CopReply rp;
    if (exchange(c, &rp) != 0) return call_fail(p, "extern call to %s: %s", sym, c->gone);
    if (rp.type == COP_BOUND) {
        c->bound[i] = rp.u.bound.id + 1u;
        if (c->bound[i] == 0) c->bound[i] = UINT32_MAX; /* id 2^32-1 is never issued */
        return 0;
    }
    if (rp.type == COP_ERROR) {
        char msg[400];
        clean_copy(msg, sizeof msg, rp.u.error.message, rp.u.error.len);
        return call_fail(p, "extern call to %s: %s", sym, msg);
    }
    char why[100];
    snprintf(why, sizeof why, "nano_cop sent a bad reply: message 0x%02x to BIND", rp.type);
    lose(c, 0, why);
    return call_fail(p, "extern call to %s: %s", sym, c->gone);
}

/* The signature of callback parameter k of imp (from its CTYPES entry, which the loader
 * checked): result type, count, parameter types. */
static const uint8_t *cb_sig(const Import *imp, uint32_t k) {
    const uint8_t *c = imp->csig + 1 + imp->nparams;
    for (uint32_t j = 0; j < k; j++)
        if (imp->csig[1 + j] == COP_C_CALLBACK) c += 2 + c[1];
    return c;
}

/* A CALLBACK during an extern call: runs the function value on this process and answers
 * CALLBACK_RETURN; *rp is then the next reply.  0, -1 after a runtime error (recorded; the
 * co-process is told and ends), -2 when the program halted in the callback. */
static int run_callback(Process *p, struct CopClient *c, CopReply *rp, const char *name) {
    char why[300], tb[32];
    uint64_t id = rp->u.callback.id;
    if (id >= c->ncbs) {
        snprintf(why, sizeof why, "nano_cop sent a bad reply: a CALLBACK of id %llu, which no call in progress passed",
                 (unsigned long long)id);
        lose(c, 0, why);
        return call_fail(p, "extern call to %s: %s", name, c->gone);
    }
    struct CopCb cb = c->cbs[id];
    const Import *cimp = &p->prog->imports[cb.import];
    const uint8_t *sig = cb_sig(cimp, cb.param);
    uint32_t m = sig[1];
    uint32_t n = rp->u.callback.nargs;
    int bad = n != m;
    for (uint32_t k = 0; k < n && !bad; k++) {
        const CopValue *v = &rp->u.callback.args[k];
        bad = v->type != sig[2 + k] || (v->type == COP_C_POINTER && v->handle > (uint64_t)INT64_MAX);
    }
    if (bad) {
        snprintf(why, sizeof why, "nano_cop sent a bad reply: a CALLBACK whose arguments do not match its signature");
        lose(c, 0, why);
        return call_fail(p, "extern call to %s: %s", name, c->gone);
    }
    if ((uint64_t)(p->stack_end - p->sp) < (uint64_t)n + VM_STACK_SLACK)
        return call_fail(p, "stack overflow");
    Value *base = p->sp;
    for (uint32_t k = 0; k < n; k++) {
        const CopValue *v = &rp->u.callback.args[k];
        switch (v->type) {
        case COP_C_DOUBLE: case COP_C_FLOAT: *p->sp++ = v_float(v->f); break;
        case COP_C_BOOL: *p->sp++ = v_bool(v->i != 0); break;
        case COP_C_POINTER: *p->sp++ = v_int((int64_t)v->handle); break;
        case COP_C_STRING: {
            /* earlier arguments are on the stack, so an allocation's collection keeps them */
            ObjString *s = str_new(&p->heap, v->s, v->len);
            if (s == NULL) {
                p->sp = base;
                return call_fail(p, "extern call to %s: %s", name, p->heap.error);
            }
            *p->sp++ = v_obj(T_STR, s);
            break;
        }
        default: *p->sp++ = v_int(v->i); break;
        }
    }
    cop_reader_trim(&c->rd);
    int r = harness_apply(p, cb.func, n);
    if (r != STOP_RETURN) {
        /* the program failed (or halted) in the callback: C cannot be resumed, so nano_cop
         * exits; the error stays the callback's */
        if (c->req >= 0) {
            cop_buf_start(&c->buf, COP_CALLBACK_FAIL);
            send_frame(c);
        }
        lose(c, 1, "nano_cop did not exit after a failed callback");
        snprintf(c->gone, sizeof c->gone, "a callback failed earlier");
        return r == STOP_HALT ? -2 : -1;
    }
    uint8_t rt = sig[0];
    CopValue out = {.type = rt};
    if (rt != COP_C_VOID) {
        Value res = p->sp[-1];
        p->sp = base;
        int64_t lo, hi;
        switch (rt) {
        case COP_C_DOUBLE: case COP_C_FLOAT: out.f = res.as.f; break;
        case COP_C_BOOL: out.i = res.as.i != 0; break;
        case COP_C_POINTER:
            if (res.as.i < 0)
                return call_fail(p, "extern call to %s: the callback returned the invalid handle %lld",
                                 name, (long long)res.as.i);
            out.handle = (uint64_t)res.as.i;
            break;
        default:
            if (!int_fits(rt, res.as.i, &lo, &hi))
                return call_fail(p, "extern call to %s: the callback's result %lld is out of the "
                                    "range of C type %s (%lld to %lld)",
                                 name, (long long)res.as.i, cop_ctype_name(rt, tb, sizeof tb),
                                 (long long)lo, (long long)hi);
            out.i = res.as.i;
            break;
        }
    } else {
        p->sp = base;
    }
    cop_buf_start(&c->buf, COP_CALLBACK_RETURN);
    cop_put_value(&c->buf, &out, 0);
    if (exchange(c, rp) != 0) return call_fail(p, "extern call to %s: %s", name, c->gone);
    return 0;
}

static int extern_call(Process *p);

int cop_extern_call(Process *p) {
    struct CopClient *c = p->cop;
    size_t base = c != NULL ? c->ncbs : 0;
    int r = extern_call(p);
    c = p->cop;
    if (c != NULL) c->ncbs = base; /* the callbacks of this call are over */
    return r;
}

static int extern_call(Process *p) {
    const Program *prog = p->prog;
    uint32_t i = p->trap_import;
    const Import *imp = &prog->imports[i];
    const char *name = import_name(p);
    if (imp->nparams > COP_MAX_PARAMS)
        return call_fail(p, "extern call to %s: %u parameters (the limit is %u)", name,
                         imp->nparams, COP_MAX_PARAMS);
    Value *args = p->sp - imp->nparams;
    for (uint32_t k = 0; k < imp->nparams; k++) {
        if (imp->param_kinds[k] == NVM_VK_STRING && args[k].tag != T_STR)
            return call_fail(p, "type error: CALL_EXTERN expects string, got %s",
                             value_tag_name(args[k].tag));
        if (imp->param_kinds[k] == NVM_VK_FUNC && args[k].tag == T_CLO)
            return call_fail(p, "extern call to %s: a closure (a function value with captured "
                             "values) cannot be passed to C", name);
        if (imp->param_kinds[k] == NVM_VK_FUNC && args[k].tag != T_FN)
            return call_fail(p, "type error: CALL_EXTERN expects function, got %s",
                             value_tag_name(args[k].tag));
    }

    struct CopClient *c = p->cop;
    if (c == NULL) {
        c = calloc(1, sizeof *c);
        if (c != NULL) c->bound = calloc(prog->nimports ? prog->nimports : 1, sizeof *c->bound);
        if (c == NULL || c->bound == NULL) {
            free(c);
            return call_fail(p, "extern call to %s: out of memory", name);
        }
        c->req = c->rep = -1;
        p->cop = c;
        p->cop_close = cop_close;
        char err[400];
        if (start(p, c, err, sizeof err) != 0) {
            snprintf(c->gone, sizeof c->gone, "%s", err);
            return call_fail(p, "extern call to %s: %s", name, err);
        }
    }
    if (c->gone[0] != '\0') return call_fail(p, "extern call to %s: %s", name, c->gone);
    harness_flush(p); /* the program's output so far comes before the C code's */
    if (c->bound[i] == 0 && bind_import(p, c, i) != 0) return -1;

    uint64_t total = 0;
    cop_buf_start(&c->buf, COP_CALL);
    cop_put_u32(&c->buf, c->bound[i] - 1u);
    cop_put_u32(&c->buf, imp->nparams);
    for (uint32_t k = 0; k < imp->nparams; k++) {
        CopValue v = {.type = param_ctype(imp, k)};
        Value a = args[k];
        int64_t lo, hi;
        char tb[32];
        switch (imp->param_kinds[k]) {
        case NVM_VK_INT:
            if (!int_fits(v.type, a.as.i, &lo, &hi))
                return call_fail(p, "extern call to %s: argument %u: %lld is out of the range of "
                                    "C type %s (%lld to %lld)",
                                 name, k + 1, (long long)a.as.i,
                                 cop_ctype_name(v.type, tb, sizeof tb), (long long)lo,
                                 (long long)hi);
            v.i = a.as.i;
            break;
        case NVM_VK_FLOAT: v.f = a.as.f; break;
        case NVM_VK_BOOL: v.i = a.as.i != 0; break;
        case NVM_VK_OPAQUE:
            if (a.as.i < 0)
                return call_fail(p, "extern call to %s: argument %u: invalid handle %lld (never "
                                    "issued by this co-process)",
                                 name, k + 1, (long long)a.as.i);
            v.handle = (uint64_t)a.as.i;
            break;
        case NVM_VK_STRING: {
            const ObjString *s = AS_STR(a);
            size_t n = strnlen(s->bytes, (size_t)s->len); /* C sees the bytes up to a NUL */
            total += n;
            if (total > COP_MAX_FRAME)
                return call_fail(p, "extern call to %s: the string arguments are too large "
                                    "(more than %u bytes)",
                                 name, COP_MAX_FRAME);
            v.s = s->bytes;
            v.len = (uint32_t)n;
            break;
        }
        case NVM_VK_FUNC: {
            if (c->ncbs == c->cbs_cap) {
                size_t cap = c->cbs_cap ? c->cbs_cap * 2 : 8;
                struct CopCb *t = realloc(c->cbs, cap * sizeof *t);
                if (t == NULL) return call_fail(p, "extern call to %s: out of memory", name);
                c->cbs = t;
                c->cbs_cap = cap;
            }
            c->cbs[c->ncbs] = (struct CopCb){(uint32_t)a.as.i, i, k};
            v.handle = c->ncbs++;
            break;
        }
        default: break;
        }
        cop_put_value(&c->buf, &v, 1); /* strings are written from the heap: nothing allocates */
    }
    if (cop_buf_size(&c->buf) > COP_MAX_FRAME)
        return call_fail(p, "extern call to %s: the arguments are too large (more than %u bytes)",
                         name, COP_MAX_FRAME);
    CopReply rp;
    if (exchange(c, &rp) != 0) return call_fail(p, "extern call to %s: %s", name, c->gone);
    while (rp.type == COP_CALLBACK) {
        int r = run_callback(p, c, &rp, name);
        if (r != 0) return r;
    }
    if (rp.type == COP_ERROR) {
        char msg[400];
        clean_copy(msg, sizeof msg, rp.u.error.message, rp.u.error.len);
        cop_reader_trim(&c->rd);
        return call_fail(p, "extern call to %s: %s", name, msg);
    }
    uint8_t want = ret_ctype(imp);
    if (rp.type != COP_RESULT || rp.u.result.value.type != want ||
        (want == COP_C_POINTER && rp.u.result.value.handle > (uint64_t)INT64_MAX)) {
        char why[200], tb[32];
        if (rp.type != COP_RESULT)
            snprintf(why, sizeof why, "nano_cop sent a bad reply: message 0x%02x to CALL", rp.type);
        else
            snprintf(why, sizeof why, "nano_cop sent a bad reply: a result of type %s",
                     cop_ctype_name(rp.u.result.value.type, tb, sizeof tb));
        lose(c, 0, why);
        return call_fail(p, "extern call to %s: %s", name, c->gone);
    }
    const CopValue *r = &rp.u.result.value;
    p->sp -= imp->nparams;
    switch (want) {
    case COP_C_VOID: break;
    case COP_C_INT8: case COP_C_INT16: case COP_C_INT32: case COP_C_INT64: case COP_C_UINT8:
    case COP_C_UINT16: case COP_C_UINT32: case COP_C_UINT64: case COP_C_SIZE_T: case COP_C_LONG:
    case COP_C_INT: *p->sp++ = v_int(r->i); break;
    case COP_C_DOUBLE: case COP_C_FLOAT: *p->sp++ = v_float(r->f); break;
    case COP_C_BOOL: *p->sp++ = v_bool(r->i != 0); break;
    case COP_C_POINTER: *p->sp++ = v_int((int64_t)r->handle); break;
    case COP_C_STRING: {
        ObjString *s = str_new(&p->heap, r->s, r->len);
        cop_reader_trim(&c->rd);
        if (s == NULL) return call_fail(p, "extern call to %s: %s", name, p->heap.error);
        *p->sp++ = v_obj(T_STR, s);
        break;
    }
    default: break;
    }
    return 0;
}

void cop_close(Process *p) {
    struct CopClient *c = p->cop;
    if (c == NULL) return;
    p->cop = NULL;
    /* end of input for nano_cop: it exits (its exit handlers run, C stdio is flushed) */
    lose(c, 1, "nano_cop did not exit at the end of the program");
    cop_buf_free(&c->buf);
    cop_reader_free(&c->rd);
    free(c->bound);
    free(c->cbs);
    free(c);
}
