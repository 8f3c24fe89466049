/*
 * fuzz-root.c - minos-init's root= parser with its companions (rootfstype=,
 * rootdelay=...), and the root stack's words (minos.md=, minos.luks=,
 * rd.luks.uuid=, minos.luks.key=, minos.ssh=)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rootspec.h"
#include "stackspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[256];
	struct root_spec r;
	struct stack_spec st;

	memcpy(text, data, size);
	text[size] = '\0';
	if (root_parse(text, &r, why, sizeof(why)) < 0 && !memchr(why, 0, sizeof(why)))
		abort();
	root_uuid_eq(r.value, r.given);
	if (stack_parse(text, &st, why, sizeof(why)) < 0 && !memchr(why, 0, sizeof(why)))
		abort();
	if (st.nmd < 0 || st.nmd > STACK_MAX || st.nluks < 0 || st.nluks > STACK_MAX)
		abort();
	for (int i = 0; i < st.nluks; i++)
		if (!memchr(st.luks[i], 0, STACK_UUID))
			abort();
	for (int i = 0; i < st.nmd; i++)
		if (!memchr(st.md_uuid[i], 0, STACK_UUID))
			abort();
	if (!memchr(st.key_dev, 0, sizeof(st.key_dev)) || !memchr(st.key_path, 0, sizeof(st.key_path)))
		abort();
	if (ssh_setting(text, 7) < -1)
		abort();
	free(text);
	return 0;
}
