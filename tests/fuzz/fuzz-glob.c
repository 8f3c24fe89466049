/*
 * fuzz-glob.c - minos-init's alias matcher against glibc's fnmatch, which
 * kmod uses: the input is a pattern and a name separated by a NUL byte.
 * Compared on well-formed patterns only: where a bracket is never closed,
 * or holds a backslash, glibc has quirks of its own ("a[x-" matches nothing,
 * "a[!" matches itself), and character classes ([:alpha:]) are glibc's
 * alone.  The kernel's modpost writes no such alias.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmod.h"

/* ASCII, as aliases are */
static int plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* Every bracket closed, with no backslash or class inside. */
static int well_formed(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			const char *q = p + 1;

			q += *q == '!' || *q == '^';
			for (const char *first = q; *q != ']' || q == first; q++)
				if (!*q || *q == '\\' || (*q == '[' && q[1] && strchr(":=.", q[1])))
					return 0;
			p = q;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 2), *name;

	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	name = text + strlen(text) + 1;
	if (name > text + size)
		name = text + size;
	if (plain(text) && plain(name) && well_formed(text) &&
	    !!kmod_glob(text, name) != (fnmatch(text, name, 0) == 0))
		abort();
	free(text);
	return 0;
}
