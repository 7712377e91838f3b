#!/usr/bin/env bash
# files.t: file_read and file_write on both runtimes (the native one: nanoc0 + bootstrap/; the
# VM: nano_virt + nano_vm), on what builtins.nano cannot make: devices, FIFOs, directories, files
# beyond the read cap, full devices (docs/BUILTINS.md, docs/ISA.md READ_FILE and WRITE_FILE).
# Both runtimes must print the same.  Every run is bounded in memory and time (a guard, not a
# measurement: a regression fails instead of hanging or exhausting memory).
. "$(dirname "$0")/../stage0/lib.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
ASM=$BUILD/tests/nvmasm
bounded() { ( ulimit -v 4000000; timeout 60 "$@" ); }

# readlen PATH...: the length of file_read of each path, one per line
cat > "$TMP/readlen.nano" <<'N'
fn main() -> int {
    let mut i: int = 1
    while (< i (get_argc)) {
        (println (str_length (file_read (get_argv i))))
        set i (+ i 1)
    }
    return 0
}
N
# readst PATH...: the status READ_FILE gives each path (the builtin drops it), one per line
cat > "$TMP/readst.s" <<'S'
.func main 0 1 1
    PUSH_SMALL 1
    STORE_LOCAL 0
top:
    LOAD_LOCAL 0
    TRAP ARG_COUNT
    JGE_INT done
    LOAD_LOCAL 0
    TRAP ARG
    TRAP READ_FILE
    INT_TO_STR
    PUSH_STR "\n"
    STR_CONCAT
    TRAP PRINT
    POP
    INC_LOCAL 0 1
    JUMP top
done:
    PUSH_SMALL 0
    RET
S
"$NANOC0" -o "$TMP/readlen.c" "$TMP/readlen.nano" 2> "$TMP/err" || not_ok "nanoc0 translates readlen.nano" "$TMP/err"
cc_all "$TMP/readlen.c"
"$VIRT" "$TMP/readlen.nano" -o "$TMP/readlen.nvm" 2> "$TMP/err" || not_ok "nano_virt compiles readlen.nano" "$TMP/err"
"$ASM" "$TMP/readst.s" "$TMP/readst.nvm" || not_ok "nvmasm assembles readst.s"

# both NAME EXPECTED PATH...: readlen on both runtimes prints EXPECTED
both() {
    local name=$1 want=$2; shift 2
    printf '%b' "$want" > "$TMP/want"
    bounded "$TMP/readlen.c.bin" "$@" > "$TMP/native" 2> "$TMP/nerr" < /dev/null
    cmp -s "$TMP/want" "$TMP/native" && ok "native: $name" || not_ok "native: $name" "$TMP/native" "$TMP/nerr"
    bounded "$VM" "$TMP/readlen.nvm" "$@" > "$TMP/vm" 2> "$TMP/verr" < /dev/null
    cmp -s "$TMP/want" "$TMP/vm" && ok "VM: $name" || not_ok "VM: $name" "$TMP/vm" "$TMP/verr"
}
# status NAME EXPECTED PATH...: the VM's READ_FILE statuses
status() {
    local name=$1 want=$2; shift 2
    printf '%b' "$want" > "$TMP/want"
    bounded "$VM" "$TMP/readst.nvm" "$@" > "$TMP/st" 2> "$TMP/sterr" < /dev/null
    cmp -s "$TMP/want" "$TMP/st" && ok "READ_FILE status: $name" || not_ok "READ_FILE status: $name" "$TMP/st" "$TMP/sterr"
}

printf 'hello\n' > "$TMP/small"
both "a regular file is read" '6\n' "$TMP/small"
status "a regular file: 0" '0\n' "$TMP/small"
[ -r /proc/version ] && both "/proc/version, a regular file whose size says 0, is read" "$(wc -c < /proc/version)\n" /proc/version
both "/dev/zero is refused, not read forever" '0\n' /dev/zero
status "/dev/zero: EINVAL (22)" '22\n' /dev/zero
mkfifo "$TMP/fifo"
both "a FIFO is refused without waiting for a writer" '0\n' "$TMP/fifo"
status "a FIFO: EINVAL (22)" '22\n' "$TMP/fifo"
both "a directory is refused" '0\n' "$TMP"
status "a directory: EISDIR (21)" '21\n' "$TMP"
# the cap: 1 GiB (a sparse file: its size is checked before anything is read)
if truncate -s 1073741825 "$TMP/big" 2>/dev/null; then
    both "a file beyond 1 GiB is refused" '0\n' "$TMP/big"
    status "beyond 1 GiB: EFBIG (27)" '27\n' "$TMP/big"
else
    ok "a file beyond 1 GiB # SKIP cannot make a sparse file"
fi
both "several reads in one program" '6\n0\n6\n' "$TMP/small" /dev/zero "$TMP/small"
# in the VM the file must also fit in what is left of the heap: beyond that, out of memory (not
# read into memory outside the heap first)
head -c 4194304 /dev/zero > "$TMP/4m"
bounded "$VM" --heap 1m "$TMP/readlen.nvm" "$TMP/4m" > "$TMP/out" 2> "$TMP/err"
st=$?
[ "$st" = 1 ] && grep -q "error: out of memory (heap limit 1048576 bytes; .*4m is larger than what is left)" "$TMP/err" \
    && ok "VM: a file larger than the heap has left is out of memory" || not_ok "VM: a file larger than the heap has left is out of memory (status $st)" "$TMP/err"

done_testing
