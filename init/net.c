/*
 * net.c - the network, as minos.net= on the command line says:
 *   dhcp                          every wired interface, as its driver
 *                                 appears, configured by BusyBox's udhcpc
 *                                 in the background with the script minos
 *                                 ships (address, default route, resolv.conf)
 *   off                           nothing but the loopback
 *   IFACE=ADDR/PREFIX[,GATEWAY]   that interface, that address, no DHCP
 * Without it, /etc/minos/net (minos writes "dhcp" there in images that
 * carry NIC drivers), else off.  A malformed setting is said and ignored.
 * No shell ever waits for an address.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "fsutil.h"
#include "init.h"
#include "log.h"
#include "net.h"
#include "proc.h"

#define UDHCPC_SCRIPT "/usr/share/udhcpc/default.script"
#define MAX_IFACES 16

/* A static setting, parsed: 0 if it is one. */
struct net_static {
	char iface[IFNAMSIZ];
	struct in_addr addr, mask, gw;
	int has_gw;
};

/* A decimal number of at most max, the whole of s; -1 if it is none. */
static long number(const char *s, size_t n, long max)
{
	long v = 0;

	if (!n || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* A dotted quad, the whole of s (n bytes): inet_pton's IPv4, without its IPv6. */
static int ipv4(const char *s, size_t n, struct in_addr *a)
{
	unsigned long v = 0;

	for (int part = 0; part < 4; part++) {
		size_t len = 0;
		long b;

		while (len < n && s[len] != '.')
			len++;
		if ((b = number(s, len, 255)) < 0 || (len > 1 && s[0] == '0') ||
		    (part < 3) != (len < n))
			return -1;
		v = v << 8 | (unsigned long)b;
		s += len + (len < n);
		n -= len + (len < n);
	}
	a->s_addr = htonl((uint32_t)v);
	return 0;
}

static int parse_static(const char *v, struct net_static *s)
{
	const char *eq = strchr(v, '='), *slash = eq ? strchr(eq, '/') : NULL;
	const char *comma = slash ? strchr(slash, ',') : NULL;
	const char *end = comma ? comma : slash ? slash + strlen(slash) : NULL;
	long bits;

	memset(s, 0, sizeof(*s));
	if (!eq || !slash || eq == v || eq - v >= IFNAMSIZ || memchr(v, '/', eq - v))
		return -1;
	memcpy(s->iface, v, eq - v);
	if (ipv4(eq + 1, slash - eq - 1, &s->addr) < 0 ||
	    (bits = number(slash + 1, end - slash - 1, 32)) < 0)
		return -1;
	s->mask.s_addr = htonl(bits ? 0xffffffffu << (32 - bits) : 0);
	if (comma) {
		if (ipv4(comma + 1, strlen(comma + 1), &s->gw) < 0)
			return -1;
		s->has_gw = 1;
	}
	return 0;
}

int net_valid(const char *v)
{
	struct net_static s;

	return !strcmp(v, "dhcp") || !strcmp(v, "off") || parse_static(v, &s) == 0;
}

static int set_flags_up(int sock, const char *name)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

static void link_up(const char *name)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0 || set_flags_up(sock, name) < 0)
		say("%s: cannot bring it up: %s", name, strerror(errno));
	if (sock >= 0)
		close(sock);
}

/* The setting: minos.net= if valid, else /etc/minos/net if valid, else none (""). */
static void read_setting(struct init *in)
{
	char v[sizeof(in->net)];

	in->net[0] = '\0';
	if (cmdline_get(in->cmdline, "minos.net", v, sizeof(v))) {
		if (net_valid(v)) {
			snprintf(in->net, sizeof(in->net), "%s", v);
			return;
		}
		say("minos.net=%s: not dhcp, off or IFACE=ADDR/PREFIX[,GATEWAY]; ignored", v);
		klog("minos.net=%s: not dhcp, off or IFACE=ADDR/PREFIX[,GATEWAY]; ignored", v);
	}
	if (read_small("/etc/minos/net", v, sizeof(v)) > 0) {
		v[strcspn(v, " \t\r\n")] = '\0';
		if (net_valid(v))
			snprintf(in->net, sizeof(in->net), "%s", v);
		else
			say("/etc/minos/net: '%s' is not dhcp, off or IFACE=ADDR/PREFIX[,GATEWAY]; "
			    "ignored", v);
	}
}

void net_setup(struct init *in)
{
	read_setting(in);
	/* A system with a network setting, off included, has its loopback up.
	 * Without one (an image with no NIC drivers and no minos.net=) it stays
	 * down: bringing it up costs a boot 16 ms under TCG. */
	if (in->net[0])
		link_up("lo");
}

int net_wanted(const struct init *in)
{
	return in->net[0] && strcmp(in->net, "off");
}

static void configure_static(const struct net_static *s)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	const char *step = "socket";

	if (sock < 0)
		goto fail;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->iface);
	sin->sin_family = AF_INET;
	sin->sin_addr = s->addr;
	step = "address";
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
		goto fail;
	sin->sin_addr = s->mask;
	step = "netmask";
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		goto fail;
	step = "up";
	if (set_flags_up(sock, s->iface) < 0)
		goto fail;
	if (s->has_gw) {
		struct rtentry rt = {0};
		char dev[IFNAMSIZ];

		snprintf(dev, sizeof(dev), "%s", s->iface);
		((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
		((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
		((struct sockaddr_in *)&rt.rt_gateway)->sin_family = AF_INET;
		((struct sockaddr_in *)&rt.rt_gateway)->sin_addr = s->gw;
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = dev;
		step = "default route";
		if (ioctl(sock, SIOCADDRT, &rt) < 0)
			goto fail;
	}
	klog("%s: %s (minos.net)", s->iface, "configured");
	close(sock);
	return;
fail:
	say("%s: cannot set its %s: %s", s->iface, step, strerror(errno));
	if (sock >= 0)
		close(sock);
}

/* A wired interface of a device: Ethernet, not wireless, not virtual. */
static int wired(const char *name)
{
	char path[96], type[16];

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", name);
	if (read_small(path, type, sizeof(type)) <= 0 || atoi(type) != 1)
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/wireless", name);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", name);
	return access(path, F_OK) == 0;
}

static void start_dhcp(struct init *in, const char *name)
{
	char *argv[] = {"udhcpc", "-f", "-i", (char *)name, "-s", UDHCPC_SCRIPT, "-T", "2",
			"-A", "10", NULL};
	pid_t pid = fork();

	if (pid < 0) {
		say("%s: cannot start udhcpc: %s", name, strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		child_reset(in);
		setsid();
		for (int i = 0; i < 3 && fd >= 0; i++)
			dup2(fd, i);
		/* where BusyBox links it, else BusyBox itself */
		execv("/sbin/udhcpc", argv);
		execv("/usr/sbin/udhcpc", argv);
		execv("/bin/udhcpc", argv);
		execv("/usr/bin/udhcpc", argv);
		execv("/bin/busybox", argv);
		_exit(127);
	}
	klog("%s: udhcpc started (pid %d)", name, (int)pid);
}

void net_interface(struct init *in, const char *name)
{
	static char done[MAX_IFACES][IFNAMSIZ];
	struct net_static s;
	int i;

	if (!net_wanted(in) || !strcmp(name, "lo") || strlen(name) >= IFNAMSIZ)
		return;
	for (i = 0; i < MAX_IFACES && done[i][0]; i++)
		if (!strcmp(done[i], name))
			return;	/* seen by the scan and by its uevent */
	if (parse_static(in->net, &s) == 0) {
		if (strcmp(s.iface, name))
			return;
		configure_static(&s);
	} else if (wired(name)) {
		link_up(name);
		start_dhcp(in, name);
	} else {
		return;
	}
	if (i < MAX_IFACES)
		snprintf(done[i], IFNAMSIZ, "%s", name);
}

void net_existing(struct init *in)
{
	struct dirscan d;
	const struct dirent *e;

	if (!net_wanted(in) || dir_open(&d, open("/sys/class/net", O_RDONLY | O_DIRECTORY |
						 O_CLOEXEC)) < 0)
		return;
	while ((e = dir_next(&d)))
		if (e->d_name[0] != '.')
			net_interface(in, e->d_name);
	dir_close(&d);
}
