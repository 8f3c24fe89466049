/*
 * fmt.h - minos-init's own printf family, so the static binary links no
 * libc vfprintf (musl's always brings its floating-point formatter, and on
 * arm64 the long double soft-float of libgcc with it).
 *
 * Conversions: d i u x X c s %, with the flags - 0 + and space, a width
 * and a precision (a number or *), and the lengths hh h l ll z j t.  No
 * floating point, no %p, no %n; any other conversion is copied as it is
 * written.  A NULL %s prints "(null)".  C semantics otherwise: the length
 * that would have been written, the string always NUL-terminated within n
 * (n == 0: nothing written), -1 with EOVERFLOW past INT_MAX.
 *
 * The minos-init build (-DMINOS_INIT_PRINTF, on a libc that is not glibc)
 * gives snprintf, vsnprintf, sprintf, vsprintf, dprintf and vdprintf these
 * bodies; everywhere else (the unit tests) only the fmt_ names exist.
 */
#ifndef MINOS_INIT_FMT_H
#define MINOS_INIT_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int fmt_snprintf(char *s, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Through a small buffer, written out as it fills: -1 if a write fails. */
int fmt_vdprintf(int fd, const char *fmt, va_list ap);
int fmt_dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
