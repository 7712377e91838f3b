/* cop_client.h: the VM's end of the co-process (docs/COP_PROTOCOL.md, docs/ISA.md 6.3).
 *
 * A virtual process's first CALL_EXTERN starts its own nano_cop with posix_spawn (from the
 * process's thread: nano_cop dies when that thread ends); every later extern call of that process
 * goes to the same co-process; the co-process ends when the process does (cop_close).  Programs
 * that make no extern call never start one.
 *
 * nano_cop is found next to the running executable (the directory of /proc/self/exe), or at the
 * path in the environment variable NANO_COP when that is set and not empty.
 */
#ifndef NANOVM_COP_CLIENT_H
#define NANOVM_COP_CLIENT_H

#include "process.h"

/* Services the CALL_EXTERN the core stopped on (p->trap_import): pops the arguments, has the
 * co-process call the C function, pushes the result.  Returns 0, or -1 with a runtime error
 * recorded ("extern call to NAME: ..."). */
int cop_extern_call(Process *p);

/* Ends the process's co-process, if it has one: closes the request pipe (nano_cop exits at its
 * end), waits for it (killing it if it has not exited after 5 seconds) and frees the
 * client.  Safe to call more than once. */
void cop_close(Process *p);

/* An executable that is its own co-process defines this (stub/full.c, a full native executable):
 * nano_cop is then /proc/self/exe started with this argument 0 (instead of NANO_COP or the
 * nano_cop beside the executable), and acts as nano_cop when started so.  A weak reference: in
 * every other executable it is not defined (NULL), and it is constant, so the VM keeps no
 * writable global (tests/vm/no_globals.t). */
extern const char nano_stub_cop_argv0[] __attribute__((weak));

#endif
