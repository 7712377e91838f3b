/* t_ops.c: every NanoISA instruction and trap, run on the VM, with its semantic edge cases;
 * and, in builds that count executed opcodes, a check that no opcode of isa/isa.def is left
 * without a test here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isa.h"
#include "nvmasm.h"
#include "tap.h"
#include "vmrun.h"

/* Program fragments.  P_INT etc. print the value on top of the stack and a newline. */
#define MAIN(nlocals) ".func main 0 " #nlocals " 1\n.file \"t.nano\" 1\n"
#define END "PUSH_SMALL 0\nRET\n"
#define NL "PUSH_STR \"\\n\"\nTRAP PRINT\n"
#define P_INT "INT_TO_STR\nTRAP PRINT\n" NL
#define P_FLOAT "FLOAT_TO_STR\nTRAP PRINT\n" NL
#define P_BOOL "BOOL_TO_STR\nTRAP PRINT\n" NL
#define P_STR "TRAP PRINT\n" NL

typedef struct {
    const char *name;
    const char *src;
    const char *out;    /* expected stdout, exactly */
    int status;         /* expected exit status */
    const char *err;    /* substring expected in stderr (NULL: stderr must be empty) */
    const char *input;  /* stdin */
} Case;

static const Case cases[] = {
    /* ---- constants and stack ---- */
    {"NOP, PUSH_UNIT, POP", MAIN(0) "NOP\nPUSH_UNIT\nPOP\nPUSH_SMALL 7\n" P_INT END, "7\n", 0, NULL, NULL},
    {"PUSH_INT extremes", MAIN(0) "PUSH_INT 9223372036854775807\n" P_INT
        "PUSH_INT -9223372036854775808\n" P_INT "PUSH_INT 4294967296\n" P_INT END,
        "9223372036854775807\n-9223372036854775808\n4294967296\n", 0, NULL, NULL},
    {"PUSH_SMALL sign-extends", MAIN(0) "PUSH_SMALL -5\n" P_INT "PUSH_SMALL 2147483647\n" P_INT END,
        "-5\n2147483647\n", 0, NULL, NULL},
    {"PUSH_FLOAT", MAIN(0) "PUSH_FLOAT 2.5\n" P_FLOAT "PUSH_FLOAT -0.125\n" P_FLOAT END,
        "2.5\n-0.125\n", 0, NULL, NULL},
    {"PUSH_TRUE, PUSH_FALSE, BOOL_TO_STR", MAIN(0) "PUSH_TRUE\n" P_BOOL "PUSH_FALSE\n" P_BOOL END,
        "true\nfalse\n", 0, NULL, NULL},
    {"PUSH_STR with any bytes", MAIN(0) "PUSH_STR \"a\\0b\"\nSTR_LEN\n" P_INT
        "PUSH_STR \"\\xff\"\nPUSH_SMALL 0\nSTR_CHAR_AT\n" P_INT END, "3\n255\n", 0, NULL, NULL},
    {"DUP, SWAP", MAIN(0) "PUSH_SMALL 1\nPUSH_SMALL 2\nSWAP\nSUB_INT\n" P_INT
        "PUSH_SMALL 6\nDUP\nMUL_INT\n" P_INT END, "1\n36\n", 0, NULL, NULL},

    /* ---- locals and globals ---- */
    {"LOAD_LOCAL, STORE_LOCAL, fresh locals are unit", MAIN(2) "PUSH_SMALL 41\nSTORE_LOCAL 1\n"
        "LOAD_LOCAL 1\nADD_INT_IMM 1\nSTORE_LOCAL 0\nLOAD_LOCAL 0\n" P_INT END, "42\n", 0, NULL, NULL},
    {"INC_LOCAL wraps", MAIN(1) "PUSH_INT 9223372036854775807\nSTORE_LOCAL 0\nINC_LOCAL 0 1\n"
        "LOAD_LOCAL 0\n" P_INT "INC_LOCAL 0 -1\nLOAD_LOCAL 0\n" P_INT END,
        "-9223372036854775808\n9223372036854775807\n", 0, NULL, NULL},
    {"LOAD_LOCAL2 pushes two locals in order", MAIN(2) "PUSH_SMALL 10\nSTORE_LOCAL 0\nPUSH_SMALL 3\nSTORE_LOCAL 1\n"
        "LOAD_LOCAL2 0 1\nSUB_INT\n" P_INT "LOAD_LOCAL2 1 1\nMUL_INT\n" P_INT END, "7\n9\n", 0, NULL, NULL},
    {"LOAD_LOCAL_FIELD", ".struct P x y\n" MAIN(1) "PUSH_SMALL 3\nPUSH_SMALL 4\nNEW_RECORD P\nSTORE_LOCAL 0\n"
        "LOAD_LOCAL_FIELD 0 1\n" P_INT "LOAD_LOCAL_FIELD 0 0\n" P_INT END, "4\n3\n", 0, NULL, NULL},
    {"globals and the init function",
        ".global counter\n.global name\n.func main 0 0 1\n"
        "LOAD_GLOBAL counter\nADD_INT_IMM 1\nSTORE_GLOBAL counter\nLOAD_GLOBAL counter\n" P_INT
        "LOAD_GLOBAL name\n" P_STR END
        ".func init 0 0 0\nPUSH_SMALL 10\nSTORE_GLOBAL counter\nPUSH_STR \"g\"\nSTORE_GLOBAL name\nRET_VOID\n"
        ".init init\n", "11\ng\n", 0, NULL, NULL},

    /* ---- bitwise ---- */
    {"AND_INT, OR_INT, XOR_INT", MAIN(0) "PUSH_SMALL 12\nPUSH_SMALL 10\nAND_INT\n" P_INT
        "PUSH_SMALL 12\nPUSH_SMALL 10\nOR_INT\n" P_INT "PUSH_SMALL 12\nPUSH_SMALL 10\nXOR_INT\n" P_INT
        "PUSH_SMALL -1\nPUSH_INT 9223372036854775807\nXOR_INT\n" P_INT END,
        "8\n14\n6\n-9223372036854775808\n", 0, NULL, NULL},
    {"SHL_INT, SHR_INT, USHR_INT mask the count", MAIN(0) "PUSH_SMALL 1\nPUSH_SMALL 63\nSHL_INT\n" P_INT
        "PUSH_SMALL 3\nPUSH_SMALL 65\nSHL_INT\n" P_INT "PUSH_SMALL -16\nPUSH_SMALL 2\nSHR_INT\n" P_INT
        "PUSH_SMALL -1\nPUSH_SMALL 60\nUSHR_INT\n" P_INT "PUSH_SMALL 256\nPUSH_SMALL -1\nSHR_INT\n" P_INT
        "PUSH_SMALL -1\nPUSH_SMALL 0\nUSHR_INT\n" P_INT END,
        "-9223372036854775808\n6\n-4\n15\n0\n-1\n", 0, NULL, NULL},

    /* ---- integers ---- */
    {"ADD_INT, SUB_INT, MUL_INT wrap", MAIN(0)
        "PUSH_INT 9223372036854775807\nPUSH_SMALL 1\nADD_INT\n" P_INT
        "PUSH_INT -9223372036854775808\nPUSH_SMALL 1\nSUB_INT\n" P_INT
        "PUSH_INT 4611686018427387904\nPUSH_SMALL 4\nMUL_INT\n" P_INT
        "PUSH_SMALL -3\nPUSH_SMALL 7\nMUL_INT\n" P_INT END,
        "-9223372036854775808\n9223372036854775807\n0\n-21\n", 0, NULL, NULL},
    {"DIV_INT truncates, by zero gives 0, INT64_MIN / -1", MAIN(0)
        "PUSH_SMALL 7\nPUSH_SMALL 2\nDIV_INT\n" P_INT "PUSH_SMALL -7\nPUSH_SMALL 2\nDIV_INT\n" P_INT
        "PUSH_SMALL 7\nPUSH_SMALL -2\nDIV_INT\n" P_INT "PUSH_SMALL 7\nPUSH_SMALL 0\nDIV_INT\n" P_INT
        "PUSH_INT -9223372036854775808\nPUSH_SMALL -1\nDIV_INT\n" P_INT END,
        "3\n-3\n-3\n0\n-9223372036854775808\n", 0, NULL, NULL},
    {"MOD_INT sign of the dividend, by zero 0, % -1 is 0", MAIN(0)
        "PUSH_SMALL 7\nPUSH_SMALL 3\nMOD_INT\n" P_INT "PUSH_SMALL -7\nPUSH_SMALL 3\nMOD_INT\n" P_INT
        "PUSH_SMALL 7\nPUSH_SMALL -3\nMOD_INT\n" P_INT "PUSH_SMALL 7\nPUSH_SMALL 0\nMOD_INT\n" P_INT
        "PUSH_INT -9223372036854775808\nPUSH_SMALL -1\nMOD_INT\n" P_INT END,
        "1\n-1\n1\n0\n0\n", 0, NULL, NULL},
    {"NEG_INT, ABS_INT wrap at INT64_MIN", MAIN(0) "PUSH_SMALL 5\nNEG_INT\n" P_INT
        "PUSH_INT -9223372036854775808\nNEG_INT\n" P_INT "PUSH_SMALL -9\nABS_INT\n" P_INT
        "PUSH_INT -9223372036854775808\nABS_INT\n" P_INT END,
        "-5\n-9223372036854775808\n9\n-9223372036854775808\n", 0, NULL, NULL},
    {"ADD_INT_IMM, MIN_INT, MAX_INT", MAIN(0) "PUSH_SMALL 5\nADD_INT_IMM -7\n" P_INT
        "PUSH_SMALL 3\nPUSH_SMALL -4\nMIN_INT\n" P_INT "PUSH_SMALL 3\nPUSH_SMALL -4\nMAX_INT\n" P_INT END,
        "-2\n-4\n3\n", 0, NULL, NULL},
    {"integer comparisons", MAIN(0)
        "PUSH_SMALL 1\nPUSH_SMALL 2\nEQ_INT\n" P_BOOL "PUSH_SMALL 2\nPUSH_SMALL 2\nEQ_INT\n" P_BOOL
        "PUSH_SMALL 1\nPUSH_SMALL 2\nNE_INT\n" P_BOOL "PUSH_SMALL 1\nPUSH_SMALL 2\nLT_INT\n" P_BOOL
        "PUSH_SMALL 2\nPUSH_SMALL 2\nLE_INT\n" P_BOOL "PUSH_SMALL 1\nPUSH_SMALL 2\nGT_INT\n" P_BOOL
        "PUSH_SMALL -1\nPUSH_SMALL 2\nGE_INT\n" P_BOOL
        "PUSH_INT -9223372036854775808\nPUSH_INT 9223372036854775807\nLT_INT\n" P_BOOL END,
        "false\ntrue\ntrue\ntrue\ntrue\nfalse\nfalse\ntrue\n", 0, NULL, NULL},

    /* ---- floats ---- */
    {"float arithmetic", MAIN(0) "PUSH_FLOAT 1.5\nPUSH_FLOAT 2.25\nADD_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1.5\nPUSH_FLOAT 2.25\nSUB_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1.5\nPUSH_FLOAT 4\nMUL_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1\nPUSH_FLOAT 4\nDIV_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 7.5\nPUSH_FLOAT 2\nMOD_FLOAT\n" P_FLOAT
        "PUSH_FLOAT -7.5\nPUSH_FLOAT 2\nMOD_FLOAT\n" P_FLOAT "PUSH_FLOAT 3\nNEG_FLOAT\n" P_FLOAT END,
        "3.75\n-0.75\n6\n0.25\n1.5\n-1.5\n-3\n", 0, NULL, NULL},
    {"float division by zero is IEEE", MAIN(0) "PUSH_FLOAT 1\nPUSH_FLOAT 0\nDIV_FLOAT\n" P_FLOAT
        "PUSH_FLOAT -1\nPUSH_FLOAT 0\nDIV_FLOAT\n" P_FLOAT "PUSH_FLOAT 0\nPUSH_FLOAT 0\nDIV_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1\nPUSH_FLOAT 0\nMOD_FLOAT\n" P_FLOAT END, "inf\n-inf\nnan\nnan\n", 0, NULL, NULL},
    {"float comparisons, nan unequal", MAIN(0)
        "PUSH_FLOAT 1\nPUSH_FLOAT 1\nEQ_FLOAT\n" P_BOOL "PUSH_FLOAT 1\nPUSH_FLOAT 2\nNE_FLOAT\n" P_BOOL
        "PUSH_FLOAT 1\nPUSH_FLOAT 2\nLT_FLOAT\n" P_BOOL "PUSH_FLOAT 2\nPUSH_FLOAT 2\nLE_FLOAT\n" P_BOOL
        "PUSH_FLOAT 1\nPUSH_FLOAT 2\nGT_FLOAT\n" P_BOOL "PUSH_FLOAT 2\nPUSH_FLOAT 1\nGE_FLOAT\n" P_BOOL
        "PUSH_FLOAT 0\nPUSH_FLOAT 0\nDIV_FLOAT\nDUP\nEQ_FLOAT\n" P_BOOL
        "PUSH_FLOAT 0\nPUSH_FLOAT 0\nDIV_FLOAT\nDUP\nNE_FLOAT\n" P_BOOL END,
        "true\ntrue\ntrue\ntrue\nfalse\ntrue\nfalse\ntrue\n", 0, NULL, NULL},
    {"ABS_FLOAT, MIN_FLOAT, MAX_FLOAT", MAIN(0) "PUSH_FLOAT -2.5\nABS_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1\nPUSH_FLOAT -1\nMIN_FLOAT\n" P_FLOAT "PUSH_FLOAT 1\nPUSH_FLOAT -1\nMAX_FLOAT\n" P_FLOAT END,
        "2.5\n-1\n1\n", 0, NULL, NULL},
    {"math functions", MAIN(0) "PUSH_FLOAT 2\nSQRT_FLOAT\n" P_FLOAT "PUSH_FLOAT 2\nPUSH_FLOAT 10\nPOW_FLOAT\n" P_FLOAT
        "PUSH_FLOAT -2.5\nFLOOR_FLOAT\n" P_FLOAT "PUSH_FLOAT -2.5\nCEIL_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 2.5\nROUND_FLOAT\n" P_FLOAT "PUSH_FLOAT -2.5\nROUND_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 0\nSIN_FLOAT\n" P_FLOAT "PUSH_FLOAT 0\nCOS_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1\nTAN_FLOAT\n" P_FLOAT "PUSH_FLOAT 1\nPUSH_FLOAT 1\nATAN2_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 1\nEXP_FLOAT\n" P_FLOAT "PUSH_FLOAT 1\nEXP_FLOAT\nLOG_FLOAT\n" P_FLOAT
        "PUSH_FLOAT 0\nLOG_FLOAT\n" P_FLOAT "PUSH_FLOAT -1\nSQRT_FLOAT\n" P_FLOAT END,
        "1.41421\n1024\n-3\n-2\n3\n-3\n0\n1\n1.55741\n0.785398\n2.71828\n1\n-inf\nnan\n", 0, NULL, NULL},

    /* ---- booleans and conversions ---- */
    {"NOT", MAIN(0) "PUSH_TRUE\nNOT\n" P_BOOL "PUSH_FALSE\nNOT\n" P_BOOL END, "false\ntrue\n", 0, NULL, NULL},
    {"INT_TO_FLOAT, FLOAT_TO_INT truncates and saturates", MAIN(0)
        "PUSH_SMALL -3\nINT_TO_FLOAT\n" P_FLOAT "PUSH_FLOAT -3.7\nFLOAT_TO_INT\n" P_INT
        "PUSH_FLOAT 3.99\nFLOAT_TO_INT\n" P_INT "PUSH_FLOAT 1e300\nFLOAT_TO_INT\n" P_INT
        "PUSH_FLOAT -1e300\nFLOAT_TO_INT\n" P_INT "PUSH_FLOAT 0\nPUSH_FLOAT 0\nDIV_FLOAT\nFLOAT_TO_INT\n" P_INT END,
        "-3\n-3\n3\n9223372036854775807\n-9223372036854775808\n0\n", 0, NULL, NULL},
    {"INT_TO_STR", MAIN(0) "PUSH_SMALL 0\n" P_INT "PUSH_SMALL -120\n" P_INT END, "0\n-120\n", 0, NULL, NULL},
    {"FLOAT_TO_STR is %g", MAIN(0) "PUSH_FLOAT 3.0\n" P_FLOAT "PUSH_FLOAT 0.1\n" P_FLOAT
        "PUSH_FLOAT 1e20\n" P_FLOAT "PUSH_FLOAT 123456789\n" P_FLOAT "PUSH_FLOAT 0.0001\n" P_FLOAT
        "PUSH_FLOAT -0.0\n" P_FLOAT END, "3\n0.1\n1e+20\n1.23457e+08\n0.0001\n-0\n", 0, NULL, NULL},
    {"STR_TO_INT", MAIN(0) "PUSH_STR \"  -42abc\"\nSTR_TO_INT\n" P_INT "PUSH_STR \"\"\nSTR_TO_INT\n" P_INT
        "PUSH_STR \"+17\"\nSTR_TO_INT\n" P_INT "PUSH_STR \"x1\"\nSTR_TO_INT\n" P_INT
        "PUSH_STR \"9223372036854775808\"\nSTR_TO_INT\n" P_INT END,
        "-42\n0\n17\n0\n-9223372036854775808\n", 0, NULL, NULL},
    {"STR_TO_FLOAT", MAIN(0) "PUSH_STR \" 2.5e3xyz\"\nSTR_TO_FLOAT\n" P_FLOAT
        "PUSH_STR \"abc\"\nSTR_TO_FLOAT\n" P_FLOAT "PUSH_STR \"-inf\"\nSTR_TO_FLOAT\n" P_FLOAT END,
        "2500\n0\n-inf\n", 0, NULL, NULL},
    {"FLOAT_BITS, BITS_FLOAT", MAIN(0) "PUSH_FLOAT 1.0\nFLOAT_BITS\n" P_INT "PUSH_FLOAT -0.0\nFLOAT_BITS\n" P_INT
        "PUSH_INT 4611686018427387904\nBITS_FLOAT\n" P_FLOAT "PUSH_INT 9218868437227405312\nBITS_FLOAT\n" P_FLOAT END,
        "4607182418800017408\n-9223372036854775808\n2\ninf\n", 0, NULL, NULL},
    {"CHAR_TO_STR", MAIN(0) "PUSH_SMALL 65\nCHAR_TO_STR\n" P_STR "PUSH_SMALL 0\nCHAR_TO_STR\nSTR_LEN\n" P_INT END,
        "A\n1\n", 0, NULL, NULL},

    /* ---- strings ---- */
    {"STR_CONCAT, STR_LEN", MAIN(0) "PUSH_STR \"foo\"\nPUSH_STR \"bar\"\nSTR_CONCAT\nDUP\n" P_STR "STR_LEN\n" P_INT
        "PUSH_STR \"\"\nPUSH_STR \"x\"\nSTR_CONCAT\nPUSH_STR \"\"\nSTR_CONCAT\n" P_STR END,
        "foobar\n6\nx\n", 0, NULL, NULL},
    {"STR_CHAR_AT", MAIN(0) "PUSH_STR \"abc\"\nPUSH_SMALL 2\nSTR_CHAR_AT\n" P_INT END, "99\n", 0, NULL, NULL},
    {"STR_SUB", MAIN(0) "PUSH_STR \"hello\"\nPUSH_SMALL 1\nPUSH_SMALL 3\nSTR_SUB\n" P_STR
        "PUSH_STR \"hello\"\nPUSH_SMALL 5\nPUSH_SMALL 0\nSTR_SUB\nSTR_LEN\n" P_INT
        "PUSH_STR \"hello\"\nPUSH_SMALL 0\nPUSH_SMALL 5\nSTR_SUB\n" P_STR END, "ell\n0\nhello\n", 0, NULL, NULL},
    {"STR_EQ, STR_NE compare content", MAIN(0) "PUSH_STR \"ab\"\nPUSH_STR \"a\"\nPUSH_STR \"b\"\nSTR_CONCAT\nSTR_EQ\n" P_BOOL
        "PUSH_STR \"ab\"\nPUSH_STR \"ac\"\nSTR_NE\n" P_BOOL "PUSH_STR \"\"\nPUSH_STR \"\"\nSTR_NE\n" P_BOOL END,
        "true\ntrue\nfalse\n", 0, NULL, NULL},
    {"STR_CMP bytewise unsigned", MAIN(0) "PUSH_STR \"abc\"\nPUSH_STR \"abd\"\nSTR_CMP\n" P_INT
        "PUSH_STR \"b\"\nPUSH_STR \"abc\"\nSTR_CMP\n" P_INT "PUSH_STR \"ab\"\nPUSH_STR \"abc\"\nSTR_CMP\n" P_INT
        "PUSH_STR \"x\"\nPUSH_STR \"x\"\nSTR_CMP\n" P_INT "PUSH_STR \"\\xff\"\nPUSH_STR \"a\"\nSTR_CMP\n" P_INT END,
        "-1\n1\n-1\n0\n1\n", 0, NULL, NULL},
    {"STR_JOIN", MAIN(0) "PUSH_STR \"a\"\nPUSH_STR \"\"\nPUSH_STR \"bc\"\nARRAY_LIT 3\nSTR_JOIN\n" P_STR
        "ARRAY_LIT 0\nSTR_JOIN\nSTR_LEN\n" P_INT END, "abc\n0\n", 0, NULL, NULL},

    /* ---- arrays ---- */
    {"ARRAY_NEW, ARRAY_GET, ARRAY_SET, ARRAY_LEN; arrays alias", MAIN(2)
        "PUSH_SMALL 3\nPUSH_SMALL 7\nARRAY_NEW\nSTORE_LOCAL 0\nLOAD_LOCAL 0\nSTORE_LOCAL 1\n"
        "LOAD_LOCAL 1\nPUSH_SMALL 2\nPUSH_SMALL 9\nARRAY_SET\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 2\nARRAY_GET\n" P_INT "LOAD_LOCAL 0\nPUSH_SMALL 0\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 0\nARRAY_LEN\n" P_INT "PUSH_SMALL 0\nPUSH_SMALL 0\nARRAY_NEW\nARRAY_LEN\n" P_INT END,
        "9\n7\n3\n0\n", 0, NULL, NULL},
    {"ARRAY_LIT, ARRAY_PUSH returns the same array, ARRAY_POP", MAIN(1)
        "PUSH_SMALL 1\nPUSH_SMALL 2\nARRAY_LIT 2\nSTORE_LOCAL 0\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 3\nARRAY_PUSH\nPUSH_SMALL 4\nARRAY_PUSH\nPOP\n"
        "LOAD_LOCAL 0\nARRAY_LEN\n" P_INT "LOAD_LOCAL 0\nARRAY_POP\n" P_INT
        "LOAD_LOCAL 0\nARRAY_LEN\n" P_INT "LOAD_LOCAL 0\nPUSH_SMALL 0\nARRAY_GET\n" P_INT END,
        "4\n4\n3\n1\n", 0, NULL, NULL},
    {"ARRAY_SLICE copies", MAIN(2)
        "PUSH_SMALL 10\nPUSH_SMALL 11\nPUSH_SMALL 12\nPUSH_SMALL 13\nARRAY_LIT 4\nSTORE_LOCAL 0\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 1\nPUSH_SMALL 2\nARRAY_SLICE\nSTORE_LOCAL 1\n"
        "LOAD_LOCAL 1\nARRAY_LEN\n" P_INT "LOAD_LOCAL 1\nPUSH_SMALL 1\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 1\nPUSH_SMALL 0\nPUSH_SMALL 99\nARRAY_SET\nLOAD_LOCAL 0\nPUSH_SMALL 1\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 0\nPUSH_SMALL 4\nPUSH_SMALL 0\nARRAY_SLICE\nARRAY_LEN\n" P_INT END,
        "2\n12\n11\n0\n", 0, NULL, NULL},
    {"array of 100000 pushes", MAIN(2) "ARRAY_LIT 0\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "loop:\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nARRAY_PUSH\nPOP\nINC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 100000 loop\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 99999\nARRAY_GET\n" P_INT "LOAD_LOCAL 0\nARRAY_LEN\n" P_INT END,
        "99999\n100000\n", 0, NULL, NULL},
    /* ARRAY_NEW of a byte-sized int makes a packed array (vm/value.h): it must behave as any
     * other, and unpack when a value that is not a byte is stored or pushed into it. */
    {"packed arrays read, write, push, pop, slice and unpack like any array", MAIN(3)
        "PUSH_SMALL 20\nPUSH_TRUE\nARRAY_NEW\nSTORE_LOCAL 0\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 3\nPUSH_SMALL 255\nARRAY_SET\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 3\nARRAY_GET\n" P_INT "LOAD_LOCAL 0\nPUSH_SMALL 19\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 0\nPUSH_SMALL 7\nARRAY_PUSH\nPOP\nLOAD_LOCAL 0\nARRAY_POP\n" P_INT
        "LOAD_LOCAL 0\nPUSH_SMALL 2\nPUSH_SMALL 3\nARRAY_SLICE\nSTORE_LOCAL 1\n"
        "LOAD_LOCAL 1\nPUSH_SMALL 1\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 0\nPUSH_SMALL 4\nPUSH_SMALL 256\nARRAY_SET\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 4\nARRAY_GET\n" P_INT "LOAD_LOCAL 0\nPUSH_SMALL 3\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 0\nARRAY_LEN\n" P_INT
        "PUSH_SMALL 16\nPUSH_SMALL 0\nARRAY_NEW\nSTORE_LOCAL 2\n"
        "LOAD_LOCAL 2\nPUSH_SMALL -1\nARRAY_PUSH\nPOP\n"
        "LOAD_LOCAL 2\nPUSH_SMALL 16\nARRAY_GET\n" P_INT "LOAD_LOCAL 2\nPUSH_SMALL 15\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 2\nARRAY_LEN\n" P_INT
        "PUSH_SMALL 16\nPUSH_FALSE\nARRAY_NEW\nSTORE_LOCAL 2\n"
        "LOAD_LOCAL 2\nPUSH_SMALL 5\nPUSH_STR \"s\"\nARRAY_SET\n"
        "LOAD_LOCAL 2\nPUSH_SMALL 5\nARRAY_GET\n" P_STR "LOAD_LOCAL 2\nPUSH_SMALL 6\nARRAY_GET\n" P_BOOL END,
        "255\n1\n7\n255\n256\n255\n20\n-1\n0\n17\ns\nfalse\n", 0, NULL, NULL},

    /* Pairs of instructions the loader fuses (vm/fuse.h): a jump to the second instruction of a
     * pair runs it alone, and the pair run as one does both. */
    {"fused pairs: entering the second instruction directly, and both at once", MAIN(2)
        "PUSH_SMALL 10\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\nJUMP b\n"
        "a:\nPUSH_SMALL 20\nSTORE_LOCAL 0\n"
        "b:\nLOAD_LOCAL 0\n" P_INT "INC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 2 a\n" END,
        "10\n20\n", 0, NULL, NULL},

    /* ---- maps ---- */
    {"int map: put, get, has, size, overwrite keeps place", MAIN(1) "MAP_NEW 0\nSTORE_LOCAL 0\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 5\nPUSH_STR \"five\"\nMAP_PUT\nLOAD_LOCAL 0\nPUSH_SMALL -1\nPUSH_STR \"m\"\nMAP_PUT\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 5\nPUSH_STR \"FIVE\"\nMAP_PUT\n"
        "LOAD_LOCAL 0\nPUSH_SMALL 5\nMAP_GET\n" P_STR "LOAD_LOCAL 0\nPUSH_SMALL 6\nMAP_HAS\n" P_BOOL
        "LOAD_LOCAL 0\nPUSH_SMALL -1\nMAP_HAS\n" P_BOOL "LOAD_LOCAL 0\nMAP_SIZE\n" P_INT
        "LOAD_LOCAL 0\nMAP_KEYS\nPUSH_SMALL 0\nARRAY_GET\n" P_INT END,
        "FIVE\nfalse\ntrue\n2\n5\n", 0, NULL, NULL},
    {"string map: insertion order, remove, re-insert goes last", MAIN(2) "MAP_NEW 1\nSTORE_LOCAL 0\n"
        "LOAD_LOCAL 0\nPUSH_STR \"b\"\nPUSH_SMALL 1\nMAP_PUT\nLOAD_LOCAL 0\nPUSH_STR \"a\"\nPUSH_SMALL 2\nMAP_PUT\n"
        "LOAD_LOCAL 0\nPUSH_STR \"c\"\nPUSH_SMALL 3\nMAP_PUT\nLOAD_LOCAL 0\nPUSH_STR \"b\"\nMAP_REMOVE\n"
        "LOAD_LOCAL 0\nPUSH_STR \"zz\"\nMAP_REMOVE\n"
        "LOAD_LOCAL 0\nPUSH_STR \"b\"\nPUSH_SMALL 4\nMAP_PUT\n"
        "LOAD_LOCAL 0\nMAP_KEYS\nSTORE_LOCAL 1\n"
        "LOAD_LOCAL 1\nPUSH_SMALL 0\nARRAY_GET\nLOAD_LOCAL 1\nPUSH_SMALL 1\nARRAY_GET\nSTR_CONCAT\n"
        "LOAD_LOCAL 1\nPUSH_SMALL 2\nARRAY_GET\nSTR_CONCAT\n" P_STR
        "LOAD_LOCAL 0\nMAP_VALUES\nSTORE_LOCAL 1\nLOAD_LOCAL 1\nPUSH_SMALL 0\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 1\nPUSH_SMALL 2\nARRAY_GET\n" P_INT "LOAD_LOCAL 0\nMAP_SIZE\n" P_INT
        "LOAD_LOCAL 0\nPUSH_STR \"a\"\nMAP_GET\n" P_INT END,
        "acb\n2\n4\n3\n2\n", 0, NULL, NULL},
    {"map with 50000 keys, half removed, order kept", MAIN(3) "MAP_NEW 0\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "put:\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nPUSH_SMALL 7919\nMUL_INT\nLOAD_LOCAL 1\nMAP_PUT\nINC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 50000 put\n"
        "PUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "rm:\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nPUSH_SMALL 7919\nMUL_INT\nMAP_REMOVE\nINC_LOCAL 1 2\nLOAD_LOCAL 1\nJLT_INT_IMM 50000 rm\n"
        "LOAD_LOCAL 0\nMAP_SIZE\n" P_INT "LOAD_LOCAL 0\nMAP_VALUES\nSTORE_LOCAL 2\n"
        "LOAD_LOCAL 2\nPUSH_SMALL 0\nARRAY_GET\n" P_INT "LOAD_LOCAL 2\nPUSH_SMALL 24999\nARRAY_GET\n" P_INT
        "LOAD_LOCAL 0\nPUSH_SMALL 7919\nMAP_GET\n" P_INT END,
        "25000\n1\n49999\n1\n", 0, NULL, NULL},

    /* ---- records ---- */
    {"NEW_RECORD, GET_FIELD (struct and tuple)", ".struct P x y\n.tuple T2 2\n" MAIN(1)
        "PUSH_SMALL 3\nPUSH_SMALL 4\nNEW_RECORD P\nSTORE_LOCAL 0\nLOAD_LOCAL 0\nGET_FIELD 1\n" P_INT
        "LOAD_LOCAL 0\nGET_FIELD 0\n" P_INT "PUSH_STR \"t\"\nPUSH_FLOAT 1.5\nNEW_RECORD T2\nGET_FIELD 1\n" P_FLOAT END,
        "4\n3\n1.5\n", 0, NULL, NULL},
    {"NEW_VARIANT, UNION_TAG, JUMP_TABLE match", ".union R\n.variant R Ok value\n.variant R Err msg\n"
        ".func main 0 0 1\nPUSH_STR \"bad\"\nNEW_VARIANT R Err\nCALL show\nPUSH_SMALL 5\nNEW_VARIANT R Ok\nCALL show\n" END
        ".func show 1 1 0\nLOAD_LOCAL 0\nUNION_TAG\nJUMP_TABLE ok err\nPUSH_STR \"none\"\nPANIC\n"
        "ok:\nLOAD_LOCAL 0\nGET_FIELD 0\n" P_INT "RET_VOID\nerr:\nLOAD_LOCAL 0\nGET_FIELD 0\n" P_STR "RET_VOID\n",
        "bad\n5\n", 0, NULL, NULL},
    {"JUMP_TABLE out of range falls through", MAIN(0) "PUSH_SMALL 7\nJUMP_TABLE a b\nPUSH_STR \"fell\"\n" P_STR "JUMP end\n"
        "a:\nb:\nPUSH_STR \"jumped\"\n" P_STR "end:\nPUSH_SMALL -1\nJUMP_TABLE c\nPUSH_STR \"fell\"\n" P_STR "c:\n" END,
        "fell\nfell\n", 0, NULL, NULL},

    /* ---- control flow ---- */
    {"JUMP, JUMP_IF_FALSE, JUMP_IF_TRUE", MAIN(0) "JUMP skip\nPUSH_STR \"no\"\n" P_STR "skip:\n"
        "PUSH_FALSE\nJUMP_IF_FALSE f\nPUSH_STR \"no\"\n" P_STR "f:\nPUSH_TRUE\nJUMP_IF_FALSE bad\n"
        "PUSH_TRUE\nJUMP_IF_TRUE t\nbad:\nPUSH_STR \"no\"\n" P_STR "t:\nPUSH_FALSE\nJUMP_IF_TRUE bad\nPUSH_STR \"yes\"\n" P_STR END,
        "yes\n", 0, NULL, NULL},
    {"fused integer compare-and-branch", MAIN(0)
        "PUSH_SMALL 1\nPUSH_SMALL 1\nJEQ_INT a\nPUSH_STR \"x\"\nPANIC\na:\n"
        "PUSH_SMALL 1\nPUSH_SMALL 2\nJEQ_INT bad\nPUSH_SMALL 1\nPUSH_SMALL 2\nJNE_INT b\nbad:\nPUSH_STR \"x\"\nPANIC\nb:\n"
        "PUSH_SMALL 1\nPUSH_SMALL 1\nJNE_INT bad\nPUSH_SMALL 1\nPUSH_SMALL 2\nJLT_INT c\nPUSH_STR \"x\"\nPANIC\nc:\n"
        "PUSH_SMALL 2\nPUSH_SMALL 2\nJLT_INT bad\nPUSH_SMALL 2\nPUSH_SMALL 2\nJLE_INT d\nPUSH_STR \"x\"\nPANIC\nd:\n"
        "PUSH_SMALL 3\nPUSH_SMALL 2\nJLE_INT bad\nPUSH_SMALL 3\nPUSH_SMALL 2\nJGT_INT e\nPUSH_STR \"x\"\nPANIC\ne:\n"
        "PUSH_SMALL 2\nPUSH_SMALL 2\nJGT_INT bad\nPUSH_SMALL 2\nPUSH_SMALL 2\nJGE_INT f\nPUSH_STR \"x\"\nPANIC\nf:\n"
        "PUSH_SMALL 1\nPUSH_SMALL 2\nJGE_INT bad\nPUSH_SMALL 1\nJLT_INT_IMM 2 g\nPUSH_STR \"x\"\nPANIC\ng:\n"
        "PUSH_SMALL 2\nJLT_INT_IMM 2 bad\nPUSH_SMALL 2\nJGE_INT_IMM 2 h\nPUSH_STR \"x\"\nPANIC\nh:\n"
        "PUSH_SMALL 1\nJGE_INT_IMM 2 bad\nPUSH_SMALL 7\nJEQ_INT_IMM 7 i\nPUSH_STR \"x\"\nPANIC\ni:\n"
        "PUSH_SMALL 7\nJEQ_INT_IMM -7 bad\nPUSH_SMALL -7\nJNE_INT_IMM 7 j\nPUSH_STR \"x\"\nPANIC\nj:\n"
        "PUSH_SMALL 7\nJNE_INT_IMM 7 bad\nPUSH_STR \"all taken as expected\"\n" P_STR END,
        "all taken as expected\n", 0, NULL, NULL},
    {"CALL, RET, recursion (fib 20)", ".func main 0 0 1\nPUSH_SMALL 20\nCALL fib\n" P_INT END
        ".func fib 1 1 1\nLOAD_LOCAL 0\nJGE_INT_IMM 2 rec\nLOAD_LOCAL 0\nRET\n"
        "rec:\nLOAD_LOCAL 0\nADD_INT_IMM -1\nCALL fib\nLOAD_LOCAL 0\nADD_INT_IMM -2\nCALL fib\nADD_INT\nRET\n",
        "6765\n", 0, NULL, NULL},
    {"arguments arrive in order; RET_VOID", ".func main 0 0 1\nPUSH_SMALL 10\nPUSH_SMALL 3\nCALL sub\nCALL noop\n" P_INT END
        ".func sub 2 3 1\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nSUB_INT\nRET\n.func noop 0 0 0\nRET_VOID\n", "7\n", 0, NULL, NULL},
    {"PUSH_FN, CALL_INDIRECT", ".func main 0 1 1\nPUSH_FN twice\nSTORE_LOCAL 0\nPUSH_SMALL 21\nLOAD_LOCAL 0\nCALL_INDIRECT 1 1\n" P_INT
        "PUSH_FN hello\nCALL_INDIRECT 0 0\n" END
        ".func twice 1 1 1\nLOAD_LOCAL 0\nPUSH_SMALL 2\nMUL_INT\nRET\n.func hello 0 0 0\nPUSH_STR \"hi\"\n" P_STR "RET_VOID\n",
        "42\nhi\n", 0, NULL, NULL},
    {"MAKE_CLOSURE, CALL_INDIRECT of a closure (captured values after the arguments)",
        ".func main 0 1 1\nPUSH_SMALL 40\nMAKE_CLOSURE 1 add\nSTORE_LOCAL 0\nPUSH_SMALL 2\nLOAD_LOCAL 0\nCALL_INDIRECT 1 1\n" P_INT
        "PUSH_SMALL 7\nPUSH_SMALL 3\nMAKE_CLOSURE 2 add\nCALL_INDIRECT 0 1\n" P_INT
        "PUSH_SMALL 5\nPUSH_SMALL 1\nMAKE_CLOSURE 1 sub3\nPUSH_SMALL 100\nSWAP\nCALL_INDIRECT 2 1\n" P_INT END
        ".func add 2 2 1\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nADD_INT\nRET\n"
        ".func sub3 3 3 1\nLOAD_LOCAL 0\nLOAD_LOCAL 1\nSUB_INT\nLOAD_LOCAL 2\nSUB_INT\nRET\n",
        "42\n10\n-96\n", 0, NULL, NULL},
    {"main's result is the exit status", MAIN(0) "PUSH_SMALL 3\nRET\n", "", 3, NULL, NULL},
    {"main without a result exits 0", ".func main 0 0 0\nRET_VOID\n", "", 0, NULL, NULL},
    {"deep recursion (100000 frames)", ".func main 0 0 1\nPUSH_INT 100000\nCALL down\n" P_INT END
        ".func down 1 1 1\nLOAD_LOCAL 0\nJGE_INT_IMM 1 rec\nPUSH_SMALL 0\nRET\nrec:\nLOAD_LOCAL 0\nADD_INT_IMM -1\nCALL down\nADD_INT_IMM 1\nRET\n",
        "100000\n", 0, NULL, NULL},

    /* ---- failure, exit and traps ---- */
    {"ASSERT true passes", MAIN(0) "PUSH_TRUE\nASSERT\nPUSH_STR \"ok\"\n" P_STR END, "ok\n", 0, NULL, NULL},
    {"HALT ends the program with its status, flushing output", ".func main 0 0 1\nPUSH_STR \"bye\"\nTRAP PRINT\nCALL f\n" END
        ".func f 0 0 0\nPUSH_SMALL 260\nHALT\n", "bye", 4, NULL, NULL},
    {"CALL_NATIVE: pops the parameters, pushes the result", MAIN(0) "PUSH_STR \"  a b \"\nCALL_NATIVE str_trim\n" P_STR
        "PUSH_STR \"x,y\"\nPUSH_STR \",\"\nCALL_NATIVE str_split\nARRAY_LEN\n" P_INT
        "PUSH_SMALL 3\nPUSH_SMALL 1\nARRAY_LIT 2\nCALL_NATIVE array_sort\nPUSH_SMALL 0\nARRAY_GET\n" P_INT
        "MAP_NEW 0\nCALL_NATIVE map_clear\nPUSH_STR \"done\"\n" P_STR END, "a b\n2\n1\ndone\n", 0, NULL, NULL},
    {"CALL_NATIVE: a native's runtime error", MAIN(0) "PUSH_STR \"ab\"\nPUSH_SMALL -1\nCALL_NATIVE str_repeat\n" P_STR END,
        "", 1, "t.nano:1: error: str_repeat with negative count -1", NULL},
    {"CALL_NATIVE: an argument of the wrong kind", MAIN(0) "PUSH_SMALL 5\nCALL_NATIVE str_to_upper\n" P_STR END,
        "", 1, "type error: str_to_upper expects string as argument 1, got int", NULL},
    {"TRAP EPRINT", MAIN(0) "PUSH_STR \"to stderr\"\nTRAP EPRINT\n" END, "", 0, "to stderr", NULL},
    {"TRAP ARG_COUNT, ARG", MAIN(0) "TRAP ARG_COUNT\n" P_INT "PUSH_SMALL 0\nTRAP ARG\n" P_STR "PUSH_SMALL 1\nTRAP ARG\n" P_STR END,
        "2\ntest.nvm\nfirst\n", 0, NULL, NULL},
    {"TRAP GETENV", MAIN(0) "PUSH_STR \"NANOVM_TEST_VAR\"\nTRAP GETENV\n" P_STR
        "PUSH_STR \"NANOVM_SURELY_UNSET\"\nTRAP GETENV\nSTR_LEN\n" P_INT END, "value 1\n0\n", 0, NULL, NULL},
    {"TRAP CLOCK_NS is monotonic", MAIN(1) "TRAP CLOCK_NS\nSTORE_LOCAL 0\nTRAP CLOCK_NS\nLOAD_LOCAL 0\nGE_INT\n" P_BOOL END,
        "true\n", 0, NULL, NULL},
    {"TRAP READ_LINE", MAIN(0) "TRAP READ_LINE\n" P_BOOL P_STR "TRAP READ_LINE\n" P_BOOL P_STR
        "TRAP READ_LINE\n" P_BOOL P_STR "TRAP READ_LINE\n" P_BOOL "STR_LEN\n" P_INT END,
        "true\none\ntrue\n\ntrue\nlast\nfalse\n0\n", 0, NULL, "one\n\nlast"},
    {"TRAP WRITE_FILE, FILE_EXISTS, READ_FILE", MAIN(0)
        "PUSH_STR \"@FILE@\"\nTRAP FILE_EXISTS\n" P_BOOL
        "PUSH_STR \"@FILE@\"\nPUSH_STR \"data\\0\\xff\"\nTRAP WRITE_FILE\n" P_INT
        "PUSH_STR \"@FILE@\"\nTRAP FILE_EXISTS\n" P_BOOL
        "PUSH_STR \"@FILE@\"\nTRAP READ_FILE\n" P_INT "STR_LEN\n" P_INT
        "PUSH_STR \"/nonexistent/dir/x\"\nTRAP READ_FILE\nPUSH_SMALL 0\nNE_INT\n" P_BOOL "STR_LEN\n" P_INT
        "PUSH_STR \"/nonexistent/dir/x\"\nPUSH_STR \"\"\nTRAP WRITE_FILE\nPUSH_SMALL 0\nNE_INT\n" P_BOOL END,
        "false\n0\ntrue\n0\n6\ntrue\n0\ntrue\n", 0, NULL, NULL},
    {"TRAP WRITE_EXEC_FILE", MAIN(0)
        "PUSH_STR \"@FILE@\"\nPUSH_STR \"#!\\xff\"\nTRAP WRITE_EXEC_FILE\n" P_INT
        "PUSH_STR \"@FILE@\"\nTRAP READ_FILE\n" P_INT P_STR
        "PUSH_STR \"/nonexistent/dir/x\"\nPUSH_STR \"\"\nTRAP WRITE_EXEC_FILE\nPUSH_SMALL 0\nNE_INT\n" P_BOOL END,
        "0\n0\n#!\xff\ntrue\n", 0, NULL, NULL},
    {"TRAP FILE_KIND: nothing, file, directory, symbolic link (not followed), device", MAIN(0)
        "PUSH_STR \"@FILE@.missing\"\nTRAP FILE_KIND\n" P_INT
        "PUSH_STR \"@FILE@\"\nPUSH_STR \"x\"\nTRAP WRITE_FILE\nPOP\n"
        "PUSH_STR \"@FILE@\"\nTRAP FILE_KIND\n" P_INT
        "PUSH_STR \"/\"\nTRAP FILE_KIND\n" P_INT
        "PUSH_STR \"/proc/self\"\nTRAP FILE_KIND\n" P_INT
        "PUSH_STR \"/dev/null\"\nTRAP FILE_KIND\n" P_INT
        "PUSH_STR \"a\\0b\"\nTRAP FILE_KIND\n" P_INT END,
        "0\n1\n2\n3\n4\n0\n", 0, NULL, NULL},

    /* ---- runtime errors: status 1, FILE:LINE: error: MESSAGE, stack trace ---- */
    {"ASSERT false", MAIN(0) ".line 4\nPUSH_FALSE\nASSERT\n" END, "", 1, "t.nano:4: error: assertion failed", NULL},
    {"PANIC", MAIN(0) ".line 2\nPUSH_STR \"custom failure\"\nPANIC\n", "", 1, "t.nano:2: error: custom failure", NULL},
    {"ARRAY_GET out of range", MAIN(0) ".line 3\nPUSH_SMALL 1\nPUSH_SMALL 2\nARRAY_LIT 2\nPUSH_SMALL 2\nARRAY_GET\n" P_INT END,
        "", 1, "t.nano:3: error: index 2 out of range for array of length 2", NULL},
    {"ARRAY_GET negative index", MAIN(0) ".line 3\nARRAY_LIT 0\nPUSH_SMALL -1\nARRAY_GET\n" P_INT END,
        "", 1, "t.nano:3: error: index -1 out of range for array of length 0", NULL},
    {"ARRAY_SET out of range", MAIN(0) ".line 5\nPUSH_SMALL 1\nARRAY_LIT 1\nPUSH_SMALL 1\nPUSH_SMALL 0\nARRAY_SET\n" END,
        "", 1, "t.nano:5: error: index 1 out of range for array of length 1", NULL},
    {"STR_CHAR_AT out of range", MAIN(0) ".line 6\nPUSH_STR \"ab\"\nPUSH_SMALL 2\nSTR_CHAR_AT\n" P_INT END,
        "", 1, "t.nano:6: error: index 2 out of range for string of length 2", NULL},
    {"STR_SUB out of range", MAIN(0) ".line 7\nPUSH_STR \"abc\"\nPUSH_SMALL 2\nPUSH_SMALL 2\nSTR_SUB\n" P_STR END,
        "", 1, "t.nano:7: error: substring [2, 4) out of range for string of length 3", NULL},
    {"STR_SUB negative length", MAIN(0) ".line 7\nPUSH_STR \"abc\"\nPUSH_SMALL 1\nPUSH_SMALL -1\nSTR_SUB\n" P_STR END,
        "", 1, "t.nano:7: error: substring [1, 0) out of range for string of length 3", NULL},
    {"ARRAY_SLICE out of range", MAIN(0) ".line 8\nARRAY_LIT 0\nPUSH_SMALL 0\nPUSH_SMALL 1\nARRAY_SLICE\nPOP\n" END,
        "", 1, "t.nano:8: error: slice [0, 1) out of range for array of length 0", NULL},
    {"packed array index out of range", MAIN(0) ".line 3\nPUSH_SMALL 20\nPUSH_FALSE\nARRAY_NEW\n"
        "PUSH_SMALL 20\nARRAY_GET\nPOP\n" END,
        "", 1, "t.nano:3: error: index 20 out of range for array of length 20", NULL},
    {"packed array store out of range", MAIN(0) ".line 4\nPUSH_SMALL 20\nPUSH_FALSE\nARRAY_NEW\n"
        "PUSH_SMALL -1\nPUSH_SMALL 1000\nARRAY_SET\n" END,
        "", 1, "t.nano:4: error: index -1 out of range for array of length 20", NULL},
    {"type error: STR_JOIN of a packed array", MAIN(0) ".line 5\nPUSH_SMALL 16\nPUSH_SMALL 1\nARRAY_NEW\n"
        "STR_JOIN\nPOP\n" END,
        "", 1, "t.nano:5: error: type error: STR_JOIN expects array of strings, got int", NULL},
    {"an error in the second instruction of a fused pair is reported at its own line", MAIN(2)
        "ARRAY_LIT 0\nSTORE_LOCAL 0\nPUSH_SMALL 5\nSTORE_LOCAL 1\n.line 3\nLOAD_LOCAL 0\n"
        ".line 4\nLOAD_LOCAL 1\n.line 5\nARRAY_GET\nPOP\n" END,
        "", 1, "t.nano:5: error: index 5 out of range for array of length 0", NULL},
    {"ARRAY_POP empty", MAIN(0) ".line 9\nARRAY_LIT 0\nARRAY_POP\nPOP\n" END, "", 1,
        "t.nano:9: error: array_pop on an empty array", NULL},
    {"ARRAY_NEW negative", MAIN(0) ".line 2\nPUSH_SMALL -3\nPUSH_SMALL 0\nARRAY_NEW\nPOP\n" END, "", 1,
        "t.nano:2: error: array_new with negative length -3", NULL},
    {"CHAR_TO_STR not a byte", MAIN(0) ".line 2\nPUSH_SMALL 256\nCHAR_TO_STR\nPOP\n" END, "", 1,
        "t.nano:2: error: string_from_char: 256 is not a byte (0..255)", NULL},
    {"MAP_GET absent key", MAIN(0) ".line 2\nMAP_NEW 1\nPUSH_STR \"k\"\nMAP_GET\nPOP\n" END, "", 1,
        "t.nano:2: error: key not found", NULL},
    {"type error: TRAP FILE_KIND of an int", MAIN(0) ".line 2\nPUSH_SMALL 1\nTRAP FILE_KIND\nPOP\n" END, "", 1,
        "t.nano:2: error: type error: TRAP FILE_KIND expects a string", NULL},
    {"TRAP ARG out of range", MAIN(0) ".line 2\nPUSH_SMALL 5\nTRAP ARG\nPOP\n" END, "", 1,
        "t.nano:2: error: get_argv: index 5 out of range", NULL},
    {"type error: ARRAY_GET on an int", MAIN(0) ".line 2\nPUSH_SMALL 1\nPUSH_SMALL 0\nARRAY_GET\nPOP\n" END, "", 1,
        "t.nano:2: error: type error: ARRAY_GET expects array, got int", NULL},
    {"type error: wrong map key kind", MAIN(0) ".line 2\nMAP_NEW 0\nPUSH_STR \"k\"\nMAP_HAS\nPOP\n" END, "", 1,
        "t.nano:2: error: type error: MAP_HAS expects an int key, got string", NULL},
    {"type error: CALL_INDIRECT signature", ".func main 0 0 1\n.file \"t.nano\" 1\n.line 3\nPUSH_FN f\nCALL_INDIRECT 0 1\nPOP\n" END
        ".func f 1 1 1\nLOAD_LOCAL 0\nRET\n", "", 1,
        "t.nano:3: error: type error: CALL_INDIRECT of f (1 parameters, 1 results) with 0 arguments and 1 results", NULL},
    {"type error: CALL_INDIRECT of a closure with too few arguments", ".func main 0 0 1\n.file \"t.nano\" 1\n.line 3\nPUSH_SMALL 1\nMAKE_CLOSURE 1 f\nCALL_INDIRECT 0 1\nPOP\n" END
        ".func f 2 2 1\nLOAD_LOCAL 0\nRET\n", "", 1,
        "t.nano:3: error: type error: CALL_INDIRECT of f (2 parameters, 1 results, 1 of them captured) with 0 arguments and 1 results", NULL},
    {"type error: ARRAY_GET on a closure", ".func main 0 0 1\n.file \"t.nano\" 1\n.line 2\nPUSH_SMALL 1\nMAKE_CLOSURE 1 f\nPUSH_SMALL 0\nARRAY_GET\nPOP\n" END
        ".func f 1 1 1\nLOAD_LOCAL 0\nRET\n", "", 1,
        "t.nano:2: error: type error: ARRAY_GET expects array, got function", NULL},
    {"type error: CALL_INDIRECT of a non-function", MAIN(0) ".line 2\nPUSH_SMALL 0\nCALL_INDIRECT 0 0\n" END, "", 1,
        "t.nano:2: error: type error: CALL_INDIRECT expects function, got int", NULL},
    {"type error: LOAD_LOCAL_FIELD of an int", MAIN(1) ".line 2\nPUSH_SMALL 1\nSTORE_LOCAL 0\nLOAD_LOCAL_FIELD 0 0\nPOP\n" END,
        "", 1, "t.nano:2: error: type error: LOAD_LOCAL_FIELD expects record, got int", NULL},
    {"type error: LOAD_LOCAL_FIELD beyond the record", ".struct P x\n" MAIN(1) ".line 2\nPUSH_SMALL 1\nNEW_RECORD P\nSTORE_LOCAL 0\nLOAD_LOCAL_FIELD 0 1\nPOP\n" END,
        "", 1, "t.nano:2: error: type error: LOAD_LOCAL_FIELD 1 of a record with 1 fields", NULL},
    {"type error: GET_FIELD beyond the record", ".struct P x\n" MAIN(0) ".line 2\nPUSH_SMALL 1\nNEW_RECORD P\nGET_FIELD 3\nPOP\n" END,
        "", 1, "t.nano:2: error: type error: GET_FIELD 3 of a record with 1 fields", NULL},
    {"stack overflow is an error", ".func main 0 0 1\n.file \"t.nano\" 1\nCALL inf\n" END
        ".func inf 0 0 0\n.file \"t.nano\" 5\n.line 6\nCALL inf\nRET_VOID\n", "", 1,
        "t.nano:6: error: stack overflow", NULL},
    {"stack overflow through closure calls is an error (checked before the captured values are pushed)",
        ".func main 0 0 1\n.file \"t.nano\" 1\nPUSH_SMALL 7\nMAKE_CLOSURE 1 inf\nCALL_INDIRECT 0 0\n" END
        ".func inf 1 1 0\n.file \"t.nano\" 5\n.line 6\nLOAD_LOCAL 0\nMAKE_CLOSURE 1 inf\nCALL_INDIRECT 0 0\nRET_VOID\n", "", 1,
        "t.nano:6: error: stack overflow", NULL},
    {"extern calls are an error when nano_cop cannot be started", ".import puts - int string\n" MAIN(0)
        ".line 2\nPUSH_STR \"x\"\nCALL_EXTERN puts\nPOP\n" END, "", 1,
        "t.nano:2: error: extern call to puts: cannot start nano_cop (/nonexistent/nano_cop): No such file or directory", NULL},
    {"stack trace names every frame, innermost first",
        ".func main 0 0 1\n.file \"t.nano\" 10\n.line 11\nCALL outer\n" END
        ".func outer 0 0 0\n.file \"t.nano\" 20\n.line 21\nCALL inner\nRET_VOID\n"
        ".func inner 0 0 0\n.file \"t.nano\" 30\n.line 31\nNOP\n.line 32\nPUSH_STR \"deep\"\nPANIC\n", "", 1,
        "t.nano:32: error: deep\n  at inner (t.nano:32)\n  at outer (t.nano:21)\n  at main (t.nano:11)\n", NULL},
    {"output before an error is flushed first", MAIN(0) "PUSH_STR \"before\"\nTRAP PRINT\n.line 3\nPUSH_FALSE\nASSERT\n" END,
        "before", 1, "t.nano:3: error: assertion failed", NULL},
    {"error in a function without line info", ".func main 0 0 1\nPUSH_FALSE\nASSERT\n" END, "", 1,
        "test.nvm: error: assertion failed\n  at main (+1)", NULL},
};

#define NCASES (sizeof cases / sizeof cases[0])

/* Replace every "@FILE@" in src by path. */
static char *substitute(const char *src, const char *path) {
    size_t n = strlen(src) + 1;
    for (const char *s = strstr(src, "@FILE@"); s; s = strstr(s + 1, "@FILE@")) n += strlen(path);
    char *out = malloc(n), *o = out;
    if (out == NULL) abort();
    while (*src) {
        if (strncmp(src, "@FILE@", 6) == 0) {
            o += sprintf(o, "%s", path);
            src += 6;
        } else {
            *o++ = *src++;
        }
    }
    *o = '\0';
    return out;
}

int main(void) {
    plan((int)NCASES + 1);
    setenv("NANOVM_TEST_VAR", "value 1", 1);
    setenv("NANO_COP", "/nonexistent/nano_cop", 1); /* extern calls: tests/cop */
    char tmpdir[] = "/tmp/nanovm_t_ops_XXXXXX";
    if (mkdtemp(tmpdir) == NULL) abort();
    char path[128];
    snprintf(path, sizeof path, "%s/file", tmpdir);

    for (size_t i = 0; i < NCASES; i++) {
        const Case *c = &cases[i];
        char *src = substitute(c->src, path);
        size_t len;
        uint8_t *bytes = asm_build(src, &len);
        char *argv[] = {"first"};
        VmResult r = vm_run_bytes(bytes, len, 1, argv, c->input, NULL);
        int good = r.loaded && r.status == c->status && strcmp(r.out, c->out) == 0 &&
                   (c->err ? strstr(r.err, c->err) != NULL : r.err[0] == '\0');
        ok(good, "%s", c->name);
        if (!good) {
            if (!r.loaded) diag("  load error: %s", r.load_error);
            diag("  status %d (expected %d)", r.status, c->status);
            diag("  stdout: '%s'", r.out);
            diag("  expected: '%s'", c->out);
            diag("  stderr: '%s'", r.err);
            if (c->err) diag("  expected in stderr: '%s'", c->err);
        }
        vm_result_free(&r);
        free(bytes);
        free(src);
    }
    unlink(path);
    rmdir(tmpdir);

#ifdef VM_COUNT_OPS
    char missing[2048] = "";
    for (int op = 0; op < 256; op++)
        if (isa_ops[op].name != NULL && vm_total_op_counts[op] == 0) {
            strncat(missing, " ", sizeof missing - strlen(missing) - 1);
            strncat(missing, isa_ops[op].name, sizeof missing - strlen(missing) - 1);
        }
    ok(missing[0] == '\0', "every opcode in isa/isa.def is executed by a test");
    if (missing[0]) diag("  opcodes never executed:%s", missing);
#else
    /* tap.h's ok() neutralises '#', so the SKIP directive is printed here */
    printf("ok %d # SKIP opcode coverage is checked by the counting (sanitizer) build\n",
           ++tap_run_);
#endif
    return done();
}
