# lib.sh: what the tests of tests/clib/ share.  Source it with the module's name and the TAP plan:
#   . "$(dirname "$0")/lib.sh" MODULE PLAN
# It sources tests/lib/tap.sh, sets VIRT and VM, skips the test when the compiler, the VM,
# nano_cop or the module's shared object bin/lib/libnano_MODULE.so is not built, and prints the
# plan.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
VIRT=$ROOT/bin/nano_virt
VM=$ROOT/bin/nano_vm
need "$VIRT" "$VM" "$ROOT/bin/nano_cop" "$ROOT/bin/lib/libnano_$1.so"
plan "$2"
