# lib.sh: shared by the stage0 test scripts and those of tests/builtins: tests/lib/tap.sh, and
# NANOC0, the C compiler and its flags, cc_all; skips the test when nanoc0 or the runtime is not
# built.  Tests run from any directory; they work inside tests/stage0.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
NANOC0=$ROOT/bin/nanoc0
CC=${CC:-cc}
CCFLAGS="-std=c11 -Wall -Wextra -Werror -O0 -I$ROOT/bootstrap"
CCLINK="$BUILD/bootstrap/libnanort.a $BUILD/libnanovm.a $(pkg-config --libs bdw-gc) -lm -lpthread"
need "$NANOC0" "$BUILD/bootstrap/libnanort.a"
# cc_all FILE.c...: compiles each FILE.c to FILE.bin, two at a time; cc's output in FILE.ccerr
cc_all() {
    printf '%s\n' "$@" | xargs -P 2 -I{} sh -c "$CC $CCFLAGS {} $CCLINK -o {}.bin 2> {}.ccerr"
}
