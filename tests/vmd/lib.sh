# Sourced by tests/vmd/*.t: TAP helpers, and daemons confined to the test's own directories.
# Every daemon a test starts runs with an XDG_RUNTIME_DIR under $t, and is stopped by its pid.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
VM=${NANO_VM:-$top/bin/nano_vm}
VMD=${NANO_VMD_BIN:-$top/bin/nano_vmd}
ASM=${NANO_BUILD:-$top/build}/tests/nvmasm
export NANO_VMD=$VMD
t=$(mktemp -d)
runs=""  # the XDG_RUNTIME_DIRs used, whose daemons are stopped at the end

n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
show() { sed 's/^/# /' "$@" | head -10; }

# use_run NAME: a fresh runtime directory for the daemons of the next steps
use_run() {
    mkdir -p "$t/$1"
    chmod 700 "$t/$1"
    export XDG_RUNTIME_DIR=$t/$1
    runs="$runs $t/$1"
}
# the pid of the daemon of $XDG_RUNTIME_DIR, "" when none answers
daemon_pid() { "$VMD" --status 2>/dev/null | sed -n 's/^nano_vmd: pid \([0-9]*\),.*/\1/p'; }
running() { "$VMD" --status 2>/dev/null | sed -n 's/.*, \([0-9]*\) programs running.*/\1/p'; }
running_is() { [ "$(running)" = "$1" ]; }
running_at_least() { local r; r=$(running); [ -n "$r" ] && [ "$r" -ge "$1" ]; }
served() { "$VMD" --status 2>/dev/null | sed -n 's/.* \([0-9]*\) run,.*/\1/p'; }
# wait_for CMD...: until CMD succeeds, polling for at most 120 s; its status
wait_for() {
    local i
    for i in $(seq 1 1200); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }

cleanup() {
    local r p
    for r in $runs; do
        p=$(XDG_RUNTIME_DIR=$r daemon_pid)
        if [ -n "$p" ]; then
            XDG_RUNTIME_DIR=$r "$VMD" --stop >/dev/null 2>&1
            wait_for dead "$p" || kill -9 "$p" 2>/dev/null
        fi
    done
    chmod -R u+rwx "$t" 2>/dev/null
    rm -rf "$t"
}
trap cleanup EXIT

[ -x "$VMD" ] && [ -x "$ASM" ] || { echo "1..0 # SKIP nano_vmd or nvmasm is not built"; exit 0; }
. "$top/tests/vmd/programs.sh"
