/* fuzz-spec.c - the gen_init_cpio spec parser, then the tree it builds, sorted and checked */
#include <stdint.h>
#include <stdio.h>

#include "image/fstree.h"
#include "image/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstree fs = {0};
	FILE *f;

	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (spec_read_stream(&fs, "fuzz", f) == 0)
		fstree_finish(&fs);
	fclose(f);
	fstree_free(&fs);
	return 0;
}
