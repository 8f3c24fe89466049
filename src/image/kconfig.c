/*
 * kconfig.c - what a minos boot needs in a kernel tree's .config, added
 * to it, then settled by the tree's own olddefconfig.
 *
 * The options are data (the table below, each with why and the
 * architecture it is for, when not every one), checked against the tree's
 * Kconfig files: a name the tree does not know is said and left out, and
 * one that olddefconfig drops (a dependency not met) is said too.  The
 * architecture is the .config's (CONFIG_ARM64=y, CONFIG_X86_64=y): make
 * gets its ARCH=, and a cross compiler when it is not the host's, since a
 * tree's make forgets what ARCH= configured it.
 */
#include "image/kconfig.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

const struct kconfig_need kconfig_needs[] = {
	{"64BIT", "an x86_64 kernel, as minos's BusyBox and minos-init are", ARCH_X86_64},
	{"PRINTK", "the kernel's messages", ARCH_NONE},
	{"TTY", "consoles and terminals", ARCH_NONE},
	{"SERIAL_8250", "the serial ports QEMU and PCs have", ARCH_X86_64},
	{"SERIAL_8250_CONSOLE", "console=ttyS0", ARCH_X86_64},
	{"SERIAL_AMBA_PL011", "the serial port of QEMU's virt (and many boards)", ARCH_ARM64},
	{"SERIAL_AMBA_PL011_CONSOLE", "console=ttyAMA0", ARCH_ARM64},
	{"UNIX98_PTYS", "job control in the shell, /dev/pts", ARCH_NONE},
	{"BLK_DEV_INITRD", "the initramfs", ARCH_NONE},
	{"RD_GZIP", "an initramfs compressed with gzip", ARCH_NONE},
	{"RD_XZ", "... with xz", ARCH_NONE},
	{"RD_ZSTD", "... with zstd, minos's default", ARCH_NONE},
	{"RD_LZ4", "... with lz4", ARCH_NONE},
	{"BINFMT_ELF", "running BusyBox and minos-init", ARCH_NONE},
	{"BINFMT_SCRIPT", "#! scripts", ARCH_NONE},
	{"DEVTMPFS", "/dev, mounted by minos-init", ARCH_NONE},
	{"PROC_FS", "/proc", ARCH_NONE},
	{"SYSFS", "/sys", ARCH_NONE},
	{"TMPFS", "/run and /dev/shm", ARCH_NONE},
	{"SHMEM", "tmpfs's memory", ARCH_NONE},
	{"MULTIUSER", "users and groups", ARCH_NONE},
	{"FUTEX", "the C library's locks", ARCH_NONE},
	{"POSIX_TIMERS", "timers", ARCH_NONE},
	{"SIGNALFD", "minos-init waits for signals with signalfd", ARCH_NONE},
	{"EPOLL", "and for everything else with epoll", ARCH_NONE},
	{"TIMERFD", "minos-init's timers", ARCH_NONE},
	{"EVENTFD", "BusyBox's tools", ARCH_NONE},
	{"FILE_LOCKING", "flock and fcntl locks", ARCH_NONE},
	{"NET", "sockets: the uevent netlink socket minos-init hears devices on", ARCH_NONE},
	{"UNIX", "Unix sockets", ARCH_NONE},
	{"INET", "the network (minos.net=)", ARCH_NONE},
	{"PACKET", "udhcpc's DHCP", ARCH_NONE},
	{"MODULES", "loading modules (--module, --drivers)", ARCH_NONE},
	{"MODULE_UNLOAD", "rmmod", ARCH_NONE},
	{"PCI", "QEMU's pc and q35 devices", ARCH_X86_64},
	{"ACPI", "poweroff, the power button", ARCH_X86_64},
	{"DMI", "minos test's channel, named in an SMBIOS OEM string", ARCH_X86_64},
	{"DMIID", "... read from /sys/class/dmi", ARCH_X86_64},
	{"HYPERVISOR_GUEST", "what PVH needs", ARCH_X86_64},
	{"PARAVIRT", "... and this", ARCH_X86_64},
	{"PVH", "minos run/test --kernel boot the vmlinux through its PVH entry", ARCH_X86_64},
	{"VIRTIO_MENU", "virtio devices", ARCH_NONE},
	{"VIRTIO_PCI", "virtio on PCI (pc, q35)", ARCH_X86_64},
	{"VIRTIO_MMIO", "virtio on microvm", ARCH_X86_64},
	{"PCI", "virt's devices: minos puts its virtio devices on PCI", ARCH_ARM64},
	{"PCI_HOST_GENERIC", "... behind its PCIe host bridge (ECAM, from the device tree)",
	 ARCH_ARM64},
	{"VIRTIO_PCI", "virtio on PCI", ARCH_ARM64},
	{"VIRTIO_MMIO", "virtio on virt's MMIO transports", ARCH_ARM64},
	{"VIRTIO_CONSOLE", "minos test's channel, hvc0 (minos.test=hvc0)", ARCH_ARM64},
	{"BLOCK", "block devices: --disk, a real root", ARCH_NONE},
	{"VIRTIO_BLK", "--disk", ARCH_NONE},
	{"NETDEVICES", "network devices", ARCH_NONE},
	{"NET_CORE", "... their core", ARCH_NONE},
	{"VIRTIO_NET", "--net user", ARCH_NONE},
	{"NET_9P", "--share", ARCH_NONE},
	{"NET_9P_VIRTIO", "... over virtio", ARCH_NONE},
	{"9P_FS", "... the 9p filesystem", ARCH_NONE},
	{"HW_RANDOM", "/dev/hwrng", ARCH_NONE},
	{"RTC_CLASS", "the clock", ARCH_ARM64},
	{"RTC_DRV_PL031", "... virt's, the PL031: the time of day at boot", ARCH_ARM64},
};

const size_t kconfig_nneeds = ARRAY_SIZE(kconfig_needs);

int kconfig_needed(const struct kconfig_need *need, enum arch arch)
{
	return need->only == ARCH_NONE || need->only == arch;
}

size_t kconfig_count(enum arch arch)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kconfig_needs); i++)
		n += (size_t)kconfig_needed(&kconfig_needs[i], arch);
	return n;
}

/*
 * An architecture's arch/ directory, which is make's ARCH= for it too, by
 * what .config says.  x86, not x86_64: what make on a PC takes by itself,
 * and so what configured the tree (tinyconfig with ARCH=x86_64 is another).
 */
static const struct {
	enum arch arch;
	const char *symbol, *srcarch;
} config_arches[] = {
	{ARCH_X86_64, "X86_64", "x86"},
	{ARCH_ARM64, "ARM64", "arm64"},
};

/* Whether .config says CONFIG_NAME=y (or =m) on a line of its own. */
static int is_set(const struct buf *config, const char *name)
{
	int set = 0;

	for (const char *v = "ym"; *v && !set; v++) {
		char *line = xasprintf("CONFIG_%s=%c\n", name, *v);
		size_t n = strlen(line);

		for (const unsigned char *p = config->data, *end = p + config->len; p && !set;) {
			p = memmem(p, (size_t)(end - p), line, n);
			if (p && (p == config->data || p[-1] == '\n'))
				set = 1;
			else if (p)
				p++;
		}
		free(line);
	}
	return set;
}

enum arch kconfig_arch(const char *dir)
{
	char *config = xasprintf("%s/.config", dir);
	struct buf b = {0};
	enum arch arch = ARCH_NONE;

	if (access(config, F_OK) == 0 && read_file(config, &b) == 0)
		for (size_t i = 0; i < ARRAY_SIZE(config_arches) && arch == ARCH_NONE; i++)
			if (is_set(&b, config_arches[i].symbol))
				arch = config_arches[i].arch;
	buf_free(&b);
	free(config);
	return arch;
}

static const char *srcarch_of(enum arch arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_arches); i++)
		if (config_arches[i].arch == arch)
			return config_arches[i].srcarch;
	return NULL;
}

/*
 * make -C DIR -s TARGET, for arch (ARCH_NONE: as make itself decides):
 * ARCH=, and a cross compiler when it is not the host's.
 */
static int run_make(const char *dir, const char *target, enum arch arch)
{
	char *arch_word = NULL, *cross = NULL;
	char *argv[8] = {"make", "-C", (char *)dir, "-s"};
	size_t n = 4;
	struct buf out = {0};
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(config_arches); i++)
		if (config_arches[i].arch == arch)
			argv[n++] = arch_word = xasprintf("ARCH=%s", config_arches[i].srcarch);
	if (arch_word && arch != arch_host() && !getenv("CROSS_COMPILE"))
		argv[n++] = cross = xasprintf("CROSS_COMPILE=%s-", arch_triplet(arch));
	argv[n++] = (char *)target;
	argv[n] = NULL;
	rc = run_capture(argv, NULL, RUN_PATH | RUN_STDERR, &out);
	if (rc != 0) {
		fwrite(out.data, 1, out.len, stderr);
		rc = rc < 0 ? fail_errno("make", "cannot run")
			    : fail(dir, "make %s failed (its output is above)", target);
	}
	buf_free(&out);
	free(arch_word);
	free(cross);
	return rc;
}

/*
 * Adds the names that "config NAME" lines of the Kconfig files under dir
 * define; of arch/'s directories only srcarch's (NULL: every one's).
 */
static void kconfig_names(const char *dir, int depth, const char *srcarch, char ***names,
			  size_t *n)
{
	DIR *d = depth < 16 ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *path;
		struct buf b = {0};

		if (e->d_name[0] == '.')
			continue;
		/* another architecture's options are not this tree's */
		if (depth == 1 && srcarch && e->d_type == DT_DIR &&
		    !strcmp(strrchr(dir, '/') + 1, "arch") && strcmp(e->d_name, srcarch))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			kconfig_names(path, depth + 1, srcarch, names, n);
		} else if (!strncmp(e->d_name, "Kconfig", 7) && read_file(path, &b) == 0) {
			buf_add(&b, "", 1);
			for (char *l = (char *)b.data; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
				char name[128];

				l += strspn(l, " \t");
				if (!strncmp(l, "menu", 4))
					l += 4;
				/* "config NAME": sscanf's blank would also take none */
				if (!strncmp(l, "config", 6) && (l[6] == ' ' || l[6] == '\t') &&
				    sscanf(l + 6, " %127[A-Za-z0-9_]", name) == 1) {
					*names = xrealloc(*names, (*n + 1) * sizeof(**names));
					(*names)[(*n)++] = xstrdup(name);
				}
			}
		}
		buf_free(&b);
		free(path);
	}
	if (d)
		closedir(d);
}

static int known(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* The .config with arch's known options added at its end, written whole. */
static int add_options(const char *dir, const char *config, enum arch arch, char **names,
		       size_t n)
{
	struct buf b = {0};
	struct outfile o;
	int rc = read_file(config, &b);

	if (rc < 0)
		return -1;
	buf_add(&b, "# added by minos kconfig\n", 25);
	for (size_t i = 0; i < ARRAY_SIZE(kconfig_needs); i++) {
		char *line;

		if (!kconfig_needed(&kconfig_needs[i], arch))
			continue;
		if (!known(names, n, kconfig_needs[i].name)) {
			warning(dir, "CONFIG_%s (%s) is not in this tree's Kconfig: left out",
				kconfig_needs[i].name, kconfig_needs[i].why);
			continue;
		}
		line = xasprintf("CONFIG_%s=y\n", kconfig_needs[i].name);
		buf_add(&b, line, strlen(line));
		free(line);
	}
	if ((rc = outfile_open(&o, config, 0644)) == 0) {
		if ((rc = write_all(o.fd, b.data, b.len)) == 0)
			rc = outfile_commit(&o);
		else
			outfile_abort(&o);
	}
	buf_free(&b);
	return rc;
}

/* dir's source tree: dir, or the one an O= directory links to; NULL if neither. */
static char *source_of(const char *dir)
{
	char *top = xasprintf("%s/Kconfig", dir), *src = xstrdup(dir);

	if (access(top, F_OK) < 0) {
		/* an O= output directory: the build made a link to its source tree */
		free(top);
		free(src);
		src = xasprintf("%s/source", dir);
		top = xasprintf("%s/Kconfig", src);
		if (access(top, F_OK) < 0) {
			fail(dir, "not a kernel source tree (no Kconfig) nor an O= directory of one");
			free(src);
			src = NULL;
		}
	}
	free(top);
	return src;
}

/*
 * The .config to add to: tinyconfig's with minimal, defconfig's if there
 * is none, else the tree's own; *arch settled as kconfig_apply says
 * (ARCH_NONE still if nothing says it).
 */
static int start_config(const char *dir, const char *config, int minimal, enum arch *arch)
{
	enum arch has = kconfig_arch(dir);

	if (*arch != ARCH_NONE && has != ARCH_NONE && has != *arch && !minimal)
		return fail(config, "a configuration for %s, but --arch says %s "
			    "(--minimal starts over)", arch_name(has), arch_name(*arch));
	if (*arch == ARCH_NONE)
		*arch = has;
	if (minimal) {
		if (run_make(dir, "tinyconfig", *arch) < 0)
			return -1;
	} else if (access(config, F_OK) < 0) {
		fprintf(stderr, "minos: %s: no .config: starting from make defconfig\n", dir);
		if (run_make(dir, "defconfig", *arch) < 0)
			return -1;
	}
	if (*arch == ARCH_NONE)
		*arch = kconfig_arch(dir);	/* what make made of it */
	return 0;
}

int kconfig_apply(const char *dir, int minimal, enum arch *arch, size_t *nset)
{
	char *config = xasprintf("%s/.config", dir), *src = source_of(dir);
	char **names = NULL;
	size_t n = 0, set = 0;
	struct buf b = {0};
	enum arch target;
	int rc = -1;

	if (!src || start_config(dir, config, minimal, arch) < 0)
		goto out;
	/* a .config minos cannot place (the host's make made it): the host's needs */
	target = *arch != ARCH_NONE ? *arch : arch_host();
	kconfig_names(src, 0, srcarch_of(*arch), &names, &n);
	if (add_options(dir, config, target, names, n) < 0 ||
	    run_make(dir, "olddefconfig", *arch) < 0 || read_file(config, &b) < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(kconfig_needs); i++) {
		if (!kconfig_needed(&kconfig_needs[i], target) ||
		    !known(names, n, kconfig_needs[i].name))
			continue;
		if (is_set(&b, kconfig_needs[i].name))
			set++;
		else
			warning(config, "CONFIG_%s (%s) did not stay set: a dependency is off",
				kconfig_needs[i].name, kconfig_needs[i].why);
	}
	*arch = target;
	*nset = set;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&b);
	free(config);
	free(src);
	return rc;
}
