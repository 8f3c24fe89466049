/*
 * kernel.c - the kernel image: where it is, whether it is one, its version.
 *
 * An x86 bzImage starts with the real-mode setup header: "HdrS" at 0x202,
 * the boot protocol version at 0x206, and at 0x20E a pointer (less 0x200)
 * to the NUL-terminated version string.  An arm64 Image has "ARM\x64" at
 * 0x38 and no version pointer (its banner is found in it); Debian ships it
 * plain, others gzip'd (Image.gz) or as an EFI zboot image ("zimg" at 4,
 * the compressed Image at the offset at 8).
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

#include "format/compress.h"
#include "util/util.h"

/*
 * A kernel build tree (or O= directory) given as the kernel: its bzImage.
 * Anything else is given back as it is, for kernel_inspect to judge.
 */
static char *kernel_in_tree(const char *arg)
{
	static const char *const images[] = {"arch/x86/boot/bzImage", "arch/arm64/boot/Image"};
	struct stat st;

	if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode))
		return xstrdup(arg);
	for (size_t i = 0; i < ARRAY_SIZE(images); i++) {
		char *k = xasprintf("%s%s%s", arg, arg[strlen(arg) - 1] == '/' ? "" : "/",
				    images[i]);

		if (access(k, R_OK) == 0)
			return k;
		free(k);
	}
	fail(arg, "a directory, but no built kernel tree: no arch/x86/boot/bzImage or "
	     "arch/arm64/boot/Image (run make)");
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
	struct kernel_info ki;

	*version = NULL;
	if (kernel_examine(path, &ki) < 0)
		return -1;
	*version = ki.version;
	return 0;
}

int kernel_inspect_mem(const char *path, const unsigned char *h, size_t n, char **version)
{
	struct kernel_info ki;

	*version = NULL;
	if (kernel_examine_mem(path, h, n, &ki) < 0)
		return -1;
	*version = ki.version;
	return 0;
}

int kernel_examine(const char *path, struct kernel_info *ki)
{
	struct mapping m;
	int rc;

	*ki = (struct kernel_info){0};
	if (map_input(path, &m) < 0)
		return -1;
	rc = kernel_examine_mem(path, m.data, m.len, ki);
	unmap_input(&m);
	return rc;
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

/* An arm64 Image's header: "ARM\x64" at 0x38, whether or not the EFI stub's "MZ" is at 0. */
static int is_arm64_image(const unsigned char *h, size_t n)
{
	return n >= 0x40 && !memcmp(h + 0x38, "ARM\x64", 4);
}

enum arch kernel_header_arch(const unsigned char *h, size_t n)
{
	if (is_arm64_image(h, n))
		return ARCH_ARM64;
	if (n >= 0x210 && !memcmp(h + 0x202, "HdrS", 4))
		return ARCH_X86_64;
	return ARCH_NONE;
}

/*
 * The arm64 header has no version pointer: the banner, "Linux version "
 * and a release that starts with a digit, is found in the image itself.
 */
static char *banner_release(const unsigned char *p, size_t n)
{
	static const char mark[] = "Linux version ";
	const size_t m = sizeof(mark) - 1;

	for (const unsigned char *q = p; (q = memmem(q, n - (size_t)(q - p), mark, m));
	     q += m) {
		size_t left = n - (size_t)(q - p) - m, len = 0;

		while (len < left && len < 64 && q[m + len] > ' ' && q[m + len] < 0x7f)
			len++;
		if (len && q[m] >= '0' && q[m] <= '9' && len < 64)
			return xasprintf("%.*s", (int)len, (const char *)q + m);
	}
	return NULL;
}

/* What an arm64 kernel file holds: the Image, whole, maybe compressed. */
static int arm64_payload(const char *path, const unsigned char *h, size_t n,
			 struct kernel_info *ki, struct buf *img)
{
	/* unpacked, an Image is some tens of MiB: far below this */
	struct unpack_limits lim = {256ULL << 20, 256ULL << 20, NULL, UINT64_MAX - 1};
	enum compression kind;
	size_t used;
	uint32_t off = n >= 0x20 ? le32(h + 8) : 0, size = n >= 0x20 ? le32(h + 12) : 0;
	const unsigned char *z = h;
	size_t zn = n;

	if (n >= 0x20 && !memcmp(h, "MZ", 2) && !memcmp(h + 4, "zimg", 4)) {
		/* EFI zboot: the stub, then the compressed Image at off */
		if (off >= n || size > n - off)
			return fail(path, "damaged EFI zboot kernel: its payload is outside the file");
		ki->form = KERNEL_ZBOOT;
		z = h + off;
		zn = size;
	} else {
		ki->form = KERNEL_IMAGE_GZ;
	}
	switch (decompress_stream(z, zn, 0, path, &lim, img, &used, &kind)) {
	case -1:
		return -1;
	case 0:
		return fail(path, "not a Linux kernel image: an EFI zboot payload minos cannot unpack");
	}
	if (!is_arm64_image(img->data, img->len))
		return fail(path, "not a Linux kernel image: compressed, but not an arm64 Image");
	return 0;
}

int kernel_examine_mem(const char *path, const unsigned char *h, size_t n,
		       struct kernel_info *ki)
{
	*ki = (struct kernel_info){0};
	if (n >= 0x280 && !memcmp(h + 0x202, "HdrS", 4) && h[0x1fe] == 0x55 && h[0x1ff] == 0xaa) {
		char *full;

		if (le16(h + 0x206) < 0x0200)
			return fail(path, "kernel boot protocol too old for an initramfs");
		full = kernel_version_string(h, n);
		ki->arch = ARCH_X86_64;
		ki->form = KERNEL_BZIMAGE;
		if (full)
			ki->version = xasprintf("%.*s", (int)strcspn(full, " "), full);
		free(full);
		return 0;
	}
	if (is_arm64_image(h, n)) {
		ki->arch = ARCH_ARM64;
		ki->form = KERNEL_IMAGE;
		ki->version = banner_release(h, n);
		return 0;
	}
	if ((n >= 2 && h[0] == 0x1f && h[1] == 0x8b) ||
	    (n >= 8 && !memcmp(h, "MZ", 2) && !memcmp(h + 4, "zimg", 4))) {
		struct buf img = {0};
		int rc = arm64_payload(path, h, n, ki, &img);

		if (rc == 0) {
			ki->arch = ARCH_ARM64;
			ki->version = banner_release(img.data, img.len);
		}
		buf_free(&img);
		return rc;
	}
	return fail(path, "not a Linux kernel image (neither an x86 bzImage nor an arm64 Image)");
}

int kernel_unpack(const char *path, struct buf *img)
{
	struct mapping m;
	struct kernel_info ki = {0};
	int rc;

	*img = (struct buf){0};
	if (map_input(path, &m) < 0)
		return -1;
	if (m.len >= 2 && ((m.data[0] == 0x1f && m.data[1] == 0x8b) ||
			   (m.len >= 8 && !memcmp(m.data, "MZ", 2) && !memcmp(m.data + 4, "zimg", 4))))
		rc = arm64_payload(path, m.data, m.len, &ki, img);
	else
		rc = 0;
	unmap_input(&m);
	if (rc < 0)
		buf_free(img);
	return rc;
}

void kernel_info_free(struct kernel_info *ki)
{
	free(ki->version);
	ki->version = NULL;
}

char *kernel_tree_of(const char *image)
{
	static const char *const tails[] = {"/arch/x86/boot/bzImage", "/arch/x86_64/boot/bzImage",
					    "/arch/arm64/boot/Image", "/arch/arm64/boot/Image.gz"};
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
