/* kernel.h - finding and checking the Linux kernel image (bzImage, arm64 Image) */
#ifndef MINOS_KERNEL_H
#define MINOS_KERNEL_H

#include <stddef.h>

#include "util/arch.h"

enum kernel_form {
	KERNEL_BZIMAGE,		/* x86 */
	KERNEL_IMAGE,		/* arm64, as Debian ships it */
	KERNEL_IMAGE_GZ,	/* arm64, gzip'd (Image.gz) */
	KERNEL_ZBOOT,		/* arm64, EFI zboot: a stub and a compressed Image */
};

struct kernel_info {
	enum arch arch;
	enum kernel_form form;
	char *version;		/* "6.1.0-57-arm64", or NULL: the image does not say */
};

/*
 * What the kernel at path is: its architecture, form and version.  A file
 * that is none of the forms above is an error.  -1 after an error.
 */
int kernel_examine(const char *path, struct kernel_info *ki);
int kernel_examine_mem(const char *path, const unsigned char *h, size_t n,
		       struct kernel_info *ki);
void kernel_info_free(struct kernel_info *ki);
/*
 * The architecture an uncompressed kernel's first n bytes say (an arm64
 * Image's magic, a bzImage's HdrS), without its version; ARCH_NONE if neither.
 */
enum arch kernel_header_arch(const unsigned char *h, size_t n);
/* A compressed arm64 kernel's Image, unpacked into *img; left empty for any other kernel. */
struct buf;
int kernel_unpack(const char *path, struct buf *img);

/*
 * The kernel to use: arg, else $MINOS_KERNEL, else /boot/vmlinuz-$(uname -r),
 * else the newest readable /boot/vmlinuz-*.  Returns an allocated path, or
 * NULL after an error.
 */
char *kernel_find(const char *arg);

/*
 * Checks that path is a kernel image (kernel_examine) and returns its
 * version string ("6.1.0-56-amd64") in *version (allocated; NULL if the
 * image does not carry one).  -1 after an error.
 */
int kernel_inspect(const char *path, char **version);
/* The same over an image in memory. */
int kernel_inspect_mem(const char *path, const unsigned char *h, size_t n, char **version);

/*
 * The image's whole version string, "6.1.0-56-amd64 (builder@host) #1 SMP
 * ...": release, builder and build (allocated); NULL if it has none.
 */
char *kernel_version_string(const unsigned char *h, size_t n);

/*
 * The build tree of TREE/arch/x86/boot/bzImage (or arch/x86_64/, the link
 * the build makes) or TREE/arch/arm64/boot/Image(.gz): TREE, "" for the root (so that "%s/NAME" is a file
 * in it); NULL for any other path.
 */
char *kernel_tree_of(const char *image);

/*
 * config-VERSION beside the image, else a build tree's .config for its
 * arch/x86/boot/bzImage, else /boot/config-VERSION; NULL if none exists.
 */
char *kernel_config_path(const char *image, const char *version);

/* 1 if the config file sets symbol to y, 0 if not, -1 if unreadable. */
int kernel_config_has(const char *config, const char *symbol);
/* The same for y or m: built in, or a module. */
int kernel_config_has_any(const char *config, const char *symbol);

#endif
