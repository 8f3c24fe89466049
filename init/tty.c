/*
 * tty.c - minos run's terminal channel.  On a serial console the guest
 * cannot ask the terminal its size, so vi, less and top would draw for 0x0
 * and `stty size` fails.  minos run sends "ROWS COLS TERM" on a second
 * serial port (minos.tty= on the command line, or an SMBIOS OEM string)
 * when minos-init asks (the port drops what came before it was opened) and
 * after every resize of the host's window; minos-init sets the
 * console's window size from it (the kernel then sends SIGWINCH to the
 * console's foreground jobs) and the type into the environment of what it
 * starts next.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cmdline.h"
#include "init.h"
#include "testrun.h"
#include "tty.h"

static char line[128];
static size_t have;

/* "ROWS COLS TERM": the console's size, TERM for what starts from now on. */
static void apply(struct init *in, char *msg)
{
	static char term[72];
	struct winsize ws = {0};
	const char *p = msg;
	long rows, cols;
	int fd;

	rows = digits(&p);
	p += *p == ' ';
	cols = digits(&p);
	if (rows <= 0 || cols <= 0 || *p != ' ' || rows > 10000 || cols > 10000)
		return;
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	p++;
	if (*p && strlen(p) < sizeof(term) - 5 && strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-+.") ==
	    strlen(p)) {
		snprintf(term, sizeof(term), "TERM=%s", p);
		for (char **e = environ; e && *e; e++)
			if (!strncmp(*e, "TERM=", 5))
				*e = term;
	}
	fd = open(in->console, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, TIOCSWINSZ, &ws);
		close(fd);
	}
}

/* Reads what came; applies each whole line.  Returns how many it applied. */
static int take(struct init *in)
{
	int applied = 0;
	ssize_t n = read(in->tty, line + have, sizeof(line) - 1 - have);
	char *nl;

	if (n <= 0) {
		if (n == 0 || errno != EAGAIN) {
			close(in->tty);
			in->tty = -1;
		}
		return 0;
	}
	have += (size_t)n;
	line[have] = '\0';
	while ((nl = memchr(line, '\n', have))) {
		*nl = '\0';
		apply(in, line);
		applied++;
		have -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, have);
	}
	if (have == sizeof(line) - 1)
		have = 0;	/* no line this long is ours */
	return applied;
}

void tty_io(struct init *in)
{
	take(in);
}

void tty_open(struct init *in)
{
	char name[32], dev[80];
	struct termios tio;
	struct pollfd p;

	in->tty = -1;
	if (!cmdline_get(in->cmdline, "minos.tty", name, sizeof(name)) &&
	    !oem_string("minos.tty", name, sizeof(name)))
		return;
	if ((in->tty = channel_open(name, dev, sizeof(dev), O_RDWR | O_NONBLOCK)) < 0)
		return;
	if (tcgetattr(in->tty, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetspeed(&tio, B115200);
		tcsetattr(in->tty, TCSANOW, &tio);
	}
	/* the first answer before the first shell starts: it gets the size and the type */
	if (write(in->tty, "size?\n", 6) != 6)
		return;
	p = (struct pollfd){.fd = in->tty, .events = POLLIN};
	for (int i = 0; i < 5 && in->tty >= 0 && poll(&p, 1, 100) > 0; i++)
		if (take(in))
			break;
}
