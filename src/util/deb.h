/* deb.h - Debian packages of another architecture, unpacked into the cache */
#ifndef MINOS_DEB_H
#define MINOS_DEB_H

#include "util/arch.h"

/*
 * The root of package pkg for arch, unpacked (never installed): downloaded
 * with apt-get download PKG:ARCH and unpacked with dpkg-deb -x the first
 * time, into the cache's debs/PKG_ARCH/root (scripts/fetch-deb.sh's place),
 * then reused.  Allocated; NULL after an error that says how to mend it.
 */
char *deb_fetch(const char *pkg, enum arch arch);

#endif
