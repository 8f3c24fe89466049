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
#include "media/fat.h"
#include "image/initrd.h"
#include "media/iso.h"
#include "media/netboot.h"
#include "media/pe.h"
#include "media/secureboot.h"
#include "format/squashfs.h"
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

static int print_entry(const struct cpio_entry *e, void *ctx)
{
	char size[32];

	(void)ctx;
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

/* The live root's image in an ISO, listed after the ISO's own files. */
static uint64_t iso_root_sqfs;

/* An ISO's files, where their data lies: for the Secure Boot report. */
struct iso_file {
	char *path;
	uint64_t offset, size;
};

static struct iso_files {
	struct iso_file *v;
	size_t n;
	char *esp_path;		/* the UEFI El Torito image's file */
} iso_files;

/* vmlinuz, vmlinuz-6.1.0-57-amd64, bzImage: a kernel by its name, to check its signature. */
static int kernel_name(const char *path)
{
	const char *base = strrchr(path, '/') + 1;

	return !strncmp(base, "vmlinuz", 7) || !strncmp(base, "bzImage", 7);
}

static void print_iso_entry(const struct iso_entry *e, void *ctx)
{
	char size[32];

	(void)ctx;
	if (!strcmp(e->path, "/minos/root.sqfs") && e->offset)
		iso_root_sqfs = e->offset;
	if (S_ISREG(e->mode) && e->offset) {
		struct iso_files *f = &iso_files;

		f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
		f->v[f->n++] = (struct iso_file){xstrdup(e->path), e->offset, e->size};
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
	(void)ctx;
	if (!strcmp(b->platform, "UEFI") && b->path && !iso_files.esp_path)
		iso_files.esp_path = xstrdup(b->path);
	printf("# El Torito %s: ", b->platform);
	if (b->path)
		print_escaped(b->path + 1, strlen(b->path + 1));
	else
		fputs("(no file)", stdout);
	printf(" (%s emulation, loads %u sectors)\n", b->emulation, b->load_sectors);
}

/* Where a file of the ISO lies in its mapping; -1 (said) if it runs past the end. */
static int iso_file_bytes(const struct mapping *iso, const char *path, const struct iso_file *f,
			  struct buf *out)
{
	if (f->offset > iso->len || f->size > iso->len - f->offset)
		return fail(path, "%s: its data runs past the end of the file", f->path);
	/* a view, not a copy: never freed */
	*out = (struct buf){(unsigned char *)iso->data + f->offset, f->size, f->size};
	return 0;
}

/* One line on a PE image shim is to start; NULL if it will, else why not (malloc'd). */
static char *check_one(const char *name, const struct buf *img, const struct buf *shim,
		       const struct buf *cer, int *own)
{
	struct pe_image pe;
	struct sb_verdict v;
	const char *why;
	char *no = NULL;
	int by_own = 0;

	fputs("# Secure Boot: ", stdout);
	print_escaped(name, strlen(name));
	if (pe_parse(&pe, img->data, img->len, &why) < 0) {
		puts(": no PE/COFF image (no EFI stub): shim cannot start it");
		return xasprintf("%s is no PE/COFF image", name);
	}
	pe_free(&pe);
	sb_check(name, img->data, img->len, shim, NULL, &v);
	if (!v.trusted && cer->len) {
		sb_verdict_free(&v);
		sb_check(name, img->data, img->len, shim, cer, &v);
		by_own = v.trusted;
		*own |= by_own;
	}
	if (v.signer) {
		fputs(" signed by ", stdout);
		print_escaped(v.signer, strlen(v.signer));
	}
	if (by_own)
		puts(", trusted once MINOS.CER is enrolled");
	else if (v.trusted)
		puts(", trusted by shim");
	else {
		printf(": %s, shim refuses it\n", v.why);
		no = xasprintf("%s is not signed with a key shim trusts", name);
	}
	sb_verdict_free(&v);
	return no;
}

static const struct iso_file *iso_file(const char *path)
{
	for (size_t i = 0; i < iso_files.n; i++)
		if (!strcmp(iso_files.v[i].path, path))
			return &iso_files.v[i];
	return NULL;
}

/*
 * What Secure Boot will do with the ISO, as shim does it: the firmware's
 * loader is shim (signed, with its vendor certificate built in), shim
 * checks GRUB and the kernel against that certificate or one enrolled
 * with the MOK manager (minos puts one's own as MINOS.CER on the ESP).
 */
static int secure_boot_report(const char *iso, const struct mapping *map)
{
	static const char loader[] = "EFI/BOOT/BOOTX64.EFI", grub_path[] = "EFI/BOOT/GRUBX64.EFI";
	struct buf esp = {0}, shim = {0}, grub = {0}, cer = {0};
	const struct iso_file *f = iso_files.esp_path ? iso_file(iso_files.esp_path) : NULL;
	const char *why = NULL;
	char *signer = NULL, *not_ready = NULL;
	struct pe_image pe;
	int rc = -1, found, own = 0, kernels = 0;

	if (!f) {
		puts(iso_files.esp_path ? "# Secure Boot: not ready: the UEFI boot image is no "
		     "file of the ISO" : "# Secure Boot: not ready: the ISO has no UEFI boot image");
		return 0;
	}
	if (iso_file_bytes(map, iso, f, &esp) < 0)
		goto out;
	found = fat_read_file(esp.data, esp.len, loader, &shim, &why);
	if (found <= 0) {
		if (found < 0)
			printf("# Secure Boot: not ready: the UEFI boot image holds %s\n", why);
		else
			printf("# Secure Boot: not ready: the UEFI boot image holds no %s\n", loader);
		rc = 0;
		goto out;
	}
	signer = sb_signer(shim.data, shim.len);
	if (!signer) {
		printf("# Secure Boot: not ready: %s is unsigned: the firmware refuses it\n", loader);
		rc = 0;
		goto out;
	}
	printf("# Secure Boot: %s signed by ", loader);
	print_escaped(signer, strlen(signer));
	if (pe_parse(&pe, shim.data, shim.len, &why) < 0 || !pe_section(&pe, ".vendor_cert")) {
		pe_free(&pe);
		puts(", no shim: whether it boots is up to the firmware's keys");
		rc = 0;
		goto out;
	}
	pe_free(&pe);
	puts(" (shim)");
	if (fat_read_file(esp.data, esp.len, "MINOS.CER", &cer, &why) != 1)
		cer.len = 0;
	if (fat_read_file(esp.data, esp.len, grub_path, &grub, &why) == 1)
		not_ready = check_one(grub_path, &grub, &shim, &cer, &own);
	else
		not_ready = xasprintf("shim finds no %s to start", grub_path);
	for (size_t i = 0; i < iso_files.n; i++) {
		struct buf k = {0};
		char *no;

		if (!kernel_name(iso_files.v[i].path))
			continue;
		kernels++;
		if (iso_file_bytes(map, iso, &iso_files.v[i], &k) < 0)
			goto out;
		no = check_one(iso_files.v[i].path + 1, &k, &shim, &cer, &own);
		if (!not_ready)
			not_ready = no;
		else
			free(no);
	}
	if (!kernels && !not_ready)
		not_ready = xstrdup("no kernel (vmlinuz*, bzImage*) to check");
	if (not_ready)
		printf("# Secure Boot: not ready: %s\n", not_ready);
	else if (own)
		puts("# Secure Boot: ready once MINOS.CER is enrolled with the MOK manager");
	else
		puts("# Secure Boot: ready");
	rc = 0;
out:
	free(signer);
	free(not_ready);
	buf_free(&shim);
	buf_free(&grub);
	buf_free(&cer);
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
	struct mapping map;
	int rc = map_input(path, &map);

	if (rc == 0)
		rc = iso_read(path, print_iso_entry, print_iso_boot, NULL);
	if (rc == 0)
		rc = secure_boot_report(path, &map);
	unmap_input(&map);
	if (rc == 0 && iso_root_sqfs)
		rc = list_squashfs(path, iso_root_sqfs, "minos/root.sqfs:");
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
		return initrd_walk(path, &lim, print_segment, print_entry, &segments);
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
