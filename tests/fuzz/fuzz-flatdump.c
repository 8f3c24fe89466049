/*
 * fuzz-flatdump.c - the flattened dump QEMU writes for --dump, made whole:
 * any bytes after makedumpfile's header, within a 16 MiB bound on what is
 * written; then the kdump header's utsname filled in whatever came out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/flatdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char h[FLATDUMP_HEADER] = "makedumpfile";
	int in = memfd_create("in", 0), out = memfd_create("out", 0);
	struct stat st;

	h[23] = h[31] = 1;
	if (size && data[0] & 1)	/* a header of the input's own, or the real one */
		write(in, h, sizeof(h));
	write(in, data, size);
	lseek(in, 0, SEEK_SET);
	flatdump_unflatten(in, out, "fuzz", 16u << 20);
	if (fstat(out, &st) < 0 || st.st_size > (16 << 20))
		abort();
	kdump_fill_uts(out, "fuzz", "release", "version");
	close(in);
	close(out);
	return 0;
}
