# lib.sh: what the tests of tests/clib/ share.  Source it with the module's name and the TAP plan:
#   . "$(dirname "$0")/lib.sh" MODULE PLAN
# It sets HERE, ROOT, VIRT, VM and TMP (a scratch directory removed at exit), skips the test when
# the compiler, the VM, nano_cop or the module's shared object bin/lib/libnano_MODULE.so is not
# built, prints the plan, and defines ok STATUS NAME [DETAILS].
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VIRT=$ROOT/bin/nano_virt
VM=$ROOT/bin/nano_vm
for f in "$VIRT" "$VM" "$ROOT/bin/nano_cop" "$ROOT/bin/lib/libnano_$1.so"; do
    if [ ! -e "$f" ]; then
        echo "1..0 # SKIP $f is not built (make)"
        exit 0
    fi
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_$1_t.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
echo "1..$2"
n=0
ok() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; [ $# -ge 3 ] && printf '%s\n' "$3" | head -n 12 | sed 's/^/# /'; fi
}
