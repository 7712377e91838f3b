/* payload.c: see payload.h. */
#include "payload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint32_t payload_crc32(const uint8_t *p, size_t n) {
    static uint32_t table[256];
    static int ready;
    if (!ready) { /* single-threaded use only: the stubs call it before starting any thread */
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 255] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint64_t get64(const uint8_t *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

static uint32_t get32(const uint8_t *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Checks the trailer t of a file of n bytes: 0 with the image's place, or -1 with the reason. */
static int check_trailer(const uint8_t *t, uint64_t n, uint64_t *off, uint64_t *size,
                         uint32_t *crc, char *err, size_t errlen) {
    if (n < PAYLOAD_TRAILER || memcmp(t + 24, PAYLOAD_MAGIC, 8) != 0) {
        snprintf(err, errlen, "it has no embedded program (was it stripped or truncated?)");
        return -1;
    }
    uint32_t version = get32(t + 20);
    if (version != PAYLOAD_VERSION) {
        snprintf(err, errlen, "its embedded program has trailer version %u, not %d", version,
                 PAYLOAD_VERSION);
        return -1;
    }
    *off = get64(t);
    *size = get64(t + 8);
    *crc = get32(t + 16);
    uint64_t room = n - PAYLOAD_TRAILER;
    if (*off > room || *size != room - *off) {
        snprintf(err, errlen, "its embedded program is not where its trailer says (was the file "
                              "truncated or changed?)");
        return -1;
    }
    return 0;
}

int payload_find(const uint8_t *file, size_t n, const uint8_t **image, size_t *len, char *err,
                 size_t errlen) {
    uint64_t off, size;
    uint32_t crc;
    if (n < PAYLOAD_TRAILER) {
        snprintf(err, errlen, "it has no embedded program (was it stripped or truncated?)");
        return -1;
    }
    if (check_trailer(file + n - PAYLOAD_TRAILER, n, &off, &size, &crc, err, errlen) != 0)
        return -1;
    if (payload_crc32(file + off, (size_t)size) != crc) {
        snprintf(err, errlen, "its embedded program is corrupted (checksum mismatch)");
        return -1;
    }
    *image = file + off;
    *len = (size_t)size;
    return 0;
}

/* Reads n bytes at offset off of fd: 0, or -1 with errno set (EIO for a short file). */
static int read_at(int fd, uint8_t *buf, size_t n, uint64_t off) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) {
            errno = EIO;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int payload_read(const char *path, uint8_t **image, size_t *len, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        snprintf(err, errlen, "cannot read %s: not a regular file", path);
        close(fd);
        return -1;
    }
    uint64_t n = (uint64_t)st.st_size, off = 0, size = 0;
    uint32_t crc = 0;
    uint8_t t[PAYLOAD_TRAILER];
    if (n < PAYLOAD_TRAILER) {
        snprintf(err, errlen, "it has no embedded program (was it stripped or truncated?)");
        close(fd);
        return -1;
    }
    if (read_at(fd, t, sizeof t, n - PAYLOAD_TRAILER) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (check_trailer(t, n, &off, &size, &crc, err, errlen) != 0) {
        close(fd);
        return -1;
    }
    if (size > (uint64_t)1 << 30) {
        snprintf(err, errlen, "its embedded program is larger than 1 GiB");
        close(fd);
        return -1;
    }
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (buf == NULL) {
        snprintf(err, errlen, "cannot read %s: out of memory", path);
        close(fd);
        return -1;
    }
    if (read_at(fd, buf, (size_t)size, off) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        free(buf);
        close(fd);
        return -1;
    }
    close(fd);
    if (payload_crc32(buf, (size_t)size) != crc) {
        snprintf(err, errlen, "its embedded program is corrupted (checksum mismatch)");
        free(buf);
        return -1;
    }
    *image = buf;
    *len = (size_t)size;
    return 0;
}
