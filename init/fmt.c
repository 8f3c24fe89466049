/*
 * fmt.c - minos-init's printf family (fmt.h): integers, characters and
 * strings, into a string or onto a file descriptor.  In the static
 * minos-init these are snprintf and the others, and libc's vfprintf is not
 * linked at all: on arm64 musl's brings 10 KB of long double soft-float.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

/* Where the bytes go: buf, cap bytes of it (a string's, before its NUL);
 * when it is full, a string drops the rest and a descriptor's is written. */
struct out {
	char *buf;
	size_t cap, used, total;
	int fd, failed;		/* fd -1: a string */
};

/* One conversion's flags, width, precision (-1: none) and length: 'H' for
 * hh, 'q' for ll, else the letter (h l z j t), 0 for none. */
struct spec {
	int left, zero, plus, space;
	int width, prec, size;
};

static void flush(struct out *o)
{
	size_t done = 0;
	ssize_t w;

	while (done < o->used) {
		w = write(o->fd, o->buf + done, o->used - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->failed = 1;
			break;
		}
		done += (size_t)w;
	}
	o->used = 0;
}

static void put(struct out *o, const char *p, size_t len)
{
	size_t k;

	o->total += len;
	while (len) {
		k = o->cap - o->used;
		if (!k) {
			if (o->fd < 0)
				return;
			flush(o);
			continue;
		}
		if (k > len)
			k = len;
		memcpy(o->buf + o->used, p, k);
		o->used += k;
		p += k;
		len -= k;
	}
}

static void repeat(struct out *o, char c, int count)
{
	while (count-- > 0)
		put(o, &c, 1);
}

/* n bytes at p in a field of s->width, spaces on the left unless '-'. */
static void field(struct out *o, const struct spec *s, const char *p, size_t n)
{
	int pad = (size_t)s->width > n ? s->width - (int)n : 0;

	if (!s->left)
		repeat(o, ' ', pad);
	put(o, p, n);
	if (s->left)
		repeat(o, ' ', pad);
}

/* v in base 10 or 16 (conv 'x', 'X'): sign, at least s->prec digits, and
 * the field's width in spaces, or in zeros for '0' without a precision. */
static void number(struct out *o, const struct spec *s, uintmax_t v, char sign, int conv)
{
	static const char xdigits[] = "0123456789abcdef0123456789ABCDEF";
	const char *digit = xdigits + (conv == 'X' ? 16 : 0);
	unsigned base = conv == 'x' || conv == 'X' ? 16 : 10;
	char d[3 * sizeof(v)];
	int n = 0, zeros, pad;

	for (; v; v /= base)
		d[sizeof(d) - ++n] = digit[v % base];
	/* 0 is "0", or nothing at a precision of 0 */
	zeros = s->prec > n ? s->prec - n : s->prec < 0 && !n;
	pad = s->width - n - zeros - !!sign;
	if (s->zero && !s->left && s->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!s->left)
		repeat(o, ' ', pad);
	if (sign)
		put(o, &sign, 1);
	repeat(o, '0', zeros);
	put(o, d + sizeof(d) - n, (size_t)n);
	if (s->left)
		repeat(o, ' ', pad);
}

/* Digits at *f, kept below INT_MAX (a width or precision). */
static int digits_at(const char **f)
{
	int v = 0;

	for (; **f >= '0' && **f <= '9'; (*f)++)
		if (v < INT_MAX / 10 - 1)
			v = v * 10 + (**f - '0');
	return v;
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	for (;; f++) {
		if (*f == '-')
			s->left = 1;
		else if (*f == '0')
			s->zero = 1;
		else if (*f == '+')
			s->plus = 1;
		else if (*f == ' ')
			s->space = 1;
		else
			break;
	}
	if (*f == '*') {
		f++;
		s->width = va_arg(*ap, int);
		if (s->width < 0) {	/* a negative width is '-' */
			s->left = 1;
			s->width = s->width < -INT_MAX ? INT_MAX : -s->width;
		}
	} else {
		s->width = digits_at(&f);
	}
	s->prec = -1;
	if (*f == '.') {
		f++;
		if (*f == '*') {
			f++;
			s->prec = va_arg(*ap, int);
			if (s->prec < 0)	/* as if there were none */
				s->prec = -1;
		} else {
			s->prec = digits_at(&f);
		}
	}
	if (*f == 'h' || *f == 'l') {
		s->size = *f++;
		if (*f == s->size) {
			s->size = *f++ == 'h' ? 'H' : 'q';
		}
	} else if (*f == 'z' || *f == 'j' || *f == 't') {
		s->size = *f++;
	}
	return f;
}

static intmax_t signed_arg(int size, va_list *ap)
{
	switch (size) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'q':
		return va_arg(*ap, long long);
	case 'z':
		return va_arg(*ap, ssize_t);
	case 'j':
		return va_arg(*ap, intmax_t);
	case 't':
		return va_arg(*ap, ptrdiff_t);
	}
	return va_arg(*ap, int);
}

static uintmax_t unsigned_arg(int size, va_list *ap)
{
	switch (size) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'q':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	case 't':
		return (size_t)va_arg(*ap, ptrdiff_t);
	}
	return va_arg(*ap, unsigned);
}

/* The conversion whose '%' is at pct: what follows it. */
static const char *conversion(struct out *o, const char *pct, va_list *ap)
{
	struct spec s = {0};
	const char *f = parse_spec(pct + 1, &s, ap), *str;
	intmax_t v;
	char c;

	switch (*f) {
	case 'd':
	case 'i':
		v = signed_arg(s.size, ap);
		c = v < 0 ? '-' : s.plus ? '+' : s.space ? ' ' : 0;
		number(o, &s, v < 0 ? -(uintmax_t)v : (uintmax_t)v, c, 'd');
		break;
	case 'u':
	case 'x':
	case 'X':
		number(o, &s, unsigned_arg(s.size, ap), 0, *f);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		field(o, &s, &c, 1);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		field(o, &s, str, s.prec < 0 ? strlen(str) : strnlen(str, (size_t)s.prec));
		break;
	case '%':
		put(o, "%", 1);
		break;
	case '\0':		/* a '%' at the end */
		put(o, pct, (size_t)(f - pct));
		return f;
	default:		/* not one of ours: as it is written */
		put(o, pct, (size_t)(f + 1 - pct));
	}
	return f + 1;
}

static int format(struct out *o, const char *f, va_list ap0)
{
	va_list ap;
	size_t k;

	va_copy(ap, ap0);
	while (*f) {
		k = strcspn(f, "%");
		put(o, f, k);
		f += k;
		if (*f)
			f = conversion(o, f, &ap);
	}
	va_end(ap);
	if (o->fd >= 0)
		flush(o);
	if (o->failed)
		return -1;
	if (o->total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)o->total;
}

int fmt_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
	struct out o = {s, n ? n - 1 : 0, 0, 0, -1, 0};
	int r = format(&o, fmt, ap);

	if (n)
		s[o.used] = '\0';
	return r;
}

int fmt_snprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

int fmt_vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[256];
	struct out o = {buf, sizeof(buf), 0, 0, fd, 0};

	return format(&o, fmt, ap);
}

int fmt_dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

/* minos-init's: libc's names are these (static linking takes an object's
 * definition over libc.a's), never where the tool's code links glibc. */
#if defined(MINOS_INIT_PRINTF) && !defined(__GLIBC__)
int vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap)
{
	return fmt_vsnprintf(s, n, fmt, ap);
}

int snprintf(char *restrict s, size_t n, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

int vsprintf(char *restrict s, const char *restrict fmt, va_list ap)
{
	return fmt_vsnprintf(s, INT_MAX, fmt, ap);
}

int sprintf(char *restrict s, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(s, INT_MAX, fmt, ap);
	va_end(ap);
	return r;
}

int vdprintf(int fd, const char *restrict fmt, va_list ap)
{
	return fmt_vdprintf(fd, fmt, ap);
}

int dprintf(int fd, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}
#endif
