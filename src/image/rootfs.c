/*
 * rootfs.c - --rootfs SRC into a squashfs image: a directory read as it
 * is on disk (sorted), or a tarball read with libarchive, whose owners,
 * device nodes and extended attributes come from the archive, so no root
 * is needed to keep them.  Names in a tarball are untrusted: absolute ones
 * and ".." are refused, and the tree is held to SQ_MAX_NODES names.
 */
#include "image/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "util/progress.h"
#include "util/util.h"

#define CHUNK (128 * 1024)
#define NOT_ROOT "not a directory, a tar archive (plain, gzip, xz, zstd, bzip2) or a squashfs image"

struct src {
	const char *what;
	struct progress progress;
	uint64_t files, bytes;
	const struct rootfs_opts *o;
	struct sq_tree t;
	struct sq_writer *w;
	unsigned char *buf;
	struct hardlink {
		dev_t dev;
		ino_t ino;
		struct sq_node *n;
	} *links;
	size_t nlinks;
};

static uint32_t mtime_of(const struct src *s, int64_t t)
{
	if (t < 0)
		t = 0;
	if (s->o->clamp >= 0 && t > s->o->clamp)
		t = s->o->clamp;
	return t > 0xffffffffLL ? 0xffffffffu : (uint32_t)t;
}

static void set_owner(struct sq_node *n, const struct src *s, uint32_t uid, uint32_t gid,
		      int64_t mtime)
{
	n->uid = uid;
	n->gid = gid;
	n->mtime = mtime_of(s, mtime);
}

/* ---- a directory ---- */

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int host_xattrs(struct src *s, const char *host, struct sq_node *n)
{
	char *list, *value = NULL, **keys = NULL;
	ssize_t len = llistxattr(host, NULL, 0);
	size_t nkeys = 0;
	int rc = 0;

	if (len <= 0)
		return 0;	/* none, or a filesystem without them */
	list = xmalloc(len);
	if ((len = llistxattr(host, list, len)) < 0) {
		free(list);
		return fail_errno(host, "cannot list extended attributes");
	}
	for (ssize_t i = 0; i < len; i += strlen(list + i) + 1) {
		keys = xrealloc(keys, (nkeys + 1) * sizeof(*keys));
		keys[nkeys++] = list + i;
	}
	sort_items(keys, nkeys, sizeof(*keys), by_string);
	rc = sq_xattr_begin(s->w);
	for (size_t i = 0; !rc && i < nkeys; i++) {
		ssize_t vlen = lgetxattr(host, keys[i], NULL, 0);

		if (vlen < 0 || vlen > 65536) {
			rc = fail_errno(host, "cannot read extended attribute %s", keys[i]);
			break;
		}
		value = xrealloc(value, vlen ? vlen : 1);
		if ((vlen = lgetxattr(host, keys[i], value, vlen)) < 0)
			rc = fail_errno(host, "cannot read extended attribute %s", keys[i]);
		else
			rc = sq_xattr_add(s->w, keys[i], value, vlen);
	}
	if (!rc)
		rc = sq_xattr_end(s->w, n);
	free(value);
	free(keys);
	free(list);
	return rc < 0 ? -1 : 0;
}

static void counted(struct src *s)
{
	progress_say(&s->progress, "%llu files, %llu MiB", (unsigned long long)++s->files,
		     (unsigned long long)(s->bytes >> 20));
}

/*
 * A file's data into the image, read in chunks by rd: 0, -1 if the image
 * could not take it (said), -2 if rd failed (for the caller to say).
 */
static int copy_data(struct src *s, struct sq_node *n,
		     ssize_t (*rd)(void *from, void *buf, size_t len), void *from)
{
	ssize_t got;

	if (sq_file_begin(s->w, n) < 0)
		return -1;
	while ((got = rd(from, s->buf, CHUNK)) > 0) {
		if (sq_file_append(s->w, s->buf, got) < 0)
			return -1;
		s->bytes += (uint64_t)got;
	}
	if (got < 0)
		return -2;
	counted(s);
	return sq_file_end(s->w);
}

static ssize_t read_fd(void *from, void *buf, size_t len)
{
	return read(*(int *)from, buf, len);
}

static int copy_fd(struct src *s, int fd, const char *host, struct sq_node *n)
{
	int rc = copy_data(s, n, read_fd, &fd);

	return rc == -2 ? fail_errno(host, "cannot read") : rc;
}

static int add_entry(struct src *s, int dirfd, const char *name, const char *host,
		     const char *rel, int depth);

static int add_tree(struct src *s, int fd, const char *host, const char *rel, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!d) {
		close(fd);
		return fail_errno(host, "cannot read the directory");
	}
	if (depth > SQ_MAX_PATH / 2) {
		closedir(d);
		return fail(host, "directories nested too deep");
	}
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	if (errno)
		rc = fail_errno(host, "cannot read the directory");
	sort_items(names, n, sizeof(*names), by_string);
	for (size_t i = 0; i < n; i++) {
		char *h = xasprintf("%s/%s", host, names[i]);
		char *r = xasprintf("%s/%s", rel, names[i]);

		if (!rc)
			rc = add_entry(s, dirfd(d), names[i], h, r, depth);
		free(h);
		free(r);
		free(names[i]);
	}
	free(names);
	closedir(d);
	return rc;
}

static int add_entry(struct src *s, int dirfd, const char *name, const char *host,
		     const char *rel, int depth)
{
	struct stat st;
	struct sq_node *n;
	int fd, rc = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_errno(host, "cannot stat");
	if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		for (size_t i = 0; i < s->nlinks; i++)
			if (s->links[i].dev == st.st_dev && s->links[i].ino == st.st_ino) {
				if (!(n = sq_put(&s->t, rel, st.st_mode)))
					return -1;
				n->link = s->links[i].n;
				return 0;
			}
	if (!(n = sq_put(&s->t, rel, st.st_mode)))
		return -1;
	set_owner(n, s, st.st_uid, st.st_gid, st.st_mtim.tv_sec);
	if (host_xattrs(s, host, n) < 0)
		return -1;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return fail_errno(host, "cannot open the directory");
		return add_tree(s, fd, host, rel, depth + 1);
	case S_IFREG:
		if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return fail_errno(host, "cannot open");
		rc = copy_fd(s, fd, host, n);
		close(fd);
		if (!rc && st.st_nlink > 1) {
			s->links = xrealloc(s->links, (s->nlinks + 1) * sizeof(*s->links));
			s->links[s->nlinks++] = (struct hardlink){st.st_dev, st.st_ino, n};
		}
		return rc;
	case S_IFLNK: {
		char target[SQ_MAX_PATH];
		ssize_t len = readlinkat(dirfd, name, target, sizeof(target) - 1);

		if (len < 0)
			return fail_errno(host, "cannot read the symlink");
		target[len] = '\0';
		n->target = xstrdup(target);
		return 0;
	}
	case S_IFCHR:
	case S_IFBLK:
		n->devno = sq_devno(major(st.st_rdev), minor(st.st_rdev));
		return 0;
	}
	return 0;	/* FIFOs and sockets: the inode is all there is */
}

static int from_directory(struct src *s, const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return fail_errno(dir, "cannot open the directory");
	}
	s->t.root->mode = st.st_mode;
	set_owner(s->t.root, s, st.st_uid, st.st_gid, st.st_mtim.tv_sec);
	if (host_xattrs(s, dir, s->t.root) < 0) {
		close(fd);
		return -1;
	}
	return add_tree(s, fd, dir, "", 0);
}

/* ---- a tarball ---- */

/* A member's name: relative, no "..": what a tar extracted in the root could not escape with. */
static int check_name(const struct src *s, const char *name, const char *kind)
{
	const char *p = name;

	if (!name || !*name)
		return fail(s->what, "a %s with no name", kind);
	if (*name == '/')
		return fail(s->what, "%s: an absolute %s, outside the root", name, kind);
	for (; *p; p += strcspn(p, "/"), p += *p == '/')
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return fail(s->what, "%s: a %s that leaves the root (..)", name, kind);
	return 0;
}

static int tar_xattrs(struct src *s, struct archive_entry *e, struct sq_node *n)
{
	const char *key;
	const void *value;
	size_t len;
	int rc;

	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	if (sq_xattr_begin(s->w) < 0)
		return -1;
	while (archive_entry_xattr_next(e, &key, &value, &len) == ARCHIVE_OK)
		if ((rc = sq_xattr_add(s->w, key, value, len)) < 0)
			return rc;
	return sq_xattr_end(s->w, n);
}

static ssize_t read_member(void *from, void *buf, size_t len)
{
	return archive_read_data(from, buf, len);
}

static int tar_member(struct src *s, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e), *link = archive_entry_hardlink(e);
	uint32_t mode = archive_entry_mode(e);
	struct sq_node *n, *target;

	if (check_name(s, name, "name") < 0)
		return -1;
	if (link) {
		if (check_name(s, link, "hard link") < 0)
			return -1;
		if (!(target = sq_get(&s->t, link)) || S_ISDIR(target->mode))
			return fail(s->what, "%s: a hard link to %s, which is not a file before it",
				    name, link);
		if (!(n = sq_put(&s->t, name, target->mode)))
			return -1;
		n->link = target->link ? target->link : target;
		return 0;
	}
	switch (mode & S_IFMT) {
	case S_IFDIR: case S_IFREG: case S_IFLNK: case S_IFCHR: case S_IFBLK: case S_IFIFO:
		break;
	default:
		return fail(s->what, "%s: a member of an unknown type", name);
	}
	if (!(n = sq_put(&s->t, name, mode)))
		return -1;
	set_owner(n, s, (uint32_t)archive_entry_uid(e), (uint32_t)archive_entry_gid(e),
		  archive_entry_mtime(e));
	if (tar_xattrs(s, e, n) < 0)
		return -1;
	if (S_ISLNK(mode)) {
		const char *t = archive_entry_symlink(e);

		if (!t || strlen(t) >= SQ_MAX_PATH)
			return fail(s->what, "%s: a symlink without a usable target", name);
		n->target = xstrdup(t);
	} else if (S_ISCHR(mode) || S_ISBLK(mode)) {
		n->devno = sq_devno(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	} else if (S_ISREG(mode)) {
		int rc = copy_data(s, n, read_member, a);

		return rc == -2 ? fail(s->what, "%s: %s", name, archive_error_string(a)) : rc;
	}
	return 0;
}

static int from_tarball(struct src *s, const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, rc = 0, members = 0;

	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
		rc = fail(path, "%s", archive_errno(a) == EILSEQ ? NOT_ROOT
				      : archive_error_string(a));
		goto out;
	}
	/* the root's own attributes, unless the archive has "./" */
	s->t.root->mode = S_IFDIR | 0755;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		members++;
		if ((rc = tar_member(s, a, e)) < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF)
		rc = fail(path, "%s", members ? archive_error_string(a) : NOT_ROOT);
out:
	archive_read_free(a);
	return rc;
}

/* ---- the whole ---- */

int rootfs_kind(const char *src)
{
	struct stat st;

	if (stat(src, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return 'd';
	return sq_detect(src, 0) == 1 ? 's' : 't';
}

static int check_init(const struct sq_tree *t, const char *what, const char *init)
{
	const struct sq_node *n = sq_resolve(t, init);

	if (!n || !S_ISREG(n->mode) || !(n->mode & 0111))
		return fail(what, "the root has no %s%s", init,
			    strcmp(init, "/sbin/init") ? ""
			    : " (give init= in --cmdline to start another program)");
	return 0;
}

int rootfs_write(const char *src, const char *out, const struct rootfs_opts *o)
{
	struct sq_writer_opts wo = {.compressor = o->compressor, .mkfs_time = o->mkfs_time,
				    .source = src};
	struct src s = {.what = src, .o = o};
	int kind = rootfs_kind(src), rc;

	if (kind < 0)
		return fail_errno(src, "cannot read");
	if (!(s.w = sq_writer_open(out, &wo)))
		return -1;
	sq_tree_init(&s.t, src, mtime_of(&s, o->mkfs_time));
	s.buf = xmalloc(CHUNK);
	progress_start(&s.progress, "writing the root's squashfs image");
	rc = kind == 'd' ? from_directory(&s, src) : from_tarball(&s, src);
	progress_end(&s.progress);
	if (!rc)
		rc = check_init(&s.t, src, o->init);
	if (!rc)
		rc = sq_writer_finish(s.w, &s.t);
	sq_writer_free(s.w);
	sq_tree_free(&s.t);
	free(s.links);
	free(s.buf);
	return rc < 0 ? -1 : 0;
}

int rootfs_check_squashfs(const char *src, const char *init)
{
	struct sq_tree t;
	int rc = sq_read_tree(src, 0, &t, src);

	if (!rc)
		rc = check_init(&t, src, init);
	sq_tree_free(&t);
	return rc;
}

const char *const rootfs_compressors[] = {"zstd", "xz", NULL};

/* init= on the command line (the last, as the kernel takes it), else /sbin/init. */
static char *root_init(const char *cmdline)
{
	const char *init = NULL;
	size_t len = 0;

	for (const char *p = cmdline + strspn(cmdline, " \t"); *p;) {
		size_t n = strcspn(p, " \t");

		if (n > 5 && !strncmp(p, "init=", 5)) {
			init = p + 5;
			len = n - 5;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return init ? strndup(init, len) : xstrdup("/sbin/init");
}

int rootfs_for_iso(const char *src, const char *compressor, const char *cmdline,
		   const char *output, char **sqfs)
{
	char *init = root_init(cmdline);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct rootfs_opts ro = {.compressor = compressor, .init = init,
				  .clamp = sde && *sde ? source_date_epoch() : -1,
				  .mkfs_time = (uint32_t)source_date_epoch()};
	int kind = rootfs_kind(src), fd, rc;

	*sqfs = NULL;
	if (kind < 0) {
		rc = fail_errno(src, "cannot read");
	} else if (kind == 's') {
		rc = rootfs_check_squashfs(src, init);
	} else if (!(*sqfs = temp_beside(output, "rootfs", &fd))) {
		rc = -1;
	} else {
		close(fd);
		rc = rootfs_write(src, *sqfs, &ro);
	}
	free(init);
	return rc;
}
