/* map.c: insertion-ordered hash maps with int or string keys (see ObjMap in value.h).
 *
 * Entries are appended in insertion order; removal leaves a tombstone.  The index is an open
 * addressing table of entry positions with linear probing, kept at most half full.  When the
 * entry array is full it is compacted (if at least half of it is tombstones) or doubled, and the
 * index is rebuilt from the live entries, so iteration order is insertion order in every case.
 *
 * Memory: an entry is 24 bytes (the key untagged, since the map's key kind says what it is) and
 * an index slot 8, twice as many slots as entries.  A rebuild grows the entry array in place
 * (realloc: no copy for large arrays) and frees the old index before it allocates the new one,
 * so that growing never holds two copies of the map.
 */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "object.h"

static uint32_t hash_int(int64_t k) {
    uint64_t x = (uint64_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t hash_key(const ObjMap *m, Value k) {
    return m->key_kind ? str_hash(AS_STR(k)) : hash_int(k.as.i);
}

/* Whether entry e (not a tombstone: callers reach entries through the index only when the key
 * kinds match, and a tombstone's key is left as it was, so comparing it is harmless but its
 * vtag is checked) holds key k. */
static inline bool entry_has_key(const ObjMap *m, const MapEntry *e, Value k) {
    if (e->vtag == MAP_TOMBSTONE) return false;
    return m->key_kind ? str_equal(e->key.s, AS_STR(k)) : e->key.i == k.as.i;
}

ObjMap *map_new(Heap *h, uint32_t key_kind) {
    ObjMap *m = (ObjMap *)heap_alloc(h, sizeof(ObjMap), T_MAP);
    if (m == NULL) return NULL;
    m->key_kind = key_kind;
    m->count = m->used = m->cap = m->index_cap = 0;
    m->entries = NULL;
    m->index = NULL;
    return m;
}

/* The entry position a slot holds, plus one (0: an empty slot). */
static inline uint32_t slot_entry(uint64_t slot) { return (uint32_t)slot; }

static inline uint64_t make_slot(uint32_t hash, int64_t entry) {
    return ((uint64_t)hash << 32) | (uint64_t)(entry + 1);
}

/* Index slot holding key k, or the empty slot where it would go (the map has an index). */
static int64_t find_slot(const ObjMap *m, Value k, uint32_t h) {
    int64_t mask = m->index_cap - 1;
    int64_t i = (int64_t)(h & (uint32_t)mask);
    for (;;) {
        uint64_t slot = m->index[i];
        if (slot == 0) return i;
        if ((uint32_t)(slot >> 32) == h && entry_has_key(m, &m->entries[slot_entry(slot) - 1], k))
            return i;
        i = (i + 1) & mask;
    }
}

bool map_get(const ObjMap *m, Value key, Value *out) {
    if (m->count == 0) return false;
    uint32_t e = slot_entry(m->index[find_slot(m, key, hash_key(m, key))]);
    if (e == 0) return false;
    if (out != NULL) *out = map_entry_value(&m->entries[e - 1]);
    return true;
}

/* Rebuild the map for the live entries, compacting tombstones away: 'cap' entries and an index
 * of 'index_cap' slots.  Returns -1 (error recorded) when memory runs out; the map is then
 * still consistent (possibly empty, with no index: map_put rebuilds before it uses one). */
static int rebuild(Heap *h, ObjMap *m, int64_t cap, int64_t index_cap) {
    ptrdiff_t delta = (ptrdiff_t)((cap - m->cap) * (int64_t)sizeof(MapEntry) +
                                  (index_cap - m->index_cap) * (int64_t)sizeof(uint64_t));
    if (heap_charge(h, delta) != 0) return -1;
    if (cap > m->cap) {
        MapEntry *entries = heap_raw_resize(h, m->entries, (size_t)m->cap * sizeof(MapEntry),
                                            (size_t)cap * sizeof(MapEntry));
        if (entries == NULL) {
            heap_charge(h, -delta);
            heap_fail(h, "out of memory (the system refused a map of %lld entries)",
                      (long long)cap);
            return -1;
        }
        m->entries = entries;
        m->cap = cap;
    }
    int64_t n = 0;
    for (int64_t i = 0; i < m->used; i++) {
        if (m->entries[i].vtag == MAP_TOMBSTONE) continue;
        if (n != i) m->entries[n] = m->entries[i];
        n++;
    }
    m->used = n;
    heap_raw_free(h, m->index, (size_t)m->index_cap * sizeof(uint64_t));
    m->index = heap_raw_zalloc(h, (size_t)index_cap * sizeof(uint64_t));
    if (m->index == NULL) {
        /* Without an index the entries cannot be found: the map is left empty (what it held is
         * garbage now) and charged for its entries only.  The caller fails with "out of
         * memory", which ends the program. */
        heap_charge(h, -(ptrdiff_t)(index_cap * (int64_t)sizeof(uint64_t)));
        m->index_cap = 0;
        m->used = m->count = 0;
        heap_fail(h, "out of memory (the system refused a map of %lld entries)", (long long)cap);
        return -1;
    }
    m->index_cap = index_cap;
    for (int64_t k = 0; k < n; k++) {
        int64_t slot = (int64_t)(m->entries[k].hash & (uint32_t)(index_cap - 1));
        while (m->index[slot] != 0) slot = (slot + 1) & (index_cap - 1);
        m->index[slot] = make_slot(m->entries[k].hash, k);
    }
    return 0;
}

#define MAP_MAX_ENTRIES ((int64_t)1 << 30)

int map_put(Heap *h, ObjMap *m, Value key, Value value) {
    uint32_t hash = hash_key(m, key);
    if (m->count > 0) {
        uint32_t e = slot_entry(m->index[find_slot(m, key, hash)]);
        if (e != 0) {
            MapEntry *en = &m->entries[e - 1];
            en->vtag = (uint32_t)value.tag;
            en->vbits = value.as.i;
            return 0;
        }
    }
    if (m->used == m->cap || m->index == NULL) {
        int64_t cap = m->cap;
        if (m->count * 2 > cap || cap == 0) cap = cap ? cap * 2 : 8;
        if (cap > MAP_MAX_ENTRIES) {
            heap_fail(h, "out of memory (map of more than %lld entries)",
                      (long long)MAP_MAX_ENTRIES);
            return -1;
        }
        /* root key and value across a possible collection (the map itself is rooted by the
         * caller) */
        heap_push_temp(h, key);
        heap_push_temp(h, value);
        int r = rebuild(h, m, cap, cap * 2);
        heap_pop_temps(h, 2);
        if (r != 0) return -1;
    }
    int64_t slot = find_slot(m, key, hash);
    MapEntry *en = &m->entries[m->used];
    if (m->key_kind) en->key.s = AS_STR(key);
    else en->key.i = key.as.i;
    en->hash = hash;
    en->vtag = (uint32_t)value.tag;
    en->vbits = value.as.i;
    m->index[slot] = make_slot(hash, m->used);
    m->used++;
    m->count++;
    return 0;
}

bool map_remove(ObjMap *m, Value key) {
    if (m->count == 0) return false;
    uint32_t e = slot_entry(m->index[find_slot(m, key, hash_key(m, key))]);
    if (e == 0) return false;
    MapEntry *en = &m->entries[e - 1];
    en->vtag = MAP_TOMBSTONE;
    en->vbits = 0;
    m->count--;
    return true;
}
