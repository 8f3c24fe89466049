/* cmd/iso.c - minos iso: a bootable hybrid ISO from a kernel and an initramfs */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "image/drivers.h"
#include "image/initramfs.h"
#include "image/kernel.h"
#include "image/rootfs.h"
#include "media/grub.h"
#include "media/iso.h"
#include "media/secureboot.h"
#include "util/util.h"

enum { OPT_INITRD = 2000, OPT_CMDLINE, OPT_TIMEOUT, OPT_TITLE, OPT_LABEL, OPT_ROOTFS,
       OPT_ROOTFS_COMPRESS, OPT_PERSIST, OPT_SECURE_BOOT, OPT_SIGN_KEY, OPT_SIGN_CERT };

const struct option iso_options[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{"initrd", required_argument, NULL, OPT_INITRD},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"title", required_argument, NULL, OPT_TITLE},
	{"label", required_argument, NULL, OPT_LABEL},
	{"rootfs", required_argument, NULL, OPT_ROOTFS},
	{"rootfs-compress", required_argument, NULL, OPT_ROOTFS_COMPRESS},
	{"persist", required_argument, NULL, OPT_PERSIST},
	{"secure-boot", required_argument, NULL, OPT_SECURE_BOOT},
	{"sign-key", required_argument, NULL, OPT_SIGN_KEY},
	{"sign-cert", required_argument, NULL, OPT_SIGN_CERT},
	INITRAMFS_LONGOPTS,
	{0},
};

/* What the command line asked for. */
struct iso_args {
	struct iso_spec spec;
	struct initramfs_opts initramfs;
	struct sb_plan sb;			/* as given: each system's plan starts from it */
	struct sb_plan plans[ISO_SYSTEMS];
	const char *cmdline;			/* --cmdline; NULL: each architecture's default */
	const char *output, *initrd;		/* initrd: the last --initrd given */
	const char *initrds[ISO_SYSTEMS];	/* each --initrd, for each --kernel in turn */
	size_t ninitrds;
	const char *rootfs, *compressor;	/* --rootfs, --rootfs-compress */
	uint64_t persist;			/* --persist */
};

/* One option of minos iso's own: 1 taken, 0 not one, -1 bad (said). */
static int iso_opt(struct iso_args *a, int c, const char *arg)
{
	int i;

	switch (c) {
	case 'o': a->output = arg; return 1;
	case OPT_INITRD:
		if (a->ninitrds == ISO_SYSTEMS)
			return fail("--initrd", "given more than %d times: one for each --kernel",
				    ISO_SYSTEMS);
		a->initrd = a->initrds[a->ninitrds++] = arg;
		return 1;
	case OPT_CMDLINE: a->cmdline = arg; return 1;
	case OPT_TITLE: a->spec.title = arg; return 1;
	case OPT_LABEL: a->spec.label = arg; return 1;
	case OPT_ROOTFS: a->rootfs = arg; return 1;
	case OPT_SIGN_KEY: a->sb.key = arg; return 1;
	case OPT_SIGN_CERT: a->sb.cert = arg; return 1;
	case OPT_TIMEOUT: return grub_timeout_opt(arg, &a->spec.timeout) < 0 ? -1 : 1;
	case OPT_SECURE_BOOT:
		if ((i = pick_word("--secure-boot", arg, sb_mode_names)) < 0)
			return -1;
		a->sb.mode = (enum sb_mode)i;
		return 1;
	case OPT_ROOTFS_COMPRESS:
		if (pick_word("--rootfs-compress", arg, rootfs_compressors) < 0)
			return -1;
		a->compressor = arg;
		return 1;
	case OPT_PERSIST:
		if (parse_size(arg, &a->persist) < 0 || a->persist < (8 << 20))
			return fail("--persist", "'%s' is not a size of 8M or more (like 64M or 2G)",
				    arg);
		return 1;
	}
	return initramfs_opt(&a->initramfs, c, arg);
}

/* The options: 0, 2 after a usage error (said), -1 for --help. */
static int options(struct iso_args *a, int argc, char **argv)
{
	int c, rc, usage;

	while ((c = getopt_long(argc, argv, "o:h", iso_options, NULL)) != -1) {
		if (c == 'h') {
			help_command("iso", stdout);
			return -1;
		}
		if ((rc = iso_opt(a, c, optarg)) == 1)
			continue;
		/* an initramfs option's error is whole; ours point to the help */
		return rc < 0 && c < OPT_INITRD ? 2 : usage_error("iso");
	}
	if ((rc = no_more_args("iso", a->output, argc, argv)))
		return rc;
	if ((a->persist || a->compressor) && !a->rootfs) {
		fail(a->persist ? "--persist" : "--rootfs-compress", "is for a live system: give --rootfs");
		return usage_error("iso");
	}
	if (sb_plan_check(&a->sb) < 0)
		return usage_error("iso");
	if (initramfs_for_media(&a->initramfs, a->initrd, &usage) < 0)
		return usage ? usage_error("iso") : 1;
	if (a->rootfs && !a->initrd)
		drivers_add_live(&a->initramfs.drivers);
	return 0;
}

/*
 * A kernel GRUB boots as it is, or (an arm64 Image.gz or EFI zboot image,
 * which GRUB 2.06 refuses) its Image unpacked into y->kernel_data, which
 * Secure Boot cannot vouch for.  *sb_off: the plan is off for it.
 */
static int system_kernel(struct iso_args *a, size_t i, const char *kernel,
			 const struct kernel_info *ki, int *sb_off)
{
	struct iso_system *y = &a->spec.sys[i];

	*sb_off = 0;
	if (ki->form != KERNEL_IMAGE_GZ && ki->form != KERNEL_ZBOOT)
		return 0;
	if (kernel_unpack(kernel, &y->kernel_data) < 0)
		return -1;
	if (a->plans[i].mode == SB_ON)
		return fail(kernel, "a compressed arm64 Image: GRUB boots it unpacked, and "
			    "unpacked it carries no signature Secure Boot trusts");
	if (a->plans[i].mode == SB_AUTO)
		warning(kernel, "a compressed arm64 Image, booted unpacked: no Secure Boot");
	*sb_off = 1;
	return 0;
}

/* System i: kernel, Secure Boot plan, command line, initramfs. */
static int add_system(struct iso_args *a, size_t i, const char *kernel)
{
	struct iso_system *y = &a->spec.sys[i];
	struct kernel_info ki;
	struct buf img = {0};
	int on = 0, off, rc;

	if (kernel_examine(kernel, &ki) < 0)
		return -1;
	kernel_info_free(&ki);
	y->arch = ki.arch;
	for (size_t k = 0; k < i; k++)
		if (a->spec.sys[k].arch == ki.arch)
			return fail(kernel, "a second %s kernel: the ISO boots one per architecture",
				    arch_name(ki.arch));
	a->plans[i] = (struct sb_plan){.mode = a->sb.mode, .key = a->sb.key, .cert = a->sb.cert,
				       .arch = ki.arch};
	y->kernel = kernel;
	if (system_kernel(a, i, kernel, &ki, &off) < 0 ||
	    (!off && (on = sb_plan_decide(&a->plans[i], kernel, a->output, &y->kernel)) < 0))
		return -1;
	y->sb = on ? &a->plans[i].chain : NULL;
	if (on && a->plans[i].cert_der.len)
		a->spec.enroll = &a->plans[i].cert_der;
	y->cmdline = a->cmdline ? a->cmdline : ki.arch == ARCH_ARM64 ? GRUB_MENU_CMDLINE_ARM64 :
		     GRUB_MENU_CMDLINE;
	a->initramfs.arch = ARCH_NONE;	/* the kernel's */
	y->initrd = a->ninitrds ? a->initrds[i] : NULL;
	rc = initramfs_media_image(&a->initramfs, y->initrd, kernel, a->output, &img);
	y->initrd_data = img.data;	/* iso_write takes it */
	y->initrd_len = img.len;
	return rc;
}

/* The kernels (one per architecture), the live root, each system, then the ISO. */
static int build(struct iso_args *a)
{
	struct iso_spec *s = &a->spec;
	struct initramfs_opts *o = &a->initramfs;
	char *found = o->nkernels ? NULL : kernel_find(NULL), *sqfs = NULL;
	size_t n = o->nkernels ? o->nkernels : 1;
	int rc = -1;

	if (!o->nkernels && !found)
		goto out;
	if (n > ISO_SYSTEMS || (a->ninitrds && a->ninitrds != n)) {
		fail(n > ISO_SYSTEMS ? "--kernel" : "--initrd", n > ISO_SYSTEMS ?
		     "given %zu times: one for each architecture (x86_64, arm64)" :
		     "give one for each --kernel (%zu), in the same order", n);
		goto out;
	}
	if (a->rootfs && n > 1) {
		fail("--rootfs", "is one architecture's root: give one --kernel with it");
		goto out;
	}
	for (s->nsys = 0; s->nsys < n; s->nsys++)
		if (add_system(a, s->nsys, found ? found : o->kernels[s->nsys]) < 0)
			goto out;
	if (a->rootfs && rootfs_for_iso(a->rootfs, a->compressor, s->sys[0].cmdline, a->output,
					&sqfs) < 0)
		goto out;
	s->rootfs = sqfs ? sqfs : a->rootfs;
	s->persist = a->persist;
	rc = iso_write(s, a->output);
	for (size_t i = 0; i < ISO_SYSTEMS; i++) {	/* iso_write took the data */
		s->sys[i].initrd_data = NULL;
		s->sys[i].kernel_data = (struct buf){0};
	}
out:
	for (size_t i = 0; i < ISO_SYSTEMS; i++) {
		free(s->sys[i].initrd_data);
		buf_free(&s->sys[i].kernel_data);
	}
	for (size_t i = 0; i < ISO_SYSTEMS; i++)
		sb_plan_free(&a->plans[i]);
	free(found);
	if (sqfs)
		unlink(sqfs);
	free(sqfs);
	sb_plan_free(&a->sb);
	return rc;
}

int cmd_iso(int argc, char **argv)
{
	struct iso_args a = {.spec = {.title = "minos", .label = "MINOS", .timeout = 5}};
	int rc;

	initramfs_opts_init(&a.initramfs);
	rc = options(&a, argc, argv);
	if (rc == 0)
		rc = build(&a) < 0 ? 1 : 0;
	initramfs_opts_free(&a.initramfs);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
