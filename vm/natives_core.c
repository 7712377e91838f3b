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

/* ---- paths ---- */

size_t nc_path_join(const char *a, size_t an, const char *b, size_t bn, char *out) {
    if ((bn > 0 && b[0] == '/') || an == 0) {
        memcpy(out, b, bn);
        return bn;
    }
    memcpy(out, a, an);
    if (bn == 0) return an;
    size_t o = an;
    if (a[an - 1] != '/') out[o++] = '/';
    memcpy(out + o, b, bn);
    return o + bn;
}

/* The length of s[0..n) without its trailing slashes, but at least 1 when n > 0. */
static size_t trailing_slashes_off(const char *s, size_t n) {
    while (n > 1 && s[n - 1] == '/') n--;
    return n;
}

/* The offset of the last "/" in s[0..n), or -1. */
static int64_t last_slash(const char *s, size_t n) {
    while (n > 0)
        if (s[--n] == '/') return (int64_t)n;
    return -1;
}

void nc_path_basename(const char *s, size_t n, size_t *start, size_t *len) {
    size_t t = trailing_slashes_off(s, n);
    if (t == 1 && s[0] == '/') {
        *start = 0, *len = 1;
        return;
    }
    int64_t slash = last_slash(s, t);
    *start = (size_t)(slash + 1);
    *len = t - *start;
}

size_t nc_path_dirname(const char *s, size_t n, char *out) {
    size_t t = trailing_slashes_off(s, n);
    if (t == 1 && s[0] == '/') {
        out[0] = '/';
        return 1;
    }
    int64_t slash = last_slash(s, t);
    if (slash < 0) {
        out[0] = '.';
        return 1;
    }
    size_t d = trailing_slashes_off(s, (size_t)slash + 1);
    memcpy(out, s, d);
    return d;
}

size_t nc_path_normalize(const char *s, size_t n, char *out) {
    bool absolute = n > 0 && s[0] == '/';
    char *body = out + (absolute ? 1 : 0);
    size_t o = 0; /* body[0..o): the kept components joined by "/" */
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '/') j++;
        const char *c = s + i;
        size_t cn = j - i;
        i = j + 1;
        if (cn == 0 || (cn == 1 && c[0] == '.')) continue;
        if (cn == 2 && c[0] == '.' && c[1] == '.') {
            int64_t ls = last_slash(body, o);
            size_t last = (size_t)(ls + 1); /* start of the last kept component */
            bool last_is_up = o - last == 2 && body[last] == '.' && body[last + 1] == '.';
            if (o > 0 && !last_is_up) {
                o = ls < 0 ? 0 : (size_t)ls;
                continue;
            }
            if (absolute) continue;
        }
        if (o > 0) body[o++] = '/';
        memmove(body + o, c, cn); /* out never overtakes s: they are different buffers */
        o += cn;
    }
    if (absolute) {
        out[0] = '/';
        return o + 1;
    }
    if (o == 0) {
        out[0] = '.';
        return 1;
    }
    return o;
}

/* ---- random numbers ---- */

uint64_t nc_rng_next(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int64_t nc_rng_range(uint64_t *state, int64_t lo, int64_t hi) {
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1; /* 0: the whole range of int */
    uint64_t x = nc_rng_next(state);
    if (span == 0) return (int64_t)x;
    uint64_t reject_below = (0 - span) % span; /* 2^64 mod span */
    while (x < reject_below) x = nc_rng_next(state);
    return (int64_t)((uint64_t)lo + x % span);
}

double nc_rng_float(uint64_t *state) { return (double)(nc_rng_next(state) >> 11) * 0x1.0p-53; }

/* ---- format ---- */

const char *nc_format_parse(const char *spec, size_t n, NcFormat *f) {
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (spec[i] != '%') continue;
        if (i + 1 < n && spec[i + 1] == '%') {
            i++;
            continue;
        }
        if (found) return "more than one conversion";
        found = true;
        NcFormat g = {.conv_start = i, .prec = -1};
        size_t j = i + 1;
        for (; j < n && (spec[j] == '-' || spec[j] == '0' || spec[j] == '+'); j++) {
            if (spec[j] == '-') g.left = true;
            if (spec[j] == '0') g.zero = true;
            if (spec[j] == '+') g.plus = true;
        }
        for (; j < n && spec[j] >= '0' && spec[j] <= '9'; j++) {
            g.width = g.width * 10 + (spec[j] - '0');
            if (g.width > NC_FORMAT_MAX_WIDTH) return "width above 10000";
        }
        if (j < n && spec[j] == '.') {
            g.prec = 0;
            for (j++; j < n && spec[j] >= '0' && spec[j] <= '9'; j++) {
                g.prec = g.prec * 10 + (spec[j] - '0');
                if (g.prec > NC_FORMAT_MAX_PREC) return "precision above 100";
            }
        }
        if (j >= n) return "a conversion without its letter (s, d, f or g)";
        if (spec[j] != 's' && spec[j] != 'd' && spec[j] != 'f' && spec[j] != 'g')
            return "an unknown conversion (s, d, f or g)";
        g.conv = spec[j];
        if (g.conv == 'd' && g.prec >= 0) return "a precision with %d";
        g.conv_end = j + 1;
        *f = g;
        i = j;
    }
    return found ? NULL : "no conversion (s, d, f or g)";
}

size_t nc_format_int(const NcFormat *f, int64_t v, char buf[NC_FORMAT_NUM_BUF]) {
    int w = snprintf(buf, NC_FORMAT_NUM_BUF, f->plus ? "%+lld" : "%lld", (long long)v);
    return w > 0 ? (size_t)w : 0;
}

size_t nc_format_float(const NcFormat *f, double v, char buf[NC_FORMAT_NUM_BUF]) {
    if (v != v) { /* printf may write "-nan" */
        const char *t = f->plus ? "+nan" : "nan";
        memcpy(buf, t, strlen(t) + 1);
        return strlen(t);
    }
    int prec = f->prec < 0 ? 6 : f->prec;
    char fmt[8] = "%";
    size_t k = 1;
    if (f->plus) fmt[k++] = '+';
    fmt[k++] = '.', fmt[k++] = '*', fmt[k++] = f->conv, fmt[k] = '\0';
    int w = snprintf(buf, NC_FORMAT_NUM_BUF, fmt, prec, v);
    return w > 0 && w < NC_FORMAT_NUM_BUF ? (size_t)w : 0;
}

/* Copies text[0..n) to out (when not NULL) with "%%" as "%": the bytes written. */
static size_t literal(const char *text, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++, o++) {
        if (out) out[o] = text[i];
        if (text[i] == '%' && i + 1 < n && text[i + 1] == '%') i++;
    }
    return o;
}

size_t nc_format_write(const char *spec, size_t n, const NcFormat *f, const char *val, size_t vn,
                       char *out) {
    size_t o = literal(spec, f->conv_start, out);
    size_t pad = (size_t)f->width > vn ? (size_t)f->width - vn : 0;
    size_t sign = vn > 0 && (val[0] == '-' || val[0] == '+') ? 1 : 0;
    bool zeros = f->zero && !f->left && f->conv != 's' && vn > sign && val[sign] >= '0' &&
                 val[sign] <= '9';
    if (f->left) {
        if (out) memcpy(out + o, val, vn), memset(out + o + vn, ' ', pad);
    } else if (zeros) {
        if (out) {
            memcpy(out + o, val, sign);
            memset(out + o + sign, '0', pad);
            memcpy(out + o + sign + pad, val + sign, vn - sign);
        }
    } else if (out) {
        memset(out + o, ' ', pad);
        memcpy(out + o + pad, val, vn);
    }
    o += pad + vn;
    return o + literal(spec + f->conv_end, n - f->conv_end, out ? out + o : NULL);
}
