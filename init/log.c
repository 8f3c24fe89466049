/* log.c - minos-init's messages, one line each on the console */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "init.h"

void say(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "minos-init: ");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, n) < 0) {
		/* nowhere else to say it */
	}
}
