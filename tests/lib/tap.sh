# tap.sh: the TAP preamble the shell test files share (source it after setting nothing):
#   ok STATUS NAME   one test: "ok N - NAME" when STATUS is 0, else "not ok N - NAME" (counted)
#   show FILE...     the first 10 lines of FILEs as TAP comments (a diagnostic)
#   finish           prints the plan, "1..N"; its status is 1 when a test failed (end with it)
#   $t               a scratch directory, removed at exit by tap_cleanup (a file that needs more
#                    done at exit sets its own EXIT trap and calls tap_cleanup last, as daemon.sh)
set -u
t=$(mktemp -d)
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
show() { sed 's/^/# /' "$@" | head -10; }
finish() { echo "1..$n"; [ "$failed" = 0 ]; }
tap_cleanup() {
    chmod -R u+rwx "$t" 2>/dev/null
    rm -rf "$t"
}
trap tap_cleanup EXIT
