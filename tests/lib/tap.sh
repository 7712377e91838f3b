# tap.sh: the TAP preamble every shell test file (tests/DIR/NAME.t, bash) shares.  Source it
# first, as  . "$(dirname "$0")/../lib/tap.sh"  (a directory's lib.sh may source it for its files).
# It sources paths.sh (ROOT, BUILD, HERE, skip_all, need) and gives:
#   $t                     the test file's own scratch directory (read-only name), removed at
#                          exit by tap_cleanup; a file that needs more done at exit sets its own
#                          EXIT trap and calls tap_cleanup last (as daemon.sh and cop/cop.t do);
#                          INT, TERM, HUP and PIPE end the file through that trap too
#   plan N                 prints the plan "1..N" up front (finish then does not print it again)
#   ok STATUS NAME [DETAILS]
#                          one test: "ok N - NAME" when STATUS is 0, else "not ok N - NAME",
#                          followed by DETAILS (a file's first lines, or else the text) as TAP
#                          comments; a failure counts unless NAME has a "# TODO" directive
#   not_ok NAME [FILE...]  a failed test, with the first lines of each FILE that exists
#   skip REASON            one skipped test, "ok N # SKIP REASON"
#   relay PREFIX TAP [FILE]
#                          each "ok" and "not ok" line of the file TAP (a program's TAP output)
#                          as one test here, "PREFIX: NAME" (a failure shows FILE)
#   show [FILE...]         the first 20 lines of FILEs (or of stdin) as TAP comments
#   exits NAME STATUS CMD...
#                          runs CMD (stdin /dev/null, stdout to $t/out, stderr to $t/err): one
#                          test that it exits with STATUS (a failure shows both outputs)
#   has FILE TEXT NAME     one test: $t/FILE contains TEXT (a failure shows the file)
#   hasnt FILE TEXT NAME   one test: $t/FILE does not contain TEXT
#   bounded CMD...         runs CMD in a subshell with at most 4 GB of address space and 60 s
#                          (a guard against a runaway program, not a time limit on the test)
#   finish                 prints the plan "1..N" unless plan did; its status is 1 when a test
#                          failed (end the file with it)
# ok, not_ok and skip return 0, so that a chain "CHECK && ok 0 NAME || not_ok NAME" is one test.
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
t=$(mktemp -d "${TMPDIR:-/tmp}/nano_$(basename "$HERE")_$(basename "$0" .t).XXXXXX") || exit 1
readonly t
tap_n=0; tap_failed=0; tap_planned=""
show() { sed 's/^/# /' "$@" | head -n 20; }
plan() { echo "1..$1"; tap_planned=$1; }
ok() {
    tap_n=$((tap_n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $tap_n - $2"
        return 0
    fi
    echo "not ok $tap_n - $2"
    case $2 in *"# TODO"*) ;; *) tap_failed=$((tap_failed + 1)) ;; esac
    if [ $# -ge 3 ] && [ -f "$3" ]; then
        show "$3"
    elif [ $# -ge 3 ] && [ -n "$3" ]; then
        printf '%s\n' "$3" | show
    fi
    return 0
}
not_ok() {
    local f
    ok 1 "$1"
    shift
    for f in "$@"; do [ -f "$f" ] && show "$f"; done
    return 0
}
exits() {
    local name=$1 want=$2 got; shift 2
    "$@" > "$t/out" 2> "$t/err" < /dev/null
    got=$?
    [ "$got" = "$want" ]; ok $? "$name (exit $got)"
    [ "$got" = "$want" ] || { echo "# expected exit $want"; sed 's/^/# stdout: /' "$t/out" | head -n 5
        sed 's/^/# stderr: /' "$t/err" | head -n 5; }
    return 0
}
has() { grep -qF -- "$2" "$t/$1"; ok $? "$3" "$t/$1"; }
hasnt() { ! grep -qF -- "$2" "$t/$1"; ok $? "$3" "$t/$1"; }
bounded() { ( ulimit -v 4000000; timeout 60 "$@" ); }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
relay() {
    local line
    while IFS= read -r line; do
        case "$line" in
        "ok "*) ok 0 "$1: ${line#ok * - }" ;;
        "not ok "*) not_ok "$1: ${line#not ok * - }" "${@:3}" ;;
        esac
    done < "$2"
}
finish() {
    [ -n "$tap_planned" ] || echo "1..$tap_n"
    [ "$tap_failed" = 0 ]
}
tap_cleanup() {
    chmod -R u+rwx "$t" 2>/dev/null
    rm -rf "$t"
}
trap tap_cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
