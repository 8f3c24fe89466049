/* main.c - the minos command: dispatches to one function per command */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

#ifndef MINOS_VERSION
#define MINOS_VERSION "0.0"
#endif

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
} commands[] = {
	{"initramfs", cmd_initramfs, "build an initramfs from BusyBox, minos-init and extras",
	 "Usage: minos initramfs -o FILE [options]\n"
	 "\n"
	 "Builds a compressed newc cpio initramfs without root and without a staging\n"
	 "directory: a static BusyBox with every applet linked where BusyBox says,\n"
	 "minos-init as /init, /dev/console and /dev/null, and a skeleton of dev proc\n"
	 "sys root tmp run etc, all owned by root.  The same inputs give the same bytes.\n"
	 "\n"
	 "  -o, --output FILE       write the initramfs to FILE\n"
	 "      --busybox PATH      BusyBox to use (default: $MINOS_BUSYBOX, else busybox\n"
	 "                          on PATH); a dynamic one brings its libraries\n"
	 "      --busybox-src DIR   build a static BusyBox from the source tree DIR\n"
	 "      --init PATH         file to use as /init (default: minos-init)\n"
	 "      --add SRC[:DEST]    add a file, symlink or directory tree at DEST\n"
	 "                          (default: SRC if absolute, else /basename); ELF\n"
	 "                          programs bring their interpreter and libraries\n"
	 "      --spec FILE         add the entries of a gen_init_cpio spec file\n"
	 "      --compress NAME     none, gzip, zstd (default), xz or lz4\n"
	 "      --level N           compression level (gzip 1-12, zstd 1-22, xz 0-9,\n"
	 "                          lz4 1-12; defaults 9, 9, 6, 9)\n"
	 "      --kernel FILE       refuse a compression this kernel cannot decode\n"
	 "      --bare              no default contents: only what the options add\n"
	 "\n"
	 "Timestamps are $SOURCE_DATE_EPOCH, else 0.\n"},
	{"ls", cmd_ls, "list an initramfs",
	 "Usage: minos ls FILE\n"
	 "\n"
	 "Lists the entries of an initramfs like ls -l: mode, links, owner, group,\n"
	 "size (or device numbers), time, path and symlink target.  Reads newc and crc\n"
	 "cpio, plain or compressed with gzip, zstd, xz or lz4, and files of several\n"
	 "segments (an early-microcode cpio followed by a compressed one); each segment\n"
	 "after the first is marked with a line starting with '#'.\n"},
};

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fputs("Usage: minos COMMAND [options]\n"
	      "\n"
	      "Turns a Linux kernel and BusyBox into a minimal bootable system.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s  %s\n", commands[i].name, commands[i].summary);
	fputs("  help        show help for a command\n"
	      "\n"
	      "Run 'minos help COMMAND' for a command's options.  See minos(1).\n", out);
}

int help_command(const char *name, FILE *out)
{
	const struct command *c = find(name);

	if (!c)
		return -1;
	fputs(c->usage, out);
	return 0;
}

int usage_error(const char *name)
{
	fprintf(stderr, "Try 'minos help %s'.\n", name);
	return 2;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("minos %s\n", MINOS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		if (help_command(argv[2], stdout) < 0) {
			err(argv[2], "no such command (try 'minos help')");
			return 2;
		}
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		err(argv[1], "no such command (try 'minos help')");
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
