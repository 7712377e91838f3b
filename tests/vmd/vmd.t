#!/usr/bin/env bash
# nano_vmd and nano_vm --daemon: lazy launch, grace period, one daemon for many clients, stale
# sockets, a daemon killed mid-run, cancellation by signals, unsafe socket directories, the same
# results as plain nano_vm, many programs each in its own world, garbage on the socket.
. "$(dirname "$0")/lib.sh"
export NANO_VMD_GRACE=600

# ---- lazy launch, and exit after the grace period
use_run lazy
[ ! -e "$XDG_RUNTIME_DIR/nanovm/sock" ]; ok $? "no daemon before the first client"
WHO=first NANO_VMD_GRACE=2 "$VM" --daemon "$t/hello.nvm" >"$t/out" 2>"$t/err"
s=$?
[ "$s" = 7 ] && [ "$(cat "$t/out")" = "hello first" ]; ok $? "the first client launches the daemon and gets the result (exit $s)"
[ "$s" = 7 ] || show "$t/err"
st=$(stat -c %a "$XDG_RUNTIME_DIR/nanovm")
[ "$st" = 700 ]; ok $? "the socket directory is created with mode 0700 (got $st)"
p=$(daemon_pid)
[ -n "$p" ]; ok $? "the daemon answers --status"
[ -n "$p" ] && wait_for dead "$p"; ok $? "the daemon exits after its grace period"
[ ! -e "$XDG_RUNTIME_DIR/nanovm/sock" ] && [ -e "$XDG_RUNTIME_DIR/nanovm/lock" ]; ok $? "it removes its socket and leaves its lock file"

# ---- the same results as plain nano_vm
use_run same
WHO=launcher "$VM" --daemon "$t/hello.nvm" >/dev/null 2>&1
p=$(daemon_pid)
env -u WHO "$VM" --daemon "$t/hello.nvm" >"$t/out" 2>&1
[ "$(cat "$t/out")" = "hello " ]; ok $? "GETENV reads the client's environment, not the daemon's"
[ "$(daemon_pid)" = "$p" ]; ok $? "the second client uses the same daemon"
printf 'one\ntwo\nthree' >"$t/in3"
# same NAME PROGRAM ARGS...: plain and through the daemon, stdin from $t/in3
same() {
    local name=$1; shift
    "$VM" "$@" <"$t/in3" >"$t/p.out" 2>"$t/p.err"; local ps=$?
    "$VM" --daemon "$@" <"$t/in3" >"$t/d.out" 2>"$t/d.err"; local ds=$?
    [ "$ps" = "$ds" ] && cmp -s "$t/p.out" "$t/d.out" && cmp -s "$t/p.err" "$t/d.err"
    ok $? "$name: the same stdout, stderr and exit status ($ps) as plain nano_vm"
    [ "$ps" = "$ds" ] || echo "# plain $ps, daemon $ds"
    cmp -s "$t/p.out" "$t/d.out" || { show "$t/p.out"; echo "# vs"; show "$t/d.out"; }
    cmp -s "$t/p.err" "$t/d.err" || { show "$t/p.err"; echo "# vs"; show "$t/d.err"; }
}
same "stdin, stdout, stderr" "$t/echo.nvm"
same "arguments" "$t/args.nvm" a "b c" "" --help
same "environment" "$t/hello.nvm"
WHO="a b=c" same "environment with spaces and =" "$t/hello.nvm"
same "a runtime error" "$t/fail.nvm"
same "an invalid program" "$t/echo.s"
same "a missing program" "$t/missing.nvm"
mkdir -p "$t/wd/p" "$t/wd/d"
echo inside >"$t/wd/p/in.txt"; echo inside >"$t/wd/d/in.txt"
(cd "$t/wd/p" && umask 027 && VAR=v "$VM" "$t/world.nvm" >"$t/p.out" 2>&1; echo $? >>"$t/p.out")
(cd "$t/wd/d" && umask 027 && VAR=v "$VM" --daemon "$t/world.nvm" >"$t/d.out" 2>&1; echo $? >>"$t/d.out")
cmp -s "$t/p.out" "$t/d.out" && cmp -s "$t/wd/p/out.txt" "$t/wd/d/out.txt"; ok $? "relative paths (READ_FILE, WRITE_FILE, FILE_EXISTS) resolve in the client's directory"
show "$t/d.out"
m1=$(stat -c %a "$t/wd/p/out.txt"); m2=$(stat -c %a "$t/wd/d/out.txt")
[ "$m1" = 640 ] && [ "$m2" = 640 ]; ok $? "WRITE_FILE applies the client's umask (plain $m1, daemon $m2)"
"$VM" "$t/yes.nvm" 2>"$t/p.err" | head -1 >"$t/p.out"; ps=${PIPESTATUS[0]}
"$VM" --daemon "$t/yes.nvm" 2>"$t/d.err" | head -1 >"$t/d.out"; ds=${PIPESTATUS[0]}
[ "$ps" = "$ds" ] && cmp -s "$t/p.out" "$t/d.out" && cmp -s "$t/p.err" "$t/d.err"; ok $? "| head -1: the same output, error and status ($ps, $ds)"
show "$t/d.err"
for k in 0 1 2 3; do
    set -- ; for j in $(seq 1 $k); do set -- "$@" x; done
    "$VM" --daemon "$t/args.nvm" "$@" >/dev/null 2>&1; s=$?
    [ "$s" = $((k + 1)) ] || break
done
[ "$s" = 4 ]; ok $? "exit statuses pass through"
"$VM" --daemon --max-steps 10 "$t/args.nvm" >/dev/null 2>&1
[ $? = 64 ]; ok $? "--daemon with another option is a usage error"

# ---- 20 clients at once, no daemon running
use_run twenty
for i in $(seq 1 20); do
    "$VM" --daemon "$t/args.nvm" "$i" >"$t/c$i.out" 2>"$t/c$i.err" &
    eval "c$i=\$!"
done
good=0
for i in $(seq 1 20); do
    eval "wait \$c$i"; s=$?
    [ "$s" = 2 ] && [ "$(cat "$t/c$i.out")" = "$t/args.nvm|$i|" ] && good=$((good + 1))
    [ "$s" = 2 ] || { echo "# client $i: exit $s"; show "$t/c$i.err"; }
done
[ "$good" = 20 ]; ok $? "20 clients at once with no daemon: 20 correct results ($good)"
[ "$(served)" = 20 ]; ok $? "one daemon ran all 20 ($(served))"
# the daemons of this directory still alive: those that lost the race for the lock have exited
vmd_exe=$(readlink -f "$VMD")
count_daemons() {
    local k=0 d
    for d in /proc/[0-9]*; do
        [ "$(readlink "$d/exe" 2>/dev/null)" = "$vmd_exe" ] || continue
        tr '\0' '\n' <"$d/environ" 2>/dev/null | grep -qxF "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" && k=$((k + 1))
    done
    [ "$k" = 1 ]
}
wait_for count_daemons; ok $? "exactly one daemon remains"
p=$(daemon_pid)

# ---- a stale socket, and a daemon killed during a run
kill -9 "$p"; wait_for dead "$p"
[ -S "$XDG_RUNTIME_DIR/nanovm/sock" ]; ok $? "a killed daemon leaves its socket behind"
"$VM" --daemon "$t/args.nvm" x >"$t/out" 2>"$t/err"
[ $? = 2 ]; ok $? "the next client replaces the stale socket with a new daemon"
show "$t/err"
p=$(daemon_pid)
"$VM" --daemon "$t/loop.nvm" >"$t/out" 2>"$t/err" &
c=$!
wait_for running_is 1; ok $? "a program stuck in a loop runs"
kill -9 "$p"
wait "$c"; s=$?
[ "$s" = 70 ] && grep -q "daemon ended" "$t/err"; ok $? "SIGKILL of the daemon during a run: the client says so and exits 70 ($s)"
show "$t/err"
"$VM" --daemon "$t/args.nvm" x >"$t/out" 2>"$t/err"
[ $? = 2 ]; ok $? "and the next client works"

# ---- signals cancel the program in the daemon
for sig in INT TERM HUP; do
    "$VM" --daemon "$t/loop.nvm" >"$t/out" 2>"$t/err" &
    c=$!
    wait_for running_is 1
    kill -s $sig "$c"
    wait "$c"; s=$?
    want=$((128 + $(kill -l $sig)))
    [ "$s" = "$want" ]; ok $? "SIG$sig to the client: exits $want ($s)"
    wait_for running_is 0; ok $? "SIG$sig cancels the loop in the daemon"
done
"$VM" --daemon "$t/loop.nvm" >"$t/out" 2>"$t/err" &
c=$!
wait_for running_is 1
kill -9 "$c"; wait "$c" 2>/dev/null
wait_for running_is 0; ok $? "a client killed mid-run: its program is cancelled, the daemon lives on"
mkfifo "$t/fifo"
exec 7<>"$t/fifo"
"$VM" --daemon "$t/echo.nvm" <"$t/fifo" >"$t/out" 2>"$t/err" &
c=$!
wait_for running_is 1
echo line >&7
wait_for grep -q "> line" "$t/out"
kill -INT "$c"
wait "$c"; s=$?
[ "$s" = 130 ]; ok $? "Ctrl-C while the program waits for input: exits 130 ($s)"
wait_for running_is 0; ok $? "the blocked READ_LINE is cancelled"
exec 7>&-

# ---- cancellation reaches every kind of endless run: the core polls the flag at backward jumps
# (conditional, and a jump to itself) and at calls (a recursion with no backward jump)
for prog in count spin recur; do
    "$VM" --daemon "$t/$prog.nvm" >"$t/out" 2>"$t/err" &
    c=$!
    wait_for running_is 1
    kill -INT "$c"
    wait "$c"; s=$?
    [ "$s" = 130 ] && wait_for running_is 0; ok $? "Ctrl-C cancels $prog in the daemon (exit $s)"
done

# ---- the heap limit: one program over it fails alone
"$VM" --daemon "$t/loop.nvm" >/dev/null 2>&1 &
victim=$!
wait_for running_is 1
"$VM" --daemon --heap 16m "$t/hog.nvm" >"$t/out" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "out of memory (heap limit 16777216 bytes)" "$t/err"; ok $? "--daemon --heap 16m: a program over it ends with out of memory ($s)"
show "$t/err"
"$VM" --daemon --max-heap 1m "$t/hog.nvm" >"$t/out" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "out of memory (heap limit 1048576 bytes)" "$t/err"; ok $? "--max-heap is the same option ($s)"
"$VM" --daemon "$t/args.nvm" x >/dev/null 2>&1; s=$?
[ "$s" = 2 ] && running_is 1; ok $? "the other programs are unharmed: a new one runs, the old one still runs"
kill -INT "$victim"; wait "$victim"
"$VM" --daemon --heap 0 "$t/hog.nvm" >/dev/null 2>"$t/err"; s=$?
[ "$s" = 64 ]; ok $? "--daemon --heap 0 is a usage error ($s)"
use_run heap
"$VMD" --grace 600 --heap 4m --ready-fd 3 3>"$t/ready" 2>"$t/vmd.err" &
hp=$!
wait_for grep -q ready "$t/ready"
"$VMD" --status | grep -q "heap limit 4194304 bytes"; ok $? "nano_vmd --heap 4m: --status shows the default heap limit"
"$VM" --daemon "$t/hog.nvm" >"$t/out" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "out of memory (heap limit 4194304 bytes)" "$t/err"; ok $? "a program whose client gives no limit gets the daemon's ($s)"
"$VM" --daemon --heap 8m "$t/hog.nvm" >"$t/out" 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "out of memory (heap limit 8388608 bytes)" "$t/err"; ok $? "a client's --heap overrides it ($s)"
"$VMD" --stop >/dev/null 2>&1; wait "$hp"
"$VMD" --heap 12q >/dev/null 2>&1; s=$?
[ "$s" = 64 ]; ok $? "nano_vmd --heap with a bad size is a usage error ($s)"
use_run same

# ---- the co-process of a daemon program gets the program's environment, directory and umask
if [ -x "$ROOT/bin/nano_virt" ] && [ -x "$ROOT/bin/nano_cop" ]; then
    cat >"$t/cworld.nano" <<'N'
# C sees the program's world: its environment (secure_getenv is getenv for us), a relative fopen, the umask of the file it creates
opaque type CFile
extern fn secure_getenv(name: string) -> string
extern fn fopen(path: string, mode: string) -> CFile
extern fn fputs(s: string, f: CFile) -> int
extern fn fclose(f: CFile) -> int

fn main() -> int {
    (println (secure_getenv "VAR"))
    let f: CFile = (fopen "c.txt" "w")
    (fputs "written by C\n" f)
    (fclose f)
    return 0
}
N
    "$ROOT/bin/nano_virt" "$t/cworld.nano" -o "$t/cworld.nvm" >"$t/err" 2>&1 || show "$t/err"
    mkdir -p "$t/cw/p" "$t/cw/d"
    (cd "$t/cw/p" && umask 027 && VAR=mine "$VM" "$t/cworld.nvm" >out 2>err; echo $? >>out)
    (cd "$t/cw/d" && umask 027 && VAR=mine "$VM" --daemon "$t/cworld.nvm" >out 2>err; echo $? >>out)
    [ "$(cat "$t/cw/d/out")" = "mine
0" ] && cmp -s "$t/cw/p/out" "$t/cw/d/out"; ok $? "C's secure_getenv reads the client's environment"
    show "$t/cw/d/out" "$t/cw/d/err"
    [ "$(cat "$t/cw/d/c.txt" 2>/dev/null)" = "written by C" ]; ok $? "C's relative fopen resolves in the client's directory"
    m1=$(stat -c %a "$t/cw/p/c.txt" 2>/dev/null); m2=$(stat -c %a "$t/cw/d/c.txt" 2>/dev/null)
    [ "$m1" = 640 ] && [ "$m2" = 640 ]; ok $? "C's fopen applies the client's umask (plain $m1, daemon $m2)"
else
    for k in 1 2 3; do ok 0 "# SKIP nano_virt or nano_cop is not built"; done
fi

# ---- a client of another uid is refused: the daemon runs as nobody in a directory of nobody's,
# and root, who may enter it, connects to the socket directly
GARBAGE=$BUILD/tests/vmd_garbage
other=""
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$VMD"; then
    other=$(mktemp -d)
    chmod 711 "$other"
    mkdir -m 700 "$other/run"
    chown nobody "$other/run"
    XDG_RUNTIME_DIR=$other/run setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$VMD" --grace 600 --ready-fd 3 3>"$t/ready" 2>"$t/vmd.err" &
    op=$!
    wait_for grep -q ready "$t/ready"; ok $? "a daemon of uid nobody starts"
    "$GARBAGE" "$other/run/nanovm/sock" status >"$t/out" 2>&1
    grep -q "answer 2 (70) nano_vmd: you are not this daemon's user" "$t/out"; ok $? "it refuses a client of another uid (root)"
    show "$t/out"
    XDG_RUNTIME_DIR=$other/run "$VM" --daemon "$t/hello.nvm" >"$t/out" 2>"$t/err"; s=$?
    [ "$s" = 70 ] && grep -q "belongs to uid 65534" "$t/err"; ok $? "and root's client refuses nobody's directory ($s)"
    kill "$op"; wait "$op"
    rm -rf "$other"
else
    for k in 1 2 3; do ok 0 "# SKIP needs root, setpriv and a user nobody who can run $VMD"; done
fi

# ---- unsafe socket directories are refused
use_run unsafe
mkdir -m 755 "$XDG_RUNTIME_DIR/nanovm"
"$VM" --daemon "$t/hello.nvm" >"$t/out" 2>"$t/err"; s=$?
[ "$s" = 70 ] && grep -q "mode 0755" "$t/err" && [ ! -e "$XDG_RUNTIME_DIR/nanovm/sock" ]; ok $? "a socket directory of mode 0755 is refused ($s)"
show "$t/err"
"$VMD" --grace 0 >/dev/null 2>"$t/err"; s=$?
[ "$s" = 1 ] && grep -q "mode 0755" "$t/err"; ok $? "by the daemon too ($s)"
rmdir "$XDG_RUNTIME_DIR/nanovm"
mkdir -m 700 "$t/elsewhere"
ln -s "$t/elsewhere" "$XDG_RUNTIME_DIR/nanovm"
"$VM" --daemon "$t/hello.nvm" >"$t/out" 2>"$t/err"; s=$?
[ "$s" = 70 ] && grep -q "symbolic link" "$t/err" && [ -z "$(ls "$t/elsewhere")" ]; ok $? "a symbolic link is refused ($s)"
show "$t/err"
rm "$XDG_RUNTIME_DIR/nanovm"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    mkdir -m 700 "$XDG_RUNTIME_DIR/nanovm"
    chown nobody "$XDG_RUNTIME_DIR/nanovm"
    "$VM" --daemon "$t/hello.nvm" >"$t/out" 2>"$t/err"; s=$?
    [ "$s" = 70 ] && grep -q "belongs to uid" "$t/err"; ok $? "a directory of another user is refused ($s)"
    show "$t/err"
    rm -rf "$XDG_RUNTIME_DIR/nanovm"
else
    ok 0 "# SKIP cannot create a directory of another user"
fi
mkdir -m 700 "$XDG_RUNTIME_DIR/nanovm"
"$VM" --daemon "$t/args.nvm" >/dev/null 2>&1
[ $? = 1 ]; ok $? "a safe directory is used"

# ---- 100 programs at once in one daemon, each with its own directory and environment; some
# fail, one is cancelled: the others are intact
use_run hundred
"$VM" --daemon "$t/args.nvm" >/dev/null 2>&1
p=$(daemon_pid)
"$VM" --daemon "$t/loop.nvm" >/dev/null 2>&1 &
victim=$!
for i in $(seq 1 100); do
    mkdir -p "$t/h/$i"
    echo "in$i" >"$t/h/$i/in.txt"
    prog=world
    [ $((i % 10)) = 0 ] && prog=fail
    (cd "$t/h/$i" && VAR="v$i" "$VM" --daemon "$t/$prog.nvm" >out 2>err; echo $? >"$t/h/$i/status") &
    eval "h$i=\$!"
done
wait_for running_at_least 1
kill -INT "$victim"; wait "$victim"; vs=$?
good=0
for i in $(seq 1 100); do
    eval "wait \$h$i"
    d=$t/h/$i
    if [ $((i % 10)) = 0 ]; then
        [ "$(cat "$d/status")" = 1 ] && grep -q "index 4 out of range" "$d/err" && [ "$(cat "$d/out")" = before ] && good=$((good + 1))
    else
        want="v$i:in$i
:true:false"
        [ "$(cat "$d/status")" = 0 ] && [ "$(cat "$d/out")" = "$want" ] && [ "$(cat "$d/out.txt")" = "$want" ] && good=$((good + 1))
    fi
done
[ "$good" = 100 ]; ok $? "100 programs at once, each in its own directory and environment: no cross-talk ($good right)"
[ "$vs" = 130 ]; ok $? "the cancelled one exits 130 ($vs)"
[ "$(daemon_pid)" = "$p" ] && [ "$(running)" = 0 ]; ok $? "the same daemon is still up, idle"

# ---- garbage on the socket
GARBAGE=$BUILD/tests/vmd_garbage
"$GARBAGE" "$XDG_RUNTIME_DIR/nanovm/sock" >"$t/garbage" 2>&1
ok $? "garbage requests sent"
sed "s/^/# /" "$t/garbage"
[ "$(daemon_pid)" = "$p" ]; ok $? "garbage does not take the daemon down"
"$VM" --daemon "$t/args.nvm" x >"$t/out" 2>"$t/err"
[ $? = 2 ]; ok $? "and it still runs programs"
kill -STOP "$p"
"$GARBAGE" "$XDG_RUNTIME_DIR/nanovm/sock" backlog >"$t/garbage" 2>&1; s=$?
kill -CONT "$p"
[ "$s" = 0 ]; ok $? "the listen backlog of a stopped daemon filled, then abandoned"
sed "s/^/# /" "$t/garbage"
"$VM" --daemon "$t/args.nvm" x >"$t/out" 2>"$t/err"
[ $? = 2 ] && [ "$(daemon_pid)" = "$p" ]; ok $? "a full backlog does not take the daemon down"

# ---- --stop, --status, --help
"$VMD" --help >"$t/out"; s=$?
[ "$s" = 0 ] && grep -q "usage: nano_vmd" "$t/out"; ok $? "--help"
"$VM" --daemon "$t/loop.nvm" >/dev/null 2>&1 &
c=$!
wait_for running_is 1
"$VMD" --stop >"$t/out" 2>&1
wait_for dead "$p"; ok $? "--stop stops the daemon"
wait "$c"; s=$?
[ "$s" = 130 ]; ok $? "and cancels its programs (the client exits $s)"
"$VMD" --status >"$t/out" 2>&1; s=$?
[ "$s" = 3 ]; ok $? "--status without a daemon exits 3 ($s)"

finish
