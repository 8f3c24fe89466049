/* netboot.h - a directory the usual network-boot servers serve as it is */
#ifndef MINOS_NETBOOT_H
#define MINOS_NETBOOT_H

#include <stddef.h>
#include <stdio.h>

#include "media/grub.h"
#include "util/arch.h"

/* What is in a netboot directory, each path relative to it. */
#define NB_MARKER ".minos-netboot"
#define NB_KERNEL "vmlinuz"
#define NB_INITRD "initrd.img"
#define NB_IPXE "boot.ipxe"
#define NB_BIOS "grub/core.0"
#define NB_EFI "grub/bootx64.efi"
#define NB_EFI_ARM64 "grub/bootaa64.efi"
#define NB_GRUBCFG "grub/grub.cfg"
#define NB_DNSMASQ "dnsmasq.conf"
#define NB_README "README"

/* One architecture's system: alone at the top, beside another in ARCH/ (x86_64/vmlinuz). */
struct netboot_system {
	enum arch arch;
	const char *kernel;	/* the kernel's file */
	struct buf kernel_data;	/* or, if not empty, an arm64 Image unpacked (GRUB boots no Image.gz) */
	const char *initrd;	/* the initramfs's file, or NULL: initrd_data */
	const unsigned char *initrd_data;
	size_t initrd_len;
	const char *cmdline;
};

#define NB_SYSTEMS 2

struct netboot_spec {
	struct netboot_system sys[NB_SYSTEMS];
	size_t nsys;
	const char *title;
	const char *http;	/* the base URL clients fetch the kernel and initrd from, or NULL */
	int timeout;		/* GRUB's menu, seconds */
};

/* --http's URL: http://HOST[:PORT][/PATH], one line, no spaces; with a final '/'. NULL after an error. */
char *netboot_http_base(const char *url);

/*
 * Refuses output unless it is absent, an empty directory or a netboot
 * directory minos wrote (its marker).  0 if it may be written.
 */
int netboot_check_output(const char *output);

/*
 * Writes the directory beside output and renames it into place, replacing
 * an older one; output has passed netboot_check_output.
 */
int netboot_write(const struct netboot_spec *s, const char *output);

/* A directory's marker, parsed: the version line, then "KEY VALUE" lines. */
struct netboot_info {
	char cmdline[1024];
	char http[512];		/* empty: TFTP only */
	char kernel[128];	/* the kernel's version (the first system's) */
	char arch[64];		/* its systems' architectures ("x86_64 arm64"); empty: x86_64 */
};
/* 0 and *ni filled, or -1 with the reason in why. */
int netboot_parse(const char *text, size_t n, struct netboot_info *ni, char *why, size_t whylen);
/* Reads dir's marker: 1 (a netboot directory), 0 (no marker), -1 after an error it said. */
int netboot_read(const char *dir, struct netboot_info *ni);

/* minos ls on a directory. */
int netboot_ls(const char *dir, FILE *out);

#endif
