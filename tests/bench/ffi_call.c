/* ffi_call.c: the in-process peer of extern_labs.nano for make bench (tests/bench/ffi.sh):
 * 100,000 calls of labs through libffi's ffi_call in this process, as nano_cop makes them,
 * without the pipes.  Prints the microseconds per call. */
#include <ffi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    if (n <= 0) n = 100000;
    ffi_cif cif;
    ffi_type *args[1] = {&ffi_type_slong};
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_slong, args) != FFI_OK) return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long sum = 0;
    for (long i = 0; i < n; i++) {
        long x = -i;
        void *av[1] = {&x};
        ffi_arg r;
        ffi_call(&cif, FFI_FN(labs), &r, av);
        sum += (long)r;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3;
    if (sum != n * (n - 1) / 2) return 2;
    printf("%.3f\n", us / (double)n);
    return 0;
}
