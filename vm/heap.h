/* heap.h: a per-process heap with a precise mark-and-sweep collector.
 *
 * Layering of the VM's runtime, each layer using only the layers before it:
 *   1. value.h, heap, object, map   values and the heap objects (heap and object use each other)
 *   2. process                      a virtual process: stack, frames, globals, heap, error state
 *   3. interp                       the pure core, which runs a process's code
 *   4. harness, shadow, image       traps, output, error reports; runs the core and nested
 *                                   programs (RUN_TESTS, RUN_PROGRAM)
 *   5. main                         the nano_vm command
 * The heap knows nothing of processes or of the interpreter: its owner gives it its roots
 * (heap_set_roots), and an allocation that fails returns NULL or -1 with the reason in
 * Heap.error, which the caller turns into a runtime error of its own.
 *
 * Roots are the live part of a value stack and the globals, plus the few temporaries the object
 * functions root while they allocate (heap_push_temp).  An instruction that allocates keeps every
 * reference it still needs on the value stack until the allocation is done (the discipline
 * every allocating instruction in interp_core.inc follows).
 */
#ifndef NANOVM_HEAP_H
#define NANOVM_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "value.h"

/* Temporaries rooted at once, at most (object.c and map.c use two). */
#define HEAP_TEMPS 4

/* Small objects (at most HEAP_SMALL_MAX bytes) live in pages of HEAP_PAGE_BYTES, each page
 * carved into slots of one size class; larger ones are malloc'd one by one.  A free slot has
 * kind HEAP_FREE_KIND and is linked through Obj.next on its class's free list. */
#define HEAP_SMALL_MAX 1024
#define HEAP_NCLASSES 25
#define HEAP_PAGE_BYTES ((size_t)16 << 10)
#define HEAP_FREE_KIND 0 /* T_UNIT: no object has this kind */

/* Out-of-line storage (array items, map tables) of at most HEAP_RAW_MAX bytes comes from pages
 * of the heap too (heap_raw_alloc): the size classes of objects, then blocks of 2, 4, 8 and 16
 * KiB.  A page whose blocks are all free again is spare after the next collection.  Larger
 * storage is malloc'd. */
#define HEAP_RAW_MAX ((size_t)16 << 10)
#define HEAP_NRAW (HEAP_NCLASSES + 4)

typedef struct HeapPage HeapPage;

/* Pages are carved from chunks of HEAP_CHUNK_BYTES mapped at a HEAP_CHUNK_BYTES boundary (the
 * first page of each chunk is its description: ChunkMeta in heap.c).  Once
 * the heap's pages hold HEAP_HUGE_AFTER bytes, each new chunk is advised to be backed by a
 * transparent huge page: one page fault instead of 512 for the memory a big heap first touches,
 * while a small program's memory stays in 4 KiB pages. */
#define HEAP_CHUNK_BYTES ((size_t)2 << 20)
#define HEAP_HUGE_AFTER ((size_t)4 << 20)

/* Chunks a freed heap leaves for the next heap of its thread, at most HEAP_CACHE_CHUNKS: shadow
 * tests and nested programs each have a heap of their own, one after another, and mapping their
 * memory afresh each time cost the self-compile 10,000 page faults.  Its owner frees it with
 * heap_cache_free. */
#define HEAP_CACHE_CHUNKS 8
typedef struct {
    void **chunks;
    size_t n, cap;
} HeapChunkCache;

typedef struct Heap {
    Obj *objects;      /* every live-or-unswept large object */
    HeapPage *pages;   /* every page of small objects */
    void **spare;      /* pages (HeapPage) no size class holds, nspare of spare_cap */
    size_t nspare, spare_cap;
    size_t spare_released; /* spare[0 .. spare_released) were given back to the system */
    void **chunks;     /* every chunk, nchunks of chunks_cap */
    size_t nchunks, chunks_cap;
    char *carve;       /* the next page never handed out, in the newest chunk (NULL: none) */
    HeapChunkCache *cache; /* where chunks come from first and go when the heap is freed (NULL:
                            * none; the owner sets it after heap_init) */
    Obj *free[HEAP_NCLASSES]; /* free slots of each size class, in address order */
    void *raw_free[HEAP_NRAW]; /* free blocks of storage of each raw class, linked through
                                * their first word */
    size_t raw_nfree[HEAP_NRAW];   /* blocks on each raw class's free list */
    uint32_t raw_empty[HEAP_NRAW]; /* pages of each raw class with no block in use */
    size_t page_bytes; /* memory held in pages of a size class */
    size_t bytes;      /* bytes currently charged */
    size_t next_gc;    /* collect when bytes would exceed this */
    size_t max;        /* hard limit: allocation beyond it fails */
    uint64_t collections;
    Obj **gray;        /* mark stack */
    size_t ngray, gray_cap;

    /* roots (heap_set_roots): the values [stack, *sp) and globals[0..nglobals) */
    const Value *stack;
    Value *const *sp;
    const Value *globals;
    size_t nglobals;
    Value temps[HEAP_TEMPS];
    int ntemps;

    char error[160]; /* why the last allocation failed: "out of memory (...)" */
} Heap;

void heap_init(Heap *h, size_t max);
/* Roots: the live part of a value stack is [stack, *sp) (the owner keeps *sp current before
 * every allocation), and there are nglobals globals. */
void heap_set_roots(Heap *h, const Value *stack, Value *const *sp, const Value *globals,
                    size_t nglobals);
void heap_free_all(Heap *h);
void heap_cache_free(HeapChunkCache *c);

/* Allocate an object of 'size' bytes (header included) and kind 'kind' (T_STR, T_ARR, T_MAP or
 * T_REC), charged to the heap; may collect first.  Only the header is initialised.  Returns
 * NULL with the reason in h->error when over the limit or out of memory. */
Obj *heap_alloc(Heap *h, size_t size, uint8_t kind);

/* Grow or shrink the out-of-line storage of an object (array items, map tables) by 'delta'
 * bytes; may collect first.  Returns -1 with the reason in h->error. */
int heap_charge(Heap *h, ptrdiff_t delta);

void heap_collect(Heap *h);

/* Out-of-line storage of n bytes, charged to nothing (the caller charges it with heap_charge),
 * released only by heap_raw_free or with the heap.  NULL when the system refuses the memory;
 * heap_raw_resize then leaves p as it was.  The caller passes the size it asked for back. */
void *heap_raw_alloc(Heap *h, size_t n);
void *heap_raw_zalloc(Heap *h, size_t n); /* the same, zeroed */
void *heap_raw_resize(Heap *h, void *p, size_t old, size_t n);
void heap_raw_free(Heap *h, void *p, size_t n);

/* Record why an allocation failed (h->error). */
void heap_fail(Heap *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keep v alive across the allocations that follow, until heap_pop_temps; at most HEAP_TEMPS
 * at once (more is a bug in this layer, not a program's: it aborts). */
static inline void heap_push_temp(Heap *h, Value v) {
    if (h->ntemps == HEAP_TEMPS) abort();
    h->temps[h->ntemps++] = v;
}
static inline void heap_pop_temps(Heap *h, int n) { h->ntemps -= n; }

#endif
