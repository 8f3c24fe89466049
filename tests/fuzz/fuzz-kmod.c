/*
 * fuzz-kmod.c - minos-init's module resolution over hostile index files:
 * the input is modules.dep, modules.alias, modules.softdep, modules.builtin
 * and a list of names, separated by NUL bytes.  Nothing is loaded: the
 * hook only checks what it is given lies inside modules.dep.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmod.h"

static void check(struct kmods *k, const char *rel, size_t len)
{
	if (!k->dep || rel < k->dep || rel + len > k->dep + strlen(k->dep))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmods k;
	char *text = malloc(size + 1), *part[5] = {0}, *p = text;
	char *save = NULL;

	memcpy(text, data, size);
	text[size] = '\0';
	for (int i = 0; i < 5 && p <= text + size; i++) {
		part[i] = p;
		p += strlen(p) + 1;
	}
	memset(&k, 0, sizeof(k));
	k.cmdline = "";
	snprintf(k.dir, sizeof(k.dir), "/lib/modules/fuzz");
	k.dep = part[0];
	k.alias = part[1];
	k.softdep = part[2];
	k.builtin = part[3];
	k.load = check;
	kmod_prepare(&k);	/* modules.alias rewritten in place, as minos-init does */
	if (part[4])
		for (char *w = strtok_r(part[4], "\n ", &save); w; w = strtok_r(NULL, "\n ", &save)) {
			char names[64];

			kmod_load_name(&k, w);
			kmod_load_modalias(&k, w, names, sizeof(names));
		}
	free(text);
	return 0;
}
