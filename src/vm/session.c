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
#include <unistd.h>

#include "channel.h"
#include "util/util.h"

#define POWEROFF_GRACE_MS 15000

static void console_bytes(struct test_session *s, const char *p, size_t n)
{
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
	return rc < 0 ? fail_errno("test channel", "cannot send the command") : 0;
}

/* One frame from the guest. */
static int on_frame(void *ctx, int type, const unsigned char *p, uint32_t len)
{
	struct test_session *s = ctx;

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

/* Runs the session until QEMU ends or the deadline; returns the exit code. */
static int converse(struct test_session *s, long long deadline)
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
	rc = converse(s, now_ms_host() + timeout * 1000LL);
	if (rc < 0) {
		fprintf(stderr, "minos: timed out after %ld s\n", timeout);
		rc = EXIT_TIMEOUT;
	}
	vm_destroy(s->vm);
	return rc;
}
