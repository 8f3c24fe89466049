/*
 * fuzz-glob.c - minos-init's alias matcher against glibc's fnmatch, which
 * kmod uses: the input is a pattern and a name separated by a NUL byte.
 * Character classes ([:alpha:]) are glibc's alone: no module alias uses them.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmod.h"

/* ASCII names and patterns, as aliases are */
static int plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || (s[0] == '[' && s[1] && strchr(":=.", s[1])))
			return 0;
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
	if (plain(text) && plain(name) &&
	    !!kmod_glob(text, name) != (fnmatch(text, name, 0) == 0))
		abort();
	free(text);
	return 0;
}
