# Sourced by tests/native/*.t: paths, TAP helpers, a scratch directory $t and daemons confined
# to the test's own XDG_RUNTIME_DIRs (tests/lib/daemon.sh, as tests/vmd/lib.sh), and
# mkexe, an executable made by hand (perl) from a stub and a .nvm image as docs/EXECUTABLES.md
# lays it out.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/daemon.sh"
VIRT=$BUILD/stage1/nano_virt
VM=${NANO_VM:-$ROOT/bin/nano_vm}
VMD=${NANO_VMD_BIN:-$ROOT/bin/nano_vmd}
ASM=$BUILD/tests/nvmasm
FULL=$ROOT/bin/nano_stub_full
THIN=$ROOT/bin/nano_stub_thin
export NANO_VMD=$VMD

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

need "$VIRT" "$VM" "$VMD" "$FULL" "$THIN" "$ASM"
