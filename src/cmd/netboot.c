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

/* What --cmdline, --initrd and the --kernel list give each system. */
struct nb_args {
	const char *cmdline;			/* NULL: each architecture's default */
	const char *initrds[NB_SYSTEMS];
	size_t ninitrds;
};

/* System i: its kernel (an arm64 Image unpacked if compressed), command line, initramfs. */
static int add_system(struct initramfs_opts *o, struct netboot_spec *s, const struct nb_args *a,
		      size_t i, const char *kernel, const char *output, struct buf *img)
{
	struct netboot_system *y = &s->sys[i];
	struct kernel_info ki;

	if (kernel_examine(kernel, &ki) < 0)
		return -1;
	kernel_info_free(&ki);
	for (size_t k = 0; k < i; k++)
		if (s->sys[k].arch == ki.arch)
			return fail(kernel, "a second %s kernel: one per architecture",
				    arch_name(ki.arch));
	y->arch = ki.arch;
	y->kernel = kernel;
	if ((ki.form == KERNEL_IMAGE_GZ || ki.form == KERNEL_ZBOOT) &&
	    kernel_unpack(kernel, &y->kernel_data) < 0)
		return -1;
	y->cmdline = a->cmdline ? a->cmdline : ki.arch == ARCH_ARM64 ? GRUB_MENU_CMDLINE_ARM64 :
		     GRUB_MENU_CMDLINE;
	y->initrd = a->ninitrds ? a->initrds[i] : NULL;
	o->arch = ARCH_NONE;	/* the kernel's */
	if (initramfs_media_image(o, y->initrd, kernel, output, img) < 0)
		return -1;
	y->initrd_data = img->data;
	y->initrd_len = img->len;
	return 0;
}

static int build(struct initramfs_opts *o, struct netboot_spec *s, const struct nb_args *a,
		 const char *output)
{
	struct buf img[NB_SYSTEMS] = {{0}};
	char *found = o->nkernels ? NULL : kernel_find(NULL);
	size_t n = o->nkernels ? o->nkernels : 1;
	int rc = -1;

	if ((!o->nkernels && !found) || netboot_check_output(output) < 0)
		goto out;
	if (n > NB_SYSTEMS || (a->ninitrds && a->ninitrds != n)) {
		fail(n > NB_SYSTEMS ? "--kernel" : "--initrd", n > NB_SYSTEMS ?
		     "given %zu times: one for each architecture (x86_64, arm64)" :
		     "give one for each --kernel (%zu), in the same order", n);
		goto out;
	}
	for (s->nsys = 0; s->nsys < n; s->nsys++)
		if (add_system(o, s, a, s->nsys, found ? found : o->kernels[s->nsys], output,
			       &img[s->nsys]) < 0)
			goto out;
	rc = netboot_write(s, output);
out:
	for (size_t i = 0; i < NB_SYSTEMS; i++) {
		buf_free(&img[i]);
		buf_free(&s->sys[i].kernel_data);
	}
	free(found);
	return rc;
}

/* Options: 0, or the exit status after a usage error (said, with or without "Try"). */
static int options(int argc, char **argv, struct netboot_spec *s, struct initramfs_opts *o,
		   struct nb_args *a, const char **output, char **http)
{
	int c, rc, usage;

	while ((c = getopt_long(argc, argv, "o:h", netboot_options, NULL)) != -1) {
		switch (c) {
		case 'o': *output = optarg; continue;
		case 'h': help_command("netboot", stdout); return -1;
		case OPT_INITRD:
			if (a->ninitrds == NB_SYSTEMS) {
				fail("--initrd", "given more than %d times: one for each --kernel",
				     NB_SYSTEMS);
				return 2;
			}
			a->initrds[a->ninitrds++] = optarg;
			continue;
		case OPT_CMDLINE: a->cmdline = optarg; continue;
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
	if (initramfs_for_media(o, a->ninitrds ? a->initrds[0] : NULL, &usage) < 0)
		return usage ? usage_error("netboot") : 1;
	return 0;
}

int cmd_netboot(int argc, char **argv)
{
	struct netboot_spec s = {.title = "minos"};
	struct nb_args a = {0};
	struct initramfs_opts o;
	const char *output = NULL;
	char *http = NULL;
	int rc;

	initramfs_opts_init(&o);
	rc = options(argc, argv, &s, &o, &a, &output, &http);
	if (rc == 0) {
		s.http = http;
		rc = build(&o, &s, &a, output) < 0 ? 1 : 0;
	}
	initramfs_opts_free(&o);
	free(http);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
