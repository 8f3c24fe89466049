/* stackspec.h - minos.md=, minos.luks=, rd.luks.uuid=, minos.luks.key= and minos.ssh=, parsed */
#ifndef MINOS_INIT_STACKSPEC_H
#define MINOS_INIT_STACKSPEC_H

#define STACK_MAX 8	/* arrays or LUKS devices named */
#define STACK_UUID 40

enum md_mode {
	MD_AUTO,	/* no minos.md=: every array, when root= is not there at once */
	MD_OFF,		/* minos.md=0 */
	MD_ALL,		/* minos.md=all */
	MD_LIST,	/* minos.md=UUID,...: those arrays */
};

struct stack_spec {
	enum md_mode md;
	int nmd, nluks;
	char md_uuid[STACK_MAX][STACK_UUID];	/* as mdadm --examine prints them */
	char luks[STACK_MAX][STACK_UUID];	/* LUKS header UUIDs, without "luks-" */
	char key_dev[128], key_path[128];	/* minos.luks.key=DEVICE:PATH */
};

/*
 * Reads minos.md=, minos.luks=UUID[,UUID...], every rd.luks.uuid= (dracut's,
 * "luks-" prefix allowed) and minos.luks.key=; root=/dev/mapper/luks-UUID
 * names a LUKS device too.  Returns 0, or -1 with the first bad word in why
 * (the good ones are kept, the bad one ignored).
 */
int stack_parse(const char *cmdline, struct stack_spec *s, char *why, int n);

/* minos.ssh=: 1 for on or 1 (or a bare minos.ssh), 0 for off or 0, dflt when absent, -1 if neither. */
int ssh_setting(const char *cmdline, int dflt);

#endif
