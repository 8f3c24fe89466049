/*
 * flatdump.c - makedumpfile's flattened format (makedumpfile.h, "-F"):
 * a 4096-byte header beginning "makedumpfile", type 1 and version 1 as
 * big-endian 64-bit numbers, then records of a big-endian 64-bit offset,
 * a 64-bit size and that many bytes, to be written at the offset; a record
 * with both -1 ends it.  Unflattening is `makedumpfile -R`.
 */
#include "format/flatdump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

enum { READ_OK = 1, READ_END = 0, READ_ERROR = -1, READ_CUT = -2 };

/* Exactly n bytes: READ_OK; READ_END at the end of the file before any;
 * READ_CUT at the end after some; READ_ERROR with errno. */
static int read_exact(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return READ_ERROR;
		if (r == 0)
			return got ? READ_CUT : READ_END;
		got += (size_t)r;
	}
	return READ_OK;
}

static int pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int check_header(int in, const char *name)
{
	unsigned char h[FLATDUMP_HEADER];

	if (read_exact(in, h, sizeof(h)) != READ_OK || memcmp(h, "makedumpfile\0", 13) ||
	    be64(h + 16) != 1 || be64(h + 24) != 1)
		return fail(name, "not a flattened dump (makedumpfile's header, type 1, version 1)");
	return 0;
}

int flatdump_unflatten(int in, int out, const char *name, uint64_t max_size)
{
	unsigned char rh[16];
	char *data = NULL;
	size_t cap = 0;
	int rc = -1, r;

	if (check_header(in, name) < 0)
		return -1;
	while ((r = read_exact(in, rh, sizeof(rh))) == READ_OK) {
		uint64_t off = be64(rh), size = be64(rh + 8);

		if (off == UINT64_MAX && size == UINT64_MAX) {
			rc = 0;
			break;
		}
		if (size > FLATDUMP_RECORD_MAX || off > max_size || size > max_size - off) {
			fail(name, "a record of %llu bytes at %llu: beyond the dump's %llu bytes",
			     (unsigned long long)size, (unsigned long long)off,
			     (unsigned long long)max_size);
			break;
		}
		if (size > cap) {
			free(data);
			data = xmalloc(cap = (size_t)size);
		}
		if ((r = read_exact(in, data, (size_t)size)) != READ_OK) {
			r = r == READ_END ? READ_CUT : r;	/* the record's header came */
			break;
		}
		if (pwrite_all(out, data, (size_t)size, off) < 0) {
			fail_errno(name, "cannot write the unflattened dump");
			break;
		}
	}
	if (r == READ_END)
		fail(name, "cut short: no end record");
	else if (r == READ_CUT)
		fail(name, "cut short in a record");
	else if (r == READ_ERROR)
		fail_errno(name, "cannot read");
	free(data);
	return rc;
}

/* struct disk_dump_header: signature[8], header_version, then new_utsname's six fields of 65 */
#define UTS_AT 12
#define UTS_LEN 65

static void fill(unsigned char *field, const char *value)
{
	if (!field[0] && value && *value)
		snprintf((char *)field, UTS_LEN, "%s", value);
}

int kdump_fill_uts(int fd, const char *name, const char *release, const char *version)
{
	unsigned char h[UTS_AT + 6 * UTS_LEN];

	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "KDUMP   ", 8))
		return fail(name, "not a kdump-compressed dump");
	fill(h + UTS_AT, "Linux");
	fill(h + UTS_AT + 2 * UTS_LEN, release);
	fill(h + UTS_AT + 3 * UTS_LEN, version);
	if (pwrite_all(fd, h, sizeof(h), 0) < 0)
		return fail_errno(name, "cannot write");
	return 0;
}
