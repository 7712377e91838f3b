/* object.c: strings, arrays and records (maps are in map.c). */
#include "object.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

/* ---- strings ------------------------------------------------------------------------------ */

ObjString *str_alloc(Heap *h, size_t len) {
    if (len > (size_t)INT64_MAX - sizeof(ObjString) - 1) {
        heap_fail(h, "out of memory (string of %zu bytes)", len);
        return NULL;
    }
    ObjString *s = (ObjString *)heap_alloc(h, sizeof(ObjString) + len + 1, T_STR);
    if (s == NULL) return NULL;
    s->len = (int64_t)len;
    s->bytes[len] = '\0';
    return s;
}

ObjString *str_new(Heap *h, const char *bytes, size_t len) {
    ObjString *s = str_alloc(h, len);
    if (s != NULL && len > 0) memcpy(s->bytes, bytes, len);
    return s;
}

bool str_equal(const ObjString *a, const ObjString *b) {
    return a == b || (a->len == b->len && memcmp(a->bytes, b->bytes, (size_t)a->len) == 0);
}

int str_compare(const ObjString *a, const ObjString *b) {
    size_t n = (size_t)(a->len < b->len ? a->len : b->len);
    int c = n ? memcmp(a->bytes, b->bytes, n) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

uint32_t str_hash(const ObjString *s) {
    /* FNV-1a, 32-bit */
    uint32_t h = 2166136261u;
    for (int64_t i = 0; i < s->len; i++) {
        h ^= (unsigned char)s->bytes[i];
        h *= 16777619u;
    }
    return h;
}

/* ---- arrays ------------------------------------------------------------------------------- */

/* Arrays shorter than this are never packed: too small for the bytes to matter. */
#define ARR_PACK_MIN 16

ObjArray *arr_new(Heap *h, int64_t len, Value init) {
    ObjArray *a = (ObjArray *)heap_alloc(h, sizeof(ObjArray), T_ARR);
    if (a == NULL) return NULL;
    a->len = a->cap = a->vlen = 0;
    a->items = NULL;
    if (len > 0) {
        a->h.packed = len >= ARR_PACK_MIN && arr_packable(init);
        /* the new array is not yet rooted: keep it alive while growing */
        heap_push_temp(h, v_obj(T_ARR, a));
        int r = arr_reserve(h, a, len);
        heap_pop_temps(h, 1);
        if (r != 0) return NULL;
        if (a->h.packed) memset(a->bytes, (int)init.as.i, (size_t)len);
        else
            for (int64_t i = 0; i < len; i++) v_copy(&a->items[i], &init);
        arr_set_len(a, len);
    }
    return a;
}

int arr_reserve(Heap *h, ObjArray *a, int64_t cap) {
    if (cap <= a->cap) return 0;
    if ((uint64_t)cap > SIZE_MAX / sizeof(Value) / 2) {
        heap_fail(h, "out of memory (array of %lld elements)", (long long)cap);
        return -1;
    }
    size_t delta = (size_t)(cap - a->cap) * sizeof(Value);
    if (heap_charge(h, (ptrdiff_t)delta) != 0) return -1;
    size_t elem = a->h.packed ? 1 : sizeof(Value);
    void *items = heap_raw_resize(h, a->items, (size_t)a->cap * elem, (size_t)cap * elem);
    if (items == NULL) {
        heap_charge(h, -(ptrdiff_t)delta);
        heap_fail(h, "out of memory (the system refused an array of %lld elements)",
                  (long long)cap);
        return -1;
    }
    a->items = items;
    a->cap = cap;
    return 0;
}

int arr_unpack(Heap *h, ObjArray *a) {
    if (!a->h.packed) return 0;
    Value *items = heap_raw_alloc(h, (size_t)(a->cap > 0 ? a->cap : 1) * sizeof(Value));
    if (items == NULL) {
        heap_fail(h, "out of memory (the system refused an array of %lld elements)",
                  (long long)a->cap);
        return -1;
    }
    for (int64_t i = 0; i < a->len; i++) items[i] = v_int(a->bytes[i]);
    heap_raw_free(h, a->bytes, (size_t)a->cap);
    a->items = items;
    a->h.packed = 0;
    a->vlen = a->len;
    return 0;
}

int arr_push(Heap *h, ObjArray *a, Value v) {
    if (a->h.packed && !arr_packable(v) && arr_unpack(h, a) != 0) return -1;
    if (a->len == a->cap) {
        /* v may be the only reference to an object: root it across the growth */
        heap_push_temp(h, v);
        int r = arr_reserve(h, a, a->cap < 8 ? 8 : a->cap * 2);
        heap_pop_temps(h, 1);
        if (r != 0) return -1;
    }
    if (a->h.packed) a->bytes[a->len] = (uint8_t)v.as.i;
    else a->items[a->len] = v;
    arr_set_len(a, a->len + 1);
    return 0;
}

/* ---- records ------------------------------------------------------------------------------ */

ObjRecord *rec_new(Heap *h, uint32_t type, uint32_t variant, uint32_t n) {
    ObjRecord *r = (ObjRecord *)heap_alloc(h, sizeof(ObjRecord) + (size_t)n * sizeof(Value), T_REC);
    if (r == NULL) return NULL;
    r->type = type;
    r->variant = variant;
    r->n = n;
    return r;
}

/* ---- closures ------------------------------------------------------------------------------ */

ObjClosure *clo_new(Heap *h, uint32_t fn, uint32_t n) {
    ObjClosure *c = (ObjClosure *)heap_alloc(h, sizeof(ObjClosure) + (size_t)n * sizeof(Value), T_CLO);
    if (c == NULL) return NULL;
    c->fn = fn;
    c->n = n;
    return c;
}

/* ---- all objects -------------------------------------------------------------------------- */

size_t obj_charge(const Obj *o) {
    switch (o->kind) {
    case T_STR: return sizeof(ObjString) + (size_t)((const ObjString *)o)->len + 1;
    case T_ARR: return sizeof(ObjArray) + (size_t)((const ObjArray *)o)->cap * sizeof(Value);
    case T_MAP: {
        const ObjMap *m = (const ObjMap *)o;
        return sizeof(ObjMap) + (size_t)m->cap * sizeof(MapEntry) +
               (size_t)m->index_cap * sizeof(uint64_t);
    }
    case T_REC: return sizeof(ObjRecord) + (size_t)((const ObjRecord *)o)->n * sizeof(Value);
    case T_CLO: return sizeof(ObjClosure) + (size_t)((const ObjClosure *)o)->n * sizeof(Value);
    default: return 0;
    }
}

void obj_free_storage(Heap *h, Obj *o) {
    switch (o->kind) {
    case T_ARR: {
        ObjArray *a = (ObjArray *)o;
        heap_raw_free(h, a->items, (size_t)a->cap * (a->h.packed ? 1 : sizeof(Value)));
        break;
    }
    case T_MAP: {
        ObjMap *m = (ObjMap *)o;
        heap_raw_free(h, m->entries, (size_t)m->cap * sizeof(MapEntry));
        heap_raw_free(h, m->index, (size_t)m->index_cap * sizeof(uint64_t));
        break;
    }
    default: break;
    }
}
