/* main.c: nanoc0, the bootstrap transpiler: nanolang (the subset in docs/BOOTSTRAP.md) to C.
 *
 *   nanoc0 [--tests] [-o out.c] main.nano
 *
 * --tests: the program runs every shadow test instead of main and prints TAP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanoc0.h"

static void usage(void) {
    fputs("usage: nanoc0 [--tests] [-o out.c] main.nano\n", stderr);
    exit(2);
}

int main(int argc, char **argv) {
    bool tests = false;
    const char *out_path = NULL, *in_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tests") == 0) {
            tests = true;
        } else if (strcmp(argv[i], "-o") == 0) {
            if (++i == argc) usage();
            out_path = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "nanoc0: unknown option %s\n", argv[i]);
            usage();
        } else {
            if (in_path) usage();
            in_path = argv[i];
        }
    }
    if (!in_path) usage();
    Vec modules = {0};
    load_program(in_path, &modules);
    check_program(&modules);
    Buf out = {0};
    emit_program(&modules, tests, out_path ? out_path : "nanoc0-output.c", &out);
    FILE *f = out_path ? fopen(out_path, "wb") : stdout;
    if (f == NULL) {
        fprintf(stderr, "nanoc0: cannot write %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    if (fwrite(out.p, 1, out.len, f) != out.len || (out_path ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "nanoc0: cannot write %s\n", out_path ? out_path : "output");
        return 1;
    }
    return 0;
}
