/* full.c: the runtime stub of a full native executable (`nano_virt --native`,
 * docs/EXECUTABLES.md): nano_vm's runtime and, so that the one file is enough, the co-process
 * role.  The program is the image embedded at the end of this very file (payload.h), found
 * through /proc/self/exe.
 *
 *   ./app ARGS...      runs the embedded program as `nano_vm app.nvm ARGS...` would: argument 0
 *                      is the executable's path as invoked, the program's status is the exit status
 *   argument 0 STUB_COP_ARGV0 with --serve REQ REP VM_PID
 *                      acts as nano_cop (cop/nano_cop.c, linked in with its main renamed): the
 *                      VM starts this executable again that way for the program's extern calls
 *
 * Exit statuses of its own: 65 when the embedded program is missing, damaged or does not load
 * (the reason on stderr), 70 when the process cannot be started.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cop_client.h"
#include "harness.h"
#include "payload.h"
#include "program.h"

/* Argument 0 with which the executable is started as its own co-process (with --serve and
 * three numbers, nano_cop's command line): a name no one gives a program by accident, so that a
 * user's ./app --serve 3 4 5 still runs the program. */
#define STUB_COP_ARGV0 "nano_cop(embedded)"

/* Makes the VM start this executable as its co-process (vm/cop_client.h). */
const char nano_stub_cop_argv0[] = STUB_COP_ARGV0;

int nano_cop_main(int argc, char **argv); /* cop/nano_cop.c's main, renamed when built in */

typedef struct {
    Process *proc;
    int status;
} RunJob;

static void *run_thread(void *arg) {
    RunJob *job = arg;
    job->status = harness_run(job->proc);
    return NULL;
}

/* The name for messages: argument 0 without its directory. */
static const char *self_name(int argc, char **argv) {
    if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0') return "nano executable";
    const char *s = strrchr(argv[0], '/');
    return s ? s + 1 : argv[0];
}

int main(int argc, char **argv) {
    /* Started as the co-process: nano_cop checks the rest of the command line. Never falls
     * through to running the program, which would start a co-process of its own. */
    if (argc >= 1 && argv[0] != NULL && strcmp(argv[0], STUB_COP_ARGV0) == 0)
        return nano_cop_main(argc, argv);
    const char *name = self_name(argc, argv);
    signal(SIGPIPE, SIG_IGN); /* as nano_vm: a closed pipe is the writing program's error */
    uint8_t *bytes;
    size_t len;
    char err[512];
    if (payload_read("/proc/self/exe", &bytes, &len, err, sizeof err) != 0) {
        fprintf(stderr, "%s: cannot run this executable: %s\n", name, err);
        return PAYLOAD_EXIT_BAD;
    }
    Program *prog = program_load(bytes, len, err, sizeof err);
    free(bytes);
    if (prog == NULL) {
        fprintf(stderr, "%s: cannot run this executable: its embedded program does not load: %s\n",
                name, err);
        return PAYLOAD_EXIT_BAD;
    }
    ProcessOptions opt = {.in_fd = 0, .out_fd = 1, .err_fd = 2};
    mode_t mask = umask(0);
    umask(mask);
    opt.umask = mask;
    char *none[] = {(char *)name, NULL};
    Process *p = process_new(prog, argc > 0 ? argc : 1, argc > 0 ? argv : none, &opt);
    if (p == NULL) {
        fprintf(stderr, "%s: cannot create a process: out of memory\n", name);
        program_free(prog);
        return 70;
    }
    RunJob job = {p, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, run_thread, &job) != 0) {
        fprintf(stderr, "%s: cannot start a thread\n", name);
        process_free(p);
        program_free(prog);
        return 70;
    }
    pthread_join(t, NULL);
    process_free(p);
    program_free(prog);
    return job.status;
}
