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
 * before the next collection, and made spare beyond that, as are the pages of out-of-line
 * storage whose blocks are all free (raw_reclaim); the memory of spare pages beyond that amount
 * again goes back to the system (spare_trim).
 *
 * Where the memory comes from: pages are carved from 2 MiB chunks the heap maps itself, and the
 * out-of-line storage of arrays and maps up to 16 KiB comes from pages too (heap_raw_alloc), so
 * that the memory a growing heap first touches is in few places.  First touch is what a big heap
 * pays most for: the self-compile took 19,100 page faults, each about 25 us on this kind of
 * machine, near half of its time.  So the chunks past the first 4 MiB are advised to be
 * transparent huge pages (one fault per 2 MiB), as are storage mappings of 2 MiB or more, and a
 * freed heap leaves its chunks to the next heap of its thread (HeapChunkCache): shadow tests and
 * nested programs each have a heap of their own.  The self-compile now takes 4,400 faults.
 *
 * The heap charges every object exactly its own size (obj_charge: header, body, out-of-line
 * storage), not the slot it occupies, so that the heap limit and the "out of memory" error do
 * not depend on this layout.  The next collection is due when the heap has grown to twice
 * what survived, and at least to HEAP_MIN_GC bytes: 1 MiB, so that a program with little live
 * data stays small (structs and strings peak at 3 MB, Lua 5.4 at 2.5 to 2.7).
 */
#define _GNU_SOURCE /* mremap */
#include "heap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "object.h"

/* Under AddressSanitizer the unused part of every slot (all but the header of a free slot, the
 * bytes past the object's size in a used one) is poisoned, so that the sanitizer builds catch
 * an overrun or a use after free inside a page as they would for a malloc'd object. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang */
#define HEAP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define HEAP_ASAN 1
#endif
/* Under a sanitizer, storage above HEAP_RAW_MAX is all malloc'd: the leak checker then sees the
 * references it holds, and the thread checker knows when its memory changes hands (it does not
 * follow mremap). */
#if defined(HEAP_ASAN) || defined(__SANITIZE_THREAD__)
#define HEAP_MALLOC_BIG 1
#endif
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HEAP_MALLOC_BIG 1
#endif
#endif
#if defined(HEAP_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
/* Chunks are mapped, not malloc'd: the leak checker is told to scan them, since the objects in
 * them hold the only pointers to their malloc'd storage. */
#define CHUNK_MAPPED(c) __lsan_register_root_region((c), HEAP_CHUNK_BYTES)
#define CHUNK_UNMAPPED(c) __lsan_unregister_root_region((c), HEAP_CHUNK_BYTES)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define CHUNK_MAPPED(c) ((void)(c))
#define CHUNK_UNMAPPED(c) ((void)(c))
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

/* The first page of every chunk describes it; the others are carved into pages of objects and
 * of raw blocks (heap_raw_alloc), which have no header: a block's page, and so its count, is
 * found from its address.  A raw page whose blocks are all free again is given back to the pool
 * of spare pages at the next collection (raw_reclaim), for any class to take. */
#define PAGES_PER_CHUNK (HEAP_CHUNK_BYTES / HEAP_PAGE_BYTES)
#define RAW_RELEASED UINT32_MAX /* a raw page raw_reclaim made spare */
typedef struct {
    uint32_t huge;                   /* the chunk was advised to be a huge page */
    uint32_t released;               /* its pages among the spare ones given back (spare_trim) */
    uint32_t used[PAGES_PER_CHUNK];  /* blocks handed out of each raw page */
} ChunkMeta;
_Static_assert(sizeof(ChunkMeta) <= HEAP_PAGE_BYTES, "a chunk's description fits its first page");

static inline ChunkMeta *chunk_meta(const void *p) {
    return (ChunkMeta *)((uintptr_t)p & ~(uintptr_t)(HEAP_CHUNK_BYTES - 1));
}

/* How many blocks of the raw page holding p are handed out (or RAW_RELEASED). */
static inline uint32_t *raw_used(const void *p) {
    return &chunk_meta(p)->used[((uintptr_t)p & (HEAP_CHUNK_BYTES - 1)) / HEAP_PAGE_BYTES];
}

/* The raw class of n bytes (n <= HEAP_RAW_MAX), and its block size. */
static unsigned raw_class(size_t n) {
    if (n <= HEAP_SMALL_MAX) return size_class[(n + 15) >> 4];
    unsigned c = HEAP_NCLASSES;
    for (size_t b = HEAP_SMALL_MAX * 2; b < n; b <<= 1) c++;
    return c;
}

static size_t raw_size(unsigned c) {
    return c < HEAP_NCLASSES ? class_size[c] : (HEAP_SMALL_MAX * 2) << (c - HEAP_NCLASSES);
}

/* The page holding p. */
static inline HeapPage *page_of(const void *p) {
    return (HeapPage *)((uintptr_t)p & ~(uintptr_t)(HEAP_PAGE_BYTES - 1));
}

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

/* Room for one more pointer in *a (capacity *cap); -1 when the system refuses it. */
static int ptrs_room(void ***a, size_t n, size_t *cap) {
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void **g = realloc(*a, c * sizeof *g);
    if (g == NULL) return -1;
    *a = g;
    *cap = c;
    return 0;
}

static void chunk_unmap(void *c) {
    CHUNK_UNMAPPED(c);
    UNPOISON(c, HEAP_CHUNK_BYTES); /* the addresses may be mapped again */
    munmap(c, HEAP_CHUNK_BYTES);
}

void heap_cache_free(HeapChunkCache *c) {
    for (size_t i = 0; i < c->n; i++) chunk_unmap(c->chunks[i]);
    free(c->chunks);
    c->chunks = NULL;
    c->n = c->cap = 0;
}

void heap_free_all(Heap *h) {
    Obj *o = h->objects;
    while (o != NULL) {
        Obj *next = o->next;
        obj_free_storage(h, o);
        free(o);
        o = next;
    }
    h->objects = NULL;
    HeapPage *pg = h->pages;
    while (pg != NULL) {
        HeapPage *next = pg->next;
        for (uint32_t i = 0; i < pg->nslots; i++) {
            Obj *so = page_slot(pg, i);
            if (so->kind != HEAP_FREE_KIND) obj_free_storage(h, so);
        }
        pg = next;
    }
    HeapChunkCache *cache = h->cache;
    for (size_t i = 0; i < h->nchunks; i++) {
        if (cache != NULL && cache->n < HEAP_CACHE_CHUNKS &&
            ptrs_room(&cache->chunks, cache->n, &cache->cap) == 0) {
            UNPOISON(h->chunks[i], HEAP_CHUNK_BYTES); /* the next heap starts afresh */
            cache->chunks[cache->n++] = h->chunks[i];
        } else
            chunk_unmap(h->chunks[i]);
    }
    free(h->chunks);
    free(h->spare);
    h->chunks = NULL;
    h->spare = NULL;
    h->nchunks = h->chunks_cap = h->nspare = h->spare_cap = h->spare_released = 0;
    h->carve = NULL;
    h->pages = NULL;
    h->page_bytes = 0;
    memset(h->free, 0, sizeof h->free);
    memset(h->raw_free, 0, sizeof h->raw_free);
    memset(h->raw_nfree, 0, sizeof h->raw_nfree);
    memset(h->raw_empty, 0, sizeof h->raw_empty);
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

/* ---- pages -------------------------------------------------------------------------------- */

/* A new mapping of HEAP_CHUNK_BYTES at a HEAP_CHUNK_BYTES boundary (twice the size, trimmed);
 * NULL when the system refuses. */
static char *chunk_map(void) {
    size_t span = 2 * HEAP_CHUNK_BYTES;
    char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    char *c = (char *)(((uintptr_t)m + HEAP_CHUNK_BYTES - 1) & ~(uintptr_t)(HEAP_CHUNK_BYTES - 1));
    size_t head = (size_t)(c - m);
    if (head > 0) munmap(m, head);
    size_t tail = span - head - HEAP_CHUNK_BYTES;
    if (tail > 0) munmap(c + HEAP_CHUNK_BYTES, tail);
    CHUNK_MAPPED(c);
    return c;
}

/* Make a chunk the one pages are carved from: a cached one, else a new mapping; -1 when the
 * system refuses. */
static int new_chunk(Heap *h) {
    if (ptrs_room(&h->chunks, h->nchunks, &h->chunks_cap) != 0) return -1;
    char *c;
    int was_huge = 0; /* a cached chunk may have been advised to be a huge page */
    if (h->cache != NULL && h->cache->n > 0) {
        c = h->cache->chunks[--h->cache->n];
        was_huge = (int)chunk_meta(c)->huge;
    } else if ((c = chunk_map()) == NULL)
        return -1;
    int huge = h->nchunks * HEAP_CHUNK_BYTES >= HEAP_HUGE_AFTER;
#ifdef MADV_HUGEPAGE
    if (huge && !was_huge) (void)madvise(c, HEAP_CHUNK_BYTES, MADV_HUGEPAGE); /* may fail */
    if (!huge && was_huge) (void)madvise(c, HEAP_CHUNK_BYTES, MADV_NOHUGEPAGE);
#endif
    chunk_meta(c)->huge = (uint32_t)huge;
    chunk_meta(c)->released = 0;
    h->chunks[h->nchunks++] = c;
    h->carve = c + HEAP_PAGE_BYTES; /* after the chunk's description (ChunkMeta) */
    return 0;
}

/* A page for a size class: a spare one, else the next of the newest chunk, else the first of a
 * new chunk; NULL when the system refuses the memory. */
static HeapPage *page_take(Heap *h) {
    if (h->nspare > 0) {
        HeapPage *pg = h->spare[--h->nspare];
        if (h->spare_released > h->nspare) { /* one of those given back (spare_trim) */
            h->spare_released = h->nspare;
            chunk_meta(pg)->released--;
        }
        return pg;
    }
    if (h->carve == NULL && new_chunk(h) != 0) return NULL;
    HeapPage *pg = (HeapPage *)h->carve;
    UNPOISON(pg, HEAP_PAGE_BYTES);
    h->carve += HEAP_PAGE_BYTES;
    if ((uintptr_t)h->carve % HEAP_CHUNK_BYTES == 0) h->carve = NULL; /* the chunk is used up */
    return pg;
}

/* A page no size class needs any more becomes spare, on top of the spare pages: taken first. */
static void page_release(Heap *h, HeapPage *pg) {
    if (ptrs_room(&h->spare, h->nspare, &h->spare_cap) == 0) h->spare[h->nspare++] = pg;
    /* else the page is lost to this heap until it is freed: never more than the pages it had */
}

/* Keep at most 'budget' bytes of spare pages in memory: the memory of those beyond it, the
 * longest spare first, goes back to the system; in a chunk advised to be a huge page, only once
 * all its pages are beyond it, then all at once (giving back a part would split the huge page).
 * Such a page reads as zeros when taken again.  (Giving back every spare page at once made a
 * program that churns through garbage fault the same pages in again after each collection:
 * 17,900 faults for the strings benchmark instead of 400.) */
static void spare_trim(Heap *h, size_t budget) {
    while ((h->nspare - h->spare_released) * HEAP_PAGE_BYTES > budget) {
        HeapPage *pg = h->spare[h->spare_released++];
        ChunkMeta *cm = chunk_meta(pg);
        cm->released++;
        if (!cm->huge) (void)madvise(pg, HEAP_PAGE_BYTES, MADV_DONTNEED);
        else if (cm->released == PAGES_PER_CHUNK - 1) /* every page but the description */
            (void)madvise((char *)cm + HEAP_PAGE_BYTES, HEAP_CHUNK_BYTES - HEAP_PAGE_BYTES,
                          MADV_DONTNEED);
    }
}

/* Make the raw pages whose blocks are all free spare, their blocks taken off their class's free
 * list: storage freed in one class then serves any other (kept with its class, a page of 16-byte
 * blocks could never hold a 4 KiB table, and a program that went through the sizes one after
 * another held many times its heap limit).  A class's list is walked only when its empty pages
 * hold a quarter of its free blocks or more, so that the walks cost at most four times the
 * blocks they take off, which the program freed one by one: a long list of blocks in pages still
 * in use is not walked again at every collection for one empty page. */
static void raw_reclaim(Heap *h) {
    size_t first = h->nspare;
    for (unsigned c = 0; c < HEAP_NRAW; c++) {
        size_t per_page = HEAP_PAGE_BYTES / raw_size(c);
        if (h->raw_empty[c] == 0 || h->raw_empty[c] * per_page * 4 < h->raw_nfree[c]) continue;
        char *prev = NULL; /* the last block kept on the list (NULL: none yet) */
        char *b = h->raw_free[c];
        while (b != NULL) {
            char *next;
            memcpy(&next, b, sizeof next);
            uint32_t *used = raw_used(b);
            if (*used == 0 || *used == RAW_RELEASED) { /* the page has no block in use */
                if (*used == 0) {
                    *used = RAW_RELEASED;
                    h->raw_empty[c]--;
                    page_release(h, page_of(b));
                }
                h->raw_nfree[c]--;
            } else {
                if (prev == NULL) h->raw_free[c] = b;
                else memcpy(prev, &b, sizeof b);
                prev = b;
            }
            b = next;
        }
        if (prev == NULL) h->raw_free[c] = NULL;
        else memcpy(prev, &b, sizeof b); /* b is NULL: the list ends here */
    }
    for (size_t i = first; i < h->nspare; i++) POISON(h->spare[i], HEAP_PAGE_BYTES); /* unused */
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
static size_t sweep_page(Heap *h, HeapPage *pg) {
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
            obj_free_storage(h, o);
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
            obj_free_storage(h, o);
            free(o);
        }
    }
    for (HeapPage *pg = h->pages; pg != NULL; pg = pg->next) live += sweep_page(h, pg);
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
     * allocated before the next collection, and made spare beyond that. */
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
                page_release(h, pg);
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
    raw_reclaim(h);
    spare_trim(h, h->next_gc);
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
    HeapPage *pg = page_take(h);
    if (pg == NULL) return NULL;
    UNPOISON(pg, HEAP_PAGE_BYTES); /* it may have held another class's slots */
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

/* ---- out-of-line storage ------------------------------------------------------------------ */

/* Link a free block of class c onto its list; under AddressSanitizer all but its link is
 * poisoned. */
static void raw_push(Heap *h, unsigned c, void *p) {
    UNPOISON(p, sizeof(void *));
    memcpy(p, &h->raw_free[c], sizeof(void *));
    h->raw_free[c] = p;
    h->raw_nfree[c]++;
    POISON((char *)p + sizeof(void *), raw_size(c) - sizeof(void *));
}

/* A page carved into blocks of class c, all free.  Blocks have no header: the page's count of
 * blocks in use is in its chunk's description (raw_used), and a collection makes the page spare
 * once that count is back to 0 (raw_reclaim). */
static int raw_page(Heap *h, unsigned c) {
    HeapPage *pg = page_take(h);
    if (pg == NULL) return -1;
    *raw_used(pg) = 0;
    h->raw_empty[c]++;
    size_t b = raw_size(c);
    char *base = (char *)pg;
    UNPOISON(base, HEAP_PAGE_BYTES);
    for (size_t off = HEAP_PAGE_BYTES / b * b; off > 0; off -= b) raw_push(h, c, base + off - b);
    return 0;
}

/* Storage of HEAP_BIG_MIN bytes or more is a mapping of its own, advised to be backed by huge
 * pages from 2 MiB on, grown by remapping (no copy, and the pages it has stay mapped); smaller
 * storage above HEAP_RAW_MAX is malloc'd (all of it under a sanitizer: HEAP_MALLOC_BIG). */
#define HEAP_BIG_MIN ((size_t)1 << 20)
#define PAGE_ROUND(n) (((n) + 4095) & ~(size_t)4095)

static void *big_alloc(size_t n) {
#if defined(HEAP_MALLOC_BIG)
    return malloc(n);
#else
    if (n < HEAP_BIG_MIN) return malloc(n);
    void *p = mmap(NULL, PAGE_ROUND(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    if (n >= HEAP_CHUNK_BYTES) (void)madvise(p, PAGE_ROUND(n), MADV_HUGEPAGE);
#endif
    return p;
#endif
}

static void big_free(void *p, size_t n) {
#if defined(HEAP_MALLOC_BIG)
    (void)n;
    free(p);
#else
    if (n < HEAP_BIG_MIN) free(p);
    else munmap(p, PAGE_ROUND(n));
#endif
}

/* Resize storage above HEAP_RAW_MAX to n bytes, also above it. */
static void *big_resize(void *p, size_t old, size_t n) {
#if defined(HEAP_MALLOC_BIG)
    (void)old;
    return realloc(p, n);
#else
    if (old < HEAP_BIG_MIN && n < HEAP_BIG_MIN) return realloc(p, n);
    if (old >= HEAP_BIG_MIN && n >= HEAP_BIG_MIN) {
        void *q = mremap(p, PAGE_ROUND(old), PAGE_ROUND(n), MREMAP_MAYMOVE);
        if (q == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
        if (n >= HEAP_CHUNK_BYTES && old < HEAP_CHUNK_BYTES)
            (void)madvise(q, PAGE_ROUND(n), MADV_HUGEPAGE);
#endif
        return q;
    }
    void *q = big_alloc(n);
    if (q == NULL) return NULL;
    memcpy(q, p, old < n ? old : n);
    big_free(p, old);
    return q;
#endif
}

void *heap_raw_alloc(Heap *h, size_t n) {
    if (n > HEAP_RAW_MAX) return big_alloc(n);
    unsigned c = raw_class(n);
    if (h->raw_free[c] == NULL && raw_page(h, c) != 0) return NULL;
    void *p = h->raw_free[c];
    UNPOISON(p, n > 0 ? n : 1);
    memcpy(&h->raw_free[c], p, sizeof(void *));
    POISON((char *)p + n, raw_size(c) - n);
    h->raw_nfree[c]--;
    if ((*raw_used(p))++ == 0) h->raw_empty[c]--;
    return p;
}

void *heap_raw_zalloc(Heap *h, size_t n) {
#if !defined(HEAP_MALLOC_BIG)
    if (n >= HEAP_BIG_MIN) return big_alloc(n); /* a fresh mapping is zeros */
#endif
    if (n > HEAP_RAW_MAX) return calloc(1, n);
    void *p = heap_raw_alloc(h, n);
    if (p != NULL) memset(p, 0, n);
    return p;
}

void heap_raw_free(Heap *h, void *p, size_t n) {
    if (p == NULL) return;
    if (n > HEAP_RAW_MAX) {
        big_free(p, n);
        return;
    }
    unsigned c = raw_class(n);
    raw_push(h, c, p);
    if (--*raw_used(p) == 0) h->raw_empty[c]++; /* for raw_reclaim */
}

void *heap_raw_resize(Heap *h, void *p, size_t old, size_t n) {
    if (p == NULL) return heap_raw_alloc(h, n);
    if (old > HEAP_RAW_MAX && n > HEAP_RAW_MAX) return big_resize(p, old, n);
    if (old <= HEAP_RAW_MAX && n <= HEAP_RAW_MAX && raw_class(old) == raw_class(n)) {
        UNPOISON(p, n);
        POISON((char *)p + n, raw_size(raw_class(n)) - n);
        return p;
    }
    void *q = heap_raw_alloc(h, n);
    if (q == NULL) return NULL;
    memcpy(q, p, old < n ? old : n);
    heap_raw_free(h, p, old);
    return q;
}
