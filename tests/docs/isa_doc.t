#!/usr/bin/env perl
# isa_doc.t: docs/ISA.md stays in step with the instruction table.
#
# Checks that every opcode of isa/isa.def has exactly one entry "#### NAME (0xHH)" in docs/ISA.md
# with the same number, the same operand kinds ("Operands:" line) and, where the table gives
# fixed counts, a "Stack:" line popping and pushing that many values; that every trap of
# isa/traps.def has one entry "#### NAME (trap N)" likewise; that every attribute of isa.def's
# FLAGS column has a row "| `ATTR` | meaning | instructions |" in ISA.md listing exactly the
# instructions that have it; that ISA.md names no opcode or trap the tables lack (entry headings,
# instructions in ```nvm blocks, and every ALL_CAPS_NAME in the text); and that every builtin of
# docs/BUILTINS.md has a lowering in ISA.md section 9.
#
# Run: prove tests/docs/isa_doc.t (from any directory).
# The inputs can be overridden (to see the test fail on a broken copy):
#   ISA_MD=/tmp/ISA.md ISA_DEF=... TRAPS_DEF=... BUILTINS_MD=... prove tests/docs/isa_doc.t
use strict;
use warnings;
use File::Spec;
use FindBin;

# Paths are relative to the repository root (overrides relative to the current directory).
my %path = (ISA_MD => 'docs/ISA.md', ISA_DEF => 'isa/isa.def', TRAPS_DEF => 'isa/traps.def',
            BUILTINS_MD => 'docs/BUILTINS.md');
$path{$_} = File::Spec->rel2abs($ENV{$_}) for grep { defined $ENV{$_} } keys %path;
chdir "$FindBin::Bin/../.." or die "cannot find the repository root: $!\n";
my ($isa_md, $isa_def, $traps, $builtins) = @path{qw(ISA_MD ISA_DEF TRAPS_DEF BUILTINS_MD)};

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or do { print "1..1\nnot ok 1 - cannot read $path: $!\n"; exit 1 };
    local $/;
    my $s = <$fh>;
    close $fh;
    return $s;
}

# ---- the tables ------------------------------------------------------------------------------
my (@ops, %op);    # in table order; name -> {code, kinds => [...], pops, pushes, flags => [...]}
my %flag;          # attribute -> [opcodes that have it]
for (split /\n/, slurp($isa_def)) {
    next unless /^OP\(\s*(\w+)\s*,\s*(0[xX][0-9A-Fa-f]+|\d+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,
                 \s*(\w+)\s*,\s*(\w+)\s*,\s*([\w|\s]+?)\s*,/x;
    my ($name, $code, @f) = ($1, $2, $3, $4, $5, $6, $7, $8);
    my @flags = grep { $_ ne '0' } split /\s*\|\s*/, $f[5];
    my $e = { name => $name, code => ($code =~ /^0x/i ? hex $code : $code),
              kinds => [grep { $_ ne 'NONE' } @f[0 .. 2]], pops => $f[3], pushes => $f[4],
              flags => \@flags };
    push @ops, $e;
    $op{$name} = $e;
    push @{ $flag{$_} }, $name for @flags;
}
my (@traps, %trap);
for (split /\n/, slurp($traps)) {
    next unless /^TRAP_DEF\(\s*(\w+)\s*,\s*(\d+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,/;
    my $e = { name => $1, code => $2, pops => $3, pushes => $4 };
    push @traps, $e;
    $trap{$1} = $e;
}
my %kind = map { $_ => 1 } qw(LOCAL GLOBAL STR FUNC TYPE VARIANT IMPORT COUNT FIELD KEY TRAPNO NATIVE
                              I32 I64 F64 JUMP TABLE);

# ---- the document ----------------------------------------------------------------------------
my $doc = slurp($isa_md);
my @lines = split /\n/, $doc;

# Entries: "#### NAME (0xHH)" or "#### NAME (trap N)" (### too), each with its lines up to the
# next heading.
my (%op_entries, %trap_entries, @bad_headings);
my $cur;
for my $l (@lines) {
    if ($l =~ /^#/) {
        $cur = undef;
        if ($l =~ /^#{3,4}\s+([A-Z][A-Z0-9_]*)\s+\((0x[0-9A-Fa-f]+)\)\s*$/) {
            $cur = { code => hex $2, body => [] };
            push @{ $op_entries{$1} }, $cur;
            push @bad_headings, "$1 ($2) is not an opcode of $isa_def" unless $op{$1};
        } elsif ($l =~ /^#{3,4}\s+([A-Z][A-Z0-9_]*)\s+\(trap\s+(\d+)\)\s*$/) {
            $cur = { code => $2, body => [] };
            push @{ $trap_entries{$1} }, $cur;
            push @bad_headings, "$1 (trap $2) is not a trap of $traps" unless $trap{$1};
        } elsif ($l =~ /^#{3,4}\s+[A-Z][A-Z0-9_]+\s+\(/) {
            push @bad_headings, "malformed entry heading: $l";
        }
        next;
    }
    push @{ $cur->{body} }, $l if $cur;
}

# The attribute table: "| `ATTR` | meaning | `OP`, `OP` |" rows, attribute -> [rows' opcode lists].
my %flag_rows;
for my $l (@lines) {
    next unless $l =~ /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|[^|]*\|\s*([^|]*?)\s*\|\s*$/ && $flag{$1};
    push @{ $flag_rows{$1} }, [sort $2 =~ /`([A-Z][A-Z0-9_]*)`/g];
}

# Number of values in one side of "[..., a, b]" (VAR sides are not counted).
sub side_count {
    my ($s) = @_;
    $s =~ s/^\s*\.\.\.\s*,?//;
    my @items = grep { /\S/ } split /,/, $s;
    return scalar @items;
}

# Problems with one entry against its table line; empty when it matches.
sub entry_problems {
    my ($what, $e, $entries, $is_op) = @_;
    my @p;
    my $n = $entries ? @$entries : 0;
    return ("no entry") if $n == 0;
    return ("$n entries") if $n > 1;
    my $ent = $entries->[0];
    my $fmt = $is_op ? "0x%02X" : "%d";
    push @p, sprintf("number $fmt in ISA.md, $fmt in the table", $ent->{code}, $e->{code})
        if $ent->{code} != $e->{code};
    my ($operands) = map { /^Operands:\s*(.*?)\s*$/ ? $1 : () } @{ $ent->{body} };
    my ($stack)    = map { /^Stack:\s*`?(.*?)`?\s*$/ ? $1 : () } @{ $ent->{body} };
    if ($is_op) {
        if (!defined $operands) {
            push @p, "no 'Operands:' line";
        } else {
            my @k = $operands eq 'none' ? () : map { /^\s*(\S+)/ ? $1 : '' } split /,/, $operands;
            my $got = join(', ', @k) || 'none';
            my $want = join(', ', @{ $e->{kinds} }) || 'none';
            push @p, "operands '$got' in ISA.md, '$want' in the table" if $got ne $want;
        }
    }
    if (!defined $stack) {
        push @p, "no 'Stack:' line";
    } elsif ($stack !~ /^\[([^\]]*)\]\s*->\s*\[([^\]]*)\]$/) {
        push @p, "malformed 'Stack:' line '$stack'";
    } else {
        my ($in, $out) = ($1, $2);
        push @p, "stack effect pops " . side_count($in) . ", the table says $e->{pops}"
            if $e->{pops} ne 'VAR' && side_count($in) != $e->{pops};
        push @p, "stack effect pushes " . side_count($out) . ", the table says $e->{pushes}"
            if $e->{pushes} ne 'VAR' && side_count($out) != $e->{pushes};
    }
    return @p;
}

# Instructions named in ```nvm code blocks: "[label:] MNEMONIC [operands] [; comment]".
my @bad_code;
{
    my $in = 0;
    my $ln = 0;
    for my $l (@lines) {
        $ln++;
        if ($l =~ /^```(\S*)/) {
            $in = $in ? 0 : ($1 eq 'nvm' ? 1 : 2);
            next;
        }
        next unless $in == 1;
        (my $s = $l) =~ s/;.*//;
        $s =~ s/^\s*[\w\$]+:\s*//;
        $s =~ s/^\s+|\s+$//g;
        next if $s eq '' || $s =~ /^</;
        my ($m, $arg) = split /\s+/, $s;
        if (!$op{$m}) {
            push @bad_code, "line $ln: '$m' is not an opcode";
        } elsif ($m eq 'TRAP' && !(defined $arg && ($trap{$arg} || $arg =~ /^\d+$/))) {
            push @bad_code, "line $ln: TRAP of unknown trap '" . ($arg // '') . "'";
        }
    }
}

# "TRAP NAME" anywhere in the text (tables and prose too) names a trap ("TRAP NAME" itself is
# the placeholder of a message template).
{
    my $ln = 0;
    for my $l (@lines) {
        $ln++;
        for my $t ($l =~ /\bTRAP\s+([A-Z][A-Z0-9_]*)\b/g) {
            push @bad_code, "line $ln: 'TRAP $t' names no trap" unless $trap{$t} || $t eq 'NAME';
        }
    }
}

# Every ALL_CAPS name with an underscore anywhere in the text is an opcode, a trap, or one of
# these other names; so is every backquoted ALL_CAPS word.
my %other = map { $_ => 1 } qw(INT64_MIN INT64_MAX DEBUG_LINES CLOCK_MONOTONIC VM_COUNT_OPS
    UNIT INT FLOAT FN STR ARR MAP REC CLO NONE VAR EISDIR EINVAL EFBIG NUL NANO_COP COP_PROTOCOL ISA_LEN_NAME
    FILEIO_READ_MAX ENOSPC EDQUOT EIO EACCES ENXIO EROFS ELOOP HEX
    O_CREAT O_APPEND O_EXCL O_NOFOLLOW AT_REMOVEDIR AT_SYMLINK_NOFOLLOW CLOCK_REALTIME TMPDIR
    ENOENT EXDEV ENOTEMPTY EEXIST ENOTDIR
    NAME CODE A B C POPS PUSHES FLAGS
    OP NUM TRAP1 HELPER SPECIAL);  # the lowering kinds of isa/builtins.def
my $other_re = qr/^(?:NVM_[A-Z0-9_]+|OP_[A-Z0-9_]+|TRAP_[A-Z0-9_]+)$/;
my (%unknown);
{
    my $ln = 0;
    for my $l (@lines) {
        $ln++;
        my @names = $l =~ /(?<![\w\$.])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w(])/g;
        push @names, $l =~ /`([A-Z][A-Z0-9_]*)`/g;
        for my $n (@names) {
            next if $op{$n} || $trap{$n} || $kind{$n} || $flag{$n} || $other{$n} || $n =~ $other_re;
            $unknown{$n} //= $ln;
        }
    }
}

# Builtins: the first column of docs/BUILTINS.md's tables; each must be backquoted in ISA.md's
# section 9 (possibly inside a call like `(name ...)`).
my @builtins;
for (split /\n/, slurp($builtins)) {
    next unless /^\|\s*(`[a-z_0-9]+`(?:\s*,\s*`[a-z_0-9]+`)*)\s*\|/;
    push @builtins, $1 =~ /`([a-z_0-9]+)`/g;
}
my ($lowering) = $doc =~ /^## 9\..*?\n(.*?)(?=^## 10\.|\z)/ms;
$lowering //= '';
my @missing_builtins = grep {
    my $b = quotemeta $_;
    $lowering !~ /`\(?$b[`\s)]/
} @builtins;

# ---- report ----------------------------------------------------------------------------------
my @results;    # [ok, description, diagnostics...]
push @results, [@ops > 0 && @traps > 0,
                sprintf("%s and %s parse (%d opcodes, %d traps)", $isa_def, $traps, scalar @ops,
                        scalar @traps)];
for my $e (@ops) {
    my @p = entry_problems('opcode', $e, $op_entries{ $e->{name} }, 1);
    push @results, [!@p, sprintf("%s (0x%02X) has one entry with its number, operands and stack effect",
                                 $e->{name}, $e->{code}), @p];
}
for my $e (@traps) {
    my @p = entry_problems('trap', $e, $trap_entries{ $e->{name} }, 0);
    push @results, [!@p, "trap $e->{name} ($e->{code}) has one entry with its number and stack effect", @p];
}
for my $f (sort keys %flag) {
    my $rows = $flag_rows{$f} || [];
    my $want = join(', ', sort @{ $flag{$f} });
    my @p = @$rows == 0 ? ("no row '| `$f` | ... |' in ISA.md")
          : @$rows > 1  ? (scalar(@$rows) . " rows")
          : join(', ', @{ $rows->[0] }) ne $want
              ? ("ISA.md lists '" . join(', ', @{ $rows->[0] }) . "', the table has '$want'") : ();
    push @results, [!@p, "attribute $f has one row in ISA.md listing its instructions", @p];
}
push @results, [!@bad_headings, "every entry heading in ISA.md names an opcode or trap of the tables",
                @bad_headings];
push @results, [!@bad_code, "every instruction in ISA.md's nvm code blocks is an opcode, every TRAP names a trap", @bad_code];
push @results, [!%unknown, "every ALL_CAPS name in ISA.md is an opcode, a trap or a known name",
                map { "line $unknown{$_}: $_" } sort { $unknown{$a} <=> $unknown{$b} } keys %unknown];
push @results, [@builtins > 0 && !@missing_builtins,
                sprintf("every builtin of %s (%d) has a lowering in ISA.md section 9", $builtins,
                        scalar @builtins),
                map { "no lowering for `$_`" } @missing_builtins];

printf "1..%d\n", scalar @results;
my $n = 0;
my $failed = 0;
for my $r (@results) {
    my ($ok, $desc, @diag) = @$r;
    $n++;
    print(($ok ? "ok" : "not ok"), " $n - $desc\n");
    unless ($ok) {
        $failed++;
        print "#   $_\n" for @diag;
    }
}
exit($failed ? 1 : 0);
