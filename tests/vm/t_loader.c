/* t_loader.c: the .nvm loader (vm/loader.c) against docs/NVM_FORMAT.md: well-formed programs
 * round-trip through the builder, and every format check rejects with its message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvmbuild.h"
#include "program.h"
#include "tap.h"

static char err[1024];

/* The smallest valid program: main() -> int { return 0 }. */
static NB *base(void) {
    NB *b = nb_new();
    uint32_t m = nb_func(b, "main", 0, 0, 1);
    nb_begin(b, m);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op(b, OP_RET);
    nb_entry(b, m);
    return b;
}

/* Replace section id by the given words (little-endian). */
static void raw_words(NB *b, uint32_t id, const uint32_t *w, size_t n) {
    uint8_t *bytes = malloc(n * 4 + 1);
    for (size_t i = 0; i < n; i++) nb_put_u32(bytes + 4 * i, w[i]);
    nb_section_raw(b, id, bytes, n * 4);
    free(bytes);
}
#define RAW(b, id, ...)                                                                        \
    raw_words(b, id, (const uint32_t[]){__VA_ARGS__},                                          \
              sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

static int one_line(const char *m) { return m[0] != '\0' && strchr(m, '\n') == NULL; }

static void expect_bytes(const uint8_t *bytes, size_t len, const char *want, const char *what) {
    err[0] = '\0';
    Program *p = program_load(bytes, len, err, sizeof err);
    if (p) {
        ok(0, "%s (loaded, expected '%s')", what, want);
        program_free(p);
        return;
    }
    if (like(err, want, "%s", what) && !one_line(err)) diag("message is not one line");
}

/* Build b, expect program_load to fail with a message containing 'want'; frees b. */
static void expect(NB *b, const char *want, const char *what) {
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    expect_bytes(bytes, len, want, what);
    free(bytes);
    nb_free(b);
}

/* Build b, apply patch (section id, word, value), expect failure. */
static void expect_patch(NB *b, uint32_t id, uint32_t word, uint32_t value, const char *want,
                         const char *what) {
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    nb_patch(bytes, len, id, word, value);
    expect_bytes(bytes, len, want, what);
    free(bytes);
    nb_free(b);
}

static const char *S(const Program *p, uint32_t i) { return program_str(p, i); }

/* ---- a program with every section ---- */
static NB *full(void) {
    NB *b = nb_new();
    nb_module(b, "demo");
    uint32_t main_fn = nb_func(b, "main", 0, 2, 1);
    uint32_t add = nb_func(b, "add", 2, 3, 1);
    uint32_t init = nb_func(b, "__init", 0, 0, 0);
    uint32_t test = nb_func(b, "__shadow_add", 0, 0, 0);
    nb_source(b, main_fn, "demo.nano", 10);
    nb_source(b, add, "demo.nano", 3);
    nb_source(b, test, "util.nano", 7);
    uint32_t point = nb_struct(b, "Point", 2, (const char *[]){"x", "y"});
    uint32_t pair = nb_tuple(b, 2);
    uint32_t result = nb_union(b, "Result");
    nb_variant(b, result, "Ok", 1, (const char *[]){"value"});
    nb_variant(b, result, "Err", 1, (const char *[]){"msg"});
    nb_enum(b, "Color", 3, (const char *[]){"Red", "Green", "Blue"});
    uint32_t counter = nb_global(b, "counter");
    nb_import(b, "puts", "libc", NVM_VK_INT, 1, (const uint8_t[]){NVM_VK_STRING});
    nb_import(b, "abort", NULL, NVM_VK_VOID, 0, NULL);
    nb_shadow(b, "add", test);
    nb_entry(b, main_fn);
    nb_init(b, init);

    /* add(a, b) = a + b (bodies emitted out of order on purpose) */
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
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_NEW_RECORD, pair);
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_STR, nb_str(b, "boom"));
    nb_op2(b, OP_NEW_VARIANT, result, 1);
    nb_op(b, OP_POP);
    nb_op1(b, OP_LOAD_GLOBAL, counter);
    nb_op(b, OP_RET);

    nb_begin(b, init);
    nb_op1(b, OP_PUSH_SMALL, 42);
    nb_op1(b, OP_STORE_GLOBAL, counter);
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

static void test_roundtrip(void) {
    NB *b = full();
    size_t len, len2;
    uint8_t *bytes = nb_build(b, &len);
    uint8_t *bytes2 = nb_build(b, &len2);
    ok(len == len2 && memcmp(bytes, bytes2, len) == 0, "building twice gives identical bytes");
    free(bytes2);
    Program *p = program_load(bytes, len, err, sizeof err);
    ok(p != NULL, "a program with every section loads");
    if (!p) {
        diag("%s", err);
        free(bytes);
        nb_free(b);
        return;
    }
    ok(bytes[0] == 0x7F && bytes[1] == 'N' && bytes[2] == 'V' && bytes[3] == 'M', "magic");
    is_int(nb_get_u32(bytes + 12), 9, "nine sections written");
    is_int(p->nfuncs, 4, "function count");
    ok(!strcmp(S(p, p->funcs[0].name), "main") && !strcmp(S(p, p->funcs[1].name), "add"),
       "function names");
    ok(p->funcs[1].nparams == 2 && p->funcs[1].nlocals == 3 && p->funcs[1].nret == 1,
       "function signature fields");
    ok(p->funcs[0].code_start == 0 && p->funcs[1].code_start == p->funcs[0].code_len &&
           p->funcs[3].code_start + p->funcs[3].code_len == p->code_len,
       "functions laid out in index order, covering CODE");
    ok(p->code[p->funcs[1].code_start] == OP_LOAD_LOCAL &&
           p->code[p->funcs[1].code_start + 4] == OP_ADD_INT,
       "code words");
    ok(!strcmp(S(p, p->funcs[1].file), "demo.nano") && p->funcs[1].line == 3,
       "function source file and line");
    ok(p->funcs[2].file == NVM_NONE && p->funcs[2].line == 0, "function without source");
    is_int(p->ntypes, 4, "type count");
    ok(p->types[0].kind == NVM_TYPE_STRUCT && !strcmp(S(p, p->types[0].name), "Point") &&
           p->types[0].nvariants == 1 && p->types[0].variants[0].nfields == 2 &&
           !strcmp(S(p, p->types[0].variants[0].field_names[1]), "y"),
       "struct type");
    ok(p->types[1].kind == NVM_TYPE_TUPLE && p->types[1].name == NVM_NONE &&
           p->types[1].variants[0].nfields == 2 &&
           p->types[1].variants[0].field_names[0] == NVM_NONE,
       "tuple type");
    ok(p->types[2].kind == NVM_TYPE_UNION && p->types[2].nvariants == 2 &&
           !strcmp(S(p, p->types[2].variants[1].name), "Err") &&
           !strcmp(S(p, p->types[2].variants[1].field_names[0]), "msg"),
       "union type");
    ok(p->types[3].kind == NVM_TYPE_ENUM && p->types[3].nvariants == 3 &&
           !strcmp(S(p, p->types[3].variants[2].name), "Blue") &&
           p->types[3].variants[2].nfields == 0,
       "enum type");
    ok(p->nglobals == 1 && !strcmp(S(p, p->global_names[0]), "counter"), "globals");
    ok(p->nimports == 2 && !strcmp(S(p, p->imports[0].name), "puts") &&
           !strcmp(S(p, p->imports[0].library), "libc") && p->imports[0].nparams == 1 &&
           p->imports[0].param_kinds[0] == NVM_VK_STRING && p->imports[0].nret == 1 &&
           p->imports[0].ret_kind == NVM_VK_INT,
       "import with parameters");
    ok(p->imports[1].library == NVM_NONE && p->imports[1].nret == 0 &&
           p->imports[1].ret_kind == NVM_VK_VOID && p->imports[1].nparams == 0,
       "import without library or result");
    ok(p->nshadows == 1 && !strcmp(S(p, p->shadows[0].name), "add") && p->shadows[0].func == 3,
       "shadow tests");
    ok(p->entry == 0 && p->init == 2 && !strcmp(S(p, p->module_name), "demo"), "meta");
    ok(p->nsources == 2 && !strcmp(S(p, p->sources[0]), "demo.nano") &&
           !strcmp(S(p, p->sources[1]), "util.nano"),
       "source files, deduplicated in first-use order");
    ok(p->funcs[0].lines_count == 2 && p->funcs[1].lines_count == 2 &&
           p->funcs[2].lines_count == 0 && p->funcs[3].lines_count == 1,
       "line entries grouped per function");
    is_int(program_line_at(p, 1, 0), 4, "line at offset 0");
    is_int(program_line_at(p, 1, 4), 4, "line between entries");
    is_int(program_line_at(p, 1, 5), 5, "line at the second entry");
    is_int(program_line_at(p, 1, 100), 5, "line past the last entry");
    is_int(program_line_at(p, 2, 0), 0, "no entries, no declaration line: 0");
    is_int(program_line_at(p, 99, 0), 0, "function out of range: 0");
    /* strings: static objects, NUL-terminated, deduplicated */
    uint32_t n_add = 0;
    for (uint32_t i = 0; i < p->nstrings; i++)
        if (!strcmp(S(p, i), "add")) n_add++;
    ok(n_add == 1, "string pool is deduplicated");
    int all_static = 1;
    for (uint32_t i = 0; i < p->nstrings; i++)
        if (!p->strings[i]->h.is_static || p->strings[i]->h.kind != T_STR ||
            p->strings[i]->bytes[p->strings[i]->len] != '\0')
            all_static = 0;
    ok(all_static, "strings are static, NUL-terminated T_STR objects");
    ok(p->funcs[1].max_stack == 2 && p->funcs[0].max_stack == 2, "verifier filled max_stack");
    program_free(p);
    free(bytes);
    nb_free(b);
}

static void test_strings_with_nul(void) {
    NB *b = base();
    uint32_t s1 = nb_strn(b, "a\0b", 3);
    uint32_t s2 = nb_strn(b, "a\0c", 3);
    uint32_t s3 = nb_strn(b, "", 0);
    uint32_t s4 = nb_strn(b, "a\0b", 3);
    ok(s1 == s4 && s1 != s2 && s3 != s1, "builder deduplicates strings with NULs by content");
    Program *p = nb_load(b, err, sizeof err);
    ok(p && p->strings[s1]->len == 3 && memcmp(p->strings[s1]->bytes, "a\0b", 4) == 0 &&
           p->strings[s3]->len == 0 && p->strings[s3]->bytes[0] == '\0',
       "strings keep NUL bytes; empty string");
    program_free(p);
    nb_free(b);
}

static void test_minor_version(void) {
    NB *b = base();
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    bytes[6] = 7; /* minor 7 */
    Program *p = program_load(bytes, len, err, sizeof err);
    ok(p != NULL, "a newer minor version loads");
    program_free(p);
    bytes[6] = 0;
    bytes[4] = 2;
    expect_bytes(bytes, len, "unsupported format version 2.0", "major version 2 is rejected");
    bytes[4] = 0;
    expect_bytes(bytes, len, "unsupported format version 0.0", "major version 0 is rejected");
    free(bytes);
    nb_free(b);
}

static void test_header(void) {
    NB *b = base();
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    uint8_t *m = malloc(len);

    expect_bytes(bytes, 0, "truncated header (0 bytes, need 32)", "empty input");
    expect_bytes(NULL, 0, "truncated header", "NULL input");
    expect_bytes(bytes, 31, "truncated header (31 bytes", "31-byte input");

    memcpy(m, bytes, len);
    m[1] = 'X';
    expect_bytes(m, len, "bad magic", "bad magic");

    memcpy(m, bytes, len);
    nb_put_u32(m + 8, 4);
    nb_fix(m, len);
    expect_bytes(m, len, "unknown flags 0x00000004", "unknown flag bit");

    memcpy(m, bytes, len);
    m[29] = 1;
    expect_bytes(m, len, "reserved header byte 29", "nonzero reserved byte");

    expect_bytes(bytes, len - 4, "file size mismatch (header says", "truncated file");
    memcpy(m, bytes, len);
    nb_put_u32(m + 16, (uint32_t)len + 4);
    expect_bytes(m, len, "file size mismatch", "file_size larger than the file");

    memcpy(m, bytes, len);
    m[len - 1] ^= 0x40;
    expect_bytes(m, len, "CRC mismatch", "corrupt byte caught by the CRC");
    memcpy(m, bytes, len);
    nb_put_u32(m + 20, nb_get_u32(m + 20) ^ 1);
    expect_bytes(m, len, "CRC mismatch", "corrupt CRC field");

    memcpy(m, bytes, len);
    nb_put_u32(m + 12, 0);
    nb_fix(m, len);
    expect_bytes(m, len, "section count 0 (must be 1..16)", "zero sections");
    nb_put_u32(m + 12, 17);
    nb_fix(m, len);
    expect_bytes(m, len, "section count 17", "too many sections");
    nb_put_u32(m + 12, 16);
    nb_fix(m, 100);
    expect_bytes(m, 100, "section directory (16 entries) runs past the end", "directory too long");
    free(m);
    free(bytes);
    nb_free(b);
}

/* Directory entry i of the base program: STRINGS, CODE, FUNCTIONS, META. */
static void dir_patch(uint32_t entry, uint32_t field, uint32_t value, const char *want,
                      const char *what) {
    NB *b = base();
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    nb_put_u32(bytes + NVM_HEADER_SIZE + NVM_DIR_ENTRY_SIZE * entry + 4 * field, value);
    nb_fix(bytes, len);
    expect_bytes(bytes, len, want, what);
    free(bytes);
    nb_free(b);
}

static void test_directory(void) {
    dir_patch(1, 0, 12, "section directory entry 1: unknown section id 12", "unknown section id");
    dir_patch(1, 0, 0, "unknown section id 0", "section id 0");
    dir_patch(1, 0, NVM_SEC_STRINGS, "duplicate section STRINGS", "duplicate id");
    dir_patch(1, 1, 82, "not a multiple of 4", "misaligned offset");
    dir_patch(1, 2, 6, "not a multiple of 4", "size not a multiple of 4");
    dir_patch(1, 1, 0, "inside the header or directory", "section over the header");
    dir_patch(1, 1, 0xFFFFFFF0u, "outside the file", "offset past the end");
    dir_patch(1, 2, 0xFFFFFFF0u, "outside the file", "size past the end (no overflow)");
    {
        NB *b = base();
        size_t len;
        uint8_t *bytes = nb_build(b, &len);
        /* CODE at the offset of STRINGS */
        nb_put_u32(bytes + 32 + 12 + 4, nb_get_u32(bytes + 32 + 4));
        nb_fix(bytes, len);
        expect_bytes(bytes, len, "overlap", "overlapping sections");
        free(bytes);
        nb_free(b);
    }
    static const uint32_t req[] = {NVM_SEC_STRINGS, NVM_SEC_CODE, NVM_SEC_FUNCTIONS, NVM_SEC_META};
    static const char *const names[] = {"STRINGS", "CODE", "FUNCTIONS", "META"};
    for (int i = 0; i < 4; i++) {
        NB *b = base();
        nb_section_omit(b, req[i]);
        char want[64];
        snprintf(want, sizeof want, "required section %s is missing", names[i]);
        expect(b, want, want);
    }
    {
        NB *b = base();
        nb_section_extra(b, NVM_SEC_GLOBALS, (const uint8_t[4]){0}, 4);
        nb_section_extra(b, NVM_SEC_GLOBALS, (const uint8_t[4]){0}, 4);
        expect(b, "duplicate section GLOBALS", "duplicate optional section");
    }
    {
        NB *b = base();
        nb_section_force(b, NVM_SEC_TYPES);
        nb_section_force(b, NVM_SEC_SHADOW);
        Program *p = nb_load(b, err, sizeof err);
        ok(p != NULL, "empty optional sections are accepted");
        program_free(p);
        nb_free(b);
    }
    {
        NB *b = base();
        nb_section_raw(b, 33, (const uint8_t[4]){0}, 4);
        expect(b, "unknown section id 33", "unknown section added");
    }
}

static void test_strings(void) {
    NB *b = base();
    RAW(b, NVM_SEC_STRINGS, 0x3FFFFFFF);
    expect(b, "section STRINGS: string count 1073741823 too large", "hostile string count");
    b = base();
    RAW(b, NVM_SEC_STRINGS, 1, 100, 0);
    expect(b, "section STRINGS: string 0: length 100 runs past the end", "string past the end");
    b = base();
    RAW(b, NVM_SEC_STRINGS, 1, 0xFFFFFFFF, 0);
    expect(b, "length 4294967295 runs past the end", "string length 0xFFFFFFFF");
    b = base();
    RAW(b, NVM_SEC_STRINGS, 1, 1, 0x00000161);
    expect(b, "string 0: nonzero padding byte", "nonzero string padding");
    b = base();
    RAW(b, NVM_SEC_STRINGS, 1, 1, 0x61, 0);
    expect(b, "STRINGS: 4 trailing bytes", "trailing bytes");
    b = base();
    RAW(b, NVM_SEC_STRINGS, 1, 3);
    expect(b, "runs past the end", "string truncated by the section end");
    b = base();
    nb_section_raw(b, NVM_SEC_STRINGS, NULL, 0);
    expect(b, "string count at byte 0 runs past the end of the section (0 bytes)",
           "empty STRINGS section");
}

static void test_code(void) {
    NB *b = base();
    nb_section_raw(b, NVM_SEC_CODE, NULL, 0);
    expect(b, "code range [0, 3) outside the code section (0 words)", "empty CODE section");
}

/* FUNCTIONS word of function 0, field k (0 name .. 7 line). */
#define FW(k) (1 + (k))

static void test_functions(void) {
    expect_patch(base(), NVM_SEC_FUNCTIONS, 0, 0x7FFFFFFF, "function count 2147483647 too large",
                 "hostile function count");
    expect_patch(base(), NVM_SEC_FUNCTIONS, 0, 2, "function count 2 too large",
                 "function count one too many");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(0), 77,
                 "section FUNCTIONS: function 0: name: string index 77 out of range",
                 "function name out of range");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(0), NVM_NONE, "function 0: name is NONE",
                 "function name NONE");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(1), 3, "nparams 3 exceeds nlocals 0",
                 "nparams > nlocals");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(2), NVM_MAX_LOCALS + 1,
                 "nlocals 65537 exceeds the limit", "nlocals over the limit");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(3), 2, "nret 2 (must be 0 or 1)", "nret 2");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(4), 1,
                 "function 0: code range [1, 4) outside the code section (3 words)",
                 "code range past the end");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(4), 0xFFFFFFFF, "outside the code section",
                 "code_start 0xFFFFFFFF (no overflow)");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(5), 0xFFFFFFFF, "outside the code section",
                 "code_len 0xFFFFFFFF");
    expect_patch(base(), NVM_SEC_FUNCTIONS, FW(6), 9,
                 "function 0: file: string index 9 out of range", "file out of range");
    {
        NB *b = base();
        uint32_t g = nb_func(b, "g", 0, 0, 0);
        nb_begin(b, g);
        nb_op(b, OP_RET_VOID);
        nb_func_layout(b, g, 2, 1);
        expect(b, "function 1: code range [2, 3) overlaps function 0 [0, 3)",
               "overlapping functions");
    }
    {
        NB *b = base();
        uint32_t g = nb_func(b, "g", 0, 0, 0);
        nb_func_layout(b, g, 3, 0);
        expect(b, "verify: function 'g': empty body",
               "empty function passes the loader, fails the verifier");
    }
    {
        NB *b = base();
        RAW(b, NVM_SEC_FUNCTIONS, 1, 0, 0, 0, 1, 0, 3, NVM_NONE);
        expect(b, "function count 1 too large for the 28 bytes left", "truncated function entry");
    }
    {
        NB *b = base();
        RAW(b, NVM_SEC_FUNCTIONS, 1, 0, 0, 0, 1, 0, 3, NVM_NONE, 0, 0);
        expect(b, "FUNCTIONS: 4 trailing bytes", "FUNCTIONS trailing bytes");
    }
}

static void test_types(void) {
    NB *b = base();
    RAW(b, NVM_SEC_TYPES, 0x20000000);
    expect(b, "TYPES: type count 536870912 too large", "hostile type count");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, 9, 0, 1, NVM_NONE, 0);
    expect(b, "type 0: unknown kind 9", "unknown type kind");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, NVM_NONE, 1, NVM_NONE, 0);
    expect(b, "type 0: name is NONE", "struct without a name");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, 50, 1, NVM_NONE, 0);
    expect(b, "type 0: name: string index 50 out of range", "type name out of range");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, 0, 2, NVM_NONE, 0, NVM_NONE, 0);
    expect(b, "type 0: struct with 2 variants (must be 1)", "struct with two variants");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_TUPLE, NVM_NONE, 0);
    expect(b, "type 0: tuple with 0 variants (must be 1)", "tuple with no variant");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_UNION, 0, 0);
    expect(b, "type 0: union with no variants", "union with no variants");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_UNION, 0, 0x7FFFFFFF);
    expect(b, "variant count 2147483647 too large", "hostile variant count");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, 0, 1, 0, 0);
    expect(b, "type 0: variant 0: name must be NONE in a struct", "named struct variant");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_UNION, 0, 1, NVM_NONE, 0);
    expect(b, "type 0: variant 0: name is NONE", "unnamed union variant");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_UNION, 0, 1, 44, 0);
    expect(b, "variant 0: name: string index 44 out of range", "variant name out of range");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_ENUM, 0, 1, 0, 1, 0);
    expect(b, "enum variant with 1 fields (must be 0)", "enum variant with a field");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, 0, 1, NVM_NONE, 0xFFFFFFFF);
    expect(b, "field count 4294967295 too large", "hostile field count");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, 0, 1, NVM_NONE, 1, 31);
    expect(b, "variant 0: field 0: name: string index 31 out of range", "field name out of range");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_STRUCT, 0, 1, NVM_NONE, 1, NVM_NONE);
    expect(b, "field 0: name is NONE", "unnamed struct field");
    b = base();
    RAW(b, NVM_SEC_TYPES, 1, NVM_TYPE_TUPLE, NVM_NONE, 1, NVM_NONE, 1, 0);
    expect(b, "field 0: name must be NONE in a tuple", "named tuple field");
    b = base();
    RAW(b, NVM_SEC_TYPES, 2, NVM_TYPE_TUPLE, NVM_NONE, 1, NVM_NONE, 0, NVM_TYPE_TUPLE);
    expect(b, "type 1: name at byte 28 runs past the end", "truncated types");
}

static void test_globals_imports(void) {
    NB *b = base();
    RAW(b, NVM_SEC_GLOBALS, 0xFFFFFFFF);
    expect(b, "GLOBALS: global count 4294967295 too large", "hostile global count");
    b = base();
    RAW(b, NVM_SEC_GLOBALS, 1, 5);
    expect(b, "global 0: name: string index 5 out of range", "global name out of range");

    b = base();
    RAW(b, NVM_SEC_IMPORTS, 0x10000000);
    expect(b, "IMPORTS: import count 268435456 too large", "hostile import count");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 8, NVM_NONE, 0, 0, 0);
    expect(b, "import 0: name: string index 8 out of range", "import name out of range");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, 8, 0, 0, 0);
    expect(b, "import 0: library: string index 8 out of range", "import library out of range");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 0, 2, 1);
    expect(b, "import 0: nret 2", "import nret 2");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 0, 1, NVM_VK_VOID);
    expect(b, "return kind 0 does not match nret 1", "import void result with nret 1");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 0, 0, NVM_VK_INT);
    expect(b, "return kind 1 does not match nret 0", "import int result with nret 0");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 0, 1, 6);
    expect(b, "unknown return kind 6", "import unknown return kind");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 2, 0, 0, 0x00000001);
    expect(b, "import 0: parameter 1: bad value kind 0", "void parameter kind");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 1, 0, 0, 0x00000901);
    expect(b, "import 0: nonzero padding byte", "nonzero import padding");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 0xFFFFFFFF, 0, 0, 0);
    expect(b, "nparams 4294967295 too large", "hostile import nparams");
    b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 5, 0, 0, 0x01010101);
    expect(b, "nparams 5 too large", "import parameters past the end");
}

/* CTYPES (docs/NVM_FORMAT.md 3.10): one import of two parameters, int and function. */
static NB *ctypes_base(void) {
    NB *b = base();
    RAW(b, NVM_SEC_IMPORTS, 1, 0, NVM_NONE, 2, 1, NVM_VK_INT, 0x00000601);
    return b;
}

static void test_ctypes(void) {
    /* result int (11), parameters uint32 (7) and callback (17): int (11) of two pointers (16) */
    NB *b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0B11070B, 0x00101002);
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    Program *p = program_load(bytes, len, err, sizeof err);
    ok(p != NULL && p->imports[0].csig_len == 7 && p->imports[0].csig[2] == 17 &&
           p->imports[0].csig[6] == 16,
       "CTYPES with a callback signature loads (%s)", err);
    program_free(p);
    free(bytes);
    nb_free(b);
    b = ctypes_base();
    expect(b, "import 0: parameter 1 is a callback, whose signature needs a CTYPES section",
           "a callback parameter without CTYPES");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 2, 7, 0x0B11070B, 0x00101002);
    expect(b, "section CTYPES: 2 entries for 1 imports", "CTYPES count differs");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0B11070C, 0x00101002);
    expect(b, "import 0: result: C type double does not carry value kind 1", "double for int");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0B110F0B, 0x00101002);
    expect(b, "import 0: parameter 0: C type char * does not carry value kind 1",
           "char * for int");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0F11070B, 0x00101002);
    expect(b, "parameter 1: callback result C type char *", "a callback returning a string");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0B11070B, 0x00100003);
    expect(b, "parameter 1: callback of 3 parameters cut short", "callback cut short");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0B11070B, 0x00111002);
    expect(b, "callback parameter 1: C type callback", "a callback taking a callback");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 6, 0x0B11070B, 0x00001002);
    expect(b, "parameter 1: callback of 2 parameters cut short", "length cuts the signature");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 8, 0x0B11070B, 0x00101002);
    expect(b, "import 0: 1 bytes after the signature", "bytes after the signature");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 7, 0x0B11070B, 0x01101002);
    expect(b, "import 0: nonzero padding byte", "nonzero CTYPES padding");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 0xFFFFFFF0, 0);
    expect(b, "length 4294967280 too large", "hostile CTYPES length");
    b = ctypes_base();
    RAW(b, NVM_SEC_CTYPES, 1, 2, 0x0B0B);
    expect(b, "length 2 too small for a result and 2 parameters", "CTYPES length too small");
}

static void test_lines_shadow_meta(void) {
    NB *b = base();
    RAW(b, NVM_SEC_DEBUG_LINES, 0x15555555);
    expect(b, "DEBUG_LINES: entry count 357913941 too large", "hostile line count");
    b = base();
    RAW(b, NVM_SEC_DEBUG_LINES, 1, 1, 0, 1);
    expect(b, "entry 0: func: function index 1 out of range (1 functions)",
           "line func out of range");
    b = base();
    RAW(b, NVM_SEC_DEBUG_LINES, 1, 0, 3, 1);
    expect(b, "entry 0: offset 3 outside function 0 (3 words)", "line offset out of range");
    b = base();
    RAW(b, NVM_SEC_DEBUG_LINES, 2, 0, 2, 1, 0, 0, 2);
    expect(b, "entry 1: not sorted", "unsorted lines");
    b = base();
    RAW(b, NVM_SEC_DEBUG_LINES, 2, 0, 2, 1, 0, 2, 2);
    expect(b, "entry 1: not sorted", "duplicate line offsets");
    b = base();
    RAW(b, NVM_SEC_DEBUG_LINES, 1, 0, 1, 7);
    expect(
        b,
        "verify: function 'main' at offset 1: debug line entry is not at an instruction boundary",
        "line entry inside an instruction");

    b = base();
    RAW(b, NVM_SEC_SHADOW, 0x7FFFFFFF);
    expect(b, "SHADOW: test count 2147483647 too large", "hostile shadow count");
    b = base();
    RAW(b, NVM_SEC_SHADOW, 1, 0, 4);
    expect(b, "test 0: func: function index 4 out of range", "shadow func out of range");
    b = base();
    RAW(b, NVM_SEC_SHADOW, 1, 6, 0);
    expect(b, "test 0: name: string index 6 out of range", "shadow name out of range");
    b = base();
    RAW(b, NVM_SEC_SHADOW, 1, 0, 0);
    expect(b, "test function 0 has 0 parameters and 1 results (must be 0 and 0)",
           "shadow test with a result");

    /* META words: entry, init, module, nsources, sources... */
    expect_patch(base(), NVM_SEC_META, 0, 1, "section META: entry: function index 1 out of range",
                 "entry out of range");
    expect_patch(base(), NVM_SEC_META, 1, 1, "init: function index 1 out of range",
                 "init out of range");
    expect_patch(base(), NVM_SEC_META, 1, 0, "init function 0 has 0 parameters and 1 results",
                 "init with a result");
    expect_patch(base(), NVM_SEC_META, 2, 2, "module name: string index 2 out of range",
                 "module name out of range");
    expect_patch(base(), NVM_SEC_META, 2, NVM_NONE, "module name is NONE", "module name NONE");
    expect_patch(base(), NVM_SEC_META, 3, 0xFFFFFFFF, "source count 4294967295 too large",
                 "hostile source count");
    {
        NB *b2 = base();
        nb_add_source(b2, "x.nano");
        expect_patch(b2, NVM_SEC_META, 4, 17, "source 0: name: string index 17 out of range",
                     "source out of range");
    }
    {
        NB *b2 = nb_new();
        uint32_t m = nb_func(b2, "main", 1, 1, 1);
        nb_begin(b2, m);
        nb_op1(b2, OP_LOAD_LOCAL, 0);
        nb_op(b2, OP_RET);
        expect(b2, "entry function 0 has 1 parameters (must be 0)", "entry with a parameter");
    }
    b = base();
    RAW(b, NVM_SEC_META, 0, NVM_NONE);
    expect(b, "META: module name at byte 8 runs past the end", "truncated META");
    b = base();
    RAW(b, NVM_SEC_META, 0, NVM_NONE, 0, 0, 0);
    expect(b, "META: 4 trailing bytes", "META trailing bytes");
}

static void test_file(void) {
    char path[] = "/tmp/t_loader_XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0, "temporary file");
    if (fd < 0) return;
    close(fd);
    NB *b = full();
    ok(nb_write_file(b, path) == 0, "nb_write_file");
    Program *p = program_load_file(path, err, sizeof err);
    ok(p != NULL && p->nfuncs == 4, "program_load_file loads a written file");
    program_free(p);
    FILE *f = fopen(path, "wb");
    fputs("#!/bin/sh\n", f);
    fclose(f);
    p = program_load_file(path, err, sizeof err);
    char want[128];
    snprintf(want, sizeof want, "%s: bad .nvm: truncated header", path);
    ok(p == NULL && strncmp(err, want, strlen(want)) == 0, "program_load_file prefixes the path");
    unlink(path);
    p = program_load_file(path, err, sizeof err);
    snprintf(want, sizeof want, "%s: No such file", path);
    ok(p == NULL && strncmp(err, want, strlen(want)) == 0, "missing file: %s", err);
    p = program_load_file("/tmp", err, sizeof err);
    ok(p == NULL && one_line(err), "a directory is rejected: %s", err);
    nb_free(b);
}

static void test_misc(void) {
    is_int(nvm_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u, "CRC-32 check value");
    is_int(nvm_crc32(NULL, 0), 0, "CRC-32 of nothing");
    char small[8];
    NB *b = base();
    nb_section_omit(b, NVM_SEC_META);
    size_t len;
    uint8_t *bytes = nb_build(b, &len);
    Program *p = program_load(bytes, len, small, sizeof small);
    ok(p == NULL && strlen(small) == 7, "message truncated to the buffer");
    p = program_load(bytes, len, NULL, 0);
    ok(p == NULL, "errlen 0 is allowed");
    free(bytes);
    nb_free(b);
    program_free(NULL);
    ok(1, "program_free(NULL)");
}

int main(void) {
    test_roundtrip();
    test_strings_with_nul();
    test_minor_version();
    test_header();
    test_directory();
    test_strings();
    test_code();
    test_functions();
    test_types();
    test_globals_imports();
    test_ctypes();
    test_lines_shadow_meta();
    test_file();
    test_misc();
    return done();
}
