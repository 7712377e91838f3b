/* mkbench: writes the benchmark programs, hand-assembled with the test assembler, until the
 * compiler can build the .nano programs in ../shared/bench/programs itself.  Each is the same algorithm as the
 * peer program of the same name in ../shared/bench/peers/ and prints the same line.
 *
 *   mkbench DIR      writes DIR/fib.nvm, DIR/loop.nvm
 */
#include <stdio.h>
#include <stdlib.h>

#include "nvmasm.h"

/* fib.nano: recursive Fibonacci of 32, as the compiler will lower it (docs/ISA.md). */
static const char *FIB =
    ".func main 0 1 1\n.file \"fib.nano\" 13\n"
    ".line 14\nPUSH_SMALL 32\nCALL fib\nSTORE_LOCAL 0\n"
    ".line 15\nPUSH_STR \"fib \"\nLOAD_LOCAL 0\nINT_TO_STR\nSTR_CONCAT\nTRAP PRINT\nPUSH_STR \"\\n\"\nTRAP PRINT\n"
    ".line 16\nPUSH_SMALL 0\nRET\n"
    ".func fib 1 1 1\n.file \"fib.nano\" 2\n"
    ".line 3\nLOAD_LOCAL 0\nJGE_INT_IMM 2 else\n"
    ".line 4\nLOAD_LOCAL 0\nRET\n"
    "else:\n.line 6\nLOAD_LOCAL 0\nADD_INT_IMM -1\nCALL fib\nLOAD_LOCAL 0\nADD_INT_IMM -2\nCALL fib\nADD_INT\nRET\n";

/* loop.nano: run(20000000), a tight arithmetic loop. */
static const char *LOOP =
    ".func main 0 1 1\n.file \"loop.nano\" 13\n"
    ".line 14\nPUSH_INT 20000000\nCALL run\nSTORE_LOCAL 0\n"
    ".line 15\nPUSH_STR \"loop \"\nLOAD_LOCAL 0\nINT_TO_STR\nSTR_CONCAT\nTRAP PRINT\nPUSH_STR \"\\n\"\nTRAP PRINT\n"
    ".line 16\nPUSH_SMALL 0\nRET\n"
    ".func run 1 3 1\n.file \"loop.nano\" 2\n"
    ".line 3\nPUSH_SMALL 0\nSTORE_LOCAL 1\n.line 4\nPUSH_SMALL 0\nSTORE_LOCAL 2\n"
    ".line 5\nJUMP test\n"
    "body:\n.line 6\nLOAD_LOCAL 1\nPUSH_SMALL 31\nMUL_INT\nLOAD_LOCAL 2\nADD_INT\nLOAD_LOCAL 2\nPUSH_SMALL 7\nMOD_INT\nADD_INT\n"
    "PUSH_SMALL 1000000007\nMOD_INT\nSTORE_LOCAL 1\n"
    ".line 7\nINC_LOCAL 2 1\n"
    "test:\n.line 5\nLOAD_LOCAL 2\nLOAD_LOCAL 0\nJLT_INT body\n"
    ".line 9\nLOAD_LOCAL 1\nRET\n";

static int write(const char *dir, const char *name, const char *src) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.nvm", dir, name);
    NB *b = asm_builder(src);
    int r = nb_write_file(b, path);
    nb_free(b);
    if (r != 0) perror(path);
    return r;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: mkbench DIR\n");
        return 64;
    }
    return write(argv[1], "fib", FIB) || write(argv[1], "loop", LOOP) ? 1 : 0;
}
