/* map.c: hash maps with int or string keys.  Entries live in an array in insertion order (which
 * is the iteration order); an open-addressing index of entry numbers finds them.  A removed
 * entry is marked dead and dropped when the index is rebuilt. */
#include "nanort.h"

#define EMPTY (-1)
#define TOMB (-2)

typedef struct {
    uint64_t hash;
    bool live;
    int64_t ikey;
    nr_str skey;
} entry;

struct nr_map {
    bool str_keys;
    size_t vsize;
    entry *ents;    /* [nents], in insertion order */
    char *vals;     /* [nents * vsize] */
    int64_t nents, cap, live;
    int64_t *index; /* [icap] entry numbers, EMPTY or TOMB */
    int64_t icap;   /* power of two, > 2 * cap */
};

static uint64_t hash_str(nr_str s) {
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (int64_t i = 0; i < s.len; i++) h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211u;
    return h;
}

static uint64_t hash_int(int64_t k) {
    uint64_t z = (uint64_t)k + 0x9e3779b97f4a7c15u; /* splitmix64 finalizer */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

nr_map *nr_map_new(bool str_keys, size_t vsize) {
    nr_map *m = nr_alloc(sizeof *m);
    m->str_keys = str_keys;
    m->vsize = vsize;
    return m;
}

static void rebuild(nr_map *m, int64_t want) {
    /* compact live entries, then size for `want` entries */
    int64_t n = 0;
    for (int64_t i = 0; i < m->nents; i++) {
        if (!m->ents[i].live) continue;
        if (n != i) {
            m->ents[n] = m->ents[i];
            memmove(m->vals + (size_t)n * m->vsize, m->vals + (size_t)i * m->vsize, m->vsize);
        }
        n++;
    }
    m->nents = n;
    int64_t cap = 8;
    while (cap < want) cap *= 2;
    if (cap != m->cap) {
        entry *ne = nr_alloc((size_t)cap * sizeof(entry));
        char *nv = nr_alloc((size_t)cap * (m->vsize ? m->vsize : 1));
        if (n > 0) {
            memcpy(ne, m->ents, (size_t)n * sizeof(entry));
            memcpy(nv, m->vals, (size_t)n * m->vsize);
        }
        m->ents = ne;
        m->vals = nv;
        m->cap = cap;
    }
    m->icap = cap * 2;
    m->index = nr_alloc_atomic((size_t)m->icap * sizeof(int64_t));
    for (int64_t i = 0; i < m->icap; i++) m->index[i] = EMPTY;
    for (int64_t i = 0; i < n; i++) {
        uint64_t j = m->ents[i].hash & (uint64_t)(m->icap - 1);
        while (m->index[j] != EMPTY) j = (j + 1) & (uint64_t)(m->icap - 1);
        m->index[j] = i;
    }
}

/* The index slot holding key (index >= 0) or, if absent, -1. */
static int64_t find(nr_map *m, uint64_t h, nr_str sk, int64_t ik) {
    if (m->icap == 0) return -1;
    uint64_t mask = (uint64_t)(m->icap - 1);
    for (uint64_t j = h & mask;; j = (j + 1) & mask) {
        int64_t e = m->index[j];
        if (e == EMPTY) return -1;
        if (e == TOMB) continue;
        entry *en = &m->ents[e];
        if (en->hash != h) continue;
        if (m->str_keys ? nr_str_equals(en->skey, sk) : en->ikey == ik) return (int64_t)j;
    }
}

static void put(nr_map *m, uint64_t h, nr_str sk, int64_t ik, const void *v) {
    int64_t slot = find(m, h, sk, ik);
    if (slot >= 0) {
        memcpy(m->vals + (size_t)m->index[slot] * m->vsize, v, m->vsize);
        return;
    }
    if (m->nents == m->cap) rebuild(m, m->live + 1 > m->cap / 2 ? m->cap * 2 : m->cap);
    int64_t e = m->nents++;
    m->ents[e] = (entry){h, true, ik, sk};
    memcpy(m->vals + (size_t)e * m->vsize, v, m->vsize);
    m->live++;
    uint64_t mask = (uint64_t)(m->icap - 1);
    uint64_t j = h & mask;
    while (m->index[j] >= 0) j = (j + 1) & mask; /* reuse a tombstone or an empty slot */
    m->index[j] = e;
}

static void *get(nr_map *m, uint64_t h, nr_str sk, int64_t ik, const char *file, int64_t line) {
    int64_t slot = find(m, h, sk, ik);
    if (slot < 0) nr_fail(file, line, "key not found");
    return m->vals + (size_t)m->index[slot] * m->vsize;
}

static void del(nr_map *m, uint64_t h, nr_str sk, int64_t ik) {
    int64_t slot = find(m, h, sk, ik);
    if (slot < 0) return;
    m->ents[m->index[slot]].live = false;
    m->index[slot] = TOMB;
    m->live--;
}

void nr_map_put_s(nr_map *m, nr_str k, const void *v) { put(m, hash_str(k), k, 0, v); }
void nr_map_put_i(nr_map *m, int64_t k, const void *v) { put(m, hash_int(k), NR_LIT("", 0), k, v); }
void *nr_map_get_s(nr_map *m, nr_str k, const char *file, int64_t line) {
    return get(m, hash_str(k), k, 0, file, line);
}
void *nr_map_get_i(nr_map *m, int64_t k, const char *file, int64_t line) {
    return get(m, hash_int(k), NR_LIT("", 0), k, file, line);
}
bool nr_map_has_s(nr_map *m, nr_str k) { return find(m, hash_str(k), k, 0) >= 0; }
bool nr_map_has_i(nr_map *m, int64_t k) { return find(m, hash_int(k), NR_LIT("", 0), k) >= 0; }
void nr_map_remove_s(nr_map *m, nr_str k) { del(m, hash_str(k), k, 0); }
void nr_map_remove_i(nr_map *m, int64_t k) { del(m, hash_int(k), NR_LIT("", 0), k); }
int64_t nr_map_size(nr_map *m) { return m->live; }

nr_array *nr_map_keys(nr_map *m) {
    nr_array *a = nr_array_make(m->str_keys ? sizeof(nr_str) : sizeof(int64_t), m->live);
    int64_t n = 0;
    for (int64_t i = 0; i < m->nents; i++) {
        if (!m->ents[i].live) continue;
        if (m->str_keys)
            ((nr_str *)a->data)[n++] = m->ents[i].skey;
        else
            ((int64_t *)a->data)[n++] = m->ents[i].ikey;
    }
    return a;
}

nr_array *nr_map_values(nr_map *m) {
    nr_array *a = nr_array_make(m->vsize, m->live);
    int64_t n = 0;
    for (int64_t i = 0; i < m->nents; i++) {
        if (!m->ents[i].live) continue;
        memcpy(a->data + (size_t)n * m->vsize, m->vals + (size_t)i * m->vsize, m->vsize);
        n++;
    }
    return a;
}

void nr_map_clear(nr_map *m) {
    /* back to the state of a new map (the collector frees the old storage) */
    m->ents = NULL;
    m->vals = NULL;
    m->nents = m->cap = m->live = 0;
    m->index = NULL;
    m->icap = 0;
}
