#!/bin/sh
# docs/walkthrough.md cannot go stale: every command in its ```console
# blocks runs here, in the page's order, in one bash session in a scratch
# directory, and what each prints must be what the page shows under it.
#
# The page's format: in a ```console block, "$ " starts a command, "> "
# continues it (a heredoc, a multi-line sh -c), and the lines up to the
# next command are its output: stdout and stderr as a terminal shows them.
# Every fenced block must be a console block, so no command escapes the
# test.  A command must exit 0.  "…" in an output line matches any text
# (what varies: times, sizes that follow Debian's packages, the user); in
# such a line runs of blanks compare as one.  Other lines compare exactly,
# but for a carriage return and blanks at the end (a serial console's
# \r\n), and blank lines at the end of an output.
#
# Fixed inputs: the test kernel (Debian's 6.1, $MINOS_KERNEL), busybox on
# PATH (Debian's busybox-static), minos as "minos", TCG, an empty cache
# (so the first --kernel boot extracts the vmlinux), the C locale; the page
# sets SOURCE_DATE_EPOCH itself.  The pictures in docs/walkthrough/ are
# what the page's three --timeline boots drew once; a fresh boot must draw
# the same stages.  Last, the checker is shown to fail when a line of the
# page's output is changed.
. "$(dirname "$0")/lib.sh"

DOC=$ROOT/docs/walkthrough.md
PICTURES=$ROOT/docs/walkthrough

# make check runs tests/*.t under ASan first, for the tests that need no
# QEMU; this one boots, and runs with the plain build after.
if grep -qa __asan_init "$MINOS" 2>/dev/null; then
	echo "1..0 # SKIP boots QEMU: run with the plain build, not the sanitized one"
	exit 0
fi

# walk.pl: the page's parser and checker.
#   parse DOC DIR        DIR/page (the commands and their shown output),
#                        DIR/session.sh (the commands, each one's output
#                        and status into $WALK_OUT/N and N.rc), and
#                        DIR/sections ("N<tab>COMMANDS<tab>TITLE" per "## ")
#   check DIR OUT [N]    compares OUT with DIR/page (section N, or all)
#   mutate DIR OUT       each shown line, changed, must fail the check
#   lines DIR            "DOCLINE<tab>TEXT" of every shown output line
cat >"$TMP/walk.pl" <<'PERL'
use strict;
use warnings;

my $ELLIPSIS = "\xe2\x80\xa6";	# "…" in UTF-8: the page's placeholder

sub read_lines {
	my ($file) = @_;
	open(my $fh, '<', $file) or die "$file: $!\n";
	my @l = <$fh>;
	chomp @l;
	return @l;
}

sub write_file {
	my ($file, $text) = @_;
	open(my $fh, '>', $file) or die "$file: $!\n";
	print $fh $text;
	close($fh) or die "$file: $!\n";
}

sub parse {
	my ($doc, $dir) = @_;
	my @lines = read_lines($doc);
	my (@cmds, @errors, $in, $cur);
	my $section = '';

	for my $i (0 .. $#lines) {
		my ($l, $ln) = ($lines[$i], $i + 1);
		if (!$in) {
			if ($l =~ /^\s*```(.*)$/) {
				push @errors, "$doc:$ln: a ```$1 block: commands go in ```console "
				    . "blocks, which tests/walkthrough.t runs" if $1 ne 'console';
				($in, $cur) = (1, undef);
			} elsif ($l =~ /^## (.*)$/) {
				$section = $1;
			}
			next;
		}
		if ($l =~ /^```\s*$/) {
			($in, $cur) = (0, undef);
		} elsif ($l =~ /^\$ (.*)$/) {
			$cur = { line => $ln, section => $section, text => [$1], out => [],
				 cont => 1 };
			push @cmds, $cur;
		} elsif ($cur && $cur->{cont} && $l =~ /^>(?: (.*))?$/) {
			push @{$cur->{text}}, $1 // '';
		} elsif (!$cur) {
			push @errors, "$doc:$ln: output before any command in its block";
		} else {
			$cur->{cont} = 0;
			push @{$cur->{out}}, [$ln, $l];
		}
	}
	push @errors, "$doc: a ``` block is never closed" if $in;
	push @errors, "$doc: no commands" unless @cmds;
	die join("\n", @errors) . "\n" if @errors;

	my ($page, $session, %count, @order) = ('', "exec </dev/null\n");
	for my $n (1 .. @cmds) {
		my $c = $cmds[$n - 1];
		$page .= "C\t$n\t$c->{line}\t$c->{section}\n";
		$page .= "T\t$_\n" for @{$c->{text}};
		$page .= "O\t$_->[0]\t$_->[1]\n" for @{$c->{out}};
		$session .= "{ " . join("\n", @{$c->{text}}) . "\n} >\"\$WALK_OUT/$n\" 2>&1; "
		    . "echo \$? >\"\$WALK_OUT/$n.rc\"\n";
		push @order, $c->{section} unless $count{$c->{section}}++;
	}
	write_file("$dir/page", $page);
	write_file("$dir/session.sh", $session);
	write_file("$dir/sections", join('', map { ($_ + 1) . "\t$count{$order[$_]}\t$order[$_]\n" }
					      0 .. $#order));
	printf "%d commands in %d sections\n", scalar @cmds, scalar @order;
}

sub load_page {
	my ($dir) = @_;
	my @cmds;
	for (read_lines("$dir/page")) {
		my @f = split /\t/, $_, -1;
		if ($f[0] eq 'C') {
			push @cmds, { n => $f[1], line => $f[2], section => $f[3], text => [],
				      out => [] };
		} elsif ($f[0] eq 'T') {
			push @{$cmds[-1]{text}}, $f[1];
		} else {
			push @{$cmds[-1]{out}}, [$f[1], join("\t", @f[2 .. $#f])];
		}
	}
	return @cmds;
}

sub trim_end {
	my @l = map { (my $s = $_) =~ s/[\s\r]+$//; $s } @_;
	pop @l while @l && $l[-1] eq '';
	return @l;
}

sub line_matches {
	my ($want, $got) = @_;
	return $want eq $got if index($want, $ELLIPSIS) < 0;
	s/\s+/ /g for $want, $got;
	my $re = join('.*', map { quotemeta } split(/\Q$ELLIPSIS\E/, $want, -1));
	return $got =~ /^$re$/s;
}

# The index of the first line that differs, or -1 when all match.
sub first_difference {
	my ($want, $got) = @_;
	my $n = @$want > @$got ? @$want : @$got;
	for my $i (0 .. $n - 1) {
		return $i if $i >= @$want || $i >= @$got || !line_matches($want->[$i], $got->[$i]);
	}
	return -1;
}

sub output_of {
	my ($out, $c) = @_;
	open(my $fh, '<', "$out/$c->{n}") or return;
	my @l = <$fh>;
	chomp @l;
	return trim_end(@l);
}

sub status_of {
	my ($out, $c) = @_;
	open(my $fh, '<', "$out/$c->{n}.rc") or return 'never ran';
	my $rc = <$fh> // '';
	chomp $rc;
	return $rc;
}

sub check {
	my ($dir, $out, $index) = @_;
	my $doc = (read_lines("$dir/doc"))[0];
	my @sections = map { (split /\t/, $_, 3)[2] } read_lines("$dir/sections");
	my $section = defined $index ? $sections[$index - 1] : undef;
	my $bad = 0;
	die "$dir: no section $index\n" if defined $index && !defined $section;
	for my $c (load_page($dir)) {
		next if defined $section && $c->{section} ne $section;
		my @want = trim_end(map { $_->[1] } @{$c->{out}});
		my @got = output_of($out, $c);
		my $rc = status_of($out, $c);
		my $i = first_difference(\@want, \@got);
		next if $rc eq '0' && $i < 0;
		$bad++;
		print "$doc:$c->{line}: \$ $c->{text}[0]\n";
		print "  exit status $rc: the page's commands must succeed\n" if $rc ne '0';
		if ($i >= 0) {
			my $where = $i < @{$c->{out}} ? "$doc:$c->{out}[$i][0]" : "after $doc:$c->{line}";
			printf "  output line %d differs (%s)\n", $i + 1, $where;
			printf "    the page: %s\n", $i < @want ? $want[$i] : '(nothing more)';
			printf "    printed:  %s\n", $i < @got ? $got[$i] : '(nothing more)';
			print "  all it printed:\n";
			print "  | $_\n" for @got;
		}
	}
	exit($bad ? 1 : 0);
}

# Every shown line, changed, must make its command's check fail: no line
# of the page is matched by anything.
sub mutate {
	my ($dir, $out) = @_;
	my $doc = (read_lines("$dir/doc"))[0];
	my ($lines, $caught) = (0, 0);
	for my $c (load_page($dir)) {
		my @want = trim_end(map { $_->[1] } @{$c->{out}});
		my @got = output_of($out, $c);
		for my $i (0 .. $#want) {
			my @changed = @want;
			$changed[$i] .= ' (changed)';
			$lines++;
			if (first_difference(\@changed, \@got) >= 0) {
				$caught++;
			} else {
				print "$doc:$c->{out}[$i][0]: changed, it still matches what was printed\n";
			}
		}
	}
	print "$caught of $lines shown lines, changed, fail the check\n";
	exit($caught == $lines && $lines > 0 ? 0 : 1);
}

my $mode = shift // '';
if ($mode eq 'parse') {
	parse(@ARGV);
	write_file("$ARGV[1]/doc", "$ARGV[0]\n");
} elsif ($mode eq 'check') {
	check(@ARGV);
} elsif ($mode eq 'mutate') {
	mutate(@ARGV);
} elsif ($mode eq 'lines') {
	print "$_->[0]\t$_->[1]\n" for map { @{$_->{out}} } load_page($ARGV[0]);
} else {
	die "usage: walk.pl parse DOC DIR | check DIR OUT [N] | mutate DIR OUT | lines DIR\n";
}
PERL

walk() { perl "$TMP/walk.pl" "$@"; }

# stages FILE.svg: the stage keys of a --timeline picture, in order.
stages() {
	xmllint --xpath '//*[local-name()="g"][@class="stage"]/@data-stage' "$1" |
		sed 's/ *data-stage="\([^"]*\)"/\1\n/g' | grep .
}

test_expect_success 'setup: the page parses; every fenced block is a console block' '
	mkdir page out work bin
	walk parse "$DOC" page
	ln -s "$MINOS" bin/minos
'

test_expect_success 'the checker fails on a failing command, a stray block, a wrong line' '
	mkdir self self/out
	cat >self.md <<-\EOF
	## One
	```console
	$ echo "one  two"; printf "3\r\n"
	one  two
	3
	$ echo "time: 12 ms"
	time: … ms
	$ false
	```
	EOF
	walk parse self.md self
	(cd self && WALK_OUT=out bash session.sh)
	walk check self self/out 1 >self.err && exit 1
	cat self.err
	grep -q "self.md:8: \$ false" self.err
	grep -q "exit status 1" self.err
	expect_eq "$(grep -c "^self.md:" self.err)" 1
	sed -i "s/^3$/4/" self.md
	walk parse self.md self
	walk check self self/out 1 >self.err && exit 1
	grep -q "output line 2 differs (self.md:5)" self.err
	printf "\`\`\`sh\nls\n\`\`\`\n" >stray.md
	walk parse stray.md stray 2>stray.err && exit 1
	grep -q "stray.md:1: a \`\`\`sh block" stray.err
'

test_expect_success 'the page'"'"'s commands run, in order, in one shell' '
	cd work
	# fixed inputs, whatever the environment says
	PATH="$TMP/bin:$PATH" MINOS_KERNEL="$(kernel)" MINOS_CACHE="$TMP/cache" LC_ALL=C \
		WALK_OUT="$TMP/out" timeout 1500 env -u MINOS_BUSYBOX -u MINOS_GRUB_DIR \
		bash ../page/session.sh || {
		echo "the session ended with status $?, after $(ls ../out | grep -c "rc$") commands"
		exit 1
	}
'

while IFS="	" read -r n count section; do
	test_expect_success "$section: its $count commands print what the page shows" "
		walk check page out $n
	"
done <"$TMP/page/sections"

test_expect_success 'the pictures are of boots with the stages these boots went through' '
	for p in bios uefi pvh; do
		grep -q "](walkthrough/$p.svg)" "$DOC"
		xmllint --noout "$PICTURES/$p.svg"
		stages "$PICTURES/$p.svg" >want.$p
		stages work/$p.svg >got.$p
		cat got.$p
		test_cmp want.$p got.$p
	done
'

test_expect_success 'a changed, removed or added line of output on the page fails the check' '
	walk lines page >shown
	# the first shown line without a placeholder, and the first with one
	plain=$(grep -v "…" shown | head -1 | cut -f1)
	wild=$(grep "…" shown | head -1 | cut -f1)
	for edit in "${plain}s/\$/ (changed)/" "${wild}s/\$/ (changed)/" "${plain}d" "${plain}p"; do
		sed "$edit" "$DOC" >changed.md
		rm -rf changed && mkdir changed
		walk parse changed.md changed >/dev/null
		if walk check changed out >changed.err; then
			echo "the check passed with sed \"$edit\" on the page"
			exit 1
		fi
		head -3 changed.err
	done
	sed "${plain}s/\$/ (changed)/" "$DOC" >changed.md
	walk parse changed.md changed >/dev/null
	walk check changed out >changed.err || :
	grep -q "(changed.md:$plain)" changed.err
'

test_expect_success 'every shown line counts: any one of them changed fails the check' '
	walk mutate page out
'

test_done
