/* coptest.c: a shared library for the co-process tests (build/tests/cop/libcoptest.so): one
 * function per C type of the protocol, pointers that repeat, NULL results, state that lives as
 * long as one co-process. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int8_t ct_neg_i8(int8_t x) { return (int8_t)-x; }
int16_t ct_neg_i16(int16_t x) { return (int16_t)-x; }
int32_t ct_neg_i32(int32_t x) { return -x; }
int64_t ct_neg_i64(int64_t x) { return -x; }
uint8_t ct_inc_u8(uint8_t x) { return (uint8_t)(x + 1u); }
uint16_t ct_inc_u16(uint16_t x) { return (uint16_t)(x + 1u); }
uint32_t ct_inc_u32(uint32_t x) { return x + 1u; }
uint64_t ct_inc_u64(uint64_t x) { return x + 1u; }
size_t ct_inc_size(size_t x) { return x + 1u; }
long ct_neg_long(long x) { return -x; }
int ct_neg_int(int x) { return -x; }
double ct_half_d(double x) { return x / 2; }
float ct_half_f(float x) { return x / 2; }
bool ct_not(bool b) { return !b; }
bool ct_is_odd(int64_t x) { return (x & 1) != 0; }

/* a - b + c*d + ... over many types: the order of arguments must be kept */
double ct_mix(int8_t a, uint16_t b, int32_t c, double d, float e, bool f, const char *s, int64_t g) {
    return (double)a * 1 + (double)b * 10 + (double)c * 100 + d * 1000 + (double)e * 10000 +
           (f ? 100000 : 0) + (double)strlen(s) * 1000000 + (double)g * 10000000;
}

int64_t ct_sum10(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g,
                 int64_t h, int64_t i, int64_t j) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

const char *ct_null_str(void) { return NULL; }

/* s repeated n times (a new string, never freed: the co-process ends soon) */
char *ct_repeat(const char *s, int64_t n) {
    size_t len = strlen(s);
    if (n < 0) n = 0;
    char *r = malloc(len * (size_t)n + 1);
    if (r == NULL) return NULL;
    for (int64_t i = 0; i < n; i++) memcpy(r + len * (size_t)i, s, len);
    r[len * (size_t)n] = '\0';
    return r;
}

static int anchor;
void *ct_same(void) { return &anchor; }
void *ct_null(void) { return NULL; }
void *ct_id(void *p) { return p; }
void *ct_new(void) { return malloc(1); }
bool ct_is_null(void *p) { return p == NULL; }
bool ct_is_same(void *p) { return p == &anchor; }

static int64_t state;
void ct_set(int64_t v) { state = v; }
int64_t ct_get(void) { return state; }

/* Callbacks: C calling function values of the program. */
int64_t ct_apply(int64_t (*f)(int64_t), int64_t x);
int64_t ct_apply(int64_t (*f)(int64_t), int64_t x) { return f(x); }

/* f on each of the words of s (separated by one space) with its index; the sum of the results. */
int64_t ct_each_word(const char *s, int32_t (*f)(const char *, int32_t));
int64_t ct_each_word(const char *s, int32_t (*f)(const char *, int32_t)) {
    char word[64];
    int64_t sum = 0;
    int32_t k = 0;
    while (*s != '\0') {
        size_t n = strcspn(s, " ");
        if (n >= sizeof word) n = sizeof word - 1;
        memcpy(word, s, n);
        word[n] = '\0';
        sum += f(word, k++);
        s += n;
        while (*s == ' ') s++;
    }
    return sum;
}

/* Every C type once to a callback, whose float result comes back. */
float ct_mixed(float (*f)(int8_t, uint16_t, uint32_t, uint64_t, size_t, long, int, double, float, bool, void *));
float ct_mixed(float (*f)(int8_t, uint16_t, uint32_t, uint64_t, size_t, long, int, double, float, bool, void *)) {
    return f(-5, 65535, 4000000000u, UINT64_MAX, 7, -8, -9, 0.25, 1.5f, true, &anchor);
}

/* A callback whose result is a narrow unsigned type, and a void one. */
uint8_t ct_byte(uint8_t (*f)(void));
uint8_t ct_byte(uint8_t (*f)(void)) { return f(); }
void ct_call_void(void (*f)(int64_t), int64_t x);
void ct_call_void(void (*f)(int64_t), int64_t x) { f(x); }
