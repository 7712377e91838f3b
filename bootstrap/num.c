/* num.c: numeric builtins; formatting and parsing are vm/numfmt.c, shared with the VM. */
#include "nanort.h"

#include <math.h>

#include "numfmt.h"

int64_t nr_abs_int(int64_t x) { return x < 0 ? nr_neg(x) : x; }
double nr_abs_float(double x) { return fabs(x); }
int64_t nr_min_int(int64_t a, int64_t b) { return a < b ? a : b; }
int64_t nr_max_int(int64_t a, int64_t b) { return a > b ? a : b; }
double nr_min_float(double a, double b) { return a < b ? a : b; }
double nr_max_float(double a, double b) { return a > b ? a : b; }
double nr_sqrt(double x) { return sqrt(x); }
double nr_floor(double x) { return floor(x); }
double nr_ceil(double x) { return ceil(x); }
double nr_round(double x) { return round(x); }
double nr_sin(double x) { return sin(x); }
double nr_cos(double x) { return cos(x); }
double nr_tan(double x) { return tan(x); }
double nr_exp(double x) { return exp(x); }
double nr_log(double x) { return log(x); }
double nr_pow(double a, double b) { return pow(a, b); }
double nr_atan2(double a, double b) { return atan2(a, b); }
double nr_int_to_float(int64_t i) { return (double)i; }

int64_t nr_float_to_int(double f) {
    if (isnan(f)) return 0;
    if (f >= 9223372036854775808.0) return INT64_MAX;
    if (f < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)f; /* in range: truncation toward zero is defined */
}

static nr_str copy_out(const char *buf, size_t n) {
    char *p = nr_alloc_atomic(n);
    memcpy(p, buf, n);
    return (nr_str){(int64_t)n, p};
}

nr_str nr_int_to_string(int64_t i) {
    char buf[NF_INT_BUF];
    return copy_out(buf, nf_format_int(i, buf));
}

nr_str nr_float_to_string(double f) {
    char buf[NF_FLOAT_BUF];
    return copy_out(buf, nf_format_float(f, buf));
}

nr_str nr_bool_to_string(bool b) { return b ? NR_LIT("true", 4) : NR_LIT("false", 5); }

int64_t nr_string_to_int(nr_str s) { return nf_parse_int(s.ptr, (size_t)s.len); }
double nr_string_to_float(nr_str s) { return nf_parse_float(s.ptr, (size_t)s.len); }
