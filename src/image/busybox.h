/* busybox.h - finding, listing and building BusyBox */
#ifndef MINOS_BUSYBOX_H
#define MINOS_BUSYBOX_H

#include "util/arch.h"

/* arg, else $MINOS_BUSYBOX, else busybox on PATH; NULL after an error. */
char *busybox_find(const char *arg);
/*
 * The same for an image of arch; for another architecture than the host's,
 * arg, else Debian's busybox-static for it, fetched into the cache.
 */
char *busybox_find_for(const char *arg, enum arch arch);

/*
 * The applets' install paths as `busybox --list-full` gives them
 * ("usr/bin/[", "sbin/init", "linuxrc"): a NULL-terminated array, or NULL
 * after an error.  A BusyBox of another architecture runs under QEMU's
 * user-mode emulator.
 */
char **busybox_applets(const char *busybox, enum arch arch);

/*
 * Builds a static BusyBox in the source tree dir the classic way (make
 * defconfig, CONFIG_STATIC=y, make -jN busybox), showing make's progress
 * on stderr.  Returns the path of the binary, or NULL after an error.
 */
char *busybox_build(const char *dir);

#endif
