#!/usr/bin/env bash
# vm_san.t: the conformance suite on the VM built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/san/nano_vm): every program, its runtime errors included, must
# run with no sanitizer report (a report makes the program's stderr and status wrong).
. "$(dirname "$0")/../lib/paths.sh"
SAN=${NANO_VM_SAN:-$BUILD/san/nano_vm}
need "$SAN"
NANO_VM=$SAN exec "$ROOT/tests/conformance/vm.t"
