/* fileio.c: see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int fileio_read(const char *path, size_t budget, char **data, size_t *len) {
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return errno;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0) err = errno;
    else if (S_ISDIR(st.st_mode)) err = EISDIR;
    else if (!S_ISREG(st.st_mode)) err = EINVAL;
    else if ((uintmax_t)st.st_size > FILEIO_READ_MAX) err = EFBIG;
    else if ((uintmax_t)st.st_size > budget) err = FILEIO_OVER_BUDGET;
    if (err != 0) {
        close(fd);
        return err;
    }
    /* the size is a hint: the file may grow or shrink while it is read, and files of /proc say 0 */
    size_t limit = budget < FILEIO_READ_MAX ? budget : FILEIO_READ_MAX;
    size_t most = limit + 2; /* room for one byte more than the limit, and the NUL */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    if (cap < 4096) cap = 4096;
    char *buf = malloc(cap);
    if (buf == NULL) err = ENOMEM;
    while (err == 0) {
        if (n == cap - 1) { /* full (n <= limit, else the loop has ended): grow */
            size_t ncap = cap > most / 2 ? most : cap * 2;
            char *b = realloc(buf, ncap);
            if (b == NULL) {
                err = ENOMEM;
                break;
            }
            buf = b;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > limit) break;
    }
    close(fd);
    if (err == 0 && n > limit) err = n > FILEIO_READ_MAX ? EFBIG : FILEIO_OVER_BUDGET;
    if (err != 0) {
        free(buf);
        return err;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
