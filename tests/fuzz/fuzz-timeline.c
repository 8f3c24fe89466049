/*
 * fuzz-timeline.c - the console reader behind minos test --timeline: what
 * the guest prints, split across reads as it arrives, then the table and
 * the SVG drawn from it.  The first byte says where the reads split.
 */
#include <stdint.h>
#include <stdio.h>

#include "vm/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeline t;
	size_t step, off = 1;
	long long now = 1000;
	FILE *null;

	if (size < 1)
		return 0;
	step = data[0] % 64 + 1;
	timeline_init(&t, now);
	for (; off < size; off += step, now += 7)
		timeline_console(&t, now, (const char *)data + off,
				 size - off < step ? size - off : step);
	timeline_end(&t, now);
	null = fopen("/dev/null", "w");
	if (null) {
		timeline_print(&t, null);
		timeline_write_svg(&t, null, "fuzz <&>");
		fclose(null);
	}
	return 0;
}
