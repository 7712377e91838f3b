/* t_heap.c: where the heap's memory comes from (vm/heap.c).  Pages of objects and out-of-line
 * storage up to HEAP_RAW_MAX bytes are carved from 2 MiB chunks; storage keeps its bytes when it
 * is resized from one tier to another (size classes, 2-16 KiB blocks, malloc, mappings of its
 * own); a freed block is what the next request of its class gets; pages a collection empties are
 * reused before any new chunk; chunks past HEAP_HUGE_AFTER are advised to be huge pages; and a
 * freed heap leaves its chunks to the next heap of the same cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "object.h"
#include "tap.h"

/* Fill n bytes with a pattern that depends on the seed and the offset. */
static void fill(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 31 + seed);
}

static int same(const unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 31 + seed)) return 0;
    return 1;
}

/* Whether the mapping holding p carries the "hg" flag (MADV_HUGEPAGE) in /proc/self/smaps;
 * -1 when smaps cannot be read. */
static int advised_huge(const void *p) {
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL) return -1;
    char line[512];
    int inside = 0, found = 0;
    unsigned long a = (unsigned long)p;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) inside = a >= lo && a < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            found = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}

int main(void) {
    plan(12);
    const size_t huge_chunks = HEAP_HUGE_AFTER / HEAP_CHUNK_BYTES;

    /* Storage resized up through every tier and back down keeps its first bytes. */
    Heap h;
    heap_init(&h, (size_t)1 << 32);
    static const size_t sizes[] = {8,    16,    100,   1024,      1025,      2048,     5000,
                                   16384, 16385, 70000, 1u << 20, 3u << 20, 9u << 20};
    const size_t nsizes = sizeof sizes / sizeof sizes[0];
    unsigned char *p = heap_raw_alloc(&h, sizes[0]);
    int kept = p != NULL;
    if (p != NULL) fill(p, sizes[0], 7);
    for (size_t i = 1; i < nsizes && kept; i++) {
        p = heap_raw_resize(&h, p, sizes[i - 1], sizes[i]);
        kept = p != NULL && same(p, sizes[i - 1], 7);
        if (kept) fill(p, sizes[i], 7);
    }
    ok(kept, "storage grown through every tier, 8 bytes to 9 MiB, keeps its bytes");
    for (size_t i = nsizes - 1; i > 0 && kept; i--) {
        p = heap_raw_resize(&h, p, sizes[i], sizes[i - 1]);
        kept = p != NULL && same(p, sizes[i - 1], 7);
    }
    ok(kept, "and shrunk back to 8 bytes, keeps them");
    heap_raw_free(&h, p, sizes[0]);

    /* A freed block is the next one of its class; a zeroed one is zero even when reused. */
    unsigned char *a = heap_raw_alloc(&h, 4000), *b = heap_raw_alloc(&h, 4000);
    fill(a, 4000, 3);
    heap_raw_free(&h, a, 4000);
    unsigned char *c = heap_raw_zalloc(&h, 3000);
    int zero = c != NULL;
    for (size_t i = 0; zero && i < 3000; i++) zero = c[i] == 0;
    ok(c == a && b != a && zero,
       "a freed 4000-byte block is the next 2049-4096 one, zeroed on request");
    heap_raw_free(&h, b, 4000);
    heap_raw_free(&h, c, 3000);
    unsigned char *big = heap_raw_zalloc(&h, (size_t)5 << 20);
    zero = big != NULL && big[0] == 0 && big[((size_t)5 << 20) - 1] == 0;
    ok(zero, "5 MiB of zeroed storage reads as zeros");
    heap_raw_free(&h, big, (size_t)5 << 20);
    size_t chunks_before = h.nchunks;
    heap_free_all(&h);
    ok(chunks_before >= 1 && h.nchunks == 0 && h.chunks == NULL,
       "a heap's blocks come from its chunks (%zu), all released with it", chunks_before);

    /* Objects: fill past HEAP_HUGE_AFTER with unrooted records, collect, fill again. */
    heap_init(&h, (size_t)1 << 32);
    h.next_gc = h.max; /* no collection while filling: nothing is rooted */
    size_t n = 0;
    size_t fill_chunks = HEAP_CACHE_CHUNKS + 1;
    if (fill_chunks < huge_chunks + 2) fill_chunks = huge_chunks + 2;
    while (h.nchunks < fill_chunks) {
        if (heap_alloc(&h, 64, T_REC) == NULL) break;
        n++;
    }
    ok(h.nchunks == fill_chunks, "%zu records of 64 bytes fill %zu chunks", n, h.nchunks);
    const char *first = h.chunks[0], *last = h.chunks[h.nchunks - 1];
    int adv_first = advised_huge(first), adv_last = advised_huge(last);
    int thp = access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
    if (thp && adv_first >= 0)
        ok(adv_first == 0 && adv_last == 1,
           "the chunks past %zu MiB are advised to be huge pages, the first ones not",
           (size_t)(HEAP_HUGE_AFTER >> 20));
    else
        ok(1, "# SKIP this kernel has no transparent huge pages");
    size_t pages_full = h.page_bytes;
    heap_collect(&h); /* nothing is rooted: every record is garbage */
    ok(h.page_bytes < pages_full / 4 && h.spare_released > 0 &&
           (h.nspare - h.spare_released) * HEAP_PAGE_BYTES <= h.next_gc,
       "a collection with nothing rooted makes the pages spare (%zu -> %zu bytes), and the "
       "memory of those beyond the next collection's allowance goes back",
       pages_full, h.page_bytes);
    size_t chunks_full = h.nchunks;
    for (size_t i = 0; i < n; i++)
        if (heap_alloc(&h, 64, T_REC) == NULL) break;
    ok(h.nchunks == chunks_full, "as many records again reuse those pages: still %zu chunks",
       h.nchunks);

    /* A freed heap leaves its chunks to the next heap of the same cache, up to the cache's size. */
    HeapChunkCache cache = {0};
    h.cache = &cache;
    void *blocks[200]; /* freed storage in the chunks: poisoned under AddressSanitizer */
    for (int i = 0; i < 200; i++) blocks[i] = heap_raw_alloc(&h, 64 + (size_t)i * 16);
    for (int i = 0; i < 200; i++) heap_raw_free(&h, blocks[i], 64 + (size_t)i * 16);
    size_t left = h.nchunks < HEAP_CACHE_CHUNKS ? h.nchunks : HEAP_CACHE_CHUNKS;
    heap_free_all(&h);
    void *top = cache.n > 0 ? cache.chunks[cache.n - 1] : NULL;
    ok(cache.n == left && left < fill_chunks,
       "the freed heap left %zu of its %zu chunks in the cache", cache.n, fill_chunks);
    Heap h2;
    heap_init(&h2, (size_t)1 << 32);
    h2.cache = &cache;
    Obj *o = heap_alloc(&h2, 32, T_STR);
    int reused = o != NULL && h2.nchunks == 1 && cache.n == left - 1 && h2.chunks[0] == top &&
                (char *)o >= (char *)top && (char *)o < (char *)top + HEAP_CHUNK_BYTES;
    h2.next_gc = h2.max;
    size_t taken = 0; /* every page of the cached chunks taken again, none refused */
    while (h2.nchunks <= left && heap_alloc(&h2, 48, T_REC) != NULL) taken++;
    ok(reused && cache.n == 0 && h2.nchunks == left + 1,
       "the next heap's first object is in a cached chunk; %zu more fill all of them", taken);
    heap_free_all(&h2);
    heap_cache_free(&cache);
    ok(cache.n == 0 && cache.chunks == NULL, "the cache's owner frees what is left in it");
    return done();
}
