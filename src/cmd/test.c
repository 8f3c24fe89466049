/*
 * cmd/test.c - minos test: boot, run one command in the guest, hand back
 * its output and exit status.
 *
 * The command goes to minos-init over the test channel (ttyS1) and its
 * stdout, stderr and status come back as frames on it, apart from the
 * console, so no kernel message mixes in and no output can fake a status.
 * Exit: the command's status; 124 timeout; 125 minos failed; 255 the guest
 * died without a status (a panic ends QEMU at once: panic=-1, -no-reboot).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "cmd/commands.h"
#include "vm/frames.h"
#include "vm/qemu.h"
#include "vm/timeline.h"
#include "util/util.h"

#define EXIT_TIMEOUT 124
#define EXIT_GUEST_DIED 255
#define TAIL_SIZE 4096
#define POWEROFF_GRACE_MS 15000

enum { OPT_TIMEOUT = 1200, OPT_TIMELINE };

struct session {
	struct vm *vm;
	int sigfd;		/* SIGINT, SIGTERM, SIGHUP: stop and clean up */
	int verbose;
	char *const *argv;	/* the guest command */
	struct frames frames;	/* the test channel */
	char tail[TAIL_SIZE];	/* the console's last bytes, for a death notice */
	size_t tail_len;
	int status;		/* -1 until the guest reports it */
	struct timeline *tl;	/* --timeline, else NULL */
};

static void console_bytes(struct session *s, const char *p, size_t n)
{
	if (s->tl)
		timeline_console(s->tl, now_ms_host(), p, n);
	if (s->verbose)
		write_all(2, p, n);
	if (n >= TAIL_SIZE) {
		memcpy(s->tail, p + n - TAIL_SIZE, TAIL_SIZE);
		s->tail_len = TAIL_SIZE;
		return;
	}
	if (s->tail_len + n > TAIL_SIZE) {
		size_t drop = s->tail_len + n - TAIL_SIZE;

		memmove(s->tail, s->tail + drop, s->tail_len - drop);
		s->tail_len -= drop;
	}
	memcpy(s->tail + s->tail_len, p, n);
	s->tail_len += n;
}

static int send_command(struct session *s)
{
	struct buf f = {0};
	unsigned char h[5] = {CHAN_COMMAND};
	uint32_t len = 0;
	int rc;

	for (char *const *a = s->argv; *a; a++)
		len += strlen(*a) + 1;
	for (int i = 0; i < 4; i++)
		h[1 + i] = (unsigned char)(len >> (8 * i));
	buf_add(&f, h, 5);
	for (char *const *a = s->argv; *a; a++)
		buf_add(&f, *a, strlen(*a) + 1);
	rc = write_all(s->vm->ctl, f.data, f.len);
	buf_free(&f);
	return rc < 0 ? fail_errno("test channel", "cannot send the command") : 0;
}

/* One frame from the guest. */
static int on_frame(void *ctx, int type, const unsigned char *p, uint32_t len)
{
	struct session *s = ctx;

	switch (type) {
	case CHAN_READY:
		if (s->tl)
			timeline_mark(s->tl, TL_COMMAND, now_ms_host());
		return send_command(s);
	case CHAN_STDOUT:
	case CHAN_STDERR:
		if (write_all(type == CHAN_STDOUT ? 1 : 2, p, len) < 0 && errno != EPIPE)
			return fail_errno(type == CHAN_STDOUT ? "stdout" : "stderr", "cannot write");
		return 0;
	case CHAN_STATUS:
		if (len != 4)
			return fail("test channel", "bad status frame");
		s->status = (int)le32(p);
		if (s->tl)
			timeline_mark(s->tl, TL_POWEROFF, now_ms_host());
		return 0;
	default:
		return fail("test channel", "unknown frame type 0x%02x", type);
	}
}

/* Why the guest died: the panic line if there is one, and the last lines. */
static void say_death(const struct session *s)
{
	const char *end = s->tail + s->tail_len, *p = end, *panic;
	int lines = 0;

	fputs("minos: the guest died without reporting a status "
	      "(kernel panic or init crash)\n", stderr);
	if (s->verbose)
		return;
	panic = memmem(s->tail, s->tail_len, "Kernel panic", 12);
	while (p > s->tail && lines < 12)
		if (*--p == '\n')
			lines++;
	if (panic && panic < p) {
		const char *nl = memchr(panic, '\n', end - panic);

		fprintf(stderr, "minos: %.*s\n", (int)((nl ? nl : end) - panic), panic);
	}
	fputs("minos: the console's last lines (--verbose shows all):\n", stderr);
	fwrite(p, 1, end - p, stderr);
	fputc('\n', stderr);
}

/* Runs the session until QEMU ends or the deadline; returns the exit code. */
static int converse(struct session *s, long long deadline)
{
	struct vm *vm = s->vm;
	long long poweroff_by = 0;

	for (;;) {
		struct pollfd p[4] = {{.fd = vm->con, .events = POLLIN},
				      {.fd = vm->ctl, .events = POLLIN},
				      {.fd = s->sigfd, .events = POLLIN},
				      {.fd = vm->err, .events = POLLIN}};
		long long now = now_ms_host(), until = deadline;
		char buf[65536];
		int status;

		if (poweroff_by && poweroff_by < until)
			until = poweroff_by;
		if (now >= until)
			break;
		if (poll(p, 4, (int)(until - now > 200 ? 200 : until - now)) < 0 && errno != EINTR) {
			fail_errno("poll", "failed");
			return EXIT_MINOS;
		}
		if (p[3].revents)
			vm_forward_stderr(vm);
		if (p[2].revents) {
			struct signalfd_siginfo si;

			if (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
				fprintf(stderr, "minos: stopped by %s\n", strsignal(si.ssi_signo));
				return 128 + (int)si.ssi_signo;
			}
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!p[i].revents)
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				p[i].fd = -1;
				continue;
			}
			if (i == 0) {
				console_bytes(s, buf, (size_t)n);
			} else {
				if (frames_take(&s->frames, buf, (size_t)n, on_frame, s) < 0)
					return EXIT_MINOS;
				if (s->status >= 0 && !poweroff_by)
					poweroff_by = now_ms_host() + POWEROFF_GRACE_MS;
			}
		}
		if (vm_exited(vm, &status)) {
			if (s->tl)
				timeline_end(s->tl, now_ms_host());
			if (s->status >= 0)
				return s->status;
			say_death(s);
			return EXIT_GUEST_DIED;
		}
	}
	if (s->status >= 0) {
		warning("test", "the guest reported status %d but did not power off", s->status);
		return s->status;
	}
	return -1;
}

static int usage(void)
{
	usage_error("test");
	return EXIT_MINOS;
}

struct test_opts {
	long timeout;
	const char *svg_path;	/* --timeline, or NULL */
};

const struct option test_options[] = {
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"timeline", required_argument, NULL, OPT_TIMELINE},
	{"help", no_argument, NULL, 'h'},
	RUN_LONGOPTS,
	{0},
};

/* The options: 0 to go on, else the exit status. */
static int parse(int argc, char **argv, struct vm_config *c, struct session *s,
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

/* Boots, converses, cleans up: the exit status. */
static int run(struct vm_config *c, struct session *s, const struct test_opts *o,
	       struct outfile *svg)
{
	char seen[4096], *title;
	size_t nseen;
	int rc;

	if (vm_boot(c, s->vm, seen, sizeof(seen), &nseen) < 0) {
		if (o->svg_path)
			outfile_abort(svg);
		vm_destroy(s->vm);
		return EXIT_MINOS;
	}
	if (s->tl)
		timeline_qemu_started(s->tl, s->vm->first_spawn_ms, s->vm->spawn_ms);
	console_bytes(s, seen, nseen);
	rc = converse(s, now_ms_host() + o->timeout * 1000LL);
	if (rc < 0) {
		fprintf(stderr, "minos: timed out after %ld s\n", o->timeout);
		rc = EXIT_TIMEOUT;
	}
	vm_destroy(s->vm);
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
	struct session s = {.vm = &vm, .status = -1};
	struct test_opts o = {.timeout = 300};
	struct timeline tl;
	struct outfile svg = {.fd = -1};
	sigset_t stop;
	int rc;

	timeline_init(&tl, now_ms_host());
	if (vm_config_init(&c) < 0)
		return EXIT_MINOS;
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
	close(s.sigfd);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
