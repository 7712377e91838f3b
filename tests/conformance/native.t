#!/usr/bin/env bash
# native.t: the conformance suite (tests/conformance/README.md) on the native runtime.  Every
# program not marked `# conformance: full-language` (or `vm-only`) is transpiled by nanoc0 (once
# normally, once with --tests for its shadow tests), compiled against the bootstrap runtime and
# run; its stdout must equal P.out, its exit status P.status (0 if absent), every line of P.err
# must occur in its stderr (which must be empty when there is no P.err), and all its shadow tests
# must pass.  Two TAP lines per program: "NAME: output" and "NAME: shadow tests".  A program
# listed in native.todo (a known stage0 bug) has its output test marked TODO.
#
# Speed: the C files are compiled with `cc -c` in batches (two batches at a time); each object's
# symbols are made local except its renamed `main` (objcopy), and everything is linked once into
# one executable that runs the program named by its first argument.  Programs run two at a time.
. "$(dirname "$0")/../lib/tap.sh"
NANOC0=${NANOC0:-$ROOT/bin/nanoc0}
CC=${CC:-cc}
OBJCOPY=${OBJCOPY:-objcopy}
need "$NANOC0" "$BUILD/bootstrap/libnanort.a" "$BUILD/bootstrap/link.flags"
LINK=$(cat "$BUILD/bootstrap/link.flags")
INCLUDES=
for w in $LINK; do case "$w" in -I*) INCLUDES="$INCLUDES $w" ;; esac; done
CFLAGS="-std=c11 -O0 -w -fno-common $INCLUDES"
mkdir -p "$t/c" "$t/res"

# The programs: NAME.nano, and NAME/main.nano for multi-module programs.  Each entry P.nano has
# its expectations beside it: P.out, P.status, P.err, P.args, P.stdin.
cd "$HERE"
entries=$(ls *.nano */main.nano 2> /dev/null | sort)
progs=()
skipped=0
for e in $entries; do
    first=$(head -n 1 "$e")
    if [ "$first" = "# conformance: full-language" ] || [ "$first" = "# conformance: vm-only" ]; then
        skipped=$((skipped + 1))
    else
        progs+=("$e")
    fi
done
echo "# ${#progs[@]} programs in the bootstrap subset; $skipped full-language or vm-only programs skipped (they need nano_virt)"

# id of an entry: NAME for NAME.nano and NAME/main.nano
id_of() { case "$1" in */main.nano) echo "${1%/main.nano}" ;; *) echo "${1%.nano}" ;; esac; }

# 1. transpile; program k's main becomes nano_conf_run_k, its --tests main nano_conf_test_k
k=0
: > "$t/ids"
for e in "${progs[@]}"; do
    k=$((k + 1))
    id=$(id_of "$e")
    echo "$k $id $e" >> "$t/ids"
    if "$NANOC0" -o "$t/c/r$k.c0" "$e" 2> "$t/res/$id.c0err" && "$NANOC0" --tests -o "$t/c/t$k.c0" "$e" 2>> "$t/res/$id.c0err"; then
        { echo "#define main nano_conf_run_$k"; cat "$t/c/r$k.c0"; } > "$t/c/r$k.c"
        { echo "#define main nano_conf_test_$k"; cat "$t/c/t$k.c0"; } > "$t/c/t$k.c"
    fi
done

# 2. compile in batches, localize, link once
cd "$t/c"
ls | grep '\.c$' | xargs -P 2 -n 16 $CC $CFLAGS -c 2> /dev/null
: > "$t/table"
objs=()
while read -r k id e; do
    if [ ! -f "r$k.c" ]; then continue; fi
    ok_both=1
    for kind in r t; do
        if [ ! -f "$kind$k.o" ]; then # compile it alone for the message
            $CC $CFLAGS -c "$kind$k.c" 2>> "$t/res/$id.ccerr"
        fi
        if [ -f "$kind$k.o" ]; then
            if [ $kind = r ]; then sym=nano_conf_run_$k; else sym=nano_conf_test_$k; fi
            $OBJCOPY --keep-global-symbol=$sym "$kind$k.o" 2>> "$t/res/$id.ccerr" || ok_both=0
        else
            ok_both=0
        fi
    done
    if [ $ok_both = 1 ]; then
        objs+=("r$k.o" "t$k.o")
        echo "$k $id" >> "$t/table"
    fi
done < "$t/ids"
{
    echo '#include <stdio.h>'
    echo '#include <string.h>'
    while read -r k id; do echo "int nano_conf_run_$k(int, char **); int nano_conf_test_$k(int, char **);"; done < "$t/table"
    echo 'static const struct { const char *id; int (*run)(int, char **); int (*test)(int, char **); } progs[] = {'
    while read -r k id; do echo "    {\"$id\", nano_conf_run_$k, nano_conf_test_$k},"; done < "$t/table"
    echo '    {0, 0, 0}};'
    echo 'int main(int argc, char **argv) { /* all PROG [args]: runs PROG (argv[0] = PROG); all --tests PROG: its shadow tests */'
    echo '    int tests = argc > 1 && strcmp(argv[1], "--tests") == 0;'
    echo '    if (argc < 2 + tests) return 125;'
    echo '    for (int i = 0; progs[i].id; i++)'
    echo '        if (strcmp(progs[i].id, argv[1 + tests]) == 0)'
    echo '            return tests ? progs[i].test(argc - 2, argv + 2) : progs[i].run(argc - 1, argv + 1);'
    echo '    fprintf(stderr, "no program %s\n", argv[1 + tests]);'
    echo '    return 125;'
    echo '}'
} > dispatch.c
ALL="$t/all"
if [ ${#objs[@]} -gt 0 ] && ! $CC $CFLAGS dispatch.c "${objs[@]}" $LINK -o "$ALL" 2> "$t/link.err"; then
    echo "Bail out! linking the programs failed"
    sed 's/^/# /' "$t/link.err" | head -20
    exit 1
fi
cd "$HERE"

# 3. run, two at a time; each writes its two TAP lines (without numbers) to res/ID.tap
run_one() {
    local id=$1 e=$2 p=${2%.nano} r="$t/res/$1"
    local args=() input=/dev/null status want_status=0 line errs=
    [ -f "$p.args" ] && mapfile -t args < "$p.args"
    [ -f "$p.stdin" ] && input=$HERE/$p.stdin
    local scratch="$t/scratch.$id"
    rm -rf "$scratch" && mkdir -p "$scratch"
    (cd "$scratch" && NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP="$scratch" $TIMEOUT "$ALL" "$id" "${args[@]}" \
        > "$r.stdout" 2> "$r.stderr" < "$input")
    status=$?
    [ -f "$p.status" ] && want_status=$(cat "$p.status")
    {
        if ! cmp -s "$r.stdout" "$p.out"; then
            echo "not ok - $id: output (stdout differs from $p.out)"
            diff "$p.out" "$r.stdout" | head -20 | sed 's/^/#   /'
            head -c 1000 "$r.stderr" | sed 's/^/#   stderr: /'
        elif [ "$status" != "$want_status" ]; then
            echo "not ok - $id: output (exit status $status, expected $want_status)"
            head -c 1000 "$r.stderr" | sed 's/^/#   stderr: /'
        elif [ -f "$p.err" ]; then
            while IFS= read -r line; do
                grep -qF -- "$line" "$r.stderr" || errs="$errs#   missing from stderr: $line"$'\n'
            done < "$p.err"
            if [ -n "$errs" ]; then
                echo "not ok - $id: output (stderr)"
                printf '%s' "$errs"
                head -c 1000 "$r.stderr" | sed 's/^/#   stderr: /'
            else
                echo "ok - $id: output"
            fi
        elif [ -s "$r.stderr" ]; then
            echo "not ok - $id: output (stderr should be empty)"
            head -c 1000 "$r.stderr" | sed 's/^/#   stderr: /'
        else
            echo "ok - $id: output"
        fi
        rm -rf "$scratch" && mkdir -p "$scratch"
        (cd "$scratch" && NANO_CONFORMANCE=yes NANO_CONFORMANCE_TMP="$scratch" $TIMEOUT "$ALL" --tests "$id" \
            > "$r.tap" 2> "$r.taperr" < /dev/null)
        status=$?
        if [ "$status" = 0 ] && ! grep -q '^not ok' "$r.tap"; then
            echo "ok - $id: shadow tests ($(grep -c '^ok' "$r.tap"))"
        else
            echo "not ok - $id: shadow tests (status $status)"
            grep '^not ok' "$r.tap" | sed 's/^/#   /'
            head -c 1000 "$r.taperr" | sed 's/^/#   /'
        fi
    } > "$r.result"
    rm -rf "$scratch" "$r.stdout" "$r.stderr" "$r.tap" "$r.taperr"
}
TIMEOUT=
command -v timeout > /dev/null && TIMEOUT="timeout 60"
export -f run_one
export t HERE ALL TIMEOUT
cut -d' ' -f2 "$t/table" > "$t/torun"
while read -r id; do
    grep -m1 " $id " "$t/ids" | cut -d' ' -f3
done < "$t/torun" > "$t/torun.e"
paste -d' ' "$t/torun" "$t/torun.e" | xargs -P 2 -L 1 bash -c 'run_one "$0" "$1"'

# 4. report in order, numbered
while read -r k id e; do
    r="$t/res/$id"
    if [ ! -f "$t/c/r$k.c" ]; then
        not_ok "$id: nanoc0 accepts it" "$r.c0err"
        not_ok "$id: shadow tests"
    elif ! grep -q "^$k $id\$" "$t/table"; then
        not_ok "$id: the C compiles" "$r.ccerr"
        not_ok "$id: shadow tests"
    elif [ ! -f "$r.result" ]; then
        not_ok "$id: output (not run)"
        not_ok "$id: shadow tests (not run)"
    else
        todo=$(grep "^$id " native.todo 2> /dev/null | cut -d' ' -f2-)
        while IFS= read -r line; do
            case "$line" in
            "ok - $id: output"*) [ -n "$todo" ] && line="$line # TODO $todo" ;;
            "not ok - $id: output"*) [ -n "$todo" ] && line="$line # TODO $todo" ;;
            esac
            case "$line" in
            "ok - "*) ok 0 "${line#ok - }" ;;
            "not ok - "*) ok 1 "${line#not ok - }" ;;
            *) echo "$line" ;;
            esac
        done < "$r.result"
    fi
done < "$t/ids"

# 5. every expectation file belongs to a program, every program has its .out
orphans=
for f in $(ls *.out *.status *.err *.args *.stdin */*.out */*.status */*.err */*.args */*.stdin 2> /dev/null); do
    [ -f "${f%.*}.nano" ] || orphans="$orphans $f"
done
for e in $entries; do
    [ -f "${e%.nano}.out" ] || orphans="$orphans ${e%.nano}.out(missing)"
done
if [ -z "$orphans" ]; then ok 0 "every program has its .out and every expectation file its program"; else
    echo "$orphans" > "$t/orphans"; not_ok "every program has its .out and every expectation file its program" "$t/orphans"; fi

# 6. every builtin of docs/BUILTINS.md is called by some program of the suite
missing=
for n in $(grep '^| `' "$ROOT/docs/BUILTINS.md" | cut -d'|' -f2 | grep -o '`[a-z_0-9]*`' | tr -d '`' | sort -u); do
    cat *.nano */*.nano */*/*.nano 2> /dev/null | grep -q "($n[ )]" || missing="$missing $n"
done
if [ -z "$missing" ]; then ok 0 "every builtin of docs/BUILTINS.md is called by a program"; else
    echo "$missing" > "$t/missing"; not_ok "every builtin of docs/BUILTINS.md is called by a program" "$t/missing"; fi

finish
