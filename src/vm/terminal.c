/*
 * terminal.c - minos run's terminal: the guest's serial console on the
 * user's, raw while the guest runs and restored however it ends (Ctrl-A X,
 * the guest powering off, a signal); the window's size sent to minos-init
 * when it asks and when it changes.
 */
#include "vm/terminal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "util/util.h"

#define CTRL_A 0x01

static const char escape_help[] =
	"\r\nminos: Ctrl-A X quit, Ctrl-A Ctrl-A send Ctrl-A, Ctrl-A H this help\r\n";

/* Keyboard to guest, handling the Ctrl-A escapes; 1 when the user quits. */
static int keyboard(int con, const unsigned char *p, size_t n, int *escaped)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (*escaped) {
			*escaped = 0;
			if (c == 'x' || c == 'X')
				return 1;
			if (c == 'h' || c == 'H' || c == '?') {
				write_all(1, escape_help, sizeof(escape_help) - 1);
				continue;
			}
			if (c != CTRL_A)
				write_all(con, "\x01", 1);
		} else if (c == CTRL_A) {
			*escaped = 1;
			continue;
		}
		write_all(con, &c, 1);
	}
	return 0;
}

static int interact(struct vm *vm, int sigfd, const char *term)
{
	int escaped = 0, in = 0;	/* stdin, until it ends */

	for (;;) {
		struct pollfd p[5] = {{.fd = in, .events = POLLIN},
				      {.fd = vm->con, .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN},
				      {.fd = vm->err, .events = POLLIN},
				      {.fd = vm->ctl, .events = POLLIN}};
		unsigned char buf[4096];
		ssize_t n;
		int status;

		if (poll(p, 5, 500) < 0 && errno != EINTR)
			return fail_errno("poll", "failed");
		/* minos-init asks for the terminal's size (and type) */
		if (p[4].revents) {
			if (read(vm->ctl, buf, sizeof(buf)) > 0)
				vm_send_winsize(vm, term);
			else {
				close(vm->ctl);	/* the guest is going: no more sizes */
				vm->ctl = -1;
			}
		}
		if (p[3].revents)
			vm_forward_stderr(vm);
		if (p[2].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGWINCH) {
				vm_send_winsize(vm, term);	/* the host window was resized */
				continue;
			}
			return 1;
		}
		if (p[1].revents) {
			n = read(vm->con, buf, sizeof(buf));
			if (n > 0)
				write_all(1, buf, (size_t)n);
			else
				p[1].fd = -1;
		}
		if (p[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				in = -1;	/* a script's input ended: the guest goes on */
			else if (keyboard(vm->con, buf, (size_t)n, &escaped))
				return 0;
		}
		if (vm_exited(vm, &status))
			return 0;
	}
}

int terminal_session(struct vm *vm, int sigfd, const char *term, const char *seen, size_t nseen)
{
	struct termios saved, raw;
	int tty = isatty(0) && tcgetattr(0, &saved) == 0, rc;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	write_all(1, seen, nseen);
	rc = interact(vm, sigfd, term);
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	return rc;
}
