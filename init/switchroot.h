/* switchroot.h - from the initramfs to the real root, as util-linux's switch_root */
#ifndef MINOS_INIT_SWITCHROOT_H
#define MINOS_INIT_SWITCHROOT_H

struct init;

/* NEWROOT mounted, init checked: move over / and exec init; never returns. */
_Noreturn void switch_root(struct init *in, const char *newroot, const char *init);
/* /dev, /proc, /sys and /run into newroot, newroot over /, chroot: the old root, open. */
int root_move(struct init *in, const char *newroot);

#endif
