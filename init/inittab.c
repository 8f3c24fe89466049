/* inittab.c - parses BusyBox's inittab and splits its commands */
#include "inittab.h"

#include <stdio.h>
#include <string.h>

static const char *const actions[] = {
	[ACT_SYSINIT] = "sysinit", [ACT_WAIT] = "wait", [ACT_ONCE] = "once",
	[ACT_RESPAWN] = "respawn", [ACT_ASKFIRST] = "askfirst",
	[ACT_CTRLALTDEL] = "ctrlaltdel", [ACT_SHUTDOWN] = "shutdown",
	[ACT_RESTART] = "restart", [ACT_KBREQUEST] = "kbrequest",
};

const char *action_name(enum action a)
{
	return actions[a];
}

static int parse_line(char *line, struct inittab_entry *e, const char **why)
{
	char *f[4], *p = line;

	for (int i = 0; i < 3; i++) {
		char *colon = strchr(p, ':');

		if (!colon) {
			*why = "expected id:runlevels:action:process";
			return -1;
		}
		*colon = '\0';
		f[i] = p;
		p = colon + 1;
	}
	f[3] = p + strspn(p, " \t");
	for (size_t a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
		if (strcmp(f[2], actions[a]))
			continue;
		if (!*f[3]) {
			*why = "no process to run";
			return -1;
		}
		if (strlen(f[0]) + 6 >= sizeof(e->tty) ||
		    strlen(f[3]) >= sizeof(e->command)) {
			*why = "line too long";
			return -1;
		}
		e->action = (enum action)a;
		if (!*f[0])
			e->tty[0] = '\0';
		else if (!strncmp(f[0], "/dev/", 5))
			snprintf(e->tty, sizeof(e->tty), "%s", f[0]);
		else
			snprintf(e->tty, sizeof(e->tty), "/dev/%s", f[0]);
		snprintf(e->command, sizeof(e->command), "%s", f[3]);
		return 0;
	}
	*why = "unknown action";
	return -1;
}

int inittab_parse(const char *text, struct inittab *t,
		  void (*warn)(int line, const char *msg, void *ctx), void *ctx)
{
	char line[INITTAB_TTY + INITTAB_CMD + 64];
	int no = 0, bad = 0;

	t->n = 0;
	while (*text) {
		size_t len = strcspn(text, "\n");
		const char *why = NULL;
		char *s, *end;

		no++;
		if (len >= sizeof(line)) {
			why = "line too long";
		} else {
			memcpy(line, text, len);
			line[len] = '\0';
			s = line + strspn(line, " \t");
			for (end = s + strlen(s); end > s && strchr(" \t\r", end[-1]);)
				*--end = '\0';
			if (*s && *s != '#') {
				if (t->n == INITTAB_MAX)
					why = "too many entries";
				else if (parse_line(s, &t->e[t->n], &why) == 0)
					t->n++;
			}
		}
		if (why) {
			bad++;
			if (warn)
				warn(no, why, ctx);
		}
		text += len + (text[len] == '\n');
	}
	return bad;
}

/* Built in place: a static entry would be a template of 580 bytes, mostly zeros, in PID 1. */
static struct inittab_entry *add(struct inittab *t, enum action a, const char *command)
{
	struct inittab_entry *e = &t->e[t->n++];

	memset(e, 0, sizeof(*e));
	e->action = a;
	strcpy(e->command, command);
	return e;
}

void inittab_default(struct inittab *t, int have_rcs, const char *consoles)
{
	const char *p = consoles ? consoles : "";

	/* Without ctrlaltdel entries, Ctrl-Alt-Del reboots: init does it itself. */
	t->n = 0;
	if (have_rcs)
		add(t, ACT_SYSINIT, "/etc/init.d/rcS");
	add(t, ACT_RESPAWN, "-/bin/sh");
	/* The consoles other than the last (/dev/console): a shell each, once asked for. */
	for (;;) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (!n || !p[n + strspn(p + n, " \t\n")] || t->n >= INITTAB_MAX)
			break;
		if (n < INITTAB_TTY - 6) {
			struct inittab_entry *e = add(t, ACT_ASKFIRST, "-/bin/sh");

			/* tty0 is whichever VT is in front: the first is where it starts */
			if (n == 4 && !memcmp(p, "tty0", 4))
				snprintf(e->tty, sizeof(e->tty), "/dev/tty1");
			else
				snprintf(e->tty, sizeof(e->tty), "/dev/%.*s", (int)n, p);
		}
		p += n;
	}
}

int inittab_argv(const char *command, char *buf, size_t bufsize, char **argv,
		 int max)
{
	static const char shell_chars[] = "~`!$^&*()=|\\{}[];\"'<>?";
	const char *cmd = command[0] == '-' ? command + 1 : command;
	int argc = 0;

	if (strpbrk(cmd, shell_chars)) {
		snprintf(buf, bufsize, "exec %s", cmd);
		argv[argc++] = "/bin/sh";
		argv[argc++] = "-c";
		argv[argc++] = buf;
	} else {
		char *save = NULL;

		snprintf(buf, bufsize, "%s", cmd);
		for (char *w = strtok_r(buf, " \t", &save); w && argc < max - 1;
		     w = strtok_r(NULL, " \t", &save))
			argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}
