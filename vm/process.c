/* process.c: creating and destroying virtual processes, and recording their runtime errors. */
#include "process.h"

#include "cancel.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) memcpy(d, s, n);
    return d;
}

/* A block of at least 'bytes' bytes: *kept when it fits (it is at most twice as large), else a
 * new one; *got is its size. */
static void *spare_take(void **kept, size_t *kept_bytes, size_t bytes, size_t *got) {
    void *m = *kept;
    if (m != NULL && *kept_bytes >= bytes && *kept_bytes / 2 <= bytes) {
        *got = *kept_bytes;
        *kept = NULL;
        return m;
    }
    *got = bytes;
    return malloc(bytes);
}

/* Keep the larger of a block of 'bytes' bytes and *kept there; free the other. */
static void spare_give(void **kept, size_t *kept_bytes, void *mem, size_t bytes) {
    if (mem == NULL) return;
    if (*kept == NULL || *kept_bytes < bytes) {
        void *old = *kept;
        *kept = mem;
        *kept_bytes = bytes;
        mem = old;
    }
    free(mem);
}

void process_fail(Process *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, ap);
    va_end(ap);
}

int vm_sizes_ok(size_t stack_slots, size_t max_frames) {
    return (uint64_t)stack_slots <= VM_MAX_STACK_SLOTS &&
           stack_slots <= SIZE_MAX / sizeof(Value) && (uint64_t)max_frames <= VM_MAX_FRAMES &&
           max_frames <= SIZE_MAX / sizeof(Frame);
}

void process_child_options(Process *p, ProcessOptions *o) {
    memset(o, 0, sizeof *o);
    o->in_fd = p->in_fd;
    o->out_fd = p->out.fd;
    o->err_fd = p->err.fd;
    o->in = p->in;
    o->nesting = p->nesting + 1;
    size_t slots = (size_t)(p->stack_end - p->sp);
    o->stack_slots = slots > 0 ? slots : 1;
    o->max_frames = p->max_frames > p->nframes ? p->max_frames - p->nframes : 1;
    if (p->max_frames <= p->nframes) o->stack_slots = 1; /* no frame left: none to enter main */
    o->heap_max = p->heap.max > p->heap.bytes ? p->heap.max - p->heap.bytes : 1;
    uint64_t limit = process_step_limit(p);
    if (limit > 0) o->max_steps = limit > p->steps ? limit - p->steps : 1;
    o->test_steps = p->test_steps;
    o->read_only = p->read_only;
    o->envp = p->env;
    o->cwd_fd = p->cwd_fd < 0 ? 0 : p->cwd_fd; /* AT_FDCWD: the OS process's, as for the parent */
    o->umask = p->umask;
    o->cancel = p->cancel;
    o->spare = &p->spare; /* they run on p's thread, one at a time */
    o->chunks = p->heap.cache != NULL ? p->heap.cache : &p->spare.chunks; /* the thread's */
}

Process *process_new(const Program *prog, int argc, char **argv, const ProcessOptions *opt) {
    ProcessOptions o = {.in_fd = 0, .out_fd = 1, .err_fd = 2};
    if (opt != NULL) o = *opt;
    if (o.stack_slots == 0) o.stack_slots = VM_DEFAULT_STACK_SLOTS;
    if (o.max_frames == 0) o.max_frames = VM_DEFAULT_MAX_FRAMES;
    if (o.heap_max == 0) o.heap_max = VM_DEFAULT_HEAP_MAX;
    if (!vm_sizes_ok(o.stack_slots, o.max_frames)) return NULL;

    Process *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    p->cwd_fd = -1;
    p->prog = prog;
    p->spare_home = o.spare;
    if (o.spare != NULL) {
        ProcessSpare *s = o.spare;
        p->stack = spare_take(&s->stack, &s->stack_bytes, o.stack_slots * sizeof(Value),
                              &p->stack_bytes);
        p->frames = spare_take(&s->frames, &s->frames_bytes, o.max_frames * sizeof(Frame),
                               &p->frames_bytes);
    } else {
        p->stack = malloc(o.stack_slots * sizeof(Value));
        p->frames = malloc(o.max_frames * sizeof(Frame));
    }
    p->globals = calloc(prog->nglobals ? prog->nglobals : 1, sizeof(Value)); /* all T_UNIT */
    p->argv = calloc((size_t)(argc > 0 ? argc : 1), sizeof(char *));
#ifdef VM_COUNT_OPS
    p->op_counts = calloc(256, sizeof(uint64_t));
#endif
    if (p->stack == NULL || p->frames == NULL || p->globals == NULL || p->argv == NULL
#ifdef VM_COUNT_OPS
        || p->op_counts == NULL
#endif
    ) {
        process_free(p);
        return NULL;
    }
    p->stack_end = p->stack + o.stack_slots;
    p->sp = p->stack;
    p->max_frames = o.max_frames;
    for (int i = 0; i < argc; i++) {
        p->argv[i] = dup_str(argv[i]);
        if (p->argv[i] == NULL) {
            process_free(p);
            return NULL;
        }
        p->argc = i + 1;
    }
    heap_init(&p->heap, o.heap_max);
    p->heap.cache = o.chunks != NULL ? o.chunks : o.spare != NULL ? &o.spare->chunks : NULL;
    heap_set_roots(&p->heap, p->stack, &p->sp, p->globals, prog->nglobals);
    p->nesting = o.nesting;
    p->max_steps = o.max_steps;
    p->cancel = o.cancel;
    atomic_init(&p->no_cancel, 0);
    p->cancel_flag = o.cancel != NULL ? &o.cancel->flag : &p->no_cancel;
    p->umask = o.umask & 0777;
    p->cwd_fd = o.cwd_fd > 0 ? fcntl(o.cwd_fd, F_DUPFD_CLOEXEC, 3)
                             : open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (p->cwd_fd < 0) p->cwd_fd = AT_FDCWD; /* e.g. a working directory we may not read */
    char *const *envp = o.envp != NULL ? o.envp : environ;
    size_t nenv = 0;
    while (envp != NULL && envp[nenv] != NULL) nenv++;
    p->env = calloc(nenv + 1, sizeof(char *));
    if (p->env == NULL) {
        process_free(p);
        return NULL;
    }
    for (size_t i = 0; i < nenv; i++) {
        if ((p->env[i] = dup_str(envp[i])) == NULL) {
            process_free(p);
            return NULL;
        }
    }
    p->test_steps = o.test_steps ? o.test_steps : VM_DEFAULT_TEST_STEPS;
    p->read_only = o.read_only;
    if (o.profile || o.max_steps > 0) { /* both need the counting core */
        p->prof_instrs = calloc(prog->nfuncs ? prog->nfuncs : 1, sizeof(uint64_t));
        p->prof_calls = calloc(prog->nfuncs ? prog->nfuncs : 1, sizeof(uint64_t));
        if (p->prof_instrs == NULL || p->prof_calls == NULL) {
            process_free(p);
            return NULL;
        }
    }
    p->in_fd = o.in != NULL ? o.in->fd : o.in_fd;
    p->own_in.fd = p->in_fd;
    p->own_in.seekable = -1;
    p->in = o.in != NULL ? o.in : &p->own_in;
    p->out.fd = o.out_fd;
    p->err.fd = o.err_fd;
    return p;
}

void process_spare_free(ProcessSpare *s) {
    free(s->stack);
    free(s->frames);
    heap_cache_free(&s->chunks);
    memset(s, 0, sizeof *s);
}

void process_free(Process *p) {
    if (p == NULL) return;
    if (p->cop != NULL && p->cop_close != NULL) p->cop_close(p);
    heap_free_all(&p->heap);
    for (int i = 0; i < p->argc; i++) free(p->argv[i]);
    free(p->argv);
    if (p->spare_home != NULL) {
        ProcessSpare *s = p->spare_home;
        spare_give(&s->stack, &s->stack_bytes, p->stack, p->stack_bytes);
        spare_give(&s->frames, &s->frames_bytes, p->frames, p->frames_bytes);
    } else {
        free(p->stack);
        free(p->frames);
    }
    process_spare_free(&p->spare);
    free(p->globals);
    free(p->out.buf);
    free(p->err.buf);
    free(p->own_in.buf);
    free(p->op_counts);
    free(p->prof_instrs);
    free(p->prof_calls);
    if (p->env != NULL)
        for (size_t i = 0; p->env[i] != NULL; i++) free(p->env[i]);
    free(p->env);
    if (p->cwd_fd >= 0) close(p->cwd_fd);
    free(p);
}
