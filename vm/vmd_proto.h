/* vmd_proto.h: what nano_vmd and its clients share: where the socket lives and how its directory
 * is checked, the wire format (docs/VMD_PROTOCOL.md), and the socket primitives (descriptors
 * passed with SCM_RIGHTS, the peer's uid).
 *
 * Layer: with the program and values (it uses only the C library); heap.h has the order.
 */
#ifndef NANOVM_VMD_PROTO_H
#define NANOVM_VMD_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VMD_MAGIC 0x444D564Eu /* "NVMD" as a little-endian u32 */
#define VMD_VERSION 2u

/* Requests: the first 16 bytes a client sends (u32 magic, version, op, body length). */
enum { VMD_OP_RUN = 1, VMD_OP_STATUS = 2, VMD_OP_STOP = 3 };
#define VMD_REQ_HEADER 16
/* A RUN request carries these descriptors, in this order, with its first byte. */
enum { VMD_FD_STDIN, VMD_FD_STDOUT, VMD_FD_STDERR, VMD_FD_CWD, VMD_NFDS };
#define VMD_MAX_BODY ((uint32_t)1 << 30) /* request body (arguments, environment, image) */
#define VMD_MAX_STRINGS 1000000u         /* arguments, environment entries */

/* Frames after the request, both ways: u32 type, u32 value, u32 payload length, payload. */
#define VMD_FRAME_HEADER 12
#define VMD_MAX_PAYLOAD ((uint32_t)1 << 16)
enum {
    VMD_REPLY_ACCEPTED = 1, /* the image is valid and runs: value 0 */
    VMD_REPLY_ERROR = 2,    /* refused: value the exit status to use, payload a message */
    VMD_REPLY_EXIT = 3,     /* the program ended: value its exit status */
    VMD_REPLY_TEXT = 4,     /* the answer to STATUS or STOP: payload text */
    VMD_MSG_CANCEL = 5      /* client to daemon during a run: value the signal number */
};

/* The directory of the socket: $XDG_RUNTIME_DIR/nanovm when XDG_RUNTIME_DIR is set (absolute),
 * else /tmp/nanovm-UID.  Creates it (mode 0700) when missing, then checks it with lstat: a
 * directory, not a symlink, owned by this user, mode 0700.  0, or -1 with a message in err. */
int vmd_socket_dir(char *dir, size_t n, char *err, size_t errn);
/* The check alone. */
int vmd_check_dir(const char *dir, char *err, size_t errn);
/* dir/name into buf (a socket's path must fit in sockaddr_un): 0, or -1 when too long. */
int vmd_path(char *buf, size_t n, const char *dir, const char *name);

/* Whole writes and reads, retrying on EINTR: 0, or -1 (errno; EPIPE/ECONNRESET... or, for
 * reads, 0 with errno 0 at end of file before n bytes: -1 too, errno set to 0). */
int vmd_write_all(int fd, const void *buf, size_t n);
int vmd_read_all(int fd, void *buf, size_t n);

/* Sends n bytes with descriptors attached (SCM_RIGHTS): 0 or -1. */
int vmd_send_fds(int sock, const void *buf, size_t n, const int *fds, int nfds);
/* Receives exactly n bytes; the descriptors that came with them (close-on-exec) go to fds and
 * their number to *nfds.  -1 when the connection ends or fails first, or when the control
 * message was truncated or carried anything but at most maxfds descriptors (all received
 * descriptors are closed then); 0 otherwise. */
int vmd_recv_fds(int sock, void *buf, size_t n, int *fds, int maxfds, int *nfds);

/* Whether the process at the other end of a connected Unix socket runs as this user. */
int vmd_peer_is_us(int sock);

/* Frames. */
int vmd_send_frame(int fd, uint32_t type, uint32_t value, const void *payload, uint32_t len);
/* Reads a frame's header, and its payload into buf (at most cap bytes, NUL-terminated; a longer
 * payload is an error).  0 or -1. */
int vmd_recv_frame(int fd, uint32_t *type, uint32_t *value, char *buf, uint32_t cap,
                   uint32_t *len);

/* A RUN request's body, decoded (docs/VMD_PROTOCOL.md 3.1): argv and envp are NULL-terminated
 * copies, image points into the body it was decoded from. */
typedef struct {
    char **argv, **envp;
    uint32_t argc, envc;
    uint32_t umask;
    uint64_t heap_max; /* 0: the daemon's default */
    const uint8_t *image;
    uint32_t image_len;
} VmdRunBody;

/* Decodes the n bytes at b, which are untrusted: 0, or -1 with a message in err ("malformed
 * request: ..."); either way r is then for vmd_free_run_body. */
int vmd_parse_run_body(const unsigned char *b, size_t n, VmdRunBody *r, char *err, size_t errn);
void vmd_free_run_body(VmdRunBody *r);

void vmd_put32(unsigned char *b, uint32_t v);
uint32_t vmd_get32(const unsigned char *b);

#endif
