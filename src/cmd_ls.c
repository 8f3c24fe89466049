/* cmd_ls.c - minos ls: list an initramfs like ls -l */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "initrd.h"
#include "iso.h"
#include "util.h"

static void mode_string(uint32_t mode, char s[11])
{
	static const char types[] = "?pc?d?b?-?l?s";
	const char *rwx = "rwxrwxrwx";

	s[0] = types[(mode & S_IFMT) >> 12 < sizeof(types) - 1 ? (mode & S_IFMT) >> 12 : 0];
	for (int i = 0; i < 9; i++)
		s[i + 1] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		s[3] = s[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		s[6] = s[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		s[9] = s[9] == 'x' ? 't' : 'T';
	s[10] = '\0';
}

static void print_line(uint32_t mode_bits, unsigned nlink, unsigned uid, unsigned gid,
		       const char *size, time_t t, const char *name)
{
	char mode[11], date[32];
	struct tm tm;

	mode_string(mode_bits, mode);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	printf("%s %3u %-5u %-5u %9s %s %s", mode, nlink, uid, gid, size, date, name);
}

static int print_entry(const struct cpio_entry *e, void *ctx)
{
	char size[32];

	(void)ctx;
	if (S_ISCHR(e->h.mode) || S_ISBLK(e->h.mode))
		snprintf(size, sizeof(size), "%u, %u", e->h.rdevmajor, e->h.rdevminor);
	else
		snprintf(size, sizeof(size), "%llu", (unsigned long long)e->h.filesize);
	print_line(e->h.mode, e->h.nlink, e->h.uid, e->h.gid, size, e->h.mtime, e->h.name);
	if (S_ISLNK(e->h.mode))
		printf(" -> %.*s", (int)e->h.filesize, (const char *)e->data);
	putchar('\n');
	return 0;
}

static void print_iso_entry(const struct iso_entry *e, void *ctx)
{
	char size[32];

	(void)ctx;
	snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size);
	print_line(e->mode, 1, e->uid, e->gid, size, (time_t)e->mtime, e->path + 1);
	if (e->target)
		printf(" -> %s", e->target);
	putchar('\n');
}

static void print_iso_boot(const struct iso_boot *b, void *ctx)
{
	(void)ctx;
	printf("# El Torito %s: %s (%s emulation, loads %u sectors)\n", b->platform,
	       b->path ? b->path + 1 : "(no file)", b->emulation, b->load_sectors);
}

/* The first segment goes unmarked, so a plain archive lists like ls -l. */
static void print_segment(const struct initrd_segment *s, void *ctx)
{
	int *count = ctx;

	if ((*count)++)
		printf("# segment %d at offset %zu: %s\n", *count, s->offset,
		       s->comp == COMP_NONE ? "cpio" : compression_name(s->comp));
}

int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c, segments = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return help_command("ls", stdout), 0;
		return usage_error("ls");
	}
	if (optind != argc - 1)
		return fail("ls", "expects one FILE"), usage_error("ls");
	switch (iso_detect(argv[optind])) {
	case -1:
		return 1;
	case 1:
		if (iso_read(argv[optind], print_iso_entry, print_iso_boot, NULL) < 0)
			return 1;
		break;
	default:
		if (initrd_walk(argv[optind], print_segment, print_entry, &segments) < 0)
			return 1;
	}
	if (fflush(stdout) == EOF)
		return fail_errno("ls", "cannot write the listing"), 1;
	return 0;
}
