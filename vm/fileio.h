/* fileio.h: reading a whole file, bounded; shared by the VM (the READ_FILE trap, vm/harness.c)
 * and the native runtime (file_read, bootstrap/io.c), so that the two behave the same.
 *
 * Layer: with the harness (I/O); it uses nothing of the VM. */
#ifndef NANOVM_FILEIO_H
#define NANOVM_FILEIO_H

#include <stddef.h>

/* The largest file file_read reads: 1 GiB.  A larger one is refused (EFBIG) before anything is
 * read. */
#define FILEIO_READ_MAX ((size_t)1 << 30)

/* Returned by fileio_read when the file fits under FILEIO_READ_MAX but not in the caller's
 * budget. */
#define FILEIO_OVER_BUDGET (-1)

/* Reads the whole regular file at path into a malloc'd buffer (*data, NUL-terminated after its
 * *len bytes).  Returns 0; or an errno value: that of open or read, EISDIR for a directory,
 * EINVAL for anything else that is not a regular file (a device, a FIFO, a socket: refused
 * without reading and without waiting for a FIFO's writer), EFBIG for a file of more than
 * FILEIO_READ_MAX bytes, ENOMEM; or FILEIO_OVER_BUDGET for a file of more than budget bytes
 * (budget SIZE_MAX: none).  On failure *data is NULL and *len 0. */
int fileio_read(const char *path, size_t budget, char **data, size_t *len);

#endif
