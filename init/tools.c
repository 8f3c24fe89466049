/*
 * tools.c - running the programs an image carries for what minos-init
 * does not do itself: mdadm, cryptsetup, lvm, dropbear.  Each gets the
 * environment PID 1 made (DM_DISABLE_UDEV=1 among it), its own session and
 * no descriptor of PID 1's; a passphrase reaches it on a pipe, never on
 * its command line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "proc.h"
#include "tools.h"

int tool_find(const char *name, char *path, size_t n)
{
	static const char *const dirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, n, "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	return -1;
}

pid_t tool_spawn(const struct init *in, char *const argv[], int infd, int outfd)
{
	char path[64];
	pid_t pid = fork();
	int null;

	if (pid)
		return pid;
	child_reset(in);
	setsid();
	null = open("/dev/null", O_RDWR);
	dup2(infd >= 0 ? infd : null, 0);
	if (outfd >= 0) {
		dup2(outfd, 1);
		dup2(outfd, 2);
	}
	/* lvm complains of every descriptor it inherits */
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	if (tool_find(argv[0], path, sizeof(path)) == 0)
		execv(path, argv);
	_exit(127);
}

/* Reads the tool's output; one that says more than out holds is cut off (SIGPIPE). */
static void drain(int fd, char *out, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n - 1 && (r = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
}

int tool_run(const struct init *in, char *const argv[], const char *input, size_t len,
	     char *out, size_t n)
{
	int ip[2] = {-1, -1}, op[2] = {-1, -1}, status;
	pid_t pid = -1;

	if ((!input || pipe2(ip, O_CLOEXEC) == 0) && (!out || pipe2(op, O_CLOEXEC) == 0))
		pid = tool_spawn(in, argv, ip[0], op[1]);
	if (ip[0] >= 0)
		close(ip[0]);
	if (op[1] >= 0)
		close(op[1]);
	if (ip[1] >= 0) {
		/* a passphrase is far below a pipe's buffer: this never blocks */
		if (pid > 0 && write(ip[1], input, len) < 0) {
			/* the tool exited first: its status says why */
		}
		close(ip[1]);
	}
	if (op[0] >= 0) {
		if (pid > 0)
			drain(op[0], out, n);
		close(op[0]);
	}
	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void tool_say(const char *out)
{
	if (write(2, out, strlen(out)) < 0) {
		/* nowhere else to say it */
	}
}
