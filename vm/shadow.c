/* shadow.c: see shadow.h. */
#include "shadow.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvm_format.h"
#include "harness.h"
#include "process.h"

int shadow_run_one(const Program *prog, uint32_t i, const ProcessOptions *opt, ShadowResult *r) {
    memset(r, 0, sizeof *r);
    ProcessOptions o = *opt;
    o.test_steps = opt->test_steps ? opt->test_steps : VM_DEFAULT_TEST_STEPS;
    o.max_steps = opt->max_steps > 0 && opt->max_steps < o.test_steps ? opt->max_steps
                                                                      : o.test_steps;
    o.profile = 0;
    r->limit = o.max_steps;
    char *argv[] = {"shadow"};
    Process *p = process_new(prog, 1, argv, &o);
    if (p == NULL) return -1;
    int status = 0;
    if (prog->init != NVM_NONE) status = harness_call(p, prog->init);
    if (status == 0) status = harness_call(p, prog->shadows[i].func);
    r->steps = p->steps;
    if (status != 0) {
        r->failed = 1;
        r->status = status;
        r->out_of_steps = p->steps >= p->max_steps;
        if (r->out_of_steps) {
            snprintf(r->message, sizeof r->message, "did not finish within %llu steps",
                     (unsigned long long)r->limit);
            snprintf(r->location, sizeof r->location, "%s", p->error_where);
        } else if (p->error[0] != '\0') {
            snprintf(r->message, sizeof r->message, "%s", p->error);
            snprintf(r->location, sizeof r->location, "%s", p->error_where);
        } else {
            snprintf(r->message, sizeof r->message, "exit(%d) called in a shadow test", status);
        }
    }
    process_free(p);
    return 0;
}

/* A growable report. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} Buf;

static void put(Buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *t = realloc(b->s, cap);
        if (t == NULL) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

/* Tabs and newlines in names and messages would break the report's lines. */
static void put_field(Buf *b, const char *s) {
    char tmp[600];
    size_t n = 0;
    for (; *s && n < sizeof tmp - 1; s++) tmp[n++] = (*s == '\t' || *s == '\n') ? ' ' : *s;
    tmp[n] = '\0';
    put(b, tmp);
}

char *shadow_run_image(const uint8_t *bytes, size_t len, const ProcessOptions *opt,
                       uint64_t *steps) {
    Buf b = {NULL, 0, 0, 0};
    uint64_t used = 0;
    if (steps != NULL) *steps = 0;
    char err[512];
    Program *prog = program_load(bytes, len, err, sizeof err);
    if (prog == NULL) {
        put(&b, "error\t");
        put_field(&b, err);
        put(&b, "\n");
        return b.oom ? (free(b.s), NULL) : b.s;
    }
    /* the tests read an empty standard input; their output is discarded */
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    ProcessOptions o = *opt;
    o.in_fd = o.out_fd = o.err_fd = null_fd;
    /* The tests run one after another: each leaves its stack, frames and heap chunks to the
     * next, through the caller's spare blocks or, when it has none (the native runtime), ours.
     * Mapped afresh for each, they cost the native compiler 68,000 page faults. */
    ProcessSpare own = {0};
    if (o.spare == NULL) o.spare = &own;
    put(&b, ""); /* an empty report is "", not NULL */
    for (uint32_t i = 0; i < prog->nshadows && !b.oom; i++) {
        ShadowResult r;
        if (opt->max_steps > 0) {
            if (used >= opt->max_steps) break; /* the budget is spent: the caller stops */
            o.max_steps = opt->max_steps - used;
        }
        if (shadow_run_one(prog, i, &o, &r) != 0) {
            b.oom = 1;
            break;
        }
        used = r.steps > UINT64_MAX - used ? UINT64_MAX : used + r.steps;
        put(&b, r.failed ? "not ok " : "ok ");
        put_field(&b, program_str(prog, prog->shadows[i].name));
        if (r.failed) {
            put(&b, "\t");
            put_field(&b, r.location);
            put(&b, "\t");
            put_field(&b, r.message);
        }
        put(&b, "\n");
    }
    if (null_fd >= 0) close(null_fd);
    process_spare_free(&own);
    program_free(prog);
    if (steps != NULL) *steps = used;
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
