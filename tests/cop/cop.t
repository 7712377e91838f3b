#!/usr/bin/env bash
# cop.t: extern calls end to end: nanolang programs compiled by bin/nano_virt (whose shadow tests
# call C at compile time), run by bin/nano_vm and by the sanitizer build (build/san/nano_vm, with
# build/san/nano_cop), each with its expectations beside it as in tests/conformance (P.out exact,
# P.status, every line of P.err in stderr, P.stdin).  Then what needs processes watched from
# outside: the co-process's pid and descriptors, how many co-processes start (a logging wrapper
# named by NANO_COP), SIGKILL of the co-process during a blocking call, SIGKILL of nano_vm.
# Every test works in its own temporary directory and kills only processes it started.
. "$(dirname "$0")/../lib/tap.sh"
VIRT=$ROOT/bin/nano_virt
VM=${NANO_VM:-$ROOT/bin/nano_vm}
VM_SAN=${NANO_VM_SAN:-$BUILD/san/nano_vm}
COP=$ROOT/bin/nano_cop
need "$VIRT" "$VM" "$COP"
unset NANO_COP
export NANO_COP_TEST_VAR="value from the environment"
# libcoptest.so by name, as a module's C code is found (callback.nano)
export NANO_CLIB_PATH="/nonexistent:$BUILD/tests/cop"
unset NANO_COP_TEST_UNSET
# processes this test started and has not seen end (nano_vm, and co-processes found through
# it); at exit, those still alive (and still nano_vm or nano_cop) are killed
STARTED=""
forget() {
    local keep="" p
    for p in $STARTED; do [ "$p" = "$1" ] || keep="$keep $p"; done
    STARTED=$keep
}
cleanup() {
    local p comm
    for p in $STARTED; do
        comm=$(cat "/proc/$p/comm" 2> /dev/null)
        case "$comm" in nano_vm | nano_cop) kill -9 "$p" 2> /dev/null ;; esac
    done
    tap_cleanup
}
trap cleanup EXIT

# wait_for FILE SECONDS: until FILE is not empty
wait_for() {
    local i=0
    while [ ! -s "$1" ] && [ $i -lt $(($2 * 20)) ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ -s "$1" ]
}

# gone PID: the process has ended (no such process, or a zombie nobody has reaped yet)
gone() {
    [ ! -e "/proc/$1/stat" ] && return 0
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)
    [ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ]
}

# ---- 1. the programs with expectations -----------------------------------------------------

# check ID VM LABEL: runs $t/run/ID/ID.nvm on VM, compares with tests/cop/ID.*
check() {
    local id=$1 vm=$2 label=$3 dir=$t/run/$1 input=/dev/null problems="" line
    [ -f "$HERE/$id.stdin" ] && input=$HERE/$id.stdin
    (cd "$dir" && "$vm" "$id.nvm" < "$input" > "$dir/out" 2> "$dir/err")
    local status=$? want=0
    [ -f "$HERE/$id.status" ] && want=$(cat "$HERE/$id.status")
    [ "$status" = "$want" ] || problems="${problems}exit status $status, expected $want
"
    cmp -s "$dir/out" "$HERE/$id.out" || problems="${problems}stdout differs: $(diff "$HERE/$id.out" "$dir/out" | head -n 6)
"
    if [ -f "$HERE/$id.err" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -z "$line" ] && continue
            grep -qF -- "$line" "$dir/err" || problems="${problems}stderr lacks: $line
"
        done < "$HERE/$id.err"
    elif [ -s "$dir/err" ]; then
        problems="${problems}unexpected stderr: $(head -n 3 "$dir/err")
"
    fi
    [ -z "$problems" ]
    ok $? "$id ($label)" "$problems"
}

for src in "$HERE"/*.nano; do
    id=$(basename "$src" .nano)
    dir=$t/run/$id
    mkdir -p "$dir"
    # compiled in the scratch directory (from a copy, so that messages name the file as
    # P.err does): its shadow tests run (and call C) at compile time
    cp "$src" "$dir/$id.nano"
    if ! (cd "$dir" && "$VIRT" "$id.nano" -o "$id.nvm" > "$dir/cout" 2> "$dir/cerr"); then
        ok 1 "$id compiles, its shadow tests pass" "$(cat "$dir/cerr")"
        continue
    fi
    check "$id" "$VM" "nano_vm"
    if [ -x "$VM_SAN" ]; then check "$id" "$VM_SAN" "sanitizer build"; fi
done

# ---- 2. programs for the process checks ----------------------------------------------------

P=$t/p
mkdir -p "$P"
cat > "$P/pids.nano" << 'EOF'
extern fn getpid() -> int
extern fn getppid() -> int
fn main() -> int {
    (println (getpid))
    (println (getppid))
    return 0
}
EOF
cat > "$P/sleeper.nano" << 'EOF'
extern fn getpid() -> int
extern fn sleep(seconds: int) -> int
fn main() -> int {
    (println (getpid))
    (sleep 60)
    (println "woke up")
    return 0
}
EOF
cat > "$P/noextern.nano" << 'EOF'
extern fn labs(x: int) -> int
fn never(x: int) -> int {
    return (labs x)
}
shadow never {
    assert (== 1 1)
}
fn main() -> int {
    (println "declared, never called")
    return 0
}
EOF
cat > "$P/many.nano" << 'EOF'
extern fn labs(x: int) -> int
fn main() -> int {
    let mut sum: int = 0
    for i in (range 0 1000) {
        set sum (+ sum (labs (- 0 i)))
    }
    (println sum)
    return 0
}
EOF
cat > "$P/shadows.nano" << 'EOF'
extern fn labs(x: int) -> int
extern fn hypot(x: float, y: float) -> float
fn one() -> int {
    return (labs -1)
}
shadow one {
    assert (== (one) 1)
}
fn five() -> float {
    return (hypot 3.0 4.0)
}
shadow five {
    assert (== (five) 5.0)
}
fn main() -> int {
    (println (+ (one) 1))
    return 0
}
EOF
compiled=0
for p in pids sleeper noextern many shadows; do
    (cd "$P" && "$VIRT" "$p.nano" -o "$p.nvm" > /dev/null 2> "$P/$p.cerr") && compiled=$((compiled + 1))
done
[ "$compiled" = 5 ]
ok $? "the process-check programs compile" "$(cat "$P"/*.cerr)"

# getpid in C is the co-process's, getppid the VM's
(cd "$P" && exec "$VM" pids.nvm > "$P/pids.out" 2>&1) &
vm=$!
STARTED="$STARTED $vm"
wait $vm
forget $vm
cop_pid=$(sed -n 1p "$P/pids.out")
cop_ppid=$(sed -n 2p "$P/pids.out")
[ -n "$cop_pid" ] && [ "$cop_pid" != "$vm" ] && [ "$cop_ppid" = "$vm" ]
ok $? "C's getpid is the co-process's ($cop_pid), its getppid is nano_vm's ($vm)" "$(cat "$P/pids.out")"

# a logging wrapper: one line per co-process started, then the real nano_cop
LOG=$t/cop.log
cat > "$t/wrap.sh" << EOF
#!/bin/sh
echo "\$\$" >> "$LOG"
exec "$COP" "\$@"
EOF
chmod +x "$t/wrap.sh"
starts() { if [ -f "$LOG" ]; then wc -l < "$LOG" | tr -d ' '; else echo 0; fi; }

rm -f "$LOG"
out=$(cd "$P" && NANO_COP=$t/wrap.sh "$VM" noextern.nvm 2>&1)
[ "$out" = "declared, never called" ] && [ "$(starts)" = 0 ]
ok $? "a program that calls no extern starts no co-process ($(starts) started)" "$out"

rm -f "$LOG"
out=$(cd "$P" && NANO_COP=$t/wrap.sh "$VM" many.nvm 2>&1)
[ "$out" = 499500 ] && [ "$(starts)" = 1 ]
ok $? "1000 extern calls of one program: one co-process ($(starts) started)" "$out"

rm -f "$LOG"
(cd "$P" && NANO_COP=$t/wrap.sh "$VIRT" shadows.nano -o shadows2.nvm > /dev/null 2>&1)
[ $? = 0 ] && [ "$(starts)" = 2 ]
ok $? "compiling: each shadow test that calls C runs in a fresh process with its own co-process ($(starts) started for 2 tests)"

rm -f "$LOG"
out=$(cd "$P" && NANO_COP=$t/wrap.sh "$VIRT" shadows.nano --run 2>&1)
[ "$out" = 2 ] && [ "$(starts)" = 3 ]
ok $? "nano_virt --run: 2 shadow tests and the program itself, 3 co-processes ($(starts) started)" "$out"
all_gone=0
if [ -f "$LOG" ]; then
    for p in $(cat "$LOG"); do gone "$p" || all_gone=1; done
fi
ok $all_gone "all of them have ended"

# SIGKILL of the co-process during sleep(): the program ends with the error; the descriptors of
# the co-process are the program's three and the two pipes (fd 7, open in nano_vm, is not passed)
rm -f "$LOG"
exec 7< /dev/null
(cd "$P" && NANO_COP=$t/wrap.sh exec "$VM" sleeper.nvm > "$P/sleeper.out" 2> "$P/sleeper.err") &
vm=$!
STARTED="$STARTED $vm"
exec 7<&-
if wait_for "$P/sleeper.out" 20; then
    cop=$(sed -n 1p "$P/sleeper.out")
    STARTED="$STARTED $cop"
    fds=$(ls "/proc/$cop/fd" 2> /dev/null | sort -n | tr '\n' ' ')
    [ "$fds" = "0 1 2 64 65 " ]
    ok $? "the co-process has descriptors 0 1 2 and its two pipes only (it has: $fds)"
    [ "$cop" = "$(sed -n 1p "$LOG")" ]
    ok $? "the wrapper saw the same co-process"
    sleep 0.2
    kill -9 "$cop"
    wait $vm
    status=$?
    forget $vm
    forget $cop
    [ $status = 1 ] && grep -qF "sleeper.nano:5: error: extern call to sleep: nano_cop killed by signal 9 (SIGKILL)" "$P/sleeper.err"
    ok $? "SIGKILL of the co-process during sleep(): status 1 and the error (status $status)" "$(cat "$P/sleeper.err")"
else
    ok 1 "the sleeper started" "$(cat "$P/sleeper.err")"
fi

# SIGKILL of nano_vm during sleep(): the co-process does not outlive it
(cd "$P" && exec "$VM" sleeper.nvm > "$P/sleeper2.out" 2> "$P/sleeper2.err") &
vm=$!
STARTED="$STARTED $vm"
if wait_for "$P/sleeper2.out" 20; then
    cop=$(sed -n 1p "$P/sleeper2.out")
    STARTED="$STARTED $cop"
    gone "$cop"
    alive_before=$?
    kill -9 $vm
    wait $vm 2> /dev/null
    forget $vm
    for i in $(seq 100); do gone "$cop" && break; sleep 0.05; done
    gone "$cop"
    cop_gone=$?
    [ $cop_gone = 0 ] && forget $cop
    [ $cop_gone = 0 ] && [ $alive_before = 1 ]
    ok $? "SIGKILL of nano_vm during sleep(): its co-process $cop ends too"
else
    ok 1 "the sleeper started" "$(cat "$P/sleeper2.err")"
fi

# NANO_COP naming something that is not there
out=$(cd "$P" && NANO_COP=$t/no/such/nano_cop "$VM" many.nvm 2>&1)
status=$?
[ $status = 1 ] && printf '%s' "$out" | grep -qF "many.nano:5: error: extern call to labs: cannot start nano_cop ($t/no/such/nano_cop): No such file or directory"
ok $? "a missing nano_cop is a runtime error naming the path and the reason" "$out"

# nano_cop itself
"$COP" --version | grep -q "protocol version 1"
ok $? "nano_cop --version names the protocol version"
"$COP" > /dev/null 2>&1
[ $? = 64 ]
ok $? "nano_cop run by hand without --serve: usage, status 64"

finish
