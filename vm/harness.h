/* harness.h: the part of the VM that touches the world on behalf of the pure core. */
#ifndef NANOVM_HARNESS_H
#define NANOVM_HARNESS_H

#include "process.h"

/* Service the trap the core stopped on (p->trap_no or p->trap_import): pop its operands, do
 * the effect, push its results.  Returns 0 to resume the core, or -1 with a runtime error
 * recorded (p->error, p->error_pc). */
int harness_service(Process *p);

/* Print the recorded runtime error as "FILE:LINE: error: MESSAGE" and a stack trace to the
 * process's stderr (flushing its stdout first); keeps "FILE:LINE" in p->error_where. */
void harness_report_error(Process *p);

#endif
