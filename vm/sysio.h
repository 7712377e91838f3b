/* sysio.h: the file-system, environment and clock services of the builtins added for the
 * standard library (file_append ... mktemp_dir, docs/BUILTINS.md), shared by the VM (their traps,
 * vm/harness.c) and the native runtime (bootstrap/sys.c), so that the two behave the same.  A
 * relative path is resolved against the directory descriptor dirfd: the process's own working
 * directory in the VM, AT_FDCWD natively.  Paths are NUL-terminated (the callers refuse strings
 * with a NUL byte).  Every status is 0 or a positive errno value.
 *
 * Layer: with the harness (I/O); it uses nothing of the VM. */
#ifndef NANOVM_SYSIO_H
#define NANOVM_SYSIO_H

#include <stddef.h>
#include <stdint.h>

/* Appends len bytes to the file at path, creating it with the permission bits mode (less the OS
 * process's umask) when it does not exist.  A FIFO without a reader is ENXIO at once. */
int sysio_append(int dirfd, const char *path, const void *data, size_t len, unsigned mode);
/* Removes the file (unlink: EISDIR for a directory). */
int sysio_remove(int dirfd, const char *path);
/* Renames from to to (rename: replaces a file at to). */
int sysio_rename(int dirfd, const char *from, const char *to);
/* The size of the regular file at path (links followed), -1 when it is not one. */
int64_t sysio_file_size(int dirfd, const char *path);
/* Creates the directory with permission bits mode (less the OS process's umask). */
int sysio_dir_create(int dirfd, const char *path, unsigned mode);
/* Removes the empty directory. */
int sysio_dir_remove(int dirfd, const char *path);
/* Whether path names a directory (links followed). */
int sysio_dir_exists(int dirfd, const char *path);
/* What path names, a final symbolic link not followed (fstatat AT_SYMLINK_NOFOLLOW): 0 nothing
 * (missing or not examinable), 1 a regular file, 2 a directory, 3 a symbolic link, 4 anything
 * else (device, FIFO, socket). */
int sysio_file_kind(int dirfd, const char *path);
/* The names in the directory except "." and "..", sorted by bytes: a malloc'd array of *n
 * malloc'd strings (free with sysio_free_names), or an errno value with *names NULL, *n 0. */
int sysio_dir_list(int dirfd, const char *path, char ***names, size_t *n);
void sysio_free_names(char **names, size_t n);
/* The absolute path of the directory dirfd (AT_FDCWD: the OS process's working directory), a
 * malloc'd string, or NULL. */
char *sysio_getcwd(int dirfd);
/* The directory for temporary files given the value of TMPDIR (NULL: unset): TMPDIR unless it
 * is NULL or "", else "/tmp". */
const char *sysio_tmp_dir(const char *tmpdir_env);
/* Creates a new empty file (mode 0600), or directory (mode 0700) when dir_too, in directory
 * dir, named prefix followed by 6 random characters of [A-Za-z0-9]: 0 with *path (malloc'd:
 * dir, a "/" unless dir ends with one, the name), or an errno value (EINVAL when prefix has a
 * "/"). */
int sysio_mktemp(int dirfd, const char *dir, const char *prefix, int dir_too, char **path);
/* Whether name is a valid environment variable name: not empty, no "=". */
int sysio_env_name_ok(const char *name);
/* Seconds since the epoch (CLOCK_REALTIME). */
int64_t sysio_time_now(void);

#endif
