/* switchroot.h - from the initramfs to the real root, as util-linux's switch_root */
#ifndef MINOS_INIT_SWITCHROOT_H
#define MINOS_INIT_SWITCHROOT_H

struct init;

#define NEWROOT "/sysroot"	/* where the new root is mounted for the switch */

/* 1 if / is the initramfs (then there is a root to switch to). */
int root_in_initramfs(void);
/*
 * A writable new root (an overlay) can take /dev, /proc, /sys and /run
 * even if its tree has no directory for them: makes those it lacks; their
 * names go into made (" /dev /proc", at most 32 bytes), "" if none.
 */
void root_mount_points(const char *newroot, char *made);
/*
 * /dev, /proc, /sys and /run into newroot, newroot over /, chroot: the old
 * root, open; or -1, having said what failed.
 */
int root_move(const char *newroot);
/*
 * newroot mounted, init checked: root_move, the initramfs deleted (in a
 * child), init exec'd.  Returns -1, having said what failed.
 */
int switch_root(const struct init *in, const char *newroot, const char *init);

#endif
