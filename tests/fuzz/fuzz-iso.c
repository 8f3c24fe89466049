/* fuzz-iso.c - the ISO reader: the tree check, then libisofs's import and El Torito */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iso.h"

static void entry(const struct iso_entry *e, void *ctx)
{
	(void)e;
	(void)ctx;
}

static void boot(const struct iso_boot *b, void *ctx)
{
	(void)b;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = memfd_create("fuzz.iso", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (iso_detect(path) == 1)
			iso_read(path, entry, boot, NULL);
	}
	close(fd);
	return 0;
}
