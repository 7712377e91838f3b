/* numfmt.h: number formatting and parsing, the one implementation shared by the VM and the
 * native bootstrap runtime (bootstrap/ compiles this file too), so that both give the same
 * bytes for the same numbers (docs/ARCHITECTURE.md section 4).  Pure functions, no locale, no
 * state. */
#ifndef NANOVM_NUMFMT_H
#define NANOVM_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#define NF_INT_BUF 24   /* enough for any int64 and a NUL */
#define NF_FLOAT_BUF 40 /* enough for any %g output and a NUL */

/* Decimal digits of v, optionally with a leading '-'.  Returns the length (buf is NUL
 * terminated). */
size_t nf_format_int(int64_t v, char buf[NF_INT_BUF]);

/* v as printf's "%g" in the C locale, except that infinities are "inf" / "-inf" and every NaN
 * is "nan".  Returns the length. */
size_t nf_format_float(double v, char buf[NF_FLOAT_BUF]);

/* Integer from the bytes s[0..len): leading ASCII whitespace is skipped, then an optional '+'
 * or '-', then decimal digits up to the first non-digit.  Overflow wraps (two's complement).
 * No digits gives 0. */
int64_t nf_parse_int(const char *s, size_t len);

/* Float from the bytes s[0..len): strtod's C-locale syntax on the longest valid prefix after
 * leading whitespace (decimal, exponent, "inf", "nan", hex floats); no valid prefix gives 0.0. */
double nf_parse_float(const char *s, size_t len);

/* A size from the command line (nano_vm's and nano_vmd's --heap, nano_vm's --stack, --frames and
 * step limits): decimal digits with an optional suffix k, m or g (times 2^10, 2^20, 2^30), the
 * whole string, positive and at most SIZE_MAX.  0 with *out, or -1 (*out unchanged). */
int nf_parse_size(const char *s, size_t *out);

#endif
