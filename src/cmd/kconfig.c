/*
 * cmd/kconfig.c - minos kconfig: add to a kernel tree's .config what a
 * minos boot needs (image/kconfig.c), then let the tree's own
 * olddefconfig settle the rest.  The architecture is the tree's (its
 * .config's), or --arch's.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/commands.h"
#include "image/kconfig.h"
#include "util/arch.h"
#include "util/util.h"

const struct option kconfig_options[] = {
	{"minimal", no_argument, NULL, 'm'},
	{"list", no_argument, NULL, 'l'},
	{"arch", required_argument, NULL, 'a'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

int cmd_kconfig(int argc, char **argv)
{
	int c, minimal = 0, list = 0;
	enum arch arch = ARCH_NONE;
	const char *dir;
	size_t set;

	while ((c = getopt_long(argc, argv, "h", kconfig_options, NULL)) != -1) {
		if (c == 'h') {
			help_command("kconfig", stdout);
			return 0;
		}
		if (c == 'm') {
			minimal = 1;
		} else if (c == 'a') {
			if ((arch = arch_from_name(optarg)) == ARCH_NONE) {
				fail("--arch", "unknown architecture '%s' (x86_64 or arm64)", optarg);
				return 2;
			}
		} else if (c == 'l') {
			list = 1;
		} else {
			return usage_error("kconfig");
		}
	}
	if (argc - optind > 1) {
		fail("kconfig", "expects at most one DIR");
		return usage_error("kconfig");
	}
	dir = optind < argc ? argv[optind] : ".";
	if (list) {
		/* --arch's, else DIR's .config's (given one), else the host's */
		if (arch == ARCH_NONE && optind < argc)
			arch = kconfig_arch(dir);
		arch = arch != ARCH_NONE ? arch : arch_host();
		for (size_t i = 0; i < kconfig_nneeds; i++)
			if (kconfig_needed(&kconfig_needs[i], arch))
				printf("CONFIG_%-22s %s\n", kconfig_needs[i].name,
				       kconfig_needs[i].why);
		return 0;
	}
	if (kconfig_apply(dir, minimal, &arch, &set) < 0)
		return 1;
	printf("%s/.config: %zu of minos's %zu options set%s\n", dir, set, kconfig_count(arch),
	       set < kconfig_count(arch) ? " (see the warnings)" : "");
	return 0;
}
