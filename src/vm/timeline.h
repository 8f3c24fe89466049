/*
 * timeline.h - where a boot's time goes: the moment each stage begins, on
 * the host's clock, from what the guest prints and what the host sees.
 */
#ifndef MINOS_TIMELINE_H
#define MINOS_TIMELINE_H

#include <stddef.h>
#include <stdio.h>

#include "util/util.h"

/* The stages, in the order a boot passes through them. */
enum tl_stage {
	TL_HOST,		/* minos before QEMU: options, kernel */
	TL_EXTRACT,		/* the vmlinux unpacked out of the bzImage, for PVH */
	TL_INITRAMFS,		/* the initramfs built, or found in the cache */
	TL_KVM_TRY,		/* a KVM start that made no progress */
	TL_FIRMWARE,		/* QEMU started: SeaBIOS, OVMF or qboot (and the PVH load) */
	TL_BOOTLOADER,		/* GRUB's first output */
	TL_LOAD_KERNEL,		/* GRUB reads the kernel ("Loading Linux") */
	TL_LOAD_INITRD,		/* GRUB reads the initrd ("Loading initial ramdisk") */
	TL_DECOMPRESS,		/* the kernel's setup, EFI stub or decompressor */
	TL_KERNEL,		/* start_kernel: "Linux version" */
	TL_INIT,		/* "Run /init as init process" */
	TL_COMMAND,		/* minos-init is ready: the test command runs */
	TL_POWEROFF,		/* the command's status is in: power off */
	TL_NSTAGES
};

/* The line minos's grub.cfg echoes just before GRUB hands over. */
#define TL_GRUB_HANDOFF "Starting Linux ..."

struct timeline {
	long long origin;		/* host ms of time 0 */
	long long at[TL_NSTAGES];	/* ms after origin; -1: not seen */
	long long end;			/* QEMU ended; -1: not yet */
	int last;			/* the latest stage begun */
	int early_console;		/* the kernel had an early console */
	int pvh;			/* the kernel started at its PVH entry */
	char line[1024];		/* the console line being read */
	size_t len;
};

void timeline_init(struct timeline *t, long long origin_ms);
/* Stage s began at host time now_ms, unless a later stage already has. */
void timeline_mark(struct timeline *t, enum tl_stage s, long long now_ms);
/* Console bytes that arrived at host time now_ms. */
void timeline_console(struct timeline *t, long long now_ms, const char *p, size_t n);
void timeline_end(struct timeline *t, long long now_ms);
/* The label of stage s, which can depend on what was seen. */
const char *timeline_label(const struct timeline *t, enum tl_stage s);
/* Stage s's end: the next stage seen, else the end; -1 if unknown. */
long long timeline_stage_end(const struct timeline *t, enum tl_stage s);

/* A table of the stages seen, one per line. */
void timeline_print(const struct timeline *t, FILE *out);
/* The stages as an SVG picture, a bar each; title is escaped. */
void timeline_write_svg(const struct timeline *t, FILE *f, const char *title);

/* QEMU started at spawn_ms; first_spawn_ms differs when a KVM try came first. */
void timeline_qemu_started(struct timeline *t, long long first_spawn_ms, long long spawn_ms);
/* The picture's title: image booted, medium ("CD", "USB stick", NULL: -kernel), how. */
char *timeline_title(const char *image, const char *medium, const char *firmware, int kvm);
/* Ends the timeline, prints its table if verbose, writes and commits the SVG. */
int timeline_save(struct timeline *t, struct outfile *out, const char *title, int verbose);

#endif
