/* str.c: immutable byte strings. */
#include "nanort.h"

static const char empty[1] = "";

static nr_str make(const char *p, int64_t n) {
    if (n == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic((size_t)n);
    memcpy(q, p, (size_t)n);
    return (nr_str){n, q};
}

nr_str nr_str_concat(nr_str a, nr_str b) {
    if (a.len == 0) return b;
    if (b.len == 0) return a;
    char *q = nr_alloc_atomic((size_t)a.len + (size_t)b.len);
    memcpy(q, a.ptr, (size_t)a.len);
    memcpy(q + a.len, b.ptr, (size_t)b.len);
    return (nr_str){a.len + b.len, q};
}

nr_str nr_str_substring(nr_str s, int64_t start, int64_t len, const char *file, int64_t line) {
    if (start < 0 || len < 0 || start > s.len || len > s.len - start)
        nr_fail(file, line, "substring [%lld, %lld) out of range for string of length %lld",
                (long long)start, (long long)nr_add(start, len), (long long)s.len);
    if (len == 0) return (nr_str){0, empty};
    return (nr_str){len, s.ptr + start}; /* strings are immutable: share the bytes */
}

bool nr_str_equals(nr_str a, nr_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

int64_t nr_str_compare(nr_str a, nr_str b) {
    int64_t n = a.len < b.len ? a.len : b.len;
    int c = n > 0 ? memcmp(a.ptr, b.ptr, (size_t)n) : 0; /* memcmp compares as unsigned char */
    if (c != 0) return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

int64_t nr_str_index_of(nr_str s, nr_str part) {
    if (part.len == 0) return 0;
    for (int64_t i = 0; i + part.len <= s.len; i++)
        if (s.ptr[i] == part.ptr[0] && memcmp(s.ptr + i, part.ptr, (size_t)part.len) == 0) return i;
    return -1;
}

bool nr_str_contains(nr_str s, nr_str part) { return nr_str_index_of(s, part) >= 0; }

bool nr_str_starts_with(nr_str s, nr_str prefix) {
    if (prefix.len == 0) return true;
    return prefix.len <= s.len && memcmp(s.ptr, prefix.ptr, (size_t)prefix.len) == 0;
}

bool nr_str_ends_with(nr_str s, nr_str suffix) {
    if (suffix.len == 0) return true;
    return suffix.len <= s.len && memcmp(s.ptr + (s.len - suffix.len), suffix.ptr, (size_t)suffix.len) == 0;
}

nr_str nr_str_join(nr_array *parts) {
    const nr_str *p = (const nr_str *)parts->data;
    size_t total = 0;
    for (int64_t i = 0; i < parts->len; i++) total += (size_t)p[i].len;
    if (total == 0) return (nr_str){0, empty};
    char *q = nr_alloc_atomic(total);
    size_t at = 0;
    for (int64_t i = 0; i < parts->len; i++) {
        if (p[i].len > 0) memcpy(q + at, p[i].ptr, (size_t)p[i].len);
        at += (size_t)p[i].len;
    }
    return (nr_str){(int64_t)total, q};
}

_Noreturn void nr_char_index_fail(nr_str s, int64_t i, const char *file, int64_t line) {
    nr_fail(file, line, "index %lld out of range for string of length %lld", (long long)i,
            (long long)s.len);
}

nr_str nr_string_from_char(int64_t c, const char *file, int64_t line) {
    if (c < 0 || c > 255) nr_fail(file, line, "string_from_char: %lld is not a byte (0..255)", (long long)c);
    char b = (char)(unsigned char)c;
    return make(&b, 1);
}

bool nr_is_digit(int64_t c) { return c >= '0' && c <= '9'; }
bool nr_is_upper(int64_t c) { return c >= 'A' && c <= 'Z'; }
bool nr_is_lower(int64_t c) { return c >= 'a' && c <= 'z'; }
bool nr_is_alpha(int64_t c) { return nr_is_upper(c) || nr_is_lower(c); }
bool nr_is_alnum(int64_t c) { return nr_is_alpha(c) || nr_is_digit(c); }
bool nr_is_whitespace(int64_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
