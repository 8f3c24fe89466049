/*
 * cache.h - what minos makes once and keeps: entries named by a content
 * hash, checked before use, and held to a size by dropping the least
 * recently used (the vmlinux extracted for PVH, the initramfs run and test
 * build).
 */
#ifndef MINOS_CACHE_H
#define MINOS_CACHE_H

#include <stddef.h>

#include "util/util.h"

/* Default for $MINOS_CACHE_SIZE: MiB the evictable entries may take together. */
#define CACHE_SIZE_DEFAULT_MB 1024

/* SHA-256, for keys. */
struct digest {
	void *ctx;
};
void digest_init(struct digest *d);
void digest_add(struct digest *d, const void *p, size_t n);
/* Ends the digest: 64 hex digits and a NUL in hex. */
void digest_hex(struct digest *d, char hex[65]);

/*
 * The path of the entry named key+suffix in cache subdirectory sub (one of
 * the evictable ones: "pvh", "initrd"), the directory made; NULL when there
 * is no cache directory (no error: a cache is optional).
 */
char *cache_entry(const char *sub, const char *key, const char *suffix);

/*
 * Making an entry: written under a temporary name beside it and renamed
 * into place by cache_commit(), which also trims the cache; with path NULL
 * (no cache directory) or a directory we cannot write, into memory.  Write
 * to w->fd.
 */
struct cache_writer {
	struct outfile out;
	const char *path;	/* the caller's, until commit or abort; NULL: memory */
	int fd;
};
int cache_create(struct cache_writer *w, const char *path, const char *what);
/* The entry, whole and in place: a read-only descriptor of it, or -1. */
int cache_commit(struct cache_writer *w);
void cache_abort(struct cache_writer *w);

/* The entry open on fd was used: it becomes the most recently used. */
void cache_used(int fd);

/*
 * Holds the evictable subdirectories to $MINOS_CACHE_SIZE MiB together,
 * removing the least recently used entries first (and temporary files a
 * killed minos left, after an hour).  keep is never removed.
 */
void cache_trim(const char *keep);

/* $MINOS_CACHE_SIZE in bytes; -1 (after an error) if it is not a number. */
long long cache_size_limit(void);

#endif
