/* package.h - --package NAME: an installed Debian package and what it needs */
#ifndef MINOS_PACKAGE_H
#define MINOS_PACKAGE_H

#include <stddef.h>

#include "image/fstree.h"

/* dpkg's status file ($DPKG_ADMINDIR, else /var/lib/dpkg): the installed packages. */
struct dpkg_pkg {
	char *name, *arch;
	char *depends;		/* Pre-Depends and Depends, one list */
	char *version, *origin;	/* origin: Minos-Origin, the archive's URI (deb.c's sets) */
	int required;		/* Priority: required, or Essential: yes */
};
struct dpkg_db {
	struct dpkg_pkg *v;
	size_t n;
};
int dpkg_parse(const char *text, size_t len, struct dpkg_db *db);
void dpkg_free(struct dpkg_db *db);
const struct dpkg_pkg *dpkg_find(const struct dpkg_db *db, const char *name, size_t len);
/* Calls fn for each group of deps: the first of its alternatives that is installed. */
void dpkg_depends(const struct dpkg_db *db, const char *deps,
		  void (*fn)(const struct dpkg_pkg *p, void *ctx), void *ctx);

/*
 * --package: each name's files (documentation left out) with the shared
 * libraries of its programs, and the files but shared libraries of the
 * packages it depends on that are neither required nor essential.  A
 * package installed on the host (or in --sysroot) comes from there; the
 * others, with their dependencies, from the archive (deb.c's deb_set),
 * their programs' libraries from those packages.  The image lists them
 * all in /usr/share/minos/packages (NAME VERSION ARCH ORIGIN).  -1 after
 * an error naming the package.
 */
int package_add_all(struct fstree *fs, char *const names[], size_t n);

#endif
