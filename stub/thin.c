/* thin.c: the runtime stub of a thin native executable (`nano_virt --daemon-wrapper`,
 * docs/EXECUTABLES.md): no VM and no libffi, only the client of nano_vmd (vm/vmd_client.c).
 * It runs the image embedded at the end of this very file (payload.h, found through
 * /proc/self/exe) in the user's daemon exactly as `nano_vm --daemon app.nvm ARGS...` does:
 * arguments (argument 0 the executable's path as invoked), environment, working directory,
 * umask and standard streams are the program's; SIGINT, SIGTERM and SIGHUP cancel it; its
 * status is the exit status.  The daemon is found as nano_vm finds it ($NANO_VMD, beside this
 * executable, on PATH) and launched when none runs.
 *
 * Exit statuses of its own: 65 when the embedded program is missing or damaged (the reason on
 * stderr; the daemon checks the image itself, an invalid one is 65 too), 70 when the daemon
 * cannot be reached or started (what was tried on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "vmd_client.h"

int main(int argc, char **argv) {
    const char *name = argc > 0 && argv[0] != NULL && argv[0][0] != '\0' ? argv[0] : "nano";
    const char *slash = strrchr(name, '/');
    if (slash != NULL) name = slash + 1;
    uint8_t *bytes;
    size_t len;
    char err[512];
    if (payload_read("/proc/self/exe", &bytes, &len, err, sizeof err) != 0) {
        fprintf(stderr, "%s: cannot run this executable: %s\n", name, err);
        return PAYLOAD_EXIT_BAD;
    }
    char *none[] = {(char *)name, NULL};
    int status = vmd_client_run_image(bytes, len, argc > 0 ? argc : 1, argc > 0 ? argv : none);
    free(bytes);
    return status;
}
