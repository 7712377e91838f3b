#!/usr/bin/env bash
# vm_san.t: the conformance suite on the VM built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/san/nano_vm): every program, its runtime errors included, must
# run with no sanitizer report (a report makes the program's stderr and status wrong).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SAN=${NANO_VM_SAN:-${NANO_BUILD:-$ROOT/build}/san/nano_vm}
if [ ! -x "$SAN" ]; then
    echo "1..0 # SKIP the sanitizer build of nano_vm is not built (make test-build)"
    exit 0
fi
NANO_VM=$SAN exec "$ROOT/tests/conformance/vm.t"
