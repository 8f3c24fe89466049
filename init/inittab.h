/* inittab.h - BusyBox's /etc/inittab format */
#ifndef MINOS_INIT_INITTAB_H
#define MINOS_INIT_INITTAB_H

#include <stddef.h>

/* BusyBox's actions, plus sysvinit's kbrequest. */
enum action {
	ACT_SYSINIT, ACT_WAIT, ACT_ONCE, ACT_RESPAWN, ACT_ASKFIRST,
	ACT_CTRLALTDEL, ACT_SHUTDOWN, ACT_RESTART, ACT_KBREQUEST,
};

#define INITTAB_MAX 64
#define INITTAB_TTY 64
#define INITTAB_CMD 512

struct inittab_entry {
	char tty[INITTAB_TTY];		/* "" for the console, else /dev/... */
	enum action action;
	char command[INITTAB_CMD];	/* a leading '-' asks for a login shell */
};

struct inittab {
	struct inittab_entry e[INITTAB_MAX];
	int n;
};

/*
 * Parses "id:runlevels:action:process" lines (# comments; runlevels are
 * ignored, as BusyBox does).  A bad line is skipped and reported through
 * warn(line_no, message, ctx); the others still count.  Returns the number of
 * bad lines.
 */
int inittab_parse(const char *text, struct inittab *t,
		  void (*warn)(int line, const char *msg, void *ctx), void *ctx);

/*
 * The table used when there is no /etc/inittab: rcS if there is one, a
 * shell on the console, and one on each other console the kernel writes to
 * (consoles: /sys/class/tty/console/active, "tty0 ttyS0", the last being
 * /dev/console), started once Enter is pressed there, as askfirst does.
 */
void inittab_default(struct inittab *t, int have_rcs, const char *consoles);

const char *action_name(enum action a);

/* Splits a command for execve the way BusyBox init does: through /bin/sh -c
 * "exec ..." if it has shell syntax, else on white space.  argv gets at most
 * max-1 words and a NULL; buf holds them.  Returns argc. */
int inittab_argv(const char *command, char *buf, size_t bufsize, char **argv,
		 int max);

#endif
