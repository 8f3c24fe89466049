/* test-flatdump.c - QEMU's flattened kdump made whole, and its header's utsname */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/flatdump.h"
#include "tap.h"

static void be64_put(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void header(int fd)
{
	unsigned char h[FLATDUMP_HEADER] = "makedumpfile";

	be64_put(h + 16, 1);
	be64_put(h + 24, 1);
	write(fd, h, sizeof(h));
}

static void record(int fd, uint64_t off, const void *p, uint64_t n)
{
	unsigned char r[16];

	be64_put(r, off);
	be64_put(r + 8, n);
	write(fd, r, 16);
	if (p)
		write(fd, p, n);
}

static int unflatten(int in, int *out, uint64_t max)
{
	*out = memfd_create("out", 0);
	lseek(in, 0, SEEK_SET);
	return flatdump_unflatten(in, *out, "test.flat", max);
}

static void whole(void)
{
	int in = memfd_create("in", 0), out;
	char got[32] = {0};

	header(in);
	record(in, 8, "world", 5);	/* out of order, as QEMU writes the header last */
	record(in, 0, "hello, ", 7);
	record(in, UINT64_MAX, NULL, UINT64_MAX);
	is_int(unflatten(in, &out, 1 << 20), 0, "unflattened");
	is_int(pread(out, got, sizeof(got), 0), 13, "its size: the furthest record's end");
	ok(!memcmp(got, "hello, \0world", 13), "each record at its offset, the gap zero");
	close(out);
	close(in);
}

static void bad(void)
{
	int in = memfd_create("in", 0), out;

	write(in, "KDUMP   ", 8);
	is_int(unflatten(in, &out, 1 << 20), -1, "not flattened: refused");
	close(out);
	close(in);

	in = memfd_create("in", 0);
	header(in);
	record(in, 0, "abc", 3);
	is_int(unflatten(in, &out, 1 << 20), -1, "no end record: refused");
	close(out);
	close(in);

	in = memfd_create("in", 0);
	header(in);
	record(in, (1 << 20) - 2, "abc", 3);
	record(in, UINT64_MAX, NULL, UINT64_MAX);
	is_int(unflatten(in, &out, 1 << 20), -1, "a record beyond the bound: refused");
	close(out);
	close(in);

	in = memfd_create("in", 0);
	header(in);
	record(in, 0, NULL, UINT64_MAX - 1);
	is_int(unflatten(in, &out, UINT64_MAX), -1, "a huge record: refused before any allocation");
	close(out);
	close(in);

	in = memfd_create("in", 0);
	header(in);
	record(in, 0, "ab", 2);
	ftruncate(in, FLATDUMP_HEADER + 16 + 1);
	is_int(unflatten(in, &out, 1 << 20), -1, "a record cut short: refused");
	close(out);
	close(in);
}

static void uts(void)
{
	int fd = memfd_create("dump", 0);
	unsigned char h[4096] = "KDUMP   ";
	char got[65];

	memcpy(h + 12 + 4 * 65, "x86_64", 6);
	write(fd, h, sizeof(h));
	is_int(kdump_fill_uts(fd, "dump", "6.1.0-57-amd64", "#1 SMP"), 0, "filled");
	pread(fd, got, 65, 12);
	is_str(got, "Linux", "sysname");
	pread(fd, got, 65, 12 + 2 * 65);
	is_str(got, "6.1.0-57-amd64", "release");
	pread(fd, got, 65, 12 + 3 * 65);
	is_str(got, "#1 SMP", "version");
	pread(fd, got, 65, 12 + 4 * 65);
	is_str(got, "x86_64", "machine kept");
	is_int(kdump_fill_uts(fd, "dump", "other", "other"), 0, "again");
	pread(fd, got, 65, 12 + 2 * 65);
	is_str(got, "6.1.0-57-amd64", "a field already there is kept");
	close(fd);
	fd = memfd_create("dump", 0);
	write(fd, "makedumpfile", 12);
	is_int(kdump_fill_uts(fd, "dump", "r", "v"), -1, "not a kdump file: refused");
	close(fd);
}

int main(void)
{
	whole();
	bad();
	uts();
	return done_testing();
}
