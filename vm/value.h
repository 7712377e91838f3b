/* value.h: tagged value slots and heap object layouts.
 *
 * A Value is a 64-bit payload plus a tag.  Typed instructions read the payload directly
 * (ADD_INT never looks at the tag); the tag exists so that the collector is precise and so
 * that every instruction that dereferences a reference can check, with one compare, that it
 * holds an object of the kind it needs.  That check is what makes a hostile but verified
 * program unable to crash the VM (docs/ISA.md, "Safety").
 */
#ifndef NANOVM_VALUE_H
#define NANOVM_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    T_UNIT = 0, /* the value of void; also every fresh local */
    T_INT,      /* int, bool (0/1), enum and char values */
    T_FLOAT,
    T_FN,       /* function value: payload is a verified function index */
    /* references: every tag from T_STR on holds an Obj pointer */
    T_STR,
    T_ARR,
    T_MAP,
    T_REC,
    T_CLO       /* a closure: a function value with captured values (ObjClosure) */
} Tag;

#define TAG_IS_REF(t) ((t) >= T_STR)

typedef struct Obj Obj;

typedef struct {
    union {
        int64_t i;
        double f;
        Obj *o;
    } as;
    uint64_t tag;
} Value;

/* Object header.  'next' links a large object into its heap's list, and a free slot of a page
 * into its size class's free list (vm/heap.c). */
struct Obj {
    Obj *next;
    uint8_t kind;      /* the Tag of references to it: T_STR, T_ARR, T_MAP, T_REC or T_CLO */
    uint8_t marked;
    uint8_t is_static; /* program constants (strings): never marked, never freed by a heap */
    uint8_t packed;    /* arrays: the elements are stored as bytes (ObjArray) */
    uint8_t pad[4];
};

typedef struct ObjString {
    Obj h;
    int64_t len;
    char bytes[]; /* len bytes plus a terminating NUL (not part of the string) */
} ObjString;

/* An array's elements are values ('items'), or, while the array is packed (h.packed), bytes:
 * each element then is the int of that byte (0..255), which covers bools and chars.  ARRAY_NEW
 * of a byte-sized int makes a packed array (object.c: arr_new), which stores a sixteenth of
 * the memory; storing anything that is not a byte-sized int unpacks it for good (arr_unpack).
 * Packing is invisible to programs: an element reads back as the same value, and a packed
 * array is charged to the heap as if it held values, so heap limits do not depend on it. */
typedef struct {
    Obj h;
    int64_t len, cap;
    union {
        Value *items;   /* not packed */
        uint8_t *bytes; /* packed */
    };
    /* len when not packed, 0 when packed: the bound the fast paths of ARRAY_GET and ARRAY_SET
     * check, so that an array of values pays nothing for packing.  Every change of len or of
     * packing goes through arr_set_len or arr_unpack, which keep it. */
    int64_t vlen;
} ObjArray;

/* The name of a value tag, for error messages ("int", "string", ...). */
static inline const char *value_tag_name(uint64_t t) {
    switch (t) {
    case T_UNIT: return "unit";
    case T_INT: return "int";
    case T_FLOAT: return "float";
    case T_FN: return "function";
    case T_STR: return "string";
    case T_ARR: return "array";
    case T_MAP: return "map";
    case T_REC: return "record";
    case T_CLO: return "function";
    default: return "?";
    }
}

static inline void arr_set_len(ObjArray *a, int64_t n) {
    a->len = n;
    a->vlen = a->h.packed ? 0 : n;
}

/* Insertion-ordered hash map: 'entries' in insertion order, 'index' an open-addressing table
 * (linear probing) whose slots hold an entry's position plus one in the low 32 bits and its
 * key's hash in the high 32 (0 = empty slot), so a probe compares hashes without touching the
 * entries.  An entry is 24 bytes: the key without its tag (the map's key kind says what it is:
 * an int, or a string object), the key's hash, and the value split into its tag and payload.
 * A removed entry becomes a tombstone (value tag MAP_TOMBSTONE); a slot that points at a
 * tombstone stays occupied until the next rebuild, so probing never needs deleted markers. */
#define MAP_TOMBSTONE 0xFFFFFFFFu
typedef struct {
    union {
        int64_t i;        /* key kind 0 */
        struct ObjString *s; /* key kind 1 */
    } key;
    uint32_t hash;
    uint32_t vtag;   /* the value's tag, or MAP_TOMBSTONE */
    int64_t vbits;   /* the value's payload (Value.as.i) */
} MapEntry;
_Static_assert(sizeof(MapEntry) == 24, "a map entry is 24 bytes");

typedef struct {
    Obj h;
    uint32_t key_kind; /* 0 int keys, 1 string keys */
    int64_t count;     /* live keys */
    int64_t used;      /* entries in use, tombstones included */
    int64_t cap;       /* capacity of entries */
    MapEntry *entries;
    int64_t index_cap; /* power of two, at least twice cap; 0 when there is no index */
    uint64_t *index;
} ObjMap;

typedef struct {
    Obj h;
    uint32_t type;    /* type table index */
    uint32_t variant; /* union variant (0 for structs and tuples) */
    uint32_t n;       /* field count */
    uint32_t pad;
    Value fields[];
} ObjRecord;

/* A closure (MAKE_CLOSURE): function 'fn' and the n values it captured, which CALL_INDIRECT
 * passes after the arguments, as the function's last n parameters.  Immutable. */
typedef struct {
    Obj h;
    uint32_t fn; /* a verified function index whose nparams is at least n */
    uint32_t n;  /* captured values, 1 .. nparams */
    Value caps[];
} ObjClosure;

#define AS_STR(v) ((ObjString *)(v).as.o)
#define AS_ARR(v) ((ObjArray *)(v).as.o)
#define AS_MAP(v) ((ObjMap *)(v).as.o)
#define AS_REC(v) ((ObjRecord *)(v).as.o)
#define AS_CLO(v) ((ObjClosure *)(v).as.o)

/* Copy a value as two 8-byte moves, payload then tag.  Values are made (v_int, ...) by two
 * 8-byte stores; a copy done as one 16-byte load (what a struct assignment or memcpy compiles
 * to) right after such stores cannot be forwarded from them and stalls the load for the whole
 * store-buffer drain.  Every copy of a Value between memory slots on a hot path goes through
 * v_copy (or v_copy_n) so that stores and loads always have the same widths. */
static inline void v_copy(Value *dst, const Value *src) {
    int64_t i = src->as.i;
    uint64_t t = src->tag;
    dst->as.i = i;
    dst->tag = t;
}
static inline void v_copy_n(Value *dst, const Value *src, size_t n) {
    for (size_t k = 0; k < n; k++) v_copy(&dst[k], &src[k]);
}

static inline Value v_unit(void) { Value v; v.as.i = 0; v.tag = T_UNIT; return v; }
static inline Value v_int(int64_t i) { Value v; v.as.i = i; v.tag = T_INT; return v; }
static inline Value v_bool(bool b) { Value v; v.as.i = b ? 1 : 0; v.tag = T_INT; return v; }
static inline Value v_float(double f) { Value v; v.as.f = f; v.tag = T_FLOAT; return v; }
static inline Value v_fn(uint32_t f) { Value v; v.as.i = f; v.tag = T_FN; return v; }
static inline Value v_obj(Tag t, void *o) { Value v; v.as.o = (Obj *)o; v.tag = t; return v; }

/* A map entry's key and value as values (the entry is not a tombstone). */
static inline Value map_entry_key(const ObjMap *m, const MapEntry *e) {
    return m->key_kind ? v_obj(T_STR, e->key.s) : v_int(e->key.i);
}
static inline Value map_entry_value(const MapEntry *e) {
    Value v;
    v.as.i = e->vbits;
    v.tag = e->vtag;
    return v;
}

#endif
