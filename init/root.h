/* root.h - the real root from the kernel command line */
#ifndef MINOS_INIT_ROOT_H
#define MINOS_INIT_ROOT_H

enum root_kind { ROOT_PATH, ROOT_LABEL, ROOT_UUID, ROOT_PARTUUID, ROOT_DEVNUM };

struct root_spec {
	enum root_kind kind;
	char value[128];	/* /dev/vda1, the label, the UUID, or MAJ:MIN */
	char given[128];	/* root= as given, for messages */
	char fstype[32];	/* rootfstype=, or empty: probe */
	char flags[256];	/* rootflags=: mount(2) data */
	char init[128];		/* init=, or empty: the usual places */
	int rw;			/* the kernel's default is ro */
	int wait;		/* rootwait: as long as it takes */
	int delay;		/* rootdelay=: seconds to wait for the device */
};

/*
 * Reads root=, rootfstype=, rootflags=, ro/rw (the last wins), rootwait,
 * rootdelay= and init=.  Returns 1, 0 if there is no root=, or -1 with a
 * reason in why when root= or rootdelay= cannot be understood.
 */
int root_parse(const char *cmdline, struct root_spec *r, char *why, int n);

/* "1234-ABCD" and "1234-abcd" are the same UUID. */
int root_uuid_eq(const char *a, const char *b);

#ifdef MINOS_INIT_H
#include "probe.h"

#define NEWROOT "/sysroot"

/* The device r names, as /dev/NAME in dev; 0 found, -1 not (yet). */
int root_find(const struct root_spec *r, char *dev, int n, struct fsid *f);
/* 1 if / is the initramfs (then there is a root to switch to). */
int root_in_initramfs(void);
/* Waits a little for devices, loading drivers for those that appear. */
void root_tick(struct init *in);
/*
 * NEWROOT is mounted (from dev): finds its init (init=, or the usual
 * places) and switches to it, saying "switching to WHAT".
 */
_Noreturn void root_enter(struct init *in, const char *init, const char *dev, const char *what);
#endif

#endif
