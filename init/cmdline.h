/* cmdline.h - the kernel command line, as /proc/cmdline gives it */
#ifndef MINOS_INIT_CMDLINE_H
#define MINOS_INIT_CMDLINE_H

#include <stddef.h>

/*
 * Looks up key in a kernel command line: words separated by spaces, a
 * value may be double-quoted (key="a b").  The last occurrence wins, as in
 * the kernel.  Returns 1 and copies the value (empty for a bare flag) into
 * out, or 0 if the key is absent.  A value too long for out is cut.
 */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t n);

/* 1 if key is present, with or without a value. */
int cmdline_has(const char *cmdline, const char *key);

/* Which of the flags a and b comes last: 1 for a, 2 for b, 0 if neither does. */
int cmdline_last(const char *cmdline, const char *a, const char *b);

/*
 * Splits off the word at p: its key, and its value (NULL for a bare word)
 * with quotes removed.  Returns where the next word starts, NULL at the end.
 */
const char *cmdline_next(const char *p, const char **key, size_t *klen,
			 const char **val, size_t *vlen);

/* Decimal digits at *p, moving past them; -1 if there are none or over 9 of them. */
long digits(const char **p);

#endif
