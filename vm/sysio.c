/* sysio.c: the file-system, environment and clock services shared by the VM's traps and the
 * native runtime (sysio.h). */
#include "sysio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int err_or(int fallback) { return errno ? errno : fallback; }

int sysio_append(int dirfd, const char *path, const void *data, size_t len, unsigned mode) {
    /* O_NONBLOCK so that a FIFO without a reader fails (ENXIO) instead of waiting */
    int fd = openat(dirfd, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, mode);
    if (fd < 0) return err_or(EIO);
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    const char *p = data;
    int err = 0;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            err = err_or(EIO);
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0 && err == 0 && errno != EINTR) err = err_or(EIO);
    return err;
}

int sysio_remove(int dirfd, const char *path) {
    return unlinkat(dirfd, path, 0) == 0 ? 0 : err_or(EIO);
}

int sysio_rename(int dirfd, const char *from, const char *to) {
    return renameat(dirfd, from, dirfd, to) == 0 ? 0 : err_or(EIO);
}

int64_t sysio_file_size(int dirfd, const char *path) {
    struct stat st;
    if (fstatat(dirfd, path, &st, 0) != 0 || !S_ISREG(st.st_mode)) return -1;
    return (int64_t)st.st_size;
}

int sysio_dir_create(int dirfd, const char *path, unsigned mode) {
    return mkdirat(dirfd, path, mode) == 0 ? 0 : err_or(EIO);
}

int sysio_dir_remove(int dirfd, const char *path) {
    return unlinkat(dirfd, path, AT_REMOVEDIR) == 0 ? 0 : err_or(EIO);
}

int sysio_dir_exists(int dirfd, const char *path) {
    struct stat st;
    return fstatat(dirfd, path, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

int sysio_file_kind(int dirfd, const char *path) {
    struct stat st;
    if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
    return S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 2 : S_ISLNK(st.st_mode) ? 3 : 4;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b); /* strcmp compares as unsigned char */
}

void sysio_free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

int sysio_dir_list(int dirfd, const char *path, char ***names, size_t *n) {
    *names = NULL;
    *n = 0;
    int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return err_or(EIO);
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        int e = err_or(EIO);
        close(fd);
        return e;
    }
    char **v = NULL;
    size_t len = 0, cap = 0;
    int err = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (e == NULL) {
            err = errno;
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nv = realloc(v, nc * sizeof *nv);
            if (nv == NULL) {
                err = ENOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        if ((v[len] = strdup(e->d_name)) == NULL) {
            err = ENOMEM;
            break;
        }
        len++;
    }
    closedir(d);
    if (err != 0) {
        sysio_free_names(v, len);
        return err;
    }
    if (len > 1) qsort(v, len, sizeof *v, cmp_names);
    *names = v;
    *n = len;
    return 0;
}

char *sysio_getcwd(int dirfd) {
    char buf[PATH_MAX + 1];
    if (dirfd == AT_FDCWD) {
        if (getcwd(buf, sizeof buf) == NULL) return NULL;
        return strdup(buf);
    }
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    ssize_t r = readlink(link, buf, sizeof buf - 1);
    if (r <= 0 || buf[0] != '/') return NULL;
    buf[r] = '\0';
    return strdup(buf);
}

const char *sysio_tmp_dir(const char *tmpdir_env) {
    return tmpdir_env != NULL && tmpdir_env[0] != '\0' ? tmpdir_env : "/tmp";
}

/* 8 bytes from the kernel's random source, or, failing that, from the clock, the process id and
 * the attempt number. */
static uint64_t random_bits(int attempt) {
    uint64_t x = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = read(fd, &x, sizeof x);
        close(fd);
        if (r == (ssize_t)sizeof x) return x;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 20) ^
        (uint64_t)attempt;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

int sysio_mktemp(int dirfd, const char *dir, const char *prefix, int dir_too, char **path) {
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    *path = NULL;
    if (strchr(prefix, '/') != NULL) return EINVAL;
    size_t dn = strlen(dir), pn = strlen(prefix);
    const char *sep = dn > 0 && dir[dn - 1] == '/' ? "" : "/";
    char *p = malloc(dn + 1 + pn + 7);
    if (p == NULL) return ENOMEM;
    int err = EEXIST;
    for (int attempt = 0; attempt < 100 && err == EEXIST; attempt++) {
        uint64_t r = random_bits(attempt);
        char suffix[7];
        for (int i = 0; i < 6; i++, r /= 62) suffix[i] = chars[r % 62];
        suffix[6] = '\0';
        sprintf(p, "%s%s%s%s", dir, sep, prefix, suffix);
        if (dir_too) {
            err = mkdirat(dirfd, p, 0700) == 0 ? 0 : err_or(EIO);
        } else {
            int fd = openat(dirfd, p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
            err = fd >= 0 ? 0 : err_or(EIO);
            if (fd >= 0) close(fd);
        }
    }
    if (err != 0) {
        free(p);
        return err;
    }
    *path = p;
    return 0;
}

int sysio_env_name_ok(const char *name) { return name[0] != '\0' && strchr(name, '=') == NULL; }

int64_t sysio_time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}
