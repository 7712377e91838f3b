/* numfmt.c: see numfmt.h. */
#include "numfmt.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t nf_format_int(int64_t v, char buf[NF_INT_BUF]) {
    char tmp[NF_INT_BUF];
    size_t n = 0;
    /* work on the magnitude as unsigned so INT64_MIN needs no special case */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    size_t len = 0;
    if (v < 0) buf[len++] = '-';
    while (n > 0) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

size_t nf_format_float(double v, char buf[NF_FLOAT_BUF]) {
    if (isnan(v)) {
        memcpy(buf, "nan", 4);
        return 3;
    }
    if (isinf(v)) {
        if (v < 0) {
            memcpy(buf, "-inf", 5);
            return 4;
        }
        memcpy(buf, "inf", 4);
        return 3;
    }
    int n = snprintf(buf, NF_FLOAT_BUF, "%g", v);
    return n < 0 ? 0 : (size_t)n;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int64_t nf_parse_int(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && is_space(s[i])) i++;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    uint64_t acc = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        acc = acc * 10u + (uint64_t)(s[i] - '0');
        i++;
    }
    if (neg) acc = (uint64_t)0 - acc;
    /* two's complement reinterpretation without implementation-defined conversion */
    return acc <= (uint64_t)INT64_MAX ? (int64_t)acc : -(int64_t)(~acc) - 1;
}

double nf_parse_float(const char *s, size_t len) {
    char small[64];
    char *copy = len < sizeof small ? small : malloc(len + 1);
    if (copy == NULL) return 0.0;
    memcpy(copy, s, len);
    copy[len] = '\0';
    char *end = copy;
    double v = strtod(copy, &end);
    if (end == copy) v = 0.0;
    if (copy != small) free(copy);
    return v;
}

int nf_parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *s == '-') return -1;
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K') mul = 1ull << 10, end++;
    else if (*end == 'm' || *end == 'M') mul = 1ull << 20, end++;
    else if (*end == 'g' || *end == 'G') mul = 1ull << 30, end++;
    if (*end != '\0' || v == 0 || v > SIZE_MAX / mul) return -1;
    *out = (size_t)(v * mul);
    return 0;
}
