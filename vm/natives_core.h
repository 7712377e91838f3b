/* natives_core.h: the byte-level work of the native builtins (isa/builtins.def rows whose
 * lowering is NATIVE), the one implementation shared by the VM (vm/natives.c) and the native
 * bootstrap runtime (bootstrap/natives.c compiles against this file too), so that both give the
 * same bytes for the same arguments.  Pure functions: no allocation, no locale, no state; the
 * callers allocate the results and report the errors. */
#ifndef NANOVM_NATIVES_CORE_H
#define NANOVM_NATIVES_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whitespace for the trims: the bytes is_whitespace accepts (9..13 and 32). */
bool nc_is_space(unsigned char c);

/* The part of s[0..n) left after removing leading (left) and trailing (right) whitespace:
 * *start and *len. */
void nc_trim(const char *s, size_t n, bool left, bool right, size_t *start, size_t *len);

/* ASCII case mapping of one character code; every other value is returned unchanged. */
int64_t nc_char_lower(int64_t c);
int64_t nc_char_upper(int64_t c);

/* out[i] = the ASCII lower (upper) case of s[i], for i < n. */
void nc_map_case(const char *s, size_t n, char *out, bool upper);

/* 0..9 for the character codes '0'..'9', else -1. */
int64_t nc_digit_value(int64_t c);

/* The first offset >= from where pat[0..m) occurs in s[0..n), or -1 (m > 0). */
int64_t nc_find(const char *s, size_t n, size_t from, const char *pat, size_t m);

/* Non-overlapping occurrences of pat (m > 0) in s, found left to right. */
size_t nc_count(const char *s, size_t n, const char *pat, size_t m);

/* Writes s with every non-overlapping occurrence of pat (m > 0, left to right) replaced by
 * rep[0..r) to out, which has room for n - count*m + count*r bytes. */
void nc_replace(const char *s, size_t n, const char *pat, size_t m, const char *rep, size_t r,
                char *out);

/* Room for any float_to_repr result and a NUL. */
#define NC_REPR_BUF 40
/* The shortest decimal that reads back (strtod) as exactly v: printf's %.Pg for the smallest P
 * in 1..17 that round-trips, written with all its digits instead of an exponent when the
 * exponent is below 17 (100.0, not 1e+02), with ".0" appended when that has no '.' or 'e' (so
 * that it reads as a float); "-0.0", "inf", "-inf", "nan" for the special values.  Returns the
 * length. */
size_t nc_float_repr(double v, char buf[NC_REPR_BUF]);

/* The largest digits float_to_fixed accepts, and room for its longest result and a NUL. */
#define NC_FIXED_MAX_DIGITS 100
#define NC_FIXED_BUF 420
/* v with `digits` (0..NC_FIXED_MAX_DIGITS) digits after the point: printf's %.*f, except that
 * infinities are "inf" / "-inf" and every NaN is "nan".  Returns the length. */
size_t nc_float_fixed(double v, int digits, char buf[NC_FIXED_BUF]);

/* The orders array_sort sorts by: -1, 0 or 1. */
int nc_cmp_int(int64_t a, int64_t b);
/* Numeric order; -0.0 and 0.0 are equal; every NaN is equal to every NaN and after all
 * numbers. */
int nc_cmp_float(double a, double b);
/* Byte order (unsigned), a prefix before the longer string: str_compare's order. */
int nc_cmp_bytes(const char *a, size_t n, const char *b, size_t m);

/* A stable merge sort of the n elements of `size` bytes at base by cmp (<= 0: keep the order);
 * tmp has room for n elements. */
void nc_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *), void *tmp);

/* ---- paths (POSIX style, "/" separates components; purely textual) ---- */

/* a and b joined by one "/": b when b starts with "/" or a is empty, a when b is empty, no
 * second "/" when a ends with one.  out has room for an + bn + 1 bytes; returns the length. */
size_t nc_path_join(const char *a, size_t an, const char *b, size_t bn, char *out);
/* The last component of s, trailing slashes ignored: *start and *len within s ("/" for a path
 * of only slashes, "" for ""). */
void nc_path_basename(const char *s, size_t n, size_t *start, size_t *len);
/* Everything of s before its last component, trailing slashes ignored: a prefix of s, or "."
 * when s has no "/" before its last component.  out has room for n + 1 bytes; returns the
 * length. */
size_t nc_path_dirname(const char *s, size_t n, char *out);
/* s with empty and "." components removed, "dir/.." pairs folded, repeated and trailing slashes
 * dropped; leading ".." of a relative path kept, ".." under "/" dropped; "" becomes ".".  out
 * has room for n + 1 bytes; returns the length. */
size_t nc_path_normalize(const char *s, size_t n, char *out);

/* ---- random numbers: splitmix64, one 64-bit state per process (seed s: state s) ---- */

uint64_t nc_rng_next(uint64_t *state);
/* Uniform in [lo, hi] (lo <= hi), without bias (rejection). */
int64_t nc_rng_range(uint64_t *state, int64_t lo, int64_t hi);
/* Uniform in [0, 1): the top 53 bits of the next number times 2^-53. */
double nc_rng_float(uint64_t *state);

/* ---- format: one value by a printf-style conversion ---- */

/* The largest width and precision format accepts. */
#define NC_FORMAT_MAX_WIDTH 10000
#define NC_FORMAT_MAX_PREC 100
/* Room for any %d, %f or %g conversion of NC_FORMAT_MAX_PREC digits and a NUL (before
 * padding). */
#define NC_FORMAT_NUM_BUF 440

/* A parsed format spec: literal text, one conversion %[-0+][WIDTH][.PREC]C (C one of s d f g),
 * literal text; "%%" in the text is one "%". */
typedef struct {
    size_t conv_start, conv_end; /* the conversion's bytes: spec[conv_start..conv_end) */
    char conv;                   /* 's', 'd', 'f' or 'g' */
    bool left, zero, plus;
    int width;                   /* 0: none */
    int prec;                    /* -1: none */
} NcFormat;

/* Parses spec[0..n): NULL, or why it is not a spec with exactly one conversion (a static
 * message). */
const char *nc_format_parse(const char *spec, size_t n, NcFormat *f);
/* The text of int v under f (conv 'd'), or of float v (conv 'f' or 'g'), before padding, in buf:
 * its length.  NaN is "nan" (with a sign only for '+'), infinities "inf" and "-inf". */
size_t nc_format_int(const NcFormat *f, int64_t v, char buf[NC_FORMAT_NUM_BUF]);
size_t nc_format_float(const NcFormat *f, double v, char buf[NC_FORMAT_NUM_BUF]);
/* The whole result for the converted value val[0..vn) (already truncated to the precision for
 * 's'): the text before the conversion, val padded to the width (spaces on the left, or on the
 * right with '-'; zeros after the sign with '0' for a number that starts with a digit after its
 * sign), the text after it, with "%%" written as "%".  out NULL: only the length is returned. */
size_t nc_format_write(const char *spec, size_t n, const NcFormat *f, const char *val, size_t vn,
                       char *out);

#endif
