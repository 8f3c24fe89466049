/* cpio.h - the newc ("070701") and crc ("070702") cpio formats the kernel unpacks */
#ifndef MINOS_CPIO_H
#define MINOS_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "util/sink.h"

#define CPIO_MAX_FILESIZE 0xffffffffULL	/* newc sizes are 8 hex digits */
#define CPIO_TRAILER "TRAILER!!!"

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

/* Reader: one parsed entry, pointing into the archive's buffer. */
struct cpio_entry {
	struct cpio_header h;
	const unsigned char *data;
	uint64_t offset;	/* of the header, from the start of the file */
	int crc;		/* "070702": check is the sum of the data bytes */
};

typedef int (*cpio_entry_fn)(const struct cpio_entry *e, void *ctx);

/*
 * Parses one archive from p (at file offset base) up to and including its
 * trailer, calling fn for every entry but the trailer.  Sets *used to the
 * bytes consumed.  A damaged archive is an error naming `what` and the offset.
 */
int cpio_parse(const unsigned char *p, size_t len, uint64_t base,
	       const char *what, size_t *used, cpio_entry_fn fn, void *ctx);

/* True if p starts with a newc or crc cpio magic. */
int cpio_is_magic(const unsigned char *p, size_t len);

#endif
