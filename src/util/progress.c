/*
 * progress.c - work a person waits for (a large squashfs, an ISO) says how
 * far it is on one line of the terminal, rewritten in place; nothing at all
 * when stderr is a file or a pipe, so logs and scripts see no noise.
 */
#include "util/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

void progress_start(struct progress *p, const char *what)
{
	const char *term = getenv("TERM");

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->on = isatty(2) && !(term && !strcmp(term, "dumb"));
	p->next_ms = now_ms_host() + 500;	/* quick work shows nothing */
}

void progress_say(struct progress *p, const char *fmt, ...)
{
	char text[160];
	va_list ap;
	long long now;

	if (!p->on || (now = now_ms_host()) < p->next_ms)
		return;
	p->next_ms = now + 200;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r\033[Kminos: %s: %s", p->what, text);
	fflush(stderr);
	p->shown = 1;
}

void progress_now(struct progress *p, const char *text)
{
	p->next_ms = 0;
	progress_say(p, "%s", text);
}

void progress_end(struct progress *p)
{
	if (p->on && p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
