/* initramfs.h - assembling an initramfs from BusyBox, minos-init and extras */
#ifndef MINOS_INITRAMFS_H
#define MINOS_INITRAMFS_H

#include <getopt.h>

#include "format/compress.h"
#include "image/drivers.h"
#include "util/arch.h"
#include "util/sink.h"

struct initramfs_opts {
	const char *busybox, *busybox_src, *init, *kernel;
	const char **adds, **specs, **modules, **packages;
	size_t nadds, nspecs, nmodules, npackages;
	const char *modules_dir, *firmware_dir;
	struct drivers drivers;	/* --drivers */
	int compress, level;	/* -1: not given */
	int bare;		/* no default contents */
	int builds;		/* an option that builds one was given (not --kernel, --arch) */
	enum arch arch;		/* --arch (or the booted kernel's); ARCH_NONE: --kernel's, else the host's */
	const char *sysroot;	/* --sysroot: libraries and packages of another root */
	const char **kernels;	/* every --kernel given (kernel: the last); minos iso takes two */
	size_t nkernels;
	unsigned root_stack;	/* --root-stack's STACK_* bits; --rescue: all, STACK_RESCUE too */
	const char *ssh_key;	/* --ssh-key: root's authorized_keys, dropbear */
};

/* The long options every command that builds an initramfs accepts. */
enum {
	OPT_BUSYBOX = 1000, OPT_BUSYBOX_SRC, OPT_INIT, OPT_ADD, OPT_SPEC,
	OPT_COMPRESS, OPT_LEVEL, OPT_KERNEL, OPT_BARE, OPT_MODULE, OPT_MODULES_DIR,
	OPT_FIRMWARE_DIR, OPT_DRIVERS, OPT_PACKAGE, OPT_ARCH, OPT_SYSROOT, OPT_RESCUE,
	OPT_ROOT_STACK, OPT_SSH_KEY,
};
#define INITRAMFS_LONGOPTS \
	{"busybox", required_argument, NULL, OPT_BUSYBOX}, \
	{"busybox-src", required_argument, NULL, OPT_BUSYBOX_SRC}, \
	{"init", required_argument, NULL, OPT_INIT}, \
	{"add", required_argument, NULL, OPT_ADD}, \
	{"spec", required_argument, NULL, OPT_SPEC}, \
	{"compress", required_argument, NULL, OPT_COMPRESS}, \
	{"level", required_argument, NULL, OPT_LEVEL}, \
	{"kernel", required_argument, NULL, OPT_KERNEL}, \
	{"bare", no_argument, NULL, OPT_BARE}, \
	{"module", required_argument, NULL, OPT_MODULE}, \
	{"modules-dir", required_argument, NULL, OPT_MODULES_DIR}, \
	{"firmware-dir", required_argument, NULL, OPT_FIRMWARE_DIR}, \
	{"drivers", required_argument, NULL, OPT_DRIVERS}, \
	{"package", required_argument, NULL, OPT_PACKAGE}, \
	{"arch", required_argument, NULL, OPT_ARCH}, \
	{"sysroot", required_argument, NULL, OPT_SYSROOT}, \
	{"rescue", no_argument, NULL, OPT_RESCUE}, \
	{"root-stack", required_argument, NULL, OPT_ROOT_STACK}, \
	{"ssh-key", required_argument, NULL, OPT_SSH_KEY}

void initramfs_opts_init(struct initramfs_opts *o);
/* Takes one option of INITRAMFS_LONGOPTS: 1 taken, 0 not ours, -1 bad. */
int initramfs_opt(struct initramfs_opts *o, int opt, const char *arg);
void initramfs_opts_free(struct initramfs_opts *o);
/* One --kernel at most, for the commands that boot one: 0, or -1 said. */
int initramfs_one_kernel(const struct initramfs_opts *o);
/*
 * An image for real machines (an ISO, a netboot directory): the generic
 * drivers unless --drivers or --bare said otherwise, as a default (a
 * kernel without modules still gets its image).  -1 after an error.
 */
int initramfs_for_machines(struct initramfs_opts *o);

/*
 * Boot media (ISO, netboot) take --initrd FILE or build one: an --initrd
 * excludes the options that build one, and a built one has the drivers of
 * real machines (generic) unless told otherwise.  0, or -1 said (status 2
 * for a usage error in *usage).
 */
int initramfs_for_media(struct initramfs_opts *o, const char *initrd, int *usage);
/*
 * The initramfs for the kernel at path: --initrd's file checked as the
 * kernel will unpack it (*img left empty), else built into *img.
 */
int initramfs_media_image(struct initramfs_opts *o, const char *initrd, const char *kernel,
			  const char *output, struct buf *img);

/* Builds the archive and streams it, compressed, into out; always finishes out. */
int initramfs_build(const struct initramfs_opts *o, struct sink *out,
		    const char *what);

/*
 * The archive for run and test, from the cache when one with the same
 * contents was built before: the tree is written uncompressed in memory
 * and hashed, and only a miss compresses (into the cache, or into memory
 * without one).  A hit is unpacked and compared with the tree before use.
 * *fd: the archive, open; *hit: it came from the cache.
 */
int initramfs_cached(const struct initramfs_opts *o, int *fd, int *hit);

#endif
