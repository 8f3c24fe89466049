/*
 * shutdown.c - the ways out of PID 1: halt, poweroff and reboot without
 * losing data (every process asked to stop and then killed, every
 * filesystem unmounted or remounted read-only when busy, synced, and only
 * then reboot(2)), and the emergency shell, the last resort when anything
 * on the way fails, from which poweroff and reboot still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "inittab.h"
#include "log.h"
#include "proc.h"
#include "respawn.h"
#include "shutdown.h"

#define MAX_MOUNTS 128

void kill_all(int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct timespec tick = {0, 20 * 1000000};
	pid_t got;

	kill(-1, SIGTERM);
	kill(-1, SIGHUP);
	kill(-1, SIGCONT);
	for (;;) {
		while ((got = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (got < 0 || now_ms() >= deadline)
			break;	/* no children left, or out of patience */
		nanosleep(&tick, NULL);
	}
	if (got == 0) {
		say("processes still running after %d ms: killing them", timeout_ms);
		kill(-1, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
	}
}

/* "\040" in /proc/self/mountinfo is a space, and so on. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The fifth field of each mountinfo line is the mount point. */
static int read_mount_points(char points[][256], int max)
{
	static char text[MAX_MOUNTS * 256];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len = 0, r;

	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(text) - 1 &&
	       (r = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += r;
	close(fd);
	text[len] = '\0';
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < max;
	     l = strtok_r(NULL, "\n", &save)) {
		char *f = l;

		for (int i = 0; i < 4 && f; i++)
			if ((f = strchr(f, ' ')))
				f++;
		if (!f)
			continue;
		f[strcspn(f, " ")] = '\0';
		unescape(f);
		snprintf(points[n++], 256, "%s", f);
	}
	return n;
}

static void unmount_all(void)
{
	static char points[MAX_MOUNTS][256];
	int n = read_mount_points(points, MAX_MOUNTS);

	if (n < 0) {
		say("cannot read /proc/self/mountinfo: %s", strerror(errno));
		return;
	}
	/* Newest first, so that nothing is unmounted from under another. */
	while (n--) {
		if (!strcmp(points[n], "/")) {
			mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
			continue;
		}
		if (umount2(points[n], 0) == 0)
			continue;
		if (mount(NULL, points[n], NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 &&
		    errno != EINVAL && errno != ENOENT)
			say("cannot unmount %s: %s", points[n], strerror(errno));
	}
}

_Noreturn void shutdown_system(struct init *in, enum shutdown_kind kind)
{
	static const char *const names[] = {"halt", "poweroff", "reboot"};
	static const int cmds[] = {RB_HALT_SYSTEM, RB_POWER_OFF, RB_AUTOBOOT};
	pid_t pid;

	say("%s: stopping", names[kind]);
	for (int i = 0; i < in->tab.n; i++)
		if (in->tab.e[i].action == ACT_SHUTDOWN)
			run_and_wait(in, &in->tab.e[i]);
	kill_all(5000);
	sync();
	unmount_all();
	sync();
	say("%s", names[kind]);
	/* reboot(2) makes its caller exit for halt and poweroff: not PID 1. */
	pid = fork();
	if (pid == 0) {
		reboot(cmds[kind]);
		say("%s: reboot(2) failed: %s", names[kind], strerror(errno));
		_exit(1);
	}
	if (pid < 0)
		say("%s: cannot fork to call reboot(2): %s", names[kind], strerror(errno));
	else
		waitpid(pid, NULL, 0);
	emergency(in, "shutdown failed");
}

_Noreturn void emergency(struct init *in, const char *why)
{
	/* not static: a template of 580 bytes, mostly zeros, in PID 1 */
	const struct inittab_entry shell = {.action = ACT_RESPAWN, .command = "-/bin/sh"};
	static const int sigs[] = {SIGCHLD, SIGUSR1, SIGUSR2, SIGPWR, SIGTERM, SIGINT};
	sigset_t set;
	pid_t pid, got;

	say("%s: starting an emergency shell", why);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	while ((pid = spawn_entry(in, &shell)) > 0) {
		/* poweroff, reboot and halt from the shell still work */
		for (got = 0; got != pid;) {
			int sig = sigwaitinfo(&set, NULL);

			if (sig == SIGUSR1)
				shutdown_system(in, SD_HALT);
			if (sig == SIGUSR2 || sig == SIGPWR)
				shutdown_system(in, SD_POWEROFF);
			if (sig == SIGTERM || sig == SIGINT)
				shutdown_system(in, SD_REBOOT);
			while (got != pid && (got = waitpid(-1, NULL, WNOHANG)) > 0)
				;
		}
		say("emergency shell exited; starting another");
		sleep(1);
	}
	say("no emergency shell either; init is frozen, still reaping");
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sleep(1);
	}
}

