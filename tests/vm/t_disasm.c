/* t_disasm.c: the disassembler (vm/disasm.c): a golden listing of a sample that uses every
 * table and operand kind, determinism, and robustness on damaged programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmbuild.h"
#include "program.h"
#include "tap.h"

static char err[1024];

static NB *sample(void) {
    NB *b = nb_new();
    nb_module(b, "demo");
    uint32_t m = nb_func(b, "main", 0, 2, 1);
    uint32_t add = nb_func(b, "add", 2, 2, 1);
    nb_source(b, m, "demo.nano", 10);
    uint32_t pt = nb_struct(b, "Point", 2, (const char *[]){"x", "y"});
    nb_tuple(b, 2);
    uint32_t r = nb_union(b, "Result");
    nb_variant(b, r, "Ok", 1, (const char *[]){"value"});
    nb_variant(b, r, "None", 0, NULL);
    nb_enum(b, "Color", 2, (const char *[]){"Red", "Green"});
    uint32_t g = nb_global(b, "counter");
    nb_import(b, "puts", "libc", NVM_VK_INT, 1, (const uint8_t[]){NVM_VK_STRING});
    uint32_t t1 = nb_func(b, "test_add", 0, 0, 0);
    nb_shadow(b, "add", t1);
    nb_begin(b, t1);
    nb_op(b, OP_RET_VOID);
    nb_begin(b, m);
    nb_line(b, 11);
    nb_i64(b, OP_PUSH_INT, -1234567890123LL);
    nb_f64(b, OP_PUSH_FLOAT, 0.1);
    nb_op(b, OP_POP);
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_STR, nb_strn(b, "hi \"x\"\n\t\x01\xff\\", 11));
    nb_op1(b, OP_TRAP, TRAP_PRINT);
    nb_line(b, 12);
    uint32_t l1 = nb_label(b), l2 = nb_label(b);
    nb_op1(b, OP_LOAD_GLOBAL, g);
    nb_jump_imm(b, OP_JLT_INT_IMM, -3, l1);
    nb_op1(b, OP_PUSH_SMALL, 1);
    uint32_t t[2] = {l1, l2};
    nb_jump_table(b, 2, t);
    nb_mark(b, l1);
    nb_op1(b, OP_MAP_NEW, 1);
    nb_op(b, OP_POP);
    nb_mark(b, l2);
    nb_op1(b, OP_PUSH_SMALL, 1);
    nb_op1(b, OP_PUSH_SMALL, 2);
    nb_op1(b, OP_NEW_RECORD, pt);
    nb_op2(b, OP_NEW_VARIANT, r, 0);
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_FN, add);
    nb_op(b, OP_POP);
    nb_op1(b, OP_PUSH_SMALL, 0);
    nb_op(b, OP_RET);
    nb_begin(b, add);
    nb_op1(b, OP_LOAD_LOCAL, 0);
    nb_op(b, OP_RET);
    return b;
}

static const char golden[] =
    "; module demo\n"
    "; entry 0:main, init none\n"
    "; sources demo.nano\n"
    "; 3 functions, 46 code words\n"
    "\n"
    "strings (19)\n"
    "     0  \"demo\"\n"
    "     1  \"main\"\n"
    "     2  \"add\"\n"
    "     3  \"demo.nano\"\n"
    "     4  \"Point\"\n"
    "     5  \"x\"\n"
    "     6  \"y\"\n"
    "     7  \"Result\"\n"
    "     8  \"Ok\"\n"
    "     9  \"value\"\n"
    "    10  \"None\"\n"
    "    11  \"Color\"\n"
    "    12  \"Red\"\n"
    "    13  \"Green\"\n"
    "    14  \"counter\"\n"
    "    15  \"puts\"\n"
    "    16  \"libc\"\n"
    "    17  \"test_add\"\n"
    "    18  \"hi \\\"x\\\"\\n\\t\\x01\\xff\\\\\"\n"
    "\n"
    "types (4)\n"
    "     0  struct Point { x, y }\n"
    "     1  tuple { _, _ }\n"
    "     2  union Result { Ok(value), None }\n"
    "     3  enum Color { Red, Green }\n"
    "\n"
    "globals (1)\n"
    "     0  counter\n"
    "\n"
    "imports (1)\n"
    "     0  int puts(string) from \"libc\"\n"
    "\n"
    "shadow tests (1)\n"
    "     0  add -> 2:test_add\n"
    "\n"
    "fn main(params=0, locals=2, results=1)  # demo.nano:10\n"
    "  ; function 0, code [0, 42), max_stack 2\n"
    "  ; line 11\n"
    "  0000  PUSH_INT -1234567890123\n"
    "  0003  PUSH_FLOAT 0.10000000000000001\n"
    "  0006  POP\n"
    "  0007  POP\n"
    "  0008  PUSH_STR 18:\"hi \\\"x\\\"\\n\\t\\x01\\xff\\\\\"\n"
    "  0010  TRAP 0:PRINT\n"
    "  ; line 12\n"
    "  0012  LOAD_GLOBAL 0:counter\n"
    "  0014  JLT_INT_IMM -3 -> 0023\n"
    "  0017  PUSH_SMALL 1\n"
    "  0019  JUMP_TABLE 2 [-> 0023, -> 0026]\n"
    "  0023  MAP_NEW 1:string\n"
    "  0025  POP\n"
    "  0026  PUSH_SMALL 1\n"
    "  0028  PUSH_SMALL 2\n"
    "  0030  NEW_RECORD 0:Point\n"
    "  0032  NEW_VARIANT 2:Result 0:Ok\n"
    "  0035  POP\n"
    "  0036  PUSH_FN 1:add\n"
    "  0038  POP\n"
    "  0039  PUSH_SMALL 0\n"
    "  0041  RET\n"
    "\n"
    "fn add(params=2, locals=2, results=1)\n"
    "  ; function 1, code [42, 45), max_stack 1\n"
    "  0000  LOAD_LOCAL 0\n"
    "  0002  RET\n"
    "\n"
    "fn test_add(params=0, locals=0, results=0)\n"
    "  ; function 2, code [45, 46), max_stack 0\n"
    "  0000  RET_VOID\n";

/* The listing of p as a malloc'd string. */
static char *listing(const Program *p) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    program_disassemble(p, f);
    fclose(f);
    return buf;
}

static void show_diff(const char *got, const char *want) {
    size_t i = 0, line = 1;
    while (got[i] && got[i] == want[i]) {
        if (got[i] == '\n') line++;
        i++;
    }
    diag("first difference at line %zu: got '%.40s' want '%.40s'", line, got + i, want + i);
}

int main(void) {
    NB *b = sample();
    Program *p = nb_load(b, err, sizeof err);
    if (!ok(p != NULL, "sample program loads")) {
        diag("%s", err);
        return done();
    }
    char *a = listing(p), *a2 = listing(p);
    ok(a && strcmp(a, golden) == 0, "listing matches the golden text");
    if (a && strcmp(a, golden) != 0) show_diff(a, golden);
    ok(a && a2 && strcmp(a, a2) == 0, "listing is deterministic");
    like(a, "fn main(params=0, locals=2, results=1)  # demo.nano:10\n", "function header");
    like(a, "  ; line 12\n  0012  LOAD_GLOBAL 0:counter\n", "line marker when the line changes");
    like(a, "JUMP_TABLE 2 [-> 0023, -> 0026]", "jump table targets are absolute offsets");
    like(a, "PUSH_FLOAT 0.10000000000000001", "floats print with %%.17g");
    like(a, "PUSH_STR 18:\"hi \\\"x\\\"\\n\\t\\x01\\xff\\\\\"", "strings are quoted and escaped");
    free(a);
    free(a2);

    /* damage the loaded program: the listing must still work (it never verifies) */
    p->code[p->funcs[1].code_start] = 0xDEAD;
    p->code[p->funcs[2].code_start] = OP_JUMP_TABLE;
    a = listing(p);
    like(a, "  0000  .word 0x0000dead\n", "undecodable word prints as .word");
    like(a,
         "fn test_add(params=0, locals=0, results=0)\n  ; function 2, code [45, 46), max_stack 0\n "
         " 0000  .word 0x000000a3",
         "an instruction cut by the function end prints as .word");
    free(a);
    program_free(p);
    nb_free(b);

    /* names that are not plain words are quoted */
    b = nb_new();
    uint32_t m = nb_func(b, "main program", 0, 0, 0);
    nb_source(b, m, "dir with space/x.nano", 3);
    nb_begin(b, m);
    nb_op(b, OP_RET_VOID);
    p = nb_load(b, err, sizeof err);
    a = p ? listing(p) : NULL;
    like(a, "fn \"main program\"(params=0, locals=0, results=0)  # \"dir with space/x.nano\":3",
         "odd names are quoted");
    free(a);
    program_free(p);
    nb_free(b);
    return done();
}
