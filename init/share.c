/*
 * share.c - host directories in the guest: minos run/test --share gives
 * each one to QEMU as a virtio-9p device with the tag minosN, and the
 * kernel command line minos.share=TAG:PATH[:ro][,TAG:PATH[:ro]]..., PATH
 * percent-encoded (a space is %20), where minos-init mounts it.  The 9p
 * filesystem's module is loaded when the kernel asks for it, as efivarfs's.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cmdline.h"
#include "init.h"
#include "kmod.h"

#define SHARE_OPTS "trans=virtio,version=9p2000.L,msize=262144,cache=none"

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
	if (mount(tag, path, "9p", flags, SHARE_OPTS) == 0)
		return;
	if (errno == ENODEV && in->kmods) {
		kmod_load_name(in->kmods, "9p");
		if (mount(tag, path, "9p", flags, SHARE_OPTS) == 0)
			return;
	}
	say("cannot mount the shared directory %s (%s): %s%s", path, tag, strerror(errno),
	    errno == ENODEV ? " (the kernel needs CONFIG_9P_FS and CONFIG_NET_9P_VIRTIO, or their "
	    "modules in the image)" : errno == ENOENT ? " (no virtio-9p device with that tag: "
	    "CONFIG_NET_9P_VIRTIO, or its module in the image)" : "");
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
