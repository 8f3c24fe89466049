/* fuzz-root.c - minos-init's root= parser with its companions (rootfstype=, rootdelay=...) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rootspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[256];
	struct root_spec r;

	memcpy(text, data, size);
	text[size] = '\0';
	if (root_parse(text, &r, why, sizeof(why)) < 0 && !memchr(why, 0, sizeof(why)))
		abort();
	root_uuid_eq(r.value, r.given);
	free(text);
	return 0;
}
