/* fuzz-bzimage.c - the bzImage boot header check and its version string */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *version = NULL;

	kernel_inspect_mem("fuzz", data, size, &version);
	free(version);
	return 0;
}
