/* fuzz-squashfs.c - the squashfs reader of minos ls and --rootfs IMAGE, and the path resolver */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/squashfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = memfd_create("fuzz.sqfs", MFD_CLOEXEC);
	struct sq_tree t = {0};

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (sq_detect(path, 0) == 1 && sq_read_tree(path, 0, &t, "fuzz") == 0) {
			sq_resolve(&t, "/sbin/init");
			sq_resolve(&t, "usr/../bin/./sh");
		}
		sq_tree_free(&t);
	}
	close(fd);
	return 0;
}
