/* t_gc.c: the collector is precise and complete: everything reachable survives any number of
 * collections (from the stack, locals, globals, arrays, maps, records), garbage is reclaimed so
 * that a program whose live data is small runs in a small heap indefinitely, and a program whose
 * live data exceeds the heap limit gets the runtime error "out of memory", not a crash. */
#include <stdlib.h>
#include <string.h>

#include "nvmasm.h"
#include "tap.h"
#include "vmrun.h"

static VmResult run(const char *src, size_t heap_max) {
    size_t len;
    uint8_t *bytes = asm_build(src, &len);
    ProcessOptions o = {.heap_max = heap_max, .in_fd = 0, .out_fd = 1, .err_fd = 2};
    VmResult r = vm_run_bytes(bytes, len, 0, NULL, NULL, &o);
    free(bytes);
    return r;
}

static void expect(const char *name, VmResult r, int status, const char *out, uint64_t min_gcs) {
    int good = r.loaded && r.status == status && strcmp(r.out, out) == 0 && r.collections >= min_gcs;
    ok(good, "%s (%llu collections)", name, (unsigned long long)r.collections);
    if (!good) diag("  status %d out '%s' err '%s' load '%s'", r.status, r.out, r.err, r.load_error);
}

int main(void) {
    plan(6);
    const size_t MB = (size_t)1 << 20;

    /* A 200000-node linked list (records holding the next record) built while 2 million
     * garbage strings churn through a 16 MB heap; then walked and summed. */
    VmResult r = run(".struct Node value next\n"
        ".func main 0 4 1\n"
        "PUSH_UNIT\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "build:\nLOAD_LOCAL 1\nLOAD_LOCAL 0\nNEW_RECORD Node\nSTORE_LOCAL 0\n"
        "PUSH_SMALL 0\nSTORE_LOCAL 2\n"
        "junk:\nLOAD_LOCAL 2\nINT_TO_STR\nPUSH_STR \"garbage\"\nSTR_CONCAT\nPOP\nINC_LOCAL 2 1\nLOAD_LOCAL 2\nJLT_INT_IMM 10 junk\n"
        "INC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 200000 build\n"
        "PUSH_SMALL 0\nSTORE_LOCAL 3\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "walk:\nLOAD_LOCAL 3\nLOAD_LOCAL 0\nGET_FIELD 0\nADD_INT\nSTORE_LOCAL 3\n"
        "LOAD_LOCAL 0\nGET_FIELD 1\nSTORE_LOCAL 0\nINC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 200000 walk\n"
        "LOAD_LOCAL 3\nINT_TO_STR\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", 16 * MB);
    expect("a long list survives collections of churning garbage", r, 0, "19999900000", 5);
    vm_result_free(&r);

    /* Roots in globals, maps holding arrays holding strings. */
    r = run(".global keep\n"
        ".func main 0 3 1\n"
        "MAP_NEW 0\nSTORE_GLOBAL keep\nPUSH_SMALL 0\nSTORE_LOCAL 0\n"
        "fill:\nLOAD_GLOBAL keep\nLOAD_LOCAL 0\nLOAD_LOCAL 0\nINT_TO_STR\nARRAY_LIT 1\nMAP_PUT\n"
        "PUSH_SMALL 100\nPUSH_STR \"tmp\"\nARRAY_NEW\nPOP\n"
        "INC_LOCAL 0 1\nLOAD_LOCAL 0\nJLT_INT_IMM 50000 fill\n"
        "PUSH_SMALL 0\nSTORE_LOCAL 1\nPUSH_SMALL 0\nSTORE_LOCAL 0\n"
        "sum:\nLOAD_LOCAL 1\nLOAD_GLOBAL keep\nLOAD_LOCAL 0\nMAP_GET\nPUSH_SMALL 0\nARRAY_GET\nSTR_TO_INT\nADD_INT\nSTORE_LOCAL 1\n"
        "INC_LOCAL 0 1\nLOAD_LOCAL 0\nJLT_INT_IMM 50000 sum\n"
        "LOAD_LOCAL 1\nINT_TO_STR\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", 32 * MB);
    expect("objects reachable from globals and maps survive", r, 0, "1249975000", 3);
    vm_result_free(&r);

    /* A million-element chain: marking must not recurse on the C stack. */
    r = run(".struct Node next\n"
        ".func main 0 3 1\n"
        "PUSH_UNIT\nSTORE_LOCAL 0\nPUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "build:\nLOAD_LOCAL 0\nNEW_RECORD Node\nSTORE_LOCAL 0\nINC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 1000000 build\n"
        "PUSH_SMALL 0\nSTORE_LOCAL 1\n"
        "walk:\nLOAD_LOCAL 0\nGET_FIELD 0\nSTORE_LOCAL 0\nINC_LOCAL 1 1\nLOAD_LOCAL 1\nJLT_INT_IMM 1000000 walk\n"
        "LOAD_LOCAL 0\nSTORE_LOCAL 2\nPUSH_STR \"done\"\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", 0);
    expect("a chain of a million records is collected without deep recursion", r, 0, "done", 1);
    vm_result_free(&r);

    /* Everything kept alive: the heap limit is reached. */
    r = run(".func main 0 1 1\n.file \"m.nano\" 1\n"
        "ARRAY_LIT 0\nSTORE_LOCAL 0\n"
        ".line 4\nloop:\nLOAD_LOCAL 0\nPUSH_SMALL 1000\nPUSH_SMALL 0\nARRAY_NEW\nARRAY_PUSH\nPOP\nJUMP loop\n", 8 * MB);
    ok(r.loaded && r.status == 1 && strstr(r.err, "m.nano:4: error: out of memory") != NULL,
       "live data beyond the heap limit is the runtime error 'out of memory'");
    if (r.status != 1) diag("  status %d err '%s'", r.status, r.err);
    vm_result_free(&r);

    /* One huge request fails cleanly too. */
    r = run(".func main 0 0 1\n.file \"m.nano\" 1\n.line 2\n"
        "PUSH_INT 4611686018427387904\nPUSH_SMALL 0\nARRAY_NEW\nPOP\nPUSH_SMALL 0\nRET\n", 8 * MB);
    ok(r.loaded && r.status == 1 && strstr(r.err, "m.nano:2: error: out of memory") != NULL,
       "an impossible allocation is 'out of memory'");
    if (r.status != 1) diag("  status %d err '%s'", r.status, r.err);
    vm_result_free(&r);

    /* String constants are shared by the program, never collected. */
    r = run(".func main 0 1 1\nPUSH_SMALL 0\nSTORE_LOCAL 0\n"
        "loop:\nPUSH_SMALL 1000\nPUSH_SMALL 0\nARRAY_NEW\nPOP\nINC_LOCAL 0 1\nLOAD_LOCAL 0\nJLT_INT_IMM 20000 loop\n"
        "PUSH_STR \"constant\"\nTRAP PRINT\nPUSH_SMALL 0\nRET\n", 16 * MB);
    expect("constants outlive collections", r, 0, "constant", 5);
    vm_result_free(&r);
    return done();
}
