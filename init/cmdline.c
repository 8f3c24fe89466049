/* cmdline.c - reading key=value words from the kernel command line */
#include "cmdline.h"

#include <string.h>

const char *cmdline_next(const char *p, const char **key, size_t *klen,
			 const char **val, size_t *vlen)
{
	int quoted = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return NULL;
	*key = p;
	while (*p && *p != '=' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	*klen = p - *key;
	*val = NULL;
	*vlen = 0;
	if (*p != '=')
		return p;
	p++;
	if (*p == '"') {
		quoted = 1;
		p++;
	}
	*val = p;
	while (*p && (quoted ? *p != '"' : (*p != ' ' && *p != '\t' && *p != '\n')))
		p++;
	*vlen = p - *val;
	if (quoted && *p == '"')
		p++;
	return p;
}

static int lookup(const char *cmdline, const char *key, const char **val,
		  size_t *vlen)
{
	size_t want = strlen(key), klen, len;
	const char *k, *v;
	int found = 0;

	for (const char *p = cmdline; (p = cmdline_next(p, &k, &klen, &v, &len));) {
		if (klen == want && !strncmp(k, key, want)) {
			found = 1;
			*val = v;
			*vlen = len;
		}
	}
	return found;
}

int cmdline_get(const char *cmdline, const char *key, char *out, size_t n)
{
	const char *v;
	size_t len;

	if (!lookup(cmdline, key, &v, &len))
		return 0;
	if (n) {
		if (len >= n)
			len = n - 1;
		if (v)
			memcpy(out, v, len);
		out[v ? len : 0] = '\0';
	}
	return 1;
}

int cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_get(cmdline, key, NULL, 0);
}

int cmdline_last(const char *cmdline, const char *a, const char *b)
{
	size_t klen, len;
	const char *k, *v;
	int last = 0;

	for (const char *p = cmdline; (p = cmdline_next(p, &k, &klen, &v, &len));) {
		if (klen == strlen(a) && !strncmp(k, a, klen))
			last = 1;
		else if (klen == strlen(b) && !strncmp(k, b, klen))
			last = 2;
	}
	return last;
}

long digits(const char **p)
{
	long v = 0;
	const char *s = *p;

	while (**p >= '0' && **p <= '9' && *p - s < 9)
		v = v * 10 + *(*p)++ - '0';
	return *p > s ? v : -1;
}
