/*
 * pvh.h - booting a kernel through its PVH entry: QEMU loads the ELF
 * vmlinux inside a bzImage and jumps to it, with no decompressor and no
 * real-mode setup.  The ELF is extracted once and cached, keyed by the
 * bzImage's content.
 */
#ifndef MINOS_PVH_H
#define MINOS_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "format/compress.h"

enum pvh_source {
	PVH_CACHED,		/* extracted by an earlier run */
	PVH_EXTRACTED,		/* extracted now */
	PVH_TREE,		/* the build tree's own vmlinux */
};

struct pvh {
	int fd;			/* the ELF, open for QEMU (as /dev/fd/N) */
	char *path;		/* where it is: the cache entry or the tree's vmlinux */
	enum pvh_source source;
	const char *payload;	/* the bzImage payload's compression */
	long long extract_start;	/* host ms the extraction began, if now */
};

/*
 * The ELF to boot the bzImage `kernel` through its PVH entry: a vmlinux
 * beside it (or at the root of its build tree) from the same build, else
 * the payload, extracted into the cache (into memory without one).
 * 1: found, *p filled (pvh_free() it).  0: the kernel boots as a bzImage;
 * *why, when not NULL, says why for the user (a decoder minos lacks, a
 * damaged payload).  -1: an error, printed.
 */
int pvh_find(const char *kernel, struct pvh *p, char **why);
void pvh_free(struct pvh *p);

/*
 * Whether data (len bytes) is an x86 ELF executable whose segments are all
 * in it, with a PVH entry note (Xen's PHYS32_ENTRY): 1 and the entry
 * address, 0 a sound ELF without the note, -1 not a sound x86 ELF.
 */
int pvh_elf_entry(const unsigned char *data, size_t len, uint64_t *entry);

/*
 * The compressed payload of a bzImage (boot protocol 2.08 or later): 0 and
 * where it is, with its format's name ("xz", "bzip2"...) and whether minos
 * can decode it; -1 if the image has no payload fields or they point
 * outside it.
 */
struct payload {
	const unsigned char *data;
	size_t len;
	uint32_t size;		/* unpacked, from the payload's last 4 bytes */
	const char *format;	/* NULL: not a format the kernel uses */
	int decodable;
};
int pvh_payload(const unsigned char *img, size_t len, struct payload *pl);

/*
 * Unpacks a payload into out (at most lim's bytes): 0, or -1 after an
 * error naming `what`.
 */
int pvh_unpack(const struct payload *pl, const char *what, const struct unpack_limits *lim,
	       struct buf *out);

#endif
