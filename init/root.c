/*
 * root.c - the real root: the device root= names (rootspec.c reads it),
 * waited for (rootfind.c; stack.c brings up md, LUKS and LVM meanwhile),
 * mounted, its init checked, then switchroot.c's switch_root().
 */
#include <errno.h>
#include <fcntl.h>
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
#include "rootfind.h"
#include "rootspec.h"
#include "shutdown.h"
#include "stack.h"
#include "switchroot.h"

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
	int rc = root_parse(in->cmdline, &r, why, sizeof(why)), delay, said = 0;
	long long deadline;

	if (rc == 0 || !root_in_initramfs())
		return;	/* no root=, or we are the real root's init already */
	if (rc < 0)
		emergency(in, why);
	delay = r.delay >= 0 ? r.delay : 10;
	deadline = now_ms() + delay * 1000LL;
	stack_begin(in, delay);
	/* a root that is there at once, and no array or LUKS named: no tool runs */
	while (stack_pending() || root_find(&r, dev, sizeof(dev), &f) < 0) {
		if (stack_step(in, &deadline))
			continue;
		if (!r.wait && now_ms() >= deadline) {
			stack_timeout(in);
			snprintf(why, sizeof(why), "root=%s: no such device after %d s", r.given, delay);
			emergency(in, why);
		}
		if (!said++)
			say("waiting for root=%s", r.given);
		root_tick(in);
	}
	if (mount_root(&r, dev, &f, why, sizeof(why)) < 0)
		emergency(in, why);
	snprintf(why, sizeof(why), "the root on %s (%s%s)", dev, r.fstype[0] ? r.fstype : f.type,
		 r.rw ? ", rw" : ", ro");
	root_enter(in, r.init, dev, why);
}
