/* object.h: constructors and operations on heap objects (strings, arrays, maps, records).
 *
 * Layer: above value.h and the heap, below the process (see heap.h): nothing here knows of
 * processes or of the interpreter.
 *
 * Every function that allocates may run the collector: the caller keeps every reference it
 * still needs reachable from the heap's roots (on the value stack) across the call.  A NULL
 * or -1 result means the allocation failed; the heap's error (Heap.error) says why.
 */
#ifndef NANOVM_OBJECT_H
#define NANOVM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "value.h"

ObjString *str_new(Heap *h, const char *bytes, size_t len);
ObjString *str_alloc(Heap *h, size_t len); /* bytes uninitialised but NUL-terminated */
bool str_equal(const ObjString *a, const ObjString *b);
int str_compare(const ObjString *a, const ObjString *b); /* -1, 0, 1 */
uint32_t str_hash(const ObjString *s);

/* A new array of len copies of init: packed (value.h) when init is a byte-sized int and the
 * array is long enough for packing to matter. */
ObjArray *arr_new(Heap *h, int64_t len, Value init);
int arr_reserve(Heap *h, ObjArray *a, int64_t cap);
int arr_push(Heap *h, ObjArray *a, Value v);
/* Store elements as values from now on; -1 (error recorded) when the system refuses the
 * memory.  Charges nothing: a packed array is charged as if it held values. */
int arr_unpack(Heap *h, ObjArray *a);

/* Whether v can be an element of a packed array. */
static inline bool arr_packable(Value v) { return v.tag == T_INT && (uint64_t)v.as.i < 256; }

/* Element i (< len) of an array, packed or not. */
static inline Value arr_get(const ObjArray *a, int64_t i) {
    return a->h.packed ? v_int(a->bytes[i]) : a->items[i];
}

ObjRecord *rec_new(Heap *h, uint32_t type, uint32_t variant, uint32_t n);
/* A closure of function fn with room for n captured values (the caller fills caps). */
ObjClosure *clo_new(Heap *h, uint32_t fn, uint32_t n);

ObjMap *map_new(Heap *h, uint32_t key_kind);
/* Key kinds are checked by the caller (the key's tag matches the map's key kind). */
bool map_get(const ObjMap *m, Value key, Value *out);
int map_put(Heap *h, ObjMap *m, Value key, Value value);
bool map_remove(ObjMap *m, Value key);

/* Bytes charged to the heap for an object, header and out-of-line storage included. */
size_t obj_charge(const Obj *o);
/* Release an object's out-of-line storage (array items, map tables), not the object itself:
 * the heap owns that memory (the sweep). */
void obj_free_storage(Heap *h, Obj *o);

#endif
