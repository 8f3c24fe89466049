/* fat.h - a FAT12 image holding a few files (the ISO's EFI system partition), and reading one back */
#ifndef MINOS_FAT_H
#define MINOS_FAT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct fat_file {
	const char *path;	/* "EFI/BOOT/BOOTX64.EFI": 8.3 names, upper case */
	const void *data;
	size_t len;
};

/*
 * Writes a FAT12 filesystem sized to its content (512-byte sectors, the
 * smallest cluster that fits) holding files and the directories above them,
 * every timestamp `mtime` (clamped to FAT's 1980..2107), volume serial
 * `serial`.  -1 after an error naming `what`.
 */
int fat_image(const struct fat_file *files, size_t n, uint32_t serial,
	      int64_t mtime, struct buf *out, const char *what);

/*
 * Reads the file at path ("EFI/BOOT/BOOTX64.EFI", any case) of a FAT12,
 * FAT16 or FAT32 image from anywhere, appending it to out: 1 if found, 0
 * if not, -1 with *why (a few words) for an image that is no FAT or is
 * damaged.  Never reads outside image.
 */
int fat_read_file(const void *image, size_t len, const char *path, struct buf *out,
		  const char **why);

#endif
