#!/usr/bin/env perl
# check.t: the checker (stage1/check*.nano) on the front-end corpus (tests/frontend/README.md)
# and on the compiler's own source.
#
#   pass/  every program: `nano_virt --check` exits 0 and prints nothing
#   fail/  every program: exits 1, every `# expect:` line is met (file, line, col, severity,
#          message substring), every error printed is expected, every diagnostic has its
#          source and caret lines
#   warn/  every program: exits 0, no error, every expectation met, every warning expected
#   stage1/main.nano (which imports all of stage1): exits 0 with no errors
#
# Programs are run from the directory of their entry file (a one-file program NAME.nano, or a
# directory NAME/ whose entry is main.nano), so diagnostics name files relative to it.
use strict;
use warnings;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $root = abs_path(dirname(__FILE__) . "/../..");
my $build = $ENV{NANO_BUILD} || "$root/build";
my $nv = "$build/stage1/nano_virt";
my $corpus = "$root/tests/frontend";
delete $ENV{NANO_LIB};

# Known disagreements between a corpus program and the front end, reported as TAP TODO tests
# (they do not fail the suite; prove notes when one starts passing).  Each names who must act.
my %todo = (
);

my $n = 0;
my $failed = 0;
sub ok {
    my ($good, $what, @diag) = @_;
    $n++;
    my ($name) = $what =~ /^(\S+):/;
    my $todo = defined $name && exists $todo{$name} ? " # TODO $todo{$name}" : "";
    print(($good ? "ok" : "not ok") . " $n - $what$todo\n");
    if (!$good) {
        $failed++ unless $todo;
        print map { "# $_\n" } map { split /\n/ } @diag;
    }
}

# Runs the checker on entry file $file in directory $dir: (status, output lines).
sub check {
    my ($dir, $file) = @_;
    my $out = `cd '$dir' && '$nv' --check '$file' 2>&1`;
    my $status = $? >> 8;
    return ($status, [split /\n/, $out, -1]);
}

# The diagnostics of an output: [file, line, col, severity, message] each, or a string
# describing what is malformed.
sub diagnostics {
    my ($lines) = @_;
    my @lines = @$lines;
    pop @lines if @lines && $lines[-1] eq "";
    my @diags;
    for (my $i = 0; $i < @lines; $i += 3) {
        my $l = $lines[$i];
        my @d = $l =~ /^(.+?):(\d+):(\d+): (error|warning): (.*)$/;
        return "not a diagnostic: '$l'" unless @d;
        return "no source and caret lines after '$l'" unless $i + 2 < @lines && $lines[$i + 2] =~ /^[ \t]*\^$/;
        push @diags, \@d;
    }
    return \@diags;
}

# The expectations written in the .nano files of a program: [file, line, col, severity, text].
sub expectations {
    my ($dir, @files) = @_;
    my @exp;
    for my $f (@files) {
        open(my $fh, '<', "$dir/$f") or next;
        while (my $l = <$fh>) {
            if ($l =~ /^# expect: ([0-9]+):([0-9]+): (error|warning): (.*)$/) {
                my ($line, $col, $sev, $text) = ($1, $2, $3, $4);
                $text =~ s/\s+$//;
                push @exp, [$f, $line, $col, $sev, $text];
            }
        }
        close $fh;
    }
    return @exp;
}

sub meets {
    my ($d, $e) = @_;
    return $d->[0] eq $e->[0] && $d->[1] == $e->[1] && $d->[2] == $e->[2] && $d->[3] eq $e->[3]
        && index($d->[4], $e->[4]) >= 0;
}

# The programs of a corpus directory: [dir to run in, entry file, name, .nano files].
sub programs {
    my ($kind) = @_;
    my $base = "$corpus/$kind";
    return () unless -d $base;
    my @progs;
    opendir(my $dh, $base) or return ();
    for my $e (sort readdir $dh) {
        next if $e =~ /^\./;
        if (-d "$base/$e") {
            my @files = map { s{^\Q$base/$e/\E}{}r } split /\n/, `find '$base/$e' -name '*.nano' | sort`;
            push @progs, ["$base/$e", "main.nano", "$kind/$e", @files];
        } elsif ($e =~ /\.nano$/) {
            push @progs, [$base, $e, "$kind/$e", $e];
        }
    }
    closedir $dh;
    return @progs;
}

die "no $nv (make $nv)\n" unless -x $nv;

my ($pass_total, $pass_ok, $fail_total, $fail_ok, $warn_total, $warn_ok) = (0, 0, 0, 0, 0, 0);

for my $p (programs("pass")) {
    my ($dir, $entry, $name) = @$p;
    my ($status, $lines) = check($dir, $entry);
    my $out = join("\n", @$lines);
    my $good = $status == 0 && $out eq "";
    $pass_total++;
    $pass_ok++ if $good;
    ok($good, "$name: accepted with no diagnostics", "exit $status", $out);
}

for my $kind ("fail", "warn") {
    for my $p (programs($kind)) {
        my ($dir, $entry, $name, @files) = @$p;
        my ($status, $lines) = check($dir, $entry);
        my @why;
        my $want = $kind eq "fail" ? 1 : 0;
        push @why, "exit $status, expected $want" if $status != $want;
        my $diags = diagnostics($lines);
        my @exp = expectations($dir, @files);
        push @why, "no '# expect:' lines" unless @exp;
        if (!ref $diags) {
            push @why, $diags;
            $diags = [];
        }
        for my $e (@exp) {
            push @why, "missing: $e->[0]:$e->[1]:$e->[2]: $e->[3]: $e->[4]" unless grep { meets($_, $e) } @$diags;
        }
        for my $d (@$diags) {
            next if $kind eq "fail" && $d->[3] ne "error";
            push @why, "unexpected: $d->[0]:$d->[1]:$d->[2]: $d->[3]: $d->[4]" unless grep { meets($d, $_) } @exp;
        }
        if ($kind eq "fail") {
            $fail_total++;
            $fail_ok++ unless @why;
        } else {
            $warn_total++;
            $warn_ok++ unless @why;
        }
        ok(!@why, "$name: " . ($kind eq "fail" ? "rejected" : "accepted") . " with the expected diagnostics", @why, "output:", @$lines);
    }
}

# The compiler's own source: stage1/main.nano imports every file of the front end.
{
    my ($status, $lines) = check("$root/stage1", "main.nano");
    my @errors = grep { /: error: / } @$lines;
    ok($status == 0 && !@errors, "stage1/main.nano (the compiler itself) checks with no errors", "exit $status", @$lines);
}

# Every file of stage1/ (also those main.nano does not import yet), through a program in a
# temporary directory that imports each one `as` an alias: no errors, no warnings.
my $tmp = `mktemp -d`;
chomp $tmp;
{
    my @files = grep { !/\/main\.nano$/ } sort glob("$root/stage1/*.nano");
    open(my $fh, '>', "$tmp/all.nano") or die;
    my $i = 0;
    for my $f (@files) {
        print $fh "import \"$f\" as M$i\n";
        $i++;
    }
    print $fh "fn main() -> int {\n    return 0\n}\n";
    close $fh;
    my ($status, $lines) = check($tmp, "all.nano");
    my $out = join("\n", @$lines);
    ok($status == 0 && $out eq "", "all " . scalar(@files) . " files of stage1/ check with no diagnostics", "exit $status", @$lines);
}

# The shadow tests of stage1/check_dump.nano (the checked tree as text), built natively.
{
    open(my $fh, '>', "$tmp/dump.nano") or die;
    print $fh "import \"$root/stage1/check_dump.nano\"\nfn main() -> int {\n    return 0\n}\nshadow main {\n    assert true\n}\n";
    close $fh;
    my $flags = `cat '$build/bootstrap/link.flags'`;
    chomp $flags;
    my $log = `'$root/bin/nanoc0' --tests -o '$tmp/dump.c' '$tmp/dump.nano' 2>&1 && cc -std=c11 -O0 -w '$tmp/dump.c' $flags -o '$tmp/dump' 2>&1 && '$tmp/dump' 2>&1`;
    my $good = $? == 0 && $log =~ /^1\.\.\d+$/m && $log !~ /^not ok/m;
    ok($good, "the shadow tests of stage1/check_dump.nano (the checked tree) pass natively", $log);
}
system("rm", "-rf", $tmp);

print "# pass: $pass_ok/$pass_total, fail: $fail_ok/$fail_total, warn: $warn_ok/$warn_total\n";
print "1..$n\n";
exit($failed ? 1 : 0);
