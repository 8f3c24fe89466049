/*
 * switchroot.c - from the initramfs to the real root, in util-linux's
 * switch_root order: everything checked before (root.c), then /dev, /proc,
 * /sys and /run moved into the new root, the new root moved over /, chroot,
 * and init exec'd at once, while a forked child deletes the initramfs
 * through a descriptor to its old root, freeing its memory, once it has
 * checked again that it is one.  As in util-linux, the mechanism says what
 * failed and returns; its callers decide what comes next (an emergency shell).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "proc.h"
#include "switchroot.h"

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

/* What moves from the initramfs into the new root. */
static const char *const moves[] = {"/dev", "/proc", "/sys", "/run"};

/* An initramfs is a ramfs, or a tmpfs (CONFIG_TMPFS and no root=). */
static int in_ram(const struct statfs *s)
{
	return s->f_type == RAMFS_MAGIC || s->f_type == TMPFS_MAGIC;
}

int root_in_initramfs(void)
{
	struct statfs s;

	return statfs("/", &s) == 0 && in_ram(&s) && access("/init", F_OK) == 0;
}

static int remove_tree(int dirfd, dev_t dev, const char *path);

/* Deletes the entry name of dirfd (sub, its path): 0, or 1 if it stays (said). */
static int remove_entry(int dirfd, const char *name, dev_t dev, const char *sub)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		goto fail;
	if (st.st_dev != dev) {
		/* a mount that did not move: out of reach once init runs */
		say("switch_root: %s is still mounted; left in the initramfs", sub);
		return 1;
	}
	if (S_ISDIR(st.st_mode) &&
	    (fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
	    remove_tree(fd, dev, sub))
		return 1;	/* what stays in it is said */
	if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) == 0)
		return 0;
fail:
	say("switch_root: cannot delete %s from the initramfs: %s", sub, strerror(errno));
	return 1;
}

/* Deletes a directory's contents (path names it), staying on its filesystem: how many stay. */
static int remove_tree(int dirfd, dev_t dev, const char *path)
{
	struct dirscan d;
	const struct dirent *e;
	int kept = 0;

	dir_open(&d, dirfd);
	while ((e = dir_next(&d))) {
		char sub[512];	/* the path, for messages */

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%.250s/%s", path, e->d_name);
		kept += remove_entry(dirfd, e->d_name, dev, sub);
	}
	dir_close(&d);
	return kept;
}

/*
 * Deleting cannot be undone: right before it, as util-linux does, make
 * sure that the old root is an initramfs (a ramfs or tmpfs) and that it
 * is not the filesystem now at /.  Takes old.
 */
static void free_initramfs(int old)
{
	struct statfs fs;
	struct stat st, now;
	int ram = fstatfs(old, &fs) == 0 && in_ram(&fs);

	if (ram && fstat(old, &st) == 0 && stat("/", &now) == 0 && st.st_dev != now.st_dev) {
		remove_tree(old, st.st_dev, "");
		return;
	}
	say("switch_root: the old root is %s; not deleting it",
	    ram ? "the new root's filesystem" : "no ramfs or tmpfs");
	close(old);
}

/*
 * /dev, /proc, /sys and /run into the new root, as util-linux moves them:
 * only what is mounted (not a directory of the initramfs itself), and only
 * onto a directory of the new root's own filesystem, never onto a mount
 * point there.  What does not move is unmounted.
 */
static void move_mounts(const char *newroot, dev_t old, dev_t new)
{
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		char target[64];
		struct stat s, t;

		snprintf(target, sizeof(target), "%s%s", newroot, moves[i]);
		if (stat(moves[i], &s) < 0 || s.st_dev == old)
			continue;	/* not mounted: nothing to move */
		if (stat(target, &t) < 0 || !S_ISDIR(t.st_mode))
			say("the new root has no %s; unmounting it", moves[i]);
		else if (t.st_dev != new)
			say("%s is a mount point already; unmounting %s", target, moves[i]);
		else if (mount(moves[i], target, NULL, MS_MOVE, NULL) == 0)
			continue;
		else
			say("cannot move %s into the new root: %s; unmounting it", moves[i],
			    strerror(errno));
		umount2(moves[i], MNT_DETACH);
	}
}

void root_mount_points(const char *newroot, char *made)
{
	*made = '\0';
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s%s", newroot, moves[i]);
		if (mkdir(path, 0755) == 0)
			strcat(strcat(made, " "), moves[i]);
	}
}

int root_move(const char *newroot)
{
	struct stat o, n;
	int old = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (old < 0 || fstat(old, &o) < 0 || stat(newroot, &n) < 0) {
		say("switch_root: cannot open / and %s: %s", newroot, strerror(errno));
	} else {
		move_mounts(newroot, o.st_dev, n.st_dev);
		if (chdir(newroot) == 0 && mount(newroot, "/", NULL, MS_MOVE, NULL) == 0 &&
		    chroot(".") == 0 && chdir("/") == 0)
			return old;
		say("switch_root: cannot move %s over /: %s", newroot, strerror(errno));
	}
	if (old >= 0)
		close(old);
	return -1;
}

int switch_root(const struct init *in, const char *newroot, const char *init)
{
	char *argv[] = {(char *)init, NULL};
	sigset_t all;
	int old = root_move(newroot);
	pid_t pid;

	if (old < 0)
		return -1;
	/* The new init reaps this child, as it reaps every orphan. */
	pid = fork();
	if (pid == 0) {
		free_initramfs(old);
		_exit(0);
	}
	if (pid < 0)
		free_initramfs(old);	/* no child: free it before init starts */
	else
		close(old);
	child_reset(in);
	execv(init, argv);
	say("cannot run %s: %s", init, strerror(errno));
	/* back to PID 1's signals, for the caller's emergency shell */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	return -1;
}
