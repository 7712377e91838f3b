#!/usr/bin/env bash
# shadow.t: every shadow test of the compiler (stage1/*.nano, as imported by stage1/main.nano),
# built by nanoc0 --tests into build/stage1/nano_virt_tests, run as TAP.
. "$(dirname "$0")/../lib/paths.sh"
cd "$ROOT" || exit 1
need "$BUILD/stage1/nano_virt_tests"
exec "$BUILD/stage1/nano_virt_tests"
