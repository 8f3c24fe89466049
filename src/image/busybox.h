/* busybox.h - finding, listing and building BusyBox */
#ifndef MINOS_BUSYBOX_H
#define MINOS_BUSYBOX_H

/* arg, else $MINOS_BUSYBOX, else busybox on PATH; NULL after an error. */
char *busybox_find(const char *arg);

/*
 * The applets' install paths as `busybox --list-full` gives them
 * ("usr/bin/[", "sbin/init", "linuxrc"): a NULL-terminated array, or NULL
 * after an error.
 */
char **busybox_applets(const char *busybox);

/*
 * Builds a static BusyBox in the source tree dir the classic way (make
 * defconfig, CONFIG_STATIC=y, make -jN busybox), showing make's progress
 * on stderr.  Returns the path of the binary, or NULL after an error.
 */
char *busybox_build(const char *dir);

#endif
