/*
 * kernel.c - the kernel image: where it is, whether it is one, its version.
 *
 * An x86 bzImage starts with the real-mode setup header: "HdrS" at 0x202,
 * the boot protocol version at 0x206, and at 0x20E a pointer (less 0x200)
 * to the NUL-terminated version string.
 */
#include "image/kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/util.h"

/*
 * A kernel build tree (or O= directory) given as the kernel: its bzImage.
 * Anything else is given back as it is, for kernel_inspect to judge.
 */
static char *kernel_in_tree(const char *arg)
{
	struct stat st;
	char *bz;

	if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode))
		return xstrdup(arg);
	bz = xasprintf("%s%sarch/x86/boot/bzImage", arg, arg[strlen(arg) - 1] == '/' ? "" : "/");
	if (access(bz, R_OK) == 0)
		return bz;
	fail(arg, "a directory, but no built kernel tree: no arch/x86/boot/bzImage (run make)");
	free(bz);
	return NULL;
}

char *kernel_find(const char *arg)
{
	const char *env = getenv("MINOS_KERNEL");
	struct utsname u;
	glob_t g;
	char *path = NULL;

	if (arg || (env && *env))
		return kernel_in_tree(arg ? arg : env);
	if (uname(&u) == 0) {
		path = xasprintf("/boot/vmlinuz-%s", u.release);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
		path = NULL;
	}
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			if (access(g.gl_pathv[i], R_OK) < 0)
				continue;
			if (!path || strverscmp(g.gl_pathv[i], path) > 0) {
				free(path);
				path = xstrdup(g.gl_pathv[i]);
			}
		}
		globfree(&g);
	}
	if (!path)
		fail(NULL, "no kernel found: give --kernel FILE or set MINOS_KERNEL "
		     "(no readable /boot/vmlinuz-*)");
	return path;
}

int kernel_inspect(const char *path, char **version)
{
	unsigned char h[0x8000];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*version = NULL;
	if (fd < 0)
		return fail_errno(path, "cannot open kernel");
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n < 0)
		return fail_errno(path, "cannot read kernel");
	return kernel_inspect_mem(path, h, (size_t)n, version);
}

char *kernel_version_string(const unsigned char *h, size_t n)
{
	unsigned off;

	if (n < 0x210 || !le16(h + 0x20e))
		return NULL;
	off = le16(h + 0x20e) + 0x200u;
	if (off >= n || !memchr(h + off, 0, n - off))
		return NULL;
	return xstrdup((const char *)h + off);
}

int kernel_inspect_mem(const char *path, const unsigned char *h, size_t n, char **version)
{
	char *full;

	*version = NULL;
	if (n < 0x280 || memcmp(h + 0x202, "HdrS", 4) || h[0x1fe] != 0x55 ||
	    h[0x1ff] != 0xaa)
		return fail(path, "not an x86 Linux kernel image (no bzImage boot header)");
	if (le16(h + 0x206) < 0x0200)
		return fail(path, "kernel boot protocol too old for an initramfs");
	full = kernel_version_string(h, n);
	if (full) {
		*version = xasprintf("%.*s", (int)strcspn(full, " "), full);
		free(full);
	}
	return 0;
}

char *kernel_tree_of(const char *image)
{
	static const char *const tails[] = {"/arch/x86/boot/bzImage", "/arch/x86_64/boot/bzImage"};
	size_t n = strlen(image);

	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		size_t t = strlen(tails[i]);

		if (n >= t && !strcmp(image + n - t, tails[i]))
			return xasprintf("%.*s", (int)(n - t), image);
	}
	return NULL;
}

/* TREE/.config for a build tree's bzImage, else NULL. */
static char *kernel_tree_config(const char *image)
{
	char *tree = kernel_tree_of(image), *config = tree ? xasprintf("%s/.config", tree) : NULL;

	free(tree);
	return config;
}

char *kernel_config_path(const char *image, const char *version)
{
	char *name, *p;

	if (!version)
		return NULL;
	name = xasprintf("config-%s", version);
	p = path_beside(image, name);
	free(name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	p = kernel_tree_config(image);
	if (p && access(p, R_OK) == 0)
		return p;
	free(p);
	p = xasprintf("/boot/config-%s", version);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

static int config_has(const char *config, const char *symbol, const char *values)
{
	FILE *f = fopen(config, "re");
	char line[512];
	size_t n = strlen(symbol);
	int found = 0;

	if (!f)
		return fail_errno(config, "cannot open kernel config");
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, symbol, n) && line[n] == '=' && line[n + 1] &&
			strchr(values, line[n + 1]) && (line[n + 2] == '\n' || !line[n + 2]);
	fclose(f);
	return found;
}

int kernel_config_has(const char *config, const char *symbol)
{
	return config_has(config, symbol, "y");
}

int kernel_config_has_any(const char *config, const char *symbol)
{
	return config_has(config, symbol, "ym");
}
