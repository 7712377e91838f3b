/* heap.c: per-process allocation and a precise, non-moving mark-and-sweep collector.
 *
 * Small objects (HEAP_SMALL_MAX bytes or less: every record, most strings, every array and map
 * header) are carved from pages of HEAP_PAGE_BYTES, one size class per page, and allocated from
 * a free list per class: no malloc or free per object, and objects of one size packed
 * together.  Larger objects are malloc'd and kept on one singly linked list.  A collection
 * marks everything reachable from the roots (the live value stack, the globals and the rooted
 * temporaries, as the owner set them with heap_set_roots) with an explicit gray stack, so deep
 * structures never recurse on the C stack, then sweeps: the pages slot by slot (rebuilding each
 * class's free list in address order, so that allocation fills pages front to back) and the
 * large objects' list.  Pages left empty are kept for reuse up to what the heap may allocate
 * before the next collection, and returned to the system beyond that.
 *
 * The heap charges every object exactly its own size (obj_charge: header, body, out-of-line
 * storage), not the slot it occupies, so that the heap limit and the "out of memory" error do
 * not depend on this layout.  The next collection is due when the heap has grown to twice
 * what survived, and at least to HEAP_MIN_GC bytes: 1 MiB, so that a program with little live
 * data stays small (structs and strings peak at 3 MB, Lua 5.4 at 2.5 to 2.7).
 */
#include "heap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"

/* Under AddressSanitizer the unused part of every slot (all but the header of a free slot, the
 * bytes past the object's size in a used one) is poisoned, so that the sanitizer builds catch
 * an overrun or a use after free inside a page as they would for a malloc'd object. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define HEAP_MIN_GC ((size_t)1 << 20)

struct HeapPage {
    HeapPage *next;
    uint32_t cls;    /* size class */
    uint32_t slot;   /* slot size in bytes */
    uint32_t nslots;
    uint32_t live;   /* objects alive after the last sweep */
    Obj *free_head, *free_tail; /* this page's free slots while sweeping */
};
/* Slots start here, 16-byte aligned like malloc's memory. */
#define PAGE_HDR ((sizeof(HeapPage) + 15) & ~(size_t)15)

/* Slot size of each class, and the class of a size rounded up to 16 bytes (index size/16). */
static const uint16_t class_size[HEAP_NCLASSES] = {
    16,  32,  48,  64,  80,  96,  112, 128, 144, 160, 176, 192, 208,
    224, 240, 256, 288, 320, 384, 448, 512, 640, 768, 896, 1024,
};
static const uint8_t size_class[HEAP_SMALL_MAX / 16 + 1] = {
    0,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,          /* 0..256 */
    16, 16, 17, 17, 18, 18, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20,              /* ..512 */
    21, 21, 21, 21, 21, 21, 21, 21, 22, 22, 22, 22, 22, 22, 22, 22,              /* ..768 */
    23, 23, 23, 23, 23, 23, 23, 23, 24, 24, 24, 24, 24, 24, 24, 24,              /* ..1024 */
};

static inline Obj *page_slot(HeapPage *pg, uint32_t i) {
    return (Obj *)((char *)pg + PAGE_HDR + (size_t)i * pg->slot);
}

void heap_init(Heap *h, size_t max) {
    memset(h, 0, sizeof *h);
    h->max = max;
    h->next_gc = HEAP_MIN_GC < max ? HEAP_MIN_GC : max;
}

void heap_set_roots(Heap *h, const Value *stack, Value *const *sp, const Value *globals,
                    size_t nglobals) {
    h->stack = stack;
    h->sp = sp;
    h->globals = globals;
    h->nglobals = nglobals;
}

void heap_fail(Heap *h, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->error, sizeof h->error, fmt, ap);
    va_end(ap);
}


void heap_free_all(Heap *h) {
    Obj *o = h->objects;
    while (o != NULL) {
        Obj *next = o->next;
        obj_free_storage(o);
        free(o);
        o = next;
    }
    h->objects = NULL;
    HeapPage *pg = h->pages;
    while (pg != NULL) {
        HeapPage *next = pg->next;
        for (uint32_t i = 0; i < pg->nslots; i++) {
            Obj *so = page_slot(pg, i);
            if (so->kind != HEAP_FREE_KIND) obj_free_storage(so);
        }
        free(pg);
        pg = next;
    }
    h->pages = NULL;
    h->page_bytes = 0;
    memset(h->free, 0, sizeof h->free);
    h->bytes = 0;
    free(h->gray);
    h->gray = NULL;
    h->ngray = h->gray_cap = 0;
}

/* ---- marking ---------------------------------------------------------------------------- */

/* When the gray stack cannot grow, the object stays marked but unscanned and 'overflowed' is
 * set; the mark phase then rescans the heap for marked objects until nothing is missed. */
typedef struct {
    Heap *h;
    int overflowed;
} Marker;

static void gray_push(Marker *m, Obj *o) {
    Heap *h = m->h;
    if (h->ngray == h->gray_cap) {
        size_t cap = h->gray_cap ? h->gray_cap * 2 : 256;
        Obj **g = realloc(h->gray, cap * sizeof *g);
        if (g == NULL) {
            m->overflowed = 1;
            return;
        }
        h->gray = g;
        h->gray_cap = cap;
    }
    h->gray[h->ngray++] = o;
}

static void mark_obj(Marker *m, Obj *o) {
    if (o->is_static || o->marked) return;
    o->marked = 1;
    if (o->kind != T_STR) gray_push(m, o); /* strings have no children */
}

static inline void mark_value(Marker *m, Value v) {
    if (TAG_IS_REF(v.tag)) mark_obj(m, v.as.o);
}

static void mark_values(Marker *m, const Value *v, int64_t n) {
    for (int64_t i = 0; i < n; i++) mark_value(m, v[i]);
}

static void scan(Marker *m, Obj *o) {
    switch (o->kind) {
    case T_ARR: {
        ObjArray *a = (ObjArray *)o;
        if (!a->h.packed) mark_values(m, a->items, a->len); /* bytes hold no references */
        break;
    }
    case T_MAP: {
        ObjMap *map = (ObjMap *)o;
        for (int64_t i = 0; i < map->used; i++) {
            const MapEntry *e = &map->entries[i];
            if (e->vtag == MAP_TOMBSTONE) continue;
            if (map->key_kind) mark_obj(m, &e->key.s->h);
            if (TAG_IS_REF(e->vtag)) mark_value(m, map_entry_value(e));
        }
        break;
    }
    case T_REC: {
        ObjRecord *r = (ObjRecord *)o;
        mark_values(m, r->fields, r->n);
        break;
    }
    case T_CLO: {
        ObjClosure *c = (ObjClosure *)o;
        mark_values(m, c->caps, c->n);
        break;
    }
    default: break;
    }
}

static void drain(Marker *m) {
    Heap *h = m->h;
    while (h->ngray > 0) scan(m, h->gray[--h->ngray]);
}

static void mark_roots(Heap *h, Marker *m) {
    if (h->stack != NULL) mark_values(m, h->stack, *h->sp - h->stack);
    if (h->globals != NULL) mark_values(m, h->globals, (int64_t)h->nglobals);
    mark_values(m, h->temps, h->ntemps);
}

/* ---- collection --------------------------------------------------------------------------- */

static void rescan_marked(Marker *m, Obj *o) {
    if (o->kind != HEAP_FREE_KIND && o->marked && o->kind != T_STR) {
        scan(m, o);
        drain(m);
    }
}

/* Sweep one page: unmark the survivors, release the dead, thread the free slots in address
 * order on the page's own list; returns the bytes its survivors are charged. */
static size_t sweep_page(HeapPage *pg) {
    size_t live_bytes = 0;
    uint32_t live = 0;
    Obj *head = NULL, *last = NULL;
    char *at = (char *)pg + PAGE_HDR;
    for (uint32_t i = 0; i < pg->nslots; i++, at += pg->slot) {
        Obj *o = (Obj *)at;
        if (o->kind != HEAP_FREE_KIND) {
            if (o->marked) {
                o->marked = 0;
                live_bytes += obj_charge(o);
                live++;
                continue;
            }
            obj_free_storage(o);
            o->kind = HEAP_FREE_KIND;
            POISON(at + sizeof(Obj), pg->slot - sizeof(Obj));
        }
        if (last == NULL) head = o;
        else last->next = o;
        last = o;
    }
    if (last != NULL) last->next = NULL;
    pg->live = live;
    pg->free_head = head;
    pg->free_tail = last;
    return live_bytes;
}

void heap_collect(Heap *h) {
    Marker m = {h, 0};
    mark_roots(h, &m);
    drain(&m);
    while (m.overflowed) {
        m.overflowed = 0;
        for (Obj *o = h->objects; o != NULL; o = o->next) rescan_marked(&m, o);
        for (HeapPage *pg = h->pages; pg != NULL; pg = pg->next)
            for (uint32_t i = 0; i < pg->nslots; i++) rescan_marked(&m, page_slot(pg, i));
    }
    Obj **link = &h->objects;
    size_t live = 0;
    while (*link != NULL) {
        Obj *o = *link;
        if (o->marked) {
            o->marked = 0;
            live += obj_charge(o);
            link = &o->next;
        } else {
            *link = o->next;
            obj_free_storage(o);
            free(o);
        }
    }
    for (HeapPage *pg = h->pages; pg != NULL; pg = pg->next) live += sweep_page(pg);
    /* The next collection is due when the heap has grown to twice what survived.  (Growing
     * by four when most of the heap survived saved 12% of the self-compile's time while every
     * object was a malloc; with pages it saves nothing measurable and costs 25% more peak
     * memory: 0.408 s and 59.9 MB against 0.401 s and 47.9 MB.) */
    h->bytes = live;
    size_t next = live > h->max / 2 ? h->max : live * 2;
    h->next_gc = next < HEAP_MIN_GC ? (HEAP_MIN_GC < h->max ? HEAP_MIN_GC : h->max) : next;
    h->collections++;

    /* Rebuild the free lists page by page (address order within a page, page order across
     * them); an empty page is kept while the empty pages kept so far stay within what may be
     * allocated before the next collection, and returned to the system beyond that. */
    size_t keep = h->next_gc > h->bytes ? h->next_gc - h->bytes : 0, kept = 0;
    Obj **tails[HEAP_NCLASSES];
    for (int c = 0; c < HEAP_NCLASSES; c++) {
        h->free[c] = NULL;
        tails[c] = &h->free[c];
    }
    HeapPage **pl = &h->pages;
    while (*pl != NULL) {
        HeapPage *pg = *pl;
        if (pg->live == 0) {
            if (kept + HEAP_PAGE_BYTES > keep) {
                *pl = pg->next;
                h->page_bytes -= HEAP_PAGE_BYTES;
                free(pg);
                continue;
            }
            kept += HEAP_PAGE_BYTES;
        }
        if (pg->free_head != NULL) {
            *tails[pg->cls] = pg->free_head;
            tails[pg->cls] = &pg->free_tail->next;
        }
        pl = &pg->next;
    }
}

/* Make room for 'size' more bytes; 0 on success, -1 (error recorded) when over the limit. */
static int reserve(Heap *h, size_t size) {
    if (size > h->max || h->bytes > h->max - size) {
        heap_collect(h);
        if (size > h->max || h->bytes > h->max - size) {
            heap_fail(h, "out of memory (heap limit %zu bytes)", h->max);
            return -1;
        }
    } else if (h->bytes + size > h->next_gc) {
        heap_collect(h);
    }
    h->bytes += size;
    return 0;
}

/* A new page for class c, its slots threaded onto the class's free list; NULL when the system
 * refuses the memory. */
static Obj *new_page(Heap *h, unsigned c) {
    HeapPage *pg = malloc(HEAP_PAGE_BYTES);
    if (pg == NULL) return NULL;
    pg->cls = c;
    pg->slot = class_size[c];
    pg->nslots = (uint32_t)((HEAP_PAGE_BYTES - PAGE_HDR) / pg->slot);
    pg->live = 0;
    pg->next = h->pages;
    h->pages = pg;
    h->page_bytes += HEAP_PAGE_BYTES;
    Obj *first = page_slot(pg, 0);
    char *at = (char *)first;
    for (uint32_t i = 0; i < pg->nslots; i++, at += pg->slot) {
        Obj *o = (Obj *)at;
        o->kind = HEAP_FREE_KIND;
        o->next = i + 1 < pg->nslots ? (Obj *)(at + pg->slot) : NULL;
        POISON(at + sizeof(Obj), pg->slot - sizeof(Obj));
    }
    h->free[c] = first;
    return first;
}

Obj *heap_alloc(Heap *h, size_t size, uint8_t kind) {
    if (reserve(h, size) != 0) return NULL;
    Obj *o;
    if (size <= HEAP_SMALL_MAX) {
        unsigned c = size_class[(size + 15) >> 4];
        o = h->free[c];
        if (o == NULL && (o = new_page(h, c)) == NULL) {
            h->bytes -= size;
            heap_fail(h, "out of memory (the system refused %zu bytes)", HEAP_PAGE_BYTES);
            return NULL;
        }
        h->free[c] = o->next;
        o->next = NULL;
        UNPOISON(o, size);
        POISON((char *)o + size, class_size[c] - size);
    } else {
        o = malloc(size);
        if (o == NULL) {
            h->bytes -= size;
            heap_fail(h, "out of memory (the system refused %zu bytes)", size);
            return NULL;
        }
        o->next = h->objects;
        h->objects = o;
    }
    o->kind = kind;
    o->marked = 0;
    o->is_static = 0;
    o->packed = 0;
    memset(o->pad, 0, sizeof o->pad);
    return o;
}

int heap_charge(Heap *h, ptrdiff_t delta) {
    if (delta <= 0) {
        size_t d = (size_t)(-delta);
        h->bytes = h->bytes > d ? h->bytes - d : 0;
        return 0;
    }
    return reserve(h, (size_t)delta);
}
