/* deb.h - Debian packages of another architecture, unpacked into the cache */
#ifndef MINOS_DEB_H
#define MINOS_DEB_H

#include <stddef.h>

#include "util/arch.h"

/*
 * The root of package pkg for arch, unpacked (never installed): downloaded
 * with apt-get download PKG:ARCH and unpacked with dpkg-deb -x the first
 * time, into the cache's debs/PKG_ARCH/root (scripts/fetch-deb.sh's place),
 * then reused.  Allocated; NULL after an error that says how to mend it.
 */
char *deb_fetch(const char *pkg, enum arch arch);

/*
 * The packages names and everything they depend on, as apt resolves them
 * for a system of arch with nothing installed (no recommends),
 * unpacked together into one merged-/usr root in the cache
 * (debs/set-KEY/root, KEY naming the exact .debs) with a dpkg database:
 * var/lib/dpkg/status (each control file, "Minos-Origin: URI" added) and
 * info/NAME.list.  Each .deb is downloaded once into debs/pool with apt-get
 * download, which checks its hash.  Allocated; NULL after an error naming
 * the package or apt's reason.
 */
char *deb_set(char *const names[], size_t n, enum arch arch);

#endif
