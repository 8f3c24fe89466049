/* fuzz-inittab.c - minos-init's inittab parser and the argv it makes of each command */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inittab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), buf[INITTAB_CMD + 8], *argv[64];
	struct inittab t;

	memcpy(text, data, size);
	text[size] = '\0';
	inittab_parse(text, &t, NULL, NULL);
	for (int i = 0; i < t.n; i++)
		inittab_argv(t.e[i].command, buf, sizeof(buf), argv, 64);
	free(text);
	return 0;
}
