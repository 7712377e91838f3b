/* main.c: the nano_vm command. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "numfmt.h"
#include "nvm_format.h"
#include "program.h"
#include "shadow.h"
#include "vmd_client.h"

#define NANO_VM_VERSION "0.1.0"

/* Exit statuses of the VM itself (a program's own status passes through unchanged). */
enum {
    EXIT_USAGE = 64,    /* bad command line */
    EXIT_BAD_NVM = 65,  /* the file is not a valid .nvm */
    EXIT_NO_INPUT = 66, /* the file cannot be read */
    EXIT_INTERNAL = 70, /* the VM could not start the process (out of memory, threads) */
    EXIT_IO = 74        /* nano_vm's own output (--dis, --test, --help) could not be written */
};

/* The status to exit with once nano_vm's own output on stdout is complete: EXIT_IO, after saying
 * so on stderr, when it could not all be written. */
static int stdout_status(int status) {
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return status;
    fprintf(stderr, "nano_vm: cannot write to standard output: %s\n",
            errno ? strerror(errno) : "write error");
    return EXIT_IO;
}

static void usage(FILE *out) {
    fputs("usage: nano_vm [options] PROGRAM.nvm [ARGS...]\n"
          "       nano_vm --dis PROGRAM.nvm\n"
          "       nano_vm --test PROGRAM.nvm\n"
          "       nano_vm --daemon PROGRAM.nvm [ARGS...]\n"
          "\n"
          "Runs a NanoISA bytecode program in a virtual process of its own.  main's result is\n"
          "the exit status; ARGS reach the program (argument 0 is PROGRAM.nvm).\n"
          "\n"
          "options:\n"
          "  --dis          print a disassembly (functions, source lines, constants) and exit\n"
          "  --verify       load and verify only; exit 0 when the file is valid\n"
          "  --test         run the program's shadow tests, printing TAP\n"
          "  --stack N      value stack size in slots (default 4m, at most 4g)\n"
          "  --frames N     maximum call depth (default 1m, at most 4g)\n"
          "  --heap N       heap limit in bytes; suffixes k, m, g (default 4g; with --daemon\n"
          "                 the daemon's, 1g unless nano_vmd --heap says otherwise);\n"
          "                 --max-heap N is the same\n"
          "  --max-steps N  stop the program with a runtime error after N instructions\n"
          "  --test-steps N stop each shadow test after N instructions (default\n"
          "                 1000000000): the tests of --test and those the program runs\n"
          "                 (run_shadow_tests; run_shadow_tests_steps gives its own)\n"
          "  --read-only    a sandbox: file_write fails (EROFS) and so do extern calls, in the\n"
          "                 program and the programs it starts\n"
          "  --profile      after the run, print the functions that executed the most\n"
          "                 instructions, with their calls, to stderr\n"
          "  --daemon       run the program in the user's nano_vmd (started when none runs)\n"
          "                 on this process's stdio, environment, directory and umask; no\n"
          "                 other option but --heap goes with it; Ctrl-C cancels the program (exit\n"
          "                 128+signal); 70 when the daemon fails\n"
          "  --version      print the version\n"
          "  -h, --help     print this help\n"
          "\n"
          "The limits hold for the program and the programs it starts (run_program,\n"
          "run_shadow_tests) together: each of those gets what its parent has left of the\n"
          "stack, the frames, the heap and the steps.  With --test they hold for each shadow\n"
          "test, whose step limit is the smaller of --test-steps and --max-steps.\n"
          "\n"
          "PROGRAM.nvm must be a regular file of less than 4 GiB.\n"
          "\n"
          "exit status: the program's own; 1 runtime error (also when the program's output\n"
          "cannot be written, e.g. on a full device: the reason goes to stderr); 64 usage;\n"
          "65 invalid .nvm (or too large); 66 unreadable or not a regular file; 70 internal\n"
          "error; 74 nano_vm's own output (--dis, --test, --help) cannot be written\n",
          out);
}

typedef struct {
    Process *proc;
    int status;
    int profile;
} RunJob;

static void *run_thread(void *arg) {
    RunJob *job = arg;
    job->status = harness_run(job->proc);
    if (job->profile) harness_print_profile(job->proc);
    return NULL;
}

/* Each program runs on a thread of its own, as it would in the daemon. */
static int run_program(const Program *prog, int argc, char **argv, const ProcessOptions *opt) {
    Process *p = process_new(prog, argc, argv, opt);
    if (p == NULL) {
        fprintf(stderr, "nano_vm: cannot create a process: out of memory\n");
        return EXIT_INTERNAL;
    }
    RunJob job = {p, 0, opt->profile};
    pthread_t t;
    if (pthread_create(&t, NULL, run_thread, &job) != 0) {
        fprintf(stderr, "nano_vm: cannot start a thread\n");
        process_free(p);
        return EXIT_INTERNAL;
    }
    pthread_join(t, NULL);
    process_free(p);
    return job.status;
}

/* Writes the n bytes at b for a TAP line: control bytes as \xHH, and '\' and '#' escaped with a
 * backslash, so that text from the file can neither start a new line nor a TAP directive. */
static void put_tap(FILE *out, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c < 0x20 || c == 0x7F) fprintf(out, "\\x%02x", c);
        else if (c == '\\' || c == '#') fprintf(out, "\\%c", c);
        else putc(c, out);
    }
}

/* Shadow tests as TAP, each in a fresh process so that one cannot disturb another.  What they
 * print is discarded (stdout is the TAP stream); a failure's location and message follow its
 * "not ok" line as a TAP comment on stderr. */
static int run_tests(const Program *prog, const ProcessOptions *opt) {
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) {
        fprintf(stderr, "nano_vm: /dev/null: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    ProcessOptions o = *opt;
    o.in_fd = o.out_fd = o.err_fd = null_fd; /* an empty standard input; output discarded */
    o.profile = 0;
    printf("1..%u\n", prog->nshadows);
    int failed = 0;
    for (uint32_t i = 0; i < prog->nshadows; i++) {
        ShadowResult r;
        if (shadow_run_one(prog, i, &o, &r) != 0) {
            fprintf(stderr, "nano_vm: cannot create a process: out of memory\n");
            close(null_fd);
            return EXIT_INTERNAL;
        }
        uint32_t name = prog->shadows[i].name;
        const char *nb = program_str(prog, name);
        size_t nlen = name < prog->nstrings ? (size_t)prog->strings[name]->len : strlen(nb);
        printf("%sok %u - shadow ", r.failed ? "not " : "", i + 1);
        put_tap(stdout, nb, nlen);
        putchar('\n');
        fflush(stdout);
        if (r.failed) {
            fputs("# ", stderr);
            put_tap(stderr, r.location, strlen(r.location));
            fputs(r.location[0] ? ": shadow test '" : "shadow test '", stderr);
            put_tap(stderr, nb, nlen);
            if (r.out_of_steps) {
                fprintf(stderr, "' did not finish within %llu steps\n",
                        (unsigned long long)r.limit);
            } else {
                fputs("' failed: ", stderr);
                put_tap(stderr, r.message, strlen(r.message));
                fputc('\n', stderr);
            }
            failed++;
        }
    }
    close(null_fd);
    return failed ? 1 : 0;
}

int main(int argc, char **argv) {
    /* a closed output pipe is an error of the program that writes to it, not a signal that
     * kills the whole VM */
    signal(SIGPIPE, SIG_IGN);
    /* the program's world is this OS process's: its descriptors, its environment and working
     * directory (process_new copies and opens them), its umask */
    ProcessOptions opt = {.in_fd = 0, .out_fd = 1, .err_fd = 2};
    mode_t mask = umask(0);
    umask(mask);
    opt.umask = mask;
    enum { RUN, DIS, VERIFY, TEST } mode = RUN;
    int daemon = 0, others = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        others += strcmp(a, "--daemon") != 0 && strcmp(a, "--") != 0 &&
                  strcmp(a, "--heap") != 0 && strcmp(a, "--max-heap") != 0;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return stdout_status(0);
        } else if (strcmp(a, "--version") == 0) {
            printf("nano_vm %s (NanoISA format 1)\n", NANO_VM_VERSION);
            return stdout_status(0);
        } else if (strcmp(a, "--daemon") == 0) {
            daemon = 1;
        } else if (strcmp(a, "--dis") == 0) {
            mode = DIS;
        } else if (strcmp(a, "--verify") == 0) {
            mode = VERIFY;
        } else if (strcmp(a, "--test") == 0) {
            mode = TEST;
        } else if (strcmp(a, "--read-only") == 0) {
            opt.read_only = 1;
        } else if (strcmp(a, "--profile") == 0) {
            opt.profile = 1;
        } else if (strcmp(a, "--max-steps") == 0 || strcmp(a, "--test-steps") == 0) {
            size_t v;
            if (i + 1 >= argc || nf_parse_size(argv[i + 1], &v) != 0) {
                fprintf(stderr, "nano_vm: %s needs a positive count\n", a);
                return EXIT_USAGE;
            }
            if (a[2] == 'm') opt.max_steps = v;
            else opt.test_steps = v;
            i++;
        } else if (strcmp(a, "--stack") == 0 || strcmp(a, "--frames") == 0 ||
                   strcmp(a, "--heap") == 0 || strcmp(a, "--max-heap") == 0) {
            size_t v;
            if (i + 1 >= argc || nf_parse_size(argv[i + 1], &v) != 0) {
                fprintf(stderr, "nano_vm: %s needs a positive size\n", a);
                return EXIT_USAGE;
            }
            if (a[2] == 's') opt.stack_slots = v;
            else if (a[2] == 'f') opt.max_frames = v;
            else opt.heap_max = v; /* --heap, --max-heap */
            if (!vm_sizes_ok(opt.stack_slots, opt.max_frames)) {
                fprintf(stderr, "nano_vm: %s %s: too large (at most %llu)\n", a, argv[i + 1],
                        (unsigned long long)(a[2] == 's' ? VM_MAX_STACK_SLOTS : VM_MAX_FRAMES));
                return EXIT_USAGE;
            }
            i++;
        } else {
            fprintf(stderr, "nano_vm: unknown option '%s' (try --help)\n", a);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "nano_vm: no program given (try --help)\n");
        return EXIT_USAGE;
    }
    if (daemon && others) {
        fprintf(stderr, "nano_vm: --daemon takes no other option but --heap\n");
        return EXIT_USAGE;
    }
    if (daemon) return vmd_client_run_heap(argv[i], argc - i, argv + i, opt.heap_max);
    uint8_t *bytes;
    size_t len;
    char err[512];
    int rr = program_read_file(argv[i], &bytes, &len, err, sizeof err);
    if (rr != PROGRAM_READ_OK) {
        fprintf(stderr, "nano_vm: %s\n", err);
        return rr == PROGRAM_READ_INVALID ? EXIT_BAD_NVM : EXIT_NO_INPUT;
    }
    Program *prog = program_load(bytes, len, err, sizeof err);
    free(bytes);
    if (prog == NULL) {
        fprintf(stderr, "nano_vm: %s: %s\n", argv[i], err);
        return EXIT_BAD_NVM;
    }
    int status = 0;
    switch (mode) {
    case DIS: program_disassemble(prog, stdout); status = stdout_status(0); break;
    case VERIFY: break;
    case TEST: status = stdout_status(run_tests(prog, &opt)); break;
    case RUN: status = run_program(prog, argc - i, argv + i, &opt); break;
    }
    program_free(prog);
    return status;
}
