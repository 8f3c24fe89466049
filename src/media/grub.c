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
};

static char *grub_dir(void)
{
	const char *env = getenv("MINOS_GRUB_DIR");

	return xstrdup(env && *env ? env : "/usr/lib/grub");
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
	char *gdir = grub_dir(), *moddir = xasprintf("%s/%s", gdir, pl->dir);
	char *cache = cache_dir("grub"), *path = NULL, *tmp = NULL;
	uint64_t key;
	int rc = -1;
	struct stat st;

	free(gdir);
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

char *grub_config(const char *title, const char *cmdline, int timeout,
		  const char *marker, const char *dir)
{
	struct buf b = {0};
	char *t;

	if (strpbrk(title, "\n\r")) {
		fail("--title", "must be one line");
		return NULL;
	}
	if (strpbrk(cmdline, "\n\r")) {
		fail("--cmdline", "must be one line");
		return NULL;
	}
	add_str(&b, "# grub.cfg written by minos\n");
	if (marker) {
		add_str(&b, "search --no-floppy --set=root --file ");
		add_str(&b, marker);
		add_str(&b, "\n");
	}
	t = xasprintf("serial --unit=0 --speed=115200\n"
		      "terminal_input console serial\n"
		      "terminal_output console serial\n"
		      "set default=0\n"
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
		      "fi\n"
		      "menuentry ", timeout);
	add_str(&b, t);
	free(t);
	add_quoted(&b, title);
	/* The echoes say what GRUB is doing, for the eye and for minos test
	 * --timeline: reading the kernel, the initrd, handing over. */
	add_str(&b, " {\n\techo 'Loading Linux ...'\n\t$linux ");
	add_str(&b, dir);
	add_str(&b, "/vmlinuz");
	/* Each word quoted: GRUB passes them to the kernel joined by spaces. */
	for (const char *p = cmdline; *p;) {
		size_t n = strcspn(p, " \t");

		if (n) {
			char *w = xasprintf("%.*s", (int)n, p);

			buf_add(&b, " ", 1);
			add_quoted(&b, w);
			free(w);
		}
		p += n;
		p += strspn(p, " \t");
	}
	add_str(&b, "\n\techo 'Loading initial ramdisk ...'\n\t$initrd ");
	add_str(&b, dir);
	add_str(&b, "/initrd.img\n\techo '" TL_GRUB_HANDOFF "'\n}\n");
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
