/*
 * ktap.h - the kernel's verdict: TAP and KTAP read as they stream (KUnit's
 * in the kernel log, kselftest's runner on a program's stdout, plain TAP
 * 13 and 14) into a tree of tests, with counts per result.
 */
#ifndef MINOS_KTAP_H
#define MINOS_KTAP_H

#include <stddef.h>
#include <stdio.h>

enum ktap_result {
	KTAP_PASS,
	KTAP_FAIL,		/* "not ok" (a TIMEOUT too) */
	KTAP_SKIP,		/* "# SKIP", with "ok" or "not ok" */
	KTAP_XFAIL,		/* failed as expected: "# XFAIL", "not ok ... # TODO" */
	KTAP_XPASS,		/* passed though expected not to: "ok ... # TODO", "# XPASS" */
	KTAP_ERROR,		/* "# ERROR"; or a result that never came */
	KTAP_NRESULTS
};

struct ktap_counts {
	unsigned long long n[KTAP_NRESULTS];
};

/*
 * A test's diagnostic lines, kept within the limits: the first ones and
 * the last ones, "dropped" lines having gone between the two.  Read them
 * in order with ktap_diag_line(d, 0 .. ktap_diag_count(d) - 1).
 */
struct ktap_diag {
	char **line;
	unsigned nhead, ntail, tail_at, head_max, tail_max;
	unsigned long long dropped;
};

size_t ktap_diag_count(const struct ktap_diag *d);
const char *ktap_diag_line(const struct ktap_diag *d, size_t i);

struct ktap_node {
	char *name;			/* the result line's description; "" if none */
	char *reason;			/* "# SKIP why": "why"; "# exit=1": "exit=1"; NULL */
	unsigned long long number;	/* its number among its siblings; 0 if none */
	/* Made up for results that never came: how many it stands for (a
	 * missing result line after a subtest, or a plan not met). */
	unsigned long long missing;
	enum ktap_result result;
	int depth;			/* 0: one of the run's own tests */
	/* In ktap.counts, and a testcase in JUnit: a test without subtests,
	 * or one whose own failure or error says more than its subtests'. */
	int counted;
	struct ktap_node *parent, *child, *last_child, *next;
	struct ktap_diag diag;		/* what came before its result; YAML, "#   " after */
};

/* What a hostile stream can make the reader keep; 0 in a field: its default. */
struct ktap_limits {
	size_t line_max;	/* bytes of a line read; the rest is dropped (4 KiB) */
	int depth_max;		/* subtests within subtests (16) */
	size_t results_max;	/* tests kept; those beyond are only counted (100,000) */
	unsigned diag_lines;	/* diagnostic lines kept per test, first and last (32) */
	size_t text_max;	/* bytes of names, reasons and diagnostics kept in all (16 MiB) */
};

/* Plain TAP without a version line: a plan or result at column 0 starts a
 * run (a program's stdout).  Without it a run begins at "KTAP version 1",
 * "TAP version 13|14" only, as kunit.py's does (a kernel log). */
#define KTAP_BARE 1

struct ktap_block;

struct ktap {
	/* The results: every test kept, parents before their subtests. */
	struct ktap_node **nodes;
	size_t nnodes;
	struct ktap_counts counts;	/* all results, those not kept too */
	struct ktap_counts reported;	/* the "# Totals: pass:N fail:N ..." lines' sums */
	unsigned long long dropped;	/* tests not kept (results_max) */
	unsigned long long missing;	/* results due that never came: errors in counts */
	unsigned runs;			/* version lines (or bare plans) that began a run */
	unsigned unplanned;		/* runs that ended without a plan */
	unsigned overrun;		/* blocks with more results than their plan */
	int bailed;			/* a run's "Bail out!" */
	char *bail_reason;		/* the first one's words, or NULL */
	unsigned long long truncated;	/* lines longer than line_max */
	unsigned too_deep;		/* subtests not opened: depth_max */

	/* The reader's state. */
	struct ktap_limits lim;
	int flags;
	char *line, *scratch;		/* the line being read; a result's unescaped name */
	size_t len;
	int cut;
	struct ktap_block *blocks;	/* open documents: [0] the run, then subtests */
	int depth;
	int result_block;		/* the block the last line was a result of, or -1 */
	int trail;			/* a failure's block, which "#   ..." lines may follow */
	int yaml;			/* the block whose result a YAML block follows, or -1 */
	char *yaml_prefix;
	size_t yaml_plen;
	size_t text_used;
	size_t cap;
};

/* lim NULL: the defaults.  flags: KTAP_BARE or 0. */
void ktap_init(struct ktap *k, const struct ktap_limits *lim, int flags);
/* n more bytes of the stream, split anywhere. */
void ktap_feed(struct ktap *k, const void *p, size_t n);
/* The end of the stream: its last line, and the results still due (errors). */
void ktap_finish(struct ktap *k);
void ktap_free(struct ktap *k);

/* A run was seen, every plan met, every result in, no "Bail out!". */
int ktap_complete(const struct ktap *k);
/* Why not, in words; NULL if complete.  buf holds it when it needs numbers. */
const char *ktap_incomplete(const struct ktap *k, char *buf, size_t size);

/* n's name, or "test N" if it has none (in buf). */
const char *ktap_name(const struct ktap_node *n, char *buf, size_t size);
/* "pass", "fail", "skip", "xfail", "xpass", "error". */
const char *ktap_result_name(enum ktap_result r);
/* What a summary says of k->nodes[i]: the worst of its subtests' results
 * and its own (when counted). */
enum ktap_result ktap_verdict(const struct ktap *k, size_t i);

/*
 * A summary like kunit.py's: a line per top-level test, the failed ones
 * below it with their diagnostics (every test if verbose), then "Testing
 * complete. Ran N tests: passed: P, failed: F, skipped: S" and what else
 * there was.  Control characters from the guest are shown as '?'.
 */
void ktap_print_summary(const struct ktap *k, FILE *out, int verbose);

#endif
