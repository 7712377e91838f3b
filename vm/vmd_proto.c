/* vmd_proto.c: see vmd_proto.h. */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED, MSG_CMSG_CLOEXEC */
#include "vmd_proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

void vmd_put32(unsigned char *b, uint32_t v) {
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

uint32_t vmd_get32(const unsigned char *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int vmd_check_dir(const char *dir, char *err, size_t errn) {
    struct stat st;
    if (lstat(dir, &st) != 0) {
        snprintf(err, errn, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        snprintf(err, errn, "%s is a symbolic link: refusing to use it", dir);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errn, "%s is not a directory: refusing to use it", dir);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, errn, "%s belongs to uid %lu, not to us (uid %lu): refusing to use it", dir,
                 (unsigned long)st.st_uid, (unsigned long)geteuid());
        return -1;
    }
    if ((st.st_mode & 07777) != 0700) {
        snprintf(err, errn, "%s has mode %04o, not 0700: refusing to use it", dir,
                 (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

int vmd_socket_dir(char *dir, size_t n, char *err, size_t errn) {
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int w;
    if (xdg != NULL && xdg[0] == '/') w = snprintf(dir, n, "%s/nanovm", xdg);
    else w = snprintf(dir, n, "/tmp/nanovm-%lu", (unsigned long)geteuid());
    if (w < 0 || (size_t)w >= n) {
        snprintf(err, errn, "the socket directory's name is too long");
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errn, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    return vmd_check_dir(dir, err, errn);
}

int vmd_path(char *buf, size_t n, const char *dir, const char *name) {
    struct sockaddr_un sa;
    int w = snprintf(buf, n, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= n || (size_t)w >= sizeof sa.sun_path) return -1;
    return 0;
}

int vmd_write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK) w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int vmd_read_all(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) {
            errno = 0;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int vmd_send_fds(int sock, const void *buf, size_t n, const int *fds, int nfds) {
    union {
        char buf[CMSG_SPACE(sizeof(int) * VMD_NFDS)];
        struct cmsghdr align;
    } u;
    if (nfds < 1 || nfds > VMD_NFDS || n == 0) return -1;
    memset(&u, 0, sizeof u);
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = n};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    ssize_t w;
    do w = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w < 0) return -1;
    return vmd_write_all(sock, (const char *)buf + w, n - (size_t)w);
}

int vmd_recv_fds(int sock, void *buf, size_t n, int *fds, int maxfds, int *nfds) {
    union {
        char buf[CMSG_SPACE(sizeof(int) * VMD_NFDS)];
        struct cmsghdr align;
    } u;
    *nfds = 0;
    if (maxfds > VMD_NFDS || n == 0) return -1;
    memset(&u, 0, sizeof u);
    struct iovec iov = {.iov_base = buf, .iov_len = n};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof u.buf};
    ssize_t r;
    do r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    int bad = (msg.msg_flags & MSG_CTRUNC) != 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            bad = 1;
            continue;
        }
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (*nfds < maxfds) fds[(*nfds)++] = fd;
            else {
                close(fd);
                bad = 1;
            }
        }
    }
    if (!bad && vmd_read_all(sock, (char *)buf + r, n - (size_t)r) == 0) return 0;
    for (int i = 0; i < *nfds; i++) close(fds[i]);
    *nfds = 0;
    return -1;
}

int vmd_peer_is_us(int sock) {
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || len != sizeof cr) return 0;
    return cr.uid == geteuid();
}

int vmd_send_frame(int fd, uint32_t type, uint32_t value, const void *payload, uint32_t len) {
    unsigned char h[VMD_FRAME_HEADER];
    vmd_put32(h, type);
    vmd_put32(h + 4, value);
    vmd_put32(h + 8, len);
    if (len == 0) return vmd_write_all(fd, h, sizeof h);
    char *b = malloc(sizeof h + len);
    if (b == NULL) return -1;
    memcpy(b, h, sizeof h);
    memcpy(b + sizeof h, payload, len);
    int r = vmd_write_all(fd, b, sizeof h + len);
    free(b);
    return r;
}

int vmd_recv_frame(int fd, uint32_t *type, uint32_t *value, char *buf, uint32_t cap,
                   uint32_t *len) {
    unsigned char h[VMD_FRAME_HEADER];
    if (vmd_read_all(fd, h, sizeof h) != 0) return -1;
    *type = vmd_get32(h);
    *value = vmd_get32(h + 4);
    *len = vmd_get32(h + 8);
    if (*len >= cap || *len > VMD_MAX_PAYLOAD) return -1;
    if (*len > 0 && vmd_read_all(fd, buf, *len) != 0) return -1;
    buf[*len] = '\0';
    return 0;
}

/* ---- the RUN request's body ------------------------------------------------------------- */

static void free_strings(char **v, uint32_t n) {
    if (v == NULL) return;
    for (uint32_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int take32(const unsigned char **b, size_t *n, uint32_t *v) {
    if (*n < 4) return -1;
    *v = vmd_get32(*b);
    *b += 4;
    *n -= 4;
    return 0;
}

/* count strings (u32 length, bytes without NUL) into a NULL-terminated array */
static int take_strings(const unsigned char **b, size_t *n, char ***out, uint32_t *count,
                        const char *what, char *err, size_t errn) {
    uint32_t k;
    if (take32(b, n, &k) != 0 || k > VMD_MAX_STRINGS || k > *n / 4) {
        snprintf(err, errn, "malformed request: bad number of %s", what);
        return -1;
    }
    char **v = calloc((size_t)k + 1, sizeof *v);
    if (v == NULL) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < k; i++) {
        uint32_t len;
        if (take32(b, n, &len) != 0 || len > *n || memchr(*b, '\0', len) != NULL) {
            snprintf(err, errn, "malformed request: bad string in the %s", what);
            free_strings(v, i);
            return -1;
        }
        if ((v[i] = malloc((size_t)len + 1)) == NULL) {
            snprintf(err, errn, "out of memory");
            free_strings(v, i);
            return -1;
        }
        memcpy(v[i], *b, len);
        v[i][len] = '\0';
        *b += len;
        *n -= len;
    }
    *out = v;
    *count = k;
    return 0;
}

int vmd_parse_run_body(const unsigned char *b, size_t n, VmdRunBody *r, char *err, size_t errn) {
    memset(r, 0, sizeof *r);
    if (take_strings(&b, &n, &r->argv, &r->argc, "arguments", err, errn) != 0) return -1;
    if (r->argc == 0) {
        snprintf(err, errn, "malformed request: no argument 0 (the program's name)");
        return -1;
    }
    if (take_strings(&b, &n, &r->envp, &r->envc, "environment", err, errn) != 0) return -1;
    uint32_t heap_lo, heap_hi;
    if (take32(&b, &n, &r->umask) != 0 || r->umask > 0777 || take32(&b, &n, &heap_lo) != 0 ||
        take32(&b, &n, &heap_hi) != 0 || take32(&b, &n, &r->image_len) != 0 ||
        r->image_len != n) {
        snprintf(err, errn, "malformed request: bad umask, heap limit or image length");
        return -1;
    }
    r->heap_max = (uint64_t)heap_lo | (uint64_t)heap_hi << 32;
    if (r->heap_max > SIZE_MAX) {
        snprintf(err, errn, "malformed request: the heap limit is too large");
        return -1;
    }
    r->image = b;
    return 0;
}

void vmd_free_run_body(VmdRunBody *r) {
    free_strings(r->argv, r->argc);
    free_strings(r->envp, r->envc);
    r->argv = r->envp = NULL;
    r->argc = r->envc = 0;
}
