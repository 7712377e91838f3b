/* program.h: a loaded, verified .nvm image.  Immutable after loading, so that many virtual
 * processes (threads) can run one Program at once without locks. */
#ifndef NANOVM_PROGRAM_H
#define NANOVM_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "value.h"

typedef struct {
    uint32_t name;        /* string index */
    uint32_t nparams;     /* parameters occupy locals 0..nparams-1 */
    uint32_t nlocals;     /* total frame slots, nparams included */
    uint32_t nret;        /* 0 or 1 results */
    uint32_t code_start;  /* word offset into Program.code */
    uint32_t code_len;    /* words */
    uint32_t file;        /* string index of the source file, or NVM_NONE */
    uint32_t line;        /* line of the declaration, 0 when unknown */
    uint32_t max_stack;   /* computed by the verifier: deepest operand stack */
    uint32_t lines_start; /* first entry of this function in Program.lines */
    uint32_t lines_count;
} Function;

/* What CALL needs of a function, packed in 16 bytes (Program.calls, made by the loader after
 * verification): where its code starts, its parameters, the locals it adds to them (set to unit
 * on entry), and the stack slots its frame may use (nlocals + max_stack). */
typedef struct {
    uint32_t code_start;
    uint32_t nparams;
    uint32_t nextra; /* nlocals - nparams */
    uint32_t need;   /* nlocals + max_stack */
} CallInfo;

typedef struct {
    uint32_t offset; /* word offset relative to the function's code_start */
    uint32_t line;
} LineEntry;

typedef struct {
    uint32_t name;    /* string index */
    uint32_t nfields;
    uint32_t *field_names; /* nfields string indices (NVM_NONE for tuple fields) */
} Variant;

typedef struct {
    uint32_t kind;      /* NVM_TYPE_* */
    uint32_t name;      /* string index, NVM_NONE for tuples */
    uint32_t nvariants; /* 1 for struct and tuple, number of variants for union/enum */
    Variant *variants;
} TypeInfo;

typedef struct {
    uint32_t name;     /* string index */
    uint32_t library;  /* string index of the library ("" for the C library), NVM_NONE if none */
    uint32_t nparams;
    uint32_t nret;     /* 0 or 1 */
    uint8_t *param_kinds; /* NVM_VK_* */
    uint8_t ret_kind;
    /* The import's C signature from the CTYPES section (CopCType codes: the result, the
     * parameters, then the signature of each callback parameter: result, count, parameters),
     * checked by the loader; NULL when the file has no CTYPES (the C types follow the kinds). */
    uint8_t *csig;
    uint32_t csig_len;
} Import;

typedef struct {
    uint32_t name; /* string index: the name of the function under test */
    uint32_t func; /* function index of the test body (no params, no result) */
} ShadowTest;

typedef struct Program {
    uint32_t *code;
    uint32_t code_len;
    /* What the interpreter runs: code with some instruction pairs fused (vm/fuse.h), the same
     * length and the same offsets; NULL when there was no memory for it (code is run). */
    uint32_t *xcode;

    ObjString **strings; /* static objects, shared read-only by all processes */
    uint32_t nstrings;

    Function *funcs;
    uint32_t nfuncs;
    CallInfo *calls; /* nfuncs entries: the interpreter's view of funcs for CALL */

    TypeInfo *types;
    uint32_t ntypes;

    uint32_t *global_names; /* string indices */
    uint32_t nglobals;

    Import *imports;
    uint32_t nimports;

    LineEntry *lines; /* grouped by function, ascending offset within each function */
    uint32_t nlines;

    ShadowTest *shadows;
    uint32_t nshadows;

    uint32_t entry;       /* function index of main */
    uint32_t init;        /* function index of the global initializer, or NVM_NONE */
    uint32_t module_name; /* string index */
    uint32_t *sources;    /* string indices of the source files */
    uint32_t nsources;
} Program;

/* Load a .nvm image from memory and verify it.  Returns NULL on failure and writes a one-line
 * message (no trailing newline) naming what is wrong into err. */
Program *program_load(const uint8_t *bytes, size_t len, char *err, size_t errlen);
/* Read and load a file; the message names the file. */
Program *program_load_file(const char *path, char *err, size_t errlen);

/* Read a .nvm file into a malloc'd buffer: only a regular file of at most NVM_MAX_FILE_SIZE
 * bytes (a device, a FIFO or a socket could be read forever or block; opening never waits).
 * On failure writes "PATH: REASON" (in words) into err and returns PROGRAM_READ_ERROR (the file
 * cannot be read) or PROGRAM_READ_INVALID (it is too large to be a .nvm file). */
enum { PROGRAM_READ_OK = 0, PROGRAM_READ_ERROR = -1, PROGRAM_READ_INVALID = -2 };
int program_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen);
void program_free(Program *p);

/* The verifier (vm/verify.c).  Run by program_load; fills in Function.max_stack.  Returns 0
 * on success, -1 with a message naming the function and offset. */
int program_verify(Program *p, char *err, size_t errlen);

/* Source line of the instruction at word offset 'pc' (relative to the function start) of
 * function f, or 0 when the program has no line information for it. */
uint32_t program_line_at(const Program *p, uint32_t f, uint32_t pc);

static inline const char *program_str(const Program *p, uint32_t idx) {
    return idx < p->nstrings ? p->strings[idx]->bytes : "?";
}

/* Disassembly (vm/disasm.c). */
#include <stdio.h>
void program_disassemble(const Program *p, FILE *out);

#endif
