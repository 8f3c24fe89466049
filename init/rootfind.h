/* rootfind.h - a device named the way root= names it, found among /sys/class/block */
#ifndef MINOS_INIT_ROOTFIND_H
#define MINOS_INIT_ROOTFIND_H

struct init;
struct root_spec;
struct fsid;

/*
 * The device r names, as /dev/NAME (the kernel's name) in dev; 0 found,
 * -1 not (yet).  A /dev path that is a symlink or another name of the
 * node (/dev/mapper/NAME, /dev/VG/LV, /dev/md/NAME) is found by its
 * device number.
 */
int root_find(const struct root_spec *r, char *dev, int n, struct fsid *f);
/* Waits a little for devices, loading drivers for those that appear. */
void root_tick(struct init *in);

#endif
