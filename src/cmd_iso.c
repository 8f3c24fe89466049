/* cmd_iso.c - minos iso: a bootable hybrid ISO from a kernel and an initramfs */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compress.h"
#include "drivers.h"
#include "initramfs.h"
#include "initrd.h"
#include "iso.h"
#include "kernel.h"
#include "rootsrc.h"
#include "util.h"

#define DEFAULT_CMDLINE "console=tty0 console=ttyS0"

enum { OPT_INITRD = 2000, OPT_CMDLINE, OPT_TIMEOUT, OPT_TITLE, OPT_LABEL, OPT_ROOTFS,
       OPT_ROOTFS_COMPRESS, OPT_PERSIST };

struct live {
	const char *src, *compressor;	/* --rootfs, --rootfs-compress */
	uint64_t persist;		/* --persist */
	char *sqfs;			/* the image built from src, a temporary file */
};

static int count_entry(const struct cpio_entry *e, void *ctx)
{
	(void)e;
	++*(size_t *)ctx;
	return 0;
}

/* --initrd: check it unpacks as the kernel would unpack it. */
static int check_initrd(const char *path)
{
	struct unpack_limits lim = UNPACK_LIMITS_DEFAULT;
	size_t entries = 0;

	if (initrd_walk(path, &lim, NULL, count_entry, &entries) < 0)
		return -1;
	if (entries == 0)
		return fail(path, "not an initramfs: no cpio entries");
	return 0;
}

/* init= on the command line (the last, as the kernel takes it), else /sbin/init. */
static char *root_init(const char *cmdline)
{
	const char *init = NULL;
	size_t len = 0;

	for (const char *p = cmdline + strspn(cmdline, " \t"); *p;) {
		size_t n = strcspn(p, " \t");

		if (n > 5 && !strncmp(p, "init=", 5)) {
			init = p + 5;
			len = n - 5;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return init ? strndup(init, len) : xstrdup("/sbin/init");
}

/* --rootfs: the squashfs image, written beside the output (it may be large). */
static int live_root(struct live *l, const char *cmdline, const char *output)
{
	char *init = root_init(cmdline);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct rootsrc_opts ro = {.compressor = l->compressor, .init = init,
				  .clamp = sde && *sde ? source_date_epoch() : -1,
				  .mkfs_time = (uint32_t)source_date_epoch()};
	int kind = rootsrc_kind(l->src), fd, rc;

	if (kind < 0)
		rc = fail_errno(l->src, "cannot read");
	else if (kind == 's')
		rc = rootsrc_check_squashfs(l->src, init);
	else {
		l->sqfs = xasprintf("%s.rootfs.XXXXXX", output);
		if ((fd = mkstemp(l->sqfs)) < 0) {
			rc = fail_errno(l->sqfs, "cannot create");
			free(l->sqfs);
			l->sqfs = NULL;
		} else {
			close(fd);
			rc = rootsrc_write(l->src, l->sqfs, &ro);
		}
	}
	free(init);
	return rc;
}

static int build(struct initramfs_opts *o, const char *initrd, struct iso_spec *s,
		 const char *output, struct live *l)
{
	struct buf img = {0};
	char *path = kernel_find(o->kernel), *version = NULL;
	int rc = -1;

	if (!path || kernel_inspect(path, &version) < 0)
		goto out;
	if (l->src && live_root(l, s->cmdline, output) < 0)
		goto out;
	s->rootfs = l->sqfs ? l->sqfs : l->src;
	s->persist = l->persist;
	if (initrd) {
		if (check_initrd(initrd) < 0)
			goto out;
	} else {
		o->kernel = path;	/* refuse a compression it cannot decode */
		if (initramfs_build(o, sink_buf(&img), output) < 0)
			goto out;
	}
	s->kernel = path;
	s->initrd = initrd;
	s->initrd_data = img.data;	/* iso_write takes it */
	s->initrd_len = img.len;
	img.data = NULL;
	rc = iso_write(s, output);
out:
	buf_free(&img);
	free(version);
	free(path);
	if (l->sqfs)
		unlink(l->sqfs);
	free(l->sqfs);
	return rc;
}

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
	INITRAMFS_LONGOPTS,
	{0},
};

int cmd_iso(int argc, char **argv)
{
	struct iso_spec s = {.title = "minos", .cmdline = DEFAULT_CMDLINE,
			     .label = "MINOS", .timeout = 5};
	struct initramfs_opts o;
	struct live l = {0};
	const char *output = NULL, *initrd = NULL;
	long v;
	int c, rc, builds = 0;

	initramfs_opts_init(&o);
	while ((c = getopt_long(argc, argv, "o:h", iso_options, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; continue;
		case 'h': initramfs_opts_free(&o); help_command("iso", stdout); return 0;
		case OPT_INITRD: initrd = optarg; continue;
		case OPT_CMDLINE: s.cmdline = optarg; continue;
		case OPT_TITLE: s.title = optarg; continue;
		case OPT_LABEL: s.label = optarg; continue;
		case OPT_ROOTFS: l.src = optarg; continue;
		case OPT_ROOTFS_COMPRESS:
			if (strcmp(optarg, "zstd") && strcmp(optarg, "xz")) {
				fail("--rootfs-compress", "'%s' is not zstd or xz", optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			l.compressor = optarg;
			continue;
		case OPT_PERSIST:
			if (parse_size(optarg, &l.persist) < 0 || l.persist < (8 << 20)) {
				fail("--persist", "'%s' is not a size of 8M or more (like 64M or 2G)",
				     optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			continue;
		case OPT_TIMEOUT:
			if (parse_long(optarg, 0, 86400, &v) < 0) {
				fail("--timeout", "'%s' is not a number of seconds (0-86400)", optarg);
				initramfs_opts_free(&o);
				return usage_error("iso");
			}
			s.timeout = (int)v;
			continue;
		}
		if ((rc = initramfs_opt(&o, c, optarg)) < 0) {
			initramfs_opts_free(&o);
			return 2;	/* said what is wrong */
		}
		if (rc == 0) {
			initramfs_opts_free(&o);
			return usage_error("iso");
		}
		builds |= c != OPT_KERNEL;
	}
	if ((rc = no_more_args("iso", output, argc, argv))) {
		initramfs_opts_free(&o);
		return rc;
	}
	if ((l.persist || l.compressor) && !l.src) {
		fail(l.persist ? "--persist" : "--rootfs-compress", "is for a live system: give --rootfs");
		initramfs_opts_free(&o);
		return usage_error("iso");
	}
	if (initrd && builds) {
		fail("--initrd", "gives the initramfs: it excludes the options that build one");
		initramfs_opts_free(&o);
		return usage_error("iso");
	}
	/* an ISO is for real machines: their drivers, unless told otherwise */
	if (!initrd && !o.bare && !o.drivers.given) {
		if (drivers_parse(&o.drivers, "generic") < 0) {
			initramfs_opts_free(&o);
			return 1;
		}
		o.drivers.given = 0;	/* a default: a kernel without modules still gets an ISO */
	}
	if (l.src && !initrd)
		drivers_add_live(&o.drivers);
	rc = build(&o, initrd, &s, output, &l);
	initramfs_opts_free(&o);
	return rc < 0 ? 1 : 0;
}
