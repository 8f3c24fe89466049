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
	struct sb_plan sb;
	const char *output, *initrd;
	const char *rootfs, *compressor;	/* --rootfs, --rootfs-compress */
	uint64_t persist;			/* --persist */
};

/* One option of minos iso's own: 1 taken, 0 not one, -1 bad (said). */
static int iso_opt(struct iso_args *a, int c, const char *arg)
{
	int i;

	switch (c) {
	case 'o': a->output = arg; return 1;
	case OPT_INITRD: a->initrd = arg; return 1;
	case OPT_CMDLINE: a->spec.cmdline = arg; return 1;
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

/* The kernel, its Secure Boot plan, the live root and the initramfs, then the ISO. */
static int build(struct iso_args *a)
{
	struct iso_spec *s = &a->spec;
	struct buf img = {0};
	char *kernel = kernel_find(a->initramfs.kernel), *version = NULL, *sqfs = NULL;
	int rc = -1, on;

	if (!kernel || kernel_inspect(kernel, &version) < 0)
		goto out;
	if ((on = sb_plan_decide(&a->sb, kernel, a->output, &s->kernel)) < 0)
		goto out;
	s->sb = on ? &a->sb.chain : NULL;
	s->enroll = on && a->sb.cert_der.len ? &a->sb.cert_der : NULL;
	if (a->rootfs && rootfs_for_iso(a->rootfs, a->compressor, s->cmdline, a->output,
					&sqfs) < 0)
		goto out;
	s->rootfs = sqfs ? sqfs : a->rootfs;
	s->persist = a->persist;
	if (initramfs_media_image(&a->initramfs, a->initrd, kernel, a->output, &img) < 0)
		goto out;
	s->initrd = a->initrd;
	s->initrd_data = img.data;	/* iso_write takes it */
	s->initrd_len = img.len;
	img.data = NULL;
	rc = iso_write(s, a->output);
out:
	buf_free(&img);
	free(version);
	free(kernel);
	if (sqfs)
		unlink(sqfs);
	free(sqfs);
	sb_plan_free(&a->sb);
	return rc;
}

int cmd_iso(int argc, char **argv)
{
	struct iso_args a = {.spec = {.title = "minos", .cmdline = GRUB_MENU_CMDLINE,
				      .label = "MINOS", .timeout = 5}};
	int rc;

	initramfs_opts_init(&a.initramfs);
	rc = options(&a, argc, argv);
	if (rc == 0)
		rc = build(&a) < 0 ? 1 : 0;
	initramfs_opts_free(&a.initramfs);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
