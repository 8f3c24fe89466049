/*
 * rescue.c - a rescue system's tools, kept here as data: what --rescue
 * adds (the tools to open, assemble, check, copy and mend the disks of a
 * machine that will not boot, and a way in over SSH), what each layer of
 * --root-stack needs (its tool and the kernel's modules), and the files
 * that make them work without udev.  The tools are Debian's packages,
 * from the host when it has them installed, else from the archive
 * (package.c); minos-init runs them (init/stack.c) for a root on LUKS, LVM
 * or md RAID.
 */
#include "image/rescue.h"

#include <stdlib.h>
#include <string.h>

#include "image/drivers.h"
#include "util/util.h"

const char *const root_stack_names[] = {"luks", "lvm", "md", NULL};

/* Each layer's tool: cryptsetup, lvm, mdadm. */
static const char *const stack_packages[] = {"cryptsetup-bin", "lvm2", "mdadm"};

/*
 * --rescue's tools beyond the root stack's, Debian 12's package names:
 * filesystems' checkers and makers, partition editors, recovery (ddrescue,
 * testdisk and photorec), the disks' health (SMART, NVMe), UEFI's boot
 * entries, copying (rsync), the SSH server, the buses' listings with their
 * ID databases, a pager and a real vi.
 */
static const char *const rescue_tools[] = {
	"e2fsprogs", "xfsprogs", "btrfs-progs", "dosfstools", "ntfs-3g", "exfatprogs",
	"fdisk", "gdisk", "parted", "gddrescue", "testdisk", "smartmontools", "nvme-cli",
	"efibootmgr", "rsync", "dropbear-bin", "pciutils", "pci.ids", "usbutils", "usb.ids",
	"less", "vim-tiny",
};

int root_stack_parse(const char *list, unsigned *stack)
{
	char *copy = xstrdup(list), *rest = copy, *w;
	int rc = 0, i;

	*stack = 0;
	while (!rc && (w = strsep(&rest, ",")))
		if ((i = pick_word("--root-stack", w, root_stack_names)) < 0)
			rc = -1;
		else
			*stack |= 1u << i;	/* root_stack_names is in STACK_* bit order */
	free(copy);
	return rc;
}

void rescue_packages(unsigned stack, void (*fn)(const char *name, void *ctx), void *ctx)
{
	for (size_t i = 0; i < ARRAY_SIZE(stack_packages); i++)
		if (stack & 1u << i)
			fn(stack_packages[i], ctx);
	for (size_t i = 0; stack & STACK_RESCUE && i < ARRAY_SIZE(rescue_tools); i++)
		fn(rescue_tools[i], ctx);
}

/* One line of authorized_keys: an SSH public key, options before it allowed. */
static int key_line(const char *l)
{
	static const char *const types[] = {"ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-nistp",
					    "sk-ssh-ed25519@openssh.com ",
					    "sk-ecdsa-sha2-nistp256@openssh.com "};

	for (const char *p = l; *p; p++)
		for (size_t i = 0; i < ARRAY_SIZE(types) && (p == l || p[-1] == ' '); i++)
			if (!strncmp(p, types[i], strlen(types[i])))
				return 1;
	return 0;
}

int ssh_key_check(const char *file)
{
	struct buf b = {0};
	int keys = 0, line = 0;
	char *save = NULL;

	if (read_file_max(file, &b, 1 << 20, NULL) < 0)
		return -1;
	buf_add(&b, "", 1);
	if (memchr(b.data, '\0', b.len - 1)) {
		buf_free(&b);
		return fail(file, "is not a text file of SSH public keys");
	}
	for (char *l = strtok_r((char *)b.data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		line++;
		if (*l == '#' || !l[strspn(l, " \t\r")])
			continue;
		if (strstr(l, "PRIVATE KEY")) {
			buf_free(&b);
			return fail(file, "is a private key: --ssh-key takes the public one (.pub)");
		}
		if (!key_line(l)) {
			buf_free(&b);
			return fail(file, "line %d is not an SSH public key", line);
		}
		keys++;
	}
	buf_free(&b);
	return keys ? 0 : fail(file, "holds no SSH public key");
}

/* LVM for a system without udev: minos-init makes the nodes, nobody waits for udev. */
static const char lvm_conf[] =
	"# minos: LVM without udev (minos-init runs none; libdevmapper makes the nodes)\n"
	"devices {\n"
	"\tobtain_device_list_from_udev = 0\n"
	"\texternal_device_info_source = \"none\"\n"
	"}\n"
	"activation {\n"
	"\tudev_sync = 0\n"
	"\tudev_rules = 0\n"
	"\tmonitoring = 0\n"
	"}\n";

/*
 * The filesystems mount tries when not told the type (BusyBox's mount reads
 * this before /proc/filesystems): naming them makes the kernel load their
 * module through modprobe, so `mount /dev/vg/root /mnt` works in a rescue
 * shell before anything has loaded ext4.
 */
static const char filesystems[] = "ext4\next3\next2\nxfs\nbtrfs\nvfat\nexfat\nntfs3\n"
				  "iso9660\nsquashfs\n";

int rescue_files(struct fstree *fs, const char *const *packages, size_t n, const char *ssh_key,
		 unsigned stack)
{
	int lvm = 0;

	if (stack & STACK_RESCUE &&
	    fstree_data(fs, "/etc/filesystems", filesystems, sizeof(filesystems) - 1, 0644) < 0)
		return -1;

	for (size_t i = 0; i < n; i++)
		lvm |= !strcmp(packages[i], "lvm2");
	if (lvm && fstree_data(fs, "/etc/lvm/lvm.conf", lvm_conf, sizeof(lvm_conf) - 1, 0644) < 0)
		return -1;
	if (ssh_key) {
		struct buf b = {0};
		int rc;

		if (read_file_max(ssh_key, &b, 1 << 20, NULL) < 0)
			return -1;
		rc = fstree_dir(fs, "/root/.ssh", 0700, 0, 0) < 0 ||
		     fstree_data(fs, "/root/.ssh/authorized_keys", b.data, b.len, 0600) < 0 ||
		     fstree_dir(fs, "/etc/dropbear", 0755, 0, 0) < 0 ? -1 : 0;
		buf_free(&b);
		return rc;
	}
	return 0;
}
