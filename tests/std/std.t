#!/usr/bin/env bash
# std.t: the standard library (lib/std/, docs/STDLIB.md).
#
#  1. every module compiles, imported by an empty program, so that all its shadow tests run,
#     without a warning (every function has a shadow test);
#  2. every program tests/std/P.nano compiles and runs on nano_vm: its stdout must equal P.out,
#     its exit status P.status (0 if absent), every line of P.err must occur in its stderr
#     (which must be empty when there is no P.err); P.args holds its arguments, one a line;
#     P.setup, a shell script, runs first in the program's scratch directory (what nanolang
#     cannot make, such as symbolic links);
#  3. the modules are found without flags or NANO_LIB by bin/nano_virt (and by the native
#     build/stage1/nano_virt), run from a scratch directory, by a relative and an absolute
#     path; one program imports every module unqualified, so their pub names cannot collide;
#     a std/ directory beside a program comes first, NANO_LIB replaces the library;
#  4. a failing std/test.nano assertion in a shadow test fails the compile with both values;
#  5. the cost of the big operations grows as n log n or n, not n^2: the instructions nano_vm
#     executes (its --profile count, the same on every machine) for n and 4n elements must
#     grow by less than 6 times (n^2 would be 16), and stay under a fixed bound.
#
# NANO_VIRT chooses the compiler for parts 1, 2, 4 and 5 (default build/stage1/nano_virt),
# NANO_VM the VM.
. "$(dirname "$0")/../lib/tap.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
VM=${NANO_VM:-$ROOT/bin/nano_vm}
SELF=$ROOT/bin/nano_virt
need "$VIRT" "$VM" "$SELF"
unset NANO_LIB

# ---- 1. every module's shadow tests -----------------------------------------------------------
for module in "$ROOT"/lib/std/*.nano; do
    name=$(basename "$module" .nano)
    dir=$t/module_$name
    mkdir -p "$dir"
    printf 'import "std/%s.nano"\n\nfn main() -> int {\n    return 0\n}\n' "$name" > "$dir/main.nano"
    (cd "$dir" && "$VIRT" main.nano -o main.nvm > out 2> err)
    st=$?
    [ "$st" = 0 ] && [ ! -s "$dir/err" ]
    ok $? "std/$name.nano: its shadow tests pass, no warnings (exit $st)" "$dir/err"
done

# ---- 2. the test programs -----------------------------------------------------------------------
# run_program P: compiles and runs tests/std/P.nano; prints the problems (nothing when it passes).
run_program() {
    local base=$HERE/$1 dir=$t/run_$1 line args=()
    mkdir -p "$dir"
    if ! (cd "$dir" && "$VIRT" "$base.nano" -o prog.nvm > cout 2> cerr); then
        echo "nano_virt failed:"
        head -n 20 "$dir/cerr"
        return
    fi
    if [ -f "$base.setup" ] && ! (cd "$dir" && sh "$base.setup" > setup.out 2>&1); then
        echo "$1.setup failed:"
        head -n 10 "$dir/setup.out"
        return
    fi
    if [ -f "$base.args" ]; then
        while IFS= read -r line || [ -n "$line" ]; do args+=("$line"); done < "$base.args"
    fi
    (cd "$dir" && "$VM" prog.nvm ${args[@]+"${args[@]}"} < /dev/null > out 2> err)
    local status=$? want=0
    [ -f "$base.status" ] && want=$(cat "$base.status")
    [ "$status" = "$want" ] || echo "exit status $status, expected $want"
    cmp -s "$dir/out" "$base.out" || { echo "stdout differs:"; diff "$base.out" "$dir/out" | head -n 10; }
    if [ -f "$base.err" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -z "$line" ] && continue
            grep -qF -- "$line" "$dir/err" || echo "stderr lacks: $line"
        done < "$base.err"
    elif [ -s "$dir/err" ]; then
        echo "unexpected stderr:"
        head -n 5 "$dir/err"
    fi
}

for program in "$HERE"/*.nano; do
    name=$(basename "$program" .nano)
    run_program "$name" > "$t/$name.problems" 2>&1
    [ ! -s "$t/$name.problems" ]
    ok $? "tests/std/$name.nano runs as expected" "$t/$name.problems"
done

# ---- 3. finding the library -------------------------------------------------------------------
away=$t/elsewhere/project
mkdir -p "$away"
cat > "$away/all.nano" <<'N'
import "std/args.nano"
import "std/arrays.nano"
import "std/fmt.nano"
import "std/fs.nano"
import "std/json.nano"
import "std/maps.nano"
import "std/math.nano"
import "std/path.nano"
import "std/strings.nano"
import "std/test.nano"

fn main() -> int {
    let words: array<string> = (sort_string (split "pear,fig,apple" ","))
    (println (join words " "))
    (println (fixed PI 3))
    (println (basename "/a/b.nano"))
    (println (smap_get_or (smap_count words) "fig" 0))
    (assert_eq_int (gcd 12 18) 6)
    (println (array_length (command_line)))
    return 0
}
N
printf 'apple fig pear\n3.142\nb.nano\n1\n2\n' > "$t/all.expected"
(cd "$away" && "$SELF" all.nano --run -- x y > "$t/all.out" 2> "$t/all.err")
st=$?
[ "$st" = 0 ] && cmp -s "$t/all.out" "$t/all.expected"
ok $? "bin/nano_virt by its absolute path, from a scratch directory: every module imported unqualified (exit $st)" "$t/all.err"
relative=$(perl -MFile::Spec -e 'print File::Spec->abs2rel($ARGV[0], $ARGV[1])' "$SELF" "$away")
(cd "$away" && "$relative" all.nano --run -- x y > "$t/all.out" 2> "$t/all.err")
st=$?
[ "$st" = 0 ] && cmp -s "$t/all.out" "$t/all.expected"
ok $? "bin/nano_virt by a relative path ($relative) (exit $st)" "$t/all.err"
(cd "$away" && "$BUILD/stage1/nano_virt" all.nano --run -- x y > "$t/all.out" 2> "$t/all.err")
st=$?
[ "$st" = 0 ] && cmp -s "$t/all.out" "$t/all.expected"
ok $? "the native build/stage1/nano_virt finds them too (exit $st)" "$t/all.err"
(cd "$away" && "$SELF" all.nano -o all.nvm > /dev/null 2>&1 && cd / && "$VM" "$away/all.nvm" x y > "$t/all.out" 2> "$t/all.err")
st=$?
[ "$st" = 0 ] && cmp -s "$t/all.out" "$t/all.expected"
ok $? "the compiled .nvm needs no library at run time (run from /) (exit $st)" "$t/all.err"

mkdir -p "$away/std"
printf '# a project'"'"'s own std/strings.nano\npub fn split(s: string, sep: string) -> string {\n    return "local"\n}\n\nshadow split {\n    assert (== (split "" "") "local")\n}\n' > "$away/std/strings.nano"
printf 'import "std/strings.nano"\n\nfn main() -> int {\n    (println (split "a" ","))\n    return 0\n}\n' > "$away/local.nano"
(cd "$away" && "$VIRT" local.nano --run > "$t/local.out" 2> "$t/local.err")
[ "$(cat "$t/local.out")" = local ]
ok $? "a std/ directory beside the importing file comes before the library" "$t/local.err"
mkdir -p "$t/mylib/std"
cp "$away/std/strings.nano" "$t/mylib/std/strings.nano"
rm -rf "$away/std"
printf 'import "std/strings.nano"\n\nfn main() -> int {\n    (println (split "a" ","))\n    return 0\n}\n' > "$t/elsewhere/lib_override.nano"
(cd "$t/elsewhere" && NANO_LIB=$t/mylib "$VIRT" lib_override.nano --run > "$t/local.out" 2> "$t/local.err")
[ "$(cat "$t/local.out")" = local ]
ok $? "NANO_LIB replaces the library directory" "$t/local.err"

# ---- 4. std/test.nano in a shadow test --------------------------------------------------------
cat > "$t/shadow_fail.nano" <<'N'
import "std/test.nano"

fn twice(x: int) -> int {
    return (+ x x)
}

shadow twice {
    (assert_eq_int (twice 2) 4)
    (assert_eq_int (twice 3) 7)
}

fn main() -> int {
    return 0
}
N
(cd "$t" && "$VIRT" shadow_fail.nano -o shadow_fail.nvm > "$t/sf.out" 2> "$t/sf.err")
st=$?
[ "$st" = 1 ] && grep -q "shadow test 'twice' failed: assert_eq_int: expected 7, got 6" "$t/sf.err"
ok $? "a failing assert_eq_int in a shadow test fails the compile, naming both values (exit $st)" "$t/sf.err"

# ---- 5. growth of the big operations ----------------------------------------------------------
cat > "$t/perf.nano" <<'N'
import "std/arrays.nano"
import "std/strings.nano"
import "std/maps.nano"

# n pseudo-random ints.
fn random_ints(n: int) -> array<int> {
    let out: array<int> = []
    let mut x: int = 12345
    for i in (range 0 n) {
        set x (+ (* x 6364136223846793005) 1442695040888963407)
        (array_push out (bit_shr x 40))
    }
    return out
}

shadow random_ints {
    assert (== (array_length (random_ints 2)) 2)
}

fn main() -> int {
    let n: int = (string_to_int (get_argv 1))
    let what: string = (get_argv 2)
    let ints: array<int> = (random_ints n)
    let words: array<string> = []
    for x in ints {
        (array_push words (int_to_string x))
    }
    let text: string = (join words " ")
    let mut result: int = 0
    if (== what "setup") { set result n }
    if (== what "sort_int") { set result (at (sort_int ints) 0) }
    if (== what "sort_int_by") { set result (at (sort_int_by ints compare_int_desc) 0) }
    if (== what "sort_string") { set result (str_length (at (sort_string words) 0)) }
    if (== what "unique_int") { set result (array_length (unique_int (sort_int ints))) }
    if (== what "smap_items_by_count") { set result (array_length (smap_items_by_count (smap_count words))) }
    if (== what "split") { set result (array_length (split text " ")) }
    if (== what "split_whitespace") { set result (array_length (split_whitespace text)) }
    if (== what "join") { set result (str_length (join words ",")) }
    if (== what "replace") { set result (str_length (replace text " " ", ")) }
    if (== what "to_upper") { set result (str_length (to_upper (replace text "1" "a"))) }
    if (== what "reverse") { set result (str_length (reverse text)) }
    if (== what "count") { set result (count text "12") }
    if (== what "lines") { set result (array_length (lines (replace text " " "\n"))) }
    (println result)
    return 0
}
N
(cd "$t" && "$VIRT" perf.nano -o perf.nvm > /dev/null 2> "$t/perf.err")
ok $? "the growth program compiles" "$t/perf.err"
# count N WHAT: the instructions nano_vm executes for WHAT on N elements (its --profile line).
count() {
    "$VM" --profile "$t/perf.nvm" "$1" "$2" 2>&1 > /dev/null | sed -n 's/^profile: \([0-9]*\) instructions.*/\1/p'
}
setup_small=$(count 50000 setup)
setup_big=$(count 200000 setup)
# Per operation: the most instructions allowed per element at 200,000 elements, about 3 times
# what the functions take now and far below what a quadratic algorithm would.
for spec in sort_int:1300 sort_int_by:1400 sort_string:1200 unique_int:1300 smap_items_by_count:1600 \
            split:400 split_whitespace:600 join:40 replace:450 to_upper:600 reverse:300 count:250 lines:900; do
    what=${spec%%:*}
    per=${spec##*:}
    small=$(( $(count 50000 "$what") - setup_small ))
    big=$(( $(count 200000 "$what") - setup_big ))
    [ "$small" -gt 0 ] && [ "$big" -lt $((6 * small)) ] && [ "$big" -le $((per * 200000)) ]
    ok $? "$what: $small instructions for 50,000 elements, $big for 200,000 (at most 6 times as many, and $((per * 200000)))"
done

finish
