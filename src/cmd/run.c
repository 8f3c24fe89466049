/*
 * cmd/run.c - minos run: boot with the guest's serial console as the
 * terminal.  The terminal is raw while the guest runs and restored however
 * minos ends (Ctrl-A X, the guest powering off, a signal).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "vm/qemu.h"
#include "vm/terminal.h"
#include "util/util.h"

const struct option run_options[] = {
	{"help", no_argument, NULL, 'h'},
	RUN_LONGOPTS,
	{0},
};

int cmd_run(int argc, char **argv)
{
	struct vm_config c;
	struct vm vm = VM_INIT;
	int opt, rc, sigfd;
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
	/* On a terminal, the guest's console gets its size and type (arm64's
	 * image built on the fly then gets the channel's drivers). */
	if (isatty(0))
		c.term = getenv("TERM") ? getenv("TERM") : "";
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
	if (c.gdb_port) {
		char *vmlinux = vm_debug_vmlinux(&c);

		fprintf(stderr, "minos: QEMU waits for gdb: gdb %s -ex 'target remote "
			"localhost:%ld'\n", vmlinux ? vmlinux : "vmlinux", c.gdb_port);
		free(vmlinux);
	}
	rc = vm_boot(&c, &vm, seen, sizeof(seen), &nseen);
	if (rc == 0) {
		fprintf(stderr, "minos: Ctrl-A X quits\n");
		rc = terminal_session(&vm, sigfd, c.term, seen, nseen);
	}
	vm_destroy(&vm);
	vm_config_free(&c);
	close(sigfd);
	return rc ? 1 : 0;
}
