#!/usr/bin/env bash
# doc_examples.t: the example programs of the documentation compile and run. Every ```nano
# code block of docs/LANGUAGE.md and docs/STDLIB.md that is a complete program (it declares
# `fn main`) is written to a file of its own in a scratch directory, compiled by nano_virt
# (NANO_VIRT, default build/stage1/nano_virt; its shadow tests run) and run; it must exit with
# status 0 and nothing on stderr. The blocks without `fn main` are fragments and are skipped.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NANO_BUILD:-$ROOT/build}
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
if [ ! -x "$VIRT" ]; then echo "1..0 # SKIP nano_virt is not built (make)"; exit 0; fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nano_doc_examples.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
unset NANO_LIB

# Writes each complete program of the given documents to TMP/DOC_LINE.nano (LINE: the line of
# its opening fence) and prints the names.
perl -e '
my $out = shift;
for my $doc (@ARGV) {
    open(my $fh, "<", $doc) or die "$doc: $!";
    (my $base = $doc) =~ s{.*/}{};
    $base =~ s/\.md$//;
    my ($in, $start, $text) = (0, 0, "");
    while (my $line = <$fh>) {
        if (!$in && $line =~ /^```nano\s*$/) { ($in, $start, $text) = (1, $., ""); next }
        if ($in && $line =~ /^```\s*$/) {
            $in = 0;
            next unless $text =~ /^\s*(pub\s+)?fn main\(/m;
            my $name = "${base}_$start";
            open(my $o, ">", "$out/$name.nano") or die $!;
            print $o $text;
            close $o;
            print "$name\n";
            next;
        }
        $text .= $line if $in;
    }
}
' "$TMP" "$ROOT/docs/LANGUAGE.md" "$ROOT/docs/STDLIB.md" > "$TMP/list"

n=0
failed=0
while IFS= read -r name; do
    n=$((n + 1))
    doc=${name%_*}.md
    line=${name##*_}
    (cd "$TMP" && "$VIRT" "$name.nano" --run > "$name.out" 2> "$name.err")
    st=$?
    if [ "$st" = 0 ] && [ ! -s "$TMP/$name.err" ]; then
        echo "ok $n - docs/$doc: the program at line $line compiles and runs"
    else
        echo "not ok $n - docs/$doc: the program at line $line compiles and runs (exit $st)"
        sed 's/^/#   /' "$TMP/$name.err" | head -n 20
        failed=$((failed + 1))
    fi
done < "$TMP/list"
if [ "$n" = 0 ]; then
    echo "not ok 1 - the documents have example programs"
    n=1
    failed=1
fi
echo "1..$n"
[ "$failed" = 0 ]
