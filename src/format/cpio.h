/* cpio.h - the newc ("070701") and crc ("070702") cpio formats the kernel unpacks */
#ifndef MINOS_CPIO_H
#define MINOS_CPIO_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "util/sink.h"

#define CPIO_MAX_FILESIZE 0xffffffffULL	/* newc sizes are 8 hex digits */
#define CPIO_TRAILER "TRAILER!!!"
#define CPIO_HEADER_LEN 110	/* "070701" and thirteen 8-digit hex fields */

struct cpio_header {
	uint32_t ino, mode, uid, gid, nlink, mtime;
	uint64_t filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor;
	uint32_t check;
	const char *name;
};

/* Writer: a header, then exactly filesize bytes of data, for each entry. */
struct cpio_writer {
	struct sink *out;
	uint64_t pending;	/* data bytes the current entry still owes */
	uint64_t size;		/* data size of the current entry */
};

int cpio_write_header(struct cpio_writer *w, const struct cpio_header *h);
int cpio_write_data(struct cpio_writer *w, const void *p, size_t n);
int cpio_write_trailer(struct cpio_writer *w);

/* Reader: one parsed entry. */
struct cpio_entry {
	struct cpio_header h;
	/*
	 * Its data: all of it when it came in one piece of what the reader
	 * was fed (always from cpio_parse), a symlink's target of up to
	 * PATH_MAX bytes always, else NULL.
	 */
	const unsigned char *data;
	uint64_t offset;	/* of the header, from the start of the file */
	int crc;		/* "070702": check is the sum of the data bytes */
	uint32_t long_name;	/* a name over PATH_MAX, which the kernel skips: its
				 * size (name is then ""), else 0 */
};

typedef int (*cpio_entry_fn)(const struct cpio_entry *e, void *ctx);

/*
 * Parses one archive from p (at file offset base) up to and including its
 * trailer, calling fn for every entry but the trailer.  Sets *used to the
 * bytes consumed.  A damaged archive is an error naming `what` and the offset.
 */
int cpio_parse(const unsigned char *p, size_t len, uint64_t base,
	       const char *what, size_t *used, cpio_entry_fn fn, void *ctx);

/*
 * The same fed a piece at a time, as a decoder unpacks it: the reader
 * keeps what an entry needs (header, name, a symlink's target, the
 * checksum), never its data, and calls fn once the data has gone past.
 * With archives set, it reads archives back to back with zero padding
 * between them until the input ends; else one, then takes no more.
 */
struct cpio_reader {
	cpio_entry_fn fn;
	void *ctx;
	const char *what;
	uint64_t pos;		/* the offset of the next byte fed */
	int archives, state, trailer, nul_inside;
	uint64_t left;		/* bytes of the part being read still to come */
	struct cpio_entry e;
	uint32_t namesize, sum;
	unsigned char header[CPIO_HEADER_LEN];
	char name[PATH_MAX];
	unsigned char target[PATH_MAX];
};

void cpio_reader_init(struct cpio_reader *r, uint64_t base, const char *what, int archives,
		      cpio_entry_fn fn, void *ctx);
/* Bytes taken (fewer than n once one archive is read without archives); -1 on error. */
long long cpio_reader_feed(struct cpio_reader *r, const unsigned char *p, size_t n);
/* The input is over: -1 (said) if it stopped inside an archive. */
int cpio_reader_end(struct cpio_reader *r);

/* True if p starts with a newc or crc cpio magic. */
int cpio_is_magic(const unsigned char *p, size_t len);

#endif
