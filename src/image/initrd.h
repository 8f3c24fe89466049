/* initrd.h - reading an initramfs back: segments, compression, cpio */
#ifndef MINOS_INITRD_H
#define MINOS_INITRD_H

#include <stddef.h>

#include "format/compress.h"
#include "format/cpio.h"

struct initrd_segment {
	size_t offset;			/* in the file */
	enum compression comp;
};

/*
 * Walks every entry of an initramfs file as the kernel would unpack it:
 * a sequence of cpio archives, each plain or compressed, with zero padding
 * between (an early-microcode cpio followed by a compressed one, say).
 * seg_fn (may be NULL) is told of each segment before its entries, fn of
 * each entry as it is read (entries before a damaged or over-limit part
 * are told before its error).  The file is mapped, not read; the segments
 * are read as they unpack, all of them together held to lim.
 */
int initrd_walk(const char *path, const struct unpack_limits *lim,
		void (*seg_fn)(const struct initrd_segment *s, void *ctx),
		cpio_entry_fn fn, void *ctx);
/* The same over a file already in memory; path is for messages. */
int initrd_walk_mem(const unsigned char *data, size_t size, const char *path,
		    const struct unpack_limits *lim,
		    void (*seg_fn)(const struct initrd_segment *s, void *ctx),
		    cpio_entry_fn fn, void *ctx);

/* --initrd FILE: unpacks as the kernel would unpack it, with entries; else an error. */
int initrd_check(const char *path);

/*
 * Whose initramfs this is when its /init cannot be minos-init: "dracut" or
 * "initramfs-tools" (by the files they always put there), else NULL
 * (minos's, or one not known).  -1 after an error naming the file.
 */
int initrd_maker(const char *path, const char **maker);

#endif
