/* fileio.c: see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* Writes all n bytes; 0 or an errno value. */
static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (w == 0) return EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A device, FIFO or socket: written in place, as it is (no truncation, no creation). */
static int write_special(const char *path, const char *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return errno;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* now block on a slow reader */
    int err = write_all(fd, data, len);
    if (close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
    return err;
}

/* A name for the new file, from a few bits that differ between calls (there is no state to keep
 * a counter in: the library has no globals). */
static void temp_name(char *buf, size_t n, size_t dirlen, const char *path, unsigned attempt) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 16) ^
                 (uint64_t)(uintptr_t)buf ^ ((uint64_t)attempt * 0x9E3779B97F4A7C15ull);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    snprintf(buf, n, "%.*s.nano-write-%016llx.tmp", (int)dirlen, path, (unsigned long long)x);
}

/* The hops follow_links takes before giving up with ELOOP (the kernel's own limit). */
#define FOLLOW_MAX 40

/* The name a write to path replaces: path itself, or the end of its chain of symbolic links,
 * which need not exist (a dangling link: its target is created). *out is a new string, or NULL
 * for path itself; *st and *exists describe the final name. 0 or an errno value (ELOOP for a
 * chain longer than FOLLOW_MAX, as a loop is). */
static int follow_links(const char *path, char **out, struct stat *st, int *exists) {
    *out = NULL;
    *exists = 0;
    char *cur = NULL;
    for (int hop = 0;; hop++) {
        const char *p = cur ? cur : path;
        if (lstat(p, st) != 0) {
            if (errno == ENOENT) break;
            free(cur);
            return errno;
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = 1;
            break;
        }
        if (hop == FOLLOW_MAX) {
            free(cur);
            return ELOOP;
        }
        size_t cap = (size_t)st->st_size + 1; /* 0 for some file systems' links: then grow */
        if (cap < 256) cap = 256;
        char *target = NULL;
        ssize_t r;
        for (;;) {
            char *t = realloc(target, cap);
            if (t == NULL) {
                free(target);
                free(cur);
                return ENOMEM;
            }
            target = t;
            r = readlink(p, target, cap);
            if (r < 0 || (size_t)r < cap) break;
            cap *= 2;
        }
        if (r < 0) {
            int e = errno;
            free(target);
            free(cur);
            return e;
        }
        target[r] = '\0';
        /* a relative target is relative to the link's directory */
        const char *slash = strrchr(p, '/');
        size_t dirlen = (target[0] != '/' && slash) ? (size_t)(slash - p) + 1 : 0;
        char *next = malloc(dirlen + (size_t)r + 1);
        if (next == NULL) {
            free(target);
            free(cur);
            return ENOMEM;
        }
        memcpy(next, p, dirlen);
        memcpy(next + dirlen, target, (size_t)r + 1);
        free(target);
        free(cur);
        cur = next;
    }
    *out = cur;
    return 0;
}

/* fileio_write (keep 1) and fileio_write_exec (keep 0). */
static int write_file(const char *path, const void *data, size_t len, unsigned mode, int keep) {
    struct stat st;
    int exists = 0;
    char *resolved = NULL;
    /* through symbolic links: their final target is what gets replaced, or created */
    int ferr = follow_links(path, &resolved, &st, &exists);
    if (ferr != 0) return ferr;
    if (resolved != NULL) path = resolved;
    int err = 0;
    if (exists && S_ISDIR(st.st_mode)) {
        err = EISDIR;
    } else if (exists && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0) {
        err = errno; /* a file we may not write is not replaced either (rename would let us) */
    } else if (exists && !S_ISREG(st.st_mode)) {
        err = write_special(path, data, len);
    } else {
        /* the new file: in path's directory, so that rename replaces path atomically */
        const char *slash = strrchr(path, '/');
        size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
        size_t n = dirlen + 64;
        char *tmp = malloc(n);
        if (tmp == NULL) {
            free(resolved);
            return ENOMEM;
        }
        int fd = -1;
        for (unsigned attempt = 0; attempt < 100; attempt++) {
            temp_name(tmp, n, dirlen, path, attempt);
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, (mode_t)(mode & 07777));
            if (fd >= 0 || errno != EEXIST) break;
        }
        if (fd < 0) {
            err = errno;
        } else {
            if (!keep) {
                /* exactly mode, whatever the OS process's umask and the replaced file's mode */
                if (fchmod(fd, mode & 07777) != 0) err = errno;
            } else if (exists) {
                /* keep the replaced file's owner (where permitted) and mode */
                if (fchown(fd, st.st_uid, st.st_gid) != 0) { /* not permitted: ours */ }
                if (fchmod(fd, st.st_mode & 07777) != 0) err = errno;
            }
            if (err == 0) err = write_all(fd, data, len);
            if (err == 0 && fsync(fd) != 0) err = errno;
            if (close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
            if (err == 0 && rename(tmp, path) != 0) err = errno;
            if (err != 0) {
                unlink(tmp);
            } else {
                /* the rename itself to the device (best effort: the new contents are in place) */
                tmp[dirlen] = '\0';
                int dfd = open(dirlen ? tmp : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0) {
                    (void)fsync(dfd);
                    close(dfd);
                }
            }
        }
        free(tmp);
    }
    free(resolved);
    return err;
}

int fileio_write(const char *path, const void *data, size_t len, unsigned mode) {
    return write_file(path, data, len, mode, 1);
}

int fileio_write_exec(const char *path, const void *data, size_t len, unsigned mode) {
    return write_file(path, data, len, mode, 0);
}
