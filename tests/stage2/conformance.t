#!/usr/bin/env bash
# conformance.t: the conformance suite once more, compiled by the self-hosted compiler
# (bin/nano_virt) instead of the native stage 1 compiler.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x "$ROOT/bin/nano_virt" ]; then
    echo "1..0 # SKIP the bootstrap has not run (make)"
    exit 0
fi
NANO_VIRT=$ROOT/bin/nano_virt exec "$ROOT/tests/conformance/vm.t"
