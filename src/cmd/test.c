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
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "image/kernel.h"
#include "vm/junit.h"
#include "vm/qemu.h"
#include "vm/session.h"
#include "vm/timeline.h"
#include "util/util.h"

enum {
	OPT_TIMEOUT = 1200, OPT_TIMELINE, OPT_KERNEL_REPORTS, OPT_LOG, OPT_JUNIT, OPT_KUNIT,
	OPT_HANG_TIMEOUT, OPT_DUMP, OPT_DUMP_FORMAT, OPT_VMLINUX,
};

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
	const char *junit_path;	/* --junit, or NULL */
	int kunit;		/* --kunit */
	const char *dump_path;	/* --dump, or NULL */
	const char *vmlinux;	/* --vmlinux, or NULL */
};

const struct option test_options[] = {
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"timeline", required_argument, NULL, OPT_TIMELINE},
	{"kernel-reports", required_argument, NULL, OPT_KERNEL_REPORTS},
	{"log", required_argument, NULL, OPT_LOG},
	{"junit", required_argument, NULL, OPT_JUNIT},
	{"kunit", no_argument, NULL, OPT_KUNIT},
	{"hang-timeout", required_argument, NULL, OPT_HANG_TIMEOUT},
	{"dump", required_argument, NULL, OPT_DUMP},
	{"dump-format", required_argument, NULL, OPT_DUMP_FORMAT},
	{"vmlinux", required_argument, NULL, OPT_VMLINUX},
	{"help", no_argument, NULL, 'h'},
	RUN_LONGOPTS,
	{0},
};

const char *const dump_format_names[] = {"kdump", "elf", NULL};

/* --kunit's command when none is given: the kernel's own tests are the test. */
static char *const just_true[] = {"true", NULL};

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
		} else if (opt == OPT_JUNIT) {
			o->junit_path = optarg;
		} else if (opt == OPT_KUNIT) {
			o->kunit = c->kunit = c->full_log = 1;	/* KUnit prints at KERN_INFO */
		} else if (opt == OPT_DUMP) {
			o->dump_path = optarg;
			c->dump = 1;
			c->full_log = 1;	/* the kernel's banner, for the dump's header */
		} else if (opt == OPT_VMLINUX) {
			o->vmlinux = optarg;
		} else if (opt == OPT_DUMP_FORMAT) {
			if ((rc = pick_word("--dump-format", optarg, dump_format_names)) < 0)
				return EXIT_MINOS;
			s->dump_elf = rc == 1;
		} else if (opt == OPT_HANG_TIMEOUT) {
			if (parse_long(optarg, 1, 86400 * 7, &s->hang_timeout) < 0) {
				fail("--hang-timeout", "'%s': expected seconds", optarg);
				return EXIT_MINOS;
			}
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
	if (o->kunit && (c->iso || c->usb || c->netboot || c->initrd)) {
		fail("--kunit", "boots a --kernel with the image minos makes: the kernel's "
		     "command line turns KUnit on and its whole log on the console");
		return EXIT_MINOS;
	}
	if (optind >= argc && !o->kunit) {
		fail("test", "no command: minos test [options] -- COMMAND [ARG]...");
		return usage();
	}
	s->argv = optind < argc ? argv + optind : just_true;
	s->verbose = c->verbose;
	return 0;
}

/* The files the options name, made before the boot: a bad path fails first. */
struct test_files {
	struct outfile svg, junit, dump;
};

static int open_files(const struct test_opts *o, struct test_files *f)
{
	if ((o->svg_path && outfile_open(&f->svg, o->svg_path, 0644) < 0) ||
	    (o->junit_path && outfile_open(&f->junit, o->junit_path, 0644) < 0) ||
	    (o->dump_path && outfile_open(&f->dump, o->dump_path, 0600) < 0))
		return -1;
	return 0;
}

static void abort_files(struct test_files *f)
{
	outfile_abort(&f->svg);
	outfile_abort(&f->junit);
	outfile_abort(&f->dump);
}

/*
 * The (K)TAP that is the verdict: --kunit's is the kernel log's; --junit's
 * the command's stdout's, or the kernel log's when only it had any (a
 * command that loads KUnit modules).
 */
static const struct ktap *chosen_ktap(const struct test_opts *o, const struct test_session *s)
{
	if (o->kunit || (!s->ktap_out->runs && s->ktap_con->runs))
		return s->ktap_con;
	return s->ktap_out;
}

/* --kunit's summary; a failed, missing or unfinished test fails a command that succeeded. */
static int ktap_status(const struct test_opts *o, const struct ktap *k, int rc, int verbose)
{
	char buf[160];
	const char *why;

	if (o->kunit && !k->runs) {
		fputs("minos: --kunit: the kernel printed no KTAP (is CONFIG_KUNIT built in, "
		      "with test suites?)\n", stderr);
		return rc == 0 ? EXIT_TESTS_FAILED : rc;
	}
	if (!k->runs)
		return rc;
	if (o->kunit)
		ktap_print_summary(k, stderr, verbose);
	if ((why = ktap_incomplete(k, buf, sizeof(buf))))
		fprintf(stderr, "minos: the tests did not finish: %s\n", why);
	if (rc == 0 && (k->counts.n[KTAP_FAIL] || k->counts.n[KTAP_ERROR] || why))
		return EXIT_TESTS_FAILED;
	return rc;
}

/* What the status says, for the command's testcase. */
static const char *status_words(int rc, char *buf, size_t size)
{
	if (rc == EXIT_TIMEOUT)
		return "timed out";
	if (rc == EXIT_GUEST_DIED)
		return "the guest died without a status (kernel panic, init crash)";
	snprintf(buf, size, "exit status %d", rc);
	return buf;
}

/*
 * --junit: the (K)TAP's testcases, the kernel's reports as failures with
 * their blocks, and the command itself, passed or failed by its status.
 */
static int write_junit(struct outfile *f, const struct ktap *k, const struct test_session *s,
		       enum kreport_mode mode, int rc)
{
	struct buf cmd = {0}, xml = {0};
	struct junit j;
	char words[64];
	int ok;

	junit_init(&j, "minos test", k);
	for (size_t i = 0; mode != KREPORTS_IGNORE && i < kreport_count(s->reports); i++) {
		const struct kreport *r = kreport_get(s->reports, i);

		junit_add(&j, &(struct junit_case){.suite = "kernel", .name = r->title,
			  .result = mode == KREPORTS_FAIL ? KTAP_FAIL : KTAP_PASS,
			  .message = r->title, .text = r->block, .text_len = r->block_len,
			  .seconds = -1});
	}
	for (char *const *a = s->argv; *a && cmd.len < 200; a++) {
		if (a != s->argv)
			buf_add(&cmd, " ", 1);
		buf_add(&cmd, *a, strlen(*a));
	}
	buf_add(&cmd, "", 1);
	junit_add(&j, &(struct junit_case){.name = (char *)cmd.data,
		  .result = rc == 0 ? KTAP_PASS : rc == EXIT_TIMEOUT || rc == EXIT_GUEST_DIED ?
		  KTAP_ERROR : KTAP_FAIL, .message = rc ? status_words(rc, words, sizeof(words)) :
		  NULL, .seconds = -1});
	junit_write_buf(&j, &xml);
	ok = write_all(f->fd, xml.data, xml.len) == 0 && outfile_commit(f) == 0;
	if (!ok)
		fail_errno(f->path, "cannot write");
	junit_free(&j);
	buf_free(&cmd);
	buf_free(&xml);
	return ok ? 0 : -1;
}

/* The verdict: the kernel's reports, the (K)TAP, the files that say it. */
static int verdict(const struct test_opts *o, struct test_session *s, struct test_files *f,
		   int rc)
{
	const struct ktap *k = NULL;
	int command = rc;	/* the command's own status, for its testcase */

	rc = test_session_verdict(s, rc, o->reports);
	if (s->ktap_con) {
		ktap_finish(s->ktap_con);
		ktap_finish(s->ktap_out);
		k = chosen_ktap(o, s);
		rc = ktap_status(o, k, rc, s->verbose);
	}
	if (o->junit_path && write_junit(&f->junit, k, s, o->reports, command) < 0)
		rc = EXIT_MINOS;
	if (o->dump_path && !s->dumped)
		outfile_abort(&f->dump);	/* no panic, no dump */
	else if (o->dump_path)
		fprintf(stderr, "minos: the guest's memory is in %s\n", o->dump_path);
	return rc;
}

/*
 * The decoder of the reports' traces: --vmlinux's (an error if it cannot
 * be read), else the --kernel build tree's vmlinux if it has DWARF; the
 * modules' .ko files from the tree, --modules-dir and the current
 * directory.  0, or -1 said.
 */
static int open_symbolizer(const struct vm_config *c, const struct test_opts *o,
			   struct test_session *s)
{
	char err[512], *found = o->vmlinux ? NULL : vm_debug_vmlinux(c);
	const char *dirs[3] = {NULL, c->initramfs.modules_dir, c->workdir};
	char *tree = c->kernel ? kernel_tree_of(c->kernel) : NULL;

	dirs[0] = tree;
	if (o->vmlinux || found)
		s->sym = sym_open(o->vmlinux ? o->vmlinux : found, err, sizeof(err));
	free(found);
	if (!s->sym && o->vmlinux) {
		free(tree);
		return fail("--vmlinux", "%s", err);
	}
	for (size_t i = 0; s->sym && i < 3; i++)
		if (dirs[i])
			sym_add_module_dir(s->sym, dirs[i], err, sizeof(err));
	free(tree);
	return 0;
}

/* Boots, runs the command, saves the timeline: the exit status. */
static int run(struct vm_config *c, struct test_session *s, const struct test_opts *o,
	       struct test_files *f)
{
	struct ktap con = {0}, out = {0};
	struct test_log log;
	char *title;
	int rc;

	if (test_log_open(&log, o->log_path, &s->log) < 0) {
		abort_files(f);
		return EXIT_MINOS;
	}
	if (o->junit_path || o->kunit) {
		ktap_init(&con, NULL, 0);
		ktap_init(&out, NULL, KTAP_BARE);
		s->ktap_con = &con;
		s->ktap_out = &out;
	}
	s->dump = o->dump_path ? &f->dump : NULL;
	s->dump_max = ((unsigned long long)c->memory_mb << 21) + (64ull << 20);
	rc = verdict(o, s, f, test_session_run(c, s, o->timeout));
	ktap_free(&con);
	ktap_free(&out);
	s->ktap_con = s->ktap_out = NULL;
	/* the console says what the command cannot: a hang, a death, the kernel's reports */
	test_log_close(&log, rc == EXIT_TIMEOUT || rc == EXIT_GUEST_DIED ||
		       rc == EXIT_TESTS_FAILED ||
		       (o->reports != KREPORTS_IGNORE &&
				kreport_count(s->reports) + kreport_dropped(s->reports)));

	if (!s->booted) {
		abort_files(f);
		return rc;
	}
	if (s->tl) {
		int virt = s->vm->machine == MACHINE_VIRT;	/* arm64: AAVMF, or none at all */
		const char *firmware = c->uefi ? (virt ? "AAVMF" : "OVMF") : virt ? "no firmware" :
				       s->vm->machine == MACHINE_MICROVM ? "qboot" : "SeaBIOS";

		title = timeline_title(c->iso ? c->iso : c->usb ? c->usb : c->netboot ? c->netboot :
				       c->kernel, c->iso ? "CD" : c->usb ? "USB stick" :
				       c->netboot ? "network" : NULL, firmware,
				       s->vm->accel == ACCEL_KVM);
		if (timeline_save(s->tl, &f->svg, title, s->verbose) < 0)
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
				.log = -1, .qmp = {.fd = -1}};
	struct test_opts o = {.timeout = 300};
	struct timeline tl;
	struct test_files f = {.svg = {.fd = -1}, .junit = {.fd = -1}, .dump = {.fd = -1}};
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
	/* The files are made now, so a bad path fails before the boot. */
	if (rc == 0 && (vm_config_finish(&c) < 0 || open_symbolizer(&c, &o, &s) < 0 ||
			open_files(&o, &f) < 0)) {
		abort_files(&f);
		rc = EXIT_MINOS;
	}
	tl.pvh = c.pvh.fd >= 0;
	if (rc == 0)
		rc = run(&c, &s, &o, &f);
	vm_config_free(&c);
	frames_free(&s.frames);
	buf_free(&s.in_frames);
	kreport_reader_free(&reports);
	if (s.sym)
		sym_close(s.sym);
	close(s.sigfd);
	return rc < 0 ? 0 : rc;	/* -1: --help */
}
