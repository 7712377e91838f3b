# lib.sh: shared by the stage0 test scripts.  Sourced by bash; sets ROOT, NANOC0, CCLINK, TMP
# and provides TAP helpers.  Tests run from any directory; they work inside tests/stage0.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
NANOC0=$ROOT/bin/nanoc0
CC=${CC:-cc}
CCFLAGS="-std=c11 -Wall -Wextra -Werror -O0 -I$ROOT/bootstrap"
CCLINK="$BUILD/bootstrap/libnanort.a $BUILD/libnanovm.a $(pkg-config --libs bdw-gc) -lm -lpthread"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
T_N=0
T_FAILED=0
ok() {
    T_N=$((T_N + 1))
    echo "ok $T_N - $1"
}
not_ok() {
    T_N=$((T_N + 1))
    T_FAILED=$((T_FAILED + 1))
    echo "not ok $T_N - $1"
    shift
    for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f" | head -20; done
    return 0
}
done_testing() {
    echo "1..$T_N"
    [ "$T_FAILED" -eq 0 ]
}
if [ ! -x "$NANOC0" ] || [ ! -f "$BUILD/bootstrap/libnanort.a" ]; then
    echo "1..0 # SKIP nanoc0 or the runtime is not built (make test-build)"
    exit 0
fi
# cc_all FILE.c...: compiles each FILE.c to FILE.bin, two at a time; cc's output in FILE.ccerr
cc_all() {
    printf '%s\n' "$@" | xargs -P 2 -I{} sh -c "$CC $CCFLAGS {} $CCLINK -o {}.bin 2> {}.ccerr"
}
