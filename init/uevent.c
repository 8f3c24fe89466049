/*
 * uevent.c - the drivers of the hardware, found by its modaliases, as
 * udev and Alpine's nlplug-findfs find them.
 *
 * Coldplug: the kernel's uevent socket is opened first, so that nothing
 * that appears while we look is missed; then every device's modalias under
 * /sys/devices is looked up and every module that answers it is loaded.
 * Loaded drivers make new devices (xhci makes USB devices, usb-storage SCSI
 * disks, virtio_pci virtio devices) whose uevents come through the socket:
 * those are looked up in turn until the kernel has been quiet for a while,
 * or a cap runs out; what comes later is hotplug, read in the main loop.
 * Only messages from the kernel itself (netlink port 0) count.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsutil.h"
#include "init.h"
#include "kmod.h"
#include "log.h"
#include "net.h"
#include "respawn.h"
#include "uevent.h"

/* <linux/netlink.h>, which musl's headers do not have */
#define NETLINK_KOBJECT_UEVENT 15
struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;	/* the sender: 0 is the kernel */
	uint32_t nl_groups;
};

#define QUIET_MS 150		/* no uevent for this long: the devices have settled */
#define SETTLE_MAX_MS 3000	/* never wait longer than this at boot */
#define SCAN_DEPTH 24

static void device_alias(struct init *in, const char *modalias)
{
	char names[256];

	if (!in->kmods || !in->kmods->alias_len)
		return;
	kmod_load_modalias(in->kmods, modalias, names, sizeof(names));
	if (*names)
		klog("%s: %s", modalias, names);
}

/* Every modalias file under the directory fd (taken), depth-first, no symlinks. */
static void scan(struct init *in, int fd, int depth)
{
	struct dirscan d;
	const struct dirent *e;

	if (dir_open(&d, fd) < 0)
		return;
	while ((e = dir_next(&d))) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR && depth < SCAN_DEPTH) {
			scan(in, openat(d.fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC), depth + 1);
		} else if (e->d_type == DT_REG && !strcmp(e->d_name, "modalias")) {
			char alias[512];
			int f = openat(d.fd, "modalias", O_RDONLY | O_CLOEXEC);
			ssize_t n = f >= 0 ? read(f, alias, sizeof(alias) - 1) : -1;

			if (f >= 0)
				close(f);
			if (n <= 0)
				continue;
			alias[n] = '\0';
			alias[strcspn(alias, "\n")] = '\0';
			if (*alias)
				device_alias(in, alias);
		}
	}
	dir_close(&d);
}

/* One uevent: "ACTION@DEVPATH\0KEY=VALUE\0...". */
static void event(struct init *in, const char *msg, size_t len)
{
	const char *action = "", *modalias = NULL, *subsystem = "", *iface = NULL;

	for (size_t pos = strlen(msg) + 1; pos < len; pos += strlen(msg + pos) + 1) {
		const char *kv = msg + pos;

		if (!strncmp(kv, "ACTION=", 7))
			action = kv + 7;
		else if (!strncmp(kv, "MODALIAS=", 9))
			modalias = kv + 9;
		else if (!strncmp(kv, "SUBSYSTEM=", 10))
			subsystem = kv + 10;
		else if (!strncmp(kv, "INTERFACE=", 10))
			iface = kv + 10;
	}
	if (strcmp(action, "add"))
		return;
	if (modalias && *modalias)
		device_alias(in, modalias);
	if (iface && !strcmp(subsystem, "net"))
		net_interface(in, iface);
}

/* Reads what the socket has; returns the number of kernel messages read. */
static int drain(struct init *in)
{
	static char buf[8192 + 1];
	int got = 0;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {buf, sizeof(buf) - 1};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(in->uevents, &mh, MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS) {
			say("uevents were lost (the socket overflowed); some devices may lack drivers");
			continue;
		}
		if (n <= 0)
			return got;
		/* only the kernel: a process could send anything to this group */
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
			continue;
		buf[n] = '\0';
		if (!strchr(buf, '@'))
			continue;	/* libudev's messages, not the kernel's */
		got++;
		event(in, buf, (size_t)n);
	}
}

static void open_socket(struct init *in)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int size = 4 << 20;

	in->uevents = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			     NETLINK_KOBJECT_UEVENT);
	if (in->uevents < 0) {
		say("no uevent socket (%s%s): devices that appear later get no drivers",
		    strerror(errno), errno == EAFNOSUPPORT ? "; the kernel lacks CONFIG_NET" : "");
		return;
	}
	/* a burst of coldplug uevents must not overflow it */
	if (setsockopt(in->uevents, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(in->uevents, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(in->uevents, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		say("cannot bind the uevent socket: %s", strerror(errno));
		close(in->uevents);
		in->uevents = -1;
	}
}

void coldplug(struct init *in)
{
	long long start = now_ms(), quiet_since;
	int loaded = in->kmods && in->kmods->alias_len;

	in->uevents = -1;
	if (!loaded && !net_wanted(in))
		return;	/* no modules to load and no network to bring up */
	open_socket(in);
	if (loaded)
		scan(in, open("/sys/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0);
	net_existing(in);
	if (in->uevents < 0)
		return;
	quiet_since = now_ms();
	for (;;) {
		long long now = now_ms(), wait = QUIET_MS - (now - quiet_since);
		struct pollfd p = {.fd = in->uevents, .events = POLLIN};

		if (now - start >= SETTLE_MAX_MS) {
			klog("coldplug: devices still appearing after %d ms; going on", SETTLE_MAX_MS);
			break;
		}
		if (wait <= 0)
			break;
		if (wait > SETTLE_MAX_MS - (now - start))
			wait = SETTLE_MAX_MS - (now - start);
		if (poll(&p, 1, (int)wait) > 0 && drain(in) > 0)
			quiet_since = now_ms();
	}
	klog("coldplug: %lld ms", now_ms() - start);
}

void hotplug(struct init *in)
{
	drain(in);
}
