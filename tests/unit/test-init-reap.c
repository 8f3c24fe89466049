/*
 * test-init-reap.c - minos-init's reaping and respawn logic on the host:
 * this process becomes a child subreaper, so orphans come to it as they
 * come to PID 1, and its respawn entries run the real supervise.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "inittab.h"
#include "proc.h"
#include "respawn.h"
#include "supervise.h"
#include "tap.h"

static int zombies_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		char path[300], line[512], state;
		int ppid;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');

			if (p && sscanf(p + 2, "%c %d", &state, &ppid) == 2 &&
			    ppid == parent && state == 'Z')
				n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int reaped;
static void count(struct init *in, pid_t pid, int status)
{
	(void)in, (void)pid, (void)status;
	reaped++;
}

int main(void)
{
	static struct init in;
	struct respawn r = {.started_ms = 0};
	long long start;
	int spawns = 0;

	/* The back-off itself. */
	is_int(respawn_exited(&r, 100), 1000, "a command that dies at once waits 1 s");
	r.started_ms = 1200;
	is_int(respawn_exited(&r, 1300), 2000, "then 2 s");
	r.started_ms = 3400;
	is_int(respawn_exited(&r, 3500), 4000, "then 4 s");
	for (int i = 0; i < 10; i++)
		respawn_exited(&r, r.started_ms + 10);
	is_int(respawn_exited(&r, r.started_ms + 10), RESPAWN_MAX_DELAY_MS, "at most 60 s");
	r.started_ms = 100000;
	is_int(respawn_exited(&r, 200000), 0, "a command that ran a while restarts at once");
	is_int(r.quick_fails, 0, "and its count starts again");

	/* Orphans: 300 parents exit at once, their children come to us. */
	ok(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "this test is a child subreaper");
	sigemptyset(&in.child_mask);
	in.sigfd = -1;
	snprintf(in.console, sizeof(in.console), "/dev/null");
	for (int i = 0; i < 300; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (fork() == 0) {
				sleep_ms(200);
				_exit(0);
			}
			_exit(0);
		}
	}
	start = now_ms();
	while (reaped < 600 && now_ms() - start < 5000) {
		reap(&in, count);
		sleep_ms(10);
	}
	is_int(reaped, 600, "300 parents and their 300 orphans reaped");
	is_int(zombies_of(getpid()), 0, "no zombies left");
	ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "no children left");

	/* A respawn entry that fails at once is retried with a back-off. */
	inittab_parse("::respawn:/bin/false\n", &in.tab, NULL, NULL);
	start = now_ms();
	while (now_ms() - start < 3500) {
		int before = in.run[0].pid;

		start_due(&in);
		if (in.run[0].pid && in.run[0].pid != before)
			spawns++;
		reap(&in, child_exited);
		sleep_ms(20);
	}
	ok(spawns >= 2 && spawns <= 4, "/bin/false started %d times in 3.5 s, not in a busy loop",
	   spawns);
	is_int(in.run[0].quick_fails >= 2, 1, "its quick failures are counted");
	if (in.run[0].pid > 0)
		kill(in.run[0].pid, SIGKILL);
	return done_testing();
}
