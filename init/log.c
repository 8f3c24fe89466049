/* log.c - minos-init's messages, one line each: on the console, or in the kernel log */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

/* "PREFIXminos-init: MESSAGE\n" in line: its length, the message cut to fit. */
static int format(char *line, int size, const char *prefix, const char *fmt, va_list ap)
{
	int n = snprintf(line, size, "%sminos-init: ", prefix);

	n += vsnprintf(line + n, size - n - 1, fmt, ap);
	if (n > size - 2)
		n = size - 2;
	/* without its newline the kernel keeps a record open, unseen, for more */
	line[n++] = '\n';
	return n;
}

void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format(line, sizeof(line), "", fmt, ap);
	va_end(ap);
	if (write(2, line, n) < 0) {
		/* nowhere else to say it */
	}
}

void klog(const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n, fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = format(line, sizeof(line), "<6>", fmt, ap);
	va_end(ap);
	if (write(fd, line, n) < 0) {
		/* the kernel log is full or gone: nothing to do */
	}
	close(fd);
}
