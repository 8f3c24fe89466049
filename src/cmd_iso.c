/* cmd_iso.c - minos iso: a bootable hybrid ISO from a kernel and an initramfs */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "compress.h"
#include "drivers.h"
#include "initramfs.h"
#include "initrd.h"
#include "iso.h"
#include "kernel.h"
#include "util.h"

#define DEFAULT_CMDLINE "console=tty0 console=ttyS0"

enum { OPT_INITRD = 2000, OPT_CMDLINE, OPT_TIMEOUT, OPT_TITLE, OPT_LABEL };

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

static int build(struct initramfs_opts *o, const char *initrd, struct iso_spec *s,
		 const char *output)
{
	struct buf img = {0};
	char *path = kernel_find(o->kernel), *version = NULL;
	int rc = -1;

	if (!path || kernel_inspect(path, &version) < 0)
		goto out;
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
	INITRAMFS_LONGOPTS,
	{0},
};

int cmd_iso(int argc, char **argv)
{
	struct iso_spec s = {.title = "minos", .cmdline = DEFAULT_CMDLINE,
			     .label = "MINOS", .timeout = 5};
	struct initramfs_opts o;
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
	rc = build(&o, initrd, &s, output);
	initramfs_opts_free(&o);
	return rc < 0 ? 1 : 0;
}
