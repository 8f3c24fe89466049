/*
 * cache.c - entries made once and kept, least recently used out first.
 *
 * An entry's modification time is its last use (set on every use), so
 * eviction needs no index.  Entries are written under a temporary name
 * (starting with a dot) and renamed into place, so a reader sees a whole
 * entry or none; several minos processes may make the same entry at once,
 * the last rename wins and both are whole.
 */
#include "util/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

static const char *const evictable[] = {"pvh", "initrd"};

#define STALE_TEMP_SECONDS 3600

void digest_init(struct digest *d)
{
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || !EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL))
		die_oom();
}

void digest_add(struct digest *d, const void *p, size_t n)
{
	if (!EVP_DigestUpdate(d->ctx, p, n))
		die_oom();
}

void digest_hex(struct digest *d, char hex[65])
{
	unsigned char md[32];
	unsigned n = 0;

	if (!EVP_DigestFinal_ex(d->ctx, md, &n) || n != sizeof(md))
		die_oom();
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

char *cache_entry(const char *sub, const char *key, const char *suffix)
{
	char *dir = cache_dir(sub), *p;

	if (!dir)
		return NULL;
	p = xasprintf("%s/%s%s", dir, key, suffix);
	free(dir);
	return p;
}

int cache_create(struct cache_writer *w, const char *path, const char *what)
{
	char *dir = path ? path_beside(path, ".") : NULL;
	int writable = dir && access(dir, W_OK) == 0;

	free(dir);
	*w = (struct cache_writer){.out = {.fd = -1}, .fd = -1};
	if (path && writable) {	/* a read-only cache is used as it is */
		if (outfile_open(&w->out, path, 0644) < 0)
			return -1;
		w->path = path;
		w->fd = w->out.fd;
	} else if ((w->fd = memfd_create(what, MFD_CLOEXEC)) < 0) {
		return fail_errno(what, "cannot hold it in memory (memfd_create)");
	}
	return 0;
}

int cache_commit(struct cache_writer *w)
{
	int fd;

	if (!w->path)
		return w->fd;	/* in memory: the same descriptor */
	/* the temporary's descriptor (read-write) outlives the rename */
	fd = fcntl(w->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		fail_errno(w->path, "cannot keep open");
		cache_abort(w);
		return -1;
	}
	if (outfile_commit(&w->out) < 0) {
		close(fd);
		fd = -1;
	} else {
		cache_trim(w->path);
	}
	*w = (struct cache_writer){.out = {.fd = -1}, .fd = -1};
	return fd;
}

void cache_abort(struct cache_writer *w)
{
	if (w->path)
		outfile_abort(&w->out);
	else if (w->fd >= 0)
		close(w->fd);
	*w = (struct cache_writer){.out = {.fd = -1}, .fd = -1};
}

void cache_used(int fd)
{
	futimens(fd, NULL);	/* a read-only cache still works, unordered */
}

long long cache_size_limit(void)
{
	const char *env = getenv("MINOS_CACHE_SIZE");
	long mb = CACHE_SIZE_DEFAULT_MB;

	if (env && *env && parse_long(env, 0, 1L << 30, &mb) < 0)
		return fail("MINOS_CACHE_SIZE", "'%s': expected MiB", env);
	return (long long)mb << 20;
}

struct entry {
	char *path;
	long long size;
	struct timespec used;
};

static int older(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The entries of one subdirectory, added to *v; stale temporaries removed. */
static void list_dir(const char *sub, struct entry **v, size_t *n, long long *total)
{
	char *dir = cache_dir(sub);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	while (d && (de = readdir(d))) {
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;

		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (de->d_name[0] == '.') {
			if (now - st.st_mtime > STALE_TEMP_SECONDS)
				unlink(p);
			free(p);
			continue;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = (struct entry){p, (long long)st.st_blocks * 512, st.st_mtim};
		*total += (long long)st.st_blocks * 512;
	}
	if (d)
		closedir(d);
	free(dir);
}

void cache_trim(const char *keep)
{
	long long limit = cache_size_limit(), total = 0;
	struct entry *v = NULL;
	size_t n = 0;

	if (limit < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(evictable); i++)
		list_dir(evictable[i], &v, &n, &total);
	sort_items(v, n, sizeof(*v), older);
	for (size_t i = 0; i < n && total > limit; i++) {
		if (keep && !strcmp(v[i].path, keep))
			continue;
		if (unlink(v[i].path) == 0 || errno == ENOENT)
			total -= v[i].size;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}
