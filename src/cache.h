/*
 * cache.h - what minos makes once and keeps: entries named by a content
 * hash, checked before use, and held to a size by dropping the least
 * recently used (the vmlinux extracted for PVH, the initramfs run and test
 * build).
 */
#ifndef MINOS_CACHE_H
#define MINOS_CACHE_H

#include <stddef.h>

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
