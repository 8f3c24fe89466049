/*
 * root.c - the real root: the device root= names (rootspec.c reads it),
 * waited for without udev (polling /sys/class/block, each device's
 * superblock read by probe.c), mounted, its init checked, then
 * switchroot.c's switch_root().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "fsutil.h"
#include "init.h"
#include "log.h"
#include "probe.h"
#include "respawn.h"
#include "root.h"
#include "rootspec.h"
#include "shutdown.h"
#include "switchroot.h"
#include "uevent.h"

/* A sysfs value: its first line. */
static int read_line(const char *path, char *buf, size_t n)
{
	if (read_small(path, buf, n) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int matches(const struct root_spec *r, const char *name, struct fsid *f)
{
	char path[300], val[64];
	const char *end;

	snprintf(path, sizeof(path), "/dev/%s", name);
	if (r->kind == ROOT_PATH && strcmp(path, r->value))
		return 0;
	if (r->kind == ROOT_DEVNUM) {
		snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
		if (read_line(path, val, sizeof(val)) < 0 || strcmp(val, r->value))
			return 0;
		snprintf(path, sizeof(path), "/dev/%s", name);
	}
	if (probe_fs(path, f) < 0)
		return 0;	/* not openable yet: devtmpfs has not made the node */
	if (r->kind == ROOT_LABEL)
		return !strcmp(f->label, r->value);
	if (r->kind == ROOT_UUID)
		return f->uuid[0] && root_uuid_eq(f->uuid, r->value);
	if (r->kind == ROOT_PARTUUID) {
		char link[300], disk[300], *slash;
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
		snprintf(disk, sizeof(disk), "/dev/%.60s",
			 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		end = val;
		return probe_partuuid(disk, (int)digits(&end), path) == 0 &&
		       root_uuid_eq(path, r->value);
	}
	return 1;
}

int root_find(const struct root_spec *r, char *dev, int n, struct fsid *f)
{
	struct dirscan d;
	const struct dirent *e;
	int rc = -1;

	dir_open(&d, open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (rc && (e = dir_next(&d)))
		if (e->d_name[0] != '.' && matches(r, e->d_name, f)) {
			snprintf(dev, n, "/dev/%.60s", e->d_name);
			rc = 0;
		}
	dir_close(&d);
	return rc;
}

static int mount_root(const struct root_spec *r, const char *dev, const struct fsid *f,
		      char *why, int n)
{
	unsigned long flags = r->rw ? 0 : MS_RDONLY;
	const char *type = r->fstype[0] ? r->fstype : f->type;
	char *list, *save = NULL;

	mkdir(NEWROOT, 0755);
	if (*type) {
		if (mount(dev, NEWROOT, type, flags, r->flags) == 0)
			return 0;
		snprintf(why, n, "cannot mount %s (%s) on " NEWROOT ": %s%s", dev, type,
			 strerror(errno), errno == ENODEV ? " (is its module in the image?)" : "");
		return -1;
	}
	/* Unknown superblock: every filesystem the kernel has, as the kernel does. */
	list = read_text("/proc/filesystems");
	for (char *l = list ? strtok_r(list, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "nodev", 5) && mount(dev, NEWROOT, l + strspn(l, " \t"), flags,
						    r->flags) == 0) {
			free_text(list);
			return 0;
		}
	free_text(list);
	snprintf(why, n, "%s: no filesystem the kernel knows (is its module in the image?)", dev);
	return -1;
}

/* Whether init is an executable on the new root, absolute symlinks and all. */
static int has_init(const char *init)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(chroot(NEWROOT) == 0 && access(init, X_OK) == 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

void root_tick(struct init *in)
{
	struct pollfd p = {.fd = in->uevents, .events = POLLIN};

	/* a device that comes late (USB) may need its driver loaded first */
	if (poll(&p, 1, 50) > 0)
		hotplug(in);
}

_Noreturn void root_enter(struct init *in, const char *given, const char *dev, const char *what)
{
	static const char *const inits[] = {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"};
	const char *init = NULL;
	char why[400];

	for (size_t i = 0; !init && i < sizeof(inits) / sizeof(inits[0]); i++)
		if (given[0] ? (i == 0 && has_init(given)) : has_init(inits[i]))
			init = given[0] ? given : inits[i];
	if (!init) {
		umount2(NEWROOT, MNT_DETACH);
		snprintf(why, sizeof(why), "%s on %s has no %s", dev, NEWROOT,
			 given[0] ? given : "/sbin/init, /etc/init, /bin/init or /bin/sh");
		emergency(in, why);
	}
	say("switching to %s, running %s", what, init);
	switch_root(in, NEWROOT, init);
	emergency(in, "switch_root failed");
}

void root_boot(struct init *in)
{
	struct root_spec r;
	struct fsid f;
	char dev[80], why[400];
	int rc = root_parse(in->cmdline, &r, why, sizeof(why));
	long long deadline;

	if (rc == 0 || !root_in_initramfs())
		return;	/* no root=, or we are the real root's init already */
	if (rc < 0)
		emergency(in, why);
	deadline = now_ms() + (r.delay >= 0 ? r.delay : 10) * 1000LL;
	for (int said = 0; root_find(&r, dev, sizeof(dev), &f) < 0; said = 1) {
		if (!r.wait && now_ms() >= deadline) {
			snprintf(why, sizeof(why), "root=%s: no such device after %d s", r.given,
				 r.delay >= 0 ? r.delay : 10);
			emergency(in, why);
		}
		if (!said)
			say("waiting for root=%s", r.given);
		root_tick(in);
	}
	if (mount_root(&r, dev, &f, why, sizeof(why)) < 0)
		emergency(in, why);
	snprintf(why, sizeof(why), "the root on %s (%s%s)", dev, r.fstype[0] ? r.fstype : f.type,
		 r.rw ? ", rw" : ", ro");
	root_enter(in, r.init, dev, why);
}
