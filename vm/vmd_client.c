/* vmd_client.c: see vmd_client.h; the wire format is in docs/VMD_PROTOCOL.md.  It needs none of
 * the VM (a thin native executable, stub/thin.c, links it alone); vmd_client_run, which reads
 * the file with the VM's reader, is in vmd_client_file.c. */
#define _GNU_SOURCE /* pipe2 */
#include "vmd_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmd_proto.h"

extern char **environ;

#define ATTEMPTS 60 /* connection attempts, with backoff from 5 ms to 500 ms */
#define CANCEL_WAIT_MS 5000 /* how long a cancelled run may take to report its end */

/* The signal that arrived on sfd (a signalfd), 0 when none. */
static int take_signal(int sfd) {
    struct signalfd_siginfo si;
    ssize_t r = read(sfd, &si, sizeof si);
    return r == (ssize_t)sizeof si ? (int)si.ssi_signo : 0;
}

/* ---- the request ------------------------------------------------------------------------- */

typedef struct {
    unsigned char *b;
    size_t len, cap;
    int failed;
} Buf;

static void put(Buf *w, const void *p, size_t n) {
    if (w->failed) return;
    if (n > w->cap - w->len) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap - w->len < n) {
            if (cap > SIZE_MAX / 2) {
                w->failed = 1;
                return;
            }
            cap *= 2;
        }
        unsigned char *b = realloc(w->b, cap);
        if (b == NULL) {
            w->failed = 1;
            return;
        }
        w->b = b;
        w->cap = cap;
    }
    memcpy(w->b + w->len, p, n);
    w->len += n;
}

static void put32(Buf *w, uint32_t v) {
    unsigned char b[4];
    vmd_put32(b, v);
    put(w, b, 4);
}

static void put_strings(Buf *w, char *const *v, size_t n) {
    if (n > VMD_MAX_STRINGS) {
        w->failed = 1;
        return;
    }
    put32(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        if (len > UINT32_MAX) {
            w->failed = 1;
            return;
        }
        put32(w, (uint32_t)len);
        put(w, v[i], len);
    }
}

/* The request: header (body length filled in) and body. */
static int build_request(Buf *w, int argc, char **argv, uint64_t heap_max, const uint8_t *image,
                         size_t len) {
    unsigned char h[VMD_REQ_HEADER] = {0};
    put(w, h, sizeof h);
    put_strings(w, argv, (size_t)argc);
    size_t nenv = 0;
    while (environ != NULL && environ[nenv] != NULL) nenv++;
    put_strings(w, environ, nenv);
    mode_t mask = umask(0);
    umask(mask);
    put32(w, (uint32_t)(mask & 0777));
    put32(w, (uint32_t)heap_max);
    put32(w, (uint32_t)(heap_max >> 32));
    put32(w, (uint32_t)len);
    put(w, image, len);
    if (w->failed || w->len - VMD_REQ_HEADER > VMD_MAX_BODY) return -1;
    vmd_put32(w->b, VMD_MAGIC);
    vmd_put32(w->b + 4, VMD_VERSION);
    vmd_put32(w->b + 8, VMD_OP_RUN);
    vmd_put32(w->b + 12, (uint32_t)(w->len - VMD_REQ_HEADER));
    return 0;
}

/* ---- launching the daemon ---------------------------------------------------------------- */

/* The daemon executable: $NANO_VMD; else nano_vmd beside this executable; else the first
 * nano_vmd on PATH.  0, or -1 with what was tried in msg. */
static int daemon_exe(char *buf, size_t n, char *msg, size_t mlen) {
    const char *e = getenv("NANO_VMD");
    if (e != NULL && e[0] != '\0') {
        snprintf(buf, n, "%s", e);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k < 0) k = 0;
    self[k] = '\0';
    char *slash = strrchr(self, '/');
    if (slash != NULL) *slash = '\0';
    char beside[PATH_MAX + 16];
    snprintf(beside, sizeof beside, "%s/nano_vmd", self);
    if (k > 0 && access(beside, X_OK) == 0) {
        snprintf(buf, n, "%s", beside);
        return 0;
    }
    const char *path = getenv("PATH");
    for (const char *d = path; d != NULL && *d != '\0';) {
        const char *colon = strchr(d, ':');
        size_t dl = colon ? (size_t)(colon - d) : strlen(d);
        if (dl > 0 && (size_t)snprintf(buf, n, "%.*s/nano_vmd", (int)dl, d) < n &&
            access(buf, X_OK) == 0)
            return 0;
        d = colon ? colon + 1 : NULL;
    }
    snprintf(msg, mlen, "cannot find nano_vmd: NANO_VMD is not set, %.140s is not there, and no "
             "directory of PATH (%.140s) has it", k > 0 ? beside : "the executable's directory",
             path != NULL ? path : "not set");
    return -1;
}

/* Starts a daemon (double fork, setsid, stdio on /dev/null) and waits for its word on the ready
 * pipe: 0 when it is ready, 1 when another daemon holds the lock (it may be about to exit), -1
 * with a message otherwise. */
static int launch(char *msg, size_t n) {
    char exe[PATH_MAX + 16];
    if (daemon_exe(exe, sizeof exe, msg, n) != 0) return -1;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(msg, n, "cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, n, "cannot fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        setsid();
        pid_t g = fork();
        if (g != 0) _exit(g < 0);
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
            dup2(p[1], 3) < 0)
            _exit(127);
        long max = sysconf(_SC_OPEN_MAX);
        if (max < 0 || max > 65536) max = 65536;
        for (int fd = 4; fd < max; fd++) close(fd);
        if (chdir("/") != 0) _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execl(exe, "nano_vmd", "--ready-fd", "3", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    char line[400];
    size_t len = 0;
    for (;;) { /* up to end of file: the daemon closes the pipe once it is ready, or exits */
        ssize_t r = read(p[0], line + len, sizeof line - 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
        if (len == sizeof line - 1 || memchr(line, '\n', len) != NULL) break;
    }
    close(p[0]);
    line[len] = '\0';
    char *nl = strchr(line, '\n');
    if (nl != NULL) *nl = '\0';
    if (strcmp(line, "ready") == 0) return 0;
    if (strcmp(line, "running") == 0) return 1;
    if (strncmp(line, "error: ", 7) == 0) snprintf(msg, n, "%s", line + 7);
    else snprintf(msg, n, "cannot start %.300s", exe);
    return -1;
}

/* ---- connecting and running -------------------------------------------------------------- */

/* A connection to the daemon: the socket, -1 when none answers, -2 (message in err) when the
 * socket directory or the daemon is not to be trusted. */
static int connect_daemon(char *err, size_t n) {
    char dir[200], path[256];
    if (vmd_socket_dir(dir, sizeof dir, err, n) != 0) return -2;
    if (vmd_path(path, sizeof path, dir, "sock") != 0) {
        snprintf(err, n, "the socket's name is too long");
        return -2;
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        snprintf(err, n, "cannot create a socket: %s", strerror(errno));
        return -2;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int r;
    do r = connect(s, (struct sockaddr *)&sa, sizeof sa);
    while (r != 0 && errno == EINTR);
    if (r != 0) {
        snprintf(err, n, "cannot connect to %s: %s", path, strerror(errno));
        close(s);
        return -1;
    }
    if (!vmd_peer_is_us(s)) {
        snprintf(err, n, "the daemon at %s is not ours: refusing to use it", path);
        close(s);
        return -2;
    }
    return s;
}

static void sleep_ms(int ms) { poll(NULL, 0, ms); }

/* After the program was accepted: waits for its end, passing on signals as cancellations. */
static int wait_exit(int s, int sfd) {
    int sig = 0, waited = 0;
    for (;;) {
        struct pollfd fds[2] = {{.fd = s, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        int timeout = sig ? 100 : -1;
        int r = poll(fds, 2, timeout);
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && sig && (waited += 100) >= CANCEL_WAIT_MS) return 128 + sig;
        if (r <= 0) continue;
        if (fds[1].revents != 0) {
            int b = take_signal(sfd);
            if (b != 0) {
                if (sig != 0) return 128 + sig; /* a second signal: do not wait any longer */
                sig = b;
                vmd_send_frame(s, VMD_MSG_CANCEL, (uint32_t)sig, NULL, 0);
            }
        }
        if (fds[0].revents != 0) {
            uint32_t type, value, len;
            char buf[VMD_MAX_PAYLOAD + 1];
            if (vmd_recv_frame(s, &type, &value, buf, sizeof buf, &len) != 0) break;
            if (sig != 0) return 128 + sig;
            if (type == VMD_REPLY_EXIT) return (int)(value & 255);
            if (type == VMD_REPLY_ERROR) {
                fprintf(stderr, "%s\n", buf);
                return value > 0 && value < 256 ? (int)value : VMD_EXIT_DAEMON;
            }
            break;
        }
    }
    if (sig != 0) return 128 + sig;
    fprintf(stderr, "nano_vm: the daemon ended before the program did (the program's fate is "
                    "unknown)\n");
    return VMD_EXIT_DAEMON;
}

int vmd_client_run_image(const uint8_t *bytes, size_t len, int argc, char **argv) {
    return vmd_client_run_image_heap(bytes, len, argc, argv, 0);
}

int vmd_client_run_image_heap(const uint8_t *bytes, size_t len, int argc, char **argv,
                              uint64_t heap_max) {
    char err[600];
    Buf req = {0};
    int built = build_request(&req, argc, argv, heap_max, bytes, len);
    if (built != 0) {
        free(req.b);
        fprintf(stderr, "nano_vm: the program, its arguments and environment are too large to "
                        "send to the daemon\n");
        return VMD_EXIT_DAEMON;
    }
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0) {
        fprintf(stderr, "nano_vm: cannot open the working directory: %s\n", strerror(errno));
        free(req.b);
        return VMD_EXIT_DAEMON;
    }
    /* the signals that cancel the program are taken from a signalfd while it runs */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, &old);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        fprintf(stderr, "nano_vm: cannot create a signalfd: %s\n", strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        free(req.b);
        close(cwd);
        return VMD_EXIT_DAEMON;
    }
    signal(SIGPIPE, SIG_IGN);

    int fds[VMD_NFDS] = {0, 1, 2, cwd};
    int status = -1, delay = 5;
    err[0] = '\0';
    for (int attempt = 0; attempt < ATTEMPTS && status < 0; attempt++) {
        int b = take_signal(sfd);
        if (b != 0) { /* interrupted before the program ran */
            status = 128 + b;
            break;
        }
        int s = connect_daemon(err, sizeof err);
        if (s == -2) {
            fprintf(stderr, "nano_vm: %s\n", err);
            status = VMD_EXIT_DAEMON;
            break;
        }
        if (s == -1) {
            char msg[400];
            int l = launch(msg, sizeof msg);
            if (l < 0) {
                snprintf(err, sizeof err, "%s", msg);
                if (attempt >= 2) { /* the daemon cannot start: no point in trying on */
                    fprintf(stderr, "nano_vm: cannot start the daemon: %s\n", err);
                    status = VMD_EXIT_DAEMON;
                    break;
                }
            } else if (l == 0) {
                delay = 5; /* our daemon is up: connect at once */
                continue;
            } else {
                snprintf(err, sizeof err, "another daemon holds the lock but does not answer");
            }
        } else {
            uint32_t type = 0, value = 0, n = 0;
            char buf[VMD_MAX_PAYLOAD + 1];
            if (vmd_send_fds(s, req.b, 1, fds, VMD_NFDS) == 0 &&
                vmd_write_all(s, req.b + 1, req.len - 1) == 0 &&
                vmd_recv_frame(s, &type, &value, buf, sizeof buf, &n) == 0) {
                if (type == VMD_REPLY_ACCEPTED) {
                    status = wait_exit(s, sfd);
                } else if (type == VMD_REPLY_ERROR) {
                    fprintf(stderr, "%s\n", buf);
                    status = value > 0 && value < 256 ? (int)value : VMD_EXIT_DAEMON;
                } else {
                    fprintf(stderr, "nano_vm: the daemon answered nonsense\n");
                    status = VMD_EXIT_DAEMON;
                }
                close(s);
                break;
            }
            /* the daemon went away before accepting (e.g. exiting after its grace period):
             * nothing ran, so try again */
            snprintf(err, sizeof err, "the daemon closed the connection before answering");
            close(s);
        }
        sleep_ms(delay);
        if (delay < 500) delay *= 2;
    }
    if (status < 0) {
        fprintf(stderr, "nano_vm: cannot reach the daemon: %s\n", err);
        status = VMD_EXIT_DAEMON;
    }
    free(req.b);
    close(cwd);
    while (take_signal(sfd) != 0) { /* handled: the status says so */
    }
    close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return status;
}
