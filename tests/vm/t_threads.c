/* t_threads.c: virtual processes share nothing mutable.  Several programs (and several copies
 * of one Program) run at once on threads in this one OS process, each allocating heavily so
 * that their collectors run concurrently; every result must be exactly right, and a process
 * that fails must not disturb the others. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmasm.h"
#include "program.h"
#include "harness.h"
#include "process.h"
#include "tap.h"
#include "vmrun.h"

/* sum of i for i < n, computed through a string map (allocates on every iteration) */
static const char *MAP_SUM =
    ".func main 0 4 1\n"
    "MAP_NEW 1\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
    "put:\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nINT_TO_STR\nLOAD_LOCAL 1\nMAP_PUT\n"
    "INC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 200000 put\n"
    "PUSH_SMALL 0\nSTORE_LOCAL 2\nLOAD_LOCAL 0\nMAP_VALUES\nSTORE_LOCAL 3\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
    "sum:\nLOAD_LOCAL 2\nLOAD_LOCAL 3\nLOAD_LOCAL 1\nARRAY_GET\nADD_INT\nSTORE_LOCAL 2\n"
    "INC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 200000 sum\n"
    "LOAD_LOCAL 2\nINT_TO_STR\nTRAP PRINT\nPUSH_SMALL 0\nRET\n";

/* builds 300000 short-lived records and strings; prints a checksum */
static const char *RECORDS =
    ".struct P a b\n"
    ".func main 0 3 1\n"
    "PUSH_SMALL 0\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
    "loop:\nLOAD_LOCAL 1\nLOAD_LOCAL 1\nINT_TO_STR\nNEW_RECORD P\nSTORE_LOCAL 2\n"
    "LOAD_LOCAL 0\nLOAD_LOCAL 2\nGET_FIELD 0\nADD_INT\nLOAD_LOCAL 2\nGET_FIELD 1\nSTR_LEN\nADD_INT\nSTORE_LOCAL 0\n"
    "INC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 300000 loop\n"
    "LOAD_LOCAL 0\nINT_TO_STR\nTRAP PRINT\nPUSH_SMALL 7\nRET\n";

/* fails half way with an index error */
static const char *FAILING =
    ".func main 0 1 1\n.file \"f.nano\" 1\n"
    "ARRAY_LIT 0\nSTORE_LOCAL 0\n"
    "loop:\nLOAD_LOCAL 0\nPUSH_STR \"x\"\nARRAY_PUSH\nARRAY_LEN\nJLT_INT_IMM 100000 loop\n"
    ".line 9\nLOAD_LOCAL 0\nPUSH_SMALL 100000\nARRAY_GET\nPOP\nPUSH_SMALL 0\nRET\n";

/* A program that runs the shadow tests of the image 'tests' (RUN_TESTS) and prints the report:
 * their heaps come from the chunk cache of this thread's process (malloc'd; free with
 * program_free). */
static Program *tests_runner(const char *tests) {
    size_t len;
    uint8_t *image = asm_build(tests, &len);
    char *src = malloc(len * 4 + 256);
    if (src == NULL) abort();
    size_t n = (size_t)sprintf(src, ".func main 0 0 1\nPUSH_STR \"");
    for (size_t i = 0; i < len; i++) n += (size_t)sprintf(src + n, "\\x%02x", image[i]);
    sprintf(src + n, "\"\nTRAP RUN_TESTS\nTRAP PRINT\nPUSH_SMALL 0\nRET\n");
    Program *prog = vm_load_asm(src);
    free(src);
    free(image);
    return prog;
}

typedef struct {
    const Program *prog;
    FILE *out, *err;
    int status;
    size_t collections;
} Job;

static void *run(void *arg) {
    Job *j = arg;
    ProcessOptions o = {.heap_max = (size_t)64 << 20, .out_fd = fileno(j->out), .err_fd = fileno(j->err)};
    char *argv[] = {"t.nvm"};
    Process *p = process_new(j->prog, 1, argv, &o);
    if (p == NULL) abort();
    j->status = harness_run(p);
    j->collections = p->heap.collections;
    process_free(p);
    return NULL;
}

static char *contents(FILE *f) {
    static char buf[8][4096];
    static int next;
    char *b = buf[next++ % 8];
    fflush(f);
    rewind(f);
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    return b;
}

int main(void) {
    plan(11);
    Program *map_sum = vm_load_asm(MAP_SUM), *records = vm_load_asm(RECORDS), *failing = vm_load_asm(FAILING);
    enum { N = 5 };
    /* two copies of one Program, two other programs, and one that fails */
    const Program *progs[N] = {map_sum, records, map_sum, failing, records};
    Job jobs[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (Job){progs[i], tmpfile(), tmpfile(), -1, 0};
        if (jobs[i].out == NULL || jobs[i].err == NULL) abort();
    }
    for (int i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, run, &jobs[i]) != 0) abort();
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);

    const char *sum = "19999900000";
    const char *checksum = "45001538890"; /* sum of i + digits(i), i < 300000 */
    ok(jobs[0].status == 0 && strcmp(contents(jobs[0].out), sum) == 0, "map program on thread 1");
    ok(jobs[2].status == 0 && strcmp(contents(jobs[2].out), sum) == 0,
       "the same Program at the same time on thread 3");
    ok(jobs[1].status == 7 && strcmp(contents(jobs[1].out), checksum) == 0,
       "record program on thread 2 (exit status 7)");
    ok(jobs[4].status == 7 && strcmp(contents(jobs[4].out), checksum) == 0,
       "record program again on thread 5");
    is_int(jobs[3].status, 1, "the failing program exits 1");
    like(contents(jobs[3].err), "f.nano:9: error: index 100000 out of range for array of length 100000",
         "its error names its own file and line");
    ok(contents(jobs[0].err)[0] == '\0' && contents(jobs[1].err)[0] == '\0',
       "the others print no errors");
    ok(jobs[0].collections > 0 && jobs[1].collections > 0,
       "their collectors ran (%zu and %zu collections)", jobs[0].collections,
       jobs[1].collections);
    if (jobs[0].status != 0) diag("thread 1: %s", contents(jobs[0].out));
    if (jobs[1].status != 7) diag("thread 2: %s", contents(jobs[1].out));

    /* sequential run of the same program gives the same answer */
    Job again = {map_sum, tmpfile(), tmpfile(), -1, 0};
    run(&again);
    ok(again.status == 0 && strcmp(contents(again.out), sum) == 0, "a later run agrees");

    /* Shadow tests on two threads at once, each test's heap taking the chunks the previous
     * test of its thread left (one cache per thread: under ThreadSanitizer a chunk handed from
     * one thread's cache to another would be a race). */
    char fills[4096];
    size_t fn = (size_t)snprintf(fills, sizeof fills,
                                 ".func fill 0 2 0\nARRAY_LIT 0\nSTORE_LOCAL 1\n"
                                 "loop:\nLOAD_LOCAL 1\nPUSH_SMALL 3\nPUSH_STR \"x\"\nARRAY_NEW\n"
                                 "ARRAY_PUSH\nPOP\nINC_LOCAL 0 1\nLOAD_LOCAL 0\n"
                                 "JLT_INT_IMM 40000 loop\nRET_VOID\n");
    for (int i = 0; i < 12; i++)
        fn += (size_t)snprintf(fills + fn, sizeof fills - fn, ".shadow fill%d fill\n", i);
    Program *runner = tests_runner(fills);
    Job tj[2];
    for (int i = 0; i < 2; i++) {
        tj[i] = (Job){runner, tmpfile(), tmpfile(), -1, 0};
        if (tj[i].out == NULL || tj[i].err == NULL) abort();
        if (pthread_create(&t[i], NULL, run, &tj[i]) != 0) abort();
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        const char *rep = contents(tj[i].out);
        int oks = 0;
        for (const char *q = rep; (q = strstr(q, "ok fill")) != NULL; q++) oks++;
        ok(tj[i].status == 0 && oks == 12 && strstr(rep, "not ok") == NULL,
           "12 shadow tests of 3 MB each on thread %d, beside the other: all pass", i + 1);
        if (oks != 12) diag("report: %s", rep);
        fclose(tj[i].out);
        fclose(tj[i].err);
    }
    program_free(runner);

    for (int i = 0; i < N; i++) {
        fclose(jobs[i].out);
        fclose(jobs[i].err);
    }
    fclose(again.out);
    fclose(again.err);
    program_free(map_sum);
    program_free(records);
    program_free(failing);
    return done();
}
