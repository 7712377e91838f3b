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

# readlen PATH...: the length of file_read of each path, one per line
cat > "$t/readlen.nano" <<'N'
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
cat > "$t/readst.s" <<'S'
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
# write PATH SIZE: file_write of SIZE bytes "0123456789" repeated to PATH; prints the status
cat > "$t/write.nano" <<'N'
fn main() -> int {
    let size: int = (string_to_int (get_argv 2))
    let mut data: string = "0123456789"
    while (< (str_length data) size) {
        set data (+ data data)
    }
    (println (file_write (get_argv 1) (str_substring data 0 size)))
    (println (file_write (str_join ["a", (string_from_char 0), "b"]) "a path with a NUL byte names no file"))
    return 0
}
N
for p in readlen write; do
    "$NANOC0" -o "$t/$p.c" "$t/$p.nano" 2> "$t/err" || not_ok "nanoc0 translates $p.nano" "$t/err"
    "$VIRT" "$t/$p.nano" -o "$t/$p.nvm" 2> "$t/err" || not_ok "nano_virt compiles $p.nano" "$t/err"
done
cc_all "$t/readlen.c" "$t/write.c"
"$ASM" "$t/readst.s" "$t/readst.nvm" || not_ok "nvmasm assembles readst.s"

# both NAME EXPECTED PATH...: readlen on both runtimes prints EXPECTED
both() {
    local name=$1 want=$2; shift 2
    printf '%b' "$want" > "$t/want"
    bounded "$t/readlen.c.bin" "$@" > "$t/native" 2> "$t/nerr" < /dev/null
    cmp -s "$t/want" "$t/native" && ok 0 "native: $name" || not_ok "native: $name" "$t/native" "$t/nerr"
    bounded "$VM" "$t/readlen.nvm" "$@" > "$t/vm" 2> "$t/verr" < /dev/null
    cmp -s "$t/want" "$t/vm" && ok 0 "VM: $name" || not_ok "VM: $name" "$t/vm" "$t/verr"
}
# status NAME EXPECTED PATH...: the VM's READ_FILE statuses
status() {
    local name=$1 want=$2; shift 2
    printf '%b' "$want" > "$t/want"
    bounded "$VM" "$t/readst.nvm" "$@" > "$t/st" 2> "$t/sterr" < /dev/null
    cmp -s "$t/want" "$t/st" && ok 0 "READ_FILE status: $name" || not_ok "READ_FILE status: $name" "$t/st" "$t/sterr"
}

printf 'hello\n' > "$t/small"
both "a regular file is read" '6\n' "$t/small"
status "a regular file: 0" '0\n' "$t/small"
[ -r /proc/version ] && both "/proc/version, a regular file whose size says 0, is read" "$(wc -c < /proc/version)\n" /proc/version
both "/dev/zero is refused, not read forever" '0\n' /dev/zero
status "/dev/zero: EINVAL (22)" '22\n' /dev/zero
mkfifo "$t/fifo"
both "a FIFO is refused without waiting for a writer" '0\n' "$t/fifo"
status "a FIFO: EINVAL (22)" '22\n' "$t/fifo"
both "a directory is refused" '0\n' "$t"
status "a directory: EISDIR (21)" '21\n' "$t"
# the cap: 1 GiB (a sparse file: its size is checked before anything is read)
if truncate -s 1073741825 "$t/big" 2>/dev/null; then
    both "a file beyond 1 GiB is refused" '0\n' "$t/big"
    status "beyond 1 GiB: EFBIG (27)" '27\n' "$t/big"
else
    ok 0 "a file beyond 1 GiB # SKIP cannot make a sparse file"
fi
both "several reads in one program" '6\n0\n6\n' "$t/small" /dev/zero "$t/small"
# in the VM the file must also fit in what is left of the heap: beyond that, out of memory (not
# read into memory outside the heap first)
head -c 4194304 /dev/zero > "$t/4m"
bounded "$VM" --heap 1m "$t/readlen.nvm" "$t/4m" > "$t/out" 2> "$t/err"
st=$?
[ "$st" = 1 ] && grep -q "error: out of memory (heap limit 1048576 bytes; .*4m is larger than what is left)" "$t/err" \
    && ok 0 "VM: a file larger than the heap has left is out of memory" || not_ok "VM: a file larger than the heap has left is out of memory (status $st)" "$t/err"

# ---- file_write: a new file in the same directory, then rename; nothing of the old file is
# lost when the write fails --------------------------------------------------------------------
# wrote NAME STATUS FILE SIZE CMD...: CMD (a runtime's write program) writing SIZE bytes to FILE
# prints STATUS (then 22 for the NUL path)
wrote() {
    local name=$1 want=$2 file=$3 size=$4; shift 4
    bounded "$@" "$file" "$size" > "$t/wout" 2> "$t/werr" < /dev/null
    printf '%s\n22\n' "$want" > "$t/want"
    cmp -s "$t/want" "$t/wout" && ok 0 "$name" || not_ok "$name (expected $want)" "$t/wout" "$(short "$t/werr")"
}
# short FILE: the first 100 bytes of FILE, in $t/short (for a diagnostic)
short() { head -c 100 "$1" > "$t/short" 2>&1; echo "$t/short"; }
# no_leftovers NAME DIR: DIR holds only what the test made (no temporary file left behind)
no_leftovers() {
    local extra
    extra=$(ls -A "$2" | grep -v '^\(old\|new\|link\|ro\)$')
    [ -z "$extra" ] && ok 0 "$1: no temporary file is left behind" || { echo "$extra" > "$t/extra"; not_ok "$1: no temporary file is left behind" "$t/extra"; }
}
# full.sh DIR CMD...: a 64 KiB tmpfs on DIR holding DIR/old, then CMD DIR/old 200000; prints
# what is left of DIR/old and the files in DIR
cat > "$t/full.sh" <<'S'
d=$1; shift
mount -t tmpfs -o size=64k tmpfs "$d" || exit 99
printf 'old contents\n' > "$d/old"
"$@" "$d/old" 200000
echo "contents: $(cat "$d/old")"
echo "files: $(ls -A "$d" | tr '\n' ' ')"
S
for rt in native VM; do
    if [ $rt = native ]; then W=("$t/write.c.bin"); else W=("$VM" "$t/write.nvm"); fi
    d=$t/w_$rt
    mkdir -p "$d"
    wrote "$rt: a new file" 0 "$d/new" 25 "${W[@]}"
    [ "$(cat "$d/new")" = "0123456789012345678901234" ] && ok 0 "$rt: with the data" || not_ok "$rt: with the data" "$(short "$d/new")"
    [ "$(stat -c %a "$d/new")" = "$(printf '%o' $(( 0666 & ~$(umask) )))" ] && ok 0 "$rt: mode 0666 less the umask" || not_ok "$rt: mode 0666 less the umask ($(stat -c %a "$d/new"))"
    printf 'old contents\n' > "$d/old"
    chmod 640 "$d/old"
    wrote "$rt: replacing a file" 0 "$d/old" 5 "${W[@]}"
    [ "$(cat "$d/old")" = "01234" ] && [ "$(stat -c %a "$d/old")" = 640 ] && ok 0 "$rt: the new contents, the old mode" || not_ok "$rt: the new contents, the old mode ($(stat -c %a "$d/old"))" "$(short "$d/old")"
    ln -s old "$d/link"
    wrote "$rt: through a symbolic link" 0 "$d/link" 3 "${W[@]}"
    [ -L "$d/link" ] && [ "$(cat "$d/old")" = "012" ] && ok 0 "$rt: the link's target is replaced, the link stays" || not_ok "$rt: the link's target is replaced, the link stays" "$(short "$d/old")"
    # a dangling link: its missing target is created (a new file renamed to it), the link stays;
    # also at the end of a chain of relative links, through a directory
    mkdir -p "$d/sub"
    ln -s sub/target "$d/dangling"
    ln -s ../dangling "$d/sub/chain"
    wrote "$rt: through a dangling symbolic link" 0 "$d/dangling" 4 "${W[@]}"
    [ -L "$d/dangling" ] && [ -f "$d/sub/target" ] && [ "$(cat "$d/sub/target" 2>/dev/null)" = "0123" ] \
        && ok 0 "$rt: the dangling link's target is created with the data, the link stays" || not_ok "$rt: the dangling link's target is created with the data, the link stays" "$(short "$d/sub/target")"
    rm -f "$d/sub/target"
    wrote "$rt: through a chain of links ending in a dangling one" 0 "$d/sub/chain" 6 "${W[@]}"
    [ -L "$d/sub/chain" ] && [ -L "$d/dangling" ] && [ "$(cat "$d/sub/target" 2>/dev/null)" = "012345" ] \
        && ok 0 "$rt: the chain's final target is created" || not_ok "$rt: the chain's final target is created" "$(short "$d/sub/target")"
    [ "$(ls -A "$d/sub" | tr '\n' ' ')" = "chain target " ] && ok 0 "$rt: no temporary file is left beside the target" || not_ok "$rt: no temporary file is left beside the target ($(ls -A "$d/sub" | tr '\n' ' '))"
    rm -rf "$d/sub" "$d/dangling"
    ln -s loop2 "$d/loop1"; ln -s loop1 "$d/loop2"
    wrote "$rt: a symbolic link loop: ELOOP (40), no hang" 40 "$d/loop1" 1 "${W[@]}"
    [ -L "$d/loop1" ] && [ -L "$d/loop2" ] && ok 0 "$rt: the loop's links are left alone" || not_ok "$rt: the loop's links are left alone"
    rm -f "$d/loop1" "$d/loop2"
    wrote "$rt: /dev/null is written, not replaced" 0 /dev/null 100 "${W[@]}"
    [ -c /dev/null ] && ok 0 "$rt: /dev/null is still a device" || not_ok "$rt: /dev/null is still a device"
    wrote "$rt: a directory: EISDIR (21)" 21 "$d" 1 "${W[@]}"
    wrote "$rt: a missing directory: ENOENT (2)" 2 "$d/missing/x" 1 "${W[@]}"
    no_leftovers "$rt" "$d"
    # a failed write (the file size limit: a write past it fails with EFBIG, SIGXFSZ ignored)
    printf 'old contents\n' > "$d/old"
    wrote "$rt: a write past RLIMIT_FSIZE fails: EFBIG (27)" 27 "$d/old" 200000 sh -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' sh "${W[@]}"
    [ "$(cat "$d/old")" = "old contents" ] && ok 0 "$rt: the old file is intact" || not_ok "$rt: the old file is intact" "$(short "$d/old")"
    no_leftovers "$rt after EFBIG" "$d"
    # a full device: a 64 KiB tmpfs, mounted in a mount namespace of our own (full.sh)
    if unshare -rm true 2> /dev/null; then
        mkdir -p "$d/full"
        bounded unshare -rm sh "$t/full.sh" "$d/full" "${W[@]}" > "$t/fout" 2> "$t/ferr"
        printf '28\n22\ncontents: old contents\nfiles: old \n' > "$t/want"
        cmp -s "$t/want" "$t/fout" && ok 0 "$rt: a write to a full device fails with ENOSPC (28); the old file is intact, no temporary file is left" \
            || not_ok "$rt: a write to a full device fails with ENOSPC (28); the old file is intact, no temporary file is left" "$(short "$t/fout")" "$t/ferr"
    else
        ok 0 "$rt: a full device # SKIP cannot mount a tmpfs (unshare -rm)"
    fi
done

finish
