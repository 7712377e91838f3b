/* vmd_client_file.c: vmd_client_run and vmd_client_run_heap, a .nvm file run through nano_vmd (vmd_client.h); apart
 * from vmd_client.c because it reads the file with the VM's program reader. */
#include <stdio.h>
#include <stdlib.h>

#include "program.h"
#include "vmd_client.h"

int vmd_client_run(const char *path, int argc, char **argv) {
    return vmd_client_run_heap(path, argc, argv, 0);
}

int vmd_client_run_heap(const char *path, int argc, char **argv, uint64_t heap_max) {
    uint8_t *bytes;
    size_t len;
    char err[600];
    int rr = program_read_file(path, &bytes, &len, err, sizeof err);
    if (rr != PROGRAM_READ_OK) {
        fprintf(stderr, "nano_vm: %s\n", err);
        return rr == PROGRAM_READ_INVALID ? 65 : 66;
    }
    int status = vmd_client_run_image_heap(bytes, len, argc, argv, heap_max);
    free(bytes);
    return status;
}
