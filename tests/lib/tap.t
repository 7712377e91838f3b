#!/usr/bin/env bash
# tap.t: the shell test files' preamble itself (tap.sh, paths.sh): small test files written to
# the scratch directory source it; their exact TAP output, exit status and scratch directory
# are checked: numbering, failures with their details (a file or a text), not_ok, skip, a TODO
# failure that does not fail the file, relay, the plan up front and at the end, need's skip, the
# scratch directory removed at exit (also after a signal, with a file's own EXIT trap and with
# a directory inside it that has no permissions), t cannot be reassigned, and the command
# helpers (exits, has, hasnt, bounded).
. "$(dirname "$0")/tap.sh"
lib=$ROOT/tests/lib
# run NAME BODY: writes $t/NAME.t (the preamble, then BODY) and runs it; stdout in $t/NAME.out,
# stderr in $t/NAME.err, the status in $st, the scratch directory it reported in $t/NAME.dir
run() {
    mkdir -p "$t/files"
    { echo '#!/usr/bin/env bash'; echo ". \"$lib/tap.sh\""; echo "echo \"\$t\" > \"$t/$1.dir\""; printf '%s\n' "$2"; } > "$t/files/$1.t"
    chmod +x "$t/files/$1.t"
    "$t/files/$1.t" > "$t/$1.out" 2> "$t/$1.err"
    st=$?
}
# same NAME EXPECTED...: the lines of $t/NAME.out are EXPECTED
same() {
    local name=$1; shift
    printf '%s\n' "$@" > "$t/$name.want"
    diff "$t/$name.want" "$t/$name.out" > "$t/$name.diff"
}
# gone NAME: the scratch directory NAME.t reported exists no more (and was one)
gone() { local d; d=$(cat "$t/$1.dir" 2> /dev/null); [ -n "$d" ] && [ ! -e "$d" ]; }

printf 'line 1\nline 2\n' > "$t/details"
run mixed "ok 0 first
ok 1 second 'a text
of two lines'
ok 1 third \"$t/details\"
not_ok fourth \"$t/details\" \"$t/no-such-file\"
skip 'fifth is not here'
ok 1 'sixth # TODO not yet'
finish"
same mixed "ok 1 - first" "not ok 2 - second" "# a text" "# of two lines" "not ok 3 - third" \
    "# line 1" "# line 2" "not ok 4 - fourth" "# line 1" "# line 2" "ok 5 # SKIP fifth is not here" \
    "not ok 6 - sixth # TODO not yet" "1..6"
ok $? "ok, not_ok and skip number the tests and print the details of a failure" "$t/mixed.diff"
[ "$st" = 1 ]; ok $? "finish fails when a test failed (status $st)"
gone mixed; ok $? "the scratch directory is removed at exit"

run todo "ok 0 first
ok 1 'second # TODO not yet'
finish"
[ "$st" = 0 ] && same todo "ok 1 - first" "not ok 2 - second # TODO not yet" "1..2"
ok $? "a TODO failure does not fail the file (status $st)" "$t/todo.diff"

printf 'ok 1 - a\nnot ok 2 - b\n# a comment\nok 3 - c # SKIP why\n1..3\n' > "$t/sub.tap"
run relayed "relay sub \"$t/sub.tap\" \"$t/details\"
finish"
[ "$st" = 1 ] && same relayed "ok 1 - sub: a" "not ok 2 - sub: b" "# line 1" "# line 2" "ok 3 - sub: c # SKIP why" "1..3"
ok $? "relay makes each test of a program's TAP output one test here (status $st)" "$t/relayed.diff"

run planned "plan 2
ok 0 first
ok 0 second
finish"
[ "$st" = 0 ] && same planned "1..2" "ok 1 - first" "ok 2 - second"
ok $? "plan prints the plan up front and finish does not print it again (status $st)" "$t/planned.diff"

run skipped "need \"$t/details\" /no/such/nano_thing
ok 0 never"
[ "$st" = 0 ] && same skipped "1..0 # SKIP /no/such/nano_thing is not built (make)"
ok $? "need skips the file at the first missing file (status $st)" "$t/skipped.diff"
gone skipped; ok $? "and removes its scratch directory"

if [ "$(id -u)" = 0 ]; then
    skip "root removes a directory without permissions anyway"
else
    run locked "mkdir -p \"\$t/sub/deeper\"
chmod 000 \"\$t/sub\"
ok 0 first
finish"
    [ "$st" = 0 ] && gone locked; ok $? "a directory without permissions inside the scratch directory is removed too"
fi

run own_trap "trap 'echo own trap ran > \"$t/own_trap.ran\"; tap_cleanup' EXIT
ok 0 first
finish"
[ "$st" = 0 ] && [ -s "$t/own_trap.ran" ] && gone own_trap
ok $? "a file's own EXIT trap runs and tap_cleanup removes the scratch directory"

run signalled "ok 0 first
kill -TERM \$\$
sleep 600"
[ "$st" = 1 ] && gone signalled; ok $? "a file ended by SIGTERM still removes its scratch directory (status $st)"

run reassign "t=/somewhere/else
ok 0 after"
grep -q "t: readonly variable" "$t/reassign.err" && gone reassign
ok $? "t cannot be reassigned, and the scratch directory is still removed" "$t/reassign.err"

run commands "exits 'true is 0' 0 true
exits 'false is 0' 0 sh -c 'echo to-out; echo to-err >&2; exit 3'
has out to-out 'out holds what it printed'
has err to-out 'err holds stdout'
hasnt err to-err 'err lacks stderr'
hasnt out absent 'out lacks absent'
bounded sh -c 'exit 7'; [ \$? = 7 ]; ok \$? 'bounded passes the status on'
bounded sh -c 'ulimit -v'
finish"
[ "$st" = 1 ] && same commands "ok 1 - true is 0 (exit 0)" "not ok 2 - false is 0 (exit 3)" "# expected exit 0" \
    "# stdout: to-out" "# stderr: to-err" "ok 3 - out holds what it printed" "not ok 4 - err holds stdout" \
    "# to-err" "not ok 5 - err lacks stderr" "# to-err" "ok 6 - out lacks absent" \
    "ok 7 - bounded passes the status on" "4000000" "1..7"
ok $? "exits, has, hasnt and bounded: a command's status and outputs as tests, memory bounded (status $st)" "$t/commands.diff"

run paths "echo \"\$ROOT|\$BUILD|\$HERE\""
[ "$(sed -n 1p "$t/paths.out")" = "$ROOT|${NANO_BUILD:-$ROOT/build}|$t/files" ]
ok $? "paths.sh: ROOT is the checkout, BUILD \$NANO_BUILD or ROOT/build, HERE the file's directory" "$t/paths.out"
finish
