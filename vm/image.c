/* image.c: see image.h. */
#include "image.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "process.h"
#include "program.h"

static void say(int fd, const char *msg) {
    size_t n = strlen(msg);
    while (n > 0) {
        ssize_t w = write(fd, msg, n);
        if (w <= 0) return;
        msg += w;
        n -= (size_t)w;
    }
}

int image_run(const uint8_t *bytes, size_t len, int argc, char **argv, const ProcessOptions *opt,
              uint64_t *steps) {
    if (steps != NULL) *steps = 0;
    char err[512];
    Program *prog = program_load(bytes, len, err, sizeof err);
    if (prog == NULL) {
        char line[600];
        snprintf(line, sizeof line, "nano_vm: %s\n", err);
        say(opt->err_fd, line);
        return 65;
    }
    Process *p = process_new(prog, argc, argv, opt);
    if (p == NULL) {
        say(opt->err_fd, "nano_vm: cannot create a process: out of memory\n");
        program_free(prog);
        return 70;
    }
    int status = harness_run(p);
    if (steps != NULL) *steps = p->steps;
    process_free(p);
    program_free(prog);
    return status;
}
