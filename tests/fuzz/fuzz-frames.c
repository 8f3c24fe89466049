/*
 * fuzz-frames.c - minos test's reader of the test channel: what a broken or
 * hostile guest sends, in reads of any size (the first byte sets them),
 * firmware noise before the ready frame included.
 */
#include <stdint.h>

#include "vm/frames.h"

static volatile unsigned sum;	/* every payload byte read, so ASan sees each read */

static int take(void *ctx, int type, const unsigned char *p, uint32_t len)
{
	(void)ctx;
	for (uint32_t i = 0; i < len; i++)
		sum += p[i];
	return type == 'Q' ? -1 : 0;	/* a handler's error ends the reading */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frames f = {0};
	size_t step;

	if (size < 1)
		return 0;
	step = data[0] % 97 + 1;
	for (size_t off = 1; off < size; off += step)
		if (frames_take(&f, data + off, size - off < step ? size - off : step, take, NULL) < 0)
			break;
	frames_free(&f);
	return 0;
}
