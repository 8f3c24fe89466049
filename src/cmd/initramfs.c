/* cmd/initramfs.c - minos initramfs: write an initramfs file */
#include <getopt.h>
#include <stdio.h>

#include "cmd/commands.h"
#include "image/initramfs.h"
#include "util/util.h"

const struct option initramfs_options[] = {
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	INITRAMFS_LONGOPTS,
	{0},
};

int cmd_initramfs(int argc, char **argv)
{
	struct initramfs_opts o;
	const char *output = NULL;
	struct outfile out;
	int c, rc;

	initramfs_opts_init(&o);
	while ((c = getopt_long(argc, argv, "o:h", initramfs_options, NULL)) != -1) {
		if (c == 'o')
			output = optarg;
		else if (c == 'h') {
			initramfs_opts_free(&o);
			help_command("initramfs", stdout);
			return 0;
		} else if ((rc = initramfs_opt(&o, c, optarg)) < 0) {
			initramfs_opts_free(&o);
			return 2;	/* said what is wrong */
		} else if (rc == 0) {
			initramfs_opts_free(&o);
			return usage_error("initramfs");
		}
	}
	if ((rc = no_more_args("initramfs", output, argc, argv)) ||
	    (initramfs_one_kernel(&o) < 0 && (rc = usage_error("initramfs")))) {
		initramfs_opts_free(&o);
		return rc;
	}
	rc = outfile_open(&out, output, 0644);
	if (!rc) {
		rc = initramfs_build(&o, sink_fd(out.fd, output), output);
		if (rc)
			outfile_abort(&out);
		else
			rc = outfile_commit(&out);
	}
	initramfs_opts_free(&o);
	return rc ? 1 : 0;
}
