/*
 * root.c - the real root: which device root= means (a path, LABEL=,
 * UUID=, PARTUUID= or MAJ:MIN), waiting for it without udev (polling
 * /sys/class/block and reading superblocks and partition tables), mounting
 * it, and switch_root the way util-linux does it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "init.h"
#include "root.h"

#define NEWROOT "/sysroot"

/* Decimal digits at *p, moving past them; -1 if there are none or too many. */
static long digits(const char **p)
{
	long v = 0;
	const char *s = *p;

	while (**p >= '0' && **p <= '9' && *p - s < 9)
		v = v * 10 + *(*p)++ - '0';
	return *p > s ? v : -1;
}

int root_parse(const char *cmdline, struct root_spec *r, char *why, int n)
{
	static const struct {
		const char *prefix;
		enum root_kind kind;
	} kinds[] = {
		{"LABEL=", ROOT_LABEL}, {"UUID=", ROOT_UUID}, {"PARTUUID=", ROOT_PARTUUID},
		{"/dev/", ROOT_PATH},
	};
	char v[128], delay[16];
	const char *end;
	long d;

	memset(r, 0, sizeof(*r));
	if (!cmdline_get(cmdline, "root", v, sizeof(v)))
		return 0;
	memcpy(r->given, v, sizeof(r->given));
	r->kind = ROOT_DEVNUM;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(v, kinds[i].prefix, strlen(kinds[i].prefix))) {
			r->kind = kinds[i].kind;
			break;
		}
	snprintf(r->value, sizeof(r->value), "%s",
		 r->kind == ROOT_PATH || r->kind == ROOT_DEVNUM ? v : strchr(v, '=') + 1);
	end = v;
	if (r->kind == ROOT_DEVNUM && digits(&end) >= 0 && *end == ':' && ++end)
		d = digits(&end);	/* MAJ:MIN */
	if (!r->value[0] || (r->kind == ROOT_DEVNUM && (end == v || end[-1] == ':' || *end))) {
		snprintf(why, n, "root=%s: not a /dev path, LABEL=, UUID=, PARTUUID= or MAJ:MIN", v);
		return -1;
	}
	cmdline_get(cmdline, "rootfstype", r->fstype, sizeof(r->fstype));
	cmdline_get(cmdline, "rootflags", r->flags, sizeof(r->flags));
	cmdline_get(cmdline, "init", r->init, sizeof(r->init));
	r->rw = cmdline_last(cmdline, "ro", "rw") == 2;
	r->wait = cmdline_has(cmdline, "rootwait");
	r->delay = -1;
	if (cmdline_get(cmdline, "rootdelay", delay, sizeof(delay))) {
		end = delay;
		if ((d = digits(&end)) < 0 || *end || d > 86400) {
			snprintf(why, n, "rootdelay=%s: not a number of seconds", delay);
			return -1;
		}
		r->delay = (int)d;
	}
	return 1;
}

int root_uuid_eq(const char *a, const char *b)
{
	for (; *a && tolower((unsigned char)*a) == tolower((unsigned char)*b); a++, b++)
		;
	return !*a && !*b;
}

/* What a superblock says: type, UUID and label (empty when it has none). */
struct fsid {
	char type[16], uuid[40], label[64];
};

static unsigned char sb[0x10200];	/* enough for btrfs, at 64 KiB */

static void uuid_str(char *out, const unsigned char *u)
{
	int o = 0;

	for (int i = 0; i < 16; i++)
		o += sprintf(out + o, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
}

/* A space- or NUL-padded label. */
static void label_str(char *out, size_t n, const unsigned char *p, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	for (size_t i = strnlen(out, len); i > 0 && out[i - 1] == ' ';)
		out[--i] = '\0';
}

static int probe(const char *dev, struct fsid *f)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? pread(fd, sb, sizeof(sb), 0) : -1;

	memset(f, 0, sizeof(*f));
	if (fd >= 0)
		close(fd);
	if (got < 0)
		return -1;
	memset(sb + got, 0, sizeof(sb) - got);
	if (sb[0x438] == 0x53 && sb[0x439] == 0xef) {
		strcpy(f->type, "ext4");	/* the ext4 driver mounts ext2 and ext3 too */
		uuid_str(f->uuid, sb + 0x468);
		label_str(f->label, sizeof(f->label), sb + 0x478, 16);
	} else if (!memcmp(sb + 0x10040, "_BHRfS_M", 8)) {
		strcpy(f->type, "btrfs");
		uuid_str(f->uuid, sb + 0x10020);
		label_str(f->label, sizeof(f->label), sb + 0x1012b, 256);
	} else if (!memcmp(sb, "XFSB", 4)) {
		strcpy(f->type, "xfs");
		uuid_str(f->uuid, sb + 0x20);
		label_str(f->label, sizeof(f->label), sb + 0x6c, 12);
	} else if (!memcmp(sb + 0x8001, "CD001", 5)) {
		const unsigned char *t = sb + 0x832d;	/* creation time: the UUID blkid gives */

		strcpy(f->type, "iso9660");
		label_str(f->label, sizeof(f->label), sb + 0x8028, 32);
		snprintf(f->uuid, sizeof(f->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", t, t + 4,
			 t + 6, t + 8, t + 10, t + 12, t + 14);
	} else if (!memcmp(sb, "hsqs", 4)) {
		strcpy(f->type, "squashfs");
	} else if (sb[510] == 0x55 && sb[511] == 0xaa &&
		   (!memcmp(sb + 0x52, "FAT32", 5) || !memcmp(sb + 0x36, "FAT1", 4))) {
		int off = !memcmp(sb + 0x52, "FAT32", 5) ? 0x43 : 0x27;

		strcpy(f->type, "vfat");
		snprintf(f->uuid, sizeof(f->uuid), "%02X%02X-%02X%02X", sb[off + 3], sb[off + 2],
			 sb[off + 1], sb[off]);
		label_str(f->label, sizeof(f->label), sb + off + 4, 11);
	}
	return 0;
}

static unsigned long long le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The PARTUUID of partition `part` of disk /dev/disk: GPT's GUID, or MBR's "SIG-NN". */
static int partuuid(const char *disk, int part, char *out)
{
	int fd = open(disk, O_RDONLY | O_CLOEXEC);
	unsigned char *s = sb;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, s, 1024, 0) == 1024 && s[510] == 0x55 && s[511] == 0xaa) {
		if (s[450] == 0xee && !memcmp(s + 512, "EFI PART", 8)) {
			unsigned long long lba = le(s + 512 + 72, 8);
			unsigned size = (unsigned)le(s + 512 + 84, 4);
			unsigned char e[128];

			if (size >= 32 && size <= 4096 &&
			    pread(fd, e, 32, (off_t)(lba * 512 + (unsigned long long)(part - 1) * size)) == 32) {
				unsigned char *g = e + 16, u[16] = {g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6]};

				memcpy(u + 8, g + 8, 8);
				uuid_str(out, u);
				rc = 0;
			}
		} else if (part >= 1) {
			sprintf(out, "%08llx-%02x", le(s + 440, 4), part);
			rc = 0;
		}
	}
	close(fd);
	return rc;
}

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
	if (probe(path, f) < 0)
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
		return partuuid(disk, (int)digits(&end), path) == 0 && root_uuid_eq(path, r->value);
	}
	return 1;
}

/* The device root= names, as /dev/NAME in dev; 0 found, -1 not (yet). */
static int find_device(const struct root_spec *r, char *dev, int n, struct fsid *f)
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

/*
 * util-linux's order: everything checked first; then /dev /proc /sys /run
 * moved into the new root, the new root moved over /, chroot, and only then
 * the initramfs deleted, through a descriptor to its root, to free its memory.
 */
static void switch_root(struct init *in, const char *init)
{
	static const char *const moves[] = {"/dev", "/proc", "/sys", "/run"};
	int old = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	char *argv[] = {(char *)init, NULL};

	if (old < 0 || fstat(old, &st) < 0)
		emergency(in, "switch_root: cannot open the initramfs root");
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		char target[64];
		struct stat t;

		snprintf(target, sizeof(target), NEWROOT "%s", moves[i]);
		if (stat(target, &t) == 0 && S_ISDIR(t.st_mode)) {
			if (mount(moves[i], target, NULL, MS_MOVE, NULL) < 0)
				say("cannot move %s into the new root: %s", moves[i], strerror(errno));
		} else {
			say("the new root has no %s; unmounting it", moves[i]);
			umount2(moves[i], MNT_DETACH);
		}
	}
	if (chdir(NEWROOT) < 0 || mount(NEWROOT, "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0)
		emergency(in, "switch_root: cannot move the new root over /");
	remove_tree(old, st.st_dev);
	child_reset(in);
	execv(init, argv);
	say("cannot run %s: %s", init, strerror(errno));
	emergency(in, "switch_root failed");
}

static int in_initramfs(void)
{
	struct statfs s;

	return statfs("/", &s) == 0 && (s.f_type == 0x858458f6 /* ramfs */ ||
					 s.f_type == 0x01021994 /* tmpfs */) &&
	       access("/init", F_OK) == 0;
}

void root_boot(struct init *in)
{
	static const char *const inits[] = {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"};
	struct root_spec r;
	struct fsid f;
	char dev[80], why[400];
	const char *init = NULL;
	int rc = root_parse(in->cmdline, &r, why, sizeof(why));
	long long deadline;

	if (rc == 0 || !in_initramfs())
		return;	/* no root=, or we are the real root's init already */
	if (rc < 0)
		emergency(in, why);
	deadline = now_ms() + (r.delay >= 0 ? r.delay : 10) * 1000LL;
	for (int said = 0; find_device(&r, dev, sizeof(dev), &f) < 0; said = 1) {
		struct timespec tick = {0, 50 * 1000000};

		if (!r.wait && now_ms() >= deadline) {
			snprintf(why, sizeof(why), "root=%s: no such device after %d s", r.given,
				 r.delay >= 0 ? r.delay : 10);
			emergency(in, why);
		}
		if (!said)
			say("waiting for root=%s", r.given);
		nanosleep(&tick, NULL);
	}
	if (mount_root(&r, dev, &f, why, sizeof(why)) < 0)
		emergency(in, why);
	for (size_t i = 0; !init && i < sizeof(inits) / sizeof(inits[0]); i++)
		if (r.init[0] ? (i == 0 && has_init(r.init)) : has_init(inits[i]))
			init = r.init[0] ? r.init : inits[i];
	if (!init) {
		umount2(NEWROOT, MNT_DETACH);
		snprintf(why, sizeof(why), "%s on %s has no %s", dev, NEWROOT,
			 r.init[0] ? r.init : "/sbin/init, /etc/init, /bin/init or /bin/sh");
		emergency(in, why);
	}
	say("switching to the root on %s (%s%s), running %s", dev, r.fstype[0] ? r.fstype : f.type,
	    r.rw ? ", rw" : ", ro", init);
	switch_root(in, init);
}
