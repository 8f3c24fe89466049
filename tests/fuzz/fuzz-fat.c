/* fuzz-fat.c - the FAT reader: boot sector, FAT12/16/32 chains, directories, 8.3 names */
#include <stdint.h>
#include <stdio.h>

#include "media/fat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"EFI/BOOT/BOOTX64.EFI", "MINOS.CER", "a/b/c.txt"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		struct buf out = {0};
		const char *why;

		fat_read_file(data, size, paths[i], &out, &why);
		buf_free(&out);
	}
	return 0;
}
