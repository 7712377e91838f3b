# daemon.sh: tap.sh, and daemons confined to the test's own directories, for the tests that run
# nano_vmd (tests/vmd/, tests/native/).  Set VMD (the nano_vmd to ask) before calling these.
# Every daemon a test starts runs with an XDG_RUNTIME_DIR under $t (use_run), and is stopped by
# its pid at exit.
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
runs=""  # the XDG_RUNTIME_DIRs used, whose daemons are stopped at the end

# use_run NAME: a fresh runtime directory for the daemons of the next steps
use_run() {
    mkdir -p "$t/$1"
    chmod 700 "$t/$1"
    export XDG_RUNTIME_DIR=$t/$1
    runs="$runs $t/$1"
}
# the pid of the daemon of $XDG_RUNTIME_DIR, "" when none answers
daemon_pid() { "$VMD" --status 2>/dev/null | sed -n 's/^nano_vmd: pid \([0-9]*\),.*/\1/p'; }
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

# stops the daemon of each runtime directory used (--stop, then SIGKILL to its pid if it stays)
stop_daemons() {
    local r p
    for r in $runs; do
        p=$(XDG_RUNTIME_DIR=$r daemon_pid)
        if [ -n "$p" ]; then
            XDG_RUNTIME_DIR=$r "$VMD" --stop >/dev/null 2>&1
            wait_for dead "$p" || kill -9 "$p" 2>/dev/null
        fi
    done
}
trap 'stop_daemons; tap_cleanup' EXIT
