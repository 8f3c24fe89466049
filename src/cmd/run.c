/*
 * cmd/run.c - minos run: boot with the guest's serial console as the
 * terminal.  The terminal is raw while the guest runs and restored however
 * minos ends (Ctrl-A X, the guest powering off, a signal).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "vm/qemu.h"
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

const struct option run_options[] = {
	{"help", no_argument, NULL, 'h'},
	RUN_LONGOPTS,
	{0},
};

int cmd_run(int argc, char **argv)
{
	struct vm_config c;
	struct vm vm = VM_INIT;
	struct termios saved, raw;
	int tty = isatty(0), opt, rc, sigfd;
	sigset_t sigs;
	char seen[4096];
	size_t nseen;

	if (vm_config_init(&c) < 0)
		return 1;
	while ((opt = getopt_long(argc, argv, "h", run_options, NULL)) != -1) {
		if (opt == 'h') {
			help_command("run", stdout);
			return 0;
		}
		if ((rc = vm_config_opt(&c, opt, optarg)) <= 0)
			return rc < 0 ? 2 : usage_error("run");
	}
	if (optind < argc) {
		fail(argv[optind], "unexpected argument");
		return usage_error("run");
	}
	if (vm_config_finish(&c) < 0) {
		vm_config_free(&c);
		return 1;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGWINCH);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	/* On a terminal, the guest's console gets its size and type. */
	if (tty)
		c.term = getenv("TERM") ? getenv("TERM") : "";
	if (c.gdb_port) {
		char *vmlinux = vm_debug_vmlinux(&c);

		fprintf(stderr, "minos: QEMU waits for gdb: gdb %s -ex 'target remote "
			"localhost:%ld'\n", vmlinux ? vmlinux : "vmlinux", c.gdb_port);
		free(vmlinux);
	}
	rc = vm_boot(&c, &vm, seen, sizeof(seen), &nseen);
	if (rc == 0) {
		fprintf(stderr, "minos: Ctrl-A X quits\n");
		if (tty && tcgetattr(0, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			tcsetattr(0, TCSANOW, &raw);
		} else {
			tty = 0;
		}
		write_all(1, seen, nseen);
		rc = interact(&vm, sigfd, c.term);
		if (tty)
			tcsetattr(0, TCSANOW, &saved);
	}
	vm_destroy(&vm);
	vm_config_free(&c);
	close(sigfd);
	return rc ? 1 : 0;
}
