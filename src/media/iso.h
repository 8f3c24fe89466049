/* iso.h - the bootable hybrid ISO image: writing it and listing one */
#ifndef MINOS_ISO_H
#define MINOS_ISO_H

#include <stddef.h>
#include <stdint.h>

#include "util/arch.h"
#include "util/util.h"

struct sb_chain;

/* One system the ISO boots: a kernel and its initramfs, for one architecture. */
struct iso_system {
	enum arch arch;
	const char *kernel;		/* a checked kernel: a bzImage, an arm64 Image */
	struct buf kernel_data;		/* or, if not empty, one unpacked in memory (iso_write frees it) */
	const char *initrd;		/* a checked initramfs file, or NULL: */
	unsigned char *initrd_data;	/* one in memory (malloc'd; iso_write frees it) */
	size_t initrd_len;
	const char *cmdline;
	const struct sb_chain *sb;	/* Secure Boot: the ESP boots shim, then the signed GRUB */
};

#define ISO_SYSTEMS 2	/* one per architecture: x86_64 (BIOS and UEFI) and arm64 (UEFI) */

struct iso_spec {
	struct iso_system sys[ISO_SYSTEMS];
	size_t nsys;
	const char *title, *label;
	int timeout;
	const char *rootfs;		/* a squashfs root: /minos/root.sqfs, booted live */
	uint64_t persist;		/* bytes of an appended ext4 partition for persistence */
	const struct buf *enroll;	/* a certificate (DER) for the MOK manager, on the ESP */
};

/*
 * Writes an ISO 9660 image (Rock Ridge, Joliet) that boots the kernel and
 * initrd through GRUB from CD and disk under BIOS and UEFI: El Torito BIOS
 * and EFI entries, GRUB's hybrid MBR and a GPT whose ESP partition is the
 * El Torito EFI image.  An arm64 system boots under UEFI only (its ESP
 * loader BOOTAA64.EFI); with an x86_64 and an arm64 system, each
 * firmware starts its own GRUB, and grub.cfg its own kernel.  Every byte follows from the spec and
 * SOURCE_DATE_EPOCH.  With a rootfs, the kernel's command line gets
 * minos.live=ID (the ISO's own marker, /.disk/minos-ID, which minos-init
 * looks for on every medium) and, with persist, minos.persist=UUID= of an
 * empty ext4 partition appended to the image (MBR and GPT entries), so a
 * USB stick written with dd keeps its changes.  -1 after an error; no
 * output file then.
 */
int iso_write(const struct iso_spec *s, const char *output);

/* 1 if path holds an ISO 9660 volume, 0 if not, -1 if unreadable. */
int iso_detect(const char *path);

struct iso_entry {
	const char *path, *target;	/* target: of a symlink, else NULL */
	unsigned mode, uid, gid;
	uint64_t size;
	int64_t mtime;
	uint64_t offset;		/* of a file's data in the image, if contiguous; else 0 */
};

struct iso_boot {
	const char *platform;		/* "BIOS", "UEFI" or "0xNN" */
	const char *emulation;		/* "no", "floppy", "hard disk" */
	unsigned load_sectors;		/* 512-byte sectors loaded */
	const char *path;		/* the boot image's file, or NULL */
};

/*
 * Reads an ISO's directory tree (Rock Ridge names and attributes where
 * present), calling entry_fn for each file in path order, then boot_fn for
 * each El Torito boot entry.  -1 after an error naming path.
 */
int iso_read(const char *path, void (*entry_fn)(const struct iso_entry *e, void *ctx),
	     void (*boot_fn)(const struct iso_boot *b, void *ctx), void *ctx);

#endif
