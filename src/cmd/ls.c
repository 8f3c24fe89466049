/*
 * cmd/ls.c - minos ls: list an initramfs or an ISO like ls -l.
 *
 * The file may come from anywhere, so the listing runs in a child held to
 * a memory and a time limit, and every name is printed escaped: what the
 * file says never reaches the terminal as control bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "image/initrd.h"
#include "image/kernel.h"
#include "media/iso.h"
#include "media/netboot.h"
#include "media/secureboot.h"
#include "format/squashfs.h"
#include "util/arch.h"
#include "util/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define RAISE "--max-memory or MINOS_MAX_MEMORY"

struct ls_limits {
	long memory_mib, seconds;
};

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

/* Length of the UTF-8 character at s (at most n bytes), or 0 if there is none. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	uint32_t c;

	if (!len || s[0] >= 0xf5 || len > n)
		return 0;
	c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF, and the C1 controls */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff) || c < 0xa0)
		return 0;
	return len;
}

/* Like ls -b: control bytes, backslashes and bytes that are no UTF-8 as escapes. */
static void print_escaped(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		size_t u = s[i] >= 0x80 ? utf8_char(s + i, n - i) : 0;

		if (u) {
			fwrite(s + i, 1, u, stdout);
			i += u;
			continue;
		}
		if (s[i] == '\n')
			fputs("\\n", stdout);
		else if (s[i] == '\t')
			fputs("\\t", stdout);
		else if (s[i] == '\\')
			fputs("\\\\", stdout);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			printf("\\%03o", s[i]);
		else
			putchar(s[i]);
		i++;
	}
}

static void print_line(uint32_t mode_bits, unsigned nlink, unsigned uid, unsigned gid,
		       const char *size, time_t t, const char *name)
{
	char mode[11], date[32];
	struct tm tm;

	mode_string(mode_bits, mode);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	printf("%s %3u %-5u %-5u %9s %s ", mode, nlink, uid, gid, size, date);
	print_escaped(name, strlen(name));
}

/* The image's architecture: its /init's machine, else /bin/busybox's (ARCH_NONE: unknown). */
static enum arch listed_arch;

static void note_arch(const struct cpio_entry *e)
{
	const char *name = e->h.name;
	const unsigned char *d = e->data;

	name += *name == '/';
	if (!S_ISREG(e->h.mode) || !d || e->h.filesize < 20 || memcmp(d, "\177ELF", 4) ||
	    (strcmp(name, "init") && strcmp(name, "bin/busybox")) ||
	    (listed_arch && strcmp(name, "init")))
		return;
	listed_arch = arch_of_elf_machine((unsigned)(d[18] | d[19] << 8));
}

static int print_entry(const struct cpio_entry *e, void *ctx)
{
	char size[32];

	(void)ctx;
	if (!e->long_name)
		note_arch(e);
	if (S_ISCHR(e->h.mode) || S_ISBLK(e->h.mode))
		snprintf(size, sizeof(size), "%u, %u", e->h.rdevmajor, e->h.rdevminor);
	else
		snprintf(size, sizeof(size), "%llu", (unsigned long long)e->h.filesize);
	if (e->long_name) {	/* the kernel skips it; its name is not kept */
		print_line(e->h.mode, e->h.nlink, e->h.uid, e->h.gid, size, e->h.mtime, "");
		printf("(a name of %u bytes, over PATH_MAX: the kernel skips it)", e->long_name);
	} else {
		print_line(e->h.mode, e->h.nlink, e->h.uid, e->h.gid, size, e->h.mtime, e->h.name);
	}
	/* The kernel's unpacker skips a link whose target is longer than PATH_MAX. */
	if (S_ISLNK(e->h.mode) && e->h.filesize > PATH_MAX) {
		printf(" -> (a target of %llu bytes, over PATH_MAX: the kernel skips it)",
		       (unsigned long long)e->h.filesize);
	} else if (S_ISLNK(e->h.mode)) {
		fputs(" -> ", stdout);
		print_escaped((const char *)e->data, e->h.filesize);
	}
	putchar('\n');
	return ferror(stdout) ? -1 : 0;
}

/* A squashfs tree, sorted by name, each path after prefix. */
static int print_sq(const struct sq_node *d, const char *prefix)
{
	for (size_t i = 0; i < d->nkids; i++) {
		const struct sq_node *n = d->kids[i];
		char *path = xasprintf("%s%s", prefix, n->name), size[32];

		if (S_ISCHR(n->mode) || S_ISBLK(n->mode))
			snprintf(size, sizeof(size), "%u, %u", (n->devno & 0xfff00) >> 8,
				 (n->devno & 0xff) | ((n->devno >> 12) & 0xfff00));
		else
			snprintf(size, sizeof(size), "%llu",
				 S_ISDIR(n->mode) ? 0ULL : (unsigned long long)n->size);
		print_line(n->mode, n->nlink, n->uid, n->gid, size, (time_t)n->mtime, path);
		if (n->target) {
			fputs(" -> ", stdout);
			print_escaped(n->target, strlen(n->target));
		}
		putchar('\n');
		if (S_ISDIR(n->mode)) {
			char *sub = xasprintf("%s/", path);
			int rc = print_sq(n, sub);

			free(sub);
			if (rc < 0) {
				free(path);
				return -1;
			}
		}
		free(path);
		if (ferror(stdout))
			return -1;
	}
	return 0;
}

static int list_squashfs(const char *path, uint64_t offset, const char *prefix)
{
	struct sq_tree t;
	int rc = sq_read_tree(path, offset, &t, path);

	if (!rc)
		rc = print_sq(t.root, prefix);
	sq_tree_free(&t);
	return rc;
}

/* What an ISO listing keeps from the tree: for Secure Boot and a live root. */
struct iso_listing {
	struct iso_file {
		char *path;
		uint64_t offset, size;
	} *files;			/* regular files whose data is in one piece */
	size_t n;
	char *esp_path;			/* the UEFI El Torito image's file */
	uint64_t root_sqfs;		/* where /minos/root.sqfs lies, listed after */
};

static void print_iso_entry(const struct iso_entry *e, void *ctx)
{
	struct iso_listing *l = ctx;
	char size[32];

	if (!strcmp(e->path, "/minos/root.sqfs") && e->offset)
		l->root_sqfs = e->offset;
	if (S_ISREG(e->mode) && e->offset) {
		l->files = xrealloc(l->files, (l->n + 1) * sizeof(*l->files));
		l->files[l->n++] = (struct iso_file){xstrdup(e->path), e->offset, e->size};
	}
	snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size);
	print_line(e->mode, 1, e->uid, e->gid, size, (time_t)e->mtime, e->path + 1);
	if (e->target) {
		fputs(" -> ", stdout);
		print_escaped(e->target, strlen(e->target));
	}
	putchar('\n');
}

static void print_iso_boot(const struct iso_boot *b, void *ctx)
{
	struct iso_listing *l = ctx;

	if (!strcmp(b->platform, "UEFI") && b->path && !l->esp_path)
		l->esp_path = xstrdup(b->path);
	printf("# El Torito %s: ", b->platform);
	if (b->path)
		print_escaped(b->path + 1, strlen(b->path + 1));
	else
		fputs("(no file)", stdout);
	printf(" (%s emulation, loads %u sectors)\n", b->emulation, b->load_sectors);
}

/* A file's bytes in the mapped ISO; -1 (said) if they run past its end. */
static int iso_file_bytes(const struct mapping *iso, const char *path, const struct iso_file *f,
			  const void **data, size_t *len)
{
	if (f->offset > iso->len || f->size > iso->len - f->offset)
		return fail(path, "%s: its data runs past the end of the file", f->path);
	*data = iso->data + f->offset;
	*len = f->size;
	return 0;
}

/* The architectures of an ISO's kernels, on one line: "# arch: x86_64 arm64". */
static void print_iso_arches(const struct sb_iso *iso)
{
	unsigned seen = 0;

	for (size_t i = 0; i < iso->nkernels; i++) {
		enum arch a = kernel_header_arch(iso->kernels[i].data, iso->kernels[i].len);

		if (a)
			seen |= 1u << a;
	}
	if (!seen)
		return;
	fputs("# arch:", stdout);
	for (int a = ARCH_X86_64; a <= ARCH_ARM64; a++)
		if (seen & 1u << a)
			printf(" %s", arch_name((enum arch)a));
	putchar('\n');
}

/* What Secure Boot will do with the ISO (media/secureboot.c decides), its names escaped. */
static int secure_boot_report(const char *path, const struct mapping *map,
			      const struct iso_listing *l)
{
	struct sb_kernel *k = xcalloc(l->n, sizeof(*k));
	struct sb_iso iso = {.uefi = l->esp_path != NULL, .kernels = k};
	struct sb_report r = {0};
	int rc = 0;

	for (size_t i = 0; !rc && i < l->n; i++) {
		const struct iso_file *f = &l->files[i];

		if (l->esp_path && !iso.esp && !strcmp(f->path, l->esp_path))
			rc = iso_file_bytes(map, path, f, &iso.esp, &iso.esp_len);
		if (!rc && sb_kernel_name(f->path)) {
			k[iso.nkernels].path = f->path + 1;
			rc = iso_file_bytes(map, path, f, &k[iso.nkernels].data,
					    &k[iso.nkernels].len);
			iso.nkernels++;
		}
	}
	if (!rc) {
		print_iso_arches(&iso);
		sb_iso_report(&iso, &r);
		for (size_t i = 0; i < r.n; i++) {
			print_escaped(r.line[i], strlen(r.line[i]));
			putchar('\n');
		}
	}
	sb_report_free(&r);
	free(k);
	return rc;
}

/* The first segment goes unmarked, so a plain archive lists like ls -l. */
static void print_segment(const struct initrd_segment *s, void *ctx)
{
	int *count = ctx;

	if ((*count)++)
		printf("# segment %d at offset %zu: %s\n", *count, s->offset,
		       s->comp == COMP_NONE ? "cpio" : compression_name(s->comp));
}

/* An ISO: its files, its boot entries, Secure Boot, a live root's files. */
static int list_iso(const char *path)
{
	struct iso_listing l = {0};
	struct mapping map;
	int rc = map_input(path, &map);

	if (rc == 0)
		rc = iso_read(path, print_iso_entry, print_iso_boot, &l);
	if (rc == 0)
		rc = secure_boot_report(path, &map, &l);
	unmap_input(&map);
	if (rc == 0 && l.root_sqfs)
		rc = list_squashfs(path, l.root_sqfs, "minos/root.sqfs:");
	for (size_t i = 0; i < l.n; i++)
		free(l.files[i].path);
	free(l.files);
	free(l.esp_path);
	return rc;
}

static int list(const char *path, const struct ls_limits *l)
{
	/*
	 * The file is mapped and its archives read as they unpack: what counts
	 * is a decoder's window (zstd -22 asks for 128 MiB), and what the
	 * file unpacks to in all is held to 16 times the limit (4 GiB at
	 * 256 MiB: more than any machine's initramfs) so that a bomb stops.
	 */
	uint64_t m = (uint64_t)l->memory_mib << 20;
	struct unpack_limits lim = {.out = 16 * m, .window = m / 2, .raise = RAISE};
	int segments = 0;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return netboot_ls(path, stdout);
	switch (iso_detect(path)) {
	case -1:
		return -1;
	case 1:
		return list_iso(path);
	default:
		if (sq_detect(path, 0) == 1)
			return list_squashfs(path, 0, "");
		if (initrd_walk(path, &lim, print_segment, print_entry, &segments) < 0)
			return -1;
		if (listed_arch)
			printf("# arch: %s\n", arch_name(listed_arch));
		return ferror(stdout) ? -1 : 0;
	}
}

/* In the child: the limits, then the listing; its exit status says how it went. */
static _Noreturn void list_limited(const char *path, const struct ls_limits *l,
				   const sigset_t *mask)
{
	static char oom[PATH_MAX + 160];
	struct rlimit data = {(rlim_t)l->memory_mib << 20, (rlim_t)l->memory_mib << 20};
	int rc;

	sigprocmask(SIG_SETMASK, mask, NULL);
	snprintf(oom, sizeof(oom), "minos: %s: the memory limit of %ld MiB was hit; raise it "
		 "with " RAISE, path, l->memory_mib);
	set_oom_message(oom);
	/*
	 * RLIMIT_DATA, not RLIMIT_AS: it counts what the reader allocates
	 * (heap, anonymous mappings), not the file it maps.
	 */
#ifndef UNDER_ASAN	/* ASan's shadow memory would count */
	setrlimit(RLIMIT_DATA, &data);
#else
	(void)data;
#endif
	rc = list(path, l);
	if (fflush(stdout) == EOF && !rc)
		rc = fail_errno("ls", "cannot write the listing");
	_exit(rc ? 1 : 0);
}

/*
 * How the reader ended.  The memory limit makes an allocation fail, which
 * the reader says itself, and the time limit is ours to say: a signal is
 * neither, and is named as it is.  SIGPIPE is the listing's reader gone
 * (minos ls FILE | head): we end as quietly, as ls would.
 */
static int reader_status(const char *path, int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		exit(128 + SIGPIPE);
	}
	if (WIFSIGNALED(status))
		return fail(path, "the reader died of %s", strsignal(WTERMSIG(status)));
	return WEXITSTATUS(status) ? -1 : 0;
}

static int run_limited(const char *path, const struct ls_limits *l)
{
	long long deadline = now_ms_host() + l->seconds * 1000LL;
	sigset_t chld, old;
	int status = 0;
	pid_t pid, got;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail_errno("ls", "cannot fork");
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (pid == 0)
		list_limited(path, l, &old);
	while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
		long long left = deadline - now_ms_host();
		struct timespec wait;

		left = left > 0 ? left : 0;
		wait = (struct timespec){left / 1000, left % 1000 * 1000000};

		if (sigtimedwait(&chld, NULL, &wait) < 0 && errno == EAGAIN) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			sigprocmask(SIG_SETMASK, &old, NULL);
			return fail(path, "the time limit of %ld s was hit; raise it with "
				    "--max-time or MINOS_MAX_TIME", l->seconds);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (got < 0)
		return fail_errno("ls", "cannot wait for the listing");
	return reader_status(path, status);
}

/* An option's value, else the environment's, else the default; 2 if bad. */
static int limit_value(const char *opt, const char *name, const char *env, long max,
		       long *out)
{
	const char *s = opt ? opt : getenv(env);

	if (!s || !*s || parse_long(s, 1, max, out) == 0)
		return 0;
	fail(opt ? name : env, "'%s' is not a whole number from 1 to %ld", s, max);
	return opt ? usage_error("ls") : 2;
}

const struct option ls_options[] = {
	{"max-memory", required_argument, NULL, 'm'},
	{"max-time", required_argument, NULL, 't'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

int cmd_ls(int argc, char **argv)
{
	struct ls_limits l = {256, 10};
	const char *mem = NULL, *secs = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", ls_options, NULL)) != -1) {
		if (c == 'h') {
			help_command("ls", stdout);
			return 0;
		}
		if (c == 'm')
			mem = optarg;
		else if (c == 't')
			secs = optarg;
		else
			return usage_error("ls");
	}
	if (optind != argc - 1) {
		fail("ls", "expects one FILE");
		return usage_error("ls");
	}
	if ((c = limit_value(mem, "--max-memory", "MINOS_MAX_MEMORY", 1L << 20, &l.memory_mib)) ||
	    (c = limit_value(secs, "--max-time", "MINOS_MAX_TIME", 86400, &l.seconds)))
		return c;
	return run_limited(argv[optind], &l) < 0 ? 1 : 0;
}
