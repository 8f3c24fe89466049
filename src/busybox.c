/* busybox.c - BusyBox: where it is, which applets it has, how to build it */
#include "busybox.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

extern char **environ;

char *busybox_find(const char *arg)
{
	const char *env = getenv("MINOS_BUSYBOX");
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (arg)
		return xstrdup(arg);
	if (env && *env)
		return xstrdup(env);
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/busybox", d);

		if (access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	if (!found)
		fail(NULL, "no BusyBox found: give --busybox PATH, set MINOS_BUSYBOX, "
		     "or install Debian's busybox-static");
	return found;
}

/* Runs argv with stdout into *out; returns its exit status, -1 on failure. */
static int run_capture(char *const argv[], struct buf *out)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail_errno(argv[0], "cannot run");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	errno = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (errno) {
		close(fds[0]);
		return fail_errno(argv[0], "cannot run");
	}
	for (;;) {
		ssize_t n;

		buf_reserve(out, 4096);
		n = read(fds[0], out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno(argv[0], "cannot wait");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char **busybox_applets(const char *busybox)
{
	char *argv[] = {(char *)busybox, "--list-full", NULL};
	struct buf out = {0};
	char **list = NULL;
	size_t n = 0;
	int rc = run_capture(argv, &out);

	if (rc != 0 || !out.len) {
		if (rc >= 0)
			fail(busybox, "'busybox --list-full' failed (exit %d): is it BusyBox?", rc);
		buf_free(&out);
		return NULL;
	}
	buf_add(&out, "", 1);
	for (char *save = NULL, *l = strtok_r((char *)out.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = xstrdup(l);
	}
	buf_free(&out);
	if (!n) {
		fail(busybox, "'busybox --list-full' listed no applets");
		return NULL;
	}
	list[n] = NULL;
	return list;
}

/* Runs a shell command in dir, its output on our stderr for progress. */
/*
 * Runs cmd in dir with its output held: a line of progress on a terminal
 * (the files compiled), and the output's last lines only if it fails.
 */
static int run_in(const char *dir, const char *cmd, struct progress *p, int *compiled)
{
	char *argv[] = {"/bin/sh", "-c", NULL, NULL};
	char *full = xasprintf("cd '%s' && { %s; } 2>&1", dir, cmd), buf[4096];
	static char tail[8192];
	size_t have = 0;
	posix_spawn_file_actions_t fa;
	int status, fds[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(full);
		return fail_errno(dir, "cannot run %s", cmd);
	}
	argv[2] = full;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	errno = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(full);
	close(fds[1]);
	if (errno) {
		close(fds[0]);
		return fail_errno(dir, "cannot run /bin/sh");
	}
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i + 4 < n; i++)	/* Kbuild's "  CC      file.o" */
			if ((i == 0 || buf[i - 1] == '\n') && !memcmp(buf + i, "  CC", 4))
				++*compiled;
		if (n > 0) {	/* the last 8 KiB (buf is smaller) */
			if (have + (size_t)n > sizeof(tail)) {
				memmove(tail, tail + have + n - sizeof(tail), sizeof(tail) - (size_t)n);
				have = sizeof(tail) - (size_t)n;
			}
			memcpy(tail + have, buf, (size_t)n);
			have += (size_t)n;
		}
		progress_say(p, "%d files compiled", *compiled);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno(dir, "cannot wait for make");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		progress_end(p);
		write_all(2, tail, have);
		return fail(dir, "'%s' failed (its last output is above)", cmd);
	}
	return 0;
}

char *busybox_build(const char *dir)
{
	char *mk = xasprintf("%s/Makefile", dir), *cfg;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	struct progress p;
	int rc, compiled = 0;

	rc = access(mk, R_OK);
	free(mk);
	if (rc < 0) {
		fail_errno(dir, "not a BusyBox source tree (no Makefile)");
		return NULL;
	}
	cfg = xasprintf("make -j%ld busybox", jobs > 0 ? jobs : 1);
	progress_start(&p, "building BusyBox");
	rc = run_in(dir, "make defconfig", &p, &compiled) ||
	     run_in(dir, "sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' .config", &p,
		    &compiled) ||
	     run_in(dir, "yes '' | make oldconfig >/dev/null", &p, &compiled) ||
	     run_in(dir, cfg, &p, &compiled);
	progress_end(&p);
	free(cfg);
	if (rc)
		return NULL;
	return xasprintf("%s/busybox", dir);
}
