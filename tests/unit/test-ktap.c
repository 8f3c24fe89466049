/* test-ktap.c - the kernel's verdict: KUnit logs, kselftest output, TAP, and their JUnit XML */
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"
#include "util/util.h"
#include "vm/junit.h"
#include "vm/ktap.h"

/* A KUnit run in a 6.1 kernel's log: timestamps (some with printk's
 * caller), a serial console's CRLF, the kernel's own lines between. */
static const char kunit_log[] =
	"[    0.000000] Linux version 6.1.0-kunit (builder@host) (gcc (Debian 12.2.0-14) 12.2.0)\n"
	"[    0.812345] pci 0000:00:01.0: [8086:7000] type 00 class 0x060100\r\n"
	"[    1.100000] KTAP version 1\r\n"
	"[    1.100001] 1..3\r\n"
	"[    1.100002]     KTAP version 1\n"
	"[    1.100003]     # Subtest: example\n"
	"[    1.100004]     1..4\n"
	"[    1.100005][    T1]     # example_simple_test: initializing\n"
	"[    1.100006][    T1]     ok 1 example_simple_test\n"
	"[    1.100007]     # example_skip_test: initializing\n"
	"[    1.100009]     ok 2 example_skip_test # SKIP this test should be skipped\n"
	"[    1.100013]     ok 3 example_mark_skipped_test # SKIP this test should be skipped\n"
	"[    1.100014]         KTAP version 1\n"
	"[    1.100015]         # Subtest: example_params_test\n"
	"[    1.100016]         ok 1 example value 3 # SKIP unsupported param value\n"
	"[    1.100017]         ok 2 example value 2\n"
	"[    1.100018]         ok 3 example value 1\n"
	"[    1.100019]         ok 4 example value 0 # SKIP unsupported param value\n"
	"[    1.100020]     # example_params_test: pass:2 fail:0 skip:2 total:4\n"
	"[    1.100021]     ok 4 example_params_test\n"
	"[    1.100022] # example: pass:2 fail:0 skip:2 total:4\n"
	"[    1.100023] ok 1 example\n"
	"[    1.100024]     KTAP version 1\n"
	"[    1.100025]     # Subtest: ext4_inode_test\n"
	"[    1.100026]     1..1\n"
	"[    1.100027]     ok 1 inode_test_xtimestamp_decoding\n"
	"[    1.100028] ok 2 ext4_inode_test\n"
	"[    1.100029]     KTAP version 1\n"
	"[    1.100030]     # Subtest: foo_test\n"
	"[    1.100031]     1..3\n"
	"[    1.100032]     ok 1 test_a\n"
	"[    1.150000] random: crng init done\n"
	"[    1.100033]     # test_x: EXPECTATION FAILED at lib/foo.c:12\n"
	"[    1.100034]     Expected x == 2, but\n"
	"[    1.100035]         x == 1 (0x1)\n"
	"[    1.100036]     not ok 2 test_x\n"
	"[    1.100037]     ok 3 test_c\n"
	"[    1.100038] # foo_test: pass:2 fail:1 skip:0 total:3\n"
	"[    1.100039] # Totals: pass:5 fail:1 skip:4 total:10\n"
	"[    1.100040] not ok 3 foo_test\n"
	"[    1.300000] Freeing unused kernel image (initmem) memory: 2500K\n"
	"[    1.400000] Run /init as init process\n";

/* run_kselftest.sh: a collection per "TAP version 13", each program's
 * output behind "# ", kselftest.h's and kselftest_harness.h's TAP in it. */
static const char kselftest_out[] =
	"TAP version 13\n"
	"1..4\n"
	"# timeout set to 45\n"
	"# selftests: timers: posix_timers\n"
	"# TAP version 13\n"
	"# 1..3\n"
	"# ok 1 Check itimer virtual\n"
	"# ok 2 Check itimer prof\n"
	"# ok 3 Check clock_adjtime # SKIP no clock\n"
	"# # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:1 error:0\n"
	"ok 1 selftests: timers: posix_timers\n"
	"# timeout set to 45\n"
	"# selftests: timers: nanosleep\n"
	"# Nanosleep CLOCK_REALTIME                 [OK]\n"
	"# Nanosleep CLOCK_MONOTONIC                [FAILED]\n"
	"not ok 2 selftests: timers: nanosleep # exit=1\n"
	"# selftests: timers: rtcpie\n"
	"# TAP version 13\n"
	"# 1..0 # SKIP /dev/rtc0 not available\n"
	"ok 3 selftests: timers: rtcpie # SKIP\n"
	"# selftests: timers: set-timer-lat\n"
	"# TAP version 13\n"
	"# 1..3\n"
	"# ok 1 CLOCK_REALTIME\n"
	"# Bail out! timer_create failed\n"
	"# # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n"
	"not ok 4 selftests: timers: set-timer-lat # exit=1\n"
	"TAP version 13\n"
	"1..2\n"
	"# selftests: seccomp: seccomp_bpf\n"
	"# TAP version 13\n"
	"# 1..3\n"
	"# # Starting 3 tests from 1 test cases.\n"
	"# #  RUN           global.kcmp ...\n"
	"# #            OK  global.kcmp\n"
	"# ok 1 global.kcmp\n"
	"# # seccomp_bpf.c:123:mode_strict_support:Expected 0 (0) == ret (-1)\n"
	"# # mode_strict_support: Test failed at step #1\n"
	"# not ok 2 global.mode_strict_support\n"
	"# ok 3 global.user_notification # SKIP Kernel does not support\n"
	"# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
	"not ok 1 selftests: seccomp: seccomp_bpf # exit=1\n"
	"# selftests: seccomp: seccomp_benchmark\n"
	"#\n"
	"not ok 2 selftests: seccomp: seccomp_benchmark # TIMEOUT 45 seconds\n";

/* Feeds s in reads of step bytes (0: at once) and ends the stream. */
static void read_all(struct ktap *k, const char *s, size_t len, size_t step)
{
	if (!step)
		step = len ? len : 1;
	for (size_t off = 0; off < len; off += step)
		ktap_feed(k, s + off, len - off < step ? len - off : step);
	ktap_finish(k);
}

static void read_str(struct ktap *k, int flags, const char *s, size_t step)
{
	ktap_init(k, NULL, flags);
	read_all(k, s, strlen(s), step);
}

/* The tree in a line per test: "name result", indented by depth; "-" marks
 * a parent whose own result is not counted. */
static char *tree(const struct ktap *k)
{
	struct buf b = {0};
	char num[32];

	for (size_t i = 0; i < k->nnodes; i++) {
		const struct ktap_node *n = k->nodes[i];
		char *line = xasprintf("%*s%s %s%s\n", 2 * n->depth, "", ktap_name(n, num, sizeof(num)),
				       ktap_result_name(n->result), n->counted ? "" : " -");

		buf_add(&b, line, strlen(line));
		free(line);
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

static int has_diag(const struct ktap_node *n, const char *line)
{
	for (size_t i = 0; n && i < ktap_diag_count(&n->diag); i++)
		if (!strcmp(ktap_diag_line(&n->diag, i), line))
			return 1;
	return 0;
}

static const struct ktap_node *find(const struct ktap *k, const char *name)
{
	for (size_t i = 0; i < k->nnodes; i++)
		if (!strcmp(k->nodes[i]->name, name))
			return k->nodes[i];
	return NULL;
}

static void is_counts(const struct ktap *k, unsigned long long pass, unsigned long long fail,
		      unsigned long long skip, unsigned long long error, const char *what)
{
	const unsigned long long *n = k->counts.n;

	if (!ok(n[KTAP_PASS] == pass && n[KTAP_FAIL] == fail && n[KTAP_SKIP] == skip &&
		n[KTAP_ERROR] == error, "%s: pass %llu, fail %llu, skip %llu, error %llu", what,
		pass, fail, skip, error))
		printf("#   got pass %llu, fail %llu, skip %llu, error %llu\n", n[KTAP_PASS],
		       n[KTAP_FAIL], n[KTAP_SKIP], n[KTAP_ERROR]);
}

static char *junit_of(const struct ktap *k)
{
	struct junit j;
	struct buf b = {0};

	junit_init(&j, "minos test", k);
	junit_write_buf(&j, &b);
	junit_free(&j);
	buf_add(&b, "", 1);
	return (char *)b.data;
}

static char *summary_of(const struct ktap *k, int verbose)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ktap_print_summary(k, f, verbose);
	fclose(f);
	return text;
}

/* The document well-formed (xmllint), and every suite's tests, failures,
 * errors and skipped what its testcases hold (Python's minidom). */
static int xml_check(const char *xml)
{
	static const char script[] =
		"import sys, xml.dom.minidom as m\n"
		"d = m.parse(sys.argv[1])\n"
		"for e in d.getElementsByTagName('testsuites') + d.getElementsByTagName('testsuite'):\n"
		"    cs = e.getElementsByTagName('testcase')\n"
		"    n = lambda t: sum(1 for c in cs if c.getElementsByTagName(t))\n"
		"    got = [int(e.getAttribute(a))\n"
		"           for a in ('tests', 'failures', 'errors', 'skipped')]\n"
		"    want = [len(cs), n('failure'), n('error'), n('skipped')]\n"
		"    assert got == want, (e.getAttribute('name'), got, want)\n";
	char path[] = "/tmp/test-ktap-XXXXXX", py[] = "/tmp/test-ktap-py-XXXXXX";
	int fd = mkstemp(path), fp = mkstemp(py), rc = -1;
	char *cmd;

	if (fd >= 0 && fp >= 0 && !write_all(fd, xml, strlen(xml)) &&
	    !write_all(fp, script, sizeof(script) - 1)) {
		cmd = xasprintf("xmllint --noout %s && python3 %s %s", path, py, path);
		rc = system(cmd);
		free(cmd);
	}
	if (fd >= 0)
		close(fd), unlink(path);
	if (fp >= 0)
		close(fp), unlink(py);
	return rc;
}

static void kunit_run(void)
{
	static const size_t steps[] = {1, 7, 4096};
	struct ktap k;
	char *t, *xml, *again, *text;
	const struct ktap_node *x;

	read_str(&k, 0, kunit_log, 0);
	t = tree(&k);
	is_str(t, "example pass -\n"
		  "  example_simple_test pass\n"
		  "  example_skip_test skip\n"
		  "  example_mark_skipped_test skip\n"
		  "  example_params_test pass -\n"
		  "    example value 3 skip\n"
		  "    example value 2 pass\n"
		  "    example value 1 pass\n"
		  "    example value 0 skip\n"
		  "ext4_inode_test pass -\n"
		  "  inode_test_xtimestamp_decoding pass\n"
		  "foo_test fail -\n"
		  "  test_a pass\n"
		  "  test_x fail\n"
		  "  test_c pass\n",
	       "KUnit in a kernel log: suites, cases, parameters, in order");
	free(t);
	is_counts(&k, 6, 1, 4, 0, "KUnit");
	ok(ktap_complete(&k), "the run is complete: its plan met");
	is_int(k.reported.n[KTAP_PASS] * 100 + k.reported.n[KTAP_SKIP], 504, "its # Totals line read");
	x = find(&k, "test_x");
	ok(x && has_diag(x, "# test_x: EXPECTATION FAILED at lib/foo.c:12") &&
	   has_diag(x, "Expected x == 2, but") && has_diag(x, "    x == 1 (0x1)"),
	   "the failing case keeps its expectation's lines, indentation within them too");
	ok(x && has_diag(x, "random: crng init done"), "and what the kernel said meanwhile");
	x = find(&k, "example_skip_test");
	is_str(x ? x->reason : NULL, "this test should be skipped", "a skip's reason");
	is_int(find(&k, "example value 2")->depth, 2, "a parameter is a subtest's subtest");

	xml = junit_of(&k);
	is_int(xml_check(xml), 0, "JUnit: well-formed, counts right");
	ok(strstr(xml, "<testsuites name=\"minos test\" tests=\"11\" failures=\"1\" errors=\"0\" "
		  "skipped=\"4\">"), "JUnit: the totals");
	ok(strstr(xml, "<testsuite name=\"example\" tests=\"7\" failures=\"0\" errors=\"0\" "
		  "skipped=\"4\">"), "JUnit: a suite per KUnit suite");
	ok(strstr(xml, "<testcase name=\"example value 2\" "
		  "classname=\"example.example_params_test\"/>"),
	   "JUnit: parameters' classname is suite.case");
	ok(strstr(xml, "<failure message=\"# test_x: EXPECTATION FAILED at lib/foo.c:12\">"
		  "random: crng init done\n# test_x: EXPECTATION"), "JUnit: the failure and its lines");
	ok(strstr(xml, "<skipped message=\"this test should be skipped\"/>"), "JUnit: the skip's reason");
	ok(!strstr(xml, "name=\"foo_test\" classname"), "JUnit: no testcase for a suite that "
	   "failed as its case did");
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct ktap k2;

		read_str(&k2, 0, kunit_log, steps[i]);
		again = junit_of(&k2);
		is_str(again, xml, "the same read %zu byte%s at a time", steps[i],
		       steps[i] > 1 ? "s" : "");
		free(again);
		ktap_free(&k2);
	}
	text = summary_of(&k, 0);
	ok(strstr(text, "[PASSED] example\n[PASSED] ext4_inode_test\n[FAILED] foo_test\n"
		  "    [FAILED] test_x\n"), "summary: a line per suite, the failed case under it");
	ok(strstr(text, "        # test_x: EXPECTATION FAILED at lib/foo.c:12\n"),
	   "summary: the failed case's lines");
	ok(strstr(text, "Testing complete. Ran 11 tests: passed: 6, failed: 1, skipped: 4\n"),
	   "summary: kunit.py's last line");
	free(text);
	text = summary_of(&k, 1);
	ok(strstr(text, "    [PASSED] example_params_test\n"
		  "        [SKIPPED] example value 3 (unsupported param value)\n"),
	   "verbose summary: every test");
	free(text);
	free(xml);
	ktap_free(&k);
}

/* 6.1's KUnit suites of a module loaded after boot: no run header of their own. */
static void kunit_module(void)
{
	struct ktap k;
	char *t;

	read_str(&k, 0, "[   20.000001] foo: loading out-of-tree module taints kernel.\n"
			"[   20.000002]     KTAP version 1\n"
			"[   20.000003]     # Subtest: foo_mod\n"
			"[   20.000004]     1..1\n"
			"[   20.000005]     ok 1 foo_case\n"
			"[   20.000006] ok 1 foo_mod\n"
			"[   21.000002]     KTAP version 1\n"
			"[   21.000003]     # Subtest: bar_mod\n"
			"[   21.000004]     1..1\n"
			"[   21.000005]     not ok 1 bar_case\n"
			"[   21.000006] not ok 1 bar_mod\n", 0);
	t = tree(&k);
	is_str(t, "foo_mod pass -\n  foo_case pass\nbar_mod fail -\n  bar_case fail\n",
	       "a module's suites without a run header");
	free(t);
	ok(ktap_complete(&k), "complete: no plan was due");
	ktap_free(&k);
}

static void kunit_crash(void)
{
	const char *cut = strstr(kunit_log, "[    1.150000] random");
	static const char oops[] =
		"[    1.150000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"[    1.150001] #PF: supervisor read access in kernel mode\n"
		"[    1.150002] Kernel panic - not syncing: Fatal exception\n";
	struct ktap k;
	const struct ktap_node *miss, *foo;
	char why[64], *text, *xml;

	ktap_init(&k, NULL, 0);
	ktap_feed(&k, kunit_log, cut - kunit_log);
	read_all(&k, oops, sizeof(oops) - 1, 5);
	foo = find(&k, "foo_test");
	miss = k.nnodes ? k.nodes[k.nnodes - 1] : NULL;
	ok(foo && foo->result == KTAP_ERROR && !foo->counted,
	   "a suite without its result line errs (not counted beside its cases)");
	ok(miss && miss->result == KTAP_ERROR && miss->missing == 2 && miss->number == 2 &&
	   miss->parent == foo, "one test stands for the two cases that never reported");
	ok(miss && has_diag(miss, "BUG: kernel NULL pointer dereference, address: 0000000000000008"),
	   "the oops is its diagnostic");
	is_counts(&k, 5, 0, 4, 2, "a crash");
	ok(!ktap_complete(&k), "incomplete");
	is_str(ktap_incomplete(&k, why, sizeof(why)), "3 results missing", "three results missing");
	text = summary_of(&k, 0);
	ok(strstr(text, "[ERROR] foo_test\n    [ERROR] test 2 (2 of 3 planned results missing)\n"
		  "        BUG: kernel NULL"), "summary: the error, the oops");
	ok(strstr(text, "Testing incomplete (3 results missing). Ran 11 tests: passed: 5, failed: 0, "
		  "skipped: 4, errors: 2\n"), "summary: incomplete");
	free(text);
	xml = junit_of(&k);
	is_int(xml_check(xml), 0, "JUnit of a crash: well-formed, counts right");
	ok(strstr(xml, "<testcase name=\"test 2\" classname=\"foo_test\">\n"
		  "      <error message=\"2 of 3 planned results missing\">BUG: kernel NULL"),
	   "JUnit: an error with the oops");
	free(xml);
	ktap_free(&k);
}

static void kselftest(void)
{
	struct ktap k;
	char *t, *xml, why[64];
	const struct ktap_node *x;

	read_str(&k, 0, kselftest_out, 3);
	t = tree(&k);
	is_str(t, "selftests: timers: posix_timers pass -\n"
		  "  Check itimer virtual pass\n"
		  "  Check itimer prof pass\n"
		  "  Check clock_adjtime skip\n"
		  "selftests: timers: nanosleep fail\n"
		  "selftests: timers: rtcpie skip\n"
		  "selftests: timers: set-timer-lat fail -\n"
		  "  CLOCK_REALTIME pass\n"
		  "  test 2 error\n"
		  "selftests: seccomp: seccomp_bpf fail -\n"
		  "  global.kcmp pass\n"
		  "  global.mode_strict_support fail\n"
		  "  global.user_notification skip\n"
		  "selftests: seccomp: seccomp_benchmark fail\n",
	       "kselftest: programs, and the TAP behind their \"# \"");
	free(t);
	is_counts(&k, 4, 3, 3, 2, "kselftest");
	is_int(k.runs, 2, "a run per collection");
	is_int(k.reported.n[KTAP_PASS] * 100 + k.reported.n[KTAP_FAIL] * 10 + k.reported.n[KTAP_SKIP],
	       412, "the programs' # Totals lines summed");
	is_str(find(&k, "selftests: timers: nanosleep")->reason, "exit=1", "runner.sh's exit status");
	ok(has_diag(find(&k, "selftests: timers: nanosleep"),
		    "# Nanosleep CLOCK_MONOTONIC                [FAILED]"), "a program's plain output");
	is_str(find(&k, "selftests: timers: rtcpie")->reason, "/dev/rtc0 not available",
	       "a skip's reason from its program's plan");
	is_str(find(&k, "selftests: seccomp: seccomp_benchmark")->reason, "TIMEOUT 45 seconds",
	       "a timeout fails, its words kept");
	x = find(&k, "selftests: timers: set-timer-lat");
	ok(x && x->child && x->child->next && has_diag(x->child->next, "Bail out! timer_create failed"),
	   "a program's Bail out! ends its block only, its plan's rest missing");
	ok(!k.bailed, "not the run's");
	is_str(ktap_incomplete(&k, why, sizeof(why)), "2 results missing", "incomplete");
	xml = junit_of(&k);
	is_int(xml_check(xml), 0, "JUnit of kselftest: well-formed, counts right");
	ok(strstr(xml, "<testsuite name=\"selftests: timers: posix_timers\" tests=\"3\" failures=\"0\" "
		  "errors=\"0\" skipped=\"1\">"), "JUnit: a suite for a program with TAP");
	ok(strstr(xml, "<testsuite name=\"minos test\" tests=\"3\" failures=\"2\" errors=\"0\" "
		  "skipped=\"1\">"), "JUnit: programs without TAP in the run's suite");
	ok(strstr(xml, "<testcase name=\"selftests: timers: rtcpie\" classname=\"minos test\">\n"
		  "      <skipped message=\"/dev/rtc0 not available\"/>"), "JUnit: the skip's reason");
	free(xml);
	ktap_free(&k);

	/* runner.sh with KSFT_TAP_LEVEL: the program's TAP without its version line. */
	read_str(&k, 0, "TAP version 13\n1..1\n# selftests: timers: posix_timers\n# 1..2\n"
			"# ok 1 Check itimer virtual\n# not ok 2 Check itimer prof\n"
			"ok 1 selftests: timers: posix_timers\n", 0);
	t = tree(&k);
	is_str(t, "selftests: timers: posix_timers pass -\n  Check itimer virtual pass\n"
		  "  Check itimer prof fail\n", "KSFT_TAP_LEVEL: a program's plan opens its block");
	free(t);
	is_int(ktap_verdict(&k, 0), KTAP_FAIL, "its verdict: its subtest's failure");
	ok(ktap_complete(&k), "complete");
	ktap_free(&k);
}

static void tap13_and_14(void)
{
	struct ktap k;
	char *t, *xml;

	read_str(&k, 0, "TAP version 13\n1..5\nok 1 - Input file opened\n"
			"not ok 2 - First line of the input valid\n"
			"  ---\n  message: 'First line invalid'\n  severity: fail\n  data:\n"
			"    got: 'Flirble'\n  ...\n"
			"ok 3 - Read the rest of the file # skip not implemented\n"
			"not ok 4 - Summarized correctly # TODO Not written yet\n"
			"ok 5 - escaped \\# hash and back\\\\slash # Skipped: reason\n", 0);
	t = tree(&k);
	is_str(t, "Input file opened pass\nFirst line of the input valid fail\n"
		  "Read the rest of the file skip\nSummarized correctly xfail\n"
		  "escaped # hash and back\\slash skip\n", "TAP 13: results, directives, escapes");
	free(t);
	ok(ktap_complete(&k), "TAP 13 complete");
	ok(has_diag(find(&k, "First line of the input valid"), "    got: 'Flirble'"),
	   "TAP 13: the YAML block is its test's");
	is_int(k.nnodes, 5, "YAML lines are no tests");
	is_str(find(&k, "escaped # hash and back\\slash")->reason, "reason", "\"# Skipped: why\"");
	xml = junit_of(&k);
	is_int(xml_check(xml), 0, "JUnit of TAP 13");
	ok(strstr(xml, "<failure message=\"'First line invalid'\">"), "JUnit: YAML's message");
	ok(strstr(xml, "<skipped message=\"XFAIL: Not written yet\"/>"), "JUnit: TODO is an xfail");
	free(xml);
	ktap_free(&k);

	read_str(&k, 0, "TAP version 14\n1..4\n# Subtest: foo.tap\n    1..2\n    ok 1\n"
			"    ok 2 - this passed\nok 1 - foo.tap\n# Subtest: bar.tap\n"
			"    ok 1 - object should be a Bar\n"
			"    not ok 2 - object.isBar should return true\n"
			"      ---\n      found: false\n      ...\n"
			"    ok 3 - object can bar bears # TODO\n"
			"    1..3\nnot ok 2 - bar.tap\n  ---\n  fail: 1\n  ...\n"
			"ok 3 - baz # SKIP not today\nnot ok 4 - qux # TODO not implemented\n", 2);
	t = tree(&k);
	is_str(t, "foo.tap pass -\n  test 1 pass\n  this passed pass\nbar.tap fail -\n"
		  "  object should be a Bar pass\n  object.isBar should return true fail\n"
		  "  object can bar bears xpass\nbaz skip\nqux xfail\n",
	       "TAP 14: subtests named before them, begun at their plan or first result");
	free(t);
	ok(ktap_complete(&k), "TAP 14 complete: a subtest's plan at its end");
	is_int(k.counts.n[KTAP_XPASS] * 10 + k.counts.n[KTAP_XFAIL], 11, "an xpass and an xfail");
	ok(has_diag(find(&k, "bar.tap"), "  fail: 1"), "a parent's YAML");
	ktap_free(&k);
}

static void bare_tap(void)
{
	static const char unit[] =
		"ok 1 - a\nnot ok 2 - b\n#   failed at tests/unit/x.c:10\nok 3 - c\n1..3\n";
	struct ktap k;
	char *t, why[64];

	read_str(&k, 0, unit, 0);
	is_int(k.runs + k.nnodes, 0, "no version line: not TAP for a kernel log");
	is_str(ktap_incomplete(&k, why, sizeof(why)), "no KTAP or TAP output", "and it says so");
	ktap_free(&k);
	read_str(&k, KTAP_BARE, unit, 0);
	t = tree(&k);
	is_str(t, "a pass\nb fail\nc pass\n", "KTAP_BARE: a program's TAP, its plan at the end");
	free(t);
	ok(has_diag(find(&k, "b"), "#   failed at tests/unit/x.c:10"), "its diagnostics");
	ok(ktap_complete(&k), "complete");
	ktap_free(&k);
	read_str(&k, KTAP_BARE, "1..2\nok 1\nok 2\n1..1\nnot ok 1\n", 0);
	is_int(k.runs, 2, "a plan after a plan met begins the next run");
	is_counts(&k, 2, 1, 0, 0, "two programs");
	ok(ktap_complete(&k), "both complete");
	ktap_free(&k);
}

static void bail_and_missing(void)
{
	struct ktap k;
	char *t, why[64];

	read_str(&k, 0, "TAP version 13\n1..4\nok 1 - one\nBail out! database unreachable\n"
			"ok 2 - after the bail out\n", 0);
	ok(k.bailed, "Bail out!");
	is_str(k.bail_reason, "database unreachable", "its reason");
	is_str(ktap_incomplete(&k, why, sizeof(why)), "Bail out! database unreachable", "incomplete");
	is_counts(&k, 1, 0, 0, 3, "the plan's rest are errors");
	is_int(k.nnodes, 2, "nothing after it counts");
	ktap_free(&k);

	/* KTAP's own indentation, two spaces: a subtest without its result
	 * line, another's result line naming another test. */
	read_str(&k, 0, "KTAP version 1\n1..3\n  KTAP version 1\n  # Subtest: first\n  1..1\n"
			"  ok 1 a\n  KTAP version 1\n  # Subtest: second\n  1..2\n  ok 1 b\n"
			"  ok 2 c\nok 2 second\n  KTAP version 1\n  # Subtest: third\n  1..1\n"
			"  ok 1 d\nok 3 other_name\n", 1);
	t = tree(&k);
	is_str(t, "first error\n  a pass\nsecond pass -\n  b pass\n  c pass\nthird error\n  d pass\n"
		  "other_name pass\n", "missing result lines are errors");
	free(t);
	is_int(k.missing, 2, "two missing");
	is_int(k.overrun, 1, "and a result more than planned");
	ok(!ktap_complete(&k), "incomplete");
	ktap_free(&k);

	read_str(&k, 0, "KTAP version 1\n1..5\nok 1 a\nnot ok 2 b\n", 0);
	is_counts(&k, 1, 1, 0, 3, "a plan not met: the rest are errors");
	is_str(k.nodes[2]->reason, "3 of 5 planned results missing", "one test says so");
	ktap_free(&k);
}

static void garbage(void)
{
	static const char in[] =
		"ok 1 - before any run\nnot ok 2 - nor this\nrandom text\n"
		"KTAP version 1\n1..2\nokay 1\nok 1x\nok one\n1..x\nnot ok\n"
		"ok 1 - real\0with nul\n"
		"\033[31mnot ok\033[0m 9 colour\n"
		"ok 2 - \001ctrl\377 name\n"
		"junk after\nok 3 - after the plan was met\n"
		"[    1.000000]\n[    1.000000][\n[ 1.0][  T1]\n<6>\n[\n[ 1.\n";
	struct ktap k;
	char *t, *xml, *text;

	ktap_init(&k, NULL, 0);
	read_all(&k, in, sizeof(in) - 1, 0);
	t = tree(&k);
	is_str(t, "realwith nul pass\n\001ctrl\377 name pass\nafter the plan was met pass\n",
	       "only TAP counts, NULs dropped");
	free(t);
	ok(has_diag(find(&k, "\001ctrl\377 name"), "\033[31mnot ok\033[0m 9 colour"),
	   "the rest is diagnostics");
	is_int(k.overrun, 1, "a result past the plan");
	xml = junit_of(&k);
	is_int(xml_check(xml), 0, "JUnit of garbage: well-formed");
	ok(strstr(xml, "name=\"\xef\xbf\xbd" "ctrl\xef\xbf\xbd name\""), "control and stray bytes "
	   "replaced by U+FFFD");
	ok(strstr(xml, "\xef\xbf\xbd[31mnot ok\xef\xbf\xbd[0m 9 colour"), "escapes too");
	free(xml);
	text = summary_of(&k, 1);
	ok(strstr(text, "[PASSED] ?ctrl"), "the summary shows control characters as '?'");
	free(text);
	ktap_free(&k);
}

static void limits(void)
{
	struct ktap_limits lim = {.line_max = 64, .depth_max = 2, .results_max = 10, .diag_lines = 4};
	struct buf in = {0};
	struct ktap k;
	char *t, *text, line[256];
	const struct ktap_node *x;

	ktap_init(&k, &lim, 0);
	buf_add(&in, "KTAP version 1\n1..100\n", 22);
	for (int i = 1; i <= 100; i++) {
		snprintf(line, sizeof(line), "ok %d t%d\n", i, i);
		buf_add(&in, line, strlen(line));
	}
	read_all(&k, (char *)in.data, in.len, 0);
	is_int(k.counts.n[KTAP_PASS], 100, "results beyond results_max are counted");
	is_int(k.nnodes * 1000 + k.dropped, 10090, "not kept");
	ok(ktap_complete(&k), "complete still");
	ktap_free(&k);

	ktap_init(&k, &lim, 0);
	text = "KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n    KTAP version 1\n    1..1\n"
	       "      KTAP version 1\n      1..1\n      ok 1 deep\n    ok 1 c\n  ok 1 b\nok 1 a\n";
	read_all(&k, text, strlen(text), 0);
	t = tree(&k);
	is_str(t, "a pass -\n  b pass -\n    c pass\n", "subtests deeper than depth_max are not opened");
	free(t);
	ok(k.too_deep >= 1 && has_diag(find(&k, "c"), "  ok 1 deep"), "their lines are diagnostics");
	ktap_free(&k);

	ktap_init(&k, &lim, 0);
	in.len = 0;
	buf_add(&in, "KTAP version 1\n1..2\n", 20);
	for (int i = 1; i <= 10; i++) {
		snprintf(line, sizeof(line), "# d%d\n", i);
		buf_add(&in, line, strlen(line));
	}
	memset(line, 'x', 200);
	memcpy(line, "not ok 1 ", 9);
	line[200] = '\n';
	buf_add(&in, line, 201);
	buf_add(&in, "ok 2 after a long line\n", 23);
	read_all(&k, (char *)in.data, in.len, 0);
	x = k.nnodes ? k.nodes[0] : NULL;
	is_int(x ? strlen(x->name) : 0, 64 - 9, "a line is cut at line_max, its start still read");
	is_int(k.truncated, 1, "one line cut");
	ok(x && ktap_diag_count(&x->diag) == 4 && !strcmp(ktap_diag_line(&x->diag, 0), "# d1") &&
	   !strcmp(ktap_diag_line(&x->diag, 1), "# d2") &&
	   !strcmp(ktap_diag_line(&x->diag, 2), "# d9") &&
	   !strcmp(ktap_diag_line(&x->diag, 3), "# d10") && x->diag.dropped == 6,
	   "diagnostics: the first and the last kept, the middle dropped");
	text = summary_of(&k, 0);
	ok(strstr(text, "[FAILED] xxxxx"), "the failed test");
	ok(strstr(text, "\n    # d2\n    [... 6 lines dropped ...]\n    # d9\n"),
	   "its lines, and what was dropped");
	free(text);
	ktap_free(&k);

	/* The text budget spent: names cut short, diagnostics dropped. */
	lim = (struct ktap_limits){.text_max = 2000};
	ktap_init(&k, &lim, 0);
	in.len = 0;
	buf_add(&in, "KTAP version 1\n", 15);
	for (int i = 1; i <= 50; i++) {
		snprintf(line, sizeof(line), "# a diagnostic line of test %d\nok %d a test name of more "
			 "than thirty-two bytes, number %d\n", i, i, i);
		buf_add(&in, line, strlen(line));
	}
	read_all(&k, (char *)in.data, in.len, 0);
	is_int(k.nnodes, 50, "every test kept");
	ok(strlen(k.nodes[0]->name) > 32 && strlen(k.nodes[49]->name) == 32, "later names cut");
	ok(ktap_diag_count(&k.nodes[0]->diag) == 1 && !ktap_diag_count(&k.nodes[49]->diag),
	   "later diagnostics dropped");
	ok(k.text_used <= 2000 + 50 * 2 * (32 + 32), "the budget held");
	ktap_free(&k);
	buf_free(&in);
}

/* Subtests with long names: a testcase's classname stays within 1 KiB. */
static void long_classname(void)
{
	struct buf in = {0};
	struct ktap k;
	char name[701], *xml, *at, *end;

	memset(name, 'n', 700);
	name[700] = '\0';
	buf_add(&in, "KTAP version 1\n1..1\n", 20);
	for (int d = 1; d <= 3; d++) {
		char *line = xasprintf("%*sKTAP version 1\n%*s# Subtest: %c%s\n%*s1..1\n", 2 * d, "",
				       2 * d, "", '0' + d, name, 2 * d, "");

		buf_add(&in, line, strlen(line));
		free(line);
	}
	buf_add(&in, "        not ok 1 leaf\n", 22);
	ktap_init(&k, NULL, 0);
	read_all(&k, (char *)in.data, in.len, 0);
	xml = junit_of(&k);
	at = strstr(xml, "<testcase name=\"leaf\" classname=\"");
	end = at ? strchr(at + 33, '"') : NULL;
	ok(end && end - (at + 33) == 1024, "the classname of a deep test is cut at 1 KiB");
	is_int(xml_check(xml), 0, "and the document well-formed");
	free(xml);
	ktap_free(&k);
	buf_free(&in);
}

/* Many megabytes through the default limits: memory stays bounded. */
static void big_stream(void)
{
	struct buf chunk = {0};
	struct ktap k;
	char line[128], big[8192];
	size_t fed = 0;

	ktap_init(&k, NULL, 0);
	ktap_feed(&k, "KTAP version 1\n1..400000\n", 25);
	for (int i = 1; i <= 400000; i++) {
		int n = snprintf(line, sizeof(line), "[ %d.000000] # case_%d: a diagnostic line\n"
				 "[ %d.000001] %sok %d case_%d\n", i, i, i,
				 i % 1000 ? "" : "not ", i, i);

		buf_add(&chunk, line, n);
		if (chunk.len > 65536 || i == 400000) {
			ktap_feed(&k, chunk.data, chunk.len);
			fed += chunk.len;
			chunk.len = 0;
		}
	}
	memset(big, 'y', sizeof(big));
	for (int i = 0; i < 1024; i++)		/* an 8 MiB line */
		ktap_feed(&k, big, sizeof(big));
	fed += 1024 * sizeof(big);
	ktap_finish(&k);
	ok(fed > 30 << 20, "%zu MiB fed", fed >> 20);
	is_int(k.counts.n[KTAP_PASS] + k.counts.n[KTAP_FAIL], 400000, "every result counted");
	is_int(k.counts.n[KTAP_FAIL], 400, "the failures too");
	is_int(k.nnodes, 100000, "100,000 kept");
	ok(k.text_used <= 16u << 20, "text within its budget (%zu KiB)", k.text_used >> 10);
	ok(ktap_complete(&k), "complete");
	ktap_free(&k);
	buf_free(&chunk);
}

static void junit_cases(void)
{
	struct ktap k;
	struct junit j;
	struct buf b = {0};
	char bytes[256], *text = NULL, *xml;
	size_t len = 0;
	FILE *f;

	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	read_str(&k, 0, kselftest_out, 0);
	junit_init(&j, "minos test", &k);
	junit_add(&j, &(struct junit_case){.name = "exit status", .result = KTAP_FAIL,
					  .message = "the command exited with 1", .seconds = 12.5});
	junit_add(&j, &(struct junit_case){.suite = "kernel", .classname = "kernel.reports",
					  .name = "BUG: KASAN: use-after-free in foo+0x12/0x40",
					  .result = KTAP_ERROR,
					  .message = "a \"quoted\"\n<message> & ]]>",
					  .text = bytes, .text_len = sizeof(bytes), .seconds = -1});
	junit_add(&j, &(struct junit_case){.suite = "other", .name = "a skip", .result = KTAP_SKIP,
					  .message = "no", .seconds = -1});
	junit_add(&j, &(struct junit_case){.suite = "kernel", .name = "WARNING: at x.c:1",
					  .result = KTAP_FAIL, .text = "]]> and\r\n", .seconds = 0.25});
	junit_write_buf(&j, &b);
	buf_add(&b, "", 1);
	xml = (char *)b.data;
	is_int(xml_check(xml), 0, "JUnit with added cases: well-formed, counts right");
	ok(strstr(xml, "<testsuite name=\"minos test\" tests=\"4\" failures=\"3\" errors=\"0\" "
		  "skipped=\"1\" time=\"12.500\">"), "cases without a suite join the run's");
	ok(strstr(xml, "<testcase name=\"exit status\" classname=\"minos test\" time=\"12.500\">\n"
		  "      <failure message=\"the command exited with 1\"/>"), "with their time");
	ok(strstr(xml, "<testsuite name=\"kernel\" tests=\"2\" failures=\"1\" errors=\"1\" "
		  "skipped=\"0\" time=\"0.250\">"), "a suite of their own, once");
	ok(strstr(xml, "message=\"a &quot;quoted&quot;&#10;&lt;message&gt; &amp; ]]&gt;\""),
	   "attributes escaped, newlines kept as references");
	ok(strstr(xml, "]]&gt; and&#13;\n</failure>"), "text escaped, CR kept");
	ok(strstr(xml, "\xef\xbf\xbd\t\n\xef\xbf\xbd\xef\xbf\xbd&#13;"),
	   "every byte: NUL and controls replaced, tab and newline kept");
	ok(strstr(xml, " !\"#$%&amp;'()*+,-./0123456789:;&lt;=&gt;?@AB"), "printable ASCII as is");
	ok(strstr(xml, "</testsuite>\n</testsuites>\n"), "closed");
	for (size_t i = 0; i < b.len - 1; i++)
		if ((unsigned char)xml[i] < 0x20 && !strchr("\t\n", xml[i])) {
			ok(0, "a control byte at %zu", i);
			break;
		}
	f = open_memstream(&text, &len);
	is_int(junit_write(&j, f), 0, "written to a FILE");
	fclose(f);
	is_str(text, xml, "the same bytes");
	free(text);
	junit_free(&j);
	buf_free(&b);
	ktap_free(&k);

	ktap_init(&k, NULL, 0);
	ktap_finish(&k);
	xml = junit_of(&k);
	is_str(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"minos test\" "
	       "tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n</testsuites>\n",
	       "no output: an empty document");
	free(xml);
	text = summary_of(&k, 0);
	ok(strstr(text, "Testing incomplete (no KTAP or TAP output). Ran 0 tests: passed: 0, "
		  "failed: 0, skipped: 0\n"), "and the summary says so");
	free(text);
	ktap_free(&k);
}

int main(void)
{
	kunit_run();
	kunit_module();
	kunit_crash();
	kselftest();
	tap13_and_14();
	bare_tap();
	bail_and_missing();
	garbage();
	limits();
	long_classname();
	big_stream();
	junit_cases();
	return done_testing();
}
