#!/usr/bin/env bash
# multi.t: several input files in one run of nano_virt.  A compile keeps no state outside the
# records it makes (stage1/README.md), so compiling several programs one after the other in one
# process must give, for each, exactly what a run of its own gives: the same .nvm bytes, the
# same diagnostics (none leaking from one program into the next), the same status.  The
# programs: a good one with an import, one with type errors, a good one after it that reuses
# its names with other types, one with a lexical and a syntax error, one whose shadow test
# fails, one with a warning, and a good one importing the same module as the first.  Run with
# the native stage 1 compiler and the self-hosted one (bin/nano_virt); NANO_VIRT adds another.
. "$(dirname "$0")/../lib/tap.sh"
COMPILERS="$BUILD/stage1/nano_virt $ROOT/bin/nano_virt ${NANO_VIRT:-}"

cd "$t"
cat > util.nano <<'N'
pub fn scale(x: int) -> int {
    return (* x 3)
}

shadow scale {
    assert (== (scale 2) 6)
}
N
cat > a_good.nano <<'N'
import "util.nano"

struct P { x: int, y: int }

fn area(p: P) -> int {
    return (* p.x p.y)
}

shadow area {
    assert (== (area P { x: 2, y: 3 }) 6)
}

fn main() -> int {
    return (scale (area P { x: 1, y: 2 }))
}

shadow main {
    assert (== (main) 6)
}
N
cat > b_errors.nano <<'N'
struct P { x: string }

fn area(p: P) -> string {
    return (+ p.x 1)
}

fn main() -> int {
    let s: string = (area P { x: 1 })
    return (undefined_thing s)
}
N
cat > c_after.nano <<'N'
enum P { A, B }

fn area(p: P) -> bool {
    return (== p P.B)
}

shadow area {
    assert (area P.B)
    assert (not (area P.A))
}

fn main() -> int {
    if (area P.A) {
        return 1
    }
    return 0
}

shadow main {
    assert (== (main) 0)
}
N
printf 'fn main() -> int {\n    let x: int = 0x\n    return (+ x @)\n}\nfn g( {\n' > d_syntax.nano
cat > e_shadow.nano <<'N'
fn half(x: int) -> int {
    return (/ x 2)
}

shadow half {
    assert (== (half 5) 3)
}

fn main() -> int {
    return (half 8)
}

shadow main {
    assert true
}
N
cat > f_warning.nano <<'N'
fn unused_helper() -> int {
    return 7
}

fn main() -> int {
    return 0
}

shadow main {
    assert (== (main) 0)
}
N
cat > g_again.nano <<'N'
import "util.nano"

fn main() -> int {
    return (scale 1)
}

shadow main {
    assert (== (main) 3)
}
N
FILES="a_good.nano b_errors.nano c_after.nano d_syntax.nano e_shadow.nano f_warning.nano g_again.nano"

for nv in $COMPILERS; do
    if [ ! -x "$nv" ]; then echo "# $nv is not built: skipped"; continue; fi
    name=${nv#"$ROOT/"}
    rm -rf sep multi && mkdir sep multi
    # each program in a run of its own
    : > sep/all.err
    want=0
    for f in $FILES; do
        "$nv" --out-dir sep "$f" > /dev/null 2> "sep/$f.err"
        st=$?
        echo "$st" > "sep/$f.status"
        cat "sep/$f.err" >> sep/all.err
        [ "$st" -gt "$want" ] && want=$st
    done
    # the expected outcomes, so that the comparison below is not between two failures
    good=1
    for f in a_good c_after f_warning g_again; do
        [ "$(cat "sep/$f.nano.status")" = 0 ] && [ -f "sep/$f.nvm" ] || good=0
    done
    for f in b_errors d_syntax e_shadow; do
        [ "$(cat "sep/$f.nano.status")" = 1 ] && [ ! -f "sep/$f.nvm" ] || good=0
    done
    grep -q "^b_errors.nano:4:13: error: operator .+. needs operands of the same type" sep/b_errors.nano.err || good=0
    grep -q "^d_syntax.nano:2:18: error: invalid numeric literal '0x'" sep/d_syntax.nano.err || good=0
    grep -q "^e_shadow.nano:6: shadow test 'half' failed" sep/e_shadow.nano.err || good=0
    grep -q "^f_warning.nano:1:4: warning: function 'unused_helper' has no shadow test" sep/f_warning.nano.err || good=0
    ok $((1 - good)) "$name: each program alone gives its expected status, output and diagnostics" sep/all.err

    # all of them in one run
    "$nv" --out-dir multi $FILES > multi/out 2> multi/all.err
    st=$?
    [ "$st" = "$want" ]; ok $? "$name: one run of all $(echo $FILES | wc -w) programs exits with the highest status ($st, want $want)"
    same=0
    for f in $FILES; do
        b=${f%.nano}
        if [ -f "sep/$b.nvm" ]; then
            cmp -s "sep/$b.nvm" "multi/$b.nvm" || { same=1; echo "# $b.nvm differs"; }
        else
            [ ! -f "multi/$b.nvm" ] || { same=1; echo "# $b.nvm written"; }
        fi
    done
    ok $same "$name: every .nvm is byte-identical to the one its own run writes (none for the failing programs)"
    cmp -s sep/all.err multi/all.err
    ok $? "$name: the diagnostics are those of the separate runs, in order: none leaks between programs" multi/all.err
    [ ! -s multi/out ]; ok $? "$name: nothing on stdout" multi/out

    # --check and --dump-ast on several files, and the same file twice
    : > sep/check.err
    for f in $FILES; do "$nv" --check "$f" 2>> sep/check.err; done
    "$nv" --check $FILES 2> multi/check.err
    cmp -s sep/check.err multi/check.err
    ok $? "$name: --check on all of them reports what separate --check runs report" multi/check.err
    "$nv" --dump-ast a_good.nano c_after.nano > multi/dump 2>&1
    { "$nv" --dump-ast a_good.nano; "$nv" --dump-ast c_after.nano; } > sep/dump 2>&1
    cmp -s sep/dump multi/dump
    ok $? "$name: --dump-ast on two files prints what two runs print" multi/dump
    "$nv" --check b_errors.nano b_errors.nano 2> multi/twice.err
    cat sep/b_errors.nano.err sep/b_errors.nano.err > sep/twice.err
    cmp -s sep/twice.err multi/twice.err
    ok $? "$name: the same program twice in one run reports the same diagnostics twice" multi/twice.err
done

# usage errors of several input files
nv="$BUILD/stage1/nano_virt"
if [ -x "$nv" ]; then
    "$nv" a_good.nano g_again.nano -o x.nvm > /dev/null 2> err; st=$?
    [ "$st" = 2 ] && grep -q "^nano_virt: -o needs a single input file (use --out-dir for several)" err
    ok $? "-o with several input files is a usage error (exit $st)" err
    "$nv" a_good.nano g_again.nano --run > /dev/null 2> err; st=$?
    [ "$st" = 2 ] && grep -q "^nano_virt: --run needs a single input file" err
    ok $? "--run with several input files is a usage error (exit $st)" err
    mkdir -p outd
    "$nv" missing.nano a_good.nano --out-dir outd > /dev/null 2> err; st=$?
    [ "$st" = 2 ] && [ -f outd/a_good.nvm ] && grep -q "cannot read missing.nano" err
    ok $? "an unreadable input is reported (exit 2) and the others are still compiled" err
fi
finish
