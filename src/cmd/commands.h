/* commands.h - one function per minos command, and their help */
#ifndef MINOS_COMMANDS_H
#define MINOS_COMMANDS_H

#include <getopt.h>
#include <stdio.h>

int cmd_initramfs(int argc, char **argv);
int cmd_iso(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_kconfig(int argc, char **argv);
int cmd_netboot(int argc, char **argv);

/* Each command's options: what it parses, what completion offers. */
extern const struct option initramfs_options[], iso_options[], ls_options[],
	run_options[], test_options[], kconfig_options[], netboot_options[];

/* Prints COMMAND's usage; -1 if there is no such command. */
int help_command(const char *name, FILE *out);
/* "Try 'minos help COMMAND'" on stderr; returns 2, the exit status of usage errors. */
int usage_error(const char *name);
/* After the options: no arguments left, and -o given; else says which and returns 2. */
int no_more_args(const char *name, const char *output, int argc, char **argv);

#endif
