# Sourced by tests/vmd/*.t: paths, TAP helpers and daemons confined to the test's own
# directories (tests/lib/daemon.sh), the daemon's counters, the test programs (programs.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
VM=${NANO_VM:-$top/bin/nano_vm}
VMD=${NANO_VMD_BIN:-$top/bin/nano_vmd}
ASM=${NANO_BUILD:-$top/build}/tests/nvmasm
export NANO_VMD=$VMD
. "$top/tests/lib/daemon.sh"
running() { "$VMD" --status 2>/dev/null | sed -n 's/.*, \([0-9]*\) programs running.*/\1/p'; }
running_is() { [ "$(running)" = "$1" ]; }
running_at_least() { local r; r=$(running); [ -n "$r" ] && [ "$r" -ge "$1" ]; }
served() { "$VMD" --status 2>/dev/null | sed -n 's/.* \([0-9]*\) run,.*/\1/p'; }

[ -x "$VMD" ] && [ -x "$ASM" ] || { echo "1..0 # SKIP nano_vmd or nvmasm is not built"; exit 0; }
. "$top/tests/vmd/programs.sh"
