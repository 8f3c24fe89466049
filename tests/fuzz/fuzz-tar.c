/* fuzz-tar.c - --rootfs TARBALL: libarchive's reading, the name checks, the tree, the squashfs written */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/rootfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64], out[64];
	int fd = memfd_create("fuzz.tar", MFD_CLOEXEC), ofd = memfd_create("fuzz.sqfs", MFD_CLOEXEC);
	struct rootfs_opts o = {.init = "/sbin/init", .clamp = -1};

	if (fd >= 0 && ofd >= 0 && write(fd, data, size) == (ssize_t)size) {
		snprintf(in, sizeof(in), "/proc/self/fd/%d", fd);
		snprintf(out, sizeof(out), "/proc/self/fd/%d", ofd);
		rootfs_write(in, out, &o);
	}
	if (fd >= 0)
		close(fd);
	if (ofd >= 0)
		close(ofd);
	return 0;
}
