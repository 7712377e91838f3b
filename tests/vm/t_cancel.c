/* t_cancel.c: a virtual process's world and its cancellation.  A process reads its own copy of
 * the environment and resolves relative paths against its own directory descriptor; a process
 * stuck in a loop (of any kind: the core polls at backward jumps and calls), or blocked reading
 * its stdin, is cancelled from another thread; a cancellable process runs on the fast core, and
 * the step limit still holds in one. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cancel.h"
#include "harness.h"
#include "nvmasm.h"
#include "process.h"
#include "program.h"
#include "tap.h"
#include "vmrun.h"

static const char *LOOP = ".func main 0 0 1\nloop:\nNOP\nJUMP loop\n";
static const char *READ = ".func main 0 0 1\nTRAP READ_LINE\nPOP\nPOP\nPUSH_SMALL 3\nRET\n";
static const char *COUNT = /* counts to 3000000, prints "done", exits 9 */
    ".func main 0 1 1\nPUSH_SMALL 0\nSTORE_LOCAL 0\n"
    "loop:\nINC_LOCAL 0 1\nLOAD_LOCAL 0\nJLT_INT_IMM 3000000 loop\n"
    "PUSH_STR \"done\"\nTRAP PRINT\nPUSH_SMALL 9\nRET\n";
static const char *SPIN = ".func main 0 0 1\nhere:\nJUMP here\n"; /* a jump to itself */
static const char *BACK = /* a loop whose only way back is a conditional jump */
    ".func main 0 1 1\nPUSH_SMALL 0\nSTORE_LOCAL 0\n"
    "loop:\nINC_LOCAL 0 1\nLOAD_LOCAL 0\nJGE_INT_IMM -5 loop\nPUSH_SMALL 0\nRET\n";
static const char *RECUR = /* no backward jump at all: twice(60) makes 2^61 calls */
    ".func main 0 0 1\nPUSH_SMALL 60\nCALL twice\nPUSH_SMALL 0\nRET\n"
    ".func twice 1 1 0\nLOAD_LOCAL 0\nJEQ_INT_IMM 0 done\n"
    "LOAD_LOCAL 0\nPUSH_SMALL -1\nADD_INT\nCALL twice\n"
    "LOAD_LOCAL 0\nPUSH_SMALL -1\nADD_INT\nCALL twice\ndone:\nRET_VOID\n";
static const char *WORLD = /* prints $VAR, then the contents of rel.txt, writes w.txt */
    ".func main 0 0 1\nPUSH_STR \"VAR\"\nTRAP GETENV\nTRAP PRINT\n"
    "PUSH_STR \"rel.txt\"\nTRAP READ_FILE\nPOP\nTRAP PRINT\n"
    "PUSH_STR \"w.txt\"\nPUSH_STR \"written\"\nTRAP WRITE_FILE\nRET\n";

typedef struct {
    Process *p;
    int status, done;
} Job;

static void *run(void *arg) {
    Job *j = arg;
    j->status = harness_run(j->p);
    __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static char *slurp(int fd) {
    static char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* runs prog on a thread, cancels it once it has run a little, returns its status */
static int run_and_cancel(Program *prog, int in_fd, int *done_before) {
    VmCancel c;
    if (vm_cancel_init(&c) != 0) abort();
    int null = open("/dev/null", O_RDWR);
    ProcessOptions o = {.in_fd = in_fd, .out_fd = null, .err_fd = null, .cancel = &c};
    char *argv[] = {"t.nvm"};
    Process *p = process_new(prog, 1, argv, &o);
    Job j = {p, -1, 0};
    pthread_t t;
    if (p == NULL || pthread_create(&t, NULL, run, &j) != 0) abort();
    poll(NULL, 0, 50); /* let it get going: into the loop, or into the read */
    *done_before = __atomic_load_n(&j.done, __ATOMIC_ACQUIRE);
    vm_cancel_set(&c);
    vm_cancel_set(&c); /* twice is fine */
    pthread_join(t, NULL);
    process_free(p);
    vm_cancel_destroy(&c);
    close(null);
    return j.status;
}

int main(void) {
    plan(16);
    Program *loop = vm_load_asm(LOOP), *read = vm_load_asm(READ), *count = vm_load_asm(COUNT), *world = vm_load_asm(WORLD);
    int before;

    is_int(run_and_cancel(loop, 0, &before), VM_EXIT_CANCELLED, "a loop is cancelled from another thread");
    ok(!before, "it was still running when cancelled");
    const char *kinds[][2] = {{SPIN, "a jump to itself"},
                              {BACK, "a loop closed by a conditional jump"},
                              {RECUR, "a recursion with no backward jump"}};
    for (int k = 0; k < 3; k++) {
        Program *pk = vm_load_asm(kinds[k][0]);
        is_int(run_and_cancel(pk, 0, &before), VM_EXIT_CANCELLED, "%s is cancelled", kinds[k][1]);
        ok(!before, "it was still running when cancelled");
        program_free(pk);
    }
    int pfd[2];
    if (pipe(pfd) != 0) abort();
    is_int(run_and_cancel(read, pfd[0], &before), VM_EXIT_CANCELLED,
           "a READ_LINE blocked on an empty pipe is cancelled");
    ok(!before, "it was still waiting when cancelled");
    close(pfd[0]);
    close(pfd[1]);

    /* cancellable but never cancelled: runs to its end on the fast core (no counting) */
    VmCancel c;
    if (vm_cancel_init(&c) != 0) abort();
    char tmpl[] = "/tmp/t_cancel.XXXXXX";
    int out = mkstemp(tmpl);
    unlink(tmpl);
    ProcessOptions o = {.out_fd = out, .err_fd = out, .cancel = &c};
    char *argv[] = {"t.nvm"};
    Process *p = process_new(count, 1, argv, &o);
    ok(p->prof_instrs == NULL, "a cancellable process runs on the fast core");
    int st = harness_run(p);
    ok(st == 9 && strcmp(slurp(out), "done") == 0, "an uncancelled program runs to its end (%d)", st);
    process_free(p);
    o.max_steps = 1000000;
    if (ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0) abort();
    p = process_new(count, 1, argv, &o);
    st = harness_run(p);
    ok(st == 1 && strstr(slurp(out), "step limit of 1000000 instructions reached") != NULL,
       "the step limit holds in a cancellable process");
    process_free(p);
    vm_cancel_destroy(&c);

    /* its own environment and directory */
    char dir[] = "/tmp/t_world.XXXXXX";
    if (mkdtemp(dir) == NULL) abort();
    char path[300];
    snprintf(path, sizeof path, "%s/rel.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("rel", f);
    fclose(f);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    char *env[] = {"OTHER=1", "VAR=mine", NULL};
    if (ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0) abort();
    ProcessOptions w = {.out_fd = out, .err_fd = out, .envp = env, .cwd_fd = dfd, .umask = 077};
    setenv("VAR", "the OS's", 1);
    p = process_new(world, 1, argv, &w);
    setenv("VAR", "changed later", 1);
    st = harness_run(p);
    is_int(st, 0, "the world program runs");
    like(slurp(out), "minerel", "GETENV reads its own environment, READ_FILE its own directory");
    snprintf(path, sizeof path, "%s/w.txt", dir);
    struct stat sb;
    memset(&sb, 0, sizeof sb);
    int found = stat(path, &sb) == 0;
    unsigned mode = (unsigned)(sb.st_mode & 0777);
    ok(found && mode == 0600, "WRITE_FILE writes in its directory with its umask (mode %o)", mode);
    process_free(p);
    unlink(path);
    snprintf(path, sizeof path, "%s/rel.txt", dir);
    unlink(path);
    rmdir(dir);
    close(dfd);
    close(out);
    program_free(loop);
    program_free(read);
    program_free(count);
    program_free(world);
    return done();
}
