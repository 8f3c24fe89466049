/*
 * drivers.c - the driver sets of --drivers, kept here as data.
 *
 * `generic` is what a rescue system needs on any PC, arm64 server or VM, chosen the
 * way dracut's generic mode and initramfs-tools' MODULES=most choose: whole
 * directories where every module is a driver a PC may need (ATA, NVMe, USB
 * host controllers and storage, HID, virtio), the symbols a module uses
 * where a directory mixes drivers with helpers (a disk controller is a
 * libata driver, an MMC host or allocates a disk), and names where a
 * directory holds far more than a rescue needs (the SCSI HBAs of VMs and
 * common RAID cards, not Fibre Channel's; the NICs of PCs and VMs, not
 * servers' 100 Gb cards; filesystems).  Dependencies come with each module, and the
 * firmware each declares when the firmware directory has it.
 *
 * `host` is the running machine's devices: every modalias under /sys,
 * resolved to the modules that answer it, like dracut's hostonly mode.
 */
#include "image/drivers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

/* A disk controller: a libata driver, an MMC host, or a driver that allocates a disk. */
#define DISK_CONTROLLER "ata_scsi_ioctl|mmc_add_host|__blk_mq_alloc_disk|" \
	"blk_mq_alloc_disk|__blk_alloc_disk|blk_alloc_disk"

static const struct module_rule generic[] = {
	/* storage controllers and disks */
	{"drivers/ata/", DISK_CONTROLLER},
	{"nvme", NULL},
	/* SCSI: VMs' and the common RAID/SAS HBAs, not Fibre Channel's or iSCSI's */
	{"virtio_scsi", NULL}, {"vmw_pvscsi", NULL}, {"hv_storvsc", NULL},
	{"megaraid_sas", NULL}, {"mpt3sas", NULL}, {"aacraid", NULL}, {"smartpqi", NULL},
	{"hpsa", NULL}, {"mptspi", NULL}, {"mptsas", NULL},
	{"sd_mod", NULL}, {"sr_mod", NULL}, {"virtio_blk", NULL},
	{"xen_blkfront", NULL}, {"loop", NULL}, {"nbd", NULL},
	{"drivers/usb/storage/", NULL},
	{"drivers/mmc/host/", DISK_CONTROLLER}, {"mmc_block", NULL},
	/* USB host controllers; HID: keyboards, mice, touchpads */
	{"drivers/usb/host/", NULL},
	{"drivers/hid/", NULL},
	{"drivers/input/keyboard/", NULL},
	/* virtio, for every VM */
	{"drivers/virtio/", NULL}, {"virtio_console", NULL}, {"virtio_rng", NULL},
	/* the filesystems a rescue needs, vfat with its code pages */
	{"ext4", NULL}, {"vfat", NULL}, {"nls_cp437", NULL}, {"nls_ascii", NULL},
	{"nls_utf8", NULL}, {"nls_iso8859_1", NULL}, {"isofs", NULL}, {"btrfs", NULL},
	{"xfs", NULL}, {"ntfs3", NULL}, {"exfat", NULL}, {"squashfs", NULL},
	{"overlay", NULL},
	/* UEFI's variables (SecureBoot, the boot entries), mounted by minos-init */
	{"efivarfs", NULL},
	/* wired NICs of PCs, laptops (USB adapters included) and VMs */
	{"e1000", NULL}, {"e1000e", NULL}, {"igb", NULL}, {"igc", NULL}, {"ixgbe", NULL},
	{"r8169", NULL}, {"tg3", NULL}, {"bnx2", NULL}, {"alx", NULL}, {"atl1c", NULL},
	{"atl1e", NULL}, {"sky2", NULL}, {"forcedeth", NULL}, {"8139cp", NULL},
	{"8139too", NULL}, {"pcnet32", NULL}, {"ne2k_pci", NULL}, {"virtio_net", NULL},
	{"vmxnet3", NULL}, {"hv_netvsc", NULL}, {"r8152", NULL}, {"cdc_ether", NULL},
	{"cdc_ncm", NULL}, {"ax88179_178a", NULL}, {"asix", NULL},
};

/*
 * What `generic` adds for arm64 (drivers_for_arch): the NICs of arm64
 * servers and boards (names a tree lacks are skipped): AWS's ENA, Cavium
 * ThunderX, HiSilicon, Ampere/APM X-Gene, AMD Seattle, Marvell, Cadence,
 * Synopsys (stmmac).  x86's set, and so its images' bytes, stay as they were.
 */
static const struct module_rule generic_arm64[] = {
	{"ena", NULL}, {"nicvf", NULL}, {"thunder_bgx", NULL}, {"hns3", NULL},
	{"xgene-enet", NULL}, {"amd-xgbe", NULL}, {"mvpp2", NULL}, {"mvneta", NULL},
	{"macb", NULL}, {"dwmac-generic", NULL},
};

const char *const driver_set_names[] = {"generic", "host", "none", NULL};

/* The NIC `minos run --net user` gives a VM: virtio-net, on PCI or (microvm) MMIO. */
static const struct module_rule vm_net[] = {
	{"virtio_pci", NULL}, {"virtio_mmio", NULL}, {"virtio_net", NULL},
};

/* What `minos run --share` needs: 9p over virtio, on PCI or (microvm) MMIO. */
static const struct module_rule vm_share[] = {
	{"virtio_pci", NULL}, {"virtio_mmio", NULL}, {"9pnet_virtio", NULL}, {"9p", NULL},
};

/* And --host-root's: the host's root through 9p, under an overlay. */
static const struct module_rule vm_host_root[] = {
	{"virtio_pci", NULL}, {"virtio_mmio", NULL}, {"9pnet_virtio", NULL}, {"9p", NULL},
	{"overlay", NULL},
};

/* What minos test --dump needs: pvpanic on PCI or ISA (microvm), and fw_cfg's driver, which
 * hands QEMU the kernel's vmcoreinfo for the dump. */
static const struct module_rule vm_dump[] = {
	{"pvpanic_pci", NULL}, {"pvpanic_mmio", NULL}, {"qemu_fw_cfg", NULL},
};

/* minos test's channel and minos run's terminal on arm64: a virtio-serial port on PCI */
static const struct module_rule vm_channel[] = {
	{"virtio_pci", NULL}, {"virtio_console", NULL},
};

static void add_set(struct drivers *d, const struct module_rule *rules, size_t n)
{
	for (int i = 0; i < d->nsets; i++)
		if (d->sets[i].rules == rules)
			return;
	if (d->nsets < DRIVER_SETS) {
		d->sets[d->nsets].rules = rules;
		d->sets[d->nsets++].n = n;
	}
}

void drivers_add_vm_net(struct drivers *d)
{
	add_set(d, vm_net, ARRAY_SIZE(vm_net));
}

void drivers_add_vm_share(struct drivers *d)
{
	add_set(d, vm_share, ARRAY_SIZE(vm_share));
}

void drivers_add_vm_dump(struct drivers *d)
{
	add_set(d, vm_dump, ARRAY_SIZE(vm_dump));
}

void drivers_for_arch(struct drivers *d, enum arch arch)
{
	int has = 0;

	for (int i = 0; i < d->nsets; i++)
		has |= d->sets[i].rules == generic;
	if (has && arch == ARCH_ARM64)
		add_set(d, generic_arm64, ARRAY_SIZE(generic_arm64));
}

void drivers_add_vm_channel(struct drivers *d)
{
	add_set(d, vm_channel, ARRAY_SIZE(vm_channel));
}

void drivers_add_vm_host_root(struct drivers *d)
{
	add_set(d, vm_host_root, ARRAY_SIZE(vm_host_root));
}

/*
 * What a live system needs to find its medium and mount its root, whatever
 * --drivers says: CD, USB stick, SATA and NVMe disks, virtio, and the
 * filesystems minos-init loads by name (persistence's included).
 */
static const struct module_rule live[] = {
	{"sr_mod", NULL}, {"sd_mod", NULL}, {"ahci", NULL}, {"ata_piix", NULL}, {"nvme", NULL},
	{"drivers/usb/storage/", NULL}, {"xhci_pci", NULL}, {"ehci_pci", NULL},
	{"uhci_hcd", NULL}, {"ohci_pci", NULL}, {"virtio_pci", NULL}, {"virtio_blk", NULL},
	{"virtio_scsi", NULL}, {"loop", NULL}, {"isofs", NULL}, {"squashfs", NULL},
	{"overlay", NULL}, {"ext4", NULL}, {"btrfs", NULL}, {"xfs", NULL},
};

void drivers_add_live(struct drivers *d)
{
	add_set(d, live, ARRAY_SIZE(live));
}

/*
 * What a root on LUKS, LVM or md RAID needs of the kernel (--root-stack,
 * --rescue): device-mapper's crypt target with every cipher and hash the
 * kernel has as a module (LUKS headers name theirs; dracut's crypt module
 * does the same), LVM's targets (snapshots, mirrors and RAID, thin pools,
 * caches), md's personalities; and FUSE for a rescue's ntfs-3g.
 */
static const struct module_rule stack_luks[] = {
	{"dm_crypt", NULL}, {"dm_integrity", NULL}, {"crypto/", NULL},
	{"arch/x86/crypto/", NULL}, {"arch/arm64/crypto/", NULL},
};
static const struct module_rule stack_lvm[] = {
	{"dm_mod", NULL}, {"dm_snapshot", NULL}, {"dm_mirror", NULL}, {"dm_raid", NULL},
	{"dm_thin_pool", NULL}, {"dm_cache", NULL}, {"dm_cache_smq", NULL}, {"dm_zero", NULL},
};
static const struct module_rule stack_md[] = {
	{"md_mod", NULL}, {"linear", NULL}, {"raid0", NULL}, {"raid1", NULL}, {"raid10", NULL},
	{"raid456", NULL},
};
static const struct module_rule rescue[] = {
	{"fuse", NULL},
};

void drivers_add_root_stack(struct drivers *d, unsigned stack)
{
	if (stack & STACK_LUKS)
		add_set(d, stack_luks, ARRAY_SIZE(stack_luks));
	if (stack & STACK_LVM)
		add_set(d, stack_lvm, ARRAY_SIZE(stack_lvm));
	if (stack & STACK_MD)
		add_set(d, stack_md, ARRAY_SIZE(stack_md));
	if (stack & STACK_RESCUE)
		add_set(d, rescue, ARRAY_SIZE(rescue));
}

struct module_rule *drivers_rules(const struct drivers *d, size_t *n)
{
	struct module_rule *v = NULL;

	*n = 0;
	for (int i = 0; i < d->nsets; i++) {
		v = xrealloc(v, (*n + d->sets[i].n) * sizeof(*v));
		memcpy(v + *n, d->sets[i].rules, d->sets[i].n * sizeof(*v));
		*n += d->sets[i].n;
	}
	return v;
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

int drivers_parse(struct drivers *d, const char *arg)
{
	const char *p = arg;

	d->given = 1;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0)
			return fail("--drivers", "'%s' has an empty name", arg);
		if (n == 7 && !memcmp(p, "generic", 7)) {
			add_set(d, generic, ARRAY_SIZE(generic));
		} else if (n == 4 && !memcmp(p, "host", 4)) {
			d->host = 1;
		} else if (n == 4 && !memcmp(p, "none", 4)) {
			/* nothing more */
		} else if (memchr(p, '/', n)) {
			return fail("--drivers", "'%.*s' is no driver set and no module name", (int)n, p);
		} else {
			push(&d->names, &d->nnames, xasprintf("%.*s", (int)n, p));
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

void drivers_free(struct drivers *d)
{
	for (size_t i = 0; i < d->nnames; i++)
		free((char *)d->names[i]);
	free(d->names);
	*d = (struct drivers){0};
}

int drivers_any(const struct drivers *d)
{
	return d->nsets || d->host || d->nnames;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every modalias file under dir (a directory fd, taken), depth-first, symlinks not followed. */
static void walk(int dir, int depth, char ***out, size_t *n)
{
	DIR *d = fdopendir(dir);
	struct dirent *e;

	if (!d) {
		close(dir);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_DIR && depth < 32) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				walk(sub, depth + 1, out, n);
		} else if (e->d_type == DT_REG && !strcmp(e->d_name, "modalias")) {
			char buf[512];
			int fd = openat(dirfd(d), "modalias", O_RDONLY | O_CLOEXEC);
			ssize_t got = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

			if (fd >= 0)
				close(fd);
			if (got <= 0)
				continue;
			buf[got] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (buf[0]) {
				*out = xrealloc(*out, (*n + 1) * sizeof(**out));
				(*out)[(*n)++] = xstrdup(buf);
			}
		}
	}
	closedir(d);
}

int drivers_host_aliases(const char *root, char ***out, size_t *n)
{
	char *top = xasprintf("%s/devices", root ? root : "/sys");
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t kept = 0;

	*out = NULL;
	*n = 0;
	if (fd < 0) {
		int rc = fail_errno(top, "cannot read this machine's devices for --drivers host");

		free(top);
		return rc;
	}
	free(top);
	walk(fd, 0, out, n);
	sort_items(*out, *n, sizeof(**out), by_string);
	for (size_t i = 0; i < *n; i++) {
		if (kept && !strcmp((*out)[kept - 1], (*out)[i]))
			free((*out)[i]);
		else
			(*out)[kept++] = (*out)[i];
	}
	*n = kept;
	return 0;
}
