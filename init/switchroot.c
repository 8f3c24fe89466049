/*
 * switchroot.c - from the initramfs to the real root, in util-linux's
 * switch_root order: everything checked before (root.c), then /dev, /proc,
 * /sys and /run moved into the new root, the new root moved over /, chroot,
 * and init exec'd at once, while a forked child deletes the initramfs
 * through a descriptor to its old root, freeing its memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "proc.h"
#include "shutdown.h"
#include "switchroot.h"

/* Deletes a directory's contents, staying on its filesystem. */
static void remove_tree(int dirfd, dev_t dev)
{
	struct dirscan d;
	const struct dirent *e;

	dir_open(&d, dirfd);
	while ((e = dir_next(&d))) {
		struct stat st;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;	/* another mount: leave it alone */
		if (S_ISDIR(st.st_mode) &&
		    (fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			remove_tree(fd, dev);
		unlinkat(dirfd, e->d_name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	}
	dir_close(&d);
}

int root_move(struct init *in, const char *newroot)
{
	static const char *const moves[] = {"/dev", "/proc", "/sys", "/run"};
	int old = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (old < 0)
		emergency(in, "switch_root: cannot open the initramfs root");
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		char target[64];
		struct stat t;

		snprintf(target, sizeof(target), "%s%s", newroot, moves[i]);
		if (stat(target, &t) == 0 && S_ISDIR(t.st_mode)) {
			if (mount(moves[i], target, NULL, MS_MOVE, NULL) < 0)
				say("cannot move %s into the new root: %s", moves[i], strerror(errno));
		} else {
			say("the new root has no %s; unmounting it", moves[i]);
			umount2(moves[i], MNT_DETACH);
		}
	}
	if (chdir(newroot) < 0 || mount(newroot, "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0)
		emergency(in, "switch_root: cannot move the new root over /");
	return old;
}

_Noreturn void switch_root(struct init *in, const char *newroot, const char *init)
{
	char *argv[] = {(char *)init, NULL};
	struct stat st;
	int old = root_move(in, newroot);
	pid_t pid;

	if (fstat(old, &st) < 0)
		emergency(in, "switch_root: cannot open the initramfs root");
	/* The new init reaps this child, as it reaps every orphan. */
	pid = fork();
	if (pid == 0) {
		remove_tree(old, st.st_dev);
		_exit(0);
	}
	if (pid < 0)
		remove_tree(old, st.st_dev);	/* no child: free it before init starts */
	else
		close(old);
	child_reset(in);
	execv(init, argv);
	say("cannot run %s: %s", init, strerror(errno));
	emergency(in, "switch_root failed");
}
