/*
 * cmd/kconfig.c - minos kconfig: add to a kernel tree's .config what a
 * minos boot needs (image/kconfig.c), then let the tree's own
 * olddefconfig settle the rest.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/commands.h"
#include "image/kconfig.h"
#include "util/util.h"

const struct option kconfig_options[] = {
	{"minimal", no_argument, NULL, 'm'},
	{"list", no_argument, NULL, 'l'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

int cmd_kconfig(int argc, char **argv)
{
	int c, minimal = 0, list = 0;
	const char *dir;
	size_t set;

	while ((c = getopt_long(argc, argv, "h", kconfig_options, NULL)) != -1) {
		if (c == 'h') {
			help_command("kconfig", stdout);
			return 0;
		}
		if (c == 'm')
			minimal = 1;
		else if (c == 'l')
			list = 1;
		else
			return usage_error("kconfig");
	}
	if (argc - optind > 1) {
		fail("kconfig", "expects at most one DIR");
		return usage_error("kconfig");
	}
	if (list) {
		for (size_t i = 0; i < kconfig_nneeds; i++)
			printf("CONFIG_%-22s %s\n", kconfig_needs[i].name, kconfig_needs[i].why);
		return 0;
	}
	dir = optind < argc ? argv[optind] : ".";
	if (kconfig_apply(dir, minimal, &set) < 0)
		return 1;
	printf("%s/.config: %zu of minos's %zu options set%s\n", dir, set, kconfig_nneeds,
	       set < kconfig_nneeds ? " (see the warnings)" : "");
	return 0;
}
