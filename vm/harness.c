/* harness.c: runs a process: alternates the pure core with servicing its traps (all of the VM's
 * I/O is here), buffers the process's output, and reports runtime errors with a stack trace. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cop_client.h"
#include "interp.h"
#include "isa.h"
#include "nvm_format.h"
#include "object.h"
#include "image.h"
#include "shadow.h"

/* ---- buffered output --------------------------------------------------------------------- */

#define OUT_BUF_SIZE ((size_t)64 << 10)

static void write_all(OutBuf *o, const char *s, size_t n) {
    while (n > 0 && !o->failed) {
        ssize_t w = write(o->fd, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            o->failed = errno ? errno : EIO; /* the PRINT trap turns this into an error */
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void out_flush(OutBuf *o) {
    if (o->len > 0) write_all(o, o->buf, o->len);
    o->len = 0;
}

static void out_write(OutBuf *o, const char *s, size_t n) {
    if (o->buf == NULL) {
        o->buf = malloc(OUT_BUF_SIZE);
        if (o->buf == NULL) {
            write_all(o, s, n);
            return;
        }
        o->cap = OUT_BUF_SIZE;
    }
    if (n > o->cap - o->len) {
        out_flush(o);
        if (n >= o->cap) {
            write_all(o, s, n);
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void harness_flush(Process *p) {
    out_flush(&p->out);
    out_flush(&p->err);
}

static void err_printf(Process *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_printf(Process *p, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    out_write(&p->err, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- traps -------------------------------------------------------------------------------- */

static int trap_fail(Process *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int trap_fail(Process *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, ap);
    va_end(ap);
    p->error_pc = p->trap_pc;
    return -1;
}

static int expect_str(Process *p, Value v, const char *trap) {
    if (v.tag == T_STR) return 0;
    return trap_fail(p, "type error: TRAP %s expects a string", trap);
}

/* Output that could not be written is a runtime error: -1 (error recorded) when the process's
 * standard output or error has failed, else 0. */
static int lost_output(Process *p) {
    if (p->out.failed)
        return trap_fail(p, "cannot write to standard output: %s", strerror(p->out.failed));
    if (p->err.failed)
        return trap_fail(p, "cannot write to standard error: %s", strerror(p->err.failed));
    return 0;
}

/* A path from a string: NULL (and errno EINVAL) when it contains a NUL byte. */
static const char *path_of(Value v) {
    ObjString *s = AS_STR(v);
    if (strlen(s->bytes) != (size_t)s->len) return NULL;
    return s->bytes;
}

/* Read a whole file into a malloc'd buffer; returns 0 or an errno value. */
static int read_whole(const char *path, char **data, size_t *len) {
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return EISDIR;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int err = 0;
    while (buf != NULL) {
        if (n == cap) {
            char *b = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (b == NULL) {
                err = ENOMEM;
                break;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    if (buf == NULL) err = ENOMEM;
    close(fd);
    if (err != 0) {
        free(buf);
        return err;
    }
    *data = buf;
    *len = n;
    return 0;
}

static int write_whole(const char *path, const char *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return errno;
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            return e;
        }
        data += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0) return errno;
    return 0;
}

/* Next line of the process's stdin into p->in_buf[0..*len); returns 0 at end of input. */
static int read_line(Process *p, size_t *len) {
    for (;;) {
        char *nl = p->in_len ? memchr(p->in_buf, '\n', p->in_len) : NULL;
        if (nl != NULL) {
            *len = (size_t)(nl - p->in_buf);
            return 1;
        }
        if (p->in_eof) {
            *len = p->in_len;
            return p->in_len > 0;
        }
        if (p->in_len == p->in_cap) {
            size_t cap = p->in_cap ? p->in_cap * 2 : 4096;
            char *b = realloc(p->in_buf, cap);
            if (b == NULL) {
                p->in_eof = 1;
                continue;
            }
            p->in_buf = b;
            p->in_cap = cap;
        }
        ssize_t r = read(p->in_fd, p->in_buf + p->in_len, p->in_cap - p->in_len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) p->in_eof = 1;
        else p->in_len += (size_t)r;
    }
}

/* Drop the line just returned by read_line (and its newline) from the input buffer. */
static void consume_line(Process *p, size_t len) {
    size_t n = len < p->in_len ? len + 1 : len;
    memmove(p->in_buf, p->in_buf + n, p->in_len - n);
    p->in_len -= n;
}

static int push_str(Process *p, const char *s, size_t n) {
    ObjString *o = str_new(&p->heap, s, n);
    if (o == NULL) return trap_fail(p, "%s", p->heap.error);
    *p->sp++ = v_obj(T_STR, o);
    return 0;
}

/* Service the trap the core stopped on (p->trap_no or p->trap_import): pop its operands, do
 * the effect, push its results.  Returns 0 to resume the core, or -1 with a runtime error
 * recorded (p->error, p->error_pc). */
static int service(Process *p) {
    if (p->trap_import != NVM_NONE) return cop_extern_call(p);
    Value *sp = p->sp;
    switch ((TrapNo)p->trap_no) {
    case TRAP_PRINT:
    case TRAP_EPRINT: {
        if (expect_str(p, sp[-1], isa_traps[p->trap_no].name) != 0) return -1;
        ObjString *s = AS_STR(sp[-1]);
        if (p->trap_no == TRAP_PRINT) {
            out_write(&p->out, s->bytes, (size_t)s->len);
        } else {
            out_flush(&p->out);
            out_write(&p->err, s->bytes, (size_t)s->len);
            out_flush(&p->err);
        }
        if (lost_output(p) != 0) return -1;
        p->sp--;
        return 0;
    }
    case TRAP_ARG_COUNT: *p->sp++ = v_int(p->argc); return 0;
    case TRAP_ARG: {
        int64_t i = sp[-1].as.i;
        if (i < 0 || i >= p->argc)
            return trap_fail(p, "get_argv: index %lld out of range", (long long)i);
        p->sp--;
        return push_str(p, p->argv[i], strlen(p->argv[i]));
    }
    case TRAP_READ_FILE: {
        if (expect_str(p, sp[-1], "READ_FILE") != 0) return -1;
        const char *path = path_of(sp[-1]);
        char *data = NULL;
        size_t len = 0;
        int err = path == NULL ? EINVAL : read_whole(path, &data, &len);
        p->sp--;
        int r = push_str(p, data ? data : "", len);
        free(data);
        if (r != 0) return -1;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_WRITE_FILE: {
        if (expect_str(p, sp[-2], "WRITE_FILE") != 0 || expect_str(p, sp[-1], "WRITE_FILE") != 0)
            return -1;
        const char *path = path_of(sp[-2]);
        ObjString *data = AS_STR(sp[-1]);
        int err = path == NULL ? EINVAL : write_whole(path, data->bytes, (size_t)data->len);
        p->sp -= 2;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_FILE_EXISTS: {
        if (expect_str(p, sp[-1], "FILE_EXISTS") != 0) return -1;
        const char *path = path_of(sp[-1]);
        struct stat st;
        sp[-1] = v_bool(path != NULL && stat(path, &st) == 0);
        return 0;
    }
    case TRAP_GETENV: {
        if (expect_str(p, sp[-1], "GETENV") != 0) return -1;
        const char *name = path_of(sp[-1]);
        const char *v = name ? getenv(name) : NULL;
        p->sp--;
        return push_str(p, v ? v : "", v ? strlen(v) : 0);
    }
    case TRAP_CLOCK_NS: {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        *p->sp++ = v_int((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
        return 0;
    }
    case TRAP_READ_LINE: {
        out_flush(&p->out);
        size_t len = 0;
        int ok = read_line(p, &len);
        if (push_str(p, p->in_buf ? p->in_buf : "", ok ? len : 0) != 0) return -1;
        if (ok) consume_line(p, len);
        *p->sp++ = v_bool(ok);
        return 0;
    }
    case TRAP_RUN_TESTS: {
        if (expect_str(p, sp[-1], "RUN_TESTS") != 0) return -1;
        if (p->nesting >= VM_MAX_NESTING)
            return trap_fail(p, "run_shadow_tests: programs nested more than %d deep", VM_MAX_NESTING);
        ObjString *image = AS_STR(sp[-1]);
        harness_flush(p);
        char *report = shadow_run_image((const uint8_t *)image->bytes, (size_t)image->len,
                                        p->nesting + 1);
        if (report == NULL) return trap_fail(p, "out of memory (running shadow tests)");
        p->sp--;
        int r = push_str(p, report, strlen(report));
        free(report);
        return r;
    }
    case TRAP_RUN_PROGRAM: {
        if (expect_str(p, sp[-2], "RUN_PROGRAM") != 0) return -1;
        if (sp[-1].tag != T_ARR) return trap_fail(p, "type error: TRAP RUN_PROGRAM expects an array");
        if (p->nesting >= VM_MAX_NESTING)
            return trap_fail(p, "run_program: programs nested more than %d deep", VM_MAX_NESTING);
        ObjString *image = AS_STR(sp[-2]);
        ObjArray *args = AS_ARR(sp[-1]);
        char **argv = calloc((size_t)args->len + 1, sizeof *argv);
        if (argv == NULL) return trap_fail(p, "out of memory (running a program)");
        for (int64_t i = 0; i < args->len; i++) {
            Value arg = arr_get(args, i);
            if (arg.tag != T_STR) {
                free(argv);
                return trap_fail(p, "type error: TRAP RUN_PROGRAM expects an array of strings");
            }
            argv[i] = AS_STR(arg)->bytes;
        }
        harness_flush(p);
        int status = image_run((const uint8_t *)image->bytes, (size_t)image->len, (int)args->len,
                               argv, p->in_fd, p->out.fd, p->err.fd, p->nesting + 1);
        free(argv);
        p->sp -= 2;
        *p->sp++ = v_int(status);
        return 0;
    }
    case TRAP__COUNT: break;
    }
    return trap_fail(p, "invalid trap %u", p->trap_no); /* unreachable for verified code */
}

/* ---- runtime errors ---------------------------------------------------------------------- */

/* "FILE:LINE" of absolute pc in function f, or NULL when the program has no line for it. */
static const char *where(const Process *p, uint32_t f, uint32_t pc, char *buf, size_t n) {
    const Program *prog = p->prog;
    const Function *fn = &prog->funcs[f];
    if (pc < fn->code_start || pc - fn->code_start >= fn->code_len) return NULL;
    uint32_t line = program_line_at(prog, f, pc - fn->code_start);
    if (fn->file == NVM_NONE || line == 0) return NULL;
    snprintf(buf, n, "%s:%u", program_str(prog, fn->file), line);
    return buf;
}

static void trace_line(Process *p, size_t i, uint32_t pc) {
    const Program *prog = p->prog;
    uint32_t f = p->frames[i].func;
    char loc[300];
    const char *w = where(p, f, pc, loc, sizeof loc);
    if (w != NULL)
        err_printf(p, "  at %s (%s)\n", program_str(prog, prog->funcs[f].name), w);
    else
        err_printf(p, "  at %s (+%u)\n", program_str(prog, prog->funcs[f].name),
                   pc - prog->funcs[f].code_start);
}

#define TRACE_EDGE 10 /* frames shown at each end of a long stack trace */

/* Print the recorded runtime error as "FILE:LINE: error: MESSAGE" and a stack trace to the
 * process's stderr (flushing its stdout first); keeps "FILE:LINE" in p->error_where. */
static void report_error(Process *p) {
    out_flush(&p->out);
    const char *prog_name = p->argc > 0 ? p->argv[0] : "nano_vm";
    char loc[300];
    const char *w = NULL;
    if (p->nframes > 0) w = where(p, p->frames[p->nframes - 1].func, p->error_pc, loc, sizeof loc);
    snprintf(p->error_where, sizeof p->error_where, "%s", w ? w : "");
    err_printf(p, "%s: error: %s\n", w ? w : prog_name, p->error);
    size_t n = p->nframes;
    for (size_t k = 0; k < n; k++) {
        size_t i = n - 1 - k; /* innermost first */
        if (k == TRACE_EDGE && n > 2 * TRACE_EDGE) {
            err_printf(p, "  ... %zu more frames ...\n", n - 2 * TRACE_EDGE);
            k = n - TRACE_EDGE - 1;
            continue;
        }
        uint32_t pc = i == n - 1 ? p->error_pc : p->frames[i + 1].ret_pc - 1;
        trace_line(p, i, pc);
    }
    out_flush(&p->err);
}

/* ---- the profile ------------------------------------------------------------------------- */

#define PROFILE_ROWS 25

void harness_print_profile(Process *p) {
    const Program *prog = p->prog;
    if (p->prof_instrs == NULL) return;
    uint64_t total = 0;
    for (uint32_t f = 0; f < prog->nfuncs; f++) total += p->prof_instrs[f];
    err_printf(p, "profile: %llu instructions\n%14s %6s %12s  %s\n", (unsigned long long)total,
               "instructions", "%", "calls", "function");
    /* the PROFILE_ROWS heaviest functions, heaviest first (ties: lower function index) */
    uint64_t last = UINT64_MAX;
    uint32_t last_f = 0;
    for (int row = 0; row < PROFILE_ROWS; row++) {
        int64_t best = -1;
        for (uint32_t f = 0; f < prog->nfuncs; f++) {
            uint64_t n = p->prof_instrs[f];
            if (n == 0 || n > last || (n == last && f <= last_f)) continue;
            if (best < 0 || n > p->prof_instrs[best]) best = f;
        }
        if (best < 0) break;
        const Function *fn = &prog->funcs[best];
        uint64_t n = p->prof_instrs[best];
        char where[300] = "";
        if (fn->file != NVM_NONE) snprintf(where, sizeof where, " (%s:%u)", program_str(prog, fn->file), fn->line);
        err_printf(p, "%14llu %5.1f%% %12llu  %s%s\n", (unsigned long long)n,
                   total ? 100.0 * (double)n / (double)total : 0.0,
                   (unsigned long long)p->prof_calls[best], program_str(prog, fn->name), where);
        last = n;
        last_f = (uint32_t)best;
    }
    out_flush(&p->err);
}

/* ---- running a process ------------------------------------------------------------------ */

/* Enter function f (no arguments) from the harness and run it until it returns, halts or
 * fails, servicing traps on the way.  On STOP_RETURN the result (if any) is left on the stack. */
static StopReason run_function(Process *p, uint32_t f) {
    const Function *fn = &p->prog->funcs[f];
    if (p->nframes == p->max_frames ||
        (uint64_t)(p->stack_end - p->sp) < (uint64_t)fn->nlocals + fn->max_stack + VM_STACK_SLACK) {
        process_fail(p, "stack overflow");
        p->error_pc = fn->code_start;
        return STOP_ERROR;
    }
    Frame *fr = &p->frames[p->nframes++];
    fr->func = f;
    fr->ret_pc = VM_RET_TO_HARNESS;
    fr->base = p->sp;
    for (uint32_t i = 0; i < fn->nlocals; i++) *p->sp++ = v_unit();
    p->pc = fn->code_start;
    for (;;) {
        StopReason r = p->prof_instrs ? vm_core_run_profiled(p) : vm_core_run(p);
        if (r != STOP_TRAP) return r;
        if (service(p) != 0) return STOP_ERROR;
    }
}

/* Finish a run that stopped with r: report an error, and return the exit status. */
static int finish(Process *p, StopReason r) {
    if (r == STOP_ERROR) {
        report_error(p);
        p->exit_status = VM_EXIT_RUNTIME_ERROR;
    }
    return p->exit_status;
}

int harness_run(Process *p) {
    const Program *prog = p->prog;
    StopReason r = STOP_RETURN;
    p->exit_status = 0;
    if (prog->init != NVM_NONE) {
        r = run_function(p, prog->init);
        p->sp = p->stack;
    }
    if (r == STOP_RETURN) {
        r = run_function(p, prog->entry);
        if (r == STOP_RETURN) {
            if (prog->funcs[prog->entry].nret == 1) p->exit_status = (int)(p->sp[-1].as.i & 255);
            p->sp = p->stack;
        }
    }
    harness_flush(p);
    if (r != STOP_ERROR && lost_output(p) != 0) {
        /* the output buffered until the end could not be written: an error after the fact (where
         * the program was no longer matters) */
        r = STOP_ERROR;
        p->nframes = 0;
    }
    int status = finish(p, r);
    harness_flush(p);
    cop_close(p); /* the program is over: so is its co-process (on the thread that started it) */
    return status;
}

int harness_call(Process *p, uint32_t func) {
    size_t depth = p->nframes;
    Value *sp = p->sp;
    p->exit_status = 0;
    StopReason r = run_function(p, func);
    int status = r == STOP_RETURN ? 0 : finish(p, r);
    p->nframes = depth;
    p->sp = sp;
    harness_flush(p);
    return status;
}
