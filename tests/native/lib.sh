# Sourced by tests/native/*.t: paths, TAP helpers, a scratch directory $t, daemons confined to
# the test's own XDG_RUNTIME_DIRs (stopped by pid at the end, as tests/vmd/lib.sh does), and
# mkexe, an executable made by hand (perl) from a stub and a .nvm image as docs/EXECUTABLES.md
# lays it out.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NANO_BUILD:-$top/build}
VIRT=$BUILD/stage1/nano_virt
VM=${NANO_VM:-$top/bin/nano_vm}
VMD=${NANO_VMD_BIN:-$top/bin/nano_vmd}
ASM=$BUILD/tests/nvmasm
FULL=$top/bin/nano_stub_full
THIN=$top/bin/nano_stub_thin
export NANO_VMD=$VMD
t=$(mktemp -d)
runs=""

n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
show() { sed 's/^/# /' "$@" | head -10; }
finish() { echo "1..$n"; [ "$failed" = 0 ]; }

use_run() {
    mkdir -p "$t/$1"
    chmod 700 "$t/$1"
    export XDG_RUNTIME_DIR=$t/$1
    runs="$runs $t/$1"
}
daemon_pid() { "$VMD" --status 2>/dev/null | sed -n 's/^nano_vmd: pid \([0-9]*\),.*/\1/p'; }
wait_for() {
    local i
    for i in $(seq 1 1200); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
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

# mkexe STUB NVM OUT: STUB's bytes, NVM's, the trailer (offset, length, CRC-32, version, magic)
mkexe() {
    perl -MCompress::Zlib -e '
        local $/; binmode STDOUT;
        open my $s, "<:raw", $ARGV[0] or die "$ARGV[0]: $!"; my $stub = <$s>;
        open my $i, "<:raw", $ARGV[1] or die "$ARGV[1]: $!"; my $img = <$i>;
        open my $o, ">:raw", $ARGV[2] or die "$ARGV[2]: $!";
        print $o $stub, $img, pack("Q<Q<VV", length $stub, length $img, crc32($img), 1), "NANOEXE\x01";
        close $o or die "$ARGV[2]: $!";' "$1" "$2" "$3" && chmod 755 "$3"
}

for f in "$VIRT" "$VM" "$VMD" "$FULL" "$THIN" "$ASM"; do
    [ -x "$f" ] || { echo "1..0 # SKIP $f is not built (make test-build)"; exit 0; }
done
