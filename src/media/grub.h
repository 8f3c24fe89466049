/* grub.h - GRUB core images (made by grub-mkimage, cached) and grub.cfg */
#ifndef MINOS_GRUB_H
#define MINOS_GRUB_H

#include "util/arch.h"
#include "util/util.h"

/* The ISO's two cores, and the network loaders of minos netboot (prefix /grub on the server). */
enum grub_platform { GRUB_BIOS, GRUB_EFI, GRUB_NET_BIOS, GRUB_NET_EFI, GRUB_EFI_ARM64,
		     GRUB_NET_EFI_ARM64 };

/*
 * The core image for a platform, holding every module our grub.cfg needs
 * and the prefix /boot/grub: the El Torito no-emulation image (BIOS) or
 * BOOTX64.EFI (UEFI), BOOTAA64.EFI (arm64's, from the cache's
 * grub-efi-arm64-bin:arm64 when the host has none).  Made with grub-mkimage from $MINOS_GRUB_DIR, else
 * /usr/lib/grub, and cached under the cache directory, keyed by the GRUB
 * build, the modules and the prefix.  -1 after an error.
 */
int grub_core(enum grub_platform p, struct buf *out);

/* GRUB's boot_hybrid.img: the MBR that boots the El Torito core from disk. */
int grub_hybrid_mbr(unsigned char mbr[512]);

/* What a menu boots on one architecture: DIR/vmlinuz with cmdline, DIR/initrd.img. */
struct grub_entry {
	enum arch arch;
	const char *cmdline, *dir;
};

/*
 * grub.cfg: finds the volume holding `marker` (NULL: the root GRUB came
 * from, as over the network), shows a menu on screen and the first serial
 * port, boots the entry of the running GRUB's architecture ($grub_cpu)
 * when there are several.  Allocated; NULL after an error (title or
 * cmdline not one line).
 */
char *grub_config(const char *title, int timeout, const char *marker,
		  const struct grub_entry *e, size_t n);

/* A boot menu's kernel command line when none is given: the screen and the
 * first serial port both consoles, since a real machine may have either;
 * arm64's first serial port is a PL011 (servers' SPCR names theirs). */
#define GRUB_MENU_CMDLINE "console=tty0 console=ttyS0"
#define GRUB_MENU_CMDLINE_ARM64 "console=tty0 console=ttyAMA0"

/* --timeout SECONDS of a boot menu, 0-86400: 0, or -1 said. */
int grub_timeout_opt(const char *arg, int *seconds);

#endif
