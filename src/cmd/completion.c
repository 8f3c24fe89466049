/*
 * cmd/completion.c - minos completion bash: a bash completion script made from
 * the option tables the commands parse with, so that it offers exactly
 * their flags, and for a flag's argument its words (--compress, --accel,
 * --boot, --machine, from the tables those are checked against), a
 * directory, nothing (numbers, free text) or a file.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "format/compress.h"
#include "image/rescue.h"
#include "image/rootfs.h"
#include "media/secureboot.h"
#include "vm/qemu.h"
#include "vm/session.h"
#include "util/arch.h"
#include "util/util.h"

static const struct {
	const char *name;
	const struct option *opts;
} cmds[] = {
	{"initramfs", initramfs_options}, {"iso", iso_options}, {"run", run_options},
	{"test", test_options}, {"ls", ls_options}, {"kconfig", kconfig_options},
	{"netboot", netboot_options},
};

/* Flags whose argument is a directory, or nothing to complete. */
static const char *const dir_args[] = {"busybox-src", "modules-dir", "firmware-dir", "share",
				       NULL};
static const char *const free_args[] = {
	"level", "memory", "cpus", "append", "cmdline", "timeout", "title", "label",
	"max-memory", "max-time", "module", "package", "persist", "qemu-arg", "http", NULL,
};

static int listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return 1;
	return 0;
}

/* The words a flag's argument is one of, into b; "" if it is not such a flag. */
static void choices(const char *name, struct buf *b)
{
	static const struct {
		const char *name;
		const char *const *words;
	} lists[] = {
		{"accel", accel_names}, {"boot", boot_names}, {"machine", machine_names},
		{"net", net_names}, {"drivers", driver_set_names},
		{"rootfs-compress", rootfs_compressors}, {"secure-boot", sb_mode_names},
		{"kernel-reports", kreport_mode_names}, {"dump-format", dump_format_names},
		{"arch", arch_names}, {"root-stack", root_stack_names},
	};

	b->len = 0;
	if (!strcmp(name, "compress")) {
		for (int c = COMP_NONE; c <= COMP_LZ4; c++) {
			const char *n = compression_name((enum compression)c);

			buf_add(b, " ", b->len ? 1 : 0);
			buf_add(b, n, strlen(n));
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (!strcmp(name, lists[i].name))
			for (const char *const *w = lists[i].words; *w; w++) {
				buf_add(b, " ", b->len ? 1 : 0);
				buf_add(b, *w, strlen(*w));
			}
	buf_add(b, "", 1);
}

/* The case arms for one command's flag arguments, and its flags. */
static void command(FILE *f, const char *name, const struct option *opts)
{
	struct buf words = {0};
	const char *sep;

	fprintf(f, "\t%s)\n\t\tcase $prev in\n", name);
	for (const struct option *o = opts; o->name; o++) {
		if (o->has_arg != required_argument)
			continue;
		choices(o->name, &words);
		fprintf(f, "\t\t--%s%s) ", o->name, o->val == 'o' ? "|-o" : "");
		if (words.len > 1)
			fprintf(f, "COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n",
				(char *)words.data);
		else if (listed(dir_args, o->name))
			fputs("_minos_files -d; return ;;\n", f);
		else if (listed(free_args, o->name))
			fputs("return ;;\n", f);
		else
			fputs("_minos_files -f; return ;;\n", f);
	}
	fputs("\t\tesac\n", f);
	if (!strcmp(name, "ls"))
		fputs("\t\tcase $cur in -*) ;; *) _minos_files -f; return ;; esac\n", f);
	fputs("\t\tCOMPREPLY=($(compgen -W '", f);
	sep = "";
	for (const struct option *o = opts; o->name; o++) {
		fprintf(f, "%s--%s", sep, o->name);
		sep = " ";
	}
	fputs("' -- \"$cur\"))\n\t\t;;\n", f);
	buf_free(&words);
}

/* The commands, as completion offers them. */
static void names(FILE *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "%s ", cmds[i].name);
	fputs("completion", f);
}

static void bash(FILE *f)
{
	fputs("# bash completion for minos, made by `minos completion bash` from the\n"
	      "# option tables minos parses with.\n"
	      "_minos_files()\n{\n"
	      "\tcompopt -o filenames 2>/dev/null\n"
	      "\tCOMPREPLY=($(compgen \"$1\" -- \"$cur\"))\n}\n\n"
	      "_minos()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal cmd=${COMP_WORDS[1]} i\n"
	      "\tCOMPREPLY=()\n"
	      "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W '", f);
	names(f);
	fputs(" help --help --version' -- \"$cur\"))\n"
	      "\t\treturn\n\tfi\n"
	      "\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
	      "\t\t[ \"${COMP_WORDS[i]}\" = -- ] && return	# the guest command's own words\n"
	      "\tdone\n"
	      "\tcase $cmd in\n"
	      "\thelp)\n\t\t[ \"$COMP_CWORD\" -eq 2 ] && COMPREPLY=($(compgen -W '", f);
	names(f);
	fputs("' -- \"$cur\"))\n\t\t;;\n"
	      "\tcompletion)\n\t\t[ \"$COMP_CWORD\" -eq 2 ] && "
	      "COMPREPLY=($(compgen -W 'bash' -- \"$cur\"))\n\t\t;;\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		command(f, cmds[i].name, cmds[i].opts);
	fputs("\tesac\n}\ncomplete -F _minos minos\n", f);
}

int cmd_completion(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "bash")) {
		bash(stdout);
		return fflush(stdout) == 0 ? 0 : fail_errno("stdout", "cannot write");
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help_command("completion", stdout);
		return 0;
	}
	if (argc < 2)
		fail("completion", "which shell? minos completion bash");
	else
		fail(argv[1], "not a shell minos completes (bash)");
	return usage_error("completion");
}
