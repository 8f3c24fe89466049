/*
 * cmd/test.c - minos test: boot, run one command in the guest, hand back
 * its output and exit status (vm/session.c talks to minos-init).
 * Exit: the command's status; 124 timeout; 125 minos failed; 255 the guest
 * died without a status (a panic ends QEMU at once: panic=-1, -no-reboot).
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "vm/qemu.h"
#include "vm/session.h"
#include "vm/timeline.h"
#include "util/util.h"

enum { OPT_TIMEOUT = 1200, OPT_TIMELINE, OPT_KERNEL_REPORTS, OPT_LOG };

static int usage(void)
{
	usage_error("test");
	return EXIT_MINOS;
}

struct test_opts {
	long timeout;
	const char *svg_path;	/* --timeline, or NULL */
	const char *log_path;	/* --log, or NULL */
	enum kreport_mode reports;	/* --kernel-reports */
};

const struct option test_options[] = {
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"timeline", required_argument, NULL, OPT_TIMELINE},
	{"kernel-reports", required_argument, NULL, OPT_KERNEL_REPORTS},
	{"log", required_argument, NULL, OPT_LOG},
	{"help", no_argument, NULL, 'h'},
	RUN_LONGOPTS,
	{0},
};

/* The options: 0 to go on, else the exit status. */
static int parse(int argc, char **argv, struct vm_config *c, struct test_session *s,
		 struct test_opts *o)
{
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+h", test_options, NULL)) != -1) {
		if (opt == 'h') {
			help_command("test", stdout);
			return -1;
		}
		if (opt == OPT_TIMELINE) {
			o->svg_path = optarg;
		} else if (opt == OPT_LOG) {
			o->log_path = optarg;
			c->full_log = 1;
		} else if (opt == OPT_KERNEL_REPORTS) {
			if ((rc = pick_word("--kernel-reports", optarg, kreport_mode_names)) < 0)
				return EXIT_MINOS;
			o->reports = (enum kreport_mode)rc;
		} else if (opt == OPT_TIMEOUT) {
			if (parse_long(optarg, 1, 86400 * 7, &o->timeout) < 0) {
				fail("--timeout", "'%s': expected seconds", optarg);
				return EXIT_MINOS;
			}
		} else if ((rc = vm_config_opt(c, opt, optarg)) <= 0) {
			return rc < 0 ? EXIT_MINOS : usage();
		}
	}
	if (optind >= argc) {
		fail("test", "no command: minos test [options] -- COMMAND [ARG]...");
		return usage();
	}
	s->argv = argv + optind;
	s->verbose = c->verbose;
	return 0;
}

/* Boots, runs the command, saves the timeline: the exit status. */
static int run(struct vm_config *c, struct test_session *s, const struct test_opts *o,
	       struct outfile *svg)
{
	struct test_log log;
	char *title;
	int rc;

	if (test_log_open(&log, o->log_path, &s->log) < 0) {
		if (o->svg_path)
			outfile_abort(svg);
		return EXIT_MINOS;
	}
	rc = test_session_verdict(s, test_session_run(c, s, o->timeout), o->reports);
	/* the console says what the command cannot: a hang, a death, the kernel's reports */
	test_log_close(&log, rc == EXIT_TIMEOUT || rc == EXIT_GUEST_DIED ||
		       (o->reports != KREPORTS_IGNORE &&
				kreport_count(s->reports) + kreport_dropped(s->reports)));

	if (!s->booted) {
		if (o->svg_path)
			outfile_abort(svg);
		return rc;
	}
	if (s->tl) {
		const char *firmware = c->uefi ? "OVMF" :
				       s->vm->machine == MACHINE_MICROVM ? "qboot" : "SeaBIOS";

		title = timeline_title(c->iso ? c->iso : c->usb ? c->usb : c->netboot ? c->netboot :
				       c->kernel, c->iso ? "CD" : c->usb ? "USB stick" :
				       c->netboot ? "network" : NULL, firmware,
				       s->vm->accel == ACCEL_KVM);
		if (timeline_save(s->tl, svg, title, s->verbose) < 0)
			rc = EXIT_MINOS;
		free(title);
	}
	return rc;
}

int cmd_test(int argc, char **argv)
{
	struct vm_config c;
	struct vm vm = VM_INIT;
	struct kreport_reader reports;
	struct test_session s = {.vm = &vm, .status = -1, .in = -1, .reports = &reports,
				.log = -1};
	struct test_opts o = {.timeout = 300};
	struct timeline tl;
	struct outfile svg = {.fd = -1};
	sigset_t stop;
	int rc;

	/* a closed stdin is an empty one, not the next file we open */
	if (fcntl(0, F_GETFD) < 0)
		open("/dev/null", O_RDONLY);
	timeline_init(&tl, now_ms_host());
	if (vm_config_init(&c) < 0)
		return EXIT_MINOS;
	kreport_reader_init(&reports);
	c.test = 1;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	s.sigfd = signalfd(-1, &stop, SFD_CLOEXEC);
	rc = parse(argc, argv, &c, &s, &o);
	if (o.svg_path) {
		s.tl = c.tl = &tl;
		c.early_console = 1;
	}
	/* The picture's file is made now, so a bad path fails before the boot. */
	if (rc == 0 && (vm_config_finish(&c) < 0 ||
			(o.svg_path && outfile_open(&svg, o.svg_path, 0644) < 0)))
		rc = EXIT_MINOS;
	tl.pvh = c.pvh.fd >= 0;
	if (rc == 0)
		rc = run(&c, &s, &o, &svg);
	vm_config_free(&c);
	frames_free(&s.frames);
	buf_free(&s.in_frames);
	kreport_reader_free(&reports);
	close(s.sigfd);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
