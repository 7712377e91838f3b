/* io_status.c: file_read_status, the status of reading a whole file (docs/BUILTINS.md): 0 when
 * file_read can read it, else the errno value that stops file_read; the same steps as the VM's
 * READ_FILE trap and file_read (vm/fileio.c: regular files of at most 1 GiB), with the bytes
 * dropped. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "nanort.h"

int64_t nr_file_read_status(nr_str path) {
    if (path.len > 0 && memchr(path.ptr, 0, (size_t)path.len) != NULL) return EINVAL;
    char *p = nr_alloc_atomic((size_t)path.len + 1);
    memcpy(p, path.ptr, (size_t)path.len);
    p[path.len] = '\0';
    char *data = NULL;
    size_t len = 0;
    int err = fileio_read(p, SIZE_MAX, &data, &len);
    free(data);
    return err;
}
