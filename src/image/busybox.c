/* busybox.c - BusyBox: where it is, which applets it has, how to build it */
#include "image/busybox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/deb.h"
#include "util/progress.h"
#include "util/util.h"

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

char *busybox_find_for(const char *arg, enum arch arch)
{
	char *root, *bb;

	if (arg || arch == arch_host())
		return busybox_find(arg);
	/* $MINOS_BUSYBOX and PATH are the host's: Debian's static one for arch */
	root = deb_fetch("busybox-static", arch);
	bb = root ? xasprintf("%s/bin/busybox", root) : NULL;
	free(root);
	return bb;
}

/*
 * How to run a program of arch here: itself, or through QEMU's user-mode
 * emulator (Debian's qemu-user-static); NULL if neither can.
 */
static const char *emulator(enum arch arch)
{
	static const char *const qemu[] = {"/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64"};

	if (arch == arch_host())
		return "";
	for (size_t i = 0; arch == ARCH_ARM64 && i < ARRAY_SIZE(qemu); i++)
		if (access(qemu[i], X_OK) == 0)
			return qemu[i];
	return NULL;
}

char **busybox_applets(const char *busybox, enum arch arch)
{
	const char *emu = emulator(arch);
	char *native[] = {(char *)busybox, "--list-full", NULL};
	char *emulated[] = {(char *)emu, (char *)busybox, "--list-full", NULL};
	struct buf out = {0};
	char **list = NULL;
	size_t n = 0;
	int rc;

	if (!emu) {
		fail(busybox, "an %s BusyBox lists its applets only when run: install Debian's "
		     "qemu-user-static to run it on this %s host", arch_name(arch),
		     arch_name(arch_host()));
		return NULL;
	}
	rc = run_capture(*emu ? emulated : native, NULL, 0, &out);
	if (rc < 0)
		fail_errno(busybox, "cannot run%s%s", *emu ? " with " : "", emu);
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
	char *full = xasprintf("cd '%s' && { %s; }", dir, cmd), buf[4096];
	char *argv[] = {"/bin/sh", "-c", full, NULL};
	static char tail[8192];
	size_t have = 0;
	int status, fd, pid;
	ssize_t n;

	fd = run_start(argv, NULL, RUN_STDERR, &pid);
	free(full);
	if (fd < 0)
		return fail_errno(dir, "cannot run /bin/sh");
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
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
	close(fd);
	if ((status = run_wait(pid)) < 0)
		return fail_errno(dir, "cannot wait for make");
	if (status) {
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
