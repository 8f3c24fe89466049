/*
 * qmp.c - QEMU's machine protocol (docs/interop/qmp-spec.rst): one JSON
 * object per line, a greeting, then answers to our commands and events.
 * Only the top level of each object is read: its "event" name, whether it
 * is a "return" or an "error" (and the error's "desc").  Lines are bounded.
 */
#include "vm/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/util.h"

/* The JSON string at p (after its opening quote) into out, unescaped as far
 * as QEMU's names go; returns what follows its closing quote, or NULL. */
static const char *json_string(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	for (; p < end; p++) {
		char c = *p;

		if (c == '"') {
			if (size)
				out[n < size ? n : size - 1] = 0;
			return p + 1;
		}
		if (c == '\\' && ++p == end)
			break;
		if (c == '\\')
			c = *p == 'n' || *p == 't' || *p == 'r' ? ' ' : *p;
		if (n + 1 < size)
			out[n++] = c;
	}
	return NULL;
}

/* The value of key "desc" within the object at p, if any, into out. */
static void error_desc(const char *p, const char *end, char *out, size_t size)
{
	const char *k = memmem(p, (size_t)(end - p), "\"desc\"", 6);

	snprintf(out, size, "%s", "error");
	if (!k)
		return;
	k += 6;
	while (k < end && (*k == ' ' || *k == ':'))
		k++;
	if (k < end && *k == '"')
		json_string(k + 1, end, out, size);
}

static void note_event(struct qmp *q, const char *name)
{
	if (!strcmp(name, "STOP"))
		q->events |= QMP_EV_STOP;
	else if (!strcmp(name, "GUEST_PANICKED"))
		q->events |= QMP_EV_PANICKED;
	else if (!strcmp(name, "SHUTDOWN"))
		q->events |= QMP_EV_SHUTDOWN;
}

void qmp_line(struct qmp *q, const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	int depth = 0;
	char key[32], val[64];

	while (p < end) {
		char c = *p++;

		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == '"') {
			if (!(p = json_string(p, end, key, sizeof(key))))
				return;
			if (depth != 1)
				continue;
			while (p < end && (*p == ' ' || *p == ':'))
				p++;
			if (!strcmp(key, "return")) {
				q->answered = 1;
			} else if (!strcmp(key, "error")) {
				q->answered = -1;
				error_desc(p, end, q->error, sizeof(q->error));
			} else if (!strcmp(key, "event") && p < end && *p == '"') {
				if (!(p = json_string(p + 1, end, val, sizeof(val))))
					return;
				note_event(q, val);
			}
		}
	}
}

int qmp_read(struct qmp *q)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				if (!q->cut)
					qmp_line(q, q->line, q->len);
				q->len = 0;
				q->cut = 0;
			} else if (q->len < sizeof(q->line)) {
				q->line[q->len++] = buf[i];
			} else {
				q->cut = 1;
			}
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	return 0;
}

/* Waits until the command sent has its answer, or the time is up. */
static int await_answer(struct qmp *q, const char *what, int timeout_ms)
{
	long long until = now_ms_host() + timeout_ms;

	while (!q->answered) {
		struct pollfd p = {.fd = q->fd, .events = POLLIN};
		long long left = until - now_ms_host();

		if (left <= 0)
			return fail("QMP", "%s: no answer within %d s", what, timeout_ms / 1000);
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return fail_errno("QMP", "poll");
		if (p.revents && qmp_read(q) < 0 && !q->answered)
			return fail("QMP", "%s: QEMU closed the connection", what);
	}
	if (q->answered < 0)
		return fail("QMP", "%s: %s", what, q->error);
	return 0;
}

int qmp_execute(struct qmp *q, const char *json, int timeout_ms)
{
	const char *name = strstr(json, "\"execute\"");
	char what[64] = "command";

	if (name && (name = strchr(name + 9, '"')))
		json_string(name + 1, json + strlen(json), what, sizeof(what));
	q->answered = 0;
	if (write_all(q->fd, json, strlen(json)) < 0 || write_all(q->fd, "\n", 1) < 0)
		return fail_errno("QMP", "cannot send %s", what);
	return await_answer(q, what, timeout_ms);
}

int qmp_send(struct qmp *q, const char *json)
{
	if (write_all(q->fd, json, strlen(json)) < 0 || write_all(q->fd, "\n", 1) < 0)
		return fail_errno("QMP", "cannot send a command");
	return 0;
}

int qmp_connect(struct qmp *q, const char *path, int timeout_ms)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	*q = (struct qmp){.fd = -1};
	if (strlen(path) >= sizeof(a.sun_path))
		return fail(path, "socket path too long");
	strcpy(a.sun_path, path);
	/* QEMU makes its sockets in order, this one perhaps after the console's */
	for (long long until = now_ms_host() + timeout_ms;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd >= 0 && connect(q->fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		qmp_close(q);
		if ((errno != ENOENT && errno != ECONNREFUSED) || now_ms_host() >= until)
			return fail_errno(path, "QMP: cannot connect");
		usleep(20 * 1000);
	}
	/* the greeting has no answer of ours to wait for: the capabilities do */
	if (qmp_execute(q, "{\"execute\": \"qmp_capabilities\"}", timeout_ms) < 0) {
		qmp_close(q);
		return -1;
	}
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

char *qmp_quote(const char *s)
{
	struct buf b = {0};

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_add(&b, "\\", 1);
		if (c < 0x20) {
			char e[8];

			snprintf(e, sizeof(e), "\\u%04x", c);
			buf_add(&b, e, 6);
			continue;
		}
		buf_add(&b, s, 1);
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}
