/* fuzz-iso.c - the ISO reader: the tree check, then libisofs's import and El Torito */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "media/iso.h"

/*
 * libisofs 1.5.4 leaks its half-built filesystem when iso_image_import()
 * fails on some damaged trees (a file record with no path): its bug, not
 * ours, and of no weight in minos ls, which exits.  Full stacks, so that
 * only what import itself allocated is let go.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:iso_image_import\n";
}

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
