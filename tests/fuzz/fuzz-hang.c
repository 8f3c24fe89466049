/*
 * fuzz-hang.c - what a hung guest's console says when minos test asks it
 * (SysRq l, w), split across reads as it arrives (the first byte says
 * where), and QMP's lines (each line of the input one): items within their
 * caps, their strings terminated and printable, nothing read past.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/hang.h"
#include "vm/qmp.h"

static void check(const struct hang_reader *h)
{
	if (h->n > HANG_ITEMS)
		abort();
	for (size_t i = 0; i < h->n; i++) {
		const struct hang_item *it = &h->items[i];

		if (strnlen(it->name, HANG_NAME_MAX) == HANG_NAME_MAX ||
		    strnlen(it->function, HANG_NAME_MAX) == HANG_NAME_MAX)
			abort();
		for (const char *p = it->function; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hang_reader h;
	static struct qmp q;
	size_t step, at = 1;
	FILE *null;

	if (!size)
		return 0;
	step = 1 + data[0] % 64;
	hang_init(&h);
	while (at < size) {
		size_t n = size - at < step ? size - at : step;

		hang_feed(&h, (const char *)data + at, n);
		at += n;
	}
	hang_finish(&h);
	check(&h);
	null = fopen("/dev/null", "w");
	hang_print(&h, null);
	fclose(null);

	q = (struct qmp){.fd = -1};
	for (size_t i = 1, start = 1; i <= size; i++)
		if (i == size || data[i] == '\n') {
			qmp_line(&q, (const char *)data + start, i - start);
			start = i + 1;
		}
	if (strnlen(q.error, sizeof(q.error)) == sizeof(q.error))
		abort();
	return 0;
}
