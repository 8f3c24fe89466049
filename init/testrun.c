/*
 * testrun.c - the guest side of `minos test`.
 *
 * The host announces a test boot with minos.test=DEV on the kernel command
 * line or the same string as an SMBIOS OEM string (type 11, which reaches
 * the kernel through any bootloader).  DEV is a serial port of its own,
 * apart from the console, carrying frames: a type byte, a 32-bit
 * little-endian length, the payload.
 *   guest -> host: 'R' ready, 'O' stdout bytes, 'E' stderr bytes,
 *                  'X' exit status (4 bytes LE)
 *   host -> guest: 'C' the command, its arguments NUL-terminated, then
 *                  'I' bytes for its stdin, an empty 'I' frame its end
 * The status travels in a frame the command's output cannot forge.  A
 * child of PID 1 copies the stdin frames into the command's stdin, so PID 1
 * never blocks on a command that does not read it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "channel.h"
#include "cmdline.h"
#include "fsutil.h"
#include "init.h"
#include "log.h"
#include "proc.h"
#include "share.h"
#include "shutdown.h"
#include "testrun.h"

#define MAX_CMD 65536
#define MAX_ARGS 1024

struct test_run {
	int chan;		/* the serial channel */
	int out, err;		/* pipes from the command, -1 once closed */
	pid_t pid;
	int status, exited;
};

static int write_full(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_full(int fd, void *p, size_t n)
{
	char *c = p;

	while (n) {
		ssize_t r = read(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_frame(int fd, char type, const void *p, uint32_t len)
{
	unsigned char h[5] = {(unsigned char)type, len & 0xff, len >> 8 & 0xff,
			      len >> 16 & 0xff, len >> 24};

	return write_full(fd, h, 5) < 0 || write_full(fd, p, len) < 0 ? -1 : 0;
}

/* An SMBIOS type 11 entry: header, then its strings, NUL-separated. */
int oem_string(const char *key, char *dev, size_t n)
{
	size_t klen = strlen(key);
	struct dirscan d;
	const struct dirent *de;
	int found = 0;

	dir_open(&d, open("/sys/firmware/dmi/entries", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (!found && (de = dir_next(&d))) {
		char path[300], raw[4096];
		int fd;
		ssize_t len;

		if (strncmp(de->d_name, "11-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/firmware/dmi/entries/%s/raw", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, raw, sizeof(raw) - 1);
		close(fd);
		if (len <= 5)
			continue;
		raw[len] = '\0';
		for (ssize_t i = raw[1]; i < len && raw[i]; i += (ssize_t)strlen(raw + i) + 1)
			if (!strncmp(raw + i, key, klen) && raw[i + klen] == '=') {
				snprintf(dev, n, "%s", raw + i + klen + 1);
				found = 1;
			}
	}
	dir_close(&d);
	return found;
}

int channel_open(const char *name, char *dev, size_t n, int flags)
{
	int fd = -1;

	snprintf(dev, n, "/dev/%s", name);
	if (!*name || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, ".")) {
		errno = EINVAL;	/* a name in /dev, nothing else */
		return -1;
	}
	/* arm64's hvc0 is a virtio console port: its node comes with the
	 * module, the port when the driver has talked with the device */
	for (int tries = 0; tries < 100 && fd < 0; tries++)
		if ((fd = open(dev, flags | O_NOCTTY | O_CLOEXEC)) < 0 &&
		    (errno == ENOENT || errno == ENODEV || errno == ENXIO))
			usleep(50 * 1000);
	return fd;
}

struct test_run *test_open(const char *cmdline)
{
	static struct test_run one;
	char name[64], dev[80];
	struct test_run *t;
	struct termios tio;
	int fd;

	if (!cmdline_get(cmdline, "minos.test", name, sizeof(name)) &&
	    !oem_string("minos.test", name, sizeof(name)))
		return NULL;
	fd = channel_open(name, dev, sizeof(dev), O_RDWR);
	if (fd < 0) {
		say("cannot open test channel %s: %s", dev, strerror(errno));
		return NULL;
	}
	/* 8-bit clean: no echo, no line discipline, no flow control. */
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetspeed(&tio, B115200);
		tcsetattr(fd, TCSANOW, &tio);
	}
	t = &one;	/* there is one test channel: no malloc in PID 1 */
	*t = (struct test_run){.chan = fd, .out = -1, .err = -1};
	return t;
}

int test_fds(struct test_run *t, int *fds, int max)
{
	int n = 0;

	if (t->out >= 0 && n < max)
		fds[n++] = t->out;
	if (t->err >= 0 && n < max)
		fds[n++] = t->err;
	return n;
}

/* Receives the command: NUL-terminated words in one 'C' frame. */
static int receive_command(struct test_run *t, char *buf, char **argv)
{
	unsigned char h[5];
	uint32_t len;
	int argc = 0;

	if (send_frame(t->chan, CHAN_READY, CHAN_HELLO, sizeof(CHAN_HELLO) - 1) < 0 ||
	    read_full(t->chan, h, 5) < 0)
		return -1;
	len = h[1] | h[2] << 8 | h[3] << 16 | (uint32_t)h[4] << 24;
	if (h[0] != CHAN_COMMAND || len == 0 || len > MAX_CMD || read_full(t->chan, buf, len) < 0 ||
	    buf[len - 1] != '\0')
		return -1;
	for (uint32_t i = 0; i < len && argc < MAX_ARGS - 1; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	return argc;
}

static _Noreturn void finish(struct init *in)
{
	struct test_run *t = in->test;
	unsigned char st[4] = {t->status & 0xff, t->status >> 8 & 0xff,
			       t->status >> 16 & 0xff, (unsigned)t->status >> 24};

	send_frame(t->chan, CHAN_STATUS, st, 4);
	tcdrain(t->chan);
	/*
	 * The host runs QEMU with -no-reboot: a reboot ends it as a poweroff
	 * does, and works on every kernel (one without ACPI power-off turns
	 * poweroff into halt, and QEMU would wait).
	 */
	shutdown_system(in, SD_REBOOT);
}

/*
 * Whether dir is on a 9p mount, as /proc/mounts says (statfs cannot tell:
 * 9p passes on the host's).  Its mount points escape a space as \040.
 */
static int on_9p(const char *dir)
{
	static char mounts[16384];
	int n = read_small("/proc/mounts", mounts, sizeof(mounts));

	for (char *line = n > 0 ? mounts : NULL, *next; line; line = next) {
		char *mp, *type, *r, *w;
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!(mp = strchr(line, ' ')) || !(type = strchr(++mp, ' ')))
			continue;
		*type++ = '\0';
		if (strncmp(type, "9p ", 3))
			continue;
		for (r = w = mp; *r; r++) {	/* \ooo to its byte, in place */
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
			    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
				*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
				r += 3;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		len = strlen(mp);
		if (!strncmp(dir, mp, len) && (dir[len] == '/' || !dir[len] || !strcmp(mp, "/")))
			return 1;
	}
	return 0;
}

/*
 * minos test's current directory, shared from the host (minos.cwd=): the
 * command runs there, if the share is mounted; else it is said, on the
 * command's stderr, and the command runs where it would have.
 */
static void run_in_workdir(const struct init *in)
{
	char dir[4096];

	if (!cmdline_get(in->cmdline, "minos.cwd", dir, sizeof(dir)))
		return;
	if (share_unescape(dir) < 0 || !on_9p(dir))
		dprintf(2, "minos-init: %s is not shared (no 9p in the kernel or the image; see the "
			"console): the command runs in the guest's own directory\n", dir);
	else if (chdir(dir) < 0)
		dprintf(2, "minos-init: cannot run in %s: %s\n", dir, strerror(errno));
}

/*
 * The copier: 'I' frames from the channel into the command's stdin until
 * the empty one (or anything else) ends it.  Its own process: a pipe the
 * command does not read fills, and only the copier waits on it.
 */
static void copy_stdin(const struct init *in, int chan, int to)
{
	static char buf[4096];
	unsigned char h[5];

	if (fork() != 0)
		return;
	child_reset(in);
	while (read_full(chan, h, 5) == 0 && h[0] == CHAN_STDIN) {
		uint32_t len = h[1] | h[2] << 8 | h[3] << 16 | (uint32_t)h[4] << 24;

		if (len == 0)
			break;
		while (len) {
			uint32_t n = len < sizeof(buf) ? len : sizeof(buf);

			if (read_full(chan, buf, n) < 0)
				_exit(1);
			if (write_full(to, buf, n) < 0)
				len = n;	/* the command closed it: drain the frame, drop it */
			len -= n;
		}
	}
	_exit(0);
}

void test_start(struct init *in)
{
	static char buf[MAX_CMD];
	struct test_run *t = in->test;
	char *argv[MAX_ARGS];
	int out[2], errp[2], inp[2];

	if (receive_command(t, buf, argv) <= 0) {
		say("test channel: no command received");
		t->status = 125;
		finish(in);
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(inp, O_CLOEXEC) < 0) {
		say("test: cannot make pipes: %s", strerror(errno));
		t->status = 125;
		finish(in);
	}
	t->pid = fork();
	if (t->pid == 0) {
		child_reset(in);
		setsid();
		dup2(inp[0], 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		run_in_workdir(in);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(inp[0]);
	if (t->pid > 0)
		copy_stdin(in, t->chan, inp[1]);
	close(inp[1]);
	close(out[1]);
	close(errp[1]);
	t->out = out[0];
	t->err = errp[0];
	if (t->pid < 0) {
		say("test: cannot fork: %s", strerror(errno));
		t->status = 125;
		finish(in);
	}
}

void test_io(struct init *in, int fd)
{
	struct test_run *t = in->test;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n > 0) {
		send_frame(t->chan, fd == t->out ? CHAN_STDOUT : CHAN_STDERR, buf, (uint32_t)n);
		return;
	}
	close(fd);
	*(fd == t->out ? &t->out : &t->err) = -1;
}

int test_child_exited(struct init *in, pid_t pid, int status)
{
	struct test_run *t = in->test;

	if (!t || pid != t->pid)
		return 0;
	t->exited = 1;
	t->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	/* Take what is in the pipes, but do not wait for a background
	 * process that still holds them open. */
	for (int i = 0; i < 2; i++) {
		int fd = i ? t->err : t->out;

		if (fd >= 0)
			fcntl(fd, F_SETFL, O_NONBLOCK);
	}
	while (t->out >= 0 || t->err >= 0) {
		int fd = t->out >= 0 ? t->out : t->err;
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			send_frame(t->chan, fd == t->out ? CHAN_STDOUT : CHAN_STDERR, buf, (uint32_t)n);
			continue;
		}
		close(fd);
		*(fd == t->out ? &t->out : &t->err) = -1;
	}
	finish(in);
}
