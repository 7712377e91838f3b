/* heap.h: a per-process heap with a precise mark-and-sweep collector.
 *
 * Roots are the live part of the process's value stack and its globals.  An instruction that
 * allocates keeps every reference it still needs on the value stack until the allocation is
 * done (the discipline every allocating instruction in interp.c follows).
 */
#ifndef NANOVM_HEAP_H
#define NANOVM_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "value.h"

struct Process;

typedef struct Heap {
    Obj *objects;      /* every live-or-unswept object */
    size_t bytes;      /* bytes currently charged */
    size_t next_gc;    /* collect when bytes would exceed this */
    size_t max;        /* hard limit: allocation beyond it is a runtime error */
    uint64_t collections;
    Obj **gray;        /* mark stack */
    size_t ngray, gray_cap;
} Heap;

void heap_init(Heap *h, size_t max);
void heap_free_all(Heap *h);

/* Allocate an object of 'size' bytes (header included), charged to the process's heap; may
 * collect first.  Returns NULL after recording an out-of-memory runtime error in the process. */
Obj *heap_alloc(struct Process *p, size_t size);

/* Grow or shrink the out-of-line storage of an object (array items, map tables) by 'delta'
 * bytes; may collect first.  Returns -1 after recording out-of-memory. */
int heap_charge(struct Process *p, ptrdiff_t delta);

void heap_collect(struct Process *p);

#endif
