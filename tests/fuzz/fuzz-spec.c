/* fuzz-spec.c - the gen_init_cpio spec parser, then the tree it builds, sorted and checked */
#include <stdint.h>
#include <stdio.h>

#include "rootfs.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rootfs fs = {0};
	FILE *f;

	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (spec_read_stream(&fs, "fuzz", f) == 0)
		rootfs_finish(&fs);
	fclose(f);
	rootfs_free(&fs);
	return 0;
}
