/* kconfig.h - the options a minos boot needs in a kernel's .config */
#ifndef MINOS_KCONFIG_H
#define MINOS_KCONFIG_H

#include <stddef.h>

struct kconfig_need {
	const char *name;	/* without CONFIG_ */
	const char *why;
};

extern const struct kconfig_need kconfig_needs[];
extern const size_t kconfig_nneeds;

/*
 * Adds the options to DIR's .config (a kernel source tree, or an O=
 * directory of one; from tinyconfig with minimal, from defconfig when
 * there is none) and runs olddefconfig; a name the tree does not know and
 * one that did not stay set are warned about.  *nset: how many are set
 * after.  -1 after an error naming its cause.
 */
int kconfig_apply(const char *dir, int minimal, size_t *nset);

#endif
