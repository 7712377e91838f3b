/* garbage: sends nano_vmd malformed requests of every kind, for tests/vmd/vmd.t.
 *
 *   garbage SOCKET_PATH
 *   garbage SOCKET_PATH backlog   (fills the listen backlog of a stopped daemon, then leaves)
 *   garbage SOCKET_PATH status    (one well-formed STATUS request, from whatever uid runs it)
 *
 * Prints what it sent and what came back, one line each; exits 0 when every exchange ended (the
 * daemon answered or closed the connection), 1 when it could not connect. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmd_proto.h"

static const char *path;

static int conn(void) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror(path);
        exit(1);
    }
    return s;
}

static void header(unsigned char *h, uint32_t magic, uint32_t version, uint32_t op, uint32_t len) {
    vmd_put32(h, magic);
    vmd_put32(h + 4, version);
    vmd_put32(h + 8, op);
    vmd_put32(h + 12, len);
}

/* reads the answer until the daemon closes the connection */
static void answer(int s, const char *what) {
    uint32_t type, value, len;
    char buf[VMD_MAX_PAYLOAD + 1];
    shutdown(s, SHUT_WR);
    if (vmd_recv_frame(s, &type, &value, buf, sizeof buf, &len) == 0)
        printf("%s: answer %u (%u) %s\n", what, type, value, buf);
    else
        printf("%s: closed\n", what);
    close(s);
}

static void raw(const void *b, size_t n, const char *what) {
    int s = conn();
    vmd_write_all(s, b, n);
    answer(s, what);
}

/* a RUN request with the usual descriptors and the given body */
static void run_body(const unsigned char *body, uint32_t n, uint32_t claimed, const char *what) {
    int s = conn();
    unsigned char h[VMD_REQ_HEADER];
    header(h, VMD_MAGIC, VMD_VERSION, VMD_OP_RUN, claimed);
    int dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int fds[VMD_NFDS] = {null, null, null, dir};
    vmd_send_fds(s, h, sizeof h, fds, VMD_NFDS);
    vmd_write_all(s, body, n);
    answer(s, what);
    close(dir);
    close(null);
}

int main(int argc, char **argv) {
    if (argc != 2 && !(argc == 3 && (strcmp(argv[2], "backlog") == 0 ||
                                     strcmp(argv[2], "status") == 0))) {
        fprintf(stderr, "usage: garbage SOCKET_PATH [backlog | status]\n");
        return 64;
    }
    path = argv[1];
    if (argc == 3 && strcmp(argv[2], "status") == 0) {
        unsigned char h[VMD_REQ_HEADER];
        header(h, VMD_MAGIC, VMD_VERSION, VMD_OP_STATUS, 0);
        raw(h, sizeof h, "status");
        return 0;
    }
    if (argc == 3) { /* connect without blocking until the backlog is full */
        enum { MAX = 2000 };
        static int s[MAX];
        int k = 0;
        for (; k < MAX; k++) {
            s[k] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            struct sockaddr_un sa = {.sun_family = AF_UNIX};
            snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
            if (s[k] < 0) break;
            if (connect(s[k], (struct sockaddr *)&sa, sizeof sa) != 0) {
                close(s[k]);
                break;
            }
        }
        printf("backlog full after %d connections\n", k);
        for (int i = 0; i < k; i++) close(s[i]);
        return k > 0 && k < MAX ? 0 : 1;
    }
    unsigned char junk[4096];
    srand(12345);
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)rand();
    raw(junk, sizeof junk, "random bytes");
    raw(junk, 3, "three random bytes");
    close(conn());
    printf("connect and close: done\n");
    unsigned char h[VMD_REQ_HEADER];
    header(h, VMD_MAGIC, 99, VMD_OP_STATUS, 0);
    raw(h, sizeof h, "unknown version");
    header(h, VMD_MAGIC, VMD_VERSION, 77, 0);
    raw(h, sizeof h, "unknown operation");
    header(h, VMD_MAGIC, VMD_VERSION, VMD_OP_RUN, 100);
    raw(h, sizeof h, "run without descriptors");
    header(h, VMD_MAGIC, VMD_VERSION, VMD_OP_STATUS, 5);
    raw(h, sizeof h, "status with a body");
    raw(h, 8, "half a header");

    /* too many descriptors: the control message is truncated */
    {
        int s = conn();
        header(h, VMD_MAGIC, VMD_VERSION, VMD_OP_RUN, 0);
        union {
            char buf[CMSG_SPACE(sizeof(int) * 16)];
            struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof u);
        int fds[16];
        for (int i = 0; i < 16; i++) fds[i] = 0;
        struct iovec iov = {.iov_base = h, .iov_len = sizeof h};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof u.buf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof fds);
        memcpy(CMSG_DATA(c), fds, sizeof fds);
        sendmsg(s, &msg, MSG_NOSIGNAL);
        answer(s, "sixteen descriptors");
    }

    /* bodies that lie */
    unsigned char b[64];
    memset(b, 0xff, sizeof b);
    run_body(b, sizeof b, sizeof b, "a body of 0xff");
    run_body(b, 0, 0, "an empty body");
    run_body(b, 10, 1000, "a body cut short");
    run_body(b, 0, 0xFFFFFFFFu, "a body of 4 GiB claimed");
    vmd_put32(b, 1);          /* one argument */
    vmd_put32(b + 4, 2);      /* of 2 bytes */
    memcpy(b + 8, "x\0", 2);  /* with a NUL */
    run_body(b, 10, 10, "an argument with a NUL byte");
    vmd_put32(b, 1);
    vmd_put32(b + 4, 1);
    b[8] = 'x';
    vmd_put32(b + 9, 0);      /* no environment */
    vmd_put32(b + 13, 022);   /* umask */
    vmd_put32(b + 17, 0);     /* heap limit: the daemon's */
    vmd_put32(b + 21, 0);
    vmd_put32(b + 25, 5);     /* image of 5 bytes */
    memcpy(b + 29, "junk!", 5);
    run_body(b, 34, 34, "an image that is not .nvm");
    vmd_put32(b + 25, 500);
    run_body(b, 34, 34, "an image length beyond the body");
    vmd_put32(b + 25, 5);
    vmd_put32(b + 21, 0xFFFFFFFFu); /* a heap limit of 2^64 - 1 bytes */
    vmd_put32(b + 17, 0xFFFFFFFFu);
    run_body(b, 34, 34, "a heap limit of 2^64 - 1 bytes");

    /* more connections than the backlog, all idle, then gone */
    int many[300];
    for (int i = 0; i < 300; i++) many[i] = conn();
    for (int i = 0; i < 300; i++) close(many[i]);
    printf("300 idle connections: done\n");
    return 0;
}
