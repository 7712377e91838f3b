/* t_cop.c: extern calls through the real nano_cop, from programs run in this process by the VM
 * library: the value kinds and handles, library and symbol errors, the isolation of each
 * virtual process's co-process, crashes of C code on threads beside programs that must finish,
 * a co-process killed during a blocking call, 64 MiB strings both ways, shadow tests, and no
 * zombie or descriptor left behind.
 *
 * NANO_COP_BIN (from the Makefile) is the nano_cop of the same build; COPTEST_LIB the test
 * library (tests/cop/lib/coptest.c). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nvmasm.h"
#include "harness.h"
#include "process.h"
#include "program.h"
#include "shadow.h"
#include "tap.h"
#include "vmrun.h"

#define MAIN(nlocals) ".func main 0 " #nlocals " 1\n.file \"t.nano\" 1\n"
#define END "PUSH_SMALL 0\nRET\n"
#define NL "PUSH_STR \"\\n\"\nTRAP PRINT\n"
#define P_INT "INT_TO_STR\nTRAP PRINT\n" NL
#define P_FLOAT "FLOAT_TO_STR\nTRAP PRINT\n" NL
#define P_BOOL "BOOL_TO_STR\nTRAP PRINT\n" NL

/* src with every "@LIB" replaced by the test library's path (malloc'd) */
static char *with_lib(const char *src) {
    const char *lib = COPTEST_LIB;
    size_t n = strlen(src) + 1, k = strlen(lib);
    for (const char *s = strstr(src, "@LIB"); s; s = strstr(s + 4, "@LIB")) n += k;
    char *out = malloc(n), *o = out;
    if (out == NULL) abort();
    for (const char *s = src; *s;) {
        if (strncmp(s, "@LIB", 4) == 0) {
            memcpy(o, lib, k);
            o += k;
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static VmResult run(const char *asm_src) {
    char *src = with_lib(asm_src);
    size_t len;
    uint8_t *bytes = asm_build(src, &len);
    VmResult r = vm_run_bytes(bytes, len, 0, NULL, NULL, NULL);
    free(bytes);
    free(src);
    return r;
}

/* Runs src; checks status, exact stdout and (a substring of) stderr ("" = empty). */
static void check(const char *name, const char *src, int status, const char *out, const char *err) {
    VmResult r = run(src);
    int good = r.loaded && r.status == status && strcmp(r.out, out) == 0 &&
               (err[0] ? strstr(r.err, err) != NULL : r.err[0] == '\0');
    ok(good, "%s", name);
    if (!good) {
        if (!r.loaded) diag("  load error: %s", r.load_error);
        diag("  status %d (expected %d)", r.status, status);
        diag("  stdout: '%s' (expected '%s')", r.out, out);
        diag("  stderr: '%s' (expected to contain '%s')", r.err, err);
    }
    vm_result_free(&r);
}

static Program *load(const char *asm_src) {
    char *src = with_lib(asm_src);
    Program *p = vm_load_asm(src);
    free(src);
    return p;
}

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) return -1;
    int n = 0;
    while (readdir(d) != NULL) n++;
    closedir(d);
    return n;
}

/* ---- programs on threads ------------------------------------------------------------------- */

typedef struct {
    const Program *prog;
    FILE *out, *err;
    int status;
} Job;

static void *run_job(void *arg) {
    Job *j = arg;
    ProcessOptions o = {.out_fd = fileno(j->out), .err_fd = fileno(j->err)};
    char *argv[] = {"t.nvm"};
    Process *p = process_new(j->prog, 1, argv, &o);
    if (p == NULL) abort();
    j->status = harness_run(p);
    process_free(p);
    return NULL;
}

static char *contents(FILE *f) {
    fflush(f);
    long n = ftell(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    char *b = malloc((size_t)(n > 0 ? n : 0) + 1);
    if (b == NULL) abort();
    rewind(f);
    size_t got = fread(b, 1, (size_t)(n > 0 ? n : 0), f);
    b[got] = '\0';
    return b;
}

static const char *RAISE_SEGV =
    ".import raise - int int\n" MAIN(0) ".line 3\nPUSH_SMALL 11\nCALL_EXTERN raise\nPOP\n" END;
static const char *ABORT =
    ".import abort - void\n" MAIN(0) ".line 4\nCALL_EXTERN abort\n" END;
static const char *EXIT3 =
    ".import _exit - void int\n" MAIN(0) ".line 5\nPUSH_SMALL 3\nCALL_EXTERN _exit\n" END;
/* 2000 calls of hypot; prints the sum (2000 * 5) */
static const char *HYPOT_LOOP =
    ".import hypot - float float float\n" MAIN(2)
    "PUSH_FLOAT 0\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
    "loop:\nLOAD_LOCAL 0\nPUSH_FLOAT 3\nPUSH_FLOAT 4\nCALL_EXTERN hypot\nADD_FLOAT\nSTORE_LOCAL 0\n"
    "INC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 2000 loop\n"
    "LOAD_LOCAL 0\n" P_FLOAT END;
/* no extern call at all */
static const char *PLAIN = MAIN(0) "PUSH_STR \"plain\\n\"\nTRAP PRINT\n" END;
/* sets the test library's state to N, then reads it back 500 times: another co-process's
 * state never shows through */
#define STATE_PROG(n)                                                                              \
    ".import ct_set \"@LIB\" void int\n.import ct_get \"@LIB\" int\n" MAIN(1)                    \
    "PUSH_SMALL " #n "\nCALL_EXTERN ct_set\nPUSH_SMALL 0\nSTORE_LOCAL 0\n"                      \
    "loop:\nCALL_EXTERN ct_get\nJNE_INT_IMM " #n " bad\nINC_LOCAL 0 1\nLOAD_LOCAL 0\n"           \
    "JLT_INT_IMM 500 loop\nPUSH_STR \"state " #n "\\n\"\nTRAP PRINT\n" END                       \
    "bad:\nPUSH_STR \"state leaked\\n\"\nTRAP PRINT\nPUSH_SMALL 9\nRET\n"

static void threads(void) {
    const char *srcs[] = {RAISE_SEGV, HYPOT_LOOP, ABORT, PLAIN, EXIT3, STATE_PROG(1), STATE_PROG(2)};
    enum { N = sizeof srcs / sizeof srcs[0] };
    Program *progs[N];
    Job jobs[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        progs[i] = load(srcs[i]);
        jobs[i] = (Job){progs[i], tmpfile(), tmpfile(), -1};
        if (jobs[i].out == NULL || jobs[i].err == NULL) abort();
    }
    for (int i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, run_job, &jobs[i]) != 0) abort();
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    char *out[N], *err[N];
    for (int i = 0; i < N; i++) {
        out[i] = contents(jobs[i].out);
        err[i] = contents(jobs[i].err);
    }
    is_int(jobs[0].status, 1, "threads: raise(11) ends its program with status 1");
    like(err[0], "t.nano:3: error: extern call to raise: nano_cop killed by signal 11 (SIGSEGV)\n  at main (t.nano:3)",
         "  with the signal named, and a stack trace");
    is_int(jobs[2].status, 1, "threads: abort() ends its program with status 1");
    like(err[2], "t.nano:4: error: extern call to abort: nano_cop killed by signal 6 (SIGABRT)",
         "  killed by SIGABRT");
    is_int(jobs[4].status, 1, "threads: _exit(3) ends its program with status 1");
    like(err[4], "t.nano:5: error: extern call to _exit: nano_cop exited with status 3",
         "  the co-process's exit status named");
    ok(jobs[1].status == 0 && strcmp(out[1], "10000\n") == 0 && err[1][0] == '\0',
       "threads: 2000 hypot calls beside them complete (%s)", out[1]);
    ok(jobs[3].status == 0 && strcmp(out[3], "plain\n") == 0, "threads: a program without externs completes");
    ok(jobs[5].status == 0 && strcmp(out[5], "state 1\n") == 0 && jobs[6].status == 0 &&
           strcmp(out[6], "state 2\n") == 0,
       "threads: each virtual process has its own co-process (C state is not shared)");
    for (int i = 0; i < N; i++) {
        free(out[i]);
        free(err[i]);
        fclose(jobs[i].out);
        fclose(jobs[i].err);
        program_free(progs[i]);
    }
}

/* ---- a co-process killed during a blocking call -------------------------------------------- */

static const char *SLEEPER =
    ".import getpid - int\n.import sleep - int int\n" MAIN(0)
    "CALL_EXTERN getpid\n" P_INT ".line 7\nPUSH_SMALL 60\nCALL_EXTERN sleep\nPOP\n" END;

static void killed_while_blocked(void) {
    Program *prog = load(SLEEPER);
    Job job = {prog, tmpfile(), tmpfile(), -1};
    if (job.out == NULL || job.err == NULL) abort();
    pthread_t t;
    if (pthread_create(&t, NULL, run_job, &job) != 0) abort();
    /* the VM flushes the program's output before the call of sleep: the co-process's pid */
    long pid = 0;
    for (int i = 0; i < 3000 && pid == 0; i++) {
        char line[64] = "";
        if (pread(fileno(job.out), line, sizeof line - 1, 0) > 0 && strchr(line, '\n'))
            pid = atol(line);
        else
            usleep(10000);
    }
    ok(pid > 0 && pid != (long)getpid(), "the co-process is a process of its own (pid %ld)", pid);
    usleep(200000); /* let it enter sleep() */
    if (pid > 0) kill((pid_t)pid, SIGKILL);
    pthread_join(t, NULL);
    char *err = contents(job.err);
    is_int(job.status, 1, "SIGKILL of the co-process during sleep(): status 1");
    like(err, "t.nano:7: error: extern call to sleep: nano_cop killed by signal 9 (SIGKILL)",
         "  the error names the call and the signal");
    free(err);
    fclose(job.out);
    fclose(job.err);
    program_free(prog);
}

/* ---- shadow tests -------------------------------------------------------------------------- */

static void shadows(void) {
    Program *prog = load(".import ct_set \"@LIB\" void int\n.import ct_get \"@LIB\" int\n" MAIN(0) END
                         ".func t1 0 0 0\n.file \"t.nano\" 10\nPUSH_SMALL 5\nCALL_EXTERN ct_set\n"
                         "CALL_EXTERN ct_get\nJEQ_INT_IMM 5 good\nPUSH_FALSE\nASSERT\n"
                         "good:\nRET_VOID\n"
                         ".func t2 0 0 0\n.file \"t.nano\" 20\n.line 21\nCALL_EXTERN ct_get\n"
                         "PUSH_SMALL 0\nEQ_INT\nASSERT\nRET_VOID\n"
                         ".shadow first t1\n.shadow second t2\n");
    int null_fd = fileno(stderr);
    ShadowResult r1, r2;
    ProcessOptions o = {.in_fd = null_fd, .out_fd = null_fd, .err_fd = null_fd};
    shadow_run_one(prog, 0, &o, &r1);
    shadow_run_one(prog, 1, &o, &r2);
    ok(!r1.failed, "a shadow test calls C (%s)", r1.message);
    ok(!r2.failed, "the next shadow test has a fresh co-process (it sees none of the first's state)");
    program_free(prog);
}

int main(void) {
    setenv("NANO_COP", NANO_COP_BIN, 1);
    int fds_before = count_fds();

    check("hypot 3 4 = 5", ".import hypot - float float float\n" MAIN(0)
          "PUSH_FLOAT 3\nPUSH_FLOAT 4\nCALL_EXTERN hypot\n" P_FLOAT END, 0, "5\n", "");
    check("ldexp 1.5 10 = 1536 (an int argument after a float)", ".import ldexp - float float int\n" MAIN(0)
          "PUSH_FLOAT 1.5\nPUSH_SMALL 10\nCALL_EXTERN ldexp\n" P_FLOAT END, 0, "1536\n", "");
    check("labs and llabs of negative numbers", ".import labs - int int\n.import llabs - int int\n" MAIN(0)
          "PUSH_SMALL -5\nCALL_EXTERN labs\n" P_INT
          "PUSH_INT -9223372036854775807\nCALL_EXTERN llabs\n" P_INT END, 0,
          "5\n9223372036854775807\n", "");
    check("strings: the C side sees the bytes up to the first NUL", ".import strlen - int string\n" MAIN(0)
          "PUSH_STR \"abc\\0def\"\nCALL_EXTERN strlen\n" P_INT END, 0, "3\n", "");
    check("output order: print, C puts, print", ".import puts - int string\n" MAIN(0)
          "PUSH_STR \"one\\n\"\nTRAP PRINT\nPUSH_STR \"two\"\nCALL_EXTERN puts\nPOP\n"
          "PUSH_STR \"three\\n\"\nTRAP PRINT\n" END, 0, "one\ntwo\nthree\n", "");
    check("bool both ways (C bool)", ".import ct_not \"@LIB\" bool bool\n.import ct_is_odd \"@LIB\" bool int\n" MAIN(0)
          "PUSH_TRUE\nCALL_EXTERN ct_not\n" P_BOOL "PUSH_FALSE\nCALL_EXTERN ct_not\n" P_BOOL
          "PUSH_SMALL 7\nCALL_EXTERN ct_is_odd\n" P_BOOL END, 0, "false\ntrue\ntrue\n", "");
    check("ten int arguments keep their order", ".import ct_sum10 \"@LIB\" int int int int int int int int int int int\n" MAIN(0)
          "PUSH_SMALL 1\nPUSH_SMALL 2\nPUSH_SMALL 3\nPUSH_SMALL 4\nPUSH_SMALL 5\nPUSH_SMALL 6\n"
          "PUSH_SMALL 7\nPUSH_SMALL 8\nPUSH_SMALL 9\nPUSH_SMALL 10\nCALL_EXTERN ct_sum10\n" P_INT END,
          0, "385\n", "");
    check("a NULL char * result is \"\"", ".import ct_null_str \"@LIB\" string\n" MAIN(0)
          "PUSH_STR \"[\"\nCALL_EXTERN ct_null_str\nSTR_CONCAT\nPUSH_STR \"]\\n\"\nSTR_CONCAT\nTRAP PRINT\n" END,
          0, "[]\n", "");
    check("handles: NULL is 0, the same pointer the same handle, new pointers new handles",
          ".import ct_same \"@LIB\" opaque\n.import ct_null \"@LIB\" opaque\n.import ct_new \"@LIB\" opaque\n"
          ".import ct_is_same \"@LIB\" bool opaque\n.import ct_is_null \"@LIB\" bool opaque\n"
          ".import ct_id \"@LIB\" opaque opaque\n" MAIN(0)
          "CALL_EXTERN ct_null\n" P_INT "CALL_EXTERN ct_same\n" P_INT "CALL_EXTERN ct_new\n" P_INT
          "CALL_EXTERN ct_same\n" P_INT "CALL_EXTERN ct_new\n" P_INT
          "CALL_EXTERN ct_same\nCALL_EXTERN ct_is_same\n" P_BOOL
          "PUSH_SMALL 0\nCALL_EXTERN ct_is_null\n" P_BOOL
          "PUSH_SMALL 2\nCALL_EXTERN ct_id\n" P_INT END,
          0, "0\n1\n2\n1\n3\ntrue\ntrue\n2\n", "");
    check("a forged handle is an error, not a dereference",
          ".import ct_id \"@LIB\" opaque opaque\n.import ct_same \"@LIB\" opaque\n" MAIN(0)
          "CALL_EXTERN ct_same\nPOP\n.line 9\nPUSH_SMALL 999\nCALL_EXTERN ct_id\nPOP\n" END, 1, "",
          "t.nano:9: error: extern call to ct_id: argument 1: invalid handle 999 (never issued by this co-process)");
    check("a negative handle is an error", ".import fclose - int opaque\n" MAIN(0)
          ".line 2\nPUSH_SMALL -7\nCALL_EXTERN fclose\nPOP\n" END, 1, "",
          "t.nano:2: error: extern call to fclose: argument 1: invalid handle -7 (never issued by this co-process)");
    check("a FILE * round trip: fopen, fputs, fclose",
          ".import fopen - opaque string string\n.import fclose - int opaque\n" MAIN(1)
          "PUSH_STR \"/dev/null\"\nPUSH_STR \"w\"\nCALL_EXTERN fopen\nSTORE_LOCAL 0\n"
          "LOAD_LOCAL 0\n" P_INT "LOAD_LOCAL 0\nCALL_EXTERN fclose\n" P_INT END, 0, "1\n0\n", "");
    check("an unknown symbol names the symbol and the libraries", ".import no_such_fn_here - int int\n" MAIN(0)
          ".line 4\nPUSH_SMALL 1\nCALL_EXTERN no_such_fn_here\nPOP\n" END, 1, "",
          "t.nano:4: error: extern call to no_such_fn_here: symbol 'no_such_fn_here' not found in libc.so.6, libm.so.6");
    check("an unknown library names the library and the reason", ".import f libnanovm_nosuch.so.3 int\n" MAIN(0)
          ".line 6\nCALL_EXTERN f\nPOP\n" END, 1, "",
          "t.nano:6: error: extern call to f: cannot load library 'libnanovm_nosuch.so.3': "
          "libnanovm_nosuch.so.3: cannot open shared object file: No such file or directory");
    check("a symbol missing from a named library", ".import ct_nothing \"@LIB\" int\n" MAIN(0)
          ".line 2\nCALL_EXTERN ct_nothing\nPOP\n" END, 1, "",
          "extern call to ct_nothing: symbol 'ct_nothing' not found in library '" COPTEST_LIB "'");
    check("a library by soname (libm.so.6)", ".import cbrt libm.so.6 float float\n" MAIN(0)
          "PUSH_FLOAT 27\nCALL_EXTERN cbrt\n" P_FLOAT END, 0, "3\n", "");
    check("a non-string for a string parameter is a type error", ".import strlen - int string\n" MAIN(0)
          ".line 3\nPUSH_SMALL 5\nCALL_EXTERN strlen\nPOP\n" END, 1, "",
          "t.nano:3: error: type error: CALL_EXTERN expects string, got int");
    check("output before a crash is flushed, then the error", ".import raise - int int\n" MAIN(0)
          "PUSH_STR \"before\\n\"\nTRAP PRINT\n.line 2\nPUSH_SMALL 11\nCALL_EXTERN raise\nPOP\n"
          "PUSH_STR \"after\\n\"\nTRAP PRINT\n" END, 1, "before\n",
          "t.nano:2: error: extern call to raise: nano_cop killed by signal 11 (SIGSEGV)");

    /* 64 MiB + 1 both ways: strlen of it, and ct_repeat building a 64 MiB + 2 result (not
     * under ThreadSanitizer, which makes it slow and has nothing to find in it) */
#if !defined(__SANITIZE_THREAD__)
    {
        VmResult r = run(".import strlen - int string\n.import ct_repeat \"@LIB\" string string int\n" MAIN(1)
                         "PUSH_STR \"x\"\nSTORE_LOCAL 0\nPUSH_SMALL 0\n"
                         "dbl:\nLOAD_LOCAL 0\nLOAD_LOCAL 0\nSTR_CONCAT\nSTORE_LOCAL 0\nADD_INT_IMM 1\n"
                         "DUP\nJLT_INT_IMM 26 dbl\nPOP\n"
                         "LOAD_LOCAL 0\nPUSH_STR \"y\"\nSTR_CONCAT\nCALL_EXTERN strlen\n" P_INT
                         "LOAD_LOCAL 0\nPUSH_STR \"y\"\nSTR_CONCAT\nPUSH_SMALL 1\nCALL_EXTERN ct_repeat\n"
                         "DUP\nSTR_LEN\n" P_INT
                         "PUSH_STR \"z\"\nPUSH_SMALL 67108866\nCALL_EXTERN ct_repeat\nSTR_LEN\n" P_INT
                         "LOAD_LOCAL 0\nPUSH_STR \"y\"\nSTR_CONCAT\nSTR_EQ\n" P_BOOL END);
        ok(r.status == 0 && strcmp(r.out, "67108865\n67108865\n67108866\ntrue\n") == 0,
           "a 64 MiB + 1 string to C and back, and a 64 MiB + 2 string from C");
        if (r.status != 0) diag("  %s %s", r.out, r.err);
        vm_result_free(&r);
    }
#endif

    threads();
    killed_while_blocked();
    shadows();

    int st;
    errno = 0;
    ok(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "every co-process was reaped (no zombie)");
    int fds_after = count_fds();
    is_int(fds_after, fds_before, "no descriptor leaked (%d open before and after)", fds_before);
    return done();
}
