/* t_heap.c: where the heap's memory comes from (vm/heap.c).  Pages of objects and out-of-line
 * storage up to HEAP_RAW_MAX bytes are carved from 2 MiB chunks; storage keeps its bytes when it
 * is resized from one tier to another (size classes, 2-16 KiB blocks, malloc, mappings of its
 * own); a freed block is what the next request of its class gets; pages a collection empties are
 * reused before any new chunk; chunks past HEAP_HUGE_AFTER are advised to be huge pages; and a
 * freed heap leaves its chunks to the next heap of the same cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap.h"
#include "nvmasm.h"
#include "object.h"
#include "tap.h"
#include "vmrun.h"

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

/* The program churn() runs: for each array length L, fill(L, N) keeps N arrays of L items (not
 * byte-sized, so 16 bytes each) alive at once, then drops them all. */
static const char churn_fill[] = ".func fill 2 3 1\n"
                                 "    ARRAY_LIT 0\n    STORE_LOCAL 2\n"
                                 "top:\n    LOAD_LOCAL 1\n    JLT_INT_IMM 1 done\n"
                                 "    LOAD_LOCAL 2\n    LOAD_LOCAL 0\n    PUSH_SMALL 1000\n"
                                 "    ARRAY_NEW\n    ARRAY_PUSH\n    POP\n"
                                 "    INC_LOCAL 1 -1\n    JUMP top\n"
                                 "done:\n    PUSH_SMALL 0\n    RET\n";

/* Array lengths whose items (16 bytes each) are of 16 raw classes, 16 bytes to 16 KiB. */
static const long churn_lens[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256, 512, 1024};
#define CHURN_LENS (sizeof churn_lens / sizeof churn_lens[0])

/* How much more memory (MiB) the 16 lengths may take than one.  AddressSanitizer keeps freed
 * malloc'd memory in quarantine (here the holder arrays, freed as they double): 28 MiB more
 * under it, 8 without; 80 and 120 when each size of storage kept its pages. */
#if defined(__SANITIZE_ADDRESS__)
#define CHURN_SLACK_MB 48
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHURN_SLACK_MB 48
#endif
#endif
#ifndef CHURN_SLACK_MB
#define CHURN_SLACK_MB 16
#endif

/* Runs, in a child process, a program that keeps about 'live' bytes of arrays of one length
 * after another (the first 'nlens' of churn_lens) under a heap limit of 'limit' bytes; returns
 * the child's peak resident memory in KiB, -1 when the program did not end with status 0. */
static long churn_peak_kb(size_t live, size_t limit, size_t nlens) {
    const long *lens = churn_lens;
    char src[4096];
    size_t n = (size_t)snprintf(src, sizeof src, ".func main 0 0 1\n");
    for (size_t i = 0; i < nlens; i++)
        n += (size_t)snprintf(src + n, sizeof src - n,
                              "    PUSH_INT %ld\n    PUSH_INT %ld\n    CALL fill\n    POP\n",
                              lens[i], (long)live / (lens[i] * 16 + 64));
    snprintf(src + n, sizeof src - n, "    PUSH_SMALL 0\n    RET\n%s", churn_fill);
    size_t len;
    uint8_t *image = asm_build(src, &len);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        ProcessOptions o = {.in_fd = 0, .out_fd = 1, .err_fd = 2, .heap_max = limit};
        VmResult r = vm_run_bytes(image, len, 0, NULL, NULL, &o);
        if (r.status != 0) fprintf(stderr, "# churn: status %d: %s", r.status, r.err);
        _exit(r.status == 0 ? 0 : 1);
    }
    free(image);
    int st;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return ru.ru_maxrss;
}

/* Bytes of the heap's chunks that are in memory (mincore); 0 when mincore fails. */
static size_t chunks_resident(const Heap *h) {
    static unsigned char vec[HEAP_CHUNK_BYTES / 4096];
    long ps = sysconf(_SC_PAGESIZE);
    if (ps != 4096) return 0;
    size_t in = 0;
    for (size_t i = 0; i < h->nchunks; i++) {
        if (mincore(h->chunks[i], HEAP_CHUNK_BYTES, vec) != 0) return 0;
        for (size_t k = 0; k < sizeof vec; k++) in += (vec[k] & 1) ? 4096 : 0;
    }
    return in;
}

int main(void) {
    plan(18);
    const size_t huge_chunks = HEAP_HUGE_AFTER / HEAP_CHUNK_BYTES;

    /* First, while this test's own memory is small: a program that keeps 8 MB of arrays of one
     * length after another, 16 lengths with a 16 MiB heap limit, needs little more memory than
     * for one length (it needed 80 MB more when the pages of each size of storage were
     * kept for that size). */
    long peak1 = churn_peak_kb((size_t)8 << 20, (size_t)16 << 20, 1);
    long peak = churn_peak_kb((size_t)8 << 20, (size_t)16 << 20, CHURN_LENS);
    ok(peak1 > 0 && peak > 0 && peak < peak1 + CHURN_SLACK_MB * 1024,
       "8 MB of arrays of 16 lengths in turn, --heap 16m: peak memory %ld KiB, one length "
       "%ld KiB (less than %d MiB apart)", peak, peak1, CHURN_SLACK_MB);

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
    size_t pages_full = h.page_bytes, resident_full = chunks_resident(&h);
    heap_collect(&h); /* nothing is rooted: every record is garbage */
    ok(h.page_bytes < pages_full / 4 && h.spare_released > 0 &&
           (h.nspare - h.spare_released) * HEAP_PAGE_BYTES <= h.next_gc,
       "a collection with nothing rooted makes the pages spare (%zu -> %zu bytes), and the "
       "memory of those beyond the next collection's allowance goes back",
       pages_full, h.page_bytes);
    /* ... in huge-page chunks too, a whole chunk at a time (it stayed in memory: after a peak,
     * a program kept all of it to its end) */
    size_t resident = chunks_resident(&h);
    ok(resident_full > 3 * HEAP_CHUNK_BYTES && resident < resident_full / 2 &&
           resident <= h.next_gc + 2 * HEAP_CHUNK_BYTES + h.nchunks * HEAP_PAGE_BYTES,
       "the chunks' memory in use goes from %zu to %zu bytes", resident_full, resident);
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
    int top_adv = top != NULL ? advised_huge(top) : -1;
    Obj *o = heap_alloc(&h2, 32, T_STR);
    int reused = o != NULL && h2.nchunks == 1 && cache.n == left - 1 && h2.chunks[0] == top &&
                (char *)o >= (char *)top && (char *)o < (char *)top + HEAP_CHUNK_BYTES;
    /* that chunk was the freed heap's last, advised to be a huge page; as the first chunk of a
     * heap it is advised no more (a small heap in cached chunks kept their huge pages) */
    if (thp && top_adv >= 0)
        ok(top_adv == 1 && advised_huge(top) == 0,
           "a cached huge-page chunk that becomes a heap's first chunk is a huge page no more");
    else
        ok(1, "# SKIP this kernel has no transparent huge pages");
    h2.next_gc = h2.max;
    size_t taken = 0; /* every page of the cached chunks taken again, none refused */
    while (h2.nchunks <= left && heap_alloc(&h2, 48, T_REC) != NULL) taken++;
    ok(reused && cache.n == 0 && h2.nchunks == left + 1,
       "the next heap's first object is in a cached chunk; %zu more fill all of them", taken);
    heap_free_all(&h2);
    heap_cache_free(&cache);
    ok(cache.n == 0 && cache.chunks == NULL, "the cache's owner frees what is left in it");

    /* Storage of one size freed, then as much of another size: a collection gives the pages the
     * first size emptied back to the heap's pool, so that the second reuses them (a page of raw
     * blocks used to stay with its size for the heap's life: a program cycling through sizes
     * held many times its heap limit). */
    Heap h3;
    heap_init(&h3, (size_t)1 << 32);
    h3.next_gc = h3.max;
    /* block sizes of raw classes, so that each size takes about as many pages */
    static const size_t raw_sizes[] = {16, 96, 1024, 4096, 16384, 48, 8192, 640};
    const size_t nraw = sizeof raw_sizes / sizeof raw_sizes[0], raw_total = (size_t)6 << 20;
    size_t chunks_first = 0, refused = 0;
    for (size_t k = 0; k < nraw; k++) {
        size_t sz = raw_sizes[k], count = raw_total / sz;
        void **blk = malloc(count * sizeof *blk);
        if (blk == NULL) abort();
        for (size_t i = 0; i < count; i++)
            if ((blk[i] = heap_raw_alloc(&h3, sz)) == NULL) refused++;
        for (size_t i = 0; i < count; i++) heap_raw_free(&h3, blk[i], sz);
        free(blk);
        heap_collect(&h3);
        if (k == 0) chunks_first = h3.nchunks;
    }
    ok(refused == 0 && chunks_first >= 3 && h3.nchunks == chunks_first,
       "6 MiB of storage of each of %zu sizes, freed in turn, fits the chunks of the first "
       "(%zu, now %zu)", nraw, chunks_first, h3.nchunks);
    ok(h3.nspare >= raw_total / HEAP_PAGE_BYTES && h3.spare_released > 0 &&
           (h3.nspare - h3.spare_released) * HEAP_PAGE_BYTES <= h3.next_gc,
       "the %zu emptied pages are spare, and the memory of those beyond the next collection's "
       "allowance goes back (%zu pages)", h3.nspare, h3.spare_released);
    heap_free_all(&h3);

    /* A collection takes the pages of a class back only when they hold a good part of its free
     * blocks: one empty page among 100 pages each with a block in use is left to its class, and
     * the class's long free list is not walked for it. */
    heap_init(&h3, (size_t)1 << 32);
    h3.next_gc = h3.max;
    enum { BLOCKS = 100 * 1024 }; /* 100 pages of 16-byte blocks */
    void **blk = malloc(BLOCKS * sizeof *blk);
    if (blk == NULL) abort();
    for (size_t i = 0; i < BLOCKS; i++)
        if ((blk[i] = heap_raw_alloc(&h3, 16)) == NULL) abort();
    size_t firsts = 0; /* the block at the start of each page stays in use */
    for (size_t i = 0; i < BLOCKS; i++) {
        if ((uintptr_t)blk[i] % HEAP_PAGE_BYTES == 0) firsts++;
        else heap_raw_free(&h3, blk[i], 16);
    }
    size_t i0 = 0;
    while ((uintptr_t)blk[i0] % HEAP_PAGE_BYTES != 0) i0++;
    heap_raw_free(&h3, blk[i0], 16); /* one page empty */
    heap_collect(&h3);
    size_t spare_one = h3.nspare;
    for (size_t i = 0; i < BLOCKS; i++)
        if (i != i0 && (uintptr_t)blk[i] % HEAP_PAGE_BYTES == 0) heap_raw_free(&h3, blk[i], 16);
    heap_collect(&h3);
    ok(firsts == 100 && spare_one == 0 && h3.nspare == 100,
       "one page emptied among %zu is left to its class (%zu spare); all %zu emptied are spare",
       firsts, spare_one, h3.nspare);
    free(blk);
    heap_free_all(&h3);
    return done();
}
