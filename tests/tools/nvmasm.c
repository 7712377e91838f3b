/* nvmasm: assemble a NanoISA text file (syntax: tests/lib/nvmasm.h) into a .nvm file, for the
 * shell-script tests.
 *
 *   nvmasm IN.s OUT.nvm        (IN.s may be - for standard input)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmasm.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: nvmasm IN.s OUT.nvm\n");
        return 64;
    }
    FILE *in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
    if (in == NULL) {
        perror(argv[1]);
        return 66;
    }
    size_t cap = 1 << 16, n = 0;
    char *src = malloc(cap);
    while (src != NULL) {
        n += fread(src + n, 1, cap - n - 1, in);
        if (n < cap - 1) break;
        cap *= 2;
        src = realloc(src, cap);
    }
    if (src == NULL) return 70;
    src[n] = '\0';
    NB *b = asm_builder(src);
    int r = nb_write_file(b, argv[2]);
    nb_free(b);
    free(src);
    if (r != 0) {
        perror(argv[2]);
        return 73;
    }
    return 0;
}
