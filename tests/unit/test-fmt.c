/*
 * test-fmt.c - minos-init's printf family (init/fmt.c) against glibc's:
 * every conversion it has, cut at every size, the same bytes and the same
 * return; and onto a descriptor, past its buffer.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "tap.h"

static char want[1200], got[1200];

/* fmt at every n from 0 to one past its length: glibc's vsnprintf and
 * fmt_vsnprintf return the same and leave the same bytes, none past n. */
__attribute__((format(printf, 1, 2)))
static void same(const char *fmt, ...)
{
	va_list ap, a1, a2;
	int len, n, w = 0, g = 0, bad = -1;

	va_start(ap, fmt);
	va_copy(a1, ap);
	len = vsnprintf(NULL, 0, fmt, a1);
	va_end(a1);
	for (n = 0; n <= len + 1 && bad < 0; n++) {
		memset(want, 'X', sizeof(want));
		memset(got, 'X', sizeof(got));
		va_copy(a1, ap);
		va_copy(a2, ap);
		w = vsnprintf(want, (size_t)n, fmt, a1);
		g = fmt_vsnprintf(got, (size_t)n, fmt, a2);
		va_end(a1);
		va_end(a2);
		if (w != g || memcmp(want, got, sizeof(got)))
			bad = n;
	}
	va_end(ap);
	if (!ok(bad < 0 && len < (int)sizeof(want) - 1, "'%s' (%d bytes), cut anywhere", fmt, len)) {
		want[sizeof(want) - 1] = got[sizeof(got) - 1] = '\0';
		printf("#   at n %d: returned %d, want %d; '%.80s', want '%.80s'\n", bad, g, w, got,
		       want);
	}
}

static void strings(void)
{
	const char raw[4] = {'a', 'b', 'c', 'd'};	/* no NUL */
	const char *volatile null = NULL;

	same("plain text");
	same("%s", "");
	same("100%% sure, %s%%", "quite");
	same("a %s b %s c", "one", "two");
	same("[%10s] [%-10s] [%2s]", "right", "left", "wider");
	same("[%.2s] [%.0s] [%.9s] [%6.2s] [%-6.3s]", "abc", "abc", "abc", "abc", "abcdef");
	same("[%.*s] [%.*s] [%*s] [%*s] [%-*s]", 3, "abcdef", -1, "all", 6, "r", -6, "l", 4, "x");
	same("%.4s|", raw);
	same("%.*s|", 2, raw + 2);
	same("[%s] [%10s] [%-8s]", null, null, null);
	same("[%c%c%c] [%3c] [%-3c] [%c]", 'a', 'b', 'c', 'r', 'l', 200);
	same("%600s|%-590s|", "wide", "wider");
}

static void integers(void)
{
	/* out of sight of the compiler's format checks: flags that C says are
	 * ignored, and an int that does not fit converted to a char or short */
	const char *volatile left_zero = "[%-05d] [%-08s]", *volatile prec_zero = "[%08.3d] [%05.0x]";
	const char *volatile hh = "%hhd %hhd %hhu %hhx %hhd", *volatile h = "%hd %hd %hu %hx";

	same("%d %d %d %i", 0, 1, -1, 42);
	same("%d %d", INT_MAX, INT_MIN);
	same("[%5d] [%-5d] [%05d] [%05d] [%1d]", 42, -42, 42, -42, 12345);
	same(left_zero, 7, "s");
	same(prec_zero, 7, 0u);
	same("[%+d] [%+d] [% d] [% d] [%+5d] [% 05d] [%+-5d]", 5, -5, 5, -5, 5, 5, 0);
	same("[%.3d] [%.3d] [%.0d] [%.0d] [%8.3d] [%-8.3d] [%.1d]", 7, -7, 0, 1, -7, 7, 0);
	same("[%*d] [%-*d] [%*d] [%.*d] [%.*d] [%*.*d]", 6, 1, 6, 2, -6, 3, 4, 5, -1, 6, 7, 3, 8);
	same("%u %u %u [%10u] [%-10u] [%010u] [%.5u]", 0u, 1u, UINT_MAX, 99u, 99u, 99u, 99u);
	same("%x %x %X %x [%08x] [%02X] [%02x] [%2x] [%.0x] [%-6X]", 0u, 0xdeadbeefu, 0xdeadbeefu,
	     UINT_MAX, 0xabcu, 5u, 255u, 0x1234u, 0u, 0xfu);
	same(hh, 200, -128, 300, 0x1ff, 127);
	same(h, 70000, -32768, 65535 + 3, 0x12345);
	same("%hhd %hhu %hd %hu", (signed char)-5, (unsigned char)250, (short)-300,
	     (unsigned short)60000);
	same("%ld %ld %lu %lx %lX [%12ld]", LONG_MIN, LONG_MAX, ULONG_MAX, 0xfeedfaceUL, ~0UL, -3L);
	same("%lld %lld %llu %llx [%08llx] [%020lld]", LLONG_MIN, LLONG_MAX, ULLONG_MAX,
	     0x123456789abcdefULL, 0x1234ULL, -99LL);
	same("%zu %zd %zd %zx [%5zu]", SIZE_MAX, (ssize_t)-5, (ssize_t)SSIZE_MAX, (size_t)0xabc,
	     (size_t)7);
	same("%jd %jd %ju %jx", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, (uintmax_t)0xbeef);
	same("%td %td %tx", (ptrdiff_t)-9, PTRDIFF_MAX, (ptrdiff_t)0x77);
}

/* The formats minos-init itself writes. */
static void ours(void)
{
	const unsigned char u[4] = {0x0a, 0xb1, 0xff, 0x00};

	same("%08llx-%02x", 0x1a2b3cULL, 3);
	same("%s%02x", "-", 0xe);
	same("%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", "2024", "01", "02", "03", "04", "05", "06");
	same("%02X%02X-%02X%02X", u[3], u[2], u[1], u[0]);
	same("%s%.*s%s%.*s", "mod ", 3, "param=1", "=", 1, "yz");
	same("/dev/%.58s", "sda1");
	same("mode=0755,size=%lldk", 123456789LL / 1024 + 1024);
	same("'%s' exited at once (%d times in a row); next try in %lld s", "/bin/false", 3, 4LL);
	same("coldplug: devices still appearing after %d ms; going on", 5000);
}

/* What is not C's stays as it is written; n 0 writes nothing, even at NULL. */
static void edges(void)
{
	const char *volatile unknown = "a%yb%", *volatile nothing = "";

	is_int(fmt_snprintf(got, sizeof(got), unknown, 1), 5, "an unknown conversion is copied");
	is_str(got, "a%yb%", "and so is a lone '%%' at the end");
	is_int(fmt_snprintf(got, sizeof(got), nothing, 1), 0, "an empty format");
	is_str(got, "", "is an empty string");
	is_int(fmt_snprintf(NULL, 0, "%s-%d", "abc", 12), 6, "n 0 at NULL: the length only");
	memset(got, 'X', 4);
	is_int(fmt_snprintf(got, 1, "%s", "abc"), 3, "n 1: the length");
	ok(got[0] == '\0' && got[1] == 'X', "n 1: the NUL alone, nothing after it");
	is_int(fmt_snprintf(got, 5, "%d", -12345678), 9, "a number cut: its whole length");
	is_str(got, "-123", "its first n - 1 bytes");
	/* the unit tests link glibc's own: the override is minos-init's only */
	snprintf(got, sizeof(got), "%.2f", 1.5);
	is_str(got, "1.50", "snprintf here is glibc's, floating point and all");
}

static void descriptor(void)
{
	char line[1200];
	int p[2], n, len;
	ssize_t r;

	if (pipe(p)) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	len = snprintf(want, sizeof(want), "%s:%700s|%-5d|%c%%\n", "start", "end", -3, 'z');
	n = fmt_dprintf(p[1], "%s:%700s|%-5d|%c%%\n", "start", "end", -3, 'z');
	is_int(n, len, "fmt_dprintf returns what it wrote, past its buffer");
	close(p[1]);
	n = 0;
	while (n < (int)sizeof(line) - 1 && (r = read(p[0], line + n, sizeof(line) - 1 - n)) > 0)
		n += (int)r;
	line[n] = '\0';
	close(p[0]);
	is_int(n, len, "all of it");
	ok(!strcmp(line, want), "the same bytes as glibc's");
	is_int(fmt_dprintf(p[1], "%s\n", "closed"), -1, "a write that fails is -1");
	is_int(fmt_dprintf(p[1], "%s", ""), 0, "nothing to write writes nothing");
}

int main(void)
{
	strings();
	integers();
	ours();
	edges();
	descriptor();
	return done_testing();
}
