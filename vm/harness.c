/* harness.c: runs a process: alternates the pure core with servicing its traps (all of the VM's
 * I/O is here), buffers the process's output, and reports runtime errors with a stack trace. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "cop_client.h"
#include "fileio.h"
#include "interp.h"
#include "isa.h"
#include "nvm_format.h"
#include "object.h"
#include "image.h"
#include "shadow.h"
#include "sysio.h"

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

/* The path the file functions (vm/fileio.c, which know no directory descriptors) are given for
 * path (NULL: none) as the process sees it: a relative path is resolved against the process's
 * working directory through that descriptor's entry in /proc/self/fd (the VM runs on Linux).
 * The result is path itself or buf; NULL when path is NULL or too long for buf.  An empty path
 * stays empty (no such file), as in the native runtime, rather than naming the directory. */
static const char *at_cwd(const Process *p, const char *path, char *buf, size_t n) {
    if (path == NULL || path[0] == '/' || path[0] == '\0' || p->cwd_fd < 0) return path; /* "": ENOENT */
    int w = snprintf(buf, n, "/proc/self/fd/%d/%s", p->cwd_fd, path);
    return w > 0 && (size_t)w < n ? buf : NULL;
}

/* ---- standard input ---------------------------------------------------------------------- */

/* READ_LINE reads standard input through the process's InStream, which the programs it starts
 * share, so that what one has read ahead is what the next one reads.  Beyond the VM's own
 * processes:
 *   - a seekable input (a file) is read ahead in blocks, and what was read ahead is given back
 *     (the descriptor's offset moved back to just after the last line returned) before an
 *     extern call and when the process that owns the stream ends, so that C code in the
 *     co-process and whatever reads the descriptor after nano_vm continue exactly there;
 *   - a pipe or terminal is read ahead in blocks too, except by a program with extern functions,
 *     which reads it a byte at a time (never past the line), so that its C code misses nothing. */

static int in_seekable(InStream *in) {
    if (in->seekable < 0) in->seekable = lseek(in->fd, 0, SEEK_CUR) >= 0;
    return in->seekable;
}

/* Give back what has been read ahead and not returned, when the input is seekable. */
static void in_give_back(InStream *in) {
    size_t ahead = in->len - in->start;
    if (ahead == 0 || !in_seekable(in)) return;
    if (ahead <= (size_t)INT64_MAX && lseek(in->fd, -(off_t)ahead, SEEK_CUR) >= 0) {
        in->start = in->len = 0;
        in->eof = 0;
    }
}

/* Waits until fd is readable or the process is cancelled: 0, or -1 when cancelled. */
static int wait_input(Process *p, int fd) {
    if (p->cancel == NULL) return 0;
    for (;;) {
        if (vm_cancel_is_set(p->cancel)) return -1;
        struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = p->cancel->rfd, .events = POLLIN}};
        int r = poll(fds, 2, -1);
        if (r < 0 && errno != EINTR) return 0; /* let read report it */
        if (r > 0 && fds[1].revents != 0) return -1;
        if (r > 0 && fds[0].revents != 0) return 0;
    }
}

/* Room in standard input's buffer for more bytes: the unread ones moved to its front, and its
 * capacity doubled when it is full.  0, or -1 (a runtime error recorded, naming what: "standard
 * input" or "a line of standard input") when the unread bytes are more than left (what is left
 * of the heap) or the system refuses the memory. */
static int in_make_room(Process *p, InStream *in, size_t left, const char *what) {
    size_t have = in->len - in->start;
    if (have > left)
        return trap_fail(p, "out of memory (heap limit %zu bytes; %s is longer than what is left)",
                         p->heap.max, what);
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, have);
        in->start = 0;
        in->len = have;
    }
    if (in->len == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 4096;
        char *nb = cap > in->cap ? realloc(in->buf, cap) : NULL;
        if (nb == NULL)
            return trap_fail(p, "out of memory (the system refused %zu bytes for %s)", cap, what);
        in->buf = nb;
        in->cap = cap;
    }
    return 0;
}

/* The next line of standard input: 1 with *line and *len (without the newline) and *used (the
 * bytes to consume, with the newline), 0 at end of input, -1 (a runtime error recorded) when the
 * line does not fit in what is left of the heap or no memory is left to buffer it. */
static int read_line(Process *p, const char **line, size_t *len, size_t *used) {
    InStream *in = p->in;
    size_t left = p->heap.max > p->heap.bytes ? p->heap.max - p->heap.bytes : 0;
    for (;;) {
        char *b = in->buf != NULL ? in->buf + in->start : NULL; /* NULL: nothing read yet */
        size_t have = in->len - in->start;
        char *nl = have > 0 ? memchr(b, '\n', have) : NULL;
        if (nl != NULL || in->eof) {
            *line = b;
            *len = nl != NULL ? (size_t)(nl - b) : have;
            *used = nl != NULL ? *len + 1 : have;
            return nl != NULL || have > 0;
        }
        if (in_make_room(p, in, left, "a line of standard input") != 0) return -1;
        if (wait_input(p, in->fd) != 0) return trap_fail(p, "cancelled");
        size_t want = in->cap - in->len;
        if (p->prog->nimports > 0 && !in_seekable(in)) want = 1; /* never past the line */
        ssize_t r = read(in->fd, in->buf + in->len, want);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) in->eof = 1;
        else in->len += (size_t)r;
    }
}

/* The options of a nested program or shadow test (process_child_options).  A caller that holds
 * more than half its heap limit is collected first, so that the child gets what the caller's
 * live objects leave rather than what its garbage leaves (below half, the child has at least
 * half the limit, and the collection's time is saved). */
static void child_options(Process *p, ProcessOptions *o) {
    if (p->heap.bytes > p->heap.max / 2) heap_collect(&p->heap);
    process_child_options(p, o);
}

/* Charge the instructions a nested program or the shadow tests executed to the caller: -1 (a
 * runtime error recorded) when that leaves it no steps. */
static int charge_steps(Process *p, uint64_t used) {
    p->steps = used > UINT64_MAX - p->steps ? UINT64_MAX : p->steps + used;
    uint64_t limit = process_step_limit(p);
    if (limit > 0 && p->steps >= limit)
        return trap_fail(p, "step limit of %llu instructions reached", (unsigned long long)limit);
    return 0;
}

/* The value of environment variable name in the process's own environment, or NULL. */
static const char *env_get(Process *p, const char *name) {
    size_t n = strlen(name);
    if (n == 0 || memchr(name, '=', n) != NULL) return NULL;
    for (char **e = p->env; e != NULL && *e != NULL; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

static int push_str(Process *p, const char *s, size_t n) {
    ObjString *o = str_new(&p->heap, s, n);
    if (o == NULL) return trap_fail(p, "%s", p->heap.error);
    *p->sp++ = v_obj(T_STR, o);
    return 0;
}

/* Sets name to value in the process's own environment: 0, or ENOMEM. */
static int env_set(Process *p, const char *name, const char *value) {
    size_t n = strlen(name), v = strlen(value);
    char *entry = malloc(n + v + 2);
    if (entry == NULL) return ENOMEM;
    memcpy(entry, name, n);
    entry[n] = '=';
    memcpy(entry + n + 1, value, v + 1);
    size_t count = 0;
    for (; p->env != NULL && p->env[count] != NULL; count++)
        if (strncmp(p->env[count], name, n) == 0 && p->env[count][n] == '=') {
            free(p->env[count]);
            p->env[count] = entry;
            return 0;
        }
    char **env = realloc(p->env, (count + 2) * sizeof *env);
    if (env == NULL) {
        free(entry);
        return ENOMEM;
    }
    env[count] = entry;
    env[count + 1] = NULL;
    p->env = env;
    return 0;
}

/* Pushes a new array of the n strings names: 0, or -1 with a runtime error recorded. */
static int push_names(Process *p, char **names, size_t n) {
    ObjArray *a = arr_new(&p->heap, 0, v_unit());
    if (a == NULL) return trap_fail(p, "%s", p->heap.error);
    *p->sp++ = v_obj(T_ARR, a); /* rooted on the stack */
    for (size_t i = 0; i < n; i++) {
        ObjString *s = str_new(&p->heap, names[i], strlen(names[i]));
        if (s == NULL || arr_push(&p->heap, a, v_obj(T_STR, s)) != 0)
            return trap_fail(p, "%s", p->heap.error);
    }
    return 0;
}

/* Reads standard input to its end into the process's InStream: 0, or -1 (a runtime error
 * recorded) when it does not fit in what is left of the heap. */
static int read_rest(Process *p) {
    InStream *in = p->in;
    size_t left = p->heap.max > p->heap.bytes ? p->heap.max - p->heap.bytes : 0;
    while (!in->eof) {
        if (in_make_room(p, in, left, "standard input") != 0) return -1;
        if (wait_input(p, in->fd) != 0) return trap_fail(p, "cancelled");
        ssize_t r = read(in->fd, in->buf + in->len, in->cap - in->len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) in->eof = 1;
        else in->len += (size_t)r;
    }
    return 0;
}

/* RUN_TESTS and RUN_TESTS_STEPS: runs the shadow tests of the image npop values down the stack
 * (a string), each with the step limit test_steps (0: the process's test step limit), within
 * what p has left (child_options), and replaces the npop values with the report; what (the
 * builtin's name) prefixes the nesting error. */
static int run_tests(Process *p, int npop, uint64_t test_steps, const char *what) {
    if (p->nesting >= VM_MAX_NESTING)
        return trap_fail(p, "%s: programs nested more than %d deep", what, VM_MAX_NESTING);
    ObjString *image = AS_STR(p->sp[-npop]);
    harness_flush(p);
    ProcessOptions o;
    child_options(p, &o);
    if (test_steps > 0) o.test_steps = test_steps;
    uint64_t used = 0;
    char *report = shadow_run_image((const uint8_t *)image->bytes, (size_t)image->len, &o, &used);
    if (report == NULL) return trap_fail(p, "out of memory (running shadow tests)");
    if (charge_steps(p, used) != 0) {
        free(report);
        return -1;
    }
    p->sp -= npop;
    int r = push_str(p, report, strlen(report));
    free(report);
    return r;
}

/* Service the trap the core stopped on (p->trap_no or p->trap_import): pop its operands, do
 * the effect, push its results.  Returns 0 to resume the core, or -1 with a runtime error
 * recorded (p->error, p->error_pc). */
static int service(Process *p) {
    if (p->trap_import != NVM_NONE) {
        if (p->read_only)
            return trap_fail(p, "extern call to %s: not allowed in a read-only process",
                             program_str(p->prog, p->prog->imports[p->trap_import].name));
        in_give_back(p->in); /* C code reads on from the last line returned */
        return cop_extern_call(p);
    }
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
        char pbuf[PATH_MAX + 32];
        const char *fpath = at_cwd(p, path, pbuf, sizeof pbuf);
        char *data = NULL;
        size_t len = 0;
        size_t left = p->heap.max > p->heap.bytes ? p->heap.max - p->heap.bytes : 0;
        int err = fpath == NULL ? EINVAL : fileio_read(fpath, left, &data, &len);
        if (err == FILEIO_OVER_BUDGET)
            return trap_fail(p,
                             "out of memory (heap limit %zu bytes; %s is larger than what is left)",
                             p->heap.max, path);
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
        char pbuf[PATH_MAX + 32];
        const char *fpath = at_cwd(p, path, pbuf, sizeof pbuf);
        ObjString *data = AS_STR(sp[-1]);
        int err = fpath == NULL  ? EINVAL
                  : p->read_only ? EROFS
                                 : fileio_write(fpath, data->bytes, (size_t)data->len, 0666 & ~p->umask);
        p->sp -= 2;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_WRITE_EXEC_FILE: {
        if (expect_str(p, sp[-2], "WRITE_EXEC_FILE") != 0 ||
            expect_str(p, sp[-1], "WRITE_EXEC_FILE") != 0)
            return -1;
        const char *path = path_of(sp[-2]);
        char pbuf[PATH_MAX + 32];
        const char *fpath = at_cwd(p, path, pbuf, sizeof pbuf);
        ObjString *data = AS_STR(sp[-1]);
        int err = fpath == NULL  ? EINVAL
                  : p->read_only ? EROFS
                                 : fileio_write_exec(fpath, data->bytes, (size_t)data->len,
                                                     0777 & ~p->umask);
        p->sp -= 2;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_FILE_EXISTS: {
        if (expect_str(p, sp[-1], "FILE_EXISTS") != 0) return -1;
        const char *path = path_of(sp[-1]);
        struct stat st;
        sp[-1] = v_bool(path != NULL && fstatat(p->cwd_fd, path, &st, 0) == 0);
        return 0;
    }
    case TRAP_GETENV: {
        if (expect_str(p, sp[-1], "GETENV") != 0) return -1;
        const char *name = path_of(sp[-1]);
        const char *v = name ? env_get(p, name) : NULL;
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
        const char *line = "";
        size_t len = 0, used = 0;
        int ok = read_line(p, &line, &len, &used);
        if (ok < 0) return -1;
        if (push_str(p, ok ? line : "", ok ? len : 0) != 0) return -1;
        p->in->start += used;
        *p->sp++ = v_bool(ok);
        return 0;
    }
    case TRAP_RUN_TESTS:
        if (expect_str(p, sp[-1], "RUN_TESTS") != 0) return -1;
        return run_tests(p, 1, 0, "run_shadow_tests");
    case TRAP_RUN_TESTS_STEPS:
        if (expect_str(p, sp[-2], "RUN_TESTS_STEPS") != 0) return -1;
        if (sp[-1].tag != T_INT)
            return trap_fail(p, "type error: TRAP RUN_TESTS_STEPS expects an int step limit");
        if (sp[-1].as.i < 0)
            return trap_fail(p, "run_shadow_tests_steps: negative step limit %lld",
                             (long long)sp[-1].as.i);
        return run_tests(p, 2, (uint64_t)sp[-1].as.i, "run_shadow_tests_steps");
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
        ProcessOptions o;
        child_options(p, &o);
        uint64_t used = 0;
        int status = image_run((const uint8_t *)image->bytes, (size_t)image->len, (int)args->len,
                               argv, &o, &used);
        free(argv);
        if (charge_steps(p, used) != 0) return -1;
        p->sp -= 2;
        *p->sp++ = v_int(status);
        return 0;
    }
    case TRAP_FILE_APPEND: {
        if (expect_str(p, sp[-2], "FILE_APPEND") != 0 || expect_str(p, sp[-1], "FILE_APPEND") != 0)
            return -1;
        const char *path = path_of(sp[-2]);
        ObjString *data = AS_STR(sp[-1]);
        int err = path == NULL  ? EINVAL
                  : p->read_only ? EROFS
                                 : sysio_append(p->cwd_fd, path, data->bytes, (size_t)data->len,
                                                0666 & ~p->umask);
        p->sp -= 2;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_FILE_REMOVE:
    case TRAP_DIR_CREATE:
    case TRAP_DIR_REMOVE: {
        if (expect_str(p, sp[-1], isa_traps[p->trap_no].name) != 0) return -1;
        const char *path = path_of(sp[-1]);
        int err = path == NULL                     ? EINVAL
                  : p->read_only                   ? EROFS
                  : p->trap_no == TRAP_FILE_REMOVE ? sysio_remove(p->cwd_fd, path)
                  : p->trap_no == TRAP_DIR_CREATE  ? sysio_dir_create(p->cwd_fd, path, 0777 & ~p->umask)
                                                   : sysio_dir_remove(p->cwd_fd, path);
        sp[-1] = v_int(err);
        return 0;
    }
    case TRAP_FILE_RENAME: {
        if (expect_str(p, sp[-2], "FILE_RENAME") != 0 || expect_str(p, sp[-1], "FILE_RENAME") != 0)
            return -1;
        const char *from = path_of(sp[-2]), *to = path_of(sp[-1]);
        int err = from == NULL || to == NULL ? EINVAL
                  : p->read_only             ? EROFS
                                             : sysio_rename(p->cwd_fd, from, to);
        p->sp -= 2;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_FILE_SIZE: {
        if (expect_str(p, sp[-1], "FILE_SIZE") != 0) return -1;
        const char *path = path_of(sp[-1]);
        sp[-1] = v_int(path == NULL ? -1 : sysio_file_size(p->cwd_fd, path));
        return 0;
    }
    case TRAP_DIR_EXISTS: {
        if (expect_str(p, sp[-1], "DIR_EXISTS") != 0) return -1;
        const char *path = path_of(sp[-1]);
        sp[-1] = v_bool(path != NULL && sysio_dir_exists(p->cwd_fd, path));
        return 0;
    }
    case TRAP_FILE_KIND: {
        if (expect_str(p, sp[-1], "FILE_KIND") != 0) return -1;
        const char *path = path_of(sp[-1]);
        sp[-1] = v_int(path == NULL ? 0 : sysio_file_kind(p->cwd_fd, path));
        return 0;
    }
    case TRAP_DIR_LIST: {
        if (expect_str(p, sp[-1], "DIR_LIST") != 0) return -1;
        const char *path = path_of(sp[-1]);
        char **names = NULL;
        size_t n = 0;
        int err = path == NULL ? EINVAL : sysio_dir_list(p->cwd_fd, path, &names, &n);
        int r = push_names(p, names, n);
        sysio_free_names(names, n);
        if (r != 0) return -1;
        /* [path, names] -> [names, status] */
        p->sp[-2] = p->sp[-1];
        p->sp[-1] = v_int(err);
        return 0;
    }
    case TRAP_GETCWD: {
        char *cwd = sysio_getcwd(p->cwd_fd);
        int r = push_str(p, cwd ? cwd : "", cwd ? strlen(cwd) : 0);
        free(cwd);
        return r;
    }
    case TRAP_TMP_DIR: {
        const char *d = sysio_tmp_dir(env_get(p, "TMPDIR"));
        return push_str(p, d, strlen(d));
    }
    case TRAP_MKTEMP:
    case TRAP_MKTEMP_DIR: {
        if (expect_str(p, sp[-1], isa_traps[p->trap_no].name) != 0) return -1;
        const char *prefix = path_of(sp[-1]);
        char *made = NULL;
        if (prefix != NULL && !p->read_only)
            (void)sysio_mktemp(p->cwd_fd, sysio_tmp_dir(env_get(p, "TMPDIR")), prefix,
                               p->trap_no == TRAP_MKTEMP_DIR, &made);
        p->sp--;
        int r = push_str(p, made ? made : "", made ? strlen(made) : 0);
        free(made);
        return r;
    }
    case TRAP_ENV_HAS: {
        if (expect_str(p, sp[-1], "ENV_HAS") != 0) return -1;
        const char *name = path_of(sp[-1]);
        sp[-1] = v_bool(name != NULL && env_get(p, name) != NULL);
        return 0;
    }
    case TRAP_SETENV: {
        if (expect_str(p, sp[-2], "SETENV") != 0 || expect_str(p, sp[-1], "SETENV") != 0) return -1;
        const char *name = path_of(sp[-2]), *value = path_of(sp[-1]);
        int err = name == NULL || value == NULL || !sysio_env_name_ok(name) ? EINVAL
                                                                             : env_set(p, name, value);
        p->sp -= 2;
        *p->sp++ = v_int(err);
        return 0;
    }
    case TRAP_STDIN_EOF: {
        out_flush(&p->out);
        const char *line;
        size_t len, used;
        int ok = read_line(p, &line, &len, &used); /* nothing consumed */
        if (ok < 0) return -1;
        *p->sp++ = v_bool(!ok);
        return 0;
    }
    case TRAP_READ_ALL: {
        out_flush(&p->out);
        if (read_rest(p) != 0) return -1;
        InStream *in = p->in;
        if (push_str(p, in->buf ? in->buf + in->start : "", in->len - in->start) != 0) return -1;
        in->start = in->len;
        return 0;
    }
    case TRAP_TIME_NOW: *p->sp++ = v_int(sysio_time_now()); return 0;
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

/* Run the core until it stops.  Both cores poll the cancel flag at calls and backward jumps
 * (vm/interp.c), and stop with the runtime error "cancelled" once it is set. */
static StopReason run_core(Process *p) {
    return p->prof_instrs ? vm_core_run_profiled(p) : vm_core_run(p);
}

/* Enter function f from the harness, its nargs arguments on top of the stack, and run it until
 * it returns, halts or fails, servicing traps on the way.  On STOP_RETURN the result (if any)
 * is left on the stack. */
static StopReason run_function_args(Process *p, uint32_t f, uint32_t nargs) {
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
    fr->base = p->sp - nargs;
    for (uint32_t i = nargs; i < fn->nlocals; i++) *p->sp++ = v_unit();
    p->pc = fn->code_start;
    for (;;) {
        StopReason r = run_core(p);
        if (r != STOP_TRAP) return r;
        int s = service(p);
        if (s == -2) return STOP_HALT; /* the program halted inside a callback */
        if (s != 0) return STOP_ERROR;
        if (vm_cancel_is_set(p->cancel)) {
            process_fail(p, "cancelled");
            p->error_pc = p->trap_pc;
            return STOP_ERROR;
        }
    }
}

static StopReason run_function(Process *p, uint32_t f) { return run_function_args(p, f, 0); }

/* Finish a run that stopped with r: report an error, and return the exit status. */
static int finish(Process *p, StopReason r) {
    if (r == STOP_ERROR && vm_cancel_is_set(p->cancel)) {
        p->exit_status = VM_EXIT_CANCELLED; /* asked for: not reported as an error */
    } else if (r == STOP_ERROR) {
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
    if (p->in == &p->own_in) in_give_back(p->in); /* whoever reads next reads on from here */
    return status;
}

int harness_apply(Process *p, uint32_t func, uint32_t nargs) {
    const Function *fn = &p->prog->funcs[func];
    if (fn->nparams != nargs || fn->nlocals < nargs) {
        process_fail(p, "type error: callback to %s (%u parameters) with %u arguments",
                     program_str(p->prog, fn->name), fn->nparams, nargs);
        p->error_pc = p->trap_pc;
        return STOP_ERROR;
    }
    size_t depth = p->nframes;
    uint32_t pc = p->pc, trap_pc = p->trap_pc, trap_no = p->trap_no, trap_import = p->trap_import;
    StopReason r = run_function_args(p, func, nargs);
    if (r == STOP_RETURN) {
        p->nframes = depth;
        p->pc = pc;
        p->trap_pc = trap_pc;
        p->trap_no = trap_no;
        p->trap_import = trap_import;
    } else if (r == STOP_ERROR && p->nframes > depth) {
        /* the callback's frame will not return: its return pc now names the extern call, so
         * that the stack trace shows the caller's line */
        p->frames[depth].ret_pc = trap_pc + 1;
    }
    return r;
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
