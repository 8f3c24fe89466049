/* fuzz-initrd.c - the initramfs reader: segments, compression detection, every decoder, newc */
#include <stdint.h>
#include <stdio.h>

#include "image/initrd.h"

static volatile unsigned char sum;	/* every byte read, so ASan sees each read */

static int touch(const struct cpio_entry *e, void *ctx)
{
	(void)ctx;
	for (const char *p = e->h.name; *p; p++)
		sum += (unsigned char)*p;
	for (uint64_t i = 0; i < e->h.filesize; i++)
		sum += e->data[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_limits lim = {.out = 8 << 20, .window = 32 << 20, .in = UINT64_MAX};

	initrd_walk_mem(data, size, "fuzz", &lim, NULL, touch, NULL);
	return 0;
}
