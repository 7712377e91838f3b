/* vmd_client.h: running a program through nano_vmd, the client side (`nano_vm --daemon`), for
 * any executable that wants to run programs in the daemon.
 *
 * Layer: with main (vmd_client.c uses the daemon's protocol only, vmd_client_file.c the program
 * reader too); heap.h has the order.
 */
#ifndef NANOVM_VMD_CLIENT_H
#define NANOVM_VMD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

/* Exit status when the daemon could not be reached or died after accepting the program. */
#define VMD_EXIT_DAEMON 70

/* Runs the .nvm file at path in the user's nano_vmd, launching the daemon when none runs, with
 * arguments argv[0..argc) (argument 0 names the program) on this process's standard input,
 * output and error, environment, working directory and umask.  SIGINT, SIGTERM and SIGHUP
 * cancel the program in the daemon (they are blocked during the call and taken from a signalfd;
 * the caller's signal mask is restored on return, the handled signals consumed).  Returns the status to exit with: the program's; 128+N when
 * signal N cancelled it; 65 or 66 when the file is invalid or unreadable (the reason on stderr,
 * as nano_vm says it); VMD_EXIT_DAEMON when the daemon failed (said on stderr).
 *
 * The daemon executable is $NANO_VMD, else nano_vmd beside this executable, else the first
 * nano_vmd on PATH (when none is found, the message says what was tried). */
int vmd_client_run(const char *path, int argc, char **argv);
/* The same with a heap limit in bytes for the program (nano_vm --daemon --heap N); 0: the
 * daemon's default (nano_vmd --heap). */
int vmd_client_run_heap(const char *path, int argc, char **argv, uint64_t heap_max);

/* The same for a program already in memory: the len bytes at image (vmd_client.c; a thin native
 * executable's embedded image).  The daemon checks the image; an invalid one is 65 as for a
 * file. */
int vmd_client_run_image(const uint8_t *image, size_t len, int argc, char **argv);
/* The same with a heap limit as for vmd_client_run_heap. */
int vmd_client_run_image_heap(const uint8_t *image, size_t len, int argc, char **argv,
                              uint64_t heap_max);

#endif
