/* cancel.h: cancelling a virtual process from another thread.
 *
 * A VmCancel is a flag and a pipe: vm_cancel_set (any thread, any number of times) sets the flag
 * and makes the pipe's read end readable, so that the harness notices the request where it
 * regains control (traps), the interpreter core where it polls (every VM_POLL_EVERY-th taken
 * jump or call, vm/interp.c) and a blocking READ_LINE wakes up (it polls stdin together with the pipe).  A process and the
 * programs it runs (RUN_PROGRAM) share their VmCancel; its owner creates and destroys it.
 *
 * Layer: below everything else in the VM (it uses only the C library); heap.h has the order.
 */
#ifndef NANOVM_CANCEL_H
#define NANOVM_CANCEL_H

#include <stdatomic.h>

typedef struct VmCancel {
    atomic_int flag;
    int rfd, wfd; /* the pipe: readable once cancelled */
} VmCancel;

/* Exit status of a program that was cancelled (as a shell reports SIGINT). */
#define VM_EXIT_CANCELLED 130

/* 0, or -1 with errno when the pipe cannot be created. */
int vm_cancel_init(VmCancel *c);
void vm_cancel_set(VmCancel *c);
/* Whether c (which may be NULL) has been set. */
int vm_cancel_is_set(VmCancel *c);
void vm_cancel_destroy(VmCancel *c);

#endif
