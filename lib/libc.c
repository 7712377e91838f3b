/* libc.c: the C part of lib/libc.nano, built by make into bin/lib/libnano_libc.so (and
 * build/san/lib/), which nano_cop finds by name (docs/LANGUAGE.md 11.1).  Reading and writing
 * 64-bit integers in memory that C allocated: what a nanolang program cannot do itself.
 * pkg-config:
 */
#include <stddef.h>
#include <stdint.h>

void *nano_libc_null(void);
int64_t nano_libc_load(const int64_t *p);
int64_t nano_libc_get(const int64_t *p, int64_t i);
void nano_libc_set(int64_t *p, int64_t i, int64_t v);

void *nano_libc_null(void) { return NULL; }
int64_t nano_libc_load(const int64_t *p) { return *p; }
int64_t nano_libc_get(const int64_t *p, int64_t i) { return p[i]; }
void nano_libc_set(int64_t *p, int64_t i, int64_t v) { p[i] = v; }
