/* image.h: running a .nvm image given as bytes, from inside another program: the RUN_PROGRAM
 * trap, through which `nano_virt --run` runs the program it has just compiled (natively, the
 * bootstrap runtime links this library and calls the same function). */
#ifndef NANOVM_IMAGE_H
#define NANOVM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "process.h"

/* Loads and verifies the image and runs it as a new virtual process with the options opt
 * (descriptors, limits, nesting: see process_child_options) and arguments argv[0..argc)
 * (argv[0] names the program); *steps (when steps is not NULL) is set to the instructions it
 * executed, counted when it has a step limit.  Returns its exit status; when the image does not
 * load, prints "nano_vm: MESSAGE" to opt->err_fd and returns 65 (as nano_vm does for an invalid
 * file); 70 when the process cannot be created. */
int image_run(const uint8_t *bytes, size_t len, int argc, char **argv, const ProcessOptions *opt,
              uint64_t *steps);

/* The same with all of the new process's options given: RUN_PROGRAM passes its process's world
 * (descriptors, environment, working directory, umask, cancellation). */
int image_run_opts(const uint8_t *bytes, size_t len, int argc, char **argv,
                   const ProcessOptions *opt);

#endif
