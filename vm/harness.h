/* harness.h: the part of the VM that runs a process and touches the world on its behalf.
 *
 * Layer: above the process (process.h) and the pure core (interp.h): the harness runs the core,
 * services the traps it stops on, and reports runtime errors.  shadow.c and image.c are part of
 * this layer: the RUN_TESTS and RUN_PROGRAM traps run nested programs through them.  heap.h has
 * the whole order.
 */
#ifndef NANOVM_HARNESS_H
#define NANOVM_HARNESS_H

#include "process.h"

/* Run the program to completion: the global initializer, then main.  Returns the exit status
 * (main's result, HALT's operand, or VM_EXIT_RUNTIME_ERROR after printing the error and a stack
 * trace to the process's stderr). */
int harness_run(Process *p);

/* Run one function with no arguments in the process (used for shadow tests); returns 0 when it
 * returns normally, VM_EXIT_RUNTIME_ERROR (after reporting) when it fails, or the HALT status. */
int harness_call(Process *p, uint32_t func);

/* Run function func with its nargs arguments on top of the stack (a callback from C, during an
 * extern call): STOP_RETURN with the arguments replaced by the result (if any) and the trap
 * state of the extern call restored; STOP_ERROR (not yet reported: the frames stay for the
 * stack trace) or STOP_HALT otherwise. */
int harness_apply(Process *p, uint32_t func, uint32_t nargs);

/* Write out the process's buffered output. */
void harness_flush(Process *p);

/* Prints the profile of a process run with ProcessOptions.profile to its stderr: the functions
 * that executed the most instructions, with their calls. */
void harness_print_profile(Process *p);

#endif
