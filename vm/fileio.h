/* fileio.h: reading a whole file, bounded, and replacing a whole file atomically; shared by the
 * VM (the READ_FILE and WRITE_FILE traps, vm/harness.c) and the native runtime (file_read and
 * file_write, bootstrap/io.c), so that the two behave the same.
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

/* Creates or replaces the file at path with the len bytes at data, so that it is never seen half
 * written and a failure loses nothing: for a regular file (or none yet) the data goes to a new
 * file in the same directory, which is flushed to the device (fsync) and then renamed over path;
 * the replaced file's mode (and, where permitted, owner) is kept; a symbolic link is followed and
 * its target replaced.  When any step fails the new file is removed and the old one is left as it
 * was.  A device, FIFO or socket that exists at path is written in place (a FIFO without a
 * reader is ENXIO at once).  Returns 0, or the errno value of the step that failed (EISDIR for a
 * directory, ENOSPC or EDQUOT for a full device, EFBIG past the file size limit, EIO, ...); a
 * failure reported by fsync or close counts.  A file that did not exist is created with the
 * permission bits mode (less the OS process's umask). */
int fileio_write(const char *path, const void *data, size_t len, unsigned mode);

/* The same, for an executable (the WRITE_EXEC_FILE trap, file_write_exec): a regular file (new
 * or replaced, atomically as above) gets exactly the permission bits mode, neither the replaced
 * file's nor less the OS process's umask (the caller applies the program's umask). */
int fileio_write_exec(const char *path, const void *data, size_t len, unsigned mode);

#endif
