/* progress.h - one line saying how long work goes, on a terminal only */
#ifndef MINOS_PROGRESS_H
#define MINOS_PROGRESS_H

struct progress {
	const char *what;
	int on, shown;
	long long next_ms;
};

/* On when stderr is a terminal (not TERM=dumb); otherwise every call is nothing. */
void progress_start(struct progress *p, const char *what);
/* "minos: WHAT: TEXT" over the previous one, at most five times a second. */
void progress_say(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same at once: for one step that cannot say how far it is. */
void progress_now(struct progress *p, const char *text);
/* Clears the line, so that what follows starts clean. */
void progress_end(struct progress *p);

#endif
