/*
 * kconfig.c - what a minos boot needs in a kernel tree's .config, added
 * to it, then settled by the tree's own olddefconfig.
 *
 * The options are data (the table below, each with why), checked against
 * the tree's Kconfig files: a name the tree does not know is said and left
 * out, and one that olddefconfig drops (a dependency not met) is said too.
 */
#include "image/kconfig.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

const struct kconfig_need kconfig_needs[] = {
	{"64BIT", "an x86_64 kernel, as minos's BusyBox and minos-init are"},
	{"PRINTK", "the kernel's messages"},
	{"TTY", "consoles and terminals"},
	{"SERIAL_8250", "the serial ports QEMU and PCs have"},
	{"SERIAL_8250_CONSOLE", "console=ttyS0"},
	{"UNIX98_PTYS", "job control in the shell, /dev/pts"},
	{"BLK_DEV_INITRD", "the initramfs"},
	{"RD_GZIP", "an initramfs compressed with gzip"},
	{"RD_XZ", "... with xz"},
	{"RD_ZSTD", "... with zstd, minos's default"},
	{"RD_LZ4", "... with lz4"},
	{"BINFMT_ELF", "running BusyBox and minos-init"},
	{"BINFMT_SCRIPT", "#! scripts"},
	{"DEVTMPFS", "/dev, mounted by minos-init"},
	{"PROC_FS", "/proc"},
	{"SYSFS", "/sys"},
	{"TMPFS", "/run and /dev/shm"},
	{"SHMEM", "tmpfs's memory"},
	{"MULTIUSER", "users and groups"},
	{"FUTEX", "the C library's locks"},
	{"POSIX_TIMERS", "timers"},
	{"SIGNALFD", "minos-init waits for signals with signalfd"},
	{"EPOLL", "and for everything else with epoll"},
	{"TIMERFD", "minos-init's timers"},
	{"EVENTFD", "BusyBox's tools"},
	{"FILE_LOCKING", "flock and fcntl locks"},
	{"NET", "sockets: the uevent netlink socket minos-init hears devices on"},
	{"UNIX", "Unix sockets"},
	{"INET", "the network (minos.net=)"},
	{"PACKET", "udhcpc's DHCP"},
	{"MODULES", "loading modules (--module, --drivers)"},
	{"MODULE_UNLOAD", "rmmod"},
	{"PCI", "QEMU's pc and q35 devices"},
	{"ACPI", "poweroff, the power button"},
	{"DMI", "minos test's channel, named in an SMBIOS OEM string"},
	{"DMIID", "... read from /sys/class/dmi"},
	{"HYPERVISOR_GUEST", "what PVH needs"},
	{"PARAVIRT", "... and this"},
	{"PVH", "minos run/test --kernel boot the vmlinux through its PVH entry"},
	{"VIRTIO_MENU", "virtio devices"},
	{"VIRTIO_PCI", "virtio on PCI (pc, q35)"},
	{"VIRTIO_MMIO", "virtio on microvm"},
	{"BLOCK", "block devices: --disk, a real root"},
	{"VIRTIO_BLK", "--disk"},
	{"NETDEVICES", "network devices"},
	{"NET_CORE", "... their core"},
	{"VIRTIO_NET", "--net user"},
	{"NET_9P", "--share"},
	{"NET_9P_VIRTIO", "... over virtio"},
	{"9P_FS", "... the 9p filesystem"},
	{"HW_RANDOM", "/dev/hwrng"},
};

const size_t kconfig_nneeds = ARRAY_SIZE(kconfig_needs);

static int run_make(const char *dir, const char *target)
{
	char *argv[] = {"make", "-C", (char *)dir, "-s", (char *)target, NULL};
	struct buf out = {0};
	int rc = run_capture(argv, NULL, RUN_PATH | RUN_STDERR, &out);

	if (rc != 0) {
		fwrite(out.data, 1, out.len, stderr);
		rc = rc < 0 ? fail_errno("make", "cannot run")
			    : fail(dir, "make %s failed (its output is above)", target);
	}
	buf_free(&out);
	return rc;
}

/* Adds the names that "config NAME" lines of the Kconfig files under dir define. */
static void kconfig_names(const char *dir, int depth, char ***names, size_t *n)
{
	DIR *d = depth < 16 ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *path;
		struct buf b = {0};

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			kconfig_names(path, depth + 1, names, n);
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

/* The .config with the table's known options added at its end, written whole. */
static int add_options(const char *dir, const char *config, char **names, size_t n)
{
	struct buf b = {0};
	struct outfile o;
	int rc = read_file(config, &b);

	if (rc < 0)
		return -1;
	buf_add(&b, "# added by minos kconfig\n", 25);
	for (size_t i = 0; i < ARRAY_SIZE(kconfig_needs); i++) {
		char *line;

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

int kconfig_apply(const char *dir, int minimal, size_t *nset)
{
	char *config = xasprintf("%s/.config", dir), *top = xasprintf("%s/Kconfig", dir);
	char *src = xstrdup(dir);
	char **names = NULL;
	size_t n = 0, set = 0;
	struct buf b = {0};
	int rc = -1;

	if (access(top, F_OK) < 0) {
		/* an O= output directory: the build made a link to its source tree */
		free(top);
		free(src);
		src = xasprintf("%s/source", dir);
		top = xasprintf("%s/Kconfig", src);
		if (access(top, F_OK) < 0) {
			fail(dir, "not a kernel source tree (no Kconfig) nor an O= directory of one");
			goto out;
		}
	}
	if (minimal) {
		if (run_make(dir, "tinyconfig") < 0)
			goto out;
	} else if (access(config, F_OK) < 0) {
		fprintf(stderr, "minos: %s: no .config: starting from make defconfig\n", dir);
		if (run_make(dir, "defconfig") < 0)
			goto out;
	}
	kconfig_names(src, 0, &names, &n);
	if (add_options(dir, config, names, n) < 0 || run_make(dir, "olddefconfig") < 0)
		goto out;
	if (read_file(config, &b) < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(kconfig_needs); i++) {
		if (!known(names, n, kconfig_needs[i].name))
			continue;
		if (is_set(&b, kconfig_needs[i].name))
			set++;
		else
			warning(config, "CONFIG_%s (%s) did not stay set: a dependency is off",
				kconfig_needs[i].name, kconfig_needs[i].why);
	}
	*nset = set;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&b);
	free(config);
	free(top);
	free(src);
	return rc;
}
