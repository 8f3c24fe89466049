/*
 * fuzz-probe.c - minos-init's superblock and partition-table reader
 * (init/probe.c) on a device's bytes, which a disk put in the machine
 * decides: the input is the device, through a memfd.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("device", MFD_CLOEXEC);
	char path[64], out[64];
	struct fsid f;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (probe_fs(path, &f) == 0 &&
	    (!memchr(f.type, 0, sizeof(f.type)) || !memchr(f.uuid, 0, sizeof(f.uuid)) ||
	     !memchr(f.label, 0, sizeof(f.label))))
		abort();
	for (int part = 1; part <= 4; part++)
		if (probe_partuuid(path, part, out) == 0 && !memchr(out, 0, sizeof(out)))
			abort();
	close(fd);
	return 0;
}
