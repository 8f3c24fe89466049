/* fuzz-modinfo.c - a module's ELF section headers, its .modinfo, the fields in it, its symbols */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/modules.h"

static volatile size_t total;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"alias", "depends", "softdep", "vermagic",
					   "firmware", "name"};
	char *info = NULL;
	size_t len;

	if (modules_modinfo(data, size, &info, &len) == 0 && info) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t pos = 0;
			const char *v;

			while ((v = modules_info_next(info, len, keys[k], &pos)))
				total += strlen(v);
		}
	}
	free(info);
	total += (size_t)modules_uses_symbol(data, size, "ata_scsi_ioctl|mmc_add_host|printk");
	return 0;
}
