/* t_shadow.c: images run from inside a program: shadow tests, each in a fresh process
 * (shadow_run_one, the RUN_TESTS trap through which the compiler runs the tests of a .nvm image
 * it made), and whole programs (the RUN_PROGRAM trap, for nano_virt --run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "nvmasm.h"
#include "shadow.h"
#include "tap.h"
#include "vmrun.h"

/* Three tests: one passes (and prints, which must not leak), one fails an assert at s.nano:10,
 * one calls HALT; the initializer sets a global that the tests read. */
static const char *TESTED =
    ".global g\n"
    ".func main 0 0 1\nPUSH_SMALL 0\nRET\n"
    ".func init 0 0 0\nPUSH_SMALL 41\nSTORE_GLOBAL g\nRET_VOID\n"
    ".func t_add 0 0 0\nPUSH_STR \"noise\"\nTRAP PRINT\nLOAD_GLOBAL g\nPUSH_SMALL 41\nEQ_INT\nASSERT\n"
    "PUSH_SMALL 1\nSTORE_GLOBAL g\nRET_VOID\n"
    ".func t_sub 0 0 0\n.file \"s.nano\" 9\n.line 10\nLOAD_GLOBAL g\nPUSH_SMALL 1\nEQ_INT\nASSERT\nRET_VOID\n"
    ".func t_exit 0 0 0\nPUSH_SMALL 3\nHALT\n"
    ".init init\n.shadow add t_add\n.shadow sub t_sub\n.shadow quit t_exit\n";

/* A program that calls TRAP RUN_TESTS_STEPS at r.nano:LINE with the operands OPERANDS pushes:
 * "LINE\nOPERANDS", its result. */
static VmResult run_steps_trap(const char *line_and_operands) {
    char src[512];
    snprintf(src, sizeof src,
             ".func main 0 0 1\n.file \"r.nano\" 1\n.line %s\nTRAP RUN_TESTS_STEPS\nPOP\n"
             "PUSH_SMALL 0\nRET\n",
             line_and_operands);
    size_t len;
    uint8_t *bytes = asm_build(src, &len);
    VmResult r = vm_run_bytes(bytes, len, 0, NULL, NULL, NULL);
    free(bytes);
    return r;
}

int main(void) {
    plan(23);
    size_t len;
    uint8_t *bytes = asm_build(TESTED, &len);

    char *report = shadow_run_image(bytes, len, &(ProcessOptions){0}, NULL);
    const char *want = "ok add\nnot ok sub\ts.nano:10\tassertion failed\n"
                       "not ok quit\t\texit(3) called in a shadow test\n";
    ok(report != NULL && strcmp(report, want) == 0,
       "each test runs in a fresh process after the initializer; failures are located");
    if (report && strcmp(report, want) != 0) diag("  got '%s'", report);
    free(report);

    char err[512];
    Program *prog = program_load(bytes, len, err, sizeof err);
    ShadowResult r;
    ProcessOptions discard = {.in_fd = -1, .out_fd = -1, .err_fd = -1};
    ok(prog != NULL && shadow_run_one(prog, 1, &discard, &r) == 0 && r.failed &&
           strcmp(r.location, "s.nano:10") == 0 && strcmp(r.message, "assertion failed") == 0,
       "shadow_run_one reports the failing test's location and message");
    ok(prog != NULL && shadow_run_one(prog, 0, &discard, &r) == 0 && !r.failed,
       "and a passing test as passed");
    program_free(prog);

    uint8_t junk[40] = "not an image";
    report = shadow_run_image(junk, sizeof junk, &(ProcessOptions){0}, NULL);
    like(report, "error\tbad .nvm: ", "an image that does not load is one 'error' line");
    free(report);

    /* The trap: a program reads the image from a file and runs its tests. */
    char dir[] = "/tmp/nanovm_t_shadow_XXXXXX";
    if (mkdtemp(dir) == NULL) abort();
    char path[128];
    snprintf(path, sizeof path, "%s/tested.nvm", dir);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) abort();
    char src[1024];
    snprintf(src, sizeof src,
             ".func main 0 0 1\nPUSH_STR \"before\\n\"\nTRAP PRINT\nPUSH_STR \"%s\"\nTRAP READ_FILE\nPOP\n"
             "TRAP RUN_TESTS\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", path);
    size_t rlen;
    uint8_t *runner = asm_build(src, &rlen);
    VmResult vr = vm_run_bytes(runner, rlen, 0, NULL, NULL, NULL);
    ok(vr.status == 0, "TRAP RUN_TESTS returns to the program");
    ok(strncmp(vr.out, "before\n", 7) == 0 && strcmp(vr.out + 7, want) == 0,
       "it pushes the report; the tests' own output is discarded");
    if (strncmp(vr.out, "before\n", 7) != 0 || strcmp(vr.out + 7, want) != 0) diag("  got '%s'", vr.out);
    ok(vr.err[0] == '\0', "and nothing reaches the caller's stderr");
    vm_result_free(&vr);
    free(runner);

    const char *notstr;
    notstr = ".func main 0 0 1\n.file \"r.nano\" 1\n.line 2\nPUSH_SMALL 1\nTRAP RUN_TESTS\nPOP\nPUSH_SMALL 0\nRET\n";
    runner = asm_build(notstr, &rlen);
    vr = vm_run_bytes(runner, rlen, 0, NULL, NULL, NULL);
    ok(vr.status == 1, "RUN_TESTS of a non-string is an error");
    like(vr.err, "r.nano:2: error: type error: TRAP RUN_TESTS expects a string", "with its message");
    vm_result_free(&vr);
    free(runner);

    /* RUN_TESTS_STEPS: the same report, each test under the step limit given */
    snprintf(src, sizeof src,
             ".func main 0 0 1\nPUSH_STR \"%s\"\nTRAP READ_FILE\nPOP\nPUSH_SMALL 100\n"
             "TRAP RUN_TESTS_STEPS\nTRAP PRINT\nPUSH_STR \"%s\"\nTRAP READ_FILE\nPOP\nPUSH_SMALL 9\n"
             "TRAP RUN_TESTS_STEPS\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", path, path);
    runner = asm_build(src, &rlen);
    vr = vm_run_bytes(runner, rlen, 0, NULL, NULL, NULL);
    ok(vr.status == 0, "TRAP RUN_TESTS_STEPS returns to the program");
    /* the initializer's 3 instructions count: add needs 13, sub 8, quit 5 */
    const char *want3 = "not ok add\t\tdid not finish within 9 steps\n"
                        "not ok sub\ts.nano:10\tassertion failed\n"
                        "not ok quit\t\texit(3) called in a shadow test\n";
    ok(strncmp(vr.out, want, strlen(want)) == 0 && strcmp(vr.out + strlen(want), want3) == 0,
       "each test gets the step limit given: 100 is enough, 9 is not for the longest");
    if (strncmp(vr.out, want, strlen(want)) != 0 || strcmp(vr.out + strlen(want), want3) != 0)
        diag("  got '%s'", vr.out);
    vm_result_free(&vr);
    free(runner);
    vr = run_steps_trap("3\nPUSH_SMALL 1\nPUSH_SMALL 1");
    ok(vr.status == 1, "RUN_TESTS_STEPS of a non-string is an error");
    like(vr.err, "r.nano:3: error: type error: TRAP RUN_TESTS_STEPS expects a string", "with its message");
    vm_result_free(&vr);
    vr = run_steps_trap("4\nPUSH_STR \"x\"\nPUSH_STR \"1\"");
    like(vr.err, "r.nano:4: error: type error: TRAP RUN_TESTS_STEPS expects an int step limit",
         "and of a step limit that is not an int");
    vm_result_free(&vr);
    vr = run_steps_trap("5\nPUSH_STR \"x\"\nPUSH_SMALL -1");
    ok(vr.status == 1, "a negative step limit is an error");
    like(vr.err, "r.nano:5: error: run_shadow_tests_steps: negative step limit -1", "with its message");
    vm_result_free(&vr);

    /* RUN_PROGRAM: the inner program sees its own arguments and shares stdout; its status
     * comes back. */
    const char *inner = ".func main 0 0 1\nPUSH_SMALL 1\nTRAP ARG\nTRAP PRINT\nPUSH_SMALL 3\nRET\n";
    size_t ilen;
    uint8_t *ibytes = asm_build(inner, &ilen);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(ibytes, 1, ilen, f) != ilen || fclose(f) != 0) abort();
    free(ibytes);
    snprintf(src, sizeof src,
             ".func main 0 0 1\nPUSH_STR \"outer \"\nTRAP PRINT\nPUSH_STR \"%s\"\nTRAP READ_FILE\nPOP\n"
             "PUSH_STR \"inner\"\nPUSH_STR \"hello\"\nARRAY_LIT 2\nTRAP RUN_PROGRAM\nINT_TO_STR\nTRAP PRINT\n"
             "PUSH_STR \"junk\"\nARRAY_LIT 0\nTRAP RUN_PROGRAM\nINT_TO_STR\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", path);
    runner = asm_build(src, &rlen);
    vr = vm_run_bytes(runner, rlen, 0, NULL, NULL, NULL);
    ok(vr.status == 0, "TRAP RUN_PROGRAM returns to the program");
    is_int(strcmp(vr.out, "outer hello365"), 0, "the inner program prints its argument between the outer's output; statuses 3 and 65 come back");
    if (strcmp(vr.out, "outer hello365") != 0) diag("  got '%s'", vr.out);
    like(vr.err, "nano_vm: bad .nvm: ", "an image that does not load says why on stderr");
    vm_result_free(&vr);
    free(runner);
    notstr = ".func main 0 0 1\n.file \"r.nano\" 1\n.line 4\nPUSH_STR \"x\"\nPUSH_SMALL 1\nTRAP RUN_PROGRAM\nPOP\nPUSH_SMALL 0\nRET\n";
    runner = asm_build(notstr, &rlen);
    vr = vm_run_bytes(runner, rlen, 0, NULL, NULL, NULL);
    like(vr.err, "r.nano:4: error: type error: TRAP RUN_PROGRAM expects an array", "RUN_PROGRAM checks its arguments");
    vm_result_free(&vr);
    free(runner);

    /* A program that runs itself: the nesting limit ends it with a runtime error, not a crash. */
    snprintf(src, sizeof src,
             ".func main 0 0 1\n.file \"self.nano\" 1\n.line 2\nPUSH_STR \"%s\"\nTRAP READ_FILE\nPOP\n"
             "PUSH_STR \"again\"\nARRAY_LIT 1\nTRAP RUN_PROGRAM\nRET\n", path);
    runner = asm_build(src, &rlen);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(runner, 1, rlen, f) != rlen || fclose(f) != 0) abort();
    vr = vm_run_bytes(runner, rlen, 0, NULL, NULL, NULL);
    is_int(vr.status, 1, "a program that runs itself ends with status 1 (its innermost copy's)");
    like(vr.err, "self.nano:2: error: run_program: programs nested more than 16 deep",
         "the innermost copy fails at the nesting limit");
    vm_result_free(&vr);
    free(runner);

    /* 100 tests one after another, each filling 640 KB of its heap with garbage: the memory
     * the first one touched serves the rest (ProcessSpare, here without one from the caller),
     * instead of 160 page faults more for each test. */
    static char many[8192];
    size_t n = 0;
    n += (size_t)snprintf(many + n, sizeof many - n,
                          ".func main 0 0 1\nPUSH_SMALL 0\nRET\n"
                          ".func fill 0 1 0\nPUSH_SMALL 0\nSTORE_LOCAL 0\nloop:\n"
                          "PUSH_SMALL 1000\nPUSH_STR \"x\"\nARRAY_NEW\nPOP\n"
                          "INC_LOCAL 0 1\nLOAD_LOCAL 0\nJLT_INT_IMM 40 loop\nRET_VOID\n");
    for (int i = 0; i < 100 && n < sizeof many; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, ".shadow fill%d fill\n", i);
    runner = asm_build(many, &rlen);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    report = shadow_run_image(runner, rlen, &(ProcessOptions){0}, NULL);
    getrusage(RUSAGE_SELF, &after);
    long faults = after.ru_minflt - before.ru_minflt;
#if defined(__SANITIZE_ADDRESS__)
    const long most = 50000; /* its shadow memory: 5,600 here, and 529,000 with no reuse */
#else
    const long most = 4000; /* 170 here, and 16,500 with no reuse */
#endif
    ok(report != NULL && strncmp(report, "ok fill0\n", 9) == 0 && strstr(report, "not ok") == NULL &&
           faults < most,
       "100 shadow tests of 640 KB of garbage each pass, reusing memory: %ld page faults", faults);
    free(report);
    free(runner);

    unlink(path);
    rmdir(dir);
    free(bytes);
    return done();
}
