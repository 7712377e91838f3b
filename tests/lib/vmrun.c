/* vmrun.c: see vmrun.h. */
#include "vmrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "nvmasm.h"
#include "program.h"

uint64_t vm_total_op_counts[256];

static char *slurp(FILE *f) {
    fflush(f);
    long n = ftell(f);
    if (n < 0) n = 0;
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL) abort();
    rewind(f);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    return buf;
}

VmResult vm_run_bytes(const uint8_t *bytes, size_t len, int argc, char **argv, const char *input,
                      const ProcessOptions *opt) {
    VmResult r;
    memset(&r, 0, sizeof r);
    Program *prog = program_load(bytes, len, r.load_error, sizeof r.load_error);
    if (prog == NULL) {
        r.out = calloc(1, 1);
        r.err = calloc(1, 1);
        return r;
    }
    r.loaded = 1;
    FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
    if (in == NULL || out == NULL || err == NULL) abort();
    if (input != NULL) fputs(input, in);
    fflush(in);
    rewind(in);
    ProcessOptions o = {.in_fd = 0, .out_fd = 1, .err_fd = 2};
    if (opt != NULL) o = *opt;
    o.in_fd = fileno(in);
    o.out_fd = fileno(out);
    o.err_fd = fileno(err);
    char *args[64];
    int n = 0;
    args[n++] = "test.nvm";
    for (int i = 0; i < argc && n < 64; i++) args[n++] = argv[i];
    Process *p = process_new(prog, n, args, &o);
    if (p == NULL) abort();
    r.status = harness_run(p);
    r.collections = p->heap.collections;
    if (p->op_counts != NULL)
        for (int i = 0; i < 256; i++) {
            r.op_counts[i] = p->op_counts[i];
            vm_total_op_counts[i] += p->op_counts[i];
        }
    process_free(p);
    program_free(prog);
    /* the process wrote through the descriptors: move the FILE positions to the end */
    fseek(out, 0, SEEK_END);
    fseek(err, 0, SEEK_END);
    r.out = slurp(out);
    r.err = slurp(err);
    fclose(in);
    fclose(out);
    fclose(err);
    return r;
}

void vm_result_free(VmResult *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

Program *vm_load_asm(const char *src) {
    size_t len;
    uint8_t *bytes = asm_build(src, &len);
    char err[512];
    Program *p = program_load(bytes, len, err, sizeof err);
    free(bytes);
    if (p == NULL) {
        fprintf(stderr, "load: %s\n", err);
        abort();
    }
    return p;
}
