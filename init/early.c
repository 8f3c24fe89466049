/*
 * early.c - what PID 1 sets up before it runs anything: stdio on the
 * console, the pseudo-filesystems, the environment, the hostname and the
 * console log level.  Nothing here is fatal: a failure is said and boot goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cmdline.h"
#include "early.h"
#include "fsutil.h"
#include "init.h"
#include "kmod.h"
#include "log.h"

/* <linux/kd.h>, which musl-gcc cannot see: ask for SIGWINCH on a keyboard request. */
#ifndef KDSIGACCEPT
#define KDSIGACCEPT 0x4B4E
#endif

/* A sysctl; one the kernel lacks (its option off) is fine when optional. */
static void write_sysctl(const char *path, const char *s, int optional)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && optional)
		return;
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		say("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The kernel starts /init without stdio if the archive had no /dev/console. */
static void ensure_stdio(void)
{
	int fd;

	if (fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	if (access("/dev/console", F_OK) < 0 &&
	    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0)
		mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;	/* nothing to say anything on; carry on blind */
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static int is_mountpoint(const char *path)
{
	struct stat a, b;
	char parent[256];

	snprintf(parent, sizeof(parent), "%s/..", path);
	if (stat(path, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

static const struct {
	const char *src, *target, *type;
	unsigned long flags;
	const char *data, *config;	/* config: what a kernel without the type lacks */
} mounts[] = {
	{"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "CONFIG_PROC_FS"},
	{"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "CONFIG_SYSFS"},
	{"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", "CONFIG_DEVTMPFS"},
	{"devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666",
	 "CONFIG_UNIX98_PTYS"},
	{"tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", "CONFIG_SHMEM"},
	{"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", "CONFIG_SHMEM"},
};

/*
 * UEFI's variables (SecureBoot among them) in efivarfs, whose module the
 * kernel asks for by a modprobe we do not have: loaded here if mounting
 * fails for want of it.  securityfs shows the lockdown Secure Boot puts
 * the kernel in.
 */
void mount_firmware(struct init *in)
{
	const char *vars = "/sys/firmware/efi/efivars";

	if (access("/sys/firmware/efi", F_OK) == 0 && !is_mountpoint(vars) &&
	    mount("efivarfs", vars, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		if (errno == ENODEV && in->kmods)
			kmod_load_name(in->kmods, "efivarfs");
		if (mount("efivarfs", vars, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			say("cannot mount efivarfs on %s: %s%s", vars, strerror(errno),
			    errno == ENODEV ? " (CONFIG_EFIVAR_FS, or its module in the image)" : "");
	}
	if (!is_mountpoint("/sys/kernel/security"))
		mount("securityfs", "/sys/kernel/security", "securityfs",
		      MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static void mount_pseudo(void)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
	};

	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		mkdir(mounts[i].target, 0755);
		if (is_mountpoint(mounts[i].target))
			continue;
		if (mount(mounts[i].src, mounts[i].target, mounts[i].type,
			  mounts[i].flags, mounts[i].data) < 0)
			say("cannot mount %s on %s: %s%s%s%s", mounts[i].type, mounts[i].target,
			    strerror(errno), errno == ENODEV ? " (the kernel lacks " : "",
			    errno == ENODEV ? mounts[i].config : "", errno == ENODEV ? ")" : "");
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		symlink(links[i][0], links[i][1]);
}

/* /sys/class/tty/console/active lists the consoles; the last is /dev/console. */
static void find_console(struct init *in)
{
	char active[256], *last;
	int n = read_small("/sys/class/tty/console/active", active, sizeof(active));

	while (n > 0 && (active[n - 1] == '\n' || active[n - 1] == ' '))
		active[--n] = '\0';
	last = n > 0 ? strrchr(active, ' ') : NULL;
	last = last ? last + 1 : active;
	if (n > 0)
		snprintf(in->console, sizeof(in->console), "/dev/%.58s", last);
	else
		snprintf(in->console, sizeof(in->console), "/dev/console");
}

static void set_environment(const struct init *in)
{
	const char *dev = in->console + 5;
	int serial = !strncmp(dev, "ttyS", 4) || !strncmp(dev, "hvc", 3) ||
		     !strncmp(dev, "ttyAMA", 6) || !strncmp(dev, "ttyUSB", 6);

	/* Ours, then what the kernel gave that ours do not replace; no setenv:
	 * it would bring malloc into PID 1.  DM_DISABLE_UDEV: libdevmapper
	 * (cryptsetup, lvm) makes its /dev/mapper nodes itself, waiting for no udev. */
	static char *env[64] = {"PATH=/sbin:/usr/sbin:/bin:/usr/bin", "HOME=/root",
				"SHELL=/bin/sh", "USER=root", "DM_DISABLE_UDEV=1", NULL};
	int n = 5;

	/* TERM= on the command line (minos run's host terminal) wins over ours */
	env[n++] = serial ? "TERM=vt102" : "TERM=linux";
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "TERM=", 5) && strcmp(*e, "TERM=linux"))
			env[5] = *e;
	for (char **e = environ; e && *e && n < 63; e++) {
		int ours = 0;

		for (int i = 0; i < 6; i++)
			ours |= !strncmp(*e, env[i], strcspn(env[i], "=") + 1);
		if (!ours)
			env[n++] = *e;
	}
	environ = env;
	if (chdir("/root") < 0 && chdir("/") < 0) {
		/* nowhere better to be */
	}
}

static void set_hostname(void)
{
	char name[65];
	int n = read_small("/etc/hostname", name, sizeof(name));

	if (n <= 0)
		return;
	name[strcspn(name, " \t\r\n")] = '\0';
	if (*name && sethostname(name, strlen(name)) < 0)
		say("cannot set hostname %s: %s", name, strerror(errno));
}

/*
 * The seed's "2 4 1 7" keeps the shell readable; a test boot's console
 * shows warnings too ("5 4 1 7"), where minos test reads the kernel's
 * reports.  The command line can say otherwise.
 */
void set_printk(const struct init *in)
{
	char level[32];

	if (cmdline_get(in->cmdline, "minos.printk", level, sizeof(level)))
		write_sysctl("/proc/sys/kernel/printk", level, 0);
	else if (!cmdline_has(in->cmdline, "loglevel"))
		write_sysctl("/proc/sys/kernel/printk", in->test ? "5 4 1 7" : "2 4 1 7", 0);
	/* a test that hangs is explained: minos test asks the kernel over the
	 * serial line (SysRq l, w) or, when no CPU listens, with an NMI */
	if (in->test) {
		write_sysctl("/proc/sys/kernel/sysrq", "1", 1);
		write_sysctl("/proc/sys/kernel/unknown_nmi_panic", "1", 1);
		/* the NMI's CPU may be an idle one: the panic shows every CPU */
		if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
			write_sysctl("/proc/sys/kernel/panic_print", "64", 1);
	}
}

void early_setup(struct init *in)
{
	int fd;

	ensure_stdio();
	mount_pseudo();
	if (read_small("/proc/cmdline", in->cmdline, sizeof(in->cmdline)) < 0)
		in->cmdline[0] = '\0';
	find_console(in);
	set_environment(in);
	set_hostname();
	set_printk(in);
	/* Ctrl-Alt-Del becomes SIGINT; a keyboard request on a VT SIGWINCH. */
	reboot(RB_DISABLE_CAD);
	fd = open("/dev/tty0", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, KDSIGACCEPT, SIGWINCH);
		close(fd);
	}
}
