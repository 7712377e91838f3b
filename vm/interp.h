/* interp.h: the pure core (vm/interp.c), which executes a process's code until it must stop. */
#ifndef NANOVM_INTERP_H
#define NANOVM_INTERP_H

#include "process.h"

/* Run from p->pc until the code traps, returns to the harness, halts or fails. */
StopReason vm_core_run(Process *p);
/* The same, also counting the instructions and calls of each function (p->prof_instrs,
 * p->prof_calls) and stopping with a runtime error after p->max_steps instructions. */
StopReason vm_core_run_profiled(Process *p);

#endif
