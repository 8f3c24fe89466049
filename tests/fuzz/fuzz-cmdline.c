/* fuzz-cmdline.c - minos-init's reading of the kernel command line, minos.net= too */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"root", "init", "minos.modules", "console", ""};
	char *text = malloc(size + 1), v[128];
	const char *k, *val;
	size_t klen, vlen;

	memcpy(text, data, size);
	text[size] = '\0';
	for (const char *p = text; (p = cmdline_next(p, &k, &klen, &val, &vlen));)
		if (val && (val < text || val + vlen > text + size))
			abort();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cmdline_get(text, keys[i], v, sizeof(v));
		cmdline_get(text, keys[i], v, 1);
		cmdline_has(text, keys[i]);
	}
	cmdline_last(text, "ro", "rw");
	if (cmdline_get(text, "minos.net", v, sizeof(v)))
		net_valid(v);
	net_valid(text);
	free(text);
	return 0;
}
