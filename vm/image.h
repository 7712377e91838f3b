/* image.h: running a .nvm image given as bytes, from inside another program: the RUN_PROGRAM
 * trap, through which `nano_virt --run` runs the program it has just compiled (natively, the
 * bootstrap runtime links this library and calls the same function). */
#ifndef NANOVM_IMAGE_H
#define NANOVM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "process.h"

/* Loads and verifies the image and runs it as a new virtual process on the given descriptors
 * with arguments argv[0..argc) (argv[0] names the program), nested `nesting` deep
 * (ProcessOptions.nesting).  Returns its exit status; when the image does not load, prints
 * "nano_vm: MESSAGE" to err_fd and returns 65 (as nano_vm does for an invalid file); 70 when the
 * process cannot be created. */
int image_run(const uint8_t *bytes, size_t len, int argc, char **argv, int in_fd, int out_fd,
              int err_fd, int nesting);

/* The same with all of the new process's options given: RUN_PROGRAM passes its process's world
 * (descriptors, environment, working directory, umask, cancellation). */
int image_run_opts(const uint8_t *bytes, size_t len, int argc, char **argv,
                   const ProcessOptions *opt);

#endif
