/*
 * rootfind.c - the device root= names (rootspec.c reads it), waited for
 * without udev: /sys/class/block polled, each device's superblock read by
 * probe.c.  A /dev path is matched by name, or by device number when the
 * node is there: /dev/mapper/NAME, /dev/VG/LV and /dev/md/NAME are other
 * names of dm-N and mdN.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cmdline.h"
#include "fsutil.h"
#include "init.h"
#include "probe.h"
#include "rootfind.h"
#include "rootspec.h"
#include "uevent.h"

/* A sysfs value: its first line. */
static int read_line(const char *path, char *buf, size_t n)
{
	if (read_small(path, buf, n) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* PARTUUID=: the disk the partition is on, read from its GPT or MBR. */
static int partuuid_matches(const struct root_spec *r, const char *name)
{
	char path[300], link[300], disk[300], val[64], *slash;
	const char *end = val;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/block/%s/partition", name);
	if (read_line(path, val, sizeof(val)) < 0)
		return 0;
	/* /sys/class/block/vda1 -> ../../devices/.../block/vda/vda1 */
	snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	if ((n = readlink(path, link, sizeof(link) - 1)) < 0)
		return 0;
	link[n] = '\0';
	if ((slash = strrchr(link, '/')))
		*slash = '\0';
	snprintf(disk, sizeof(disk), "/dev/%.60s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	return probe_partuuid(disk, (int)digits(&end), path) == 0 && root_uuid_eq(path, r->value);
}

/* num: the MAJ:MIN to match (root=MAJ:MIN, or a /dev path's node), or NULL. */
static int matches(const struct root_spec *r, const char *name, const char *num, struct fsid *f)
{
	char path[300], val[64];

	snprintf(path, sizeof(path), "/dev/%s", name);
	if (r->kind == ROOT_PATH && !num && strcmp(path, r->value))
		return 0;
	if (num) {
		snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
		if (read_line(path, val, sizeof(val)) < 0 || strcmp(val, num))
			return 0;
		snprintf(path, sizeof(path), "/dev/%s", name);
	}
	if (probe_fs(path, f) < 0)
		return 0;	/* not openable yet: devtmpfs has not made the node */
	if (r->kind == ROOT_LABEL)
		return !strcmp(f->label, r->value);
	if (r->kind == ROOT_UUID)
		return f->uuid[0] && root_uuid_eq(f->uuid, r->value);
	if (r->kind == ROOT_PARTUUID)
		return partuuid_matches(r, name);
	return 1;
}

int root_find(const struct root_spec *r, char *dev, int n, struct fsid *f)
{
	struct dirscan d;
	const struct dirent *e;
	const char *num = r->kind == ROOT_DEVNUM ? r->value : NULL;
	char node[24];
	struct stat st;
	int rc = -1;

	if (r->kind == ROOT_PATH && stat(r->value, &st) == 0 && S_ISBLK(st.st_mode)) {
		snprintf(node, sizeof(node), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
		num = node;
	}
	dir_open(&d, open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (rc && (e = dir_next(&d)))
		if (e->d_name[0] != '.' && matches(r, e->d_name, num, f)) {
			snprintf(dev, n, "/dev/%.60s", e->d_name);
			rc = 0;
		}
	dir_close(&d);
	return rc;
}

void root_tick(struct init *in)
{
	struct pollfd p = {.fd = in->uevents, .events = POLLIN};

	/* a device that comes late (USB) may need its driver loaded first */
	if (poll(&p, 1, 50) > 0)
		hotplug(in);
}
