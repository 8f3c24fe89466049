/*
 * junit.c - JUnit XML of a KTAP tree (and of testcases the caller adds),
 * in the schema GitLab reads: testsuites > testsuite(name, tests,
 * failures, errors, skipped, time) > testcase(name, classname, time) >
 * failure | error | skipped, system-out.
 *
 * Every string in it came from the guest: any bytes go in, well-formed
 * XML 1.0 comes out.
 */
#include "vm/junit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Deep subtests with long names would repeat them in every testcase. */
#define CLASSNAME_MAX 1024

/* Where the document goes: a FILE, else a buffer. */
struct out {
	FILE *f;
	struct buf *b;
};

struct tally {
	unsigned long long tests, failures, errors, skipped;
	double seconds;
	int timed;
};

/* One testcase to write, from a KTAP test or an added case. */
struct tc {
	const char *classname, *name, *message;
	enum ktap_result result;
	const struct ktap_diag *diag;	/* its text: these lines, */
	const char *text;		/* or these bytes */
	size_t text_len;
	double seconds;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->f)
		fwrite(p, 1, n, o->f);
	else
		buf_add(o->b, p, n);
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void put_fmt(struct out *o, const char *fmt, ...)
{
	char s[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	put(o, s, n < 0 ? 0 : (size_t)n < sizeof(s) ? (size_t)n : sizeof(s) - 1);
}

/* The length of a UTF-8 character at p that XML 1.0 allows, or 0. */
static size_t utf8_char(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)	/* U+FFFE, U+FFFF */
		return 0;
	return n;
}

/*
 * n bytes as XML text, or as an attribute value: there, tabs and newlines
 * become references, or a parser would turn them into spaces.  Every '>'
 * is escaped, so "]]>" cannot appear.
 */
static void escape(struct out *o, const char *s, size_t n, int attr)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		const unsigned char *q = p;
		size_t len;

		while (q < end && *q >= 0x20 && *q < 0x80 && !strchr("&<>\"", *q))
			q++;
		put(o, p, q - p);
		if (q == end)
			break;
		p = q + 1;
		switch (*q) {
		case '&': put_str(o, "&amp;"); break;
		case '<': put_str(o, "&lt;"); break;
		case '>': put_str(o, "&gt;"); break;
		case '"': put_str(o, attr ? "&quot;" : "\""); break;
		case '\t': put_str(o, attr ? "&#9;" : "\t"); break;
		case '\n': put_str(o, attr ? "&#10;" : "\n"); break;
		case '\r': put_str(o, "&#13;"); break;
		default:
			len = *q >= 0x80 ? utf8_char(q, end) : 0;
			if (len)
				put(o, q, len);
			else
				put_str(o, "\xef\xbf\xbd");	/* U+FFFD */
			p = q + (len ? len : 1);
		}
	}
}

static void escape_str(struct out *o, const char *s, int attr)
{
	escape(o, s, strlen(s), attr);
}

/* ---- the testcases ---- */

static const char *element(enum ktap_result r)
{
	switch (r) {
	case KTAP_FAIL: return "failure";
	case KTAP_ERROR: return "error";
	case KTAP_SKIP: case KTAP_XFAIL: return "skipped";
	default: return NULL;
	}
}

static void tally_add(struct tally *t, enum ktap_result r, double seconds)
{
	t->tests++;
	t->failures += r == KTAP_FAIL;
	t->errors += r == KTAP_ERROR;
	t->skipped += r == KTAP_SKIP || r == KTAP_XFAIL;
	if (seconds >= 0) {
		t->seconds += seconds;
		t->timed = 1;
	}
}

static void write_body(struct out *o, const struct tc *t)
{
	const struct ktap_diag *d = t->diag;

	if (!d) {
		escape(o, t->text, t->text_len, 0);
		return;
	}
	for (size_t i = 0; i <= ktap_diag_count(d); i++) {
		if (i == d->nhead && d->dropped)
			put_fmt(o, "[... %llu lines dropped ...]\n", d->dropped);
		if (i == ktap_diag_count(d))
			break;
		escape_str(o, ktap_diag_line(d, i), 0);
		put_str(o, "\n");
	}
}

static void write_case(struct out *o, const struct tc *t)
{
	const char *el = element(t->result);
	int text = t->diag ? ktap_diag_count(t->diag) || t->diag->dropped : t->text_len > 0;
	int inside = text && t->result != KTAP_SKIP && t->result != KTAP_XFAIL;

	put_str(o, "    <testcase name=\"");
	escape_str(o, t->name, 1);
	put_str(o, "\" classname=\"");
	escape_str(o, t->classname, 1);
	put_str(o, "\"");
	if (t->seconds >= 0)
		put_fmt(o, " time=\"%.3f\"", t->seconds);
	if (!el && !text) {
		put_str(o, "/>\n");
		return;
	}
	put_str(o, ">\n");
	if (el) {
		put_fmt(o, "      <%s", el);
		if (t->message) {
			put_str(o, " message=\"");
			escape_str(o, t->message, 1);
			put_str(o, "\"");
		}
		put_str(o, inside ? ">" : "/>\n");
	}
	if (el && inside) {
		write_body(o, t);
		put_fmt(o, "</%s>\n", el);
	} else if (text) {
		put_str(o, "      <system-out>");
		write_body(o, t);
		put_str(o, "</system-out>\n");
	}
	put_str(o, "    </testcase>\n");
}

/* A failure's message: its reason, else its YAML's "message:", else its
 * first line that speaks of failing, else its first. */
static const char *node_message(const struct ktap_node *n, struct buf *scratch)
{
	const struct ktap_diag *d = &n->diag;
	const char *failing = NULL;

	if (n->result == KTAP_XFAIL) {
		scratch->len = 0;
		buf_add(scratch, "XFAIL", 5);
		if (n->reason) {
			buf_add(scratch, ": ", 2);
			buf_add(scratch, n->reason, strlen(n->reason));
		}
		buf_add(scratch, "", 1);
		return (const char *)scratch->data;
	}
	if (n->reason || (n->result != KTAP_FAIL && n->result != KTAP_ERROR))
		return n->reason;
	for (size_t i = 0; i < ktap_diag_count(d); i++) {
		const char *s = ktap_diag_line(d, i) + strspn(ktap_diag_line(d, i), " \t");

		if (!strncmp(s, "message:", 8))
			return s + 8 + strspn(s + 8, " \t");
		if (!failing && strcasestr(s, "fail"))
			failing = s;
	}
	if (!failing && ktap_diag_count(d))
		failing = ktap_diag_line(d, 0) + strspn(ktap_diag_line(d, 0), " \t");
	return failing;
}

static void write_node(struct out *o, const struct ktap_node *n, const char *classname)
{
	struct buf scratch = {0};
	char num[32];
	struct tc t = {
		.classname = classname,
		.name = ktap_name(n, num, sizeof(num)),
		.result = n->result,
		.diag = &n->diag,
		.seconds = -1,
	};

	t.message = node_message(n, &scratch);
	write_case(o, &t);
	buf_free(&scratch);
}

static void write_added(struct out *o, const struct junit *j, const struct junit_case *c)
{
	struct tc t = {
		.classname = c->classname ? c->classname : c->suite ? c->suite : j->name,
		.name = c->name,
		.message = c->message,
		.result = c->result,
		.text = c->text,
		.text_len = c->text ? c->text_len : 0,
		.seconds = c->seconds,
	};

	write_case(o, &t);
}

/* ---- the suites ---- */

static void suite_open(struct out *o, const char *tag, const char *name, const struct tally *t)
{
	put_fmt(o, "%s name=\"", tag);
	escape_str(o, name, 1);
	put_fmt(o, "\" tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\"",
		t->tests, t->failures, t->errors, t->skipped);
	if (t->timed)
		put_fmt(o, " time=\"%.3f\"", t->seconds);
	put_str(o, ">\n");
}

/* The top-level test k->nodes[i], its subtests flattened into testcases
 * of classname "top.sub"; returns the index after them. */
static size_t write_tree_suite(struct out *o, const struct ktap *k, size_t i)
{
	size_t *end = xcalloc(k->lim.depth_max + 2, sizeof(*end)), stop = i + 1;
	struct tally t = {0};
	struct buf path = {0};
	char num[32];

	while (stop < k->nnodes && k->nodes[stop]->depth > 0)
		stop++;
	for (size_t x = i; x < stop; x++)
		if (k->nodes[x]->counted)
			tally_add(&t, k->nodes[x]->result, -1);
	suite_open(o, "  <testsuite", ktap_name(k->nodes[i], num, sizeof(num)), &t);
	for (size_t x = i; x < stop; x++) {
		const struct ktap_node *n = k->nodes[x];
		const char *name = ktap_name(n, num, sizeof(num));
		size_t base = n->depth ? end[n->depth - 1] : 0, len = strlen(name);

		path.len = base;
		buf_add(&path, "", 1);
		if (n->counted)		/* the top's own verdict is its own class */
			write_node(o, n, n->depth ? (const char *)path.data : name);
		path.len = base;
		if (n->depth && base < CLASSNAME_MAX)
			buf_add(&path, ".", 1);
		if (path.len + len > CLASSNAME_MAX)
			len = path.len < CLASSNAME_MAX ? CLASSNAME_MAX - path.len : 0;
		buf_add(&path, name, len);
		end[n->depth] = path.len;
	}
	put_str(o, "  </testsuite>\n");
	buf_free(&path);
	free(end);
	return stop;
}

/* A top-level test without subtests: in the run's own suite. */
static int loose(const struct ktap_node *n)
{
	return !n->depth && !n->child && n->counted;
}

/* The run's own suite: the loose tests and the cases added without a suite. */
static void write_run_suite(struct out *o, const struct junit *j)
{
	const struct ktap *k = j->ktap;
	size_t nnodes = k ? k->nnodes : 0;
	struct tally t = {0};

	for (size_t i = 0; i < nnodes; i++)
		if (loose(k->nodes[i]))
			tally_add(&t, k->nodes[i]->result, -1);
	for (size_t i = 0; i < j->ncases; i++)
		if (!j->cases[i].suite)
			tally_add(&t, j->cases[i].result, j->cases[i].seconds);
	if (!t.tests)
		return;
	suite_open(o, "  <testsuite", j->name, &t);
	for (size_t i = 0; i < nnodes; i++)
		if (loose(k->nodes[i]))
			write_node(o, k->nodes[i], j->name);
	for (size_t i = 0; i < j->ncases; i++)
		if (!j->cases[i].suite)
			write_added(o, j, &j->cases[i]);
	put_str(o, "  </testsuite>\n");
}

/* The added cases' own suites, each where its name first appears. */
static void write_added_suites(struct out *o, const struct junit *j)
{
	for (size_t i = 0; i < j->ncases; i++) {
		const char *name = j->cases[i].suite;
		struct tally t = {0};
		size_t x;

		for (x = 0; name && x < i; x++)
			if (j->cases[x].suite && !strcmp(j->cases[x].suite, name))
				break;
		if (!name || x < i)
			continue;
		for (x = i; x < j->ncases; x++)
			if (j->cases[x].suite && !strcmp(j->cases[x].suite, name))
				tally_add(&t, j->cases[x].result, j->cases[x].seconds);
		suite_open(o, "  <testsuite", name, &t);
		for (x = i; x < j->ncases; x++)
			if (j->cases[x].suite && !strcmp(j->cases[x].suite, name))
				write_added(o, j, &j->cases[x]);
		put_str(o, "  </testsuite>\n");
	}
}

static void write_doc(struct out *o, const struct junit *j)
{
	const struct ktap *k = j->ktap;
	size_t nnodes = k ? k->nnodes : 0;
	struct tally all = {0};

	for (size_t i = 0; i < nnodes; i++)
		if (k->nodes[i]->counted)
			tally_add(&all, k->nodes[i]->result, -1);
	for (size_t i = 0; i < j->ncases; i++)
		tally_add(&all, j->cases[i].result, j->cases[i].seconds);
	put_str(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	suite_open(o, "<testsuites", j->name, &all);
	for (size_t i = 0; i < nnodes;) {
		if (!k->nodes[i]->depth && k->nodes[i]->child)
			i = write_tree_suite(o, k, i);
		else
			i++;
	}
	write_run_suite(o, j);
	write_added_suites(o, j);
	put_str(o, "</testsuites>\n");
}

void junit_init(struct junit *j, const char *name, const struct ktap *k)
{
	*j = (struct junit){.name = xstrdup(name), .ktap = k};
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void junit_add(struct junit *j, const struct junit_case *c)
{
	struct junit_case *d;
	size_t len = c->text ? (c->text_len ? c->text_len : strlen(c->text)) : 0;
	char *text = NULL;

	if (j->ncases == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 8;
		j->cases = xrealloc(j->cases, j->cap * sizeof(*j->cases));
	}
	if (c->text) {
		text = xmalloc(len + 1);
		memcpy(text, c->text, len);
		text[len] = '\0';
	}
	d = &j->cases[j->ncases++];
	*d = *c;
	d->suite = dup_or_null(c->suite);
	d->classname = dup_or_null(c->classname);
	d->name = xstrdup(c->name ? c->name : "");
	d->message = dup_or_null(c->message);
	d->text = text;
	d->text_len = len;
}

void junit_write_buf(const struct junit *j, struct buf *out)
{
	struct out o = {.b = out};

	write_doc(&o, j);
}

int junit_write(const struct junit *j, FILE *f)
{
	struct out o = {.f = f};

	write_doc(&o, j);
	return ferror(f) ? -1 : 0;
}

void junit_free(struct junit *j)
{
	for (size_t i = 0; i < j->ncases; i++) {
		free((char *)j->cases[i].suite);
		free((char *)j->cases[i].classname);
		free((char *)j->cases[i].name);
		free((char *)j->cases[i].message);
		free((char *)j->cases[i].text);
	}
	free(j->cases);
	free(j->name);
	*j = (struct junit){0};
}
