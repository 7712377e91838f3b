#!/usr/bin/env bash
# conformance.t: the conformance suite once more, compiled by the self-hosted compiler
# (bin/nano_virt) instead of the native stage 1 compiler.
. "$(dirname "$0")/../lib/paths.sh"
need "$ROOT/bin/nano_virt"
NANO_VIRT=$ROOT/bin/nano_virt exec "$ROOT/tests/conformance/vm.t"
