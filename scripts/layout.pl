#!/usr/bin/perl
# layout.pl: the rules of the source tree that a compiler does not check.
#
#   layout.pl funcs MAX FILE...   every function over MAX lines, as
#                                 "FILE:LINE: NAME() is N lines long"
#   layout.pl includes DIR...     each DIR's include graph: a module is a
#                                 .c with its .h (x.c and x.h are "x"), an
#                                 edge is an #include "..." of another
#                                 module's header; prints the edges and
#                                 fails on a cycle, naming it
#
# Functions are found in kernel style: a body opens with "{" alone in
# column 0 and closes with "}" in column 0.
use strict;
use warnings;
use File::Basename qw(dirname basename);

sub funcs {
	my ($max, @files) = @_;
	my $bad = 0;
	for my $f (@files) {
		open my $fh, '<', $f or die "layout.pl: $f: $!\n";
		my ($start, $name, @sig) = (0, '');
		my $prev = '';
		while (my $l = <$fh>) {
			if ($l =~ /^\{\s*$/) {
				$start = $.;
				($name) = join(' ', @sig) =~ /(\w+)\s*\(/;
				$name //= '?';
			} elsif ($l =~ /^\}/ && $start) {
				my $n = $. - $start - 1;
				if ($n > $max) {
					print "$f:$start: $name() is $n lines long\n";
					$bad++;
				}
				$start = 0;
			} elsif (!$start && $l =~ /^[A-Za-z_]/) {
				@sig = () if $prev =~ /^\s*$|[;}]\s*$|\*\/\s*$/;
				push @sig, $l;
			}
			$prev = $l;
		}
	}
	return $bad ? 1 : 0;
}

# The module a header names, from the including file's directory or a
# directory the build puts on the include path (src/, shared/).
sub resolve {
	my ($from, $inc, $roots) = @_;
	for my $d (dirname($from), @$roots) {
		my $p = "$d/$inc";
		if (-f $p) { $p =~ s/\.h$//; $p =~ s{/\./}{/}g; return $p }
	}
	return undef;
}

sub includes {
	my @dirs = @_;
	my @roots = grep { -d } qw(src shared);
	my (%edges, %nodes);
	for my $d (@dirs) {
		for my $f (sort glob("$d/*.[ch] $d/*/*.[ch]")) {
			(my $m = $f) =~ s/\.[ch]$//;
			$nodes{$m} = 1;
			open my $fh, '<', $f or die "layout.pl: $f: $!\n";
			while (<$fh>) {
				next unless /^\s*#\s*include\s+"([^"]+)"/;
				my $to = resolve($f, $1, \@roots);
				next if !defined $to || $to eq $m;
				$edges{$m}{$to} = 1;
			}
		}
	}
	for my $m (sort keys %edges) {
		print "$m -> ", join(' ', sort keys %{$edges{$m}}), "\n";
	}
	# depth-first search; a grey node reached again closes a cycle
	my (%colour, @path, $cycle);
	my $visit;
	$visit = sub {
		my $m = shift;
		$colour{$m} = 1;
		push @path, $m;
		for my $to (sort keys %{$edges{$m} // {}}) {
			last if $cycle;
			if (($colour{$to} // 0) == 1) {
				my @c = @path;
				shift @c while $c[0] ne $to;
				$cycle = join(' -> ', @c, $to);
			} elsif (!$colour{$to}) {
				$visit->($to);
			}
		}
		pop @path;
		$colour{$m} = 2;
	};
	for my $m (sort keys %nodes) {
		$visit->($m) unless $colour{$m} || $cycle;
	}
	if ($cycle) {
		print STDERR "layout.pl: include cycle: $cycle\n";
		return 1;
	}
	return 0;
}

my $what = shift // '';
if ($what eq 'funcs' && @ARGV >= 2) { exit funcs(@ARGV) }
if ($what eq 'includes' && @ARGV) { exit includes(@ARGV) }
die "usage: layout.pl funcs MAX FILE... | layout.pl includes DIR...\n";
