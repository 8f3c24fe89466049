/*
 * share.c - host directories in the guest: minos run/test --share gives
 * each one to QEMU as a virtio-9p device with the tag minosN, and the
 * kernel command line minos.share=TAG:PATH[:ro][,TAG:PATH[:ro]]..., PATH
 * percent-encoded (a space is %20), where minos-init mounts it.  The 9p
 * filesystem's module is loaded when the kernel asks for it, as efivarfs's.
 * minos.hostroot=TAG (--host-root) makes the host's root the guest's /.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "init.h"
#include "kmod.h"
#include "log.h"
#include "share.h"
#include "shutdown.h"
#include "switchroot.h"

#define SHARE_OPTS "trans=virtio,version=9p2000.L,msize=262144,cache=none"
/* The host's root: nothing in the guest writes it, so its pages can be cached. */
#define HOST_OPTS "trans=virtio,version=9p2000.L,msize=262144,cache=loose"
#define HOST "/run/minos/host"
#define HOST_RW "/run/minos/hostrw"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int share_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0 || (hi | lo) == 0)
				return -1;
			*w++ = (char)(hi << 4 | lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return 0;
}

/* mkdir -p */
static void make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* The 9p filesystem's module is loaded when the kernel asks for it. */
static int mount_9p(struct init *in, const char *tag, const char *path, unsigned long flags,
		    const char *opts)
{
	if (mount(tag, path, "9p", flags, opts) == 0)
		return 0;
	if (errno != ENODEV || !in->kmods)
		return -1;
	kmod_load_name(in->kmods, "9p");
	return mount(tag, path, "9p", flags, opts);
}

static const char *why_9p(void)
{
	return errno == ENODEV ? " (the kernel needs CONFIG_9P_FS and CONFIG_NET_9P_VIRTIO, or "
	       "their modules in the image)" : errno == ENOENT ? " (no virtio-9p device with that "
	       "tag: CONFIG_NET_9P_VIRTIO, or its module in the image)" : "";
}

static void mount_one(struct init *in, char *spec)
{
	char *tag = spec, *path = strchr(spec, ':'), *ro;
	unsigned long flags = MS_NOSUID | MS_NODEV;

	if (!path)
		goto bad;
	*path++ = '\0';
	ro = strrchr(path, ':');
	if (ro && !strcmp(ro, ":ro")) {
		*ro = '\0';
		flags |= MS_RDONLY;
	} else if (ro) {
		goto bad;
	}
	if (!*tag || share_unescape(path) < 0 || path[0] != '/')
		goto bad;
	make_dirs(path);
	if (mount_9p(in, tag, path, flags, SHARE_OPTS) < 0)
		say("cannot mount the shared directory %s (%s): %s%s", path, tag, strerror(errno),
		    why_9p());
	return;
bad:
	say("minos.share: '%s' is not TAG:/PATH[:ro]; ignored", spec);
}

void mount_shares(struct init *in)
{
	char v[4096], *p, *next;

	if (!cmdline_get(in->cmdline, "minos.share", v, sizeof(v)))
		return;
	for (p = v; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (*p)
			mount_one(in, p);
	}
}

/*
 * minos.hostroot=TAG (minos run/test --host-root), as virtme-ng boots: the
 * host's root through 9p, read-only, under an overlay whose changes go to
 * a tmpfs, becomes /, and minos-init stays PID 1 there.  The image's
 * modules are bound over /lib/modules (so the initramfs stays), /tmp is a
 * tmpfs, and the host's inittab and rcS are not run.
 */
void host_root(struct init *in)
{
	char tag[32], why[200];
	int fd;

	if (!cmdline_get(in->cmdline, "minos.hostroot", tag, sizeof(tag)) || !root_in_initramfs())
		return;
	kmod_load_name(in->kmods, "overlay");
	mkdir("/run/minos", 0755);
	mkdir(HOST, 0755);
	mkdir(HOST_RW, 0755);
	mkdir(NEWROOT, 0755);
	if (mount_9p(in, tag, HOST, MS_RDONLY, HOST_OPTS) < 0) {
		snprintf(why, sizeof(why), "minos.hostroot=%s: cannot mount the host's root: %s%s",
			 tag, strerror(errno), why_9p());
		emergency(in, why);
	}
	if (mount("tmpfs", HOST_RW, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0 ||
	    mkdir(HOST_RW "/upper", 0755) < 0 || mkdir(HOST_RW "/work", 0755) < 0 ||
	    mount("overlay", NEWROOT, "overlay", 0, "lowerdir=" HOST ",upperdir=" HOST_RW
		  "/upper,workdir=" HOST_RW "/work") < 0) {
		snprintf(why, sizeof(why), "minos.hostroot: cannot mount the overlay on " NEWROOT
			 ": %s%s", strerror(errno), errno == ENODEV ? " (CONFIG_OVERLAY_FS)" : "");
		emergency(in, why);
	}
	snprintf(why, sizeof(why), NEWROOT "/lib/modules");
	make_dirs(why);
	if (mount("/lib/modules", why, NULL, MS_BIND, NULL) < 0)
		say("minos.hostroot: the image's modules stay out of reach: %s", strerror(errno));
	if ((fd = root_move(NEWROOT)) < 0)
		emergency(in, "minos.hostroot: switch_root failed");
	close(fd);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		say("minos.hostroot: /tmp stays the host's, read-only: %s", strerror(errno));
	in->hostroot = 1;
	say("the host's root is /, read-only under a tmpfs overlay");
}
