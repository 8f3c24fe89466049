/*
 * grub.c - GRUB for the ISO: two core images and one grub.cfg.
 *
 * grub-mkrescue copies every GRUB module of both platforms onto the image.
 * We instead build each core image with the few modules grub.cfg uses
 * embedded in it, so nothing is loaded from the ISO at boot but grub.cfg.
 * grub-mkimage's output depends only on the GRUB build, the modules and
 * the prefix, so it is made once and cached.
 */
#include "media/grub.h"
#include "util/deb.h"
#include "vm/timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct platform {
	const char *dir, *format, *package, *name, *prefix;
	const char *modules[16];
};

/*
 * What grub.cfg needs: search (finds our volume), normal (menu, script),
 * linux16 for BIOS and linux for UEFI (the loaders), serial and terminal
 * (the menu on a serial line), echo (what the entry is doing), test (which
 * loader),
 * the drivers to read the ISO (and, for UEFI, the ESP it was loaded from)
 * and, for UEFI, efi_gop: without it the kernel gets no framebuffer.
 */
static const struct platform platforms[] = {
	[GRUB_BIOS] = {"i386-pc", "i386-pc-eltorito", "grub-pc-bin", "BIOS", "/boot/grub",
		       {"biosdisk", "iso9660", "search", "normal", "linux16", "serial",
			"terminal", "echo", "test", NULL}},
	[GRUB_EFI] = {"x86_64-efi", "x86_64-efi", "grub-efi-amd64-bin", "UEFI", "/boot/grub",
		      {"iso9660", "fat", "part_gpt", "part_msdos", "search", "normal",
		       "linux", "serial", "terminal", "efi_gop", "echo", "test", NULL}},
	/* Over the network: the firmware's PXE stack (pxe) or its UEFI network
	 * protocol (efinet), and TFTP from the server that gave the loader,
	 * which is GRUB's root; nothing to search for. */
	[GRUB_NET_BIOS] = {"i386-pc", "i386-pc-pxe", "grub-pc-bin", "BIOS PXE", "/grub",
			   {"pxe", "tftp", "normal", "linux16", "serial", "terminal", "echo",
			    "test", NULL}},
	[GRUB_NET_EFI] = {"x86_64-efi", "x86_64-efi", "grub-efi-amd64-bin", "UEFI network",
			  "/grub", {"efinet", "tftp", "normal", "linux", "serial", "terminal",
				    "efi_gop", "echo", "test", NULL}},
	/* arm64: UEFI only; its EFI console is the serial line already */
	[GRUB_EFI_ARM64] = {"arm64-efi", "arm64-efi", "grub-efi-arm64-bin", "arm64 UEFI",
			    "/boot/grub", {"iso9660", "fat", "part_gpt", "part_msdos", "search",
					   "normal", "linux", "terminal", "efi_gop", "echo",
					   "test", NULL}},
	[GRUB_NET_EFI_ARM64] = {"arm64-efi", "arm64-efi", "grub-efi-arm64-bin",
				"arm64 UEFI network", "/grub", {"efinet", "tftp", "normal",
								 "linux", "terminal", "efi_gop",
								 "echo", "test", NULL}},
};

static char *grub_dir(void)
{
	const char *env = getenv("MINOS_GRUB_DIR");

	return xstrdup(env && *env ? env : "/usr/lib/grub");
}

/*
 * The platform's module directory: in $MINOS_GRUB_DIR (else /usr/lib/grub);
 * arm64's, when the host has none (an amd64 host cannot install it), from
 * Debian's grub-efi-arm64-bin:arm64 unpacked into the cache.  NULL after
 * an error.
 */
static char *module_dir(const struct platform *pl)
{
	char *gdir = grub_dir(), *moddir = xasprintf("%s/%s", gdir, pl->dir), *root;
	struct stat st;

	free(gdir);
	if ((stat(moddir, &st) == 0 && S_ISDIR(st.st_mode)) || strcmp(pl->dir, "arm64-efi"))
		return moddir;
	free(moddir);
	if (!(root = deb_fetch(pl->package, ARCH_ARM64)))
		return NULL;
	moddir = xasprintf("%s/usr/lib/grub/%s", root, pl->dir);
	free(root);
	return moddir;
}

/* Identity of the GRUB build: its kernel.img and module list, hashed. */
static int build_key(const char *moddir, const struct platform *pl, uint64_t *key)
{
	static const char *const files[] = {"kernel.img", "moddep.lst", "modinfo.sh"};
	uint64_t h = HASH64_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = xasprintf("%s/%s", moddir, files[i]);
		struct buf b = {0};
		int rc = read_file(path, &b);

		free(path);
		if (rc < 0)
			return -1;
		h = hash64(h, b.data, b.len);
		buf_free(&b);
	}
	h = hash64(h, pl->format, strlen(pl->format) + 1);
	h = hash64(h, pl->prefix, strlen(pl->prefix) + 1);
	for (const char *const *m = pl->modules; *m; m++)
		h = hash64(h, *m, strlen(*m) + 1);
	*key = h;
	return 0;
}

static int mkimage(const char *moddir, const struct platform *pl, const char *out)
{
	const char *argv[32] = {"grub-mkimage", "-d", moddir, "-O", pl->format,
				"-p", pl->prefix, "-o", out};
	size_t n = 9;
	int status;
	pid_t pid;

	for (const char *const *m = pl->modules; *m; m++)
		argv[n++] = *m;
	argv[n] = NULL;
	errno = posix_spawnp(&pid, argv[0], NULL, NULL, (char **)argv, environ);
	if (errno == ENOENT)
		return fail("grub-mkimage", "not found: install Debian's grub-common");
	if (errno)
		return fail_errno("grub-mkimage", "cannot run");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno("grub-mkimage", "cannot wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail("grub-mkimage", "failed making the %s core image", pl->name);
	return 0;
}

int grub_core(enum grub_platform p, struct buf *out)
{
	const struct platform *pl = &platforms[p];
	char *moddir = module_dir(pl), *cache = NULL, *path = NULL, *tmp = NULL;
	uint64_t key;
	int rc = -1;
	struct stat st;

	if (!moddir)
		return -1;
	cache = cache_dir("grub");
	if (stat(moddir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fail(moddir, "GRUB for %s is not installed: install Debian's %s",
		     pl->name, pl->package);
		goto out;
	}
	if (build_key(moddir, pl, &key) < 0)
		goto out;
	/* No cache directory: build into a temporary file and forget it. */
	if (cache)
		path = xasprintf("%s/%s-%016llx.img", cache, pl->dir,
				 (unsigned long long)key);
	if (path && access(path, R_OK) == 0) {
		rc = read_file(path, out);
		goto out;
	}
	tmp = xasprintf("%s/.core-XXXXXX", cache ? cache : "/tmp");
	int fd = mkstemp(tmp);

	if (fd < 0) {
		fail_errno(tmp, "cannot create");
		goto out;
	}
	close(fd);
	if (mkimage(moddir, pl, tmp) == 0 && read_file(tmp, out) == 0) {
		rc = 0;
		if (path && rename(tmp, path) == 0)
			goto out;
	}
	unlink(tmp);
out:
	free(moddir);
	free(cache);
	free(path);
	free(tmp);
	return rc;
}

int grub_hybrid_mbr(unsigned char mbr[512])
{
	char *gdir = grub_dir();
	char *path = xasprintf("%s/i386-pc/boot_hybrid.img", gdir);
	struct buf b = {0};
	int rc = 0;

	free(gdir);
	if (access(path, F_OK) < 0)
		rc = fail(path, "GRUB for BIOS is not installed: install Debian's grub-pc-bin");
	else if (read_file(path, &b) < 0)
		rc = -1;
	else if (b.len != 512)
		rc = fail(path, "not a 512-byte MBR");
	else
		memcpy(mbr, b.data, 512);
	buf_free(&b);
	free(path);
	return rc;
}

/* Quotes s as one GRUB script word (single quotes, as in sh). */
static void add_quoted(struct buf *b, const char *s)
{
	buf_add(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			buf_add(b, "'\\''", 4);
		else
			buf_add(b, s, 1);
	}
	buf_add(b, "'", 1);
}

static void add_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* One menu entry: DIR/vmlinuz with its command line, each word quoted, and DIR/initrd.img. */
static void add_entry(struct buf *b, const char *title, const struct grub_entry *e)
{
	add_str(b, "menuentry ");
	add_quoted(b, title);
	/* The echoes say what GRUB is doing, for the eye and for minos test
	 * --timeline: reading the kernel, the initrd, handing over. */
	add_str(b, " {\n\techo 'Loading Linux ...'\n\t$linux ");
	add_str(b, e->dir);
	add_str(b, "/vmlinuz");
	/* Each word quoted: GRUB passes them to the kernel joined by spaces. */
	for (const char *p = e->cmdline; *p;) {
		size_t n = strcspn(p, " \t");

		if (n) {
			char *w = xasprintf("%.*s", (int)n, p);

			buf_add(b, " ", 1);
			add_quoted(b, w);
			free(w);
		}
		p += n;
		p += strspn(p, " \t");
	}
	add_str(b, "\n\techo 'Loading initial ramdisk ...'\n\t$initrd ");
	add_str(b, e->dir);
	add_str(b, "/initrd.img\n\techo '" TL_GRUB_HANDOFF "'\n}\n");
}

/*
 * The menu on the screen and the first serial port: x86's GRUB drives the
 * 16550 itself; arm64's has no such port (its EFI console is already the
 * serial line), so with an arm64 entry the serial lines are x86's only.
 */
static void add_terminal(struct buf *b, int arm, int x86)
{
	if (!x86)
		return;
	if (arm)
		add_str(b, "if [ \"$grub_cpu\" != arm64 ]; then\n");
	add_str(b, "serial --unit=0 --speed=115200\n"
		   "terminal_input console serial\n"
		   "terminal_output console serial\n");
	if (arm)
		add_str(b, "fi\n");
}

char *grub_config(const char *title, int timeout, const char *marker,
		  const struct grub_entry *e, size_t n)
{
	struct buf b = {0};
	int arm = 0, x86 = 0;
	char *t;

	if (strpbrk(title, "\n\r")) {
		fail("--title", "must be one line");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (strpbrk(e[i].cmdline, "\n\r")) {
			fail("--cmdline", "must be one line");
			return NULL;
		}
		arm |= e[i].arch == ARCH_ARM64;
		x86 |= e[i].arch != ARCH_ARM64;
	}
	add_str(&b, "# grub.cfg written by minos\n");
	if (marker) {
		add_str(&b, "search --no-floppy --set=root --file ");
		add_str(&b, marker);
		add_str(&b, "\n");
	}
	add_terminal(&b, arm, x86);
	t = xasprintf("set default=0\n"
		      "set timeout=%d\n"
		      /* On BIOS, the 16-bit boot protocol: the kernel's own
		       * real-mode setup runs, as with ISOLINUX or QEMU's -kernel,
		       * and under QEMU TCG its decompressor then runs 1.7x faster
		       * than when entered at its 32-bit entry point. */
		      "set linux=linux\n"
		      "set initrd=initrd\n"
		      "if [ \"$grub_platform\" = pc ]; then\n"
		      "\tset linux=linux16\n"
		      "\tset initrd=initrd16\n"
		      "fi\n", timeout);
	add_str(&b, t);
	free(t);
	/* one entry for each architecture: the GRUB running picks its own
	 * ($grub_cpu is arm64, or i386 under BIOS and x86_64 under UEFI) */
	for (size_t i = 0; i < n; i++) {
		if (n > 1 && e[i].arch == ARCH_ARM64)
			continue;
		if (n > 1) {
			add_str(&b, "if [ \"$grub_cpu\" = arm64 ]; then\n");
			for (size_t j = 0; j < n; j++)
				if (e[j].arch == ARCH_ARM64)
					add_entry(&b, title, &e[j]);
			add_str(&b, "else\n");
		}
		add_entry(&b, title, &e[i]);
		if (n > 1)
			add_str(&b, "fi\n");
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

int grub_timeout_opt(const char *arg, int *seconds)
{
	long v;

	if (parse_long(arg, 0, 86400, &v) < 0)
		return fail("--timeout", "'%s' is not a number of seconds (0-86400)", arg);
	*seconds = (int)v;
	return 0;
}
