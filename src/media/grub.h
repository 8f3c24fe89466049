/* grub.h - GRUB core images (made by grub-mkimage, cached) and grub.cfg */
#ifndef MINOS_GRUB_H
#define MINOS_GRUB_H

#include "util/util.h"

/* The ISO's two cores, and the network loaders of minos netboot (prefix /grub on the server). */
enum grub_platform { GRUB_BIOS, GRUB_EFI, GRUB_NET_BIOS, GRUB_NET_EFI };

/*
 * The core image for a platform, holding every module our grub.cfg needs
 * and the prefix /boot/grub: the El Torito no-emulation image (BIOS) or
 * BOOTX64.EFI (UEFI).  Made with grub-mkimage from $MINOS_GRUB_DIR, else
 * /usr/lib/grub, and cached under the cache directory, keyed by the GRUB
 * build, the modules and the prefix.  -1 after an error.
 */
int grub_core(enum grub_platform p, struct buf *out);

/* GRUB's boot_hybrid.img: the MBR that boots the El Torito core from disk. */
int grub_hybrid_mbr(unsigned char mbr[512]);

/*
 * grub.cfg: finds the volume holding `marker` (NULL: the root GRUB came
 * from, as over the network), shows a menu on screen and the first serial
 * port, boots DIR/vmlinuz with cmdline and DIR/initrd.img.  Allocated; NULL
 * after an error (title or cmdline not one line).
 */
char *grub_config(const char *title, const char *cmdline, int timeout,
		  const char *marker, const char *dir);

/* A boot menu's kernel command line when none is given: the screen and the
 * first serial port both consoles, since a real machine may have either. */
#define GRUB_MENU_CMDLINE "console=tty0 console=ttyS0"

/* --timeout SECONDS of a boot menu, 0-86400: 0, or -1 said. */
int grub_timeout_opt(const char *arg, int *seconds);

#endif
