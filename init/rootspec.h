/* rootspec.h - root= and its companions on the kernel command line, parsed */
#ifndef MINOS_INIT_ROOTSPEC_H
#define MINOS_INIT_ROOTSPEC_H

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

#endif
