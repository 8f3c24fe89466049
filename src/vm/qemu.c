/*
 * qemu.c - QEMU for minos: the flags for a fast headless boot, every host
 * endpoint a Unix socket in a private directory (so any number of guests
 * run side by side), and KVM only when it really runs the guest.
 */
#include "vm/qemu.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/initrd.h"
#include "image/kernel.h"
#include "media/iso.h"
#include "media/netboot.h"
#include "vm/timeline.h"
#include "util/util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
/* Secure Boot: the firmware built with it, variables with Microsoft's keys enrolled */
#define OVMF_SB_CODE "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
#define OVMF_SB_VARS "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"
/* arm64's (AAVMF): one build; Secure Boot is the variables with Microsoft's keys enrolled */
#define AAVMF_CODE "/usr/share/AAVMF/AAVMF_CODE.fd"
#define AAVMF_VARS "/usr/share/AAVMF/AAVMF_VARS.fd"
#define AAVMF_SB_VARS "/usr/share/AAVMF/AAVMF_VARS.ms.fd"
/* virt's PL011, for earlycon */
#define VIRT_UART "0x9000000"
#define KVM_PROGRESS_MS 5000	/* a KVM guest prints within 1 s */
#define CONNECT_MS 20000

const char *const accel_names[] = {"auto", "kvm", "tcg", NULL};
const char *const boot_names[] = {"auto", "pvh", "bzimage", NULL};
const char *const machine_names[] = {"auto", "microvm", "pc", "q35", "virt", NULL};
const char *const net_names[] = {"none", "user", NULL};

/* QEMU for the guest's architecture */
static const char *qemu_binary(const struct vm_config *c)
{
	return c->arch == ARCH_ARM64 ? "qemu-system-aarch64" : "qemu-system-x86_64";
}

static const char *firmware_code(const struct vm_config *c)
{
	if (c->arch == ARCH_ARM64)
		return AAVMF_CODE;
	return c->secure_boot ? OVMF_SB_CODE : OVMF_CODE;
}

static const char *firmware_vars(const struct vm_config *c)
{
	if (c->arch == ARCH_ARM64)
		return c->secure_boot ? AAVMF_SB_VARS : AAVMF_VARS;
	return c->secure_boot ? OVMF_SB_VARS : OVMF_VARS;
}

int vm_config_init(struct vm_config *c)
{
	const char *env = getenv("MINOS_ACCEL");

	*c = (struct vm_config){.memory_mb = 512, .cpus = 1, .pvh.fd = -1, .net = NET_DEFAULT};
	initramfs_opts_init(&c->initramfs);
	if (env && *env && vm_config_opt(c, OPT_ACCEL, env) < 0)
		return fail("MINOS_ACCEL", "must be auto, kvm or tcg");
	return 0;
}


/*
 * --share HOSTDIR[:GUESTDIR][:ro]: the host directory must be one; the
 * guest's path is absolute, the host's own by default.
 */
static int add_share(struct vm_config *c, const char *arg)
{
	char *spec = xstrdup(arg), *guest = strchr(spec, ':'), *host;
	struct share sh = {0};
	size_t n = strlen(spec);
	struct stat st;

	if (n > 3 && !strcmp(spec + n - 3, ":ro")) {
		sh.ro = 1;
		spec[n - 3] = '\0';
		guest = strchr(spec, ':');
	}
	if (guest)
		*guest++ = '\0';
	if (!*spec || (guest && guest[0] != '/')) {
		free(spec);
		return fail("--share", "'%s': expected HOSTDIR[:/GUESTDIR][:ro]", arg);
	}
	if (!(host = realpath(spec, NULL)) || stat(host, &st) < 0 || !S_ISDIR(st.st_mode)) {
		int e = host ? ENOTDIR : errno;

		free(host);
		fail("--share", "%s: %s", spec, strerror(e));
		free(spec);
		return -1;
	}
	sh.host = host;
	sh.guest = xstrdup(guest ? guest : host);
	free(spec);
	if (strspn(sh.guest, "/") == strlen(sh.guest)) {	/* "/", "//" */
		free(sh.host);
		free(sh.guest);
		return fail("--share", "'%s': a share at / would hide the guest's own system; "
			    "give a GUESTDIR", arg);
	}
	c->shares = xrealloc(c->shares, (c->nshares + 1) * sizeof(*c->shares));
	c->shares[c->nshares++] = sh;
	return 1;
}
/* --net user|none|tap:NAME */
static int net_opt(struct vm_config *c, const char *arg)
{
	int i;

	if (!strncmp(arg, "tap:", 4)) {
		size_t n = strlen(arg + 4);

		if (!n || n > 15 || strspn(arg + 4, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
			return fail("--net", "'%s': tap:NAME needs a network interface's "
				    "name (1 to 15 of A-Z a-z 0-9 _ . -)", arg);
		c->net = NET_TAP;
		c->tap = arg + 4;
		return 1;
	}
	if ((i = pick_word("--net", arg, net_names)) < 0)
		return -1;
	c->net = (enum net)i;
	return 1;
}

/* --forward HOSTPORT:GUESTPORT */
static int forward_opt(struct vm_config *c, const char *arg)
{
	struct forward f;
	char *end;

	f.host = strtol(arg, &end, 10);
	if (end == arg || *end != ':' || f.host < 1 || f.host > 65535 ||
	    parse_long(end + 1, 1, 65535, &f.guest) < 0)
		return fail("--forward", "'%s': expected HOSTPORT:GUESTPORT (TCP ports)", arg);
	c->forwards = xrealloc(c->forwards, (c->nforwards + 1) * sizeof(*c->forwards));
	c->forwards[c->nforwards++] = f;
	return 1;
}

int vm_config_opt(struct vm_config *c, int opt, const char *arg)
{
	int i;

	switch (opt) {
	case OPT_ISO: c->iso = arg; return 1;
	case OPT_USB: c->usb = arg; return 1;
	case OPT_NETBOOT: c->netboot = arg; return 1;
	case OPT_PXE: c->pxe = 1; return 1;
	case OPT_INITRD: c->initrd = arg; return 1;
	case OPT_UEFI: c->uefi = 1; return 1;
	case OPT_SECURE_BOOT: c->uefi = c->secure_boot = 1; return 1;
	case OPT_APPEND: c->append = arg; return 1;
	case OPT_MONITOR: c->monitor = arg; return 1;
	case OPT_VERBOSE: c->verbose = 1; return 1;
	case OPT_ACCEL:
		if ((i = pick_word("--accel", arg, accel_names)) < 0)
			return -1;
		c->accel = (enum accel)i;
		return 1;
	case OPT_BOOT:
		if ((i = pick_word("--boot", arg, boot_names)) < 0)
			return -1;
		c->boot = (enum boot)i;
		return 1;
	case OPT_MACHINE:
		if ((i = pick_word("--machine", arg, machine_names)) < 0)
			return -1;
		c->machine = (enum machine)i;
		return 1;
	case OPT_MEMORY:
		if (parse_long(arg, 64, 1 << 20, &c->memory_mb) < 0)
			return fail("--memory", "'%s': expected megabytes, at least 64", arg);
		return 1;
	case OPT_CPUS:
		if (parse_long(arg, 1, 256, &c->cpus) < 0)
			return fail("--cpus", "'%s': expected 1 to 256", arg);
		return 1;
	case OPT_GDB:
		c->gdb_port = 1234;
		if (arg && parse_long(arg, 1, 65535, &c->gdb_port) < 0)
			return fail("--gdb", "'%s': expected a TCP port", arg);
		return 1;
	case OPT_DISK:
		c->disks = xrealloc(c->disks, (c->ndisks + 1) * sizeof(*c->disks));
		c->disks[c->ndisks++] = arg;
		return 1;
	case OPT_SHARE:
		return add_share(c, arg);
	case OPT_HOST_ROOT: c->host_root = 1; return 1;
	case OPT_QEMU_ARG:
		c->qemu_args = xrealloc(c->qemu_args, (c->nqemu_args + 1) * sizeof(*c->qemu_args));
		c->qemu_args[c->nqemu_args++] = arg;
		return 1;
	case OPT_NET: return net_opt(c, arg);
	case OPT_FORWARD: return forward_opt(c, arg);
	}
	return initramfs_opt(&c->initramfs, opt, arg);
}

/* The kernel's .config: its build tree's, or /boot's config-VERSION; NULL if none. */
static char *config_of(const struct vm_config *c, const char *version)
{
	char *config = NULL;

	if (c->pvh.source == PVH_TREE) {
		config = path_beside(c->pvh.path, ".config");
		if (access(config, R_OK) < 0) {
			free(config);
			config = NULL;
		}
	}
	return config ? config : kernel_config_path(c->kernel, version);
}

/*
 * A KASAN kernel's PVH entry calls C code (xen_prepare_pvh), instrumented,
 * before KASAN's shadow is mapped: it faults at once (6.1).  Its decompressor
 * sets up what it needs: such a kernel boots as a bzImage unless --boot pvh.
 */
static int pvh_breaks(const struct vm_config *c, const char *version)
{
	char *config = config_of(c, version);
	int kasan = config && kernel_config_has(config, "CONFIG_KASAN") == 1;

	free(config);
	return kasan;
}

/* The ELF for a PVH boot, unless the kernel or --boot says bzImage. */
static int find_pvh(struct vm_config *c, const char *version)
{
	char *why = NULL;
	int rc;

	if (c->boot == BOOT_BZIMAGE)
		return 0;
	rc = pvh_find(c->kernel, &c->pvh, &why);
	if (rc > 0 && c->boot == BOOT_AUTO && pvh_breaks(c, version)) {
		pvh_free(&c->pvh);
		c->pvh = (struct pvh){.fd = -1};
		return 0;
	}
	if (rc == 0 && c->boot == BOOT_PVH)
		rc = fail("--boot", "pvh: %s cannot boot through a PVH entry: %s", c->kernel,
			  why ? why : "it has no PVH entry note (CONFIG_PVH)");
	else if (rc == 0 && why)
		warning(c->kernel, "%s: booting the bzImage (slower)", why);
	if (rc > 0 && c->tl && c->pvh.extract_start)
		timeline_mark(c->tl, TL_EXTRACT, c->pvh.extract_start);
	free(why);
	return rc < 0 ? -1 : 0;
}

/*
 * minos test shares the current directory at the same path, so that
 * `minos test -- ./selftest` runs a program built here; not / or a
 * directory of the guest's own system, which it would hide, and not with
 * a kernel whose config is found and has no 9p.
 */
static int share_cwd(struct vm_config *c, const char *version)
{
	static const char *const system[] = {"/bin", "/sbin", "/lib", "/lib64", "/usr", "/etc",
					     "/dev", "/proc", "/sys", "/run", "/init", NULL};
	char *config = kernel_config_path(c->kernel, version), *cwd;
	int rc = 0, no_9p = config && kernel_config_has_any(config, "CONFIG_9P_FS") != 1;

	free(config);
	if (no_9p || !(cwd = getcwd(NULL, 0)))	/* no 9p, or the directory is gone */
		return 0;
	for (const char *const *d = system; *d; d++) {
		size_t n = strlen(*d);

		if (!strncmp(cwd, *d, n) && (cwd[n] == '/' || !cwd[n]))
			goto out;
	}
	if (strcmp(cwd, "/"))
		rc = add_share(c, cwd) < 0 ? -1 : 0;
out:
	free(cwd);
	return rc;
}

/* The current directory, if a share puts it at the same path in the guest. */
static char *shared_cwd(const struct vm_config *c)
{
	char *cwd = c->test ? getcwd(NULL, 0) : NULL;

	for (size_t i = 0; cwd && i < c->nshares; i++) {
		size_t n = strlen(c->shares[i].host);

		if (!strcmp(c->shares[i].host, c->shares[i].guest) &&
		    !strncmp(cwd, c->shares[i].host, n) && (cwd[n] == '/' || !cwd[n]))
			return cwd;
	}
	free(cwd);
	return NULL;
}

/*
 * --host-root: the host's / read-only as the guest's, through 9p under an
 * overlay (minos-init sets it up); minos test's command runs in the
 * current directory, wherever it is.
 */
static int add_host_root(struct vm_config *c, const char *version)
{
	static const char *const need[] = {"CONFIG_9P_FS", "CONFIG_NET_9P_VIRTIO",
					   "CONFIG_OVERLAY_FS"};
	char *config = kernel_config_path(c->kernel, version);

	for (size_t i = 0; config && i < ARRAY_SIZE(need); i++)
		if (kernel_config_has_any(config, need[i]) == 0) {
			fail("--host-root", "%s: the kernel lacks %s", c->kernel, need[i]);
			free(config);
			return -1;
		}
	free(config);
	drivers_add_vm_host_root(&c->initramfs.drivers);
	c->shares = xrealloc(c->shares, (c->nshares + 1) * sizeof(*c->shares));
	c->shares[c->nshares++] = (struct share){xstrdup("/"), xstrdup("/"), 1, 1};
	if (c->test && !c->workdir)
		c->workdir = getcwd(NULL, 0);
	return 0;
}

/*
 * Whether the kernel can run on microvm, as far as its config tells (none
 * found: a distribution's kernel, which can).  Its ACPI needs PCI to read
 * microvm's tables, and without them the serial port's interrupt is
 * unknown: the console hangs at the first write of /init.
 */
static int microvm_fits(const struct vm_config *c, const char *version)
{
	char *config = config_of(c, version);
	int fits = 1;

	if (config)
		fits = kernel_config_has(config, "CONFIG_ACPI") == 1 &&
		       kernel_config_has(config, "CONFIG_PCI") == 1;
	free(config);
	return fits;
}

/* The options that exclude each other, or need another: 0, or -1 said. */
static int check_combinations(struct vm_config *c, const char *image, const char *opt)
{
	if (!!c->iso + !!c->usb + !!c->netboot > 1)
		return fail(opt, "boots an image like --iso, --usb and --netboot: give one of them");
	if (c->pxe && !c->netboot)
		return fail("--pxe", "is for --netboot: the NIC boots as a PXE ROM would");
	if (image && (c->initramfs.kernel || c->initrd))
		return fail(opt, "boots the image's own kernel: no --kernel or --initrd with it");
	if (image && c->boot != BOOT_AUTO)
		return fail("--boot", "is for --kernel boots; %s boots through its GRUB", opt);
	if (c->netboot && c->net == NET_NONE)
		return fail("--netboot", "boots over the user-mode network: not with --net none");
	if (c->net == NET_DEFAULT)
		c->net = c->test && !c->netboot && !c->nforwards ? NET_NONE : NET_USER;
	if (c->nforwards && c->net != NET_USER)
		return fail("--forward", "needs the user-mode network (--net user)");
	if (c->machine == MACHINE_MICROVM && (image || c->uefi || c->ndisks))
		return fail("--machine", "microvm has no PCI and no firmware for %s",
			    image ? opt : c->uefi ? "--uefi" : "--disk");
	if ((c->nshares || c->host_root) && image)
		return fail(c->host_root ? "--host-root" : "--share", "is for --kernel boots: %s "
			    "boots with its own command line", opt);
	if (c->host_root && c->initrd)
		return fail("--host-root", "needs minos-init from the image built on the fly, "
			    "not --initrd");
	if (c->secure_boot && (!image || c->netboot))
		return fail("--secure-boot", "boots an image's signed chain: give --iso or --usb");
	if (c->secure_boot && c->machine == MACHINE_PC)
		return fail("--secure-boot", "needs SMM on a q35 machine, not --machine pc");
	return 0;
}

/* --iso, --usb or --netboot: the image is there and readable. */
static int check_image(const struct vm_config *c, const char *image, const char *opt)
{
	if (c->netboot) {
		struct netboot_info ni;
		int rc = netboot_read(c->netboot, &ni);

		if (rc < 0)
			return -1;
		if (rc == 0)
			return fail(c->netboot, "not a minos netboot directory (no " NB_MARKER "): "
				    "write one with minos netboot -o DIR");
	}
	if (access(image, R_OK) < 0)
		return fail_errno(image, "cannot read image");
	if (c->append)
		warning("--append", "ignored with %s: the image's GRUB entry has the command line",
			opt);
	return 0;
}

/* minos test talks to minos-init: an image another tool made has its own /init. */
static int test_needs_minos_init(const char *initrd)
{
	const char *maker;

	if (initrd_maker(initrd, &maker) < 0)
		return -1;
	if (maker)
		return fail(initrd, "made by %s, whose /init cannot run minos test's command (the "
			    "test channel needs minos-init): use minos initramfs, or minos run", maker);
	return 0;
}

/* The architectures of an ISO's kernels (vmlinuz*): a bit for each. */
struct arches {
	int fd;
	unsigned seen;
};

static void kernel_arch(const struct iso_entry *e, void *ctx)
{
	struct arches *a = ctx;
	const char *base = strrchr(e->path, '/');
	unsigned char h[0x400];

	base = base ? base + 1 : e->path;
	if (strncmp(base, "vmlinuz", 7) || !e->offset || e->size < sizeof(h) ||
	    pread(a->fd, h, sizeof(h), (off_t)e->offset) != (ssize_t)sizeof(h))
		return;
	/* the header says the architecture; the version is not needed */
	if (kernel_header_arch(h, sizeof(h)))
		a->seen |= 1u << kernel_header_arch(h, sizeof(h));
}

static void no_boot(const struct iso_boot *b, void *ctx)
{
	(void)b;
	(void)ctx;
}

/*
 * The architecture of the kernel an image boots: a netboot directory's,
 * an ISO's (or a USB stick's, the same image) if it has one architecture;
 * the host's otherwise (an ISO for both, an image minos cannot read).
 */
static enum arch image_arch(const struct vm_config *c, const char *image)
{
	struct arches a = {.fd = -1};
	enum arch arch = arch_host();

	if (c->netboot) {	/* its marker names its architectures (none: x86_64) */
		struct netboot_info ni;

		if (netboot_read(image, &ni) == 1 && (!ni.arch[0] || !strcmp(ni.arch, "arm64")))
			arch = ni.arch[0] ? ARCH_ARM64 : ARCH_X86_64;
		return arch;
	}
	if (iso_detect(image) != 1 || (a.fd = open(image, O_RDONLY | O_CLOEXEC)) < 0)
		return arch;
	if (iso_read(image, kernel_arch, no_boot, &a) == 0 &&
	    (a.seen == 1u << ARCH_ARM64 || a.seen == 1u << ARCH_X86_64))
		arch = a.seen == 1u << ARCH_ARM64 ? ARCH_ARM64 : ARCH_X86_64;
	close(a.fd);
	return arch;
}

/*
 * What the guest's architecture allows: its machines, KVM only on a host
 * of the same architecture, the host's root only there too.
 */
static int guest_fits(struct vm_config *c)
{
	int arm = c->arch == ARCH_ARM64;

	if (arm && c->machine != MACHINE_AUTO && c->machine != MACHINE_VIRT)
		return fail("--machine", "%s is an x86 machine; an arm64 guest runs on virt",
			    machine_names[c->machine]);
	if (!arm && c->machine == MACHINE_VIRT)
		return fail("--machine", "virt is arm64's machine; an x86_64 guest runs on "
			    "microvm, pc or q35");
	if (c->arch != arch_host() && c->accel == ACCEL_KVM)
		return fail("--accel", "kvm runs guests of the host's architecture (%s), not %s",
			    arch_name(arch_host()), arch_name(c->arch));
	if (c->arch != arch_host() && c->host_root)
		return fail("--host-root", "the host's root is %s, and the guest is %s: "
			    "its programs would not run", arch_name(arch_host()), arch_name(c->arch));
	if (arm && c->boot == BOOT_PVH)
		return fail("--boot", "pvh is x86's entry; an arm64 kernel boots its Image");
	return 0;
}

/*
 * A --kernel boot: the kernel found and its version in *version, and what
 * the image built on the fly needs (the NIC's driver, shares, the host's
 * root).
 */
static int kernel_boot(struct vm_config *c, char **version)
{
	char *k = kernel_find(c->initramfs.kernel);
	struct kernel_info ki;

	if (!k)
		return -1;
	c->kernel = k;
	if (kernel_examine(k, &ki) < 0)
		return -1;
	*version = ki.version;
	if (c->initramfs.arch && c->initramfs.arch != ki.arch)
		return fail(k, "an %s kernel, but --arch says %s", arch_name(ki.arch),
			    arch_name(c->initramfs.arch));
	c->arch = c->initramfs.arch = ki.arch;
	if (guest_fits(c) < 0)
		return -1;
	if (c->initrd && access(c->initrd, R_OK) < 0)
		return fail_errno(c->initrd, "cannot read initrd");
	if (c->test && c->initrd && test_needs_minos_init(c->initrd) < 0)
		return -1;
	/* the on-the-fly image gets the driver of the NIC it is given */
	if (!c->initrd && (c->net == NET_USER || c->net == NET_TAP))
		drivers_add_vm_net(&c->initramfs.drivers);
	if (c->test && !c->initrd && !c->nshares && share_cwd(c, *version) < 0)
		return -1;
	if (!c->initrd && c->nshares)
		drivers_add_vm_share(&c->initramfs.drivers);
	if (!c->initrd && c->dump)
		drivers_add_vm_dump(&c->initramfs.drivers);
	/* arm64's channel is a virtio console port, whose drivers are modules */
	if (!c->initrd && c->arch == ARCH_ARM64 && (c->test || c->term))
		drivers_add_vm_channel(&c->initramfs.drivers);
	c->workdir = shared_cwd(c);
	if (c->host_root && add_host_root(c, *version) < 0)
		return -1;
	return 0;
}

int vm_config_finish(struct vm_config *c)
{
	const char *image = c->iso ? c->iso : c->usb ? c->usb : c->netboot;
	const char *opt = c->iso ? "--iso" : c->usb ? "--usb" : "--netboot";
	char *version = NULL;
	int rc;

	if (initramfs_one_kernel(&c->initramfs) < 0 || check_combinations(c, image, opt) < 0)
		return -1;
	if (image) {	/* --arch, else the image's kernel's, else the host's */
		c->arch = c->initramfs.arch ? c->initramfs.arch : image_arch(c, image);
		c->uefi |= c->arch == ARCH_ARM64;	/* arm64 boots media through UEFI only */
		rc = guest_fits(c) < 0 ? -1 : check_image(c, image, opt);
	} else {
		rc = kernel_boot(c, &version);
	}
	for (size_t i = 0; i < c->ndisks && rc == 0; i++)
		if (access(c->disks[i], R_OK | W_OK) < 0)
			rc = fail_errno(c->disks[i], "cannot use as a disk");
	if (rc == 0 && c->uefi && access(firmware_code(c), R_OK) < 0)
		rc = fail(firmware_code(c), "UEFI firmware missing: install Debian's %s",
			  c->arch == ARCH_ARM64 ? "qemu-efi-aarch64" : "ovmf");
	/* last: the first boot of a kernel unpacks it (x86's PVH entry) */
	if (rc == 0 && !image && c->arch == ARCH_X86_64 && (rc = find_pvh(c, version)) == 0)
		c->microvm_fits = microvm_fits(c, version);
	free(version);
	return rc;
}

char *vm_debug_vmlinux(const struct vm_config *c)
{
	char *tree, *v;

	if (c->pvh.source == PVH_TREE && c->pvh.path)
		return xstrdup(c->pvh.path);
	if (!c->kernel)
		return NULL;
	tree = kernel_tree_of(c->kernel);
	v = tree ? xasprintf("%s/vmlinux", tree) : path_beside(c->kernel, "vmlinux");
	free(tree);
	if (access(v, R_OK) == 0)
		return v;
	free(v);
	return NULL;
}

void vm_config_free(struct vm_config *c)
{
	free((char *)c->kernel);
	free(c->disks);
	free(c->qemu_args);
	free(c->workdir);
	for (size_t i = 0; i < c->nshares; i++) {
		free(c->shares[i].host);
		free(c->shares[i].guest);
	}
	free(c->shares);
	free(c->forwards);
	pvh_free(&c->pvh);
	initramfs_opts_free(&c->initramfs);
	*c = (struct vm_config){0};
}

int kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	return ok;
}

static int listen_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(a.sun_path))
		return fail(path, "socket path too long (set TMPDIR to a shorter directory)");
	strcpy(a.sun_path, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
		fail_errno(path, "cannot listen");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static const char *disk_format(const char *path)
{
	unsigned char m[4] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, m, 4) != 4)
			m[0] = 0;
		close(fd);
	}
	return !memcmp(m, "QFI\xfb", 4) ? "qcow2" : "raw";
}

struct argv {
	char **v;
	size_t n;
};

static void arg(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;

	a->v = xrealloc(a->v, (a->n + 2) * sizeof(char *));
	va_start(ap, fmt);
	a->v[a->n] = xvasprintf(fmt, ap);
	va_end(ap);
	a->v[++a->n] = NULL;
}

static void words(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void words(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *w;

	va_start(ap, fmt);
	w = xvasprintf(fmt, ap);
	va_end(ap);
	buf_add(b, w, strlen(w));
	free(w);
}

/* A path on the command line, which splits at spaces: all but [A-Za-z0-9/._-~] as %XX. */
static void percent_encode(struct buf *b, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (isalnum(*p) || strchr("/._-~", *p))
			buf_add(b, p, 1);
		else
			words(b, "%%%02X", *p);
}

/*
 * The kernel command line of a --kernel boot.  minos's words come first, so
 * that --append can override any of them (the last word wins).
 *   cryptomgr.notests  the crypto self-tests: a third of a second under TCG
 *   quiet              the console only for errors: each byte the serial
 *                      port takes is work for an emulated machine; --verbose,
 *                      --timeline and minos test --log keep the whole log
 *   loglevel=5         minos test's console instead: warnings too, so that
 *                      the kernel's WARNINGs reach its report reader (7 for
 *                      the whole log)
 *   tsc_early_khz      see machine_for()
 */
static void append_cmdline(struct buf *b, const struct vm_config *c, const struct vm *vm,
			   enum accel accel)
{
	int arm = c->arch == ARCH_ARM64;

	words(b, "console=%s panic=-1 cryptomgr.notests", arm ? "ttyAMA0" : "ttyS0");
	if (c->test)	/* minos-init keeps a level given here */
		words(b, c->verbose || c->early_console || c->full_log ? " loglevel=7" :
		      " loglevel=5");
	else if (!c->verbose && !c->early_console)
		words(b, " quiet");
	if (c->test)
		words(b, " minos.test=%s", arm ? "hvc0" : "ttyS1");
	if (c->kunit)	/* KUnit's built-in suites run at boot (where 1 is not already the default) */
		words(b, " kunit.enable=1");
	else if (c->term)	/* the kernel hands TERM= to init's environment */
		words(b, " minos.tty=%s TERM=%s", arm ? "hvc0" : "ttyS1",
		      term_for_guest(c->term));
	if (c->gdb_port)
		words(b, " nokaslr");
	/* An early console shows the kernel's setup and start_kernel as they
	 * happen, for a timeline. */
	if (c->early_console && arm && !(c->append && strstr(c->append, "earlycon")))
		words(b, " earlycon=pl011," VIRT_UART);
	else if (c->early_console && !arm && !(c->append && strstr(c->append, "earlyprintk=")))
		words(b, " earlyprintk=serial,ttyS0,115200");
	if (vm->machine == MACHINE_MICROVM && accel == ACCEL_TCG && vm->tsc_khz)
		words(b, " tsc_early_khz=%ld", vm->tsc_khz);
	/* the network minos gave it, unless the image or the user says otherwise */
	if ((c->net == NET_USER || c->net == NET_TAP) &&
	    !(c->append && strstr(c->append, "minos.net=")))
		words(b, " minos.net=dhcp");
	for (size_t i = 0, n = 0; i < c->nshares; i++) {
		if (c->shares[i].root) {
			words(b, " minos.hostroot=minos%zu", i);
			continue;
		}
		words(b, n++ ? ",minos%zu:" : " minos.share=minos%zu:", i);
		percent_encode(b, c->shares[i].guest);
		if (c->shares[i].ro)
			words(b, ":ro");
	}
	if (c->workdir) {
		words(b, " minos.cwd=");
		percent_encode(b, c->workdir);
	}
	if (c->append)
		words(b, " %s", c->append);
	buf_add(b, "", 1);
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * The TSC and the clock read together: of a few tries, the one read in the
 * fewest cycles (a try the scheduler interrupted is far off).  *tsc is 0 if
 * none was quick.
 */
static void stamp(unsigned long long *tsc, struct timespec *ts)
{
	unsigned long long best = 20000;

	*tsc = 0;
	clock_gettime(CLOCK_MONOTONIC_RAW, ts);	/* the first call faults the vDSO in */
	for (int i = 0; i < 8; i++) {
		struct timespec t;
		unsigned long long before = __rdtsc(), after;

		clock_gettime(CLOCK_MONOTONIC_RAW, &t);
		after = __rdtsc();
		if (after - before < best) {
			best = after - before;
			*tsc = before + best / 2;
			*ts = t;
		}
	}
}
#endif

long host_tsc_khz(void)
{
#if defined(__x86_64__) || defined(__i386__)
	/* Under TCG the guest's TSC is the host's: its rate is worth telling
	 * only if it is constant and never stops. */
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];
	int steady = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			steady = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
			break;
		}
	if (f)
		fclose(f);
	if (steady) {
		unsigned long long t0, t1;
		struct timespec a, b;
		long long ns;

		stamp(&t0, &a);
		do {
			stamp(&t1, &b);
			ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
		} while (ns < 4000000);
		if (t0 && t1)
			return (long)((t1 - t0) * 1000000ULL / (unsigned long long)ns);
	}
#endif
	return 0;
}

/*
 * The machine for this boot.  microvm (no PCI, no ACPI devices to probe)
 * starts the kernel fastest; it serves a PVH boot of --kernel with nothing
 * that needs PCI (no disk, no monitor to plug one in).  Under TCG its
 * kernel has no timer to calibrate the TSC against but the PIT, which fails
 * now and then under load and hangs the boot: the TSC's rate (measured
 * here, once, into vm->tsc_khz) goes on the command line, so without it, pc.
 */
static enum machine machine_for(const struct vm_config *c, struct vm *vm, enum accel accel)
{
	enum machine m = c->machine;

	if (c->arch == ARCH_ARM64)
		return MACHINE_VIRT;
	if (m == MACHINE_AUTO && c->uefi)
		m = MACHINE_Q35;	/* UEFI PCs are PCIe machines */
	else if (m == MACHINE_AUTO)
		m = c->iso || c->usb || c->netboot || c->ndisks || c->monitor || c->nqemu_args ||
		    c->pvh.fd < 0 || !c->microvm_fits ? MACHINE_PC : MACHINE_MICROVM;
	if (m == MACHINE_MICROVM && accel == ACCEL_TCG && !vm->tsc_khz)
		vm->tsc_khz = host_tsc_khz();
	if (m == MACHINE_MICROVM && accel == ACCEL_TCG && !vm->tsc_khz &&
	    c->machine == MACHINE_AUTO)
		m = MACHINE_PC;
	return m;
}

/* QEMU's option syntax: a comma in a value is doubled. */
static void qemu_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		buf_add(b, s, 1);
		if (*s == ',')
			buf_add(b, ",", 1);
	}
}

/* The machine, the accelerator, memory and CPUs. */
static void args_machine(const struct vm_config *c, const struct vm *vm, enum accel accel,
			 struct argv *a)
{
	int micro = vm->machine == MACHINE_MICROVM, virt = vm->machine == MACHINE_VIRT;

	arg(a, "%s", qemu_binary(c));
	arg(a, "-nodefaults"); arg(a, "-no-user-config");
	arg(a, "-display"); arg(a, "none");
	arg(a, "-no-reboot");
	arg(a, "-M");
	/* virt: GICv3, for more than 8 CPUs */
	arg(a, "%s%s", micro ? "microvm,x-option-roms=off" : virt ? "virt,gic-version=3" :
	    machine_names[vm->machine], c->secure_boot && !virt ? ",smm=on" : "");
	arg(a, "-accel"); arg(a, "%s", accel == ACCEL_KVM ? "kvm" : "tcg");
	if (accel == ACCEL_KVM) {
		arg(a, "-cpu"); arg(a, "host");
	} else if (virt) {
		/* every arm64 feature; pointer authentication with QEMU's own
		 * cipher instead of QARMA, which TCG runs several times slower */
		arg(a, "-cpu"); arg(a, "max,pauth-impdef=on");
	}
	arg(a, "-m"); arg(a, "%ld", c->memory_mb);
	arg(a, "-smp"); arg(a, "%ld", c->cpus);
	if (c->dump) {
		/* a panic pauses the guest, through pvpanic where it has the
		 * driver, else at the reboot panic=-1 asks for; its memory is
		 * then dumped, with the kernel's notes vmcoreinfo carries */
		arg(a, "-action"); arg(a, "panic=pause");
		arg(a, "-action"); arg(a, "shutdown=pause");
		arg(a, "-device"); arg(a, "vmcoreinfo");
		arg(a, "-device"); arg(a, micro ? "pvpanic" : "pvpanic-pci");	/* virt: PCI too */
	}
}

/* The console, the test or terminal channel, the monitor: Unix sockets in vm->dir. */
static void args_channels(const struct vm_config *c, const struct vm *vm, struct argv *a)
{
	int micro = vm->machine == MACHINE_MICROVM;

	/* minos test's console is multiplexed: Ctrl-A b sends the serial
	 * line's break, and a break then a letter is the kernel's SysRq */
	arg(a, "-chardev"); arg(a, "socket,id=con,path=%s/con.sock%s", vm->dir,
				c->test ? ",mux=on" : "");
	arg(a, "-serial"); arg(a, "chardev:con");
	if (c->test || c->term) {
		/* ttyS1 carries the test protocol, or minos run's terminal size;
		 * the guest learns it from the command line, or through a
		 * bootloader from an SMBIOS OEM string (microvm has no SMBIOS,
		 * and only boots --kernel). */
		arg(a, "-chardev"); arg(a, "socket,id=ctl,path=%s/ctl.sock", vm->dir);
		if (vm->machine == MACHINE_VIRT) {
			/* virt has one PL011 for Linux: a virtio console port, hvc0 */
			arg(a, "-device"); arg(a, "virtio-serial-pci,id=vser");
			arg(a, "-device"); arg(a, "virtconsole,bus=vser.0,chardev=ctl,name=minos.%s",
					       c->test ? "test" : "tty");
			arg(a, "-smbios"); arg(a, "type=11,value=minos.%s=hvc0", c->test ? "test" : "tty");
		} else if (micro) {
			arg(a, "-device"); arg(a, "isa-serial,chardev=ctl,iobase=0x2f8,irq=3");
		} else {
			arg(a, "-serial"); arg(a, "chardev:ctl");
			arg(a, "-smbios"); arg(a, "type=11,value=minos.%s=ttyS1", c->test ? "test" : "tty");
		}
	}
	arg(a, "-chardev");
	if (c->monitor)
		arg(a, "socket,id=mon,path=%s,server=on,wait=off", c->monitor);
	else
		arg(a, "socket,id=mon,path=%s/monitor.sock,server=on,wait=off", vm->dir);
	arg(a, "-mon"); arg(a, "chardev=mon,mode=readline");
	if (c->test) {	/* minos test's own: an NMI, a crash dump */
		arg(a, "-chardev"); arg(a, "socket,id=qmp,path=%s/qmp.sock,server=on,wait=off",
					vm->dir);
		arg(a, "-mon"); arg(a, "chardev=qmp,mode=control");
	}
}

/* UEFI's firmware and variables; under Secure Boot, flash only SMM may write. */
static void args_firmware(const struct vm_config *c, const struct vm *vm, struct argv *a)
{
	if (c->secure_boot && c->arch == ARCH_X86_64) {
		/* only SMM code may write the variables: the guest cannot turn it off */
		arg(a, "-global"); arg(a, "driver=cfi.pflash01,property=secure,value=on");
	}
	if (c->uefi) {
		arg(a, "-drive"); arg(a, "if=pflash,format=raw,unit=0,readonly=on,file=%s",
				      firmware_code(c));
		arg(a, "-drive"); arg(a, "if=pflash,format=raw,unit=1,file=%s/vars.fd", vm->dir);
	}
}

/* What boots: the CD, the USB stick, the network, or the kernel and initrd. */
static void args_boot(const struct vm_config *c, const struct vm *vm, enum accel accel,
		      struct argv *a)
{
	if (c->iso && vm->machine == MACHINE_VIRT) {
		/* virt has no IDE: a SCSI CD on virtio-scsi, booted first */
		arg(a, "-device"); arg(a, "virtio-scsi-pci,id=scsi");
		arg(a, "-drive"); arg(a, "if=none,id=cd,media=cdrom,readonly=on,file=%s", c->iso);
		arg(a, "-device"); arg(a, "scsi-cd,bus=scsi.0,drive=cd,bootindex=0");
	} else if (c->iso) {
		arg(a, "-drive"); arg(a, "file=%s,media=cdrom,readonly=on,if=ide,index=2", c->iso);
		arg(a, "-boot"); arg(a, "d");
	} else if (c->usb) {
		/* A stick on xHCI, booted first; the guest's writes go nowhere. */
		arg(a, "-device"); arg(a, "qemu-xhci,id=xhci");
		arg(a, "-drive"); arg(a, "if=none,id=stick,format=raw,snapshot=on,file=%s", c->usb);
		arg(a, "-device"); arg(a, "usb-storage,bus=xhci.0,drive=stick,bootindex=0");
	} else if (c->netboot) {
		/* the NIC boots, below */
	} else {
		struct buf cl = {0};

		arg(a, "-kernel");
		if (c->pvh.fd >= 0)
			arg(a, "/dev/fd/%d", c->pvh.fd);
		else
			arg(a, "%s", c->kernel);
		arg(a, "-initrd"); arg(a, "%s", vm->initrd);
		arg(a, "-append");
		append_cmdline(&cl, c, vm, accel);
		arg(a, "%s", (char *)cl.data);
		buf_free(&cl);
	}
	for (size_t i = 0; i < c->ndisks; i++) {
		arg(a, "-drive");
		arg(a, "file=%s,if=virtio,format=%s", c->disks[i], disk_format(c->disks[i]));
	}
}

/* The NIC on QEMU's user-mode network or a tap device, with TFTP and forwards. */
static void args_net(const struct vm_config *c, const struct vm *vm, struct argv *a)
{
	int micro = vm->machine == MACHINE_MICROVM;
	struct buf nd = {0};
	char *fw;

	if (c->net == NET_TAP) {
		/* the host's network, whose DHCP and TFTP it boots from */
		fw = xasprintf("tap,id=net0,ifname=%s,script=no,downscript=no", c->tap);
		buf_add(&nd, fw, strlen(fw));
		free(fw);
	} else {
		buf_add(&nd, "user,id=net0", 12);
	}
	if (c->netboot && c->net == NET_USER) {
		/* QEMU's TFTP server and DHCP's boot file: its NIC ROMs are
		 * iPXE, given the script; --pxe: GRUB's loader, which under
		 * UEFI OVMF's own PXE fetches, without the ROM */
		buf_add(&nd, ",tftp=", 6);
		qemu_escape(&nd, c->netboot);
		fw = xasprintf(",bootfile=%s", vm->machine == MACHINE_VIRT ? NB_EFI_ARM64 :
			       !c->pxe ? NB_IPXE : c->uefi ? NB_EFI : NB_BIOS);
		buf_add(&nd, fw, strlen(fw));
		free(fw);
	}
	for (size_t i = 0; i < c->nforwards; i++) {
		fw = xasprintf(",hostfwd=tcp:127.0.0.1:%ld-:%ld", c->forwards[i].host,
			       c->forwards[i].guest);
		buf_add(&nd, fw, strlen(fw));
		free(fw);
	}
	buf_add(&nd, "", 1);
	arg(a, "-netdev"); arg(a, "%s", (char *)nd.data);
	buf_free(&nd);
	/* no option ROM unless it boots from the network */
	arg(a, "-device");
	/* arm64: no iPXE ROM (QEMU's are x86 code): AAVMF's own PXE boots GRUB's loader */
	arg(a, "%s", micro ? "virtio-net-device,netdev=net0" : !c->netboot ?
	    "virtio-net-pci,netdev=net0,romfile=" : (c->pxe && c->uefi) ||
	    vm->machine == MACHINE_VIRT ?
	    "virtio-net-pci,netdev=net0,romfile=,bootindex=0" :
	    "virtio-net-pci,netdev=net0,bootindex=0");
}

/* gdb's stub, the shares through 9p, and --qemu-arg's words last. */
static void args_debug_shares(const struct vm_config *c, const struct vm *vm, struct argv *a)
{
	int micro = vm->machine == MACHINE_MICROVM;

	if (c->gdb_port) {
		arg(a, "-gdb"); arg(a, "tcp::%ld", c->gdb_port);
		arg(a, "-S");
	}
	for (size_t i = 0; i < c->nshares; i++) {
		struct buf path = {0};

		qemu_escape(&path, c->shares[i].host);
		buf_add(&path, "", 1);
		arg(a, "-fsdev");
		/* multidevs=remap: the inode numbers of mounts under it stay apart */
		arg(a, "local,id=share%zu,path=%s,security_model=none,multidevs=remap%s", i,
		    (char *)path.data,
		    c->shares[i].ro ? ",readonly=on" : "");
		arg(a, "-device");
		arg(a, "%s,fsdev=share%zu,mount_tag=minos%zu",
		    micro ? "virtio-9p-device" : "virtio-9p-pci", i, i);
		buf_free(&path);
	}
	for (size_t i = 0; i < c->nqemu_args; i++)
		arg(a, "%s", c->qemu_args[i]);
}

static void build_argv(const struct vm_config *c, const struct vm *vm,
		       enum accel accel, struct argv *a)
{
	args_machine(c, vm, accel, a);
	args_channels(c, vm, a);
	args_firmware(c, vm, a);
	args_boot(c, vm, accel, a);
	if (c->net == NET_USER || c->net == NET_TAP)
		args_net(c, vm, a);
	args_debug_shares(c, vm, a);
}

/* The private directory, the initrd and the UEFI variables: once per boot. */
static int prepare(const struct vm_config *c, struct vm *vm)
{
	const char *tmp = getenv("TMPDIR");

	if (vm->dir)
		return 0;
	vm->dir = xasprintf("%s/minos.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(vm->dir)) {
		fail_errno(vm->dir, "cannot make a private directory");
		free(vm->dir);
		vm->dir = NULL;
		return -1;
	}
	if (c->uefi) {
		char *vars = xasprintf("%s/vars.fd", vm->dir);
		int rc = copy_new_file(firmware_vars(c), vars, 0600);

		free(vars);
		if (rc < 0)
			return -1;
	}
	if (c->iso || c->usb || c->netboot)
		return 0;
	if (c->initrd) {
		vm->initrd = xstrdup(c->initrd);
		return 0;
	}
	if (c->tl)
		timeline_mark(c->tl, TL_INITRAMFS, now_ms_host());
	if (initramfs_cached(&c->initramfs, &vm->initrd_fd, &vm->initrd_cached) < 0)
		return -1;
	vm->initrd = xasprintf("/dev/fd/%d", vm->initrd_fd);
	return 0;
}

/*
 * QEMU dies with us, whatever kills us: no guest is left running.  It gets
 * the files we hold open for it (as /dev/fd/N), and errfd as its stderr if
 * not -1.
 */
static int spawn_qemu(struct vm *vm, const struct vm_config *c, char **argv, int errfd)
{
	int fds[2], e = 0, keep[2] = {c->pvh.fd, vm->initrd_fd};
	pid_t parent = getpid();

	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail_errno(qemu_binary(c), "cannot run");
	vm->pid = fork();
	if (vm->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(null, 0);
		if (errfd >= 0)
			dup2(errfd, 2);
		for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
			if (keep[i] >= 0)
				fcntl(keep[i], F_SETFD, 0);
		sigprocmask(SIG_SETMASK, &(sigset_t){0}, NULL);
		execvp(argv[0], argv);
		e = errno;
		if (write(fds[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	if (vm->pid > 0 && read(fds[0], &e, sizeof(e)) == sizeof(e)) {
		waitpid(vm->pid, NULL, 0);
		vm->pid = 0;
		errno = e;
	}
	close(fds[0]);
	if (vm->pid <= 0)
		return fail_errno(argv[0], "cannot run (install Debian's %s)",
				  c->arch == ARCH_ARM64 ? "qemu-system-arm" : "qemu-system-x86");
	return 0;
}

static int accept_within(int lfd, struct vm *vm, const struct vm_config *c, const char *what)
{
	long long waited = 0;

	while (waited < CONNECT_MS) {
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		int status;

		if (poll(&p, 1, 100) > 0)
			return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (waitpid(vm->pid, &status, WNOHANG) == vm->pid) {
			vm->pid = 0;
			vm->exited_early = 1;
			if (vm->err >= 0)
				return -1;	/* a KVM try: the caller says it */
			return fail(qemu_binary(c), "exited before connecting its %s "
				    "(its message is above)", what);
		}
		waited += 100;
	}
	return fail(qemu_binary(c), "did not connect its %s", what);
}

int vm_start(const struct vm_config *c, struct vm *vm, enum accel accel)
{
	struct argv a = {0};
	char *con_path, *ctl_path;
	int lcon, lctl = -1, rc = -1, errp[2] = {-1, -1};

	if (prepare(c, vm) < 0)
		return -1;
	vm->accel = accel;
	vm->con = vm->ctl = vm->err = -1;
	vm->machine = machine_for(c, vm, accel);
	/* QEMU's words when KVM fails are held back: a working TCG boot follows */
	if (accel == ACCEL_KVM && c->accel == ACCEL_AUTO && pipe2(errp, O_CLOEXEC) == 0) {
		vm->err = errp[0];
		fcntl(vm->err, F_SETFL, O_NONBLOCK);
	}
	con_path = xasprintf("%s/con.sock", vm->dir);
	ctl_path = xasprintf("%s/ctl.sock", vm->dir);
	unlink(con_path);
	unlink(ctl_path);
	lcon = listen_at(con_path);
	if ((c->test || c->term) && lcon >= 0)
		lctl = listen_at(ctl_path);
	if (lcon < 0 || ((c->test || c->term) && lctl < 0))
		goto out;
	build_argv(c, vm, accel, &a);
	vm->spawn_ms = now_ms_host();
	if (!vm->first_spawn_ms)
		vm->first_spawn_ms = vm->spawn_ms;
	if (spawn_qemu(vm, c, a.v, errp[1]) < 0)
		goto out;
	if (errp[1] >= 0)
		close(errp[1]);
	errp[1] = -1;
	if ((vm->con = accept_within(lcon, vm, c, "console")) < 0 ||
	    ((c->test || c->term) &&
	     (vm->ctl = accept_within(lctl, vm, c, c->test ? "test channel" : "terminal channel")) < 0))
		goto out;
	rc = 0;
out:
	if (errp[1] >= 0)
		close(errp[1]);
	if (lcon >= 0)
		close(lcon);
	if (lctl >= 0)
		close(lctl);
	for (size_t i = 0; i < a.n; i++)
		free(a.v[i]);
	free(a.v);
	free(con_path);
	free(ctl_path);
	return rc;
}

/* What QEMU wrote to err so far, kept in errlog; 0 once it is closed. */
static int take_stderr(struct vm *vm)
{
	char buf[4096];
	ssize_t n;

	while (vm->err >= 0 && (n = read(vm->err, buf, sizeof(buf))) != 0) {
		if (n < 0)
			return errno == EINTR ? 1 : errno == EAGAIN;
		buf_add(&vm->errlog, buf, (size_t)n);
	}
	return 0;
}

void vm_forward_stderr(struct vm *vm)
{
	int open = take_stderr(vm);

	if (vm->errlog.len)
		write_all(2, vm->errlog.data, vm->errlog.len);
	vm->errlog.len = 0;
	if (!open && vm->err >= 0) {
		close(vm->err);
		vm->err = -1;
	}
}

int vm_wait_progress(struct vm *vm, char *seen, size_t size, size_t *n)
{
	long long left = KVM_PROGRESS_MS;
	struct pollfd p = {.fd = vm->con, .events = POLLIN};

	*n = 0;
	while (left > 0) {
		int status;

		take_stderr(vm);
		if (poll(&p, 1, 100) > 0) {
			ssize_t r = read(vm->con, seen, size);

			if (r > 0) {
				*n = (size_t)r;
				return 0;
			}
			return -1;
		}
		if (vm_exited(vm, &status))
			return -1;
		left -= 100;
	}
	return 1;
}

int vm_exited(struct vm *vm, int *status)
{
	if (vm->pid <= 0)
		return 1;
	if (waitpid(vm->pid, status, WNOHANG) == vm->pid) {
		vm->pid = 0;
		return 1;
	}
	return 0;
}

static void vm_stop(struct vm *vm)
{
	int status;

	if (vm->pid > 0) {
		kill(vm->pid, SIGKILL);
		waitpid(vm->pid, &status, 0);
		vm->pid = 0;
	}
	if (vm->con >= 0)
		close(vm->con);
	if (vm->ctl >= 0)
		close(vm->ctl);
	if (vm->err >= 0)
		close(vm->err);
	vm->con = vm->ctl = vm->err = -1;
}

/* Removes what prepare() and vm_start() made; nothing else is in there. */
void vm_destroy(struct vm *vm)
{
	static const char *const files[] = {
		"con.sock", "ctl.sock", "monitor.sock", "qmp.sock", "vars.fd",
	};

	if (vm->err >= 0)
		vm_forward_stderr(vm);
	vm_stop(vm);
	for (size_t i = 0; vm->dir && i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", vm->dir, files[i]);

		unlink(p);
		free(p);
	}
	if (vm->dir && rmdir(vm->dir) < 0)
		warning(vm->dir, "cannot remove: %s", strerror(errno));
	if (vm->initrd_fd >= 0)
		close(vm->initrd_fd);
	buf_free(&vm->errlog);
	free(vm->dir);
	free(vm->initrd);
	vm->dir = vm->initrd = NULL;
	vm->initrd_fd = -1;
}

void vm_say_how(const struct vm_config *c, const struct vm *vm)
{
	static const char *const source[] = {
		[PVH_CACHED] = "vmlinux from the cache",
		[PVH_EXTRACTED] = "vmlinux extracted now",
		[PVH_TREE] = "the build tree's vmlinux",
	};

	fprintf(stderr, "minos: accel: %s; machine: %s",
		vm->accel == ACCEL_KVM ? "kvm" : "tcg (software emulation, slow)",
		machine_names[vm->machine]);
	if (c->pvh.fd >= 0)
		fprintf(stderr, "; kernel: PVH entry, %s", source[c->pvh.source]);
	else if (!c->iso && !c->usb && !c->netboot)
		fputs(c->arch == ARCH_ARM64 ? "; kernel: Image" : "; kernel: bzImage", stderr);
	fprintf(stderr, "%s\n", vm->initrd_cached ? "; initramfs from the cache" : "");
}

int vm_boot(const struct vm_config *c, struct vm *vm, char *seen, size_t size,
	    size_t *n)
{
	enum accel accel = c->accel;

	*n = 0;
	if (accel == ACCEL_KVM && !kvm_usable())
		return fail("/dev/kvm", "--accel kvm: KVM cannot be used here: %s",
			    access("/dev/kvm", F_OK) ? "no /dev/kvm" : "cannot open it");
	if (accel == ACCEL_AUTO)	/* KVM runs the host's architecture only */
		accel = kvm_usable() && !c->gdb_port && c->arch == arch_host() ? ACCEL_KVM : ACCEL_TCG;
	for (;;) {
		int r;

		vm->exited_early = 0;
		if (vm_start(c, vm, accel) < 0) {
			/* QEMU that dies under KVM before it connects: a failed try
			 * (any other failure: vm_destroy() passes on what it said) */
			if (!vm->exited_early || accel != ACCEL_KVM || c->accel != ACCEL_AUTO)
				return -1;
			r = -1;
		} else {
			if (accel != ACCEL_KVM || c->gdb_port)
				break;
			r = vm_wait_progress(vm, seen, size, n);
			if (r == 0) {
				vm_forward_stderr(vm);	/* warnings of a KVM that works */
				break;
			}
		}
		if (r < 0 && c->accel == ACCEL_KVM)
			return fail(qemu_binary(c), "exited at once under KVM");
		if (c->accel == ACCEL_KVM)
			return fail("/dev/kvm", "--accel kvm: the guest made no progress in %d s "
				    "under KVM", KVM_PROGRESS_MS / 1000);
		take_stderr(vm);
		if (c->verbose && vm->errlog.len) {
			fputs("minos: QEMU under KVM said:\n", stderr);
			write_all(2, vm->errlog.data, vm->errlog.len);
		}
		vm->errlog.len = 0;
		vm_stop(vm);
		if (r < 0)
			warning("KVM", "QEMU failed under KVM%s; falling back to TCG (slow; "
				"MINOS_ACCEL=tcg skips the try)", c->verbose ? " (above)" : "");
		else
			warning("KVM", "the guest made no progress in %d s; falling back to TCG "
				"(slow; MINOS_ACCEL=tcg skips the try)", KVM_PROGRESS_MS / 1000);
		accel = ACCEL_TCG;
	}
	vm_say_how(c, vm);
	return 0;
}

/*
 * The guest has the terminfo entries of ncurses-base at best (a Debian
 * root) and BusyBox's few escapes at least: tmux's and screen's types as
 * screen's, other xterm-likes as xterm's, with 256 colours where the host
 * has them; the Linux console and the VTs as they are.
 */
const char *term_for_guest(const char *host)
{
	static const char *const same[] = {"xterm", "xterm-256color", "xterm-color", "screen",
					   "screen-256color", "linux", "vt100", "vt102", "vt220",
					   "rxvt", "rxvt-unicode", "rxvt-unicode-256color", "dumb"};
	int colors = host && strstr(host, "256color");

	if (!host || !*host)
		return "vt102";
	for (size_t i = 0; i < ARRAY_SIZE(same); i++)
		if (!strcmp(host, same[i]))
			return same[i];
	if (!strncmp(host, "tmux", 4) || !strncmp(host, "screen", 6))
		return colors ? "screen-256color" : "screen";
	return colors ? "xterm-256color" : "xterm";
}

int vm_send_winsize(const struct vm *vm, const char *term)
{
	struct winsize ws;
	char line[128];
	int n;

	if (vm->ctl < 0 || ioctl(0, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return -1;
	n = snprintf(line, sizeof(line), "%u %u %s\n", ws.ws_row, ws.ws_col, term_for_guest(term));
	return write_all(vm->ctl, line, (size_t)n);
}
