# lib.sh: shared by the stage2 tests.  Sets ROOT, BUILD, TMP; TAP helpers ok / done_testing.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_stage2.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
T_N=0
T_FAILED=0
# ok STATUS DESCRIPTION [FILE-WITH-DETAILS]
ok() {
    T_N=$((T_N + 1))
    if [ "$1" = 0 ]; then
        echo "ok $T_N - $2"
    else
        echo "not ok $T_N - $2"
        T_FAILED=$((T_FAILED + 1))
        [ $# -ge 3 ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -n 20
    fi
}
done_testing() {
    echo "1..$T_N"
    [ "$T_FAILED" = 0 ]
    exit $?
}
for f in "$BUILD/stage1/nano_virt" "$ROOT/bin/nano_vm" "$ROOT/bin/nano_virt" "$BUILD/stage2/nano_virt.nvm"; do
    if [ ! -e "$f" ]; then
        echo "1..0 # SKIP the bootstrap has not run (make)"
        exit 0
    fi
done
