/* fuzz_vmd.c: a libFuzzer target for nano_vmd's protocol decoders (docs/VMD_PROTOCOL.md 3), what
 * the daemon does with bytes a client sends: each input is decoded as a RUN request's body
 * (vmd_parse_run_body: arguments, environment, umask, heap limit, image), whose image, when the
 * body decodes, is loaded and verified as the daemon would before running it; and the same bytes
 * are read as a stream of frames (vmd_recv_frame, through a pipe) until one is refused or the
 * stream ends.  Built and run by `make fuzz` (tests/fuzz/fuzz.mk); tests/fuzz/replay.t runs its
 * seeds (tests/fuzz/vmd) once under `make test`.  Findings: every refusal is a message, and
 * nothing crashes, leaks or reads past the input (AddressSanitizer, UndefinedBehaviorSanitizer). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "program.h"
#include "vmd_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the frames of a pipe's worth of input (a pipe holds 64 KiB: the write never blocks) */
#define FRAME_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[600];
    VmdRunBody rb;
    if (vmd_parse_run_body(data, size, &rb, err, sizeof err) == 0) {
        if (rb.argc == 0 || rb.argv[0] == NULL || rb.argv[rb.argc] != NULL ||
            rb.envp[rb.envc] != NULL || rb.umask > 0777 || rb.image + rb.image_len != data + size)
            abort(); /* a body the decoder accepted breaks its promises */
        Program *p = program_load(rb.image, rb.image_len, err, sizeof err);
        program_free(p);
    } else if (strncmp(err, "malformed request: ", 19) != 0 && strcmp(err, "out of memory") != 0) {
        abort(); /* a refusal without its reason */
    }
    vmd_free_run_body(&rb);

    int fds[2];
    if (pipe(fds) != 0) abort();
    size_t n = size < FRAME_BYTES ? size : FRAME_BYTES;
    if (n > 0 && vmd_write_all(fds[1], data, n) != 0) abort();
    close(fds[1]);
    uint32_t type, value, len;
    char buf[VMD_MAX_PAYLOAD + 1];
    while (vmd_recv_frame(fds[0], &type, &value, buf, sizeof buf, &len) == 0)
        if (len > VMD_MAX_PAYLOAD || buf[len] != '\0') abort();
    close(fds[0]);
    return 0;
}
