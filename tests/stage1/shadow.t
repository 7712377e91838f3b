#!/bin/sh
# shadow.t: every shadow test of the compiler (stage1/*.nano, as imported by stage1/main.nano),
# built by nanoc0 --tests into build/stage1/nano_virt_tests, run as TAP.
cd "$(dirname "$0")/../.." || exit 1
T=${NANO_BUILD:-build}/stage1/nano_virt_tests
if [ ! -x "$T" ]; then
    echo "1..0 # SKIP $T is not built (make test-build)"
    exit 0
fi
exec "$T"
