/* package.h - --package NAME: an installed Debian package and what it needs */
#ifndef MINOS_PACKAGE_H
#define MINOS_PACKAGE_H

#include <stddef.h>

#include "image/fstree.h"

/* dpkg's status file ($DPKG_ADMINDIR, else /var/lib/dpkg): the installed packages. */
struct dpkg_pkg {
	char *name, *arch;
	char *depends;		/* Pre-Depends and Depends, one list */
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
 * Adds package name's files (documentation left out) with the shared
 * libraries of its programs, and the files but shared libraries of the
 * packages it depends on that are neither required nor essential.  -1
 * after an error naming it.
 */
int package_add(struct fstree *fs, const char *name);

#endif
