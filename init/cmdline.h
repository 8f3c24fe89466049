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

#endif
