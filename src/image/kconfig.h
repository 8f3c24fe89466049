/* kconfig.h - the options a minos boot needs in a kernel's .config */
#ifndef MINOS_KCONFIG_H
#define MINOS_KCONFIG_H

#include <stddef.h>

#include "util/arch.h"

struct kconfig_need {
	const char *name;	/* without CONFIG_ */
	const char *why;
	enum arch only;		/* ARCH_NONE: every architecture's */
};

extern const struct kconfig_need kconfig_needs[];
extern const size_t kconfig_nneeds;

/* Whether need is one of arch's (x86_64's, arm64's). */
int kconfig_needed(const struct kconfig_need *need, enum arch arch);
/* How many of the table arch needs. */
size_t kconfig_count(enum arch arch);
/*
 * The architecture DIR's .config is for: CONFIG_ARM64=y or CONFIG_X86_64=y;
 * ARCH_NONE without a .config or with neither.
 */
enum arch kconfig_arch(const char *dir);

/*
 * Adds the options to DIR's .config (a kernel source tree, or an O=
 * directory of one; from tinyconfig with minimal, from defconfig when
 * there is none) and runs olddefconfig; a name the tree does not know and
 * one that did not stay set are warned about.  The architecture: *arch
 * (--arch; a .config for another one is an error, but with minimal), else
 * the .config's, else what make's own defconfig made (the host's, or the
 * environment's ARCH=).  make runs with its ARCH= (x86, arm64) and, when
 * it is not the host's, CROSS_COMPILE=TRIPLET- (unless the environment has
 * one).  *arch: the architecture configured; *nset: how many of its
 * options are set after.  -1 after an error naming its cause.
 */
int kconfig_apply(const char *dir, int minimal, enum arch *arch, size_t *nset);

#endif
