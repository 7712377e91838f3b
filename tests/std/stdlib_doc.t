#!/usr/bin/env bash
# stdlib_doc.t: docs/STDLIB.md and lib/std/*.nano name the same things. For each module
# lib/std/NAME.nano, the section of STDLIB.md headed `## N. std/NAME.nano` must list, as items
# "- `...`", exactly the module's public declarations: every `pub fn` by its signature as
# written in the source (`split(s: string, sep: string) -> array<string>`), every `pub struct`
# as `struct NAME ...` (a `pub union` or `pub enum` likewise), every `pub let` as
# `NAME: TYPE`. A declaration missing from the document, or an item of the document that the
# module does not declare, fails.
. "$(dirname "$0")/../lib/paths.sh"
exec perl -e '
use strict; use warnings;
my ($root) = @ARGV;
my $doc = "$root/docs/STDLIB.md";
open(my $dh, "<", $doc) or do { print "1..1\nnot ok 1 - cannot read docs/STDLIB.md\n"; exit 1 };
my (%documented, $section);
while (my $line = <$dh>) {
    if ($line =~ /^## \d+\. (std\/\w+\.nano)\s*$/) { $section = $1; $documented{$section} ||= {}; next }
    if ($line =~ /^## /) { $section = undef; next }
    next unless defined $section;
    next unless $line =~ /^- `([^`]+)`/;
    my $item = $1;
    if ($item =~ /^(struct|union|enum) (\w+)/) { $documented{$section}{"$1 $2"} = 1 }
    elsif ($item =~ /^(\w+): (.+)$/) { $documented{$section}{"let $1: $2"} = 1 }
    elsif ($item =~ /^\w+\(/) { $documented{$section}{"fn $item"} = 1 }
}
close $dh;
my @modules = sort glob("$root/lib/std/*.nano");
my ($n, $failed) = (0, 0);
my %seen;
for my $path (@modules) {
    (my $name = $path) =~ s{.*/}{};
    my $key = "std/$name";
    $seen{$key} = 1;
    open(my $fh, "<", $path) or die "$path: $!";
    my %declared;
    while (my $line = <$fh>) {
        if ($line =~ /^pub fn (.*?) \{\s*$/) { $declared{"fn $1"} = 1 }
        elsif ($line =~ /^pub fn (\w+)/) { $declared{"fn $1 (signature not on one line)"} = 1 }
        elsif ($line =~ /^pub struct (\w+)/) { $declared{"struct $1"} = 1 }
        elsif ($line =~ /^pub let (?:mut )?(\w+): (.+?) =/) { $declared{"let $1: $2"} = 1 }
        elsif ($line =~ /^pub (\w+) (\w+)/) { $declared{"$1 $2"} = 1 }
    }
    close $fh;
    $n++;
    my $doc_items = $documented{$key};
    my @problems;
    if (!$doc_items) {
        push @problems, "STDLIB.md has no section \"## N. $key\"";
        $doc_items = {};
    }
    push @problems, "not in STDLIB.md: $_" for grep { !$doc_items->{$_} } sort keys %declared;
    push @problems, "in STDLIB.md but not declared pub in lib/$key: $_" for grep { !$declared{$_} } sort keys %$doc_items;
    my $count = keys %declared;
    if (@problems) {
        $failed++;
        print "not ok $n - $key: STDLIB.md documents its $count public declarations\n";
        print "#   $_\n" for @problems;
    } else {
        print "ok $n - $key: STDLIB.md documents its $count public declarations\n";
    }
}
for my $key (sort keys %documented) {
    next if $seen{$key};
    $n++; $failed++;
    print "not ok $n - STDLIB.md has a section for $key, which does not exist in lib/\n";
}
$n++;
if (@modules) { print "ok $n - lib/std has modules\n" } else { $failed++; print "not ok $n - lib/std has no modules\n" }
print "1..$n\n";
exit($failed ? 1 : 0);
' "$ROOT"
