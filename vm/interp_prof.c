/* interp_prof.c: the interpreter once more, counting the instructions each function executes
 * and the calls it receives (nano_vm --profile), so that ordinary runs pay nothing for it. */
#define VM_PROFILE 1
#define VM_CORE_NAME vm_core_run_profiled
#include "interp.c"
