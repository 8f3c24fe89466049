/*
 * ktap.c - the kernel's verdict, read as it streams: KTAP 1
 * (Documentation/dev-tools/ktap.rst), TAP 13 and 14, as KUnit prints them
 * into the kernel log and kselftest's runner on a program's stdout.
 *
 * A stack of open blocks, one per (K)TAP document: the run's own, then one
 * per subtest being reported.  A block is known by the prefix of its lines:
 * KUnit indents a subtest by four spaces, the KTAP spec by two, kselftest's
 * runner puts "# " before a test program's own TAP.  A line belongs to the
 * deepest block whose prefix it starts with; TAP at a shallower prefix
 * closes the deeper blocks, a version line (or a "# Subtest:") further in
 * opens one.  Lines that are not TAP are the next result's diagnostics, as
 * kunit.py keeps them: in a kernel log that is what the kernel said while
 * the test ran.
 *
 * The guest writes this: a kernel under test, broken or hostile.  Lines,
 * nesting, tests kept and text kept are bounded (struct ktap_limits):
 * beyond them lines are cut and tests only counted.  Every byte is looked
 * at a bounded number of times.
 */
#include "vm/ktap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

static const struct ktap_limits defaults = {
	.line_max = 4096,
	.depth_max = 16,
	.results_max = 100000,
	.diag_lines = 32,
	.text_max = 16u << 20,
};

/* What a kept string costs beside its bytes (its allocation, its pointer):
 * a flood of empty lines must spend the budget too. */
#define STR_COST 32
/* A name is kept this long when the budget is spent: a test is never nameless. */
#define NAME_FLOOR 32

struct ktap_block {
	char *prefix;			/* what its lines begin with */
	size_t plen;
	struct ktap_node *owner;	/* the subtest it reports on; NULL: the run, or not kept */
	unsigned long long plan;
	int has_plan;
	int implicit;			/* a run begun at a subtest: no plan is due */
	unsigned long long results;	/* results read, or due and counted missing */
	int bad;			/* a failure or an error inside */
	char *header;			/* "# Subtest: X", "# selftests: X": next subtest's */
	int header_ksft;		/* kselftest's: "# " TAP may follow without a version */
	int named;			/* its owner's name is known (a header said it) */
	int awaiting;			/* a subtest opened here awaits its result line here */
	struct ktap_node *awaited;	/* its node, if kept */
	int sub_bad, sub_empty;		/* its block had failures; had no results */
	char *sub_why;			/* its block's "1..0 # SKIP why" */
	char *skip_why;			/* this block's */
	struct ktap_node *last;		/* the latest result, which YAML may follow */
	struct ktap_diag pending;	/* lines for the next result */
};

struct result {
	enum ktap_result kind;
	unsigned long long number;
	const char *name;		/* unescaped, in k->scratch */
	const char *reason;
};

static char *dup_n(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- text within the budget ---- */

static void set_text(struct ktap *k, char **to, const char *s, size_t floor)
{
	size_t n = strlen(s);

	if (*to)
		k->text_used -= strlen(*to) + STR_COST;
	free(*to);
	if (k->text_used + n + STR_COST > k->lim.text_max && n > floor)
		n = floor;
	k->text_used += n + STR_COST;
	*to = dup_n(s, n);
}

static void drop_text(struct ktap *k, char *s)
{
	k->text_used -= strlen(s) + STR_COST;
	free(s);
}

/* Takes s (already paid for): the first lines, then a ring of the last. */
static void diag_put(struct ktap *k, struct ktap_diag *d, char *s)
{
	size_t at;

	if (!d->line) {
		d->head_max = (k->lim.diag_lines + 1) / 2;
		d->tail_max = k->lim.diag_lines / 2;
		d->line = xcalloc(d->head_max + d->tail_max + 1, sizeof(*d->line));
	}
	if (d->nhead < d->head_max) {
		d->line[d->nhead++] = s;
		return;
	}
	if (!d->tail_max) {
		drop_text(k, s);
		d->dropped++;
		return;
	}
	if (d->ntail == d->tail_max) {
		at = d->head_max + d->tail_at;
		drop_text(k, d->line[at]);
		d->dropped++;
		d->tail_at = (d->tail_at + 1) % d->tail_max;
	} else {
		at = d->head_max + (d->tail_at + d->ntail++) % d->tail_max;
	}
	d->line[at] = s;
}

static void diag_add(struct ktap *k, struct ktap_diag *d, const char *s)
{
	size_t n = strlen(s);

	if (k->text_used + n + STR_COST > k->lim.text_max) {
		d->dropped++;
		return;
	}
	k->text_used += n + STR_COST;
	diag_put(k, d, dup_n(s, n));
}

size_t ktap_diag_count(const struct ktap_diag *d)
{
	return d->nhead + d->ntail;
}

const char *ktap_diag_line(const struct ktap_diag *d, size_t i)
{
	if (i < d->nhead)
		return d->line[i];
	return d->line[d->head_max + (d->tail_at + (i - d->nhead)) % d->tail_max];
}

static void diag_free(struct ktap *k, struct ktap_diag *d)
{
	for (size_t i = 0; i < ktap_diag_count(d); i++)
		drop_text(k, (char *)ktap_diag_line(d, i));
	free(d->line);
	*d = (struct ktap_diag){0};
}

/* src's lines after dst's; src is left empty. */
static void diag_move(struct ktap *k, struct ktap_diag *dst, struct ktap_diag *src)
{
	if (!ktap_diag_count(dst) && !dst->dropped) {
		free(dst->line);
		*dst = *src;
		*src = (struct ktap_diag){0};
		return;
	}
	for (size_t i = 0; i < ktap_diag_count(src); i++)
		diag_put(k, dst, (char *)ktap_diag_line(src, i));
	dst->dropped += src->dropped;
	free(src->line);
	*src = (struct ktap_diag){0};
}

/* ---- the tree ---- */

/* A test of block m, or NULL past results_max. */
static struct ktap_node *new_node(struct ktap *k, int m)
{
	struct ktap_node *parent = k->blocks[m].owner, *n;

	if (k->nnodes >= k->lim.results_max || (m > 0 && !parent)) {
		k->dropped++;
		return NULL;
	}
	if (k->nnodes == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 64;
		k->nodes = xrealloc(k->nodes, k->cap * sizeof(*k->nodes));
	}
	n = xcalloc(1, sizeof(*n));
	set_text(k, &n->name, "", 0);
	n->result = KTAP_ERROR;
	n->depth = m;
	n->parent = parent;
	if (parent) {
		if (parent->last_child)
			parent->last_child->next = n;
		else
			parent->child = n;
		parent->last_child = n;
	}
	k->nodes[k->nnodes++] = n;
	return n;
}

/* a + b, held at the top: a plan of 1..2^64-1 is a guest's to print. */
static unsigned long long add(unsigned long long a, unsigned long long b)
{
	return a + b < a ? ~0ULL : a + b;
}

static void count(struct ktap *k, int m, enum ktap_result r, unsigned long long n)
{
	k->counts.n[r] = add(k->counts.n[r], n);
	if (r == KTAP_FAIL || r == KTAP_ERROR)
		k->blocks[m].bad = 1;
}

/* Block m's awaited subtest ended without its result line: an error, as kunit.py has it. */
static void owner_missing(struct ktap *k, int m)
{
	struct ktap_block *b = &k->blocks[m];
	struct ktap_node *n = b->awaited;
	/* Counted as a parent's own error would be: not when its subtests'
	 * errors (their results missing too, say) already tell. */
	int counted = b->sub_empty || !b->sub_bad;

	b->awaiting = 0;
	b->results++;
	k->missing = add(k->missing, 1);
	if (counted)
		count(k, m, KTAP_ERROR, 1);
	if (n) {
		n->result = KTAP_ERROR;
		n->counted = counted;
		n->missing = 1;
		set_text(k, &n->reason, "no result line", NAME_FLOOR);
	}
}

static void fill(struct ktap *k, struct ktap_node *n, const struct result *r)
{
	if (!n->name[0])
		set_text(k, &n->name, r->name, NAME_FLOOR);
	n->number = r->number;
	n->result = r->kind;
	if (r->reason)
		set_text(k, &n->reason, r->reason, NAME_FLOOR);
}

/* A result line at block m: its awaited subtest's, or a new test's. */
static void result_in(struct ktap *k, int m, const struct result *r)
{
	struct ktap_block *b = &k->blocks[m];
	struct ktap_node *n = b->awaited;
	int counted = 1;

	/* A name that differs from the subtest's header is another test's
	 * result: the subtest's never came (kunit.py does the same). */
	if (b->awaiting && n && n->name[0] && r->name[0] && strcmp(n->name, r->name))
		owner_missing(k, m);
	if (b->awaiting) {
		b->awaiting = 0;
		/* A parent counts when it had no subtests, or when it failed
		 * though none of them did (a kselftest program's exit status). */
		counted = b->sub_empty ||
			  ((r->kind == KTAP_FAIL || r->kind == KTAP_ERROR) && !b->sub_bad);
	} else {
		n = new_node(k, m);
	}
	if (counted)
		count(k, m, r->kind, 1);
	if (n) {
		fill(k, n, r);
		/* kselftest's "ok 3 selftests: timers: rtcpie # SKIP" says why
		 * in its program's plan, "1..0 # SKIP /dev/rtc0 not available". */
		if (r->kind == KTAP_SKIP && !r->reason && n == b->awaited && b->sub_why)
			set_text(k, &n->reason, b->sub_why, NAME_FLOOR);
		n->counted = counted;
		diag_move(k, &n->diag, &b->pending);
	} else {
		diag_free(k, &b->pending);
	}
	/* A header not followed by a subtest's TAP named this result. */
	free(b->header);
	b->header = NULL;
	b->header_ksft = 0;
	b->results++;
	b->last = n;
	k->result_block = m;
	k->trail = r->kind == KTAP_FAIL && n ? m : -1;
}

/* Block m's plan was not met: one test stands for the missing ones. */
static struct ktap_node *missing_results(struct ktap *k, int m)
{
	struct ktap_block *b = &k->blocks[m];
	unsigned long long left = b->plan - b->results;
	struct ktap_node *n;
	char why[96];

	k->missing = add(k->missing, left);
	count(k, m, KTAP_ERROR, left);
	n = new_node(k, m);
	if (n) {
		n->result = KTAP_ERROR;
		n->counted = 1;
		n->missing = left;
		n->number = b->results + 1;
		snprintf(why, sizeof(why), "%llu of %llu planned results missing", left, b->plan);
		set_text(k, &n->reason, why, NAME_FLOOR);
	}
	b->results = b->plan;
	return n;
}

static void close_block(struct ktap *k)
{
	int j = k->depth - 1;
	struct ktap_block *b = &k->blocks[j];
	struct ktap_node *to = j ? b->owner : NULL, *miss = NULL;

	if (b->awaiting)
		owner_missing(k, j);
	if (b->has_plan && b->results < b->plan)
		miss = missing_results(k, j);
	else if (b->has_plan && b->results > b->plan)
		k->overrun++;
	if (!j && !b->has_plan && !b->implicit)
		k->unplanned++;
	if (j) {
		struct ktap_block *p = &k->blocks[j - 1];

		p->sub_bad = b->bad;
		p->sub_empty = !b->results;
		p->bad |= b->bad;
		free(p->sub_why);
		p->sub_why = b->skip_why;
		b->skip_why = NULL;
	}
	/* What came after the last result (an oops, say) is about the
	 * first test that never reported. */
	if (miss)
		to = miss;
	if (to)
		diag_move(k, &to->diag, &b->pending);
	else
		diag_free(k, &b->pending);
	free(b->prefix);
	free(b->header);
	free(b->sub_why);
	free(b->skip_why);
	k->depth--;
}

/* Closes the blocks deeper than m (m -1: all). */
static void close_to(struct ktap *k, int m)
{
	while (k->depth - 1 > m)
		close_block(k);
}

static void open_root(struct ktap *k, const char *line, size_t plen)
{
	struct ktap_block *b = &k->blocks[0];

	close_to(k, -1);
	*b = (struct ktap_block){.prefix = dup_n(line, plen), .plen = plen};
	k->depth = 1;
	k->runs++;
}

/* A subtest in block m, its lines beginning with line's first plen bytes. */
static int open_child(struct ktap *k, int m, const char *line, size_t plen, const char *name)
{
	struct ktap_block *p, *b;
	struct ktap_node *n;
	int named;

	close_to(k, m);
	if (k->depth > k->lim.depth_max) {
		k->too_deep++;
		return -1;
	}
	p = &k->blocks[m];
	if (p->awaiting)
		owner_missing(k, m);
	n = new_node(k, m);
	if (!name)
		name = p->header;
	if (n && name)
		set_text(k, &n->name, name, NAME_FLOOR);
	named = name != NULL;
	free(p->header);
	p->header = NULL;
	p->header_ksft = 0;
	p->awaiting = 1;
	p->awaited = n;
	p->sub_bad = 0;
	p->sub_empty = 1;
	free(p->sub_why);
	p->sub_why = NULL;
	b = &k->blocks[k->depth++];
	*b = (struct ktap_block){.prefix = dup_n(line, plen), .plen = plen, .owner = n,
				 .named = named};
	return 0;
}

/* ---- lines ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alpha(char c)
{
	return (c | 32) >= 'a' && (c | 32) <= 'z';
}

/* Digits at *s, saturating; how many there were. */
static size_t number(const char **s, unsigned long long *v)
{
	const char *p = *s, *start = *s;

	*v = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		*v = *v > (~0ULL - 9) / 10 ? ~0ULL : *v * 10 + (unsigned)(*p - '0');
	*s = p;
	return p - start;
}

static int is_version(const char *s)
{
	unsigned long long v;

	if (!strncmp(s, "KTAP version ", 13))
		s += 13;
	else if (!strncmp(s, "TAP version ", 12))
		s += 12;
	else
		return 0;
	return number(&s, &v) && !*s;
}

/* "1..N", maybe "# SKIP why" after it. */
static int is_plan(const char *s, unsigned long long *n, const char **comment)
{
	if (strncmp(s, "1..", 3))
		return 0;
	s += 3;
	if (!number(&s, n))
		return 0;
	s += strspn(s, " \t");
	if (*s && *s != '#')
		return 0;
	*comment = *s ? s : NULL;
	return 1;
}

static const char *after(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncasecmp(s, word, n) ? NULL : s + n + strspn(s + n, " \t");
}

/* What follows a result's '#': a directive and its reason, or a comment (kept whole). */
static void directive(struct result *r, const char *s, int ok)
{
	static const struct {
		const char *word;
		enum ktap_result ok, not_ok;
	} words[] = {
		{"SKIP", KTAP_SKIP, KTAP_SKIP},		/* "SKIP", "skipped:" too */
		{"TODO", KTAP_XPASS, KTAP_XFAIL},
		{"XFAIL", KTAP_XFAIL, KTAP_XFAIL},
		{"XPASS", KTAP_XPASS, KTAP_XPASS},
		{"ERROR", KTAP_ERROR, KTAP_ERROR},	/* kselftest's "# error" */
	};
	size_t w = 0;

	s += strspn(s, " \t");
	while (is_alpha(s[w]))
		w++;
	r->reason = *s ? s : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i].word);

		if (w < n || (w > n && i) || strncasecmp(s, words[i].word, n))
			continue;
		r->kind = ok ? words[i].ok : words[i].not_ok;
		s += w + strspn(s + w, " \t:");
		r->reason = *s ? s : NULL;
		return;
	}
}

/* "ok N [- ]name [# directive reason]", "not ok N ...": KTAP's numbers are not optional. */
static int parse_result(struct ktap *k, const char *s, struct result *r)
{
	char *o = k->scratch;
	int ok;

	if (!strncmp(s, "ok", 2))
		ok = 1, s += 2;
	else if (!strncmp(s, "not ok", 6))
		ok = 0, s += 6;
	else
		return 0;
	if (!is_blank(*s))
		return 0;
	s += strspn(s, " \t");
	if (!number(&s, &r->number) || (*s && !is_blank(*s) && *s != '#'))
		return 0;
	s += strspn(s, " \t");
	if (*s == '-' && (!s[1] || is_blank(s[1])))
		s += 1 + strspn(s + 1, " \t");
	for (; *s && *s != '#'; s++) {
		if (*s == '\\' && (s[1] == '#' || s[1] == '\\'))
			s++;
		*o++ = *s;
	}
	while (o > k->scratch && is_blank(o[-1]))
		o--;
	*o = '\0';
	r->name = k->scratch;
	r->kind = ok ? KTAP_PASS : KTAP_FAIL;
	r->reason = NULL;
	if (*s == '#')
		directive(r, s + 1, ok);
	return 1;
}

/* kselftest's "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N" (KUnit's: total:N). */
static void totals(struct ktap *k, const char *s)
{
	static const char *const key[KTAP_NRESULTS] = {
		[KTAP_PASS] = "pass:", [KTAP_FAIL] = "fail:", [KTAP_SKIP] = "skip:",
		[KTAP_XFAIL] = "xfail:", [KTAP_XPASS] = "xpass:", [KTAP_ERROR] = "error:",
	};
	unsigned long long v;

	s = after(s + strspn(s, "# \t"), "Totals:");	/* a program's, behind "# " */
	while (s && *s) {
		for (int i = 0; i < KTAP_NRESULTS; i++) {
			if (strncmp(s, key[i], strlen(key[i])))
				continue;
			s += strlen(key[i]);
			number(&s, &v);
			k->reported.n[i] = add(k->reported.n[i], v);
		}
		s += strcspn(s, " \t");
		s += strspn(s, " \t");
	}
}

static void diag(struct ktap *k, const char *s)
{
	if (*s)
		diag_add(k, &k->blocks[k->depth - 1].pending, s);
}

static void yaml_end(struct ktap *k)
{
	free(k->yaml_prefix);
	k->yaml_prefix = NULL;
	k->yaml = -1;
}

/* Inside a YAML block after a result ("  ---" to "  ..."): its lines are that test's. */
static int yaml_line(struct ktap *k, const char *line)
{
	const struct ktap_block *b = &k->blocks[k->yaml];

	if (*line && strncmp(line, k->yaml_prefix, k->yaml_plen)) {
		yaml_end(k);
		return 0;
	}
	if (*line && !strcmp(line + k->yaml_plen, "..."))
		yaml_end(k);
	else if (*line && b->last)
		diag_add(k, &b->last->diag, line + b->plen);
	return 1;
}

/* "# Subtest: name" at block m: its own name, said after its version line as
 * KUnit does, else the name of the subtest that follows (TAP 14). */
static void subtest(struct ktap *k, int m, const char *name)
{
	struct ktap_block *b = &k->blocks[m];

	if (m > 0 && !b->named && !b->results && !b->awaiting) {
		b->named = 1;
		if (b->owner)
			set_text(k, &b->owner->name, name, NAME_FLOOR);
		return;
	}
	free(b->header);
	b->header = dup_n(name, strlen(name));
	b->header_ksft = 0;
}

static void level(struct ktap *k, int m, const char *line, const char *body);

/* A version line (or, with KTAP_BARE, a plan or result at column 0) begins a run. */
static int start_run(struct ktap *k, const char *line)
{
	size_t ws = strspn(line, " \t"), lead = strspn(line, " \t#");
	unsigned long long n;
	const char *s;
	struct result r;

	if (is_version(line + lead)) {
		/* Only indented: a subtest whose run's header was not printed
		 * (6.1's KUnit suites of a module loaded after boot). */
		open_root(k, line, ws == lead ? 0 : lead);
		if (ws && ws == lead) {
			k->blocks[0].implicit = 1;
			open_child(k, 0, line, ws, NULL);
		}
		return 1;
	}
	if (!(k->flags & KTAP_BARE) || ws || !(is_plan(line, &n, &s) || parse_result(k, line, &r)))
		return 0;
	open_root(k, line, 0);
	level(k, 0, line, line);
	return 1;
}

static void plan(struct ktap *k, int m, unsigned long long n, const char *comment,
		 const char *line, const char *body)
{
	struct ktap_block *b;
	struct result r;

	close_to(k, m);
	b = &k->blocks[m];
	/* A plan after the run's own was met: the next run, without a version line. */
	if (!m && b->has_plan && b->results >= b->plan)
		open_root(k, line, b->plen);
	if (b->has_plan)
		return;
	b->has_plan = 1;
	b->plan = n;
	if (!comment)
		return;
	diag(k, body);
	r.kind = KTAP_PASS;
	directive(&r, comment + 1, 1);
	if (r.kind == KTAP_SKIP && r.reason && !b->skip_why)
		b->skip_why = dup_n(r.reason, strlen(r.reason));
}

static void bail(struct ktap *k, int m, const char *body, const char *why)
{
	close_to(k, m);
	if (m) {
		/* A test program's own (kselftest's ksft_exit_fail_msg): its
		 * block ends, its runner goes on. */
		diag(k, body);
		close_to(k, m - 1);
		return;
	}
	if (!k->bailed) {
		k->bailed = 1;
		k->bail_reason = dup_n(why, strlen(why));
	}
	close_to(k, -1);
}

/* A '#' line at block m's level: a subtest's header, a kselftest program's TAP, or a diagnostic. */
static void hash_line(struct ktap *k, int m, const char *line, const char *body)
{
	struct ktap_block *b = &k->blocks[m];
	const char *s, *inner = body + 2;
	unsigned long long n;
	struct result r;
	size_t iws;

	if ((s = after(body, "# Subtest:"))) {
		subtest(k, m, s);
		return;
	}
	if (!strncmp(body, "# selftests: ", 13)) {	/* kselftest's runner.sh */
		free(b->header);
		b->header = dup_n(body + 2, strlen(body + 2));
		b->header_ksft = 1;
		return;
	}
	if (body[1] == ' ') {
		iws = strspn(inner, " \t");
		if (is_version(inner + iws) && !open_child(k, m, line, b->plen + 2 + iws, NULL))
			return;
		/* runner.sh with KSFT_TAP_LEVEL set: the program's TAP has no version line. */
		if (b->header_ksft && !iws &&
		    (is_plan(inner, &n, &s) || parse_result(k, inner, &r)) &&
		    !open_child(k, m, line, b->plen + 2, NULL)) {
			level(k, m + 1, line, inner);
			return;
		}
	}
	totals(k, body);
	diag(k, body);
}

/* A line at block m's own level: body is what follows its prefix. */
static void level(struct ktap *k, int m, const char *line, const char *body)
{
	size_t plen = k->blocks[m].plen;
	unsigned long long n;
	const char *s;
	struct result r;

	if (*body == '#') {
		hash_line(k, m, line, body);
	} else if (is_version(body)) {
		/* At the top a new run; further in, the next subtest (its
		 * predecessor's result line missing if it is still open). */
		if (!m)
			open_root(k, line, plen);
		else if (open_child(k, m - 1, line, plen, NULL))
			diag(k, body);
	} else if (is_plan(body, &n, &s)) {
		plan(k, m, n, s, line, body);
	} else if (parse_result(k, body, &r)) {
		close_to(k, m);
		result_in(k, m, &r);
	} else if ((s = after(body, "Bail out!"))) {
		bail(k, m, body, s);
	} else {
		diag(k, body);
	}
}

/* A line indented beyond block m's prefix: a subtest begins, YAML, or a diagnostic. */
static void deeper(struct ktap *k, int m, const char *line, const char *rest, int prev)
{
	size_t plen = k->blocks[m].plen + strspn(rest, " \t"), iws;
	const char *body = line + plen, *s;
	unsigned long long n;
	struct result r;

	if (prev == m && !strcmp(body, "---")) {
		k->yaml = m;
		k->yaml_prefix = dup_n(line, plen);
		k->yaml_plen = plen;
		return;
	}
	if (is_version(body)) {
		if (!open_child(k, m, line, plen, NULL))
			return;
	} else if ((s = after(body, "# Subtest:"))) {
		if (!open_child(k, m, line, plen, s))
			return;
	} else if (is_plan(body, &n, &s) || (parse_result(k, body, &r) && r.number == 1)) {
		/* TAP 14's subtest may begin at its plan or first result. */
		if (!open_child(k, m, line, plen, NULL)) {
			level(k, m + 1, line, body);
			return;
		}
	} else if (body[0] == '#' && body[1] == ' ') {
		iws = strspn(body + 2, " \t");
		if (is_version(body + 2 + iws) && !open_child(k, m, line, plen + 2 + iws, NULL))
			return;
	}
	diag(k, rest);
}

/* Test::More's and tap.h's "#   Failed test ..." after a "not ok": that
 * test's, where KTAP's diagnostics (with one space) are the next one's. */
static int trailing(const char *s)
{
	return *s == '#' && strspn(s + 1, " \t") >= 3;
}

static void handle_line(struct ktap *k, const char *line)
{
	int prev = k->result_block, trail = k->trail, m = -1;
	size_t at = 0;

	k->result_block = -1;
	k->trail = -1;
	if (k->yaml >= 0 && yaml_line(k, line))
		return;
	/* A child's prefix extends its parent's: compare only what it adds. */
	for (int i = 0; i < k->depth; i++) {
		const struct ktap_block *b = &k->blocks[i];

		if (strncmp(line + at, b->prefix + at, b->plen - at))
			break;
		at = b->plen;
		m = i;
	}
	if (m >= 0 && m == trail && trailing(line + at)) {
		diag_add(k, &k->blocks[m].last->diag, line + at);
		k->trail = m;
	} else if (m < 0) {
		if (!start_run(k, line) && k->depth)
			diag(k, line);
	} else if (is_blank(line[at])) {
		deeper(k, m, line, line + at, prev);
	} else {
		level(k, m, line, line + at);
	}
}

/* Past the kernel log's "<6>", "[    1.234567] " and printk's caller "[    T1] ". */
static const char *strip_stamp(const char *s)
{
	const char *p = s, *q;
	size_t d;

	if (*p == '<' && (d = strspn(p + 1, "0123456789")) && d <= 3 && p[1 + d] == '>')
		p += d + 2;
	if (*p != '[')
		return p;
	q = p + 1 + strspn(p + 1, " ");
	d = strspn(q, "0123456789");
	if (!d || q[d] != '.')
		return p;
	q += d + 1;
	d = strspn(q, "0123456789");
	if (!d || q[d] != ']')
		return p;
	p = q + d + 1;
	if (*p == '[') {
		q = p + 1 + strspn(p + 1, " ");
		if ((*q == 'T' || *q == 'C') && (d = strspn(q + 1, "0123456789")) &&
		    q[1 + d] == ']')
			p = q + d + 2;
	}
	return *p == ' ' ? p + 1 : p;
}

static void end_line(struct ktap *k)
{
	while (k->len && (is_blank(k->line[k->len - 1]) || k->line[k->len - 1] == '\r'))
		k->len--;
	k->line[k->len] = '\0';
	if (k->cut)
		k->truncated++;
	handle_line(k, strip_stamp(k->line));
	k->len = 0;
	k->cut = 0;
}

void ktap_feed(struct ktap *k, const void *p, size_t n)
{
	const char *s = p, *end = s + n;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		const char *stop = nl ? nl : end;

		for (; s < stop; s++) {
			if (!*s)
				continue;
			if (k->len < k->lim.line_max)
				k->line[k->len++] = *s;
			else
				k->cut = 1;
		}
		if (!nl)
			break;
		end_line(k);
		s = nl + 1;
	}
}

void ktap_init(struct ktap *k, const struct ktap_limits *lim, int flags)
{
	*k = (struct ktap){.lim = defaults, .flags = flags, .result_block = -1, .trail = -1,
			   .yaml = -1};
	if (lim && lim->line_max)
		k->lim.line_max = lim->line_max;
	if (lim && lim->depth_max > 0)
		k->lim.depth_max = lim->depth_max;
	if (lim && lim->results_max)
		k->lim.results_max = lim->results_max;
	if (lim && lim->diag_lines)
		k->lim.diag_lines = lim->diag_lines;
	if (lim && lim->text_max)
		k->lim.text_max = lim->text_max;
	k->line = xmalloc(k->lim.line_max + 1);
	k->scratch = xmalloc(k->lim.line_max + 1);
	k->blocks = xcalloc(k->lim.depth_max + 1, sizeof(*k->blocks));
}

void ktap_finish(struct ktap *k)
{
	if (k->len || k->cut)
		end_line(k);
	if (k->yaml >= 0)
		yaml_end(k);
	close_to(k, -1);
}

void ktap_free(struct ktap *k)
{
	if (k->yaml >= 0)
		yaml_end(k);
	while (k->depth) {
		struct ktap_block *b = &k->blocks[--k->depth];

		diag_free(k, &b->pending);
		free(b->prefix);
		free(b->header);
		free(b->sub_why);
		free(b->skip_why);
	}
	for (size_t i = 0; i < k->nnodes; i++) {
		diag_free(k, &k->nodes[i]->diag);
		free(k->nodes[i]->name);
		free(k->nodes[i]->reason);
		free(k->nodes[i]);
	}
	free(k->nodes);
	free(k->bail_reason);
	free(k->line);
	free(k->scratch);
	free(k->blocks);
	*k = (struct ktap){0};
}

/* ---- the verdict ---- */

int ktap_complete(const struct ktap *k)
{
	return k->runs && !k->bailed && !k->missing && !k->unplanned && !k->overrun;
}

const char *ktap_incomplete(const struct ktap *k, char *buf, size_t size)
{
	if (!k->runs)
		return "no KTAP or TAP output";
	if (k->bailed) {
		snprintf(buf, size, "Bail out! %s", k->bail_reason);
		return buf;
	}
	if (k->missing) {
		snprintf(buf, size, "%llu result%s missing", k->missing,
			 k->missing == 1 ? "" : "s");
		return buf;
	}
	if (k->unplanned)
		return "a run without a plan";
	if (k->overrun)
		return "more results than planned";
	return NULL;
}

const char *ktap_name(const struct ktap_node *n, char *buf, size_t size)
{
	if (n->name[0])
		return n->name;
	if (n->number)
		snprintf(buf, size, "test %llu", n->number);
	else
		snprintf(buf, size, "test");
	return buf;
}

const char *ktap_result_name(enum ktap_result r)
{
	static const char *const names[KTAP_NRESULTS] = {
		[KTAP_PASS] = "pass", [KTAP_FAIL] = "fail", [KTAP_SKIP] = "skip",
		[KTAP_XFAIL] = "xfail", [KTAP_XPASS] = "xpass", [KTAP_ERROR] = "error",
	};

	return (unsigned)r < KTAP_NRESULTS ? names[r] : "?";
}

enum ktap_result ktap_verdict(const struct ktap *k, size_t i)
{
	static const int rank[KTAP_NRESULTS] = {
		[KTAP_SKIP] = 0, [KTAP_XFAIL] = 1, [KTAP_PASS] = 2,
		[KTAP_XPASS] = 3, [KTAP_FAIL] = 4, [KTAP_ERROR] = 5,
	};
	const struct ktap_node *top = k->nodes[i];
	enum ktap_result worst = top->result;
	int any = 0;

	for (size_t j = i; j < k->nnodes && (j == i || k->nodes[j]->depth > top->depth); j++) {
		const struct ktap_node *n = k->nodes[j];

		if (n->counted && (!any || rank[n->result] > rank[worst]))
			worst = n->result;
		any |= n->counted;
	}
	return worst;
}

/* ---- the summary ---- */

static const char *const label[KTAP_NRESULTS] = {
	[KTAP_PASS] = "PASSED", [KTAP_FAIL] = "FAILED", [KTAP_SKIP] = "SKIPPED",
	[KTAP_XFAIL] = "XFAIL", [KTAP_XPASS] = "XPASS", [KTAP_ERROR] = "ERROR",
};

/* The guest's text on a terminal: its control characters shown, not obeyed. */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f ? '?' : *s, out);
}

static void print_diag(FILE *out, const struct ktap_diag *d, int indent)
{
	for (size_t i = 0; i <= ktap_diag_count(d); i++) {
		if (i == d->nhead && d->dropped)
			fprintf(out, "%*s[... %llu line%s dropped ...]\n", indent, "", d->dropped,
				d->dropped == 1 ? "" : "s");
		if (i == ktap_diag_count(d))
			break;
		fprintf(out, "%*s", indent, "");
		put_clean(out, ktap_diag_line(d, i));
		fputc('\n', out);
	}
}

/* "[FAILED] path (reason)": path is the names under the top-level test. */
static void print_test(FILE *out, const char *path, enum ktap_result r, const char *reason,
		       int indent)
{
	fprintf(out, "%*s[%s] ", indent, "", label[r]);
	put_clean(out, path);
	if (reason) {
		fputs(" (", out);
		put_clean(out, reason);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void print_counts(FILE *out, const struct ktap *k)
{
	static const char *const more[KTAP_NRESULTS] = {
		[KTAP_XFAIL] = "xfail", [KTAP_XPASS] = "xpass", [KTAP_ERROR] = "errors",
	};
	const unsigned long long *n = k->counts.n;
	unsigned long long total = 0;

	for (int r = 0; r < KTAP_NRESULTS; r++)
		total = add(total, n[r]);
	fprintf(out, "Ran %llu test%s: passed: %llu, failed: %llu, skipped: %llu", total,
		total == 1 ? "" : "s", n[KTAP_PASS], n[KTAP_FAIL], n[KTAP_SKIP]);
	for (int r = 0; r < KTAP_NRESULTS; r++)
		if (more[r] && n[r])
			fprintf(out, ", %s: %llu", more[r], n[r]);
	fputc('\n', out);
}

void ktap_print_summary(const struct ktap *k, FILE *out, int verbose)
{
	struct buf path = {0};
	size_t *end = xcalloc(k->lim.depth_max + 2, sizeof(*end));
	char num[32], why[96];
	const char *how;

	for (size_t i = 0; i < k->nnodes; i++) {
		const struct ktap_node *n = k->nodes[i];
		const char *name = ktap_name(n, num, sizeof(num));
		int bad = n->counted && (n->result == KTAP_FAIL || n->result == KTAP_ERROR);

		/* path: the names from depth 1 down to n's, "a.b.c" */
		path.len = n->depth > 1 ? end[n->depth - 1] : 0;
		if (n->depth > 1)
			buf_add(&path, ".", 1);
		buf_add(&path, name, strlen(name) + 1);
		end[n->depth] = path.len - 1;
		if (!n->depth)
			print_test(out, name, ktap_verdict(k, i), n->counted ? n->reason : NULL, 0);
		else if (verbose)
			print_test(out, name, n->counted ? n->result : ktap_verdict(k, i),
				   n->counted ? n->reason : NULL, 4 * n->depth);
		else if (bad)
			print_test(out, (char *)path.data, n->result, n->reason, 4);
		if (bad)
			print_diag(out, &n->diag, verbose || !n->depth ? 4 * n->depth + 4 : 8);
	}
	if (k->dropped)
		fprintf(out, "(%llu more tests were counted, not kept)\n", k->dropped);
	fputs("============================================================\n", out);
	how = ktap_incomplete(k, why, sizeof(why));
	if (how) {
		fputs("Testing incomplete (", out);
		put_clean(out, how);
		fputs("). ", out);
	} else {
		fputs("Testing complete. ", out);
	}
	print_counts(out, k);
	free(end);
	buf_free(&path);
}
