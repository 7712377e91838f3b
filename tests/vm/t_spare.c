/* t_spare.c: the children a process starts one after another (shadow tests, nested programs)
 * reuse the value stack and frame array the previous child left (ProcessSpare, vm/process.h)
 * instead of allocating 64 MiB and 16 MiB afresh each time; a child that needs more than the
 * spare block, or far less, gets a block of its own; and whatever a child runs on a reused
 * stack behaves as on a fresh one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "nvmasm.h"
#include "process.h"
#include "program.h"
#include "tap.h"
#include "vmrun.h"

/* A child of parent as harness.c makes one, with stack_slots and max_frames of its own. */
static Process *child(Process *parent, const Program *prog, size_t slots, size_t frames) {
    ProcessOptions o;
    process_child_options(parent, &o);
    o.stack_slots = slots;
    o.max_frames = frames;
    o.out_fd = o.err_fd = -1;
    char *argv[] = {"child"};
    Process *c = process_new(prog, 1, argv, &o);
    if (c == NULL) abort();
    return c;
}

/* Fill p's heap with unrooted records (no collection) until it has n chunks. */
static void fill_chunks(Process *p, size_t n) {
    p->heap.next_gc = p->heap.max;
    while (p->heap.nchunks < n)
        if (heap_alloc(&p->heap, 64, T_REC) == NULL) abort();
}

int main(void) {
    plan(13);
    /* main recurses 300 deep through down(d), whose locals 1 and 2 must be unit on entry (a
     * payload of 0: JUMP_IF_TRUE does not jump) and which then sets them to other values before
     * it recurses, so that a second run on the same stack finds those values where its frames'
     * locals go: main returns 5 when every frame found unit, 99 when one did not. */
    Program *prog = vm_load_asm(".func main 0 1 1\n"
                         "PUSH_SMALL 300\nCALL down\nRET\n"
                         ".func down 1 3 1\n"
                         "LOAD_LOCAL 1\nJUMP_IF_TRUE stale\nLOAD_LOCAL 2\nJUMP_IF_TRUE stale\n"
                         "LOAD_LOCAL 0\nJEQ_INT_IMM 0 base\n"
                         "PUSH_SMALL 12345\nSTORE_LOCAL 1\nPUSH_SMALL 777\nSTORE_LOCAL 2\n"
                         "LOAD_LOCAL 0\nADD_INT_IMM -1\nCALL down\nRET\n"
                         "base:\nPUSH_SMALL 5\nRET\n"
                         "stale:\nPUSH_SMALL 99\nRET\n");
    ProcessOptions po = {.out_fd = -1, .err_fd = -1};
    char *argv[] = {"parent"};
    Process *parent = process_new(prog, 1, argv, &po);
    if (parent == NULL) abort();
    ok(parent->spare.stack == NULL && parent->spare.frames == NULL, "a new process keeps no spare");

    Process *a = child(parent, prog, 1 << 16, 1 << 12);
    void *a_stack = a->stack, *a_frames = a->frames;
    is_int(harness_run(a), 5, "the first child runs on fresh blocks");
    process_free(a);
    ok(parent->spare.stack == a_stack && parent->spare.frames == a_frames,
       "its stack and frames stay with the parent");

    Process *b = child(parent, prog, (1 << 16) - 100, (1 << 12) - 10);
    ok(b->stack == a_stack && b->frames == a_frames, "the next child, needing a little less, reuses them");
    ok(b->stack_end == b->stack + (1 << 16) - 100, "its stack limit is its own, not the block's");
    ok(parent->spare.stack == NULL, "a reused block is no longer spare");
    is_int(harness_run(b), 5, "it runs on them as on fresh ones (the locals start as unit)");
    process_free(b);

    Process *c = child(parent, prog, 1 << 17, 1 << 12);
    ok(c->stack != a_stack && c->stack_bytes == ((size_t)1 << 17) * sizeof(Value),
       "a child needing more gets a stack of its own");
    process_free(c);
    ok(parent->spare.stack_bytes == ((size_t)1 << 17) * sizeof(Value),
       "the larger of two blocks is kept, the other freed");

    Process *d = child(parent, prog, 1 << 10, 1 << 12);
    ok(d->stack_bytes == ((size_t)1 << 10) * sizeof(Value) && parent->spare.stack != NULL,
       "a child needing less than half the spare gets a small block of its own");
    process_free(d);

    /* The heap chunks a process leaves go to one cache for the whole thread, whatever the
     * nesting: a grandchild takes what its parent's sibling left and leaves its own there (with a
     * cache per level, 16 levels of nested programs kept up to 8 chunks each: 160 MB of memory
     * under --heap 16m). */
    Process *f = child(parent, prog, 1 << 10, 1 << 12);
    fill_chunks(f, HEAP_CACHE_CHUNKS);
    process_free(f);
    size_t cached = parent->spare.chunks.n;
    Process *g = child(parent, prog, 1 << 10, 1 << 12);
    fill_chunks(g, 1);
    Process *gg = child(g, prog, 1 << 10, 1 << 12);
    fill_chunks(gg, HEAP_CACHE_CHUNKS);
    int took = parent->spare.chunks.n == 0 && g->spare.chunks.n == 0;
    process_free(gg);
    size_t left = parent->spare.chunks.n + g->spare.chunks.n;
    ok(cached == HEAP_CACHE_CHUNKS && took && left == HEAP_CACHE_CHUNKS,
       "a grandchild's heap takes the chunks its parent's sibling left (%zu) and leaves its own "
       "in the same cache: %zu chunks cached in all", cached, left);
    process_free(g);
    ok(parent->spare.chunks.n == HEAP_CACHE_CHUNKS, "the cache is the parent's");

    /* the spare blocks go with the parent (under ASan, a leak here fails the test) */
    process_free(parent);
    ok(1, "the parent frees its spare blocks");
    program_free(prog);
    return done();
}
