/* t_fuzz.c: mutated and truncated .nvm files fed to program_load (loader + verifier), with a
 * fixed seed so that every run is the same.
 *
 * Seeds are valid programs made with the builder, together covering every section and most
 * opcodes.  Most mutants get their file_size and CRC recomputed after mutating, so that the
 * mutations reach the section parsers and the verifier instead of all dying at the CRC check.
 * Every rejection must be a non-empty one-line message; every program that loads must
 * disassemble (to /dev/null) and then run: with a step limit, a small stack and heap, its output
 * discarded, in a scratch directory (a mutant may write files), nested as deep as allowed (so
 * that it cannot start programs).  It may fail in any defined way; the VM must not crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvmbuild.h"
#include "harness.h"
#include "process.h"
#include "program.h"
#include "tap.h"

/* Mutants per seed program.  Build with -DFUZZ_PER_SEED=1000000 for a long local run. */
#ifndef FUZZ_PER_SEED
#define FUZZ_PER_SEED 5000
#endif

/* ---- splitmix64 ---------------------------------------------------------------------------- */
static uint64_t rng_state = 0x6E616E6F766D2021ull; /* "nanovm !" */

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n) { return n ? (uint32_t)(rnd() % n) : 0; }

/* ---- seed programs ------------------------------------------------------------------------- */

/* Every section: types of every kind, globals, imports, lines, shadow tests, init. */
static NB *seed_tables(void) {
    NB *b = nb_new();
    nb_module(b, "tables");
    uint32_t main_fn = nb_func(b, "main", 0, 2, 1);
    uint32_t add = nb_func(b, "add", 2, 2, 1);
    uint32_t init = nb_func(b, "__init", 0, 0, 0);
    uint32_t test = nb_func(b, "__shadow_add", 0, 0, 0);
    nb_source(b, main_fn, "tables.nano", 10);
    nb_source(b, add, "tables.nano", 3);
    nb_source(b, test, "lib/util.nano", 7);
    uint32_t point = nb_struct(b, "Point", 2, (const char *[]){"x", "y"});
    uint32_t pair = nb_tuple(b, 2);
    uint32_t res = nb_union(b, "Result");
    nb_variant(b, res, "Ok", 1, (const char *[]){"value"});
    nb_variant(b, res, "Err", 2, (const char *[]){"msg", "code"});
    nb_variant(b, res, "Nothing", 0, NULL);
    nb_enum(b, "Color", 3, (const char *[]){"Red", "Green", "Blue"});
    uint32_t counter = nb_global(b, "counter");
    nb_global(b, "table");
    uint32_t puts_i = nb_import(b, "puts", "libc", NVM_VK_INT, 1, (const uint8_t[]){NVM_VK_STRING});
    nb_import(
        b, "mix", "libm.so.6", NVM_VK_FLOAT, 5,
        (const uint8_t[]){NVM_VK_FLOAT, NVM_VK_INT, NVM_VK_BOOL, NVM_VK_OPAQUE, NVM_VK_STRING});
    nb_import(b, "abort", NULL, NVM_VK_VOID, 0, NULL);
    nb_shadow(b, "add", test);
    nb_entry(b, main_fn);
    nb_init(b, init);

    nb_begin(b, add);
    nb_line(b, 4);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_LOAD_LOCAL, 1);
    nb_op(b, OP_ADD_INT);
    nb_line(b, 5);
    nb_op(b, OP_RET);

    nb_begin(b, main_fn);
    nb_line(b, 11);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_CALL, add);
    nb_op1(b, OP_STORE_LOCAL, 0);
    nb_line(b, 12);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_PUSH_SMALL, 5);
    nb_op1(b, OP_NEW_RECORD, point);
    nb_op1(b, OP_GET_FIELD, 1);
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op(b, OP_PUSH_TRUE);
    nb_op1(b, OP_NEW_RECORD, pair);
    nb_op(b, OP_POP);
    nb_line(b, 13);
    nb_op1(b, OP_PUSH_STR, nb_str(b, "boom"));
    nb_op1(b, OP_PUSH_SMALL, 7);
    nb_op2(b, OP_NEW_VARIANT, res, 1);
    nb_op(b, OP_UNION_TAG);
    nb_op(b, OP_POP);
    nb_op2(b, OP_NEW_VARIANT, res, 2);
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_STR, nb_str(b, "hello"));
    nb_op1(b, OP_CALL_EXTERN, puts_i);
    nb_op(b, OP_POP);
    nb_op1(b, OP_LOAD_GLOBAL, counter);
    nb_op(b, OP_RET);

    nb_begin(b, init);
    nb_op1(b, OP_PUSH_SMALL, 42);
    nb_op1(b, OP_STORE_GLOBAL, counter);
    nb_op1(b, OP_MAP_NEW, 1);
    nb_op1(b, OP_STORE_GLOBAL, 1);
    nb_op(b, OP_RET_VOID);

    nb_begin(b, test);
    nb_line(b, 8);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_PUSH_SMALL, 3);
    nb_op1(b, OP_CALL, add);
    nb_op1(b, OP_PUSH_SMALL, 5);
    nb_op(b, OP_EQ_INT);
    nb_op(b, OP_ASSERT);
    nb_op(b, OP_RET_VOID);
    return b;
}

/* Control flow: loops, fused compare-and-branch, a jump table, immediates. */
static NB *seed_control(void) {
    NB *b = nb_new();
    uint32_t main_fn = nb_func(b, "main", 0, 1, 1);
    uint32_t fib = nb_func(b, "fib", 1, 3, 1);
    uint32_t sw = nb_func(b, "classify", 1, 1, 1);
    nb_source(b, fib, "fib.nano", 1);
    nb_entry(b, main_fn);

    nb_begin(b, fib);
    uint32_t loop = nb_label(b), out = nb_label(b);
    nb_line(b, 2);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op1(b, OP_STORE_LOCAL, 1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_STORE_LOCAL, 2);
    nb_line(b, 3);
    nb_mark(b, loop);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_jump_imm(b, OP_JLT_INT_IMM, 1, out);
    nb_line(b, 4);
    nb_op1(b, OP_LOAD_LOCAL, 1);
    nb_op1(b, OP_LOAD_LOCAL, 2);
    nb_op(b, OP_DUP);
    nb_op1(b, OP_STORE_LOCAL, 1);
    nb_op(b, OP_ADD_INT);
    nb_op1(b, OP_STORE_LOCAL, 2);
    nb_op2(b, OP_INC_LOCAL, 0, (uint32_t)-1);
    nb_jump(b, OP_JUMP, loop);
    nb_line(b, 6);
    nb_mark(b, out);
    nb_op1(b, OP_LOAD_LOCAL, 1);
    nb_op(b, OP_RET);

    nb_begin(b, sw);
    uint32_t c0 = nb_label(b), c1 = nb_label(b), c2 = nb_label(b), dflt = nb_label(b);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_jump_table(b, 3, (const uint32_t[]){c0, c1, c2});
    nb_jump(b, OP_JUMP, dflt);
    nb_mark(b, c0);
    nb_i64(b, OP_PUSH_INT, INT64_MIN);
    nb_op(b, OP_RET);
    nb_mark(b, c1);
    nb_f64(b, OP_PUSH_FLOAT, 2.5);
    nb_op(b, OP_FLOAT_TO_INT);
    nb_op(b, OP_RET);
    nb_mark(b, c2);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_PUSH_SMALL, 10);
    nb_jump(b, OP_JGE_INT, dflt);
    nb_op1(b, OP_PUSH_SMALL, 3);
    nb_op(b, OP_RET);
    nb_mark(b, dflt);
    nb_op1(b, OP_PUSH_SMALL, -1);
    nb_op(b, OP_RET);

    nb_begin(b, main_fn);
    uint32_t els = nb_label(b), end = nb_label(b);
    nb_op1(b, OP_PUSH_SMALL, 20);
    nb_op1(b, OP_CALL, fib);
    nb_op1(b, OP_PUSH_FN, sw);
    nb_op2(b, OP_CALL_INDIRECT, 1, 1);
    nb_op1(b, OP_PUSH_SMALL, 2); /* a closure of classify capturing its one parameter */
    nb_op2(b, OP_MAKE_CLOSURE, 1, sw);
    nb_op2(b, OP_CALL_INDIRECT, 0, 1);
    nb_op(b, OP_POP);
    nb_op1(b, OP_STORE_LOCAL, 0);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_jump(b, OP_JNE_INT, els);
    nb_op1(b, OP_PUSH_STR, nb_str(b, "zero\n"));
    nb_op1(b, OP_TRAP, TRAP_PRINT);
    nb_jump(b, OP_JUMP, end);
    nb_mark(b, els);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op(b, OP_INT_TO_STR);
    nb_op1(b, OP_TRAP, TRAP_EPRINT);
    nb_mark(b, end);
    nb_op1(b, OP_TRAP, TRAP_ARG_COUNT);
    nb_op(b, OP_PUSH_TRUE);
    nb_op(b, OP_ASSERT);
    nb_op(b, OP_RET);
    return b;
}

/* Data: arrays, maps, strings (with NUL and high bytes), floats, traps with two results. */
static NB *seed_data(void) {
    NB *b = nb_new();
    nb_module(b, "data");
    uint32_t main_fn = nb_func(b, "main", 0, 3, 0);
    nb_source(b, main_fn, "data.nano", 1);
    nb_entry(b, main_fn);
    nb_begin(b, main_fn);
    nb_line(b, 2);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_PUSH_SMALL, 3);
    nb_op1(b, OP_ARRAY_LIT, 3);
    nb_op1(b, OP_STORE_LOCAL, 0);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_PUSH_SMALL, 4);
    nb_op(b, OP_ARRAY_PUSH);
    nb_op(b, OP_ARRAY_LEN);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op(b, OP_ARRAY_GET);
    nb_op(b, OP_ADD_INT);
    nb_op(b, OP_POP);
    nb_line(b, 3);
    nb_op1(b, OP_MAP_NEW, 1);
    nb_op1(b, OP_STORE_LOCAL, 1);
    nb_op1(b, OP_LOAD_LOCAL, 1);
    nb_op1(b, OP_PUSH_STR, nb_strn(b, "k\0ey", 4));
    nb_f64(b, OP_PUSH_FLOAT, -0.0);
    nb_op(b, OP_MAP_PUT);
    nb_op1(b, OP_LOAD_LOCAL, 1);
    nb_op(b, OP_MAP_KEYS);
    nb_op(b, OP_STR_JOIN);
    nb_op1(b, OP_PUSH_STR, nb_strn(b, "\xff\x80\n\"", 4));
    nb_op(b, OP_STR_CONCAT);
    nb_op(b, OP_STR_LEN);
    nb_op(b, OP_INT_TO_FLOAT);
    nb_op(b, OP_SQRT_FLOAT);
    nb_f64(b, OP_PUSH_FLOAT, 1e300);
    nb_op(b, OP_MUL_FLOAT);
    nb_op(b, OP_FLOAT_TO_STR);
    nb_op1(b, OP_TRAP, TRAP_PRINT);
    nb_line(b, 4);
    nb_op1(b, OP_PUSH_STR, nb_str(b, "in.txt"));
    nb_op1(b, OP_TRAP, TRAP_READ_FILE);
    nb_op1(b, OP_STORE_LOCAL, 2);
    nb_op1(b, OP_STORE_LOCAL, 2);
    nb_op1(b, OP_TRAP, TRAP_READ_LINE);
    nb_op(b, OP_SWAP);
    nb_op(b, OP_POP);
    nb_op(b, OP_NOT);
    nb_op(b, OP_ASSERT);
    nb_op1(b, OP_PUSH_STR, nb_str(b, ""));
    nb_op(b, OP_STR_TO_INT);
    nb_op(b, OP_HALT);
    return b;
}

/* Many small functions calling each other, one string per function. */
static NB *seed_many(void) {
    NB *b = nb_new();
    enum { N = 24 };
    uint32_t f[N];
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "f%d", i);
        f[i] = nb_func(b, name, (uint32_t)(i % 3), (uint32_t)(i % 3 + 1), (uint32_t)(i % 2));
    }
    nb_entry(b, f[0]);
    for (int i = N - 1; i >= 0; i--) {
        nb_begin(b, f[i]);
        nb_source(b, f[i], i % 2 ? "odd.nano" : "even.nano", (uint32_t)(10 * i + 1));
        nb_line(b, (uint32_t)(10 * i + 2));
        if (i + 1 < N) {
            for (uint32_t k = 0; k < (uint32_t)((i + 1) % 3); k++) nb_op1(b, OP_PUSH_SMALL, k);
            nb_op1(b, OP_CALL, f[i + 1]);
            if ((i + 1) % 2) nb_op(b, OP_POP);
        }
        snprintf(name, sizeof name, "s%d", i);
        nb_op1(b, OP_PUSH_STR, nb_str(b, name));
        nb_op(b, OP_POP);
        if (i % 2) {
            nb_op1(b, OP_LOAD_LOCAL, (uint32_t)(i % 3));
            nb_op(b, OP_RET);
        } else {
            nb_op(b, OP_RET_VOID);
        }
    }
    return b;
}

/* ---- mutation ------------------------------------------------------------------------------ */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} Bytes;

static uint32_t interesting(void) {
    static const uint32_t v[] = {0, 1, 2, 3, 4, 7, 8, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000u,
                                 0xFFFFFFFFu, 0xFFFFFFFEu, 0x10000, 0x3FFFFFFF};
    switch (below(4)) {
    case 0: return below(16);
    case 1: return (uint32_t)rnd();
    default: return v[below(sizeof v / sizeof v[0])];
    }
}

/* A random aligned word offset, biased toward one section's contents. */
static size_t pick_word(const Bytes *m) {
    size_t nwords = m->len / 4;
    if (nwords == 0) return 0;
    uint32_t nsec = m->len >= 16 ? nb_get_u32(m->p + 12) : 0;
    if (nsec && nsec <= NVM_MAX_SECTIONS && below(4) != 0) {
        uint32_t i = below(nsec);
        size_t e = NVM_HEADER_SIZE + (size_t)NVM_DIR_ENTRY_SIZE * i;
        if (e + 12 <= m->len) {
            uint32_t off = nb_get_u32(m->p + e + 4), size = nb_get_u32(m->p + e + 8);
            if (off % 4 == 0 && size >= 4 && off < m->len && size <= m->len - off)
                return off / 4 + below(size / 4);
        }
    }
    return below((uint32_t)nwords);
}

/* Remove or insert 4 bytes at a word inside a section, keeping the directory consistent (so
 * the section parsers see shifted content rather than a broken directory). */
static void shift(Bytes *m, int insert) {
    if (m->len < NVM_HEADER_SIZE + 4) return;
    size_t w = pick_word(m) * 4;
    if (w < NVM_HEADER_SIZE || w >= m->len) return;
    uint32_t nsec = nb_get_u32(m->p + 12);
    if (nsec > NVM_MAX_SECTIONS) return;
    if (insert) {
        if (m->len + 4 > m->cap) return;
        memmove(m->p + w + 4, m->p + w, m->len - w);
        nb_put_u32(m->p + w, interesting());
        m->len += 4;
    } else {
        memmove(m->p + w, m->p + w + 4, m->len - w - 4);
        m->len -= 4;
    }
    for (uint32_t i = 0; i < nsec; i++) {
        size_t e = NVM_HEADER_SIZE + (size_t)NVM_DIR_ENTRY_SIZE * i;
        if (e + 12 > m->len || e + 12 > w) break;
        uint32_t off = nb_get_u32(m->p + e + 4), size = nb_get_u32(m->p + e + 8);
        if (off > w)
            nb_put_u32(m->p + e + 4, insert ? off + 4 : off - 4);
        else if (off <= w && w < (size_t)off + size)
            nb_put_u32(m->p + e + 8, insert ? size + 4 : size - 4);
    }
}

/* Overwrite one word of the CODE section: an opcode, an operand, or a jump offset. */
static void mutate_code(Bytes *m) {
    uint32_t off, size;
    if (nb_find_section(m->p, m->len, NVM_SEC_CODE, &off, &size) < 0 || size < 4 ||
        off % 4 || off > m->len || size > m->len - off)
        return;
    uint8_t *w = m->p + off + 4 * (size_t)below(size / 4);
    switch (below(4)) {
    case 0: nb_put_u32(w, below(256)); break;
    case 1: nb_put_u32(w, (uint32_t)((int32_t)below(17) - 8)); break;
    default: nb_put_u32(w, interesting()); break;
    }
}

static void mutate_once(Bytes *m) {
    if (m->len == 0) return;
    if (below(3) == 0) {
        mutate_code(m);
        return;
    }
    switch (below(10)) {
    case 0: /* bit flip anywhere */
        m->p[below((uint32_t)m->len)] ^= (uint8_t)(1u << below(8));
        break;
    case 1: /* random byte */
        m->p[below((uint32_t)m->len)] = (uint8_t)rnd();
        break;
    case 2:
    case 3:
    case 4: /* word overwrite with an interesting value, mostly inside a section */
        if (m->len >= 4) nb_put_u32(m->p + 4 * pick_word(m), interesting());
        break;
    case 5: { /* an opcode word: a random defined opcode, or any byte */
        if (m->len < 4) break;
        uint32_t op = (uint32_t)below(256);
        if (below(2)) {
            int tries = 0;
            while (!isa_ops[op].name && tries++ < 64) op = below(256);
        }
        nb_put_u32(m->p + 4 * pick_word(m), op);
        break;
    }
    case 6: { /* directory edit */
        if (m->len < NVM_HEADER_SIZE + 12) break;
        uint32_t nsec = nb_get_u32(m->p + 12);
        if (nsec == 0 || nsec > NVM_MAX_SECTIONS) break;
        size_t e = NVM_HEADER_SIZE + (size_t)NVM_DIR_ENTRY_SIZE * below(nsec) + 4 * below(3);
        if (e + 4 > m->len) break;
        uint32_t v = nb_get_u32(m->p + e);
        uint32_t d = below(3) == 0 ? interesting() : v + 4 * (below(9) - 4u);
        nb_put_u32(m->p + e, d);
        break;
    }
    case 7: /* truncation */
        m->len = below((uint32_t)m->len + 1);
        break;
    case 8:
        shift(m, 0);
        break;
    case 9:
        shift(m, 1);
        break;
    }
}

/* ---- the checks ---------------------------------------------------------------------------- */

typedef struct {
    long loaded, rejected, header, section, verify, bad_message, crc_kept;
    long ran_ok, ran_failed; /* loaded programs that returned 0 / ended otherwise */
} Stats;

static FILE *devnull;

/* Runs a loaded program in a tight sandbox; returns its exit status. */
static int run_sandboxed(const Program *p) {
    ProcessOptions o = {.stack_slots = 4096, .max_frames = 256, .heap_max = (size_t)4 << 20,
                        .in_fd = fileno(devnull), .out_fd = fileno(devnull),
                        .err_fd = fileno(devnull), .nesting = VM_MAX_NESTING, .max_steps = 20000};
    char *argv[] = {"fuzz", "arg"};
    Process *proc = process_new(p, 2, argv, &o);
    if (proc == NULL) return -1;
    int status = harness_run(proc);
    process_free(proc);
    return status;
}

static void feed(const uint8_t *bytes, size_t len, Stats *st) {
    char err[512];
    memset(err, 'x', sizeof err);
    Program *p = program_load(bytes, len, err, sizeof err);
    if (p) {
        st->loaded++;
        program_disassemble(p, devnull);
        for (uint32_t f = 0; f < p->nfuncs; f++)
            (void)program_line_at(p, f, p->funcs[f].code_len / 2);
        if (run_sandboxed(p) == 0) st->ran_ok++;
        else st->ran_failed++;
        program_free(p);
        return;
    }
    st->rejected++;
    size_t n = strnlen(err, sizeof err);
    if (n == 0 || n == sizeof err || memchr(err, '\n', n) ||
        (strncmp(err, "bad .nvm: ", 10) != 0 && strncmp(err, "verify: ", 8) != 0)) {
        if (st->bad_message++ < 5) diag("bad message: '%.*s'", (int)(n < 200 ? n : 200), err);
        return;
    }
    if (!strncmp(err, "verify: ", 8))
        st->verify++;
    else if (!strncmp(err, "bad .nvm: section ", 18))
        st->section++;
    else
        st->header++;
}

int main(void) {
    /* mutants must not call whatever C functions their mutated imports name: no co-process */
    setenv("NANO_COP", "/nonexistent/nano_cop", 1);
    char scratch[] = "/tmp/nanovm_fuzz_XXXXXX";
    if (mkdtemp(scratch) == NULL || chdir(scratch) != 0) {
        plan(1);
        ok(0, "make a scratch directory");
        return done();
    }
    devnull = fopen("/dev/null", "w+");
    if (!devnull) {
        plan(1);
        ok(0, "open /dev/null");
        return done();
    }
    NB *(*const makers[])(void) = {seed_tables, seed_control, seed_data, seed_many};
    enum { NSEEDS = sizeof makers / sizeof makers[0], PER_SEED = FUZZ_PER_SEED };
    uint8_t *seed[NSEEDS];
    size_t seed_len[NSEEDS];
    int seeds_ok = 1;
    for (int i = 0; i < NSEEDS; i++) {
        NB *b = makers[i]();
        seed[i] = nb_build(b, &seed_len[i]);
        nb_free(b);
        char err[512];
        Program *p = program_load(seed[i], seed_len[i], err, sizeof err);
        if (!p) {
            diag("seed %d: %s", i, err);
            seeds_ok = 0;
        }
        program_free(p);
    }
    ok(seeds_ok, "all %d seed programs load", NSEEDS);

    /* every truncation of every seed, with and without the header fixed up */
    Stats tr = {0};
    for (int i = 0; i < NSEEDS; i++) {
        uint8_t *m = malloc(seed_len[i]);
        for (size_t len = 0; len < seed_len[i]; len++) {
            memcpy(m, seed[i], len);
            feed(m, len, &tr);
            nb_fix(m, len);
            feed(m, len, &tr);
        }
        free(m);
    }
    ok(tr.bad_message == 0, "truncations: every rejection has a one-line message");
    ok(tr.loaded == 0, "truncations: no truncated file loads (%ld did)", tr.loaded);
    diag("truncations: %ld files, all rejected (%ld header/CRC, %ld section)", tr.rejected,
         tr.header, tr.section);

    /* random mutants */
    Stats st = {0};
    long mutants = 0;
    for (int i = 0; i < NSEEDS; i++) {
        Bytes m = {malloc(seed_len[i] + 64), 0, seed_len[i] + 64};
        for (int k = 0; k < PER_SEED; k++) {
            memcpy(m.p, seed[i], seed_len[i]);
            m.len = seed_len[i];
            uint32_t nmut = 1 + (below(4) == 0 ? below(6) : 0);
            for (uint32_t j = 0; j < nmut; j++) mutate_once(&m);
            if (below(10) != 0)
                nb_fix(m.p, m.len);
            else
                st.crc_kept++;
            feed(m.p, m.len, &st);
            mutants++;
        }
        free(m.p);
    }
    ok(mutants >= 10000, "%ld mutants", mutants);
    ok(st.bad_message == 0, "mutants: every rejection has a one-line message");
    ok(st.section > 0 && st.verify > 0,
       "mutants reach the section parsers (%ld) and the verifier (%ld)", st.section, st.verify);
    ok(st.loaded > 0, "some mutants still load (%ld) and disassemble", st.loaded);
    ok(st.ran_ok + st.ran_failed == st.loaded,
       "every mutant that loads runs to a defined end (%ld exit 0, %ld another status)",
       st.ran_ok, st.ran_failed);
    diag("mutants: %ld (%ld without CRC fix-up): %ld loaded, %ld rejected "
         "(%ld header/directory/CRC, %ld section, %ld verifier)",
         mutants, st.crc_kept, st.loaded, st.rejected, st.header, st.section, st.verify);

    for (int i = 0; i < NSEEDS; i++) free(seed[i]);
    fclose(devnull);
    /* remove what the mutants wrote, then the scratch directory */
    if (chdir("/tmp") == 0) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
        if (system(cmd) != 0) diag("could not remove %s", scratch);
    }
    return done();
}
