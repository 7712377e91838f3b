/* payload.h: a native executable's embedded program (docs/EXECUTABLES.md).
 *
 * A native executable made by `nano_virt --native` or `--daemon-wrapper` is a runtime stub (an
 * ELF executable: stub/full.c or stub/thin.c) followed by the verified .nvm image and a trailer
 * of PAYLOAD_TRAILER bytes at the very end of the file, all integers little-endian:
 *
 *   offset  size  field
 *   0       8     the image's offset in the file (the stub's length)
 *   8       8     the image's length in bytes
 *   16      4     CRC-32 (IEEE 802.3, as zlib) of the image
 *   20      4     the trailer's version, PAYLOAD_VERSION
 *   24      8     the magic "NANOEXE\x01"
 *
 * The stub finds the file through /proc/self/exe and accepts the image only when the magic and
 * version match, offset + length + PAYLOAD_TRAILER is the file's size and the CRC matches; so a
 * stripped, truncated or corrupted executable never runs a partial image.
 */
#ifndef NANOVM_PAYLOAD_H
#define NANOVM_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_TRAILER 32
#define PAYLOAD_VERSION 1
#define PAYLOAD_MAGIC "NANOEXE\x01"

/* The exit status of an executable whose embedded program is missing or damaged (the same as
 * nano_vm's for an invalid .nvm file). */
#define PAYLOAD_EXIT_BAD 65

/* The IEEE 802.3 CRC-32 of the n bytes at p. */
uint32_t payload_crc32(const uint8_t *p, size_t n);

/* Finds the image in the n bytes of an executable file at file.  Returns 0 with *image and *len
 * set (pointing into file), or -1 with the reason in err (a sentence fragment: "it has no
 * embedded program (stripped or truncated?)"). */
int payload_find(const uint8_t *file, size_t n, const uint8_t **image, size_t *len, char *err,
                 size_t errlen);

/* Reads the executable at path (normally "/proc/self/exe") and returns its image in a buffer of
 * its own (*image, to free) of *len bytes: 0, or -1 with the reason in err. */
int payload_read(const char *path, uint8_t **image, size_t *len, char *err, size_t errlen);

#endif
