/* map.c: insertion-ordered hash maps with int or string keys (see ObjMap in value.h).
 *
 * Entries are appended in insertion order; removal leaves a tombstone.  The index is an open
 * addressing table of entry positions with linear probing, kept at most half full.  When the
 * entry array is full it is compacted (if at least half of it is tombstones) or doubled, and the
 * index is rebuilt from the live entries, so iteration order is insertion order in every case.
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

static uint32_t hash_key(Value k) {
    return k.tag == T_STR ? str_hash(AS_STR(k)) : hash_int(k.as.i);
}

static bool key_equal(Value a, Value b) {
    if (a.tag != b.tag) return false; /* also rejects tombstones */
    return a.tag == T_STR ? str_equal(AS_STR(a), AS_STR(b)) : a.as.i == b.as.i;
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

/* Index slot holding key k, or the empty slot where it would go. */
static int64_t find_slot(const ObjMap *m, Value k, uint32_t h) {
    int64_t mask = m->index_cap - 1;
    int64_t i = (int64_t)(h & (uint32_t)mask);
    for (;;) {
        uint64_t slot = m->index[i];
        if (slot == 0) return i;
        if ((uint32_t)(slot >> 32) == h && key_equal(m->entries[(uint32_t)slot - 1].key, k))
            return i;
        i = (i + 1) & mask;
    }
}

/* The entry position a slot holds. */
static inline uint32_t slot_entry(uint64_t slot) { return (uint32_t)slot; }

static inline uint64_t make_slot(uint32_t hash, int64_t entry) {
    return ((uint64_t)hash << 32) | (uint64_t)(entry + 1);
}

bool map_get(const ObjMap *m, Value key, Value *out) {
    if (m->count == 0) return false;
    uint32_t e = slot_entry(m->index[find_slot(m, key, hash_key(key))]);
    if (e == 0) return false;
    if (out != NULL) *out = m->entries[e - 1].value;
    return true;
}

/* Rebuild the index for the live entries, compacting tombstones away; 'cap' entries and an
 * index of 'index_cap' slots.  Returns -1 (error recorded) when memory runs out. */
static int rebuild(Heap *h, ObjMap *m, int64_t cap, int64_t index_cap) {
    ptrdiff_t delta = (ptrdiff_t)((cap - m->cap) * (int64_t)sizeof(MapEntry) +
                                  (index_cap - m->index_cap) * (int64_t)sizeof(uint64_t));
    if (heap_charge(h, delta) != 0) return -1;
    MapEntry *entries = malloc((size_t)cap * sizeof(MapEntry));
    uint64_t *index = calloc((size_t)index_cap, sizeof(uint64_t));
    if (entries == NULL || index == NULL) {
        free(entries);
        free(index);
        heap_charge(h, -delta);
        heap_fail(h, "out of memory (the system refused a map of %lld entries)", (long long)cap);
        return -1;
    }
    int64_t n = 0;
    for (int64_t i = 0; i < m->used; i++) {
        if (m->entries[i].key.tag == T_UNIT) continue;
        entries[n] = m->entries[i];
        int64_t slot = (int64_t)(entries[n].hash & (uint32_t)(index_cap - 1));
        while (index[slot] != 0) slot = (slot + 1) & (index_cap - 1);
        index[slot] = make_slot(entries[n].hash, n);
        n++;
    }
    free(m->entries);
    free(m->index);
    m->entries = entries;
    m->index = index;
    m->cap = cap;
    m->index_cap = index_cap;
    m->used = n;
    return 0;
}

#define MAP_MAX_ENTRIES ((int64_t)1 << 30)

int map_put(Heap *h, ObjMap *m, Value key, Value value) {
    uint32_t hash = hash_key(key);
    if (m->count > 0) {
        uint32_t e = slot_entry(m->index[find_slot(m, key, hash)]);
        if (e != 0) {
            m->entries[e - 1].value = value;
            return 0;
        }
    }
    if (m->used == m->cap) {
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
    en->key = key;
    en->value = value;
    en->hash = hash;
    m->index[slot] = make_slot(hash, m->used);
    m->used++;
    m->count++;
    return 0;
}

bool map_remove(ObjMap *m, Value key) {
    if (m->count == 0) return false;
    uint32_t e = slot_entry(m->index[find_slot(m, key, hash_key(key))]);
    if (e == 0) return false;
    MapEntry *en = &m->entries[e - 1];
    en->key = v_unit();
    en->value = v_unit();
    m->count--;
    return true;
}
