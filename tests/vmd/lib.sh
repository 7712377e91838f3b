# Sourced by tests/vmd/*.t: paths, TAP helpers and daemons confined to the test's own
# directories (tests/lib/daemon.sh), the daemon's counters, the test programs (programs.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/daemon.sh"
VM=${NANO_VM:-$ROOT/bin/nano_vm}
VMD=${NANO_VMD_BIN:-$ROOT/bin/nano_vmd}
ASM=$BUILD/tests/nvmasm
export NANO_VMD=$VMD
running() { "$VMD" --status 2>/dev/null | sed -n 's/.*, \([0-9]*\) programs running.*/\1/p'; }
running_is() { [ "$(running)" = "$1" ]; }
running_at_least() { local r; r=$(running); [ -n "$r" ] && [ "$r" -ge "$1" ]; }
served() { "$VMD" --status 2>/dev/null | sed -n 's/.* \([0-9]*\) run,.*/\1/p'; }

need "$VMD" "$ASM"
. "$ROOT/tests/vmd/programs.sh"
