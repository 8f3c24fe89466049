/*
 * fstree.c - the in-memory tree behind every initramfs minos writes.
 *
 * Reproducibility lives here: entries are sorted by path (a parent sorts
 * before its children, since it is their prefix), inode numbers are handed
 * out in that order, owners and times come from the caller, never from the
 * host.  The same inputs give the same bytes, whoever runs minos and in
 * whatever order the host's directories list their files.
 */
#include "image/fstree.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "format/cpio.h"
#include "format/elf.h"
#include "util/util.h"

/* "/a//b/./c/" -> "a/b/c"; NULL (after an error) for ".." or an empty path. */
static char *normalize(const char *path)
{
	char *out = xmalloc(strlen(path) + 1), *o = out;
	const char *p = path;

	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			fail(path, "a path in the image may not contain '..'");
			return NULL;
		}
		if (!(n == 1 && p[0] == '.')) {
			if (o != out)
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	if (o == out) {
		free(out);
		fail(path, "not a path below the image's root");
		return NULL;
	}
	return out;
}

static struct entry *push(struct fstree *fs, char *path, uint32_t mode,
			  int implicit)
{
	struct entry *e;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 256;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	e = &fs->v[fs->n++];
	*e = (struct entry){.path = path, .mode = mode, .implicit = implicit,
			    .seq = ++fs->seq};
	fs->finished = 0;
	return e;
}

/* Makes the parents of path, unless the previous entry already did. */
static void add_parents(struct fstree *fs, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash)
		return;
	len = slash - path;
	if (fs->n && fs->v[fs->n - 1].implicit &&
	    strlen(fs->v[fs->n - 1].path) == len &&
	    !strncmp(fs->v[fs->n - 1].path, path, len))
		return;
	for (const char *s = path; (s = strchr(s, '/')); s++) {
		char *dir = xmalloc(s - path + 1);

		memcpy(dir, path, s - path);
		dir[s - path] = '\0';
		push(fs, dir, S_IFDIR | 0755, 1);
	}
}

static struct entry *add(struct fstree *fs, const char *path, uint32_t mode,
			 uint32_t uid, uint32_t gid)
{
	char *norm = normalize(path);
	struct entry *e;

	if (!norm)
		return NULL;
	add_parents(fs, norm);
	e = push(fs, norm, mode, 0);
	e->uid = uid;
	e->gid = gid;
	return e;
}

int fstree_dir(struct fstree *fs, const char *path, uint32_t mode,
	       uint32_t uid, uint32_t gid)
{
	return add(fs, path, S_IFDIR | (mode & 07777), uid, gid) ? 0 : -1;
}

int fstree_data(struct fstree *fs, const char *path, const void *data,
		size_t len, uint32_t mode)
{
	struct entry *e = add(fs, path, S_IFREG | (mode & 07777), 0, 0);

	if (!e)
		return -1;
	e->data = xmalloc(len);
	memcpy(e->data, data, len);
	e->size = len;
	return 0;
}

int fstree_symlink(struct fstree *fs, const char *path, const char *target,
		   uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct entry *e = add(fs, path, S_IFLNK | (mode & 07777), uid, gid);

	if (!e)
		return -1;
	e->target = xstrdup(target);
	e->size = strlen(target);
	return 0;
}

int fstree_node(struct fstree *fs, const char *path, uint32_t mode,
		uint32_t uid, uint32_t gid, uint32_t major, uint32_t minor)
{
	struct entry *e = add(fs, path, mode, uid, gid);

	if (!e)
		return -1;
	e->rmajor = major;
	e->rminor = minor;
	return 0;
}

/*
 * A file whose size stat reports as 0 may still hold data (/proc/cpuinfo,
 * anything in sysfs): it is read now, as it is at this moment.
 */
#define UNSIZED_MAX (16 << 20)

static int add_unsized(struct fstree *fs, const char *path, const char *src,
		       uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct buf b = {0};
	struct entry *e;
	int rc = read_file_max(src, &b, UNSIZED_MAX, NULL);

	if (rc == 0 && (e = add(fs, path, S_IFREG | (mode & 07777), uid, gid))) {
		e->data = b.data;
		e->size = b.len;
		return 0;
	}
	buf_free(&b);
	return -1;
}

int fstree_file(struct fstree *fs, const char *path, const char *src,
		uint32_t mode, uint32_t uid, uint32_t gid, int hardlink)
{
	struct stat st;
	struct entry *e;

	if (stat(src, &st) < 0)
		return fail_errno(src, "cannot add");
	if (!S_ISREG(st.st_mode))
		return fail(src, "not a regular file");
	if (st.st_size == 0)
		return add_unsized(fs, path, src, mode, uid, gid);
	if ((uint64_t)st.st_size > CPIO_MAX_FILESIZE)
		return fail(src, "larger than the newc format's 4 GiB limit");
	if (access(src, R_OK) < 0)
		return fail_errno(src, "cannot read");
	e = add(fs, path, S_IFREG | (mode & 07777), uid, gid);
	if (!e)
		return -1;
	e->src = xstrdup(src);
	e->size = st.st_size;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->hardlink = hardlink || st.st_nlink > 1;
	return 0;
}

/* ---- host files, trees and their libraries ---- */

static int add_lib(const char *host, const char *guest, void *ctx)
{
	struct fstree *fs = ctx;
	struct stat st;

	if (stat(host, &st) < 0)
		return fail_errno(host, "cannot add");
	return fstree_file(fs, guest, host, st.st_mode & 0755, 0, 0, 0);
}

int fstree_add_elf_deps(struct fstree *fs, const char *src)
{
	unsigned machine, type;
	enum arch arch;

	if (elf_header(src, &machine, &type) <= 0 || (type != ET_EXEC && type != ET_DYN))
		return 0;	/* not a program or library (a module, a BPF object): nothing to load */
	arch = arch_of_elf_machine(machine);
	if (fs->arch && arch && arch != fs->arch)
		return fail(src, "is an %s ELF file, but the image is for %s", arch_elf_name(arch),
			    arch_name(fs->arch));
	if (!arch)
		return 0;	/* another machine's (firmware, a microcontroller's): data here */
	return elf_for_each_dep(src, fs->sysroot, add_lib, fs);
}

static int starts_with_elf_magic(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, m, 4) == 4 && !memcmp(m, "\177ELF", 4);
	close(fd);
	return ok;
}

/* Host permissions, minus what root ownership would make unsafe. */
static uint32_t host_mode(const struct stat *st)
{
	return st->st_mode & 07755;
}

static int add_host_file(struct fstree *fs, const char *src, const char *dest,
			 const struct stat *st)
{
	if (fstree_file(fs, dest, src, host_mode(st), 0, 0, 0) < 0)
		return -1;
	if (starts_with_elf_magic(src))
		return fstree_add_elf_deps(fs, src);
	return 0;
}

/*
 * depth counts directories below what the user named; follow is how many
 * more symlinks may be followed to what they point to (0 inside a tree:
 * links there stay as they are, and may well point outside it).
 */
static int add_host(struct fstree *fs, const char *src, const char *dest,
		    int depth, int follow);

/* Lexically resolves target against the directory holding link. */
static char *resolve_beside(const char *link, const char *target)
{
	char *joined, *out, *o;

	joined = target[0] == '/' ? xstrdup(target) : path_beside(link, target);
	out = o = xmalloc(strlen(joined) + 2);
	for (char *save = NULL, *c = strtok_r(joined, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (o > out && *--o != '/')
				;
			continue;
		}
		o += sprintf(o, "/%s", c);
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	free(joined);
	return out;
}

/*
 * A symlink comes as a symlink, and what it points to comes too, so that
 * --add /usr/bin/python3 (a link to python3.11) gives a working program.
 */
static int add_host_symlink(struct fstree *fs, const char *src,
			    const char *dest, int follow)
{
	char target[PATH_MAX];
	ssize_t n = readlink(src, target, sizeof(target) - 1);
	char *hsrc, *gdest, *adest;
	struct stat st;
	int rc = 0;

	if (n < 0)
		return fail_errno(src, "cannot read link");
	target[n] = '\0';
	if (fstree_symlink(fs, dest, target, 0777, 0, 0) < 0)
		return -1;
	if (!follow)
		return 0;
	hsrc = resolve_beside(src, target);
	adest = dest[0] == '/' ? xstrdup(dest) : xasprintf("/%s", dest);
	gdest = resolve_beside(adest, target);
	free(adest);
	if (lstat(hsrc, &st) == 0 && !S_ISDIR(st.st_mode))
		rc = add_host(fs, hsrc, gdest, 0, follow - 1);
	free(hsrc);
	free(gdest);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir_children(struct fstree *fs, const char *src,
			    const char *dest, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (depth > 256)
		return fail(src, "directory tree nests too deeply");
	d = opendir(src);
	if (!d)
		return fail_errno(src, "cannot open directory");
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	/* Sorted, so that errors and replacements do not depend on readdir. */
	sort_items(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *s = xasprintf("%s/%s", src, names[i]);
		char *t = xasprintf("%s/%s", dest, names[i]);

		if (!rc)
			rc = add_host(fs, s, t, depth + 1, 0);
		free(s);
		free(t);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int add_host_dir(struct fstree *fs, const char *src, const char *dest,
			const struct stat *st, int depth)
{
	if (fstree_dir(fs, dest, host_mode(st), 0, 0) < 0)
		return -1;
	return add_dir_children(fs, src, dest, depth);
}

static int add_host(struct fstree *fs, const char *src, const char *dest,
		    int depth, int follow)
{
	struct stat st;

	if (lstat(src, &st) < 0)
		return fail_errno(src, "cannot add");
	if (S_ISLNK(st.st_mode))
		return add_host_symlink(fs, src, dest, follow);
	if (S_ISREG(st.st_mode))
		return add_host_file(fs, src, dest, &st);
	if (S_ISDIR(st.st_mode))
		return add_host_dir(fs, src, dest, &st, depth);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return fstree_node(fs, dest, st.st_mode & (S_IFMT | 07755), 0, 0,
				   major(st.st_rdev), minor(st.st_rdev));
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return fstree_node(fs, dest, st.st_mode & (S_IFMT | 07755), 0, 0, 0, 0);
	return fail(src, "cannot add a file of this type");
}

int fstree_add_host(struct fstree *fs, const char *src, const char *dest)
{
	struct stat st;

	/* A tree added at "/" merges into the root, which has no entry. */
	if (!dest[strspn(dest, "/.")] && lstat(src, &st) == 0 && S_ISDIR(st.st_mode))
		return add_dir_children(fs, src, "", 0);
	return add_host(fs, src, dest, 0, 40);
}

/* ---- finishing and writing ---- */

static const struct entry *find_sorted(const struct fstree *fs, const char *path);

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	/* An implicit directory never replaces a real entry. */
	if (x->implicit != y->implicit)
		return x->implicit ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void free_entry(struct entry *e)
{
	free(e->path);
	free(e->target);
	free(e->src);
	free(e->data);
}

static int same_file(const struct entry *a, const struct entry *b)
{
	return a->hardlink && b->hardlink && a->src && b->src &&
	       a->dev == b->dev && a->ino == b->ino && a->mode == b->mode &&
	       a->uid == b->uid && a->gid == b->gid;
}

/* Hard links: one inode number per group, data on the group's last name. */
static void number_inodes(struct fstree *fs)
{
	uint32_t next = 1;

	for (size_t i = 0; i < fs->n; i++)
		fs->v[i].cpio_ino = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct entry *e = &fs->v[i];
		size_t last = i;
		uint32_t count = 1;

		if (e->cpio_ino)
			continue;
		e->cpio_ino = next++;
		for (size_t j = i + 1; e->hardlink && j < fs->n; j++)
			if (!fs->v[j].cpio_ino && same_file(e, &fs->v[j])) {
				fs->v[j].cpio_ino = e->cpio_ino;
				last = j;
				count++;
			}
		for (size_t j = i; j <= last; j++)
			if (fs->v[j].cpio_ino == e->cpio_ino) {
				fs->v[j].nlink = count;
				fs->v[j].data_here = j == last;
			}
		if (S_ISDIR(e->mode))
			e->nlink = 2;
	}
}

int fstree_finish(struct fstree *fs)
{
	size_t out = 0;

	sort_items(fs->v, fs->n, sizeof(*fs->v), cmp_entry);
	for (size_t i = 0; i < fs->n; i++) {
		if (i + 1 < fs->n && !strcmp(fs->v[i].path, fs->v[i + 1].path)) {
			free_entry(&fs->v[i]);
			continue;
		}
		fs->v[out++] = fs->v[i];
	}
	fs->n = out;
	/* Sorted, a path's children follow it directly (or after siblings
	 * like "a-b" that sort before "a/"): check each against its parent. */
	for (size_t i = 0; i < fs->n; i++) {
		const char *slash = strrchr(fs->v[i].path, '/');
		const struct entry *parent;
		char *dir;

		if (!slash)
			continue;
		dir = xmalloc(slash - fs->v[i].path + 1);
		memcpy(dir, fs->v[i].path, slash - fs->v[i].path);
		dir[slash - fs->v[i].path] = '\0';
		parent = find_sorted(fs, dir);
		if (!parent || !S_ISDIR(parent->mode)) {
			fail(dir, "is not a directory in the image, but %s needs it to be",
			     fs->v[i].path);
			free(dir);
			return -1;
		}
		free(dir);
	}
	number_inodes(fs);
	fs->finished = 1;
	return 0;
}

static const struct entry *find_sorted(const struct fstree *fs, const char *path)
{
	size_t lo = 0, hi = fs->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(path, fs->v[mid].path);

		if (!c)
			return &fs->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int copy_file(struct cpio_writer *w, const struct entry *e)
{
	static const size_t chunk = 1 << 20;
	unsigned char *b;
	uint64_t left = e->size;
	int fd = open(e->src, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return fail_errno(e->src, "cannot open");
	b = xmalloc(chunk);
	while (left && !rc) {
		ssize_t n = read(fd, b, left < chunk ? left : chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = fail_errno(e->src, "cannot read");
		else if (n == 0)
			rc = fail(e->src, "file shrank while it was being added");
		else {
			rc = cpio_write_data(w, b, n);
			left -= n;
		}
	}
	free(b);
	close(fd);
	return rc;
}

int fstree_write(struct fstree *fs, struct sink *out, uint32_t mtime)
{
	struct cpio_writer w = {.out = out};

	if (!fs->finished && fstree_finish(fs) < 0)
		return -1;
	for (size_t i = 0; i < fs->n; i++) {
		const struct entry *e = &fs->v[i];
		int has_data = S_ISLNK(e->mode) || (S_ISREG(e->mode) && e->data_here);
		struct cpio_header h = {
			.ino = e->cpio_ino, .mode = e->mode, .uid = e->uid,
			.gid = e->gid, .nlink = e->nlink, .mtime = mtime,
			.filesize = has_data ? e->size : 0,
			.rdevmajor = e->rmajor, .rdevminor = e->rminor,
			.name = e->path,
		};
		int rc;

		if (cpio_write_header(&w, &h) < 0)
			return -1;
		if (!h.filesize)
			continue;
		if (e->target)
			rc = cpio_write_data(&w, e->target, e->size);
		else if (e->data)
			rc = cpio_write_data(&w, e->data, e->size);
		else
			rc = copy_file(&w, e);
		if (rc < 0)
			return -1;
	}
	return cpio_write_trailer(&w);
}

void fstree_free(struct fstree *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free_entry(&fs->v[i]);
	free(fs->v);
	*fs = (struct fstree){0};
}
