/*
 * session.c - the host's side of minos test: the guest booted, its
 * console watched (kept for a death notice and the timeline), the command
 * sent when minos-init is ready on the test channel (ttyS1), and its
 * stdout, stderr and status taken from the frames that come back, apart
 * from the console, so no kernel message mixes in and no output can fake a
 * status.
 */
#include "vm/session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "channel.h"
#include "format/flatdump.h"
#include "util/util.h"

#define POWEROFF_GRACE_MS 15000

/*
 * The command's output in the log, each line marked with its stream, so it
 * stands apart from the console's among which it arrived.
 */
static void log_output(struct test_session *s, int err, const unsigned char *p, size_t n)
{
	static const char *const mark[] = {"[minos test: stdout] ", "[minos test: stderr] "};

	while (n) {
		const unsigned char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;

		if (!s->log_mid[err])
			write_all(s->log, mark[err], strlen(mark[err]));
		write_all(s->log, p, len);
		s->log_mid[err] = !nl;
		p += len;
		n -= len;
	}
}

/* The console's lines until the kernel's banner, "Linux version RELEASE (...) ... VERSION". */
static void find_banner(struct test_session *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !s->banner_found; i++) {
		if (p[i] != '\n' && p[i] != '\r') {
			if (s->banner_len < sizeof(s->banner) - 1)
				s->banner[s->banner_len++] = p[i];
			continue;
		}
		s->banner[s->banner_len] = '\0';
		s->banner_found = strstr(s->banner, "Linux version ") != NULL;
		if (!s->banner_found)
			s->banner_len = 0;
	}
}

/* The banner's release and version, as uname -r and -v say them. */
static void banner_uts(const struct test_session *s, char *release, char *version, size_t size)
{
	const char *b = s->banner_found ? strstr(s->banner, "Linux version ") : NULL;
	const char *v = b ? strstr(b, " #") : NULL;

	*release = *version = '\0';
	if (!b)
		return;
	b += 14;
	snprintf(release, size, "%.*s", (int)strcspn(b, " "), b);
	if (v)
		snprintf(version, size, "%s", v + 1);
}

static void console_bytes(struct test_session *s, const char *p, size_t n)
{
	if (s->dump && !s->banner_found)
		find_banner(s, p, n);
	s->heard_ms = now_ms_host();
	if (s->reports)
		kreport_feed(s->reports, p, n);
	if (s->ktap_con)
		ktap_feed(s->ktap_con, p, n);
	if (s->asked)
		hang_feed(&s->hang, p, n);
	if (s->log >= 0)
		write_all(s->log, p, n);
	if (s->tl)
		timeline_console(s->tl, now_ms_host(), p, n);
	if (s->verbose)
		write_all(2, p, n);
	if (n >= SESSION_TAIL) {
		memcpy(s->tail, p + n - SESSION_TAIL, SESSION_TAIL);
		s->tail_len = SESSION_TAIL;
		return;
	}
	if (s->tail_len + n > SESSION_TAIL) {
		size_t drop = s->tail_len + n - SESSION_TAIL;

		memmove(s->tail, s->tail + drop, s->tail_len - drop);
		s->tail_len -= drop;
	}
	memcpy(s->tail + s->tail_len, p, n);
	s->tail_len += n;
}

/*
 * Our stdin goes to the command, as a local command would read it; but not
 * a terminal we do not own: a background job would be stopped reading it.
 */
static int stdin_usable(void)
{
	return !isatty(0) || tcgetpgrp(0) == getpgrp();
}

/* An 'I' frame of n bytes (none: the end of stdin) queued for the guest. */
static void queue_stdin(struct test_session *s, const void *p, size_t n)
{
	unsigned char h[5] = {CHAN_STDIN, n & 0xff, n >> 8 & 0xff, n >> 16 & 0xff, n >> 24};

	buf_add(&s->in_frames, h, 5);
	if (n)
		buf_add(&s->in_frames, p, n);
}

/* Our stdin is readable: its bytes, or its end, for the guest. */
static void read_stdin(struct test_session *s)
{
	char buf[4096];
	ssize_t n = read(s->in, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		queue_stdin(s, buf, (size_t)n);
		return;
	}
	queue_stdin(s, NULL, 0);
	s->in = -1;
}

static int send_command(struct test_session *s)
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
	if (rc < 0)
		return fail_errno("test channel", "cannot send the command");
	if (stdin_usable())
		s->in = 0;
	else
		queue_stdin(s, NULL, 0);
	return 0;
}

/* One frame from the guest. */
static int on_frame(void *ctx, int type, const unsigned char *p, uint32_t len)
{
	struct test_session *s = ctx;

	switch (type) {
	case CHAN_READY:
		s->ready = 1;
		if (s->tl)
			timeline_mark(s->tl, TL_COMMAND, now_ms_host());
		return send_command(s);
	case CHAN_STDOUT:
	case CHAN_STDERR:
		if (s->log >= 0)
			log_output(s, type == CHAN_STDERR, p, len);
		if (type == CHAN_STDOUT && s->ktap_out)
			ktap_feed(s->ktap_out, p, len);
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
static void say_death(const struct test_session *s)
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

enum { P_CON, P_CTL, P_SIG, P_ERR, P_IN, P_QMP, NPOLL };

/* What the console and the channel brought; -1 after an error (said). */
static int relay(struct test_session *s, const struct pollfd *p, long long *poweroff_by)
{
	char buf[65536];

	for (int i = P_CON; i <= P_CTL; i++) {
		ssize_t n;

		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(p[i].fd, buf, sizeof(buf));
		if (n <= 0)
			continue;
		if (i == P_CON) {
			console_bytes(s, buf, (size_t)n);
			continue;
		}
		s->heard_ms = now_ms_host();
		if (frames_take(&s->frames, buf, (size_t)n, on_frame, s) < 0)
			return -1;
		if (s->status >= 0 && !*poweroff_by)
			*poweroff_by = now_ms_host() + POWEROFF_GRACE_MS;
	}
	return 0;
}

/* A signal on sigfd: the exit status it stops us with, else 0. */
static int stopped(const struct test_session *s)
{
	struct signalfd_siginfo si;

	if (read(s->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	fprintf(stderr, "minos: stopped by %s\n", strsignal(si.ssi_signo));
	return 128 + (int)si.ssi_signo;
}

/* QMP: QEMU's socket in the VM's directory, connected once. */
static int qmp_ready(struct test_session *s)
{
	char *path;
	int rc;

	if (s->qmp.fd >= 0)
		return 0;
	path = xasprintf("%s/qmp.sock", s->vm->dir);
	rc = qmp_connect(&s->qmp, path, 5000);
	free(path);
	return rc;
}

/* dump-guest-memory into path, in QEMU's format: 0, or -1 said. */
static int qemu_dump(struct test_session *s, const char *path, const char *format)
{
	char *quoted = qmp_quote(path);
	char *cmd = xasprintf("{\"execute\": \"dump-guest-memory\", \"arguments\": "
			      "{\"paging\": false, \"protocol\": \"file:%s\", "
			      "\"format\": \"%s\"}}", quoted, format);
	int rc = qmp_execute(&s->qmp, cmd, 600 * 1000);

	free(cmd);
	free(quoted);
	return rc;
}

/*
 * A panicked guest, paused: its memory, with the kernel's vmcoreinfo, into
 * --dump's file: a kdump-compressed vmcore (QEMU writes makedumpfile's
 * flattened form, made whole here, its header given the kernel's utsname),
 * or with --dump-format elf an ELF core as big as the guest's memory.
 */
static void dump_memory(struct test_session *s)
{
	char release[65], version[65], *flat;
	int fd;

	fprintf(stderr, "minos: the guest panicked: dumping its memory to %s\n", s->dump->path);
	if (s->dump_elf) {
		s->dumped = qemu_dump(s, s->dump->tmp, "elf") == 0 && outfile_commit(s->dump) == 0;
		return;
	}
	if (!(flat = temp_beside(s->dump->path, "flat", &fd)))
		return;
	banner_uts(s, release, version, sizeof(release));
	s->dumped = qemu_dump(s, flat, "kdump-zlib") == 0 &&
		    flatdump_unflatten(fd, s->dump->fd, flat, s->dump_max) == 0 &&
		    kdump_fill_uts(s->dump->fd, s->dump->tmp, release, version) == 0 &&
		    outfile_commit(s->dump) == 0;
	close(fd);
	unlink(flat);
	free(flat);
}

/* What QMP said: a guest paused by --dump's actions is dumped if it
 * panicked (it has no status), then QEMU quits. */
static void qmp_heard(struct test_session *s)
{
	if (qmp_read(&s->qmp) < 0) {
		qmp_close(&s->qmp);
		return;
	}
	/* paused by a panic or the end --dump's actions catch, not by a user's "stop" */
	if (!(s->qmp.events & QMP_EV_STOP) ||
	    !(s->qmp.events & (QMP_EV_PANICKED | QMP_EV_SHUTDOWN)))
		return;
	s->qmp.events = 0;
	if (s->dump && s->status < 0 && !s->dumped)
		dump_memory(s);
	qmp_send(&s->qmp, "{\"execute\": \"quit\"}");
}

/*
 * Reads the console for up to max_ms, and less once it has said something
 * and then nothing for a second: the bytes heard.
 */
static size_t settle(struct test_session *s, long long max_ms)
{
	long long start = now_ms_host(), quiet_since = start;
	size_t heard = 0;

	for (;;) {
		struct pollfd p = {.fd = s->vm->con, .events = POLLIN};
		long long now = now_ms_host();
		char buf[65536];
		ssize_t n;

		if (now - start >= max_ms || (heard && now - quiet_since >= 1000))
			return heard;
		if (poll(&p, 1, 100) <= 0 || (n = read(s->vm->con, buf, sizeof(buf))) <= 0)
			continue;
		console_bytes(s, buf, (size_t)n);
		heard += (size_t)n;
		quiet_since = now_ms_host();
	}
}

/* The kernel's SysRq c: the serial line's break (Ctrl-A b to QEMU's mux), then c. */
static void sysrq(struct test_session *s, char c)
{
	char seq[3] = {1, 'b', c};

	write_all(s->vm->con, seq, sizeof(seq));
}

static void log_note(struct test_session *s, const char *what)
{
	if (s->log < 0)
		return;
	dprintf(s->log, "\n[minos test: %s]\n", what);
}

/*
 * A guest that hangs is asked where: every CPU's backtrace and the blocked
 * tasks (SysRq l, w, which minos-init enabled, after 8: w's lines are
 * KERN_INFO, below a test boot's console level); when no CPU takes the
 * serial line's interrupt, an NMI (which minos-init made a panic, whose
 * report says where the CPU was).  What it says goes to the log, and a
 * line per CPU and task to stderr.
 */
static void explain_hang(struct test_session *s)
{
	if (s->vm->con < 0)
		return;
	s->asked = 1;
	hang_init(&s->hang);
	/* SysRq w's tasks are KERN_INFO: the console's level to 8 first */
	log_note(s, "the guest hangs: asking the kernel for its CPUs' backtraces and blocked "
		 "tasks (SysRq 8, l, w)");
	sysrq(s, '8');
	if (settle(s, 3000)) {
		sysrq(s, 'l');
		settle(s, 4000);
		sysrq(s, 'w');
		settle(s, 4000);
	} else if (qmp_ready(s) == 0) {
		log_note(s, "no CPU answered: an NMI");
		if (qmp_execute(&s->qmp, "{\"execute\": \"inject-nmi\"}", 5000) == 0)
			settle(s, 5000);
		/* --dump: the panic paused the guest, or is about to */
		for (long long until = now_ms_host() + 5000; s->dump && !s->dumped &&
		     s->qmp.fd >= 0 && now_ms_host() < until; usleep(100 * 1000))
			qmp_heard(s);
	}
	hang_finish(&s->hang);
	hang_print(&s->hang, stderr);
}

/* Runs the session until QEMU ends or the deadline; returns the exit code. */
static int converse(struct test_session *s, long long deadline)
{
	struct vm *vm = s->vm;
	long long poweroff_by = 0;
	int status, rc;

	for (;;) {
		int queued = s->in_frames.len > 0;
		struct pollfd p[NPOLL] = {
			[P_CON] = {.fd = vm->con, .events = POLLIN},
			[P_CTL] = {.fd = vm->ctl, .events = POLLIN | (queued ? POLLOUT : 0)},
			[P_SIG] = {.fd = s->sigfd, .events = POLLIN},
			[P_ERR] = {.fd = vm->err, .events = POLLIN},
			[P_IN] = {.fd = queued ? -1 : s->in, .events = POLLIN},
			[P_QMP] = {.fd = s->qmp.fd, .events = POLLIN}};
		long long now = now_ms_host(), until = deadline;

		if (poweroff_by && poweroff_by < until)
			until = poweroff_by;
		if (s->hang_timeout && s->status < 0 && now - s->heard_ms >= s->hang_timeout * 1000LL)
			return -2;
		if (now >= until)
			break;
		if (poll(p, NPOLL, (int)(until - now > 200 ? 200 : until - now)) < 0 &&
		    errno != EINTR) {
			fail_errno("poll", "failed");
			return EXIT_MINOS;
		}
		if (p[P_ERR].revents)
			vm_forward_stderr(vm);
		if (p[P_SIG].revents && (rc = stopped(s)))
			return rc;
		if (relay(s, p, &poweroff_by) < 0)
			return EXIT_MINOS;
		if (p[P_IN].revents)
			read_stdin(s);
		if (p[P_QMP].revents)
			qmp_heard(s);
		if (s->in_frames.len && buf_send_ready(vm->ctl, &s->in_frames, &s->in_sent) < 0)
			s->in = -1;	/* the guest is gone: vm_exited says so */
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

int test_session_run(struct vm_config *c, struct test_session *s, long timeout)
{
	char seen[4096];
	size_t nseen;
	int rc;

	if (vm_boot(c, s->vm, seen, sizeof(seen), &nseen) < 0) {
		vm_destroy(s->vm);
		return EXIT_MINOS;
	}
	s->booted = 1;
	if (s->tl)
		timeline_qemu_started(s->tl, s->vm->first_spawn_ms, s->vm->spawn_ms);
	console_bytes(s, seen, nseen);
	if (s->dump && qmp_ready(s) < 0) {
		vm_destroy(s->vm);
		return EXIT_MINOS;
	}
	rc = converse(s, now_ms_host() + timeout * 1000LL);
	if (rc < 0) {
		if (rc == -1)
			fprintf(stderr, "minos: timed out after %ld s%s\n", timeout, s->ready ? "" :
				": the guest never opened the test channel (is minos-init its /init?)");
		else
			fprintf(stderr, "minos: the guest said nothing for %ld s (--hang-timeout)\n",
				s->hang_timeout);
		explain_hang(s);
		rc = EXIT_TIMEOUT;
	}
	qmp_close(&s->qmp);
	vm_destroy(s->vm);
	if (s->reports)
		kreport_finish(s->reports);
	return rc;
}

const char *const kreport_mode_names[] = {"fail", "warn", "ignore", NULL};

int test_log_open(struct test_log *l, const char *path, int *fd)
{
	const char *tmp = getenv("TMPDIR");

	*l = (struct test_log){.out = {.fd = -1}, .tmp_fd = -1};
	if (path) {
		if (outfile_open(&l->out, path, 0644) < 0)
			return -1;
		*fd = l->out.fd;
		return 0;
	}
	l->tmp = xasprintf("%s/minos-test-XXXXXX.log", tmp && *tmp ? tmp : "/tmp");
	if ((*fd = l->tmp_fd = mkstemps(l->tmp, 4)) < 0) {
		fail_errno(l->tmp, "cannot create the console log");
		free(l->tmp);
		l->tmp = NULL;
		return -1;
	}
	return 0;
}

void test_log_close(struct test_log *l, int failed)
{
	if (l->out.fd >= 0) {
		outfile_commit(&l->out);
		return;
	}
	if (!l->tmp)
		return;
	close(l->tmp_fd);
	if (failed) {
		fprintf(stderr, "minos: the console's log is in %s\n", l->tmp);
	} else {
		unlink(l->tmp);
	}
	free(l->tmp);
	l->tmp = NULL;
}

/*
 * A report's call trace decoded against the vmlinux and the modules' .ko
 * files, as decode_stacktrace.sh prints it: on stderr under its title, and
 * in the log.  The frames the unwinder was sure of, each stack (the fault's,
 * KASAN's "Allocated by", "Freed by") after a blank line.
 */
static void decode_trace(const struct test_session *s, const struct kreport *r)
{
	unsigned stack = 0;
	size_t shown = 0;

	if (s->log >= 0)
		dprintf(s->log, "\n[minos test: decoded: %s]\n", r->title);
	for (size_t i = 0; i < r->nframes && shown < SESSION_FRAMES_SHOWN; i++) {
		char *line;

		if (!r->frames[i].reliable)
			continue;
		if (r->frames[i].stack != stack && shown) {
			fputs("minos:\n", stderr);
			if (s->log >= 0)
				write_all(s->log, "\n", 1);
		}
		stack = r->frames[i].stack;
		line = sym_frame(s->sym, r, i);
		fprintf(stderr, "minos:   %s\n", line);
		if (s->log >= 0)
			dprintf(s->log, "%s\n", line);
		free(line);
		shown++;
	}
	if (s->log >= 0 && s->sym && sym_error(s->sym) && *sym_error(s->sym))
		dprintf(s->log, "[minos test: %s]\n", sym_error(s->sym));
}

int test_session_verdict(const struct test_session *s, int rc, enum kreport_mode mode)
{
	size_t n = s->reports ? kreport_count(s->reports) : 0;
	size_t dropped = s->reports ? kreport_dropped(s->reports) : 0;

	if (mode == KREPORTS_IGNORE || (!n && !dropped))
		return rc;
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "minos: kernel: %s\n", kreport_get(s->reports, i)->title);
		if (s->sym)
			decode_trace(s, kreport_get(s->reports, i));
	}
	if (dropped)
		fprintf(stderr, "minos: kernel: %zu more reports, not kept\n", dropped);
	return mode == KREPORTS_FAIL && rc == 0 ? EXIT_KERNEL_REPORT : rc;
}
