/* rootfs.h - --rootfs: a root filesystem from a directory, a tarball or a squashfs image */
#ifndef MINOS_ROOTFS_H
#define MINOS_ROOTFS_H

#include "format/squashfs.h"

struct rootfs_opts {
	const char *compressor;	/* squashfs compressor: "zstd" (default) or "xz" */
	const char *init;	/* what the root must have: "/sbin/init", or init= */
	int64_t clamp;		/* SOURCE_DATE_EPOCH: no mtime later; -1 to keep them */
	uint32_t mkfs_time;
};

/*
 * Writes src (a directory, or a tar archive: plain, gzip, xz, zstd or
 * bzip2) as a squashfs image at out, owners, modes, links, device nodes
 * and extended attributes as in the source; checks it has opts->init.
 * A name with "..", or an absolute one, in a tarball is refused.
 * -1 after an error naming src (out is then left for the caller to remove).
 */
int rootfs_write(const char *src, const char *out, const struct rootfs_opts *o);

/* src's kind: 'd' directory, 's' squashfs image, 't' anything else (a tarball?), -1 unreadable. */
int rootfs_kind(const char *src);

/* Checks a squashfs image (the user's own) reads and has opts->init. */
int rootfs_check_squashfs(const char *src, const char *init);

/* --rootfs-compress: the compressors, "zstd" (the default) first. */
extern const char *const rootfs_compressors[];

/*
 * The live root of an ISO booted with cmdline: a squashfs image given is
 * checked and used as it is (*sqfs NULL), anything else is written with
 * compressor into a temporary file beside output (*sqfs, for the caller to
 * remove).  The root must hold the init cmdline's init= names, else
 * /sbin/init.  -1 after an error naming the file at fault.
 */
int rootfs_for_iso(const char *src, const char *compressor, const char *cmdline,
		   const char *output, char **sqfs);

#endif
