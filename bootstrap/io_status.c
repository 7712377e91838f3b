/* io_status.c: file_read_status, the status of reading a whole file (docs/BUILTINS.md): 0 when
 * it can be read to its end, else the errno value that stops the read; the same steps as the
 * VM's READ_FILE trap (open, a directory is EISDIR, read to the end), with the bytes dropped.
 * A file that does not end within NR_READ_STATUS_MAX bytes (an endless device such as
 * /dev/zero) is EFBIG, so the call always ends. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nanort.h"

#define NR_READ_STATUS_MAX ((uint64_t)1 << 32) /* 4 GiB, the VM's default heap */

int64_t nr_file_read_status(nr_str path) {
    if (path.len > 0 && memchr(path.ptr, 0, (size_t)path.len) != NULL) return EINVAL;
    char *p = nr_alloc_atomic((size_t)path.len + 1);
    memcpy(p, path.ptr, (size_t)path.len);
    p[path.len] = '\0';
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return EISDIR;
    }
    char buf[65536];
    int err = 0;
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (r == 0) break;
        total += (uint64_t)r;
        if (total > NR_READ_STATUS_MAX) {
            err = EFBIG;
            break;
        }
    }
    close(fd);
    return err;
}
