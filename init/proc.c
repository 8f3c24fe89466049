/*
 * proc.c - starting children the way a shell on a console needs them
 * (own session, the real console device as controlling tty, so that job
 * control and Ctrl-C work) and reaping every child and orphan.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"
#include "inittab.h"
#include "log.h"
#include "proc.h"

/* In the child: the signal state the program expects, not PID 1's. */
void child_reset(const struct init *in)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};

	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigprocmask(SIG_SETMASK, &in->child_mask, NULL);
	if (in->sigfd >= 0)
		close(in->sigfd);
}

/* setsid, then the tty as stdio and controlling terminal. */
static void child_tty(const struct init *in, const char *tty)
{
	const char *dev = *tty ? tty : in->console;
	int fd;

	setsid();
	fd = open(dev, O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fd = open("/dev/console", O_RDWR | O_NOCTTY);
		dev = "/dev/console";
	}
	if (fd < 0)
		return;	/* keep the stdio init has */
	/* /dev/console itself can never be a controlling tty. */
	if (ioctl(fd, TIOCSCTTY, 1) < 0 && strcmp(dev, "/dev/console"))
		say("%s: cannot make it the controlling tty: %s", dev, strerror(errno));
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void ask_first(void)
{
	static const char msg[] = "\nPlease press Enter to activate this console. ";
	char c;

	if (write(1, msg, sizeof(msg) - 1) < 0)
		return;
	while (read(0, &c, 1) == 1 && c != '\n' && c != '\r')
		;
}

/* In the child: becomes the entry's program; never returns. */
static _Noreturn void exec_entry(const struct inittab_entry *e)
{
	char buf[INITTAB_CMD + 8], arg0[128], *argv[64];
	int argc = inittab_argv(e->command, buf, sizeof(buf), argv, 64);

	if (argc == 0)
		_exit(127);
	if (e->command[0] == '-' && argv[0] != buf) {
		/* A login shell: "-sh" as argv[0], as login(1) does. */
		const char *base = strrchr(argv[0], '/');
		char *path = argv[0];

		snprintf(arg0, sizeof(arg0), "-%s", base ? base + 1 : argv[0]);
		argv[0] = arg0;
		execv(path, argv);
		argv[0] = path;
	} else {
		execvp(argv[0], argv);
	}
	say("cannot run %s: %s", e->command, strerror(errno));
	_exit(127);
}

pid_t spawn_entry(const struct init *in, const struct inittab_entry *e)
{
	pid_t pid = fork();

	if (pid < 0) {
		say("cannot fork for %s: %s", e->command, strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	child_reset(in);
	child_tty(in, e->tty);
	if (e->action == ACT_ASKFIRST)
		ask_first();
	exec_entry(e);
}

void reap(struct init *in, void (*on_exit)(struct init *, pid_t, int))
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (on_exit)
			on_exit(in, pid, status);
}

void run_and_wait(struct init *in, const struct inittab_entry *e)
{
	pid_t pid = spawn_entry(in, e), got;
	int status;

	if (pid < 0)
		return;
	/* Orphans exit meanwhile too: reap all, until ours is among them. */
	while ((got = waitpid(-1, &status, 0)) != pid)
		if (got < 0 && errno != EINTR)
			break;
}
