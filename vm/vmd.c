/* vmd.c: nano_vmd, the VM as a daemon: one per user, running each client's program as a virtual
 * process on a thread of its own, on the client's descriptors, environment, working directory
 * and umask.  docs/VMD_PROTOCOL.md specifies the socket, the lock and the wire format. */
#define _GNU_SOURCE /* accept4, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "numfmt.h"
#include "harness.h"
#include "program.h"
#include "vmd_proto.h"

#define DEFAULT_GRACE 30.0   /* seconds without programs before the daemon exits */
/* A program's heap limit when its client gives none: a quarter of nano_vm's own default, so that
 * a few runaway programs cannot take the machine's memory from the others. */
#define DEFAULT_HEAP ((size_t)1 << 30)
#define REQUEST_TIMEOUT 30   /* seconds a client may take to send its request */
#define BACKLOG 128
#define MAX_CONNECTIONS 2048 /* served at once (a thread each); more are refused */

struct Conn;

/* The daemon's state (the VM library keeps none: tests/vm/no_globals.t). */
typedef struct {
    pthread_mutex_t mu;
    struct Conn *runs;     /* connections running a program (under mu) */
    atomic_int active;     /* connections being served */
    atomic_int running;    /* programs running */
    atomic_ullong served;  /* programs run to their end */
    atomic_int stopping;   /* --stop was asked for */
    int wake[2];           /* written when a connection ends or a stop is asked */
    double grace;
    size_t heap_max; /* a program's heap limit when its request gives none (--heap) */
    char dir[200];
} Vmd;

/* A connection, and while it runs a program, the program's cancellation. */
typedef struct Conn {
    Vmd *d;
    int sock;
    VmCancel cancel;
    struct Conn *next;
} Conn;

static void wake_main(Vmd *d) {
    char b = 'w';
    while (write(d->wake[1], &b, 1) < 0 && errno == EINTR) {
    }
}

static void cancel_all(Vmd *d) {
    pthread_mutex_lock(&d->mu);
    for (Conn *c = d->runs; c != NULL; c = c->next) vm_cancel_set(&c->cancel);
    pthread_mutex_unlock(&d->mu);
}

static void reply_error(int sock, uint32_t status, const char *msg) {
    vmd_send_frame(sock, VMD_REPLY_ERROR, status, msg, (uint32_t)strlen(msg));
}

/* ---- a connection ------------------------------------------------------------------------- */

typedef struct {
    Process *proc;
    int status;
    int done[2];
} Job;

static void *program_thread(void *arg) {
    Job *j = arg;
    j->status = harness_run(j->proc);
    char b = 'd';
    while (write(j->done[1], &b, 1) < 0 && errno == EINTR) {
    }
    return NULL;
}

static void set_timeout(int sock, int seconds) {
    struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void status_text(Vmd *d, char *buf, size_t n) {
    snprintf(buf, n,
             "nano_vmd: pid %ld, %d programs running, %llu run, grace %g s, socket %s/sock, "
             "heap limit %zu bytes\n",
             (long)getpid(), atomic_load(&d->running), (unsigned long long)atomic_load(&d->served),
             d->grace, d->dir, d->heap_max);
}

/* Runs the program of an accepted RUN request until it ends, watching the client meanwhile:
 * a CANCEL frame, or the client going away, cancels the program. */
static void run(Conn *c, Process *proc) {
    Job job = {proc, 0, {-1, -1}};
    if (pipe2(job.done, O_CLOEXEC) != 0) {
        reply_error(c->sock, 70, "nano_vmd: cannot create a pipe");
        return;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, program_thread, &job) != 0) {
        reply_error(c->sock, 70, "nano_vmd: cannot start a thread");
        close(job.done[0]);
        close(job.done[1]);
        return;
    }
    set_timeout(c->sock, 0); /* a run takes as long as it takes */
    int watching = 1;
    for (;;) {
        struct pollfd fds[2] = {{.fd = job.done[0], .events = POLLIN},
                                {.fd = watching ? c->sock : -1, .events = POLLIN}};
        int r = poll(fds, 2, -1);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) continue;
        if (fds[0].revents != 0) break;
        if (fds[1].revents != 0) {
            uint32_t type, value, len;
            char buf[64];
            if (vmd_recv_frame(c->sock, &type, &value, buf, sizeof buf, &len) != 0 ||
                type != VMD_MSG_CANCEL)
                watching = 0; /* gone, or talking nonsense: no one to run the program for */
            vm_cancel_set(&c->cancel);
        }
    }
    pthread_join(t, NULL);
    close(job.done[0]);
    close(job.done[1]);
    atomic_fetch_add(&c->d->served, 1);
    set_timeout(c->sock, REQUEST_TIMEOUT);
    vmd_send_frame(c->sock, VMD_REPLY_EXIT, (uint32_t)job.status, NULL, 0);
}

static void serve_run(Conn *c, uint32_t body_len, int *fds) {
    char err[600];
    if (body_len > VMD_MAX_BODY) {
        reply_error(c->sock, 65, "nano_vmd: the request is too large");
        return;
    }
    struct stat st;
    if (fstat(fds[VMD_FD_CWD], &st) != 0 || !S_ISDIR(st.st_mode)) {
        reply_error(c->sock, 70, "nano_vmd: the working directory's descriptor is not a directory");
        return;
    }
    unsigned char *body = malloc(body_len ? body_len : 1);
    if (body == NULL) {
        reply_error(c->sock, 70, "nano_vmd: out of memory");
        return;
    }
    if (vmd_read_all(c->sock, body, body_len) != 0) {
        free(body);
        return; /* the client went away */
    }
    VmdRunBody rb;
    if (vmd_parse_run_body(body, body_len, &rb, err, sizeof err) != 0) {
        char msg[700];
        snprintf(msg, sizeof msg, "nano_vmd: %s", err);
        reply_error(c->sock, 70, msg);
        vmd_free_run_body(&rb);
        free(body);
        return;
    }
    Program *prog = program_load(rb.image, rb.image_len, err, sizeof err);
    if (prog == NULL) {
        char msg[1200];
        snprintf(msg, sizeof msg, "nano_vm: %s: %s", rb.argv[0], err);
        reply_error(c->sock, 65, msg);
    } else if (vm_cancel_init(&c->cancel) != 0) {
        reply_error(c->sock, 70, "nano_vmd: cannot create a pipe");
    } else {
        ProcessOptions o = {.in_fd = fds[VMD_FD_STDIN], .out_fd = fds[VMD_FD_STDOUT],
                            .err_fd = fds[VMD_FD_STDERR], .envp = rb.envp,
                            .cwd_fd = fds[VMD_FD_CWD], .umask = rb.umask, .cancel = &c->cancel,
                            .heap_max = rb.heap_max ? (size_t)rb.heap_max : c->d->heap_max};
        Process *p = process_new(prog, (int)rb.argc, rb.argv, &o);
        if (p == NULL) {
            reply_error(c->sock, 70, "nano_vmd: cannot create a process: out of memory");
        } else if (vmd_send_frame(c->sock, VMD_REPLY_ACCEPTED, 0, NULL, 0) == 0) {
            Vmd *d = c->d;
            pthread_mutex_lock(&d->mu);
            c->next = d->runs;
            d->runs = c;
            pthread_mutex_unlock(&d->mu);
            atomic_fetch_add(&d->running, 1);
            if (atomic_load(&d->stopping)) vm_cancel_set(&c->cancel);
            run(c, p);
            atomic_fetch_sub(&d->running, 1);
            pthread_mutex_lock(&d->mu);
            for (Conn **q = &d->runs; *q != NULL; q = &(*q)->next)
                if (*q == c) {
                    *q = c->next;
                    break;
                }
            pthread_mutex_unlock(&d->mu);
        }
        process_free(p);
        vm_cancel_destroy(&c->cancel);
    }
    program_free(prog);
    vmd_free_run_body(&rb);
    free(body);
}

static void serve(Conn *c) {
    set_timeout(c->sock, REQUEST_TIMEOUT);
    if (!vmd_peer_is_us(c->sock)) {
        reply_error(c->sock, 70, "nano_vmd: you are not this daemon's user");
        return;
    }
    unsigned char h[VMD_REQ_HEADER];
    int fds[VMD_NFDS], nfds = 0;
    if (vmd_recv_fds(c->sock, h, sizeof h, fds, VMD_NFDS, &nfds) != 0) {
        reply_error(c->sock, 70, "nano_vmd: malformed request (cut short, or bad descriptors)");
        return;
    }
    uint32_t magic = vmd_get32(h), version = vmd_get32(h + 4), op = vmd_get32(h + 8),
             body_len = vmd_get32(h + 12);
    char text[600];
    if (magic != VMD_MAGIC) {
        reply_error(c->sock, 70, "nano_vmd: not a nano_vmd request");
    } else if (version != VMD_VERSION) {
        snprintf(text, sizeof text, "nano_vmd: protocol version %u is not supported (this is %u)",
                 version, VMD_VERSION);
        reply_error(c->sock, 70, text);
    } else if (op == VMD_OP_RUN && nfds == VMD_NFDS) {
        serve_run(c, body_len, fds);
    } else if (op == VMD_OP_RUN) {
        reply_error(c->sock, 70, "nano_vmd: a run request needs 4 descriptors");
    } else if ((op == VMD_OP_STATUS || op == VMD_OP_STOP) && nfds == 0 && body_len == 0) {
        status_text(c->d, text, sizeof text);
        if (op == VMD_OP_STOP) {
            atomic_store(&c->d->stopping, 1);
            cancel_all(c->d);
            wake_main(c->d);
            snprintf(text, sizeof text, "nano_vmd: pid %ld stopping\n", (long)getpid());
        }
        vmd_send_frame(c->sock, VMD_REPLY_TEXT, 0, text, (uint32_t)strlen(text));
    } else {
        reply_error(c->sock, 70, "nano_vmd: unknown request");
    }
    for (int i = 0; i < nfds; i++) close(fds[i]);
}

static void *conn_thread(void *arg) {
    Conn *c = arg;
    Vmd *d = c->d;
    serve(c);
    close(c->sock);
    free(c);
    atomic_fetch_sub(&d->active, 1);
    wake_main(d);
    return NULL;
}

/* ---- the daemon --------------------------------------------------------------------------- */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tell(int fd, const char *line) {
    if (fd >= 0) vmd_write_all(fd, line, strlen(line));
}

/* Serves until told to stop, or d->grace seconds after the last program ended. */
static void serve_forever(Vmd *d, int lfd) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    double idle_since = now();
    int was_active = 0;
    for (;;) {
        int active = atomic_load(&d->active);
        if (active > 0 || was_active) idle_since = now(); /* idle from the last program's end */
        was_active = active > 0;
        if (atomic_load(&d->stopping) && active == 0) break;
        int timeout = -1;
        if (active == 0) {
            double left = idle_since + d->grace - now();
            if (left <= 0) break;
            timeout = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
        }
        struct pollfd fds[2] = {{.fd = atomic_load(&d->stopping) ? -1 : lfd, .events = POLLIN},
                                {.fd = d->wake[0], .events = POLLIN}};
        int r = poll(fds, 2, timeout);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) continue;
        if (fds[1].revents != 0) {
            char b[64];
            while (read(d->wake[0], b, sizeof b) > 0) {
            }
        }
        if (fds[0].revents == 0) continue;
        int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (s < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
                poll(NULL, 0, 50); /* out of resources: let running programs free some */
            continue;
        }
        Conn *c = atomic_load(&d->active) < MAX_CONNECTIONS ? calloc(1, sizeof *c) : NULL;
        if (c == NULL) {
            reply_error(s, 70, "nano_vmd: too many connections, try again later");
            close(s);
            continue;
        }
        c->sock = s;
        c->d = d;
        atomic_fetch_add(&d->active, 1);
        pthread_t t;
        if (pthread_create(&t, &attr, conn_thread, c) != 0) {
            atomic_fetch_sub(&d->active, 1);
            close(s);
            free(c);
            poll(NULL, 0, 50);
        }
    }
    pthread_attr_destroy(&attr);
}

/* Asks the running daemon for its status or to stop; the exit status. */
static int ask(uint32_t op) {
    char err[300], path[256], dir[200];
    if (vmd_socket_dir(dir, sizeof dir, err, sizeof err) != 0) {
        fprintf(stderr, "nano_vmd: %s\n", err);
        return 1;
    }
    if (vmd_path(path, sizeof path, dir, "sock") != 0) {
        fprintf(stderr, "nano_vmd: the socket's name is too long\n");
        return 1;
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "nano_vmd: no daemon is running (%s: %s)\n", path, strerror(errno));
        if (s >= 0) close(s);
        return 3;
    }
    if (!vmd_peer_is_us(s)) {
        fprintf(stderr, "nano_vmd: the daemon at %s is not ours: refusing to talk to it\n", path);
        close(s);
        return 1;
    }
    unsigned char h[VMD_REQ_HEADER];
    vmd_put32(h, VMD_MAGIC);
    vmd_put32(h + 4, VMD_VERSION);
    vmd_put32(h + 8, op);
    vmd_put32(h + 12, 0);
    uint32_t type, value, len;
    char buf[VMD_MAX_PAYLOAD + 1];
    if (vmd_write_all(s, h, sizeof h) != 0 ||
        vmd_recv_frame(s, &type, &value, buf, sizeof buf, &len) != 0) {
        fprintf(stderr, "nano_vmd: the daemon did not answer\n");
        close(s);
        return 1;
    }
    close(s);
    fputs(buf, type == VMD_REPLY_TEXT ? stdout : stderr);
    return type == VMD_REPLY_TEXT ? 0 : 1;
}

static void usage(FILE *out) {
    fputs("usage: nano_vmd [--grace SECONDS] [--heap N]\n"
          "       nano_vmd --status | --stop | --help\n"
          "\n"
          "The VM as a daemon, one per user: runs each program that `nano_vm --daemon` sends it\n"
          "as a virtual process on a thread of its own, with the client's standard input,\n"
          "output and error, environment, working directory and umask, and exits GRACE seconds\n"
          "(default 30; NANO_VMD_GRACE) after its last program ended.  `nano_vm --daemon`\n"
          "starts it when none is running; run by hand it stays in the foreground.\n"
          "\n"
          "Its socket is $XDG_RUNTIME_DIR/nanovm/sock, else /tmp/nanovm-UID/sock; the directory\n"
          "must be ours, mode 0700 and not a symbolic link.\n"
          "\n"
          "  --grace S   seconds to linger after the last program (a decimal number)\n"
          "  --heap N    heap limit in bytes (suffixes k, m, g) of a program whose client\n"
          "              gives none (nano_vm --daemon --heap N); default 1g\n"
          "  --status    print the running daemon's pid, programs running and run\n"
          "  --stop      cancel the running daemon's programs and make it exit\n"
          "  -h, --help  print this help\n"
          "\n"
          "exit status: 0; 1 error (the reason on stderr); 2 another daemon holds the lock;\n"
          "3 (--status, --stop) no daemon is running; 64 usage\n",
          out);
}

static int parse_grace(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 1e9) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    /* shared with the connection threads, which may outlive main's frame by a few instructions
     * when it returns: never freed */
    Vmd *d = calloc(1, sizeof *d);
    if (d == NULL) {
        fprintf(stderr, "nano_vmd: out of memory\n");
        return 1;
    }
    pthread_mutex_init(&d->mu, NULL);
    atomic_init(&d->active, 0);
    atomic_init(&d->running, 0);
    atomic_init(&d->served, 0);
    atomic_init(&d->stopping, 0);
    d->wake[0] = d->wake[1] = -1;
    d->grace = DEFAULT_GRACE;
    d->heap_max = DEFAULT_HEAP;
    int ready_fd = -1;
    const char *env_grace = getenv("NANO_VMD_GRACE");
    if (env_grace != NULL && parse_grace(env_grace, &d->grace) != 0) {
        fprintf(stderr, "nano_vmd: NANO_VMD_GRACE=%s is not a number of seconds\n", env_grace);
        return 64;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return fflush(stdout) == 0 ? 0 : 1;
        } else if (strcmp(a, "--status") == 0) {
            return ask(VMD_OP_STATUS);
        } else if (strcmp(a, "--stop") == 0) {
            return ask(VMD_OP_STOP);
        } else if (strcmp(a, "--grace") == 0 && i + 1 < argc) {
            if (parse_grace(argv[++i], &d->grace) != 0) {
                fprintf(stderr, "nano_vmd: --grace needs a number of seconds\n");
                return 64;
            }
        } else if (strcmp(a, "--heap") == 0 && i + 1 < argc) {
            if (nf_parse_size(argv[++i], &d->heap_max) != 0) {
                fprintf(stderr, "nano_vmd: --heap needs a positive size\n");
                return 64;
            }
        } else if (strcmp(a, "--ready-fd") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 0 || v > 1 << 20 || fcntl((int)v, F_GETFD) < 0) {
                fprintf(stderr, "nano_vmd: --ready-fd needs an open descriptor\n");
                return 64;
            }
            ready_fd = (int)v;
            fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
        } else {
            fprintf(stderr, "nano_vmd: unknown option '%s' (try --help)\n", a);
            return 64;
        }
    }
    char err[300], line[400], lock_path[256], sock_path[256];
    if (vmd_socket_dir(d->dir, sizeof d->dir, err, sizeof err) != 0 ||
        vmd_path(lock_path, sizeof lock_path, d->dir, "lock") != 0 ||
        vmd_path(sock_path, sizeof sock_path, d->dir, "sock") != 0) {
        if (vmd_path(lock_path, sizeof lock_path, d->dir, "sock") != 0)
            snprintf(err, sizeof err, "the socket's name is too long");
        fprintf(stderr, "nano_vmd: %s\n", err);
        snprintf(line, sizeof line, "error: %s\n", err);
        tell(ready_fd, line);
        return 1;
    }
    umask(077);
    int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0) {
        snprintf(err, sizeof err, "cannot open %s: %s", lock_path, strerror(errno));
        fprintf(stderr, "nano_vmd: %s\n", err);
        snprintf(line, sizeof line, "error: %s\n", err);
        tell(ready_fd, line);
        return 1;
    }
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "nano_vmd: another nano_vmd holds %s\n", lock_path);
        tell(ready_fd, "running\n");
        return 2;
    }
    /* the lock is ours for our whole life (never unlinked): the socket is ours to replace */
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
    if (vmd_check_dir(d->dir, err, sizeof err) != 0 ||
        (unlink(sock_path) != 0 && errno != ENOENT &&
         snprintf(err, sizeof err, "cannot remove %s: %s", sock_path, strerror(errno))) ||
        (lfd < 0 && snprintf(err, sizeof err, "cannot create a socket: %s", strerror(errno))) ||
        (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 &&
         snprintf(err, sizeof err, "cannot bind %s: %s", sock_path, strerror(errno))) ||
        (listen(lfd, BACKLOG) != 0 &&
         snprintf(err, sizeof err, "cannot listen on %s: %s", sock_path, strerror(errno))) ||
        (pipe2(d->wake, O_CLOEXEC | O_NONBLOCK) != 0 &&
         snprintf(err, sizeof err, "cannot create a pipe: %s", strerror(errno)))) {
        fprintf(stderr, "nano_vmd: %s\n", err);
        snprintf(line, sizeof line, "error: %s\n", err);
        tell(ready_fd, line);
        return 1;
    }
    umask(0); /* each program's own umask is applied on its behalf */
    tell(ready_fd, "ready\n");
    if (ready_fd >= 0) close(ready_fd);
    serve_forever(d, lfd);
    close(lfd);
    unlink(sock_path); /* still the lock holder: no one else can have bound it */
    return 0;
}
