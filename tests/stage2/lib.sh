# lib.sh: shared by the stage2 tests: tests/lib/tap.sh, skipping the test until the bootstrap
# has run (make).
. "$(dirname "$0")/../lib/tap.sh"
need "$BUILD/stage1/nano_virt" "$ROOT/bin/nano_vm" "$ROOT/bin/nano_virt" "$BUILD/stage2/nano_virt.nvm"
