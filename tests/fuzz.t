#!/bin/sh
# Every fuzz harness over its seed corpus, under ASan and UBSan: a crash
# found once (and kept in tests/fuzz/corpus) stays fixed.  No new fuzzing
# here: that is `make fuzz`.
. "$(dirname "$0")/lib.sh"

F=${FUZZ_BUILD:?FUZZ_BUILD names the directory of the fuzz harnesses (make check sets it)}

for dir in "$ROOT"/tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	test_expect_success "fuzz-$name: every input of its corpus runs clean" "
		n=\$(ls \"$dir\" | wc -l)
		[ \$n -gt 0 ]
		\"$F/fuzz-$name\" -close_fd_mask=2 -timeout=10 -rss_limit_mb=2048 \"$dir\"* \\
			>replay.$name 2>&1 || { tail -40 replay.$name; false; }
		expect_eq \"\$(grep -c '^Executed ' replay.$name)\" \$n
	"
done

test_expect_success 'every harness has a corpus, every corpus a harness' '
	ls "$ROOT"/tests/fuzz/fuzz-*.c | sed "s|.*/fuzz-||; s|\.c\$||" >harnesses
	ls "$ROOT"/tests/fuzz/corpus >corpora
	test_cmp harnesses corpora
'

test_done
