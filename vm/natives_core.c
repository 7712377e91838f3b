/* natives_core.c: see natives_core.h. */
#include "natives_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool nc_is_space(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13); }

void nc_trim(const char *s, size_t n, bool left, bool right, size_t *start, size_t *len) {
    size_t a = 0, b = n;
    if (left)
        while (a < b && nc_is_space((unsigned char)s[a])) a++;
    if (right)
        while (b > a && nc_is_space((unsigned char)s[b - 1])) b--;
    *start = a;
    *len = b - a;
}

int64_t nc_char_lower(int64_t c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
int64_t nc_char_upper(int64_t c) { return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c; }

void nc_map_case(const char *s, size_t n, char *out, bool upper) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (char)(upper ? nc_char_upper(c) : nc_char_lower(c));
    }
}

int64_t nc_digit_value(int64_t c) { return c >= '0' && c <= '9' ? c - '0' : -1; }

int64_t nc_find(const char *s, size_t n, size_t from, const char *pat, size_t m) {
    if (m == 0 || m > n) return -1;
    for (size_t i = from; i <= n - m; i++)
        if (s[i] == pat[0] && memcmp(s + i, pat, m) == 0) return (int64_t)i;
    return -1;
}

size_t nc_count(const char *s, size_t n, const char *pat, size_t m) {
    size_t count = 0, at = 0;
    int64_t i;
    while (at <= n && (i = nc_find(s, n, at, pat, m)) >= 0) {
        count++;
        at = (size_t)i + m;
    }
    return count;
}

void nc_replace(const char *s, size_t n, const char *pat, size_t m, const char *rep, size_t r,
                char *out) {
    size_t at = 0, o = 0;
    int64_t i;
    while (at <= n && (i = nc_find(s, n, at, pat, m)) >= 0) {
        size_t k = (size_t)i - at;
        if (k) memcpy(out + o, s + at, k);
        o += k;
        if (r) memcpy(out + o, rep, r);
        o += r;
        at = (size_t)i + m;
    }
    if (n > at) memcpy(out + o, s + at, n - at);
}

static size_t special(double v, char *buf) {
    const char *t = isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
    size_t n = strlen(t);
    memcpy(buf, t, n + 1);
    return n;
}

size_t nc_float_repr(double v, char buf[NC_REPR_BUF]) {
    if (isnan(v) || isinf(v)) return special(v, buf);
    int n = 0, prec;
    for (prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, NC_REPR_BUF, "%.*g", prec, v);
        if (n < 0 || n >= NC_REPR_BUF) { /* not reached: %g of a double is short */
            memcpy(buf, "nan", 4);
            return 3;
        }
        if (strtod(buf, NULL) == v) break; /* %.17g always round-trips */
    }
    /* %g writes 100 as 1e+02 (its exponent >= the precision): write the digits out instead
     * while the exponent is below 17, if that reads back the same */
    char *e = strchr(buf, 'e');
    if (e != NULL) {
        int x = atoi(e + 1);
        char alt[NC_REPR_BUF];
        if (x >= prec && x < 17) {
            int m = snprintf(alt, sizeof alt, "%.*g", x + 1, v);
            if (m > 0 && m < NC_REPR_BUF && strtod(alt, NULL) == v) {
                memcpy(buf, alt, (size_t)m + 1);
                n = m;
            }
        }
    }
    if (!strpbrk(buf, ".e") && n + 2 < NC_REPR_BUF) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    return (size_t)n;
}

size_t nc_float_fixed(double v, int digits, char buf[NC_FIXED_BUF]) {
    if (isnan(v) || isinf(v)) return special(v, buf);
    if (digits < 0) digits = 0;
    if (digits > NC_FIXED_MAX_DIGITS) digits = NC_FIXED_MAX_DIGITS;
    int n = snprintf(buf, NC_FIXED_BUF, "%.*f", digits, v);
    if (n < 0 || n >= NC_FIXED_BUF) { /* not reached: 309 integer digits at most */
        memcpy(buf, "nan", 4);
        return 3;
    }
    return (size_t)n;
}

int nc_cmp_int(int64_t a, int64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

int nc_cmp_float(double a, double b) {
    bool na = isnan(a), nb = isnan(b);
    if (na || nb) return na && nb ? 0 : na ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
}

int nc_cmp_bytes(const char *a, size_t n, const char *b, size_t m) {
    size_t k = n < m ? n : m;
    int c = k ? memcmp(a, b, k) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    return n < m ? -1 : n > m ? 1 : 0;
}

/* Merges the sorted runs [lo, mid) and [mid, hi) of base through tmp. */
static void merge(char *base, size_t lo, size_t mid, size_t hi, size_t size,
                  int (*cmp)(const void *, const void *), char *tmp) {
    size_t i = lo, j = mid, o = 0;
    while (i < mid && j < hi) {
        if (cmp(base + j * size, base + i * size) < 0) { /* only a strictly smaller right side */
            memcpy(tmp + o * size, base + j * size, size);
            j++;
        } else {
            memcpy(tmp + o * size, base + i * size, size);
            i++;
        }
        o++;
    }
    if (i < mid) memcpy(tmp + o * size, base + i * size, (mid - i) * size), o += mid - i;
    if (j < hi) memcpy(tmp + o * size, base + j * size, (hi - j) * size), o += hi - j;
    memcpy(base + lo * size, tmp, o * size);
}

void nc_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *), void *tmp) {
    /* bottom-up: runs of 1, 2, 4, ... (no recursion, so no depth limit) */
    for (size_t w = 1; w < n; w = w > n / 2 ? n : w * 2)
        for (size_t lo = 0; lo + w < n; lo += 2 * w) {
            size_t hi = lo + 2 * w <= n && lo + 2 * w > lo ? lo + 2 * w : n;
            merge(base, lo, lo + w, hi, size, cmp, tmp);
        }
}
