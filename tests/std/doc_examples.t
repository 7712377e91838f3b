#!/usr/bin/env bash
# doc_examples.t: the example programs of the documentation compile and run. Every ```nano
# code block of docs/LANGUAGE.md and docs/STDLIB.md that is a complete program (it declares
# `fn main`) is written to a file of its own in a scratch directory, compiled by nano_virt
# (NANO_VIRT, default build/stage1/nano_virt; its shadow tests run) and run; it must exit with
# status 0 and nothing on stderr. The blocks without `fn main` are fragments and are skipped.
. "$(dirname "$0")/../lib/tap.sh"
VIRT=${NANO_VIRT:-$BUILD/stage1/nano_virt}
need "$VIRT"
unset NANO_LIB

# Writes each complete program of the given documents to $t/DOC_LINE.nano (LINE: the line of
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
' "$t" "$ROOT/docs/LANGUAGE.md" "$ROOT/docs/STDLIB.md" > "$t/list"

while IFS= read -r name; do
    doc=${name%_*}.md
    line=${name##*_}
    (cd "$t" && "$VIRT" "$name.nano" --run > "$name.out" 2> "$name.err")
    st=$?
    if [ "$st" = 0 ] && [ ! -s "$t/$name.err" ]; then
        ok 0 "docs/$doc: the program at line $line compiles and runs"
    else
        ok 1 "docs/$doc: the program at line $line compiles and runs (exit $st)" "$t/$name.err"
    fi
done < "$t/list"
[ -s "$t/list" ] || ok 1 "the documents have example programs"
finish
