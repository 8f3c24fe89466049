/* cmd/netboot.c - minos netboot: a directory to boot a fleet from the network */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "image/initramfs.h"
#include "image/kernel.h"
#include "media/grub.h"
#include "media/netboot.h"
#include "util/util.h"

enum { OPT_INITRD = 2100, OPT_CMDLINE, OPT_TITLE, OPT_TIMEOUT, OPT_HTTP };

const struct option netboot_options[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{"initrd", required_argument, NULL, OPT_INITRD},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"title", required_argument, NULL, OPT_TITLE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"http", required_argument, NULL, OPT_HTTP},
	INITRAMFS_LONGOPTS,
	{0},
};

static int build(struct initramfs_opts *o, struct netboot_spec *s, const char *output)
{
	struct buf img = {0};
	char *kernel = kernel_find(o->kernel);
	int rc = -1;

	if (!kernel || netboot_check_output(output) < 0)
		goto out;
	s->kernel = kernel;
	if (initramfs_media_image(o, s->initrd, kernel, output, &img) < 0)
		goto out;
	s->initrd_data = img.data;
	s->initrd_len = img.len;
	rc = netboot_write(s, output);
out:
	buf_free(&img);
	free(kernel);
	return rc;
}

/* Options: 0, or the exit status after a usage error (said, with or without "Try"). */
static int options(int argc, char **argv, struct netboot_spec *s, struct initramfs_opts *o,
		   const char **output, char **http)
{
	int c, rc, usage;

	while ((c = getopt_long(argc, argv, "o:h", netboot_options, NULL)) != -1) {
		switch (c) {
		case 'o': *output = optarg; continue;
		case 'h': help_command("netboot", stdout); return -1;
		case OPT_INITRD: s->initrd = optarg; continue;
		case OPT_CMDLINE: s->cmdline = optarg; continue;
		case OPT_TITLE: s->title = optarg; continue;
		case OPT_HTTP:	/* a bad value is said in one line */
			free(*http);
			if (!(*http = netboot_http_base(optarg)))
				return 2;
			continue;
		case OPT_TIMEOUT:
			if (grub_timeout_opt(optarg, &s->timeout) < 0)
				return 2;
			continue;
		}
		if ((rc = initramfs_opt(o, c, optarg)) < 0)
			return 2;	/* said what is wrong */
		if (rc == 0)
			return usage_error("netboot");
	}
	if ((rc = no_more_args("netboot", *output, argc, argv)))
		return rc;
	if (initramfs_one_kernel(o) < 0)
		return usage_error("netboot");
	if (initramfs_for_media(o, s->initrd, &usage) < 0)
		return usage ? usage_error("netboot") : 1;
	return 0;
}

int cmd_netboot(int argc, char **argv)
{
	struct netboot_spec s = {.cmdline = GRUB_MENU_CMDLINE, .title = "minos"};
	struct initramfs_opts o;
	const char *output = NULL;
	char *http = NULL;
	int rc;

	initramfs_opts_init(&o);
	rc = options(argc, argv, &s, &o, &output, &http);
	if (rc == 0) {
		s.http = http;
		rc = build(&o, &s, output) < 0 ? 1 : 0;
	}
	initramfs_opts_free(&o);
	free(http);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
