/* fuzz-netboot.c - a netboot directory's marker, which minos ls and run --netboot read */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/netboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netboot_info ni;
	char why[120];

	if (netboot_parse((const char *)data, size, &ni, why, sizeof(why)) == 0) {
		/* the values are strings of printable bytes, within their fields */
		const char *fields[] = {ni.cmdline, ni.http, ni.kernel};
		const size_t sizes[] = {sizeof(ni.cmdline), sizeof(ni.http), sizeof(ni.kernel)};

		for (size_t i = 0; i < 3; i++) {
			size_t n = strnlen(fields[i], sizes[i]);

			if (n == sizes[i])
				abort();
			for (size_t j = 0; j < n; j++)
				if ((unsigned char)fields[i][j] < 0x20 || fields[i][j] == 0x7f)
					abort();
		}
	} else if (!memchr(why, '\0', sizeof(why))) {
		abort();
	}
	return 0;
}
