/*
 * live.c - a live system, as Debian's live-boot and dracut's dmsquash-live
 * boot one: the medium found by the ISO's own marker (minos.live=ID names
 * /.disk/minos-ID; never a device name), its squashfs root mounted through
 * a loop device (copied into RAM first with minos.toram), an overlay over
 * it whose changes go to a tmpfs, or to a filesystem minos.persist= names,
 * then switch_root.  All of it under /run/minos, which moves into the new
 * root with /run.  Anything missing ends in an emergency shell saying which.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "fsutil.h"
#include "init.h"
#include "kmod.h"
#include "live.h"
#include "log.h"
#include "probe.h"
#include "respawn.h"
#include "root.h"
#include "rootfind.h"
#include "rootspec.h"
#include "shutdown.h"
#include "switchroot.h"

#define MEDIUM "/run/minos/medium"
#define LOWER "/run/minos/rootfs"
#define RW "/run/minos/rw"
#define TORAM "/run/minos/toram"
#define SQUASHFS "/minos/root.sqfs"
#define WAIT_S 30

/* <linux/loop.h>, which musl does not have */
#define LOOP_SET_FD 0x4C00
#define LOOP_SET_STATUS64 0x4C04
#define LOOP_CTL_GET_FREE 0x4C82
#define LO_FLAGS_READ_ONLY 1
#define LO_FLAGS_AUTOCLEAR 4
struct loop_info64 {
	unsigned long long device, inode, rdevice, offset, sizelimit;
	unsigned number, encrypt_type, encrypt_key_size, flags;
	unsigned char file_name[64], crypt_name[64], encrypt_key[32];
	unsigned long long init[2];
};

static _Noreturn void fail_live(struct init *in, const char *fmt, const char *a, const char *b)
{
	char why[400];

	snprintf(why, sizeof(why), fmt, a, b);
	emergency(in, why);
}

static int loop_attach(const char *file, char *dev, size_t n);

/*
 * Mounts dev on MEDIUM if it is the ISO with the marker.  Through a loop
 * device: a filesystem mounted on a whole disk claims it, and the kernel
 * would then refuse to mount its persistence partition.
 */
static int is_medium(const char *dev, const char *marker)
{
	struct fsid f;
	char loop[32];
	int lo, ok;

	if (probe_fs(dev, &f) < 0 || strcmp(f.type, "iso9660") ||
	    (lo = loop_attach(dev, loop, sizeof(loop))) < 0)
		return 0;
	ok = mount(loop, MEDIUM, "iso9660", MS_RDONLY, NULL) == 0;
	close(lo);
	if (ok && access(marker, F_OK) == 0)
		return 1;
	if (ok)
		umount(MEDIUM);
	return 0;
}

static int find_medium(const char *marker, char *dev, size_t n)
{
	struct dirscan d;
	const struct dirent *e;
	int found = 0;

	dir_open(&d, open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (!found && (e = dir_next(&d)))
		if (e->d_name[0] != '.') {
			snprintf(dev, n, "/dev/%.60s", e->d_name);
			found = is_medium(dev, marker);
		}
	dir_close(&d);
	return found;
}

/* Bytes of memory free for a copy, from /proc/meminfo's MemAvailable. */
static long long mem_available(void)
{
	char buf[2048], *p;
	long long kb = 0;

	if (read_small("/proc/meminfo", buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; strncmp(p, "MemAvailable:", 13); p++)
		if (!(p = strchr(p, '\n')))
			return 0;
	for (p += 13; *p == ' '; p++)
		;
	while (*p >= '0' && *p <= '9')
		kb = kb * 10 + *p++ - '0';
	return kb * 1024;
}

static int copy_file(const char *from, const char *to)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

/* minos.toram: the image into RAM and the medium let go; else the path on the medium. */
static const char *to_ram(const char *image)
{
	struct stat st;
	long long avail = mem_available();
	char opts[64];

	if (stat(image, &st) < 0)
		return image;
	if (st.st_size + (128LL << 20) > avail) {
		say("minos.toram: %lld MiB to copy, %lld MiB free: running from the medium",
		    (long long)st.st_size >> 20, avail >> 20);
		return image;
	}
	snprintf(opts, sizeof(opts), "mode=0755,size=%lldk", (long long)st.st_size / 1024 + 1024);
	mkdir(TORAM, 0755);
	if (mount("tmpfs", TORAM, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0 ||
	    copy_file(image, TORAM "/root.sqfs") < 0) {
		say("minos.toram: cannot copy %s into RAM (%s): running from the medium", image,
		    strerror(errno));
		umount2(TORAM, MNT_DETACH);
		return image;
	}
	if (umount(MEDIUM) < 0)
		say("minos.toram: the medium stays mounted: %s", strerror(errno));
	else
		say("minos.toram: %lld MiB in RAM; the medium can be removed",
		    (long long)st.st_size >> 20);
	return TORAM "/root.sqfs";
}

/*
 * A read-only loop device over file, its path in dev; it clears itself
 * when the last user lets go, so the descriptor returned must stay open
 * until the mount holds it.  -1 if it cannot be made.
 */
static int loop_attach(const char *file, char *dev, size_t n)
{
	struct loop_info64 info;
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), num, fd = -1, lo = -1;

	num = ctl >= 0 ? ioctl(ctl, LOOP_CTL_GET_FREE) : -1;
	if (ctl >= 0)
		close(ctl);
	snprintf(dev, n, "/dev/loop%d", num);
	if (num < 0 || (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (lo = open(dev, O_RDONLY | O_CLOEXEC)) < 0 || ioctl(lo, LOOP_SET_FD, fd) < 0) {
		num = -1;
	} else {
		memset(&info, 0, sizeof(info));
		info.flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
		strncpy((char *)info.file_name, file, sizeof(info.file_name) - 1);
		ioctl(lo, LOOP_SET_STATUS64, &info);
	}
	if (fd >= 0)
		close(fd);
	if (num < 0 && lo >= 0)
		close(lo);
	return num < 0 ? -1 : lo;
}

/* Where the overlay's changes go: a tmpfs, or the filesystem minos.persist= names. */
static void upper(struct init *in)
{
	struct root_spec r;
	struct fsid f;
	char spec[160], word[140], dev[80], why[200];
	long long deadline = now_ms() + 10000;

	if (!cmdline_get(in->cmdline, "minos.persist", word, sizeof(word))) {
		if (mount("tmpfs", RW, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=50%") < 0)
			fail_live(in, "cannot mount a tmpfs on %s: %s", RW, strerror(errno));
		return;
	}
	snprintf(spec, sizeof(spec), "root=%s", word);
	if (root_parse(spec, &r, why, sizeof(why)) <= 0)
		fail_live(in, "minos.persist=%s: not LABEL=, UUID=, PARTUUID= or a /dev path", word, "");
	while (root_find(&r, dev, sizeof(dev), &f) < 0) {
		if (now_ms() >= deadline)
			fail_live(in, "minos.persist=%s: no such filesystem after 10 s%s", word,
				  "; the changes would be lost");
		root_tick(in);
	}
	if (strcmp(f.type, "ext4") && strcmp(f.type, "btrfs") && strcmp(f.type, "xfs")) {
		snprintf(why, sizeof(why), "%s is %s", dev, f.type[0] ? f.type : "no filesystem minos knows");
		fail_live(in, "minos.persist=%s: %s; overlayfs keeps changes on ext4, btrfs or xfs", word,
			  why);
	}
	kmod_load_name(in->kmods, f.type);
	if (mount(dev, RW, f.type, MS_NOATIME, NULL) < 0)
		fail_live(in, "minos.persist: cannot mount %s: %s", dev, strerror(errno));
	say("minos.persist: changes kept on %s (%s)", dev, f.type);
}

void live_boot(struct init *in)
{
	static const char *const modules[] = {"loop", "isofs", "squashfs", "overlay"};
	char id[40], marker[80], dev[80], image[128], init[128], made[32];
	const char *root;
	long long deadline;
	int lo, wait = WAIT_S;

	if (!cmdline_get(in->cmdline, "minos.live", id, sizeof(id)) || !root_in_initramfs())
		return;
	if (cmdline_get(in->cmdline, "rootdelay", init, sizeof(init))) {
		const char *p = init;
		long d = digits(&p);

		wait = d < 0 ? 0 : d > 86400 ? 86400 : (int)d;
	}
	deadline = now_ms() + wait * 1000LL;
	if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
		fail_live(in, "minos.live=%s: not the 16-digit ID of a minos ISO%s", id, "");
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		kmod_load_name(in->kmods, modules[i]);
	mkdir("/run/minos", 0755);
	mkdir(MEDIUM, 0755);
	mkdir(LOWER, 0755);
	mkdir(RW, 0755);
	mkdir(NEWROOT, 0755);
	snprintf(marker, sizeof(marker), MEDIUM "/.disk/minos-%s", id);
	for (int said = 0; !find_medium(marker, dev, sizeof(dev)); said = 1) {
		if (now_ms() >= deadline)
			fail_live(in, "minos.live=%s: no medium with /.disk/minos-%s in time "
				  "(a CD or USB driver missing from the image?)", id, id);
		if (!said)
			say("waiting for the medium of minos.live=%s", id);
		root_tick(in);
	}
	say("minos.live: the medium is %s", dev);
	snprintf(image, sizeof(image), MEDIUM SQUASHFS);
	if (access(image, R_OK) < 0)
		fail_live(in, "%s: no root filesystem image on the medium %s", image, dev);
	root = cmdline_has(in->cmdline, "minos.toram") ? to_ram(image) : image;
	if ((lo = loop_attach(root, dev, sizeof(dev))) < 0)
		fail_live(in, "%s: cannot attach a loop device (no loop driver?): %s", root,
			  strerror(errno));
	if (mount(dev, LOWER, "squashfs", MS_RDONLY, NULL) < 0)
		fail_live(in, "%s: the squashfs does not mount: %s", root, strerror(errno));
	close(lo);
	upper(in);
	mkdir(RW "/upper", 0755);
	mkdir(RW "/work", 0755);
	if (mount("overlay", NEWROOT, "overlay", 0,
		  "lowerdir=" LOWER ",upperdir=" RW "/upper,workdir=" RW "/work") < 0)
		fail_live(in, "cannot mount the overlay on " NEWROOT ": %s%s", strerror(errno),
			  errno == ENODEV ? " (no overlay driver?)" : "");
	/* a root tree without them would lose /dev, /proc, /sys and /run */
	root_mount_points(NEWROOT, made);
	if (*made)
		say("the live root has no%s; made in its overlay", made);
	if (!cmdline_get(in->cmdline, "init", init, sizeof(init)))
		init[0] = '\0';
	root_enter(in, init, "the overlay", "the live root (squashfs and overlay)");
}
