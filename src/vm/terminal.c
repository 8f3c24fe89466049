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
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "util/util.h"

#define CTRL_A 0x01

static const char escape_help[] =
	"\r\nminos: Ctrl-A X quit, Ctrl-A Ctrl-A send Ctrl-A, Ctrl-A H this help\r\n";

/* Keyboard to guest, handling the Ctrl-A escapes, into keys; 1 when the user quits. */
static int keyboard(struct buf *keys, const unsigned char *p, size_t n, int *escaped)
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
				buf_add(keys, "\x01", 1);
		} else if (c == CTRL_A) {
			*escaped = 1;
			continue;
		}
		buf_add(keys, &c, 1);
	}
	return 0;
}

/* What the console still holds when QEMU has ended. */
static void drain_console(int con)
{
	unsigned char buf[4096];
	ssize_t n;

	while ((n = recv(con, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		write_all(1, buf, (size_t)n);
}

/* A signal on sigfd: 1 to stop; SIGWINCH sends the new size and goes on (0). */
static int signalled(struct vm *vm, int sigfd, const char *term)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGWINCH) {
		vm_send_winsize(vm, term);	/* the host window was resized */
		return 0;
	}
	return 1;
}

enum { T_IN, T_CON, T_SIG, T_ERR, T_CTL, T_N };

static int interact(struct vm *vm, int sigfd, const char *term)
{
	struct buf keys = {0};
	size_t sent = 0;
	int escaped = 0, in = 0, rc = 0;	/* stdin, until it ends */

	for (;;) {
		struct pollfd p[T_N] = {
			[T_IN] = {.fd = keys.len ? -1 : in, .events = POLLIN},
			[T_CON] = {.fd = vm->con, .events = POLLIN | (keys.len ? POLLOUT : 0)},
			[T_SIG] = {.fd = sigfd, .events = POLLIN},
			[T_ERR] = {.fd = vm->err, .events = POLLIN},
			[T_CTL] = {.fd = vm->ctl, .events = POLLIN}};
		unsigned char buf[4096];
		ssize_t n;
		int status;

		if (poll(p, T_N, 500) < 0 && errno != EINTR) {
			rc = fail_errno("poll", "failed");
			break;
		}
		/* minos-init asks for the terminal's size (and type) */
		if (p[T_CTL].revents) {
			if (read(vm->ctl, buf, sizeof(buf)) > 0)
				vm_send_winsize(vm, term);
			else {
				close(vm->ctl);	/* the guest is going: no more sizes */
				vm->ctl = -1;
			}
		}
		if (p[T_ERR].revents)
			vm_forward_stderr(vm);
		if (p[T_SIG].revents && signalled(vm, sigfd, term)) {
			rc = 1;
			break;
		}
		if ((p[T_CON].revents & (POLLIN | POLLHUP)) &&
		    (n = read(vm->con, buf, sizeof(buf))) > 0)
			write_all(1, buf, (size_t)n);
		if (p[T_IN].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				in = -1;	/* a script's input ended: the guest goes on */
			else if (keyboard(&keys, buf, (size_t)n, &escaped))
				break;
		}
		/* input that never pauses (yes | minos run) must not stop the output */
		if (keys.len)
			buf_send_ready(vm->con, &keys, &sent);	/* a guest gone ends below */
		if (vm_exited(vm, &status)) {
			drain_console(vm->con);
			break;
		}
	}
	buf_free(&keys);
	return rc;
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
