# paths.sh: where the shell test files (tests/DIR/NAME.t, bash) find things, and their skip.
# tap.sh sources it; a file that only hands over to another program (exec) sources it alone, as
#   . "$(dirname "$0")/../lib/paths.sh"
#   ROOT             the checkout: the directory two above this file, absolute
#   BUILD            the build directory: $NANO_BUILD (make test sets it), else $ROOT/build
#   HERE             the test file's own directory, absolute
#   skip_all REASON  prints the plan "1..0 # SKIP REASON" and ends the test file with status 0
#   need FILE...     skip_all "FILE is not built (make)" for the first FILE that does not exist
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
HERE=$(cd "$(dirname "$0")" && pwd)
skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}
need() {
    local f
    for f in "$@"; do
        [ -e "$f" ] || skip_all "$f is not built (make)"
    done
}
