/* cancel.c: see cancel.h. */
#include "cancel.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int vm_cancel_init(VmCancel *c) {
    int fds[2];
    atomic_init(&c->flag, 0);
    c->rfd = c->wfd = -1;
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(fds[i], F_GETFD);
        if (fl >= 0) fcntl(fds[i], F_SETFD, fl | FD_CLOEXEC);
    }
    int fl = fcntl(fds[1], F_GETFL);
    if (fl >= 0) fcntl(fds[1], F_SETFL, fl | O_NONBLOCK); /* a full pipe is already readable */
    c->rfd = fds[0];
    c->wfd = fds[1];
    return 0;
}

void vm_cancel_set(VmCancel *c) {
    if (atomic_exchange(&c->flag, 1) != 0) return;
    char b = 'c';
    while (write(c->wfd, &b, 1) < 0 && errno == EINTR) {
    }
}

int vm_cancel_is_set(VmCancel *c) {
    return c != NULL && atomic_load_explicit(&c->flag, memory_order_relaxed) != 0;
}

void vm_cancel_destroy(VmCancel *c) {
    if (c->rfd >= 0) close(c->rfd);
    if (c->wfd >= 0) close(c->wfd);
    c->rfd = c->wfd = -1;
}
