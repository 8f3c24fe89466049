/*
 * fuzz-ktap.c - minos test's reader of the kernel's verdict: what a guest
 * prints as TAP or KTAP (a kernel log, a program's stdout), in reads of any
 * size, through small limits or the defaults; then the summary, and the
 * JUnit XML, which must be well-formed whatever came in.  The first byte
 * sets the reads, KTAP_BARE and the limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/junit.h"
#include "vm/ktap.h"

/* The only references the writer makes. */
static const unsigned char *entity(const unsigned char *p, const unsigned char *end)
{
	static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#9;", "&#10;", "&#13;"};

	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		size_t n = strlen(refs[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, refs[i], n))
			return p + n;
	}
	abort();
}

/* UTF-8 of characters XML 1.0 allows, and no raw CR (the writer escapes it). */
static void check_chars(const unsigned char *p, const unsigned char *end)
{
	static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};

	while (p < end) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 0;
		uint32_t c;

		if (!n || *p > 0xf4 || (size_t)(end - p) < n)
			abort();
		if (n == 1 && *p < 0x20 && *p != '\t' && *p != '\n')
			abort();
		c = n == 1 ? *p : *p & (0x7f >> n);
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				abort();
			c = c << 6 | (p[i] & 0x3f);
		}
		if (c < least[n] || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff ||
		    c > 0x10ffff)
			abort();
		p += n;
	}
}

/* One root, tags nested and closed, no '<' '>' '&' of the guest's unescaped. */
static void check_markup(const unsigned char *p, const unsigned char *end)
{
	static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	char stack[8][16];
	int depth = 0, roots = 0;

	if ((size_t)(end - p) < sizeof(decl) - 1 || memcmp(p, decl, sizeof(decl) - 1))
		abort();
	for (p += sizeof(decl) - 1; p < end;) {
		const unsigned char *name;
		int closing, quoted = 0;
		size_t len;

		if (*p == '&') {
			p = entity(p, end);
			continue;
		}
		if (*p == '>' || (*p != '<' && !depth && *p != '\n'))
			abort();
		if (*p++ != '<')
			continue;
		closing = p < end && *p == '/';
		p += closing;
		for (name = p; p < end && ((*p | 32) >= 'a' && (*p | 32) <= 'z'); p++)
			;
		len = p - name;
		if (!len || len >= sizeof(stack[0]))
			abort();
		for (; p < end && (quoted || *p != '>'); p++) {
			if (*p == '<' || (*p == '&' && !quoted))
				abort();
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '&')
				p = entity(p, end) - 1;
		}
		if (p == end)
			abort();
		if (closing) {
			if (!depth || strlen(stack[depth - 1]) != len ||
			    memcmp(stack[depth - 1], name, len))
				abort();
			depth--;
		} else if (p[-1] != '/') {
			if (depth == 8)
				abort();
			roots += !depth;
			memcpy(stack[depth], name, len);
			stack[depth++][len] = '\0';
		} else {
			roots += !depth;
		}
		p++;
	}
	if (depth || roots != 1)
		abort();
}

/* Each counted test in its kind's count, as many as it stands for. */
static void check_counts(const struct ktap *k)
{
	unsigned long long sum[KTAP_NRESULTS] = {0};

	for (size_t i = 0; i < k->nnodes; i++) {
		const struct ktap_node *n = k->nodes[i];

		if (i && n->depth > k->nodes[i - 1]->depth + 1)
			abort();
		if (n->counted) {
			unsigned long long *to = &sum[n->result], x = n->missing ? n->missing : 1;

			*to = *to + x < *to ? ~0ULL : *to + x;	/* as the reader holds them */
		}
	}
	for (int r = 0; r < KTAP_NRESULTS; r++)
		if (k->dropped ? sum[r] > k->counts.n[r] : sum[r] != k->counts.n[r])
			abort();
	if (k->nnodes > k->lim.results_max)
		abort();
}

static char *text_of(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		if (p[i])
			s[len++] = (char)p[i];
	s[len] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	const struct ktap_limits small = {.line_max = 40, .depth_max = 3, .results_max = 20,
					  .diag_lines = 3, .text_max = 600};
	struct ktap k;
	struct junit j;
	struct buf xml = {0};
	size_t step, tail;
	char why[128], *name;

	if (size < 1)
		return 0;
	step = (data[0] & 63) + 1;
	ktap_init(&k, data[0] & 128 ? &small : NULL, data[0] & 64 ? KTAP_BARE : 0);
	for (size_t off = 1; off < size; off += step)
		ktap_feed(&k, data + off, size - off < step ? size - off : step);
	ktap_finish(&k);
	check_counts(&k);
	ktap_incomplete(&k, why, sizeof(why));
	if (!null)
		null = fopen("/dev/null", "w");
	if (null)
		ktap_print_summary(&k, null, data[0] & 1);

	/* A case of the caller's own, from the input's last bytes, NULs and all. */
	tail = size > 33 ? 32 : size - 1;
	name = text_of(data + size - tail, tail);
	junit_init(&j, "fuzz <&>\"", &k);
	junit_add(&j, &(struct junit_case){.suite = data[0] & 2 ? name : NULL, .name = name,
					  .result = (enum ktap_result)(data[0] % KTAP_NRESULTS),
					  .message = name,
					  .text = tail ? (const char *)data + size - tail : NULL,
					  .text_len = tail, .seconds = tail ? 1.5 : -1});
	junit_write_buf(&j, &xml);
	check_chars(xml.data, xml.data + xml.len);
	check_markup(xml.data, xml.data + xml.len);
	buf_free(&xml);
	junit_free(&j);
	free(name);
	ktap_free(&k);
	return 0;
}
