/* fuzz_nvm.c: a libFuzzer target for the loader, the verifier, the disassembler and the VM: each
 * input is loaded as a .nvm file; whatever verifies is disassembled and run in a read-only process
 * (no file written, no C called: ProcessOptions.read_only; the co-process is also pointed at a
 * missing path) under small limits that the programs it starts share (docs/ISA.md 6.5).
 * Built and run by `make fuzz` (tests/fuzz/fuzz.mk); tests/fuzz/replay.t runs the seed and
 * regression inputs once under `make test`.  Findings: every rejection is a one-line message,
 * the step budget holds across nesting, and nothing crashes (AddressSanitizer,
 * UndefinedBehaviorSanitizer). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "nvm_format.h"
#include "process.h"
#include "program.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static FILE *devnull;

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    setenv("NANO_COP", "/nonexistent/nano_cop", 1);
    devnull = fopen("/dev/null", "w+");
    if (devnull == NULL) abort();
    return 0;
}

/* Most mutants get a correct file size and CRC, so that they reach the section parsers and the
 * verifier instead of dying at the CRC check; one in eight keeps whatever the mutation left. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    size = LLVMFuzzerMutate(data, size, max_size);
    if (seed % 8 != 0 && size >= NVM_HEADER_SIZE) {
        put_u32(data + 16, (uint32_t)size);
        put_u32(data + 20, nvm_crc32(data + NVM_HEADER_SIZE, size - NVM_HEADER_SIZE));
    }
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    Program *p = program_load(data, size, err, sizeof err);
    if (p == NULL) {
        size_t n = strnlen(err, sizeof err);
        if (n == 0 || n == sizeof err || memchr(err, '\n', n) != NULL) abort(); /* one line, always */
        return 0;
    }
    program_disassemble(p, devnull);
    for (uint32_t f = 0; f < p->nfuncs; f++) (void)program_line_at(p, f, p->funcs[f].code_len / 2);
    /* small limits, shared with whatever it starts (RUN_PROGRAM, RUN_TESTS); read-only: it can
     * write no file and call no C */
    ProcessOptions o = {.stack_slots = 4096, .max_frames = 256, .heap_max = (size_t)4 << 20,
                        .in_fd = fileno(devnull), .out_fd = fileno(devnull),
                        .err_fd = fileno(devnull), .max_steps = 20000, .test_steps = 5000,
                        .read_only = 1};
    char *argv[] = {"fuzz", "arg"};
    Process *proc = process_new(p, 2, argv, &o);
    if (proc != NULL) {
        harness_run(proc);
        if (proc->steps > o.max_steps) abort(); /* the budget holds, nested programs included */
        process_free(proc);
    }
    program_free(p);
    return 0;
}
