/*
 * consolestamp - boots QEMU headless with its serial console on a pipe and
 * says when the console first shows each marker, in order; stops QEMU after
 * the last one.  The seed's boots have no minos to time them; this is the
 * same clock for both.
 *
 *   consolestamp ACCEL MARKER... -- QEMU-ARG...
 *   consolestamp exec MARKER... -- COMMAND [ARG]...
 *
 * Prints "MS<TAB>MARKER" per marker, milliseconds since QEMU (or COMMAND,
 * whose stdout is read instead: minos run) was started.  QEMU runs with
 * -accel ACCEL -m 512 -nodefaults -display none -no-reboot; it is killed
 * after the last marker, COMMAND is sent SIGTERM and waited for.
 * Exit 1 if QEMU ends or 180 s pass before the last marker.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	static const char *const fixed[] = {
		"qemu-system-x86_64", "-m", "512", "-nodefaults", "-no-user-config",
		"-display", "none", "-no-reboot", "-serial", "stdio", "-accel",
	};
	int sep = 2, nfixed = (int)(sizeof(fixed) / sizeof(fixed[0])), fds[2];
	size_t len = 0, cap = 1 << 20, from = 0;
	char *con = malloc(cap), **qargv;
	double start;
	pid_t pid;

	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	if (argc < 4 || sep == argc || sep < 3 || !con) {
		fputs("usage: consolestamp ACCEL MARKER... -- QEMU-ARG...\n", stderr);
		return 2;
	}
	qargv = calloc((size_t)(nfixed + 2 + argc - sep), sizeof(char *));
	if (!qargv || pipe(fds) < 0)
		return 1;
	if (!strcmp(argv[1], "exec")) {
		nfixed = -1;	/* COMMAND's argv is the tail of ours */
		for (int i = sep + 1; i < argc; i++)
			qargv[i - sep - 1] = argv[i];
	} else {
		memcpy(qargv, fixed, sizeof(fixed));
		qargv[nfixed] = argv[1];
		for (int i = sep + 1; i < argc; i++)
			qargv[nfixed + i - sep] = argv[i];
	}
	start = now_ms();
	pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "r", stdin))
			_exit(127);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(qargv[0], qargv);
		_exit(127);
	}
	close(fds[1]);
	for (int m = 2; m < sep;) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		ssize_t n;

		if (now_ms() - start > 180000 || poll(&p, 1, 1000) < 0)
			break;
		if (!p.revents)
			continue;
		if (len == cap && !(con = realloc(con, cap *= 2)))
			return 1;
		n = read(fds[0], con + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		while (m < sep) {	/* every marker this read completed */
			size_t ml = strlen(argv[m]);
			char *at = memmem(con + from, len - from, argv[m], ml);

			if (!at) {
				from = len >= ml ? (len - ml + 1 > from ? len - ml + 1 : from) : from;
				break;
			}
			printf("%.1f\t%s\n", now_ms() - start, argv[m]);
			from = (size_t)(at - con) + ml;
			m++;
		}
		if (m == sep) {
			kill(pid, nfixed < 0 ? SIGTERM : SIGKILL);
			waitpid(pid, NULL, 0);
			return 0;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fprintf(stderr, "consolestamp: the console never showed all the markers; its end:\n");
	fwrite(len > 2000 ? con + len - 2000 : con, 1, len > 2000 ? 2000 : len, stderr);
	return 1;
}
