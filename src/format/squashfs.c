/*
 * squashfs.c - squashfs images with libsquashfs, the way squashfs-tools-ng's
 * gensquashfs writes them: file data first, through a block processor that
 * splits, compresses and deduplicates it while the source is read; then,
 * with every name known, inode numbers given children first, inodes and
 * directories written in that order, and the fragment, ID and xattr tables.
 *
 * Reproducible: directories sorted by name, data in the order the source
 * gives it, no clock read here (mkfs_time comes from the caller).
 */
#include "format/squashfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_reader.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr_writer.h>

#include "util/util.h"

/* ---- the tree ---- */

static size_t hash_of(const struct sq_node *parent, const char *name, size_t nhash)
{
	uint64_t h = hash64(HASH64_INIT, &parent, sizeof(parent));

	return hash64(h, name, strlen(name)) & (nhash - 1);
}

static struct sq_node *new_node(const char *name, uint32_t mode, uint32_t mtime)
{
	struct sq_node *n = xcalloc(1, sizeof(*n));

	n->name = xstrdup(name);
	n->mode = mode;
	n->mtime = mtime;
	n->xattr = SQ_NO_XATTR;
	return n;
}

void sq_tree_init(struct sq_tree *t, const char *what, uint32_t mtime)
{
	memset(t, 0, sizeof(*t));
	t->what = what;
	t->mtime = mtime;
	t->nhash = 1024;
	t->hash = xcalloc(t->nhash, sizeof(*t->hash));
	t->root = new_node("", S_IFDIR | 0755, mtime);
	t->n = 1;
}

static void grow_hash(struct sq_tree *t)
{
	size_t nhash = t->nhash * 2;
	struct sq_node **hash = xcalloc(nhash, sizeof(*hash));

	for (size_t i = 0; i < t->nhash; i++)
		for (struct sq_node *n = t->hash[i], *next; n; n = next) {
			size_t h = hash_of(n->parent, n->name, nhash);

			next = n->hnext;
			n->hnext = hash[h];
			hash[h] = n;
		}
	free(t->hash);
	t->hash = hash;
	t->nhash = nhash;
}

static struct sq_node *child(const struct sq_tree *t, const struct sq_node *d, const char *name)
{
	for (struct sq_node *n = t->hash[hash_of(d, name, t->nhash)]; n; n = n->hnext)
		if (n->parent == d && !strcmp(n->name, name))
			return n;
	return NULL;
}

static void add_child(struct sq_tree *t, struct sq_node *d, struct sq_node *n)
{
	size_t h;

	if (t->n >= t->nhash)
		grow_hash(t);
	h = hash_of(d, n->name, t->nhash);
	n->parent = d;
	n->hnext = t->hash[h];
	t->hash[h] = n;
	if (d->nkids == d->capkids) {
		d->capkids = d->capkids ? d->capkids * 2 : 8;
		d->kids = xrealloc(d->kids, d->capkids * sizeof(*d->kids));
	}
	d->kids[d->nkids++] = n;
	t->n++;
}

static void free_node(struct sq_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		free_node(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->target);
	sqfs_free(n->inode);
	free(n);
}

void sq_tree_free(struct sq_tree *t)
{
	if (t->root)
		free_node(t->root);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

/*
 * A replaced name gets a new node: the old one's inode may still be
 * filled in by the block processor, and hard links may point at it.  It
 * stays as a hidden child nobody lists (name ""), freed with the tree.
 */
static struct sq_node *replace(struct sq_tree *t, struct sq_node *old, uint32_t mode)
{
	struct sq_node *d = old->parent, *n = new_node(old->name, mode, t->mtime);
	struct sq_node **p = &t->hash[hash_of(d, old->name, t->nhash)];

	while (*p != old)
		p = &(*p)->hnext;
	*p = n;
	n->hnext = old->hnext;
	n->parent = d;
	for (size_t i = 0; i < d->nkids; i++)
		if (d->kids[i] == old)
			d->kids[i] = n;
	old->name[0] = '\0';
	old->hnext = NULL;
	if (d->nkids == d->capkids) {
		d->capkids *= 2;
		d->kids = xrealloc(d->kids, d->capkids * sizeof(*d->kids));
	}
	d->kids[d->nkids++] = old;
	return n;
}

static struct sq_node *walk(struct sq_tree *t, const char *path, uint32_t mode, int make)
{
	const char *comp[SQ_MAX_PATH / 2 + 1];
	size_t len[SQ_MAX_PATH / 2 + 1];
	struct sq_node *d = t->root;
	char name[256];
	int nc = 0;

	if (strlen(path) >= SQ_MAX_PATH)
		return make ? (fail(t->what, "a name longer than %d bytes", SQ_MAX_PATH), NULL) : NULL;
	for (const char *p = path; *p; p += *p == '/') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return make ? (fail(t->what, "%s: a name that leaves the root (..)", path),
				       NULL) : NULL;
		if (n >= sizeof(name))
			return make ? (fail(t->what, "%s: a name longer than 255 bytes", path), NULL)
				    : NULL;
		if (n && !(n == 1 && p[0] == '.')) {
			comp[nc] = p;
			len[nc++] = n;
		}
		p += n;
	}
	if (nc == 0) {
		if (make && !S_ISDIR(mode))
			return fail(t->what, "%s: not a file name", path), NULL;
		if (make)
			d->mode = S_IFDIR | (mode & 07777);
		return d;
	}
	for (int i = 0; i < nc; i++) {
		int last = i == nc - 1;
		struct sq_node *c;

		memcpy(name, comp[i], len[i]);
		name[len[i]] = '\0';
		c = child(t, d, name);
		if (!make) {
			if (!c || (!last && !S_ISDIR(c->mode)))
				return NULL;
			d = c;
			continue;
		}
		if (c && !last && !S_ISDIR(c->mode))
			return fail(t->what, "%s: %s is not a directory", path, name), NULL;
		if (c && last && S_ISDIR(c->mode) != S_ISDIR(mode))
			return fail(t->what, "%s: given both as a directory and as a file", path), NULL;
		if (c && last && !S_ISDIR(mode))
			c = replace(t, c, mode);
		if (!c) {
			if (t->n >= SQ_MAX_NODES)
				return fail(t->what, "more than %u files", SQ_MAX_NODES), NULL;
			add_child(t, d, c = new_node(name, last ? mode : S_IFDIR | 0755, t->mtime));
		}
		if (last)
			c->mode = mode;
		d = c;
	}
	return d;
}

struct sq_node *sq_put(struct sq_tree *t, const char *path, uint32_t mode)
{
	return walk(t, path, mode, 1);
}

struct sq_node *sq_get(const struct sq_tree *t, const char *path)
{
	return walk((struct sq_tree *)t, path, 0, 0);
}

struct sq_node *sq_resolve(const struct sq_tree *t, const char *path)
{
	char buf[2 * SQ_MAX_PATH], rest[2 * SQ_MAX_PATH];
	struct sq_node *d = t->root, *n = NULL;
	int links = 0;

	if (strlen(path) >= SQ_MAX_PATH)
		return NULL;
	strcpy(buf, path);
	for (char *p = buf;;) {
		size_t len;

		p += strspn(p, "/");
		if (!*p)
			return n ? n : d;
		len = strcspn(p, "/");
		if (len == 1 && *p == '.') {
			n = d;
		} else if (len == 2 && !memcmp(p, "..", 2)) {
			n = d = d->parent ? d->parent : d;
		} else {
			char name[256];

			if (len >= sizeof(name))
				return NULL;
			memcpy(name, p, len);
			name[len] = '\0';
			if (!(n = child(t, d, name)))
				return NULL;
			if (n->link)
				n = n->link;
		}
		p += len;
		if (S_ISLNK(n->mode)) {
			if (++links > 40 || !n->target ||
			    strlen(n->target) + strlen(p) + 1 >= sizeof(rest))
				return NULL;
			size_t tl = strlen(n->target);

			memcpy(rest, n->target, tl);
			strcpy(rest + tl, p);
			strcpy(buf, rest);
			p = buf;
			n = NULL;
			if (*p == '/')
				d = t->root;
			continue;
		}
		if (S_ISDIR(n->mode))
			d = n;
		else if (p[strspn(p, "/")])
			return NULL;	/* a file with more path after it */
	}
	return NULL;
}

uint32_t sq_devno(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | (major & 0xfff) << 8 | (minor & ~0xffu) << 12;
}

/* ---- writing ---- */

struct sq_writer {
	char *path;
	sqfs_file_t *file;
	sqfs_compressor_t *cmp, *uncmp;
	sqfs_super_t super;
	sqfs_block_writer_t *blocks;
	sqfs_frag_table_t *frags;
	sqfs_block_processor_t *proc;
	sqfs_id_table_t *ids;
	sqfs_xattr_writer_t *xattrs;
	sqfs_meta_writer_t *im, *dm;
	sqfs_dir_writer_t *dirs;
	struct sq_node *file_node;
	const char *source;
	int xattr_open, skipped_xattr;
	int in_file, finished;
};

static int sq_fail(const char *what, const char *doing, int err)
{
	static const char *const msgs[] = {
		[-SQFS_ERROR_ALLOC] = "out of memory", [-SQFS_ERROR_IO] = "input/output error",
		[-SQFS_ERROR_COMPRESSOR] = "the compressor failed",
		[-SQFS_ERROR_INTERNAL] = "internal error", [-SQFS_ERROR_CORRUPTED] = "corrupted",
		[-SQFS_ERROR_UNSUPPORTED] = "unsupported", [-SQFS_ERROR_OVERFLOW] = "too large",
		[-SQFS_ERROR_OUT_OF_BOUNDS] = "a reference out of bounds",
		[-SFQS_ERROR_SUPER_MAGIC] = "not a squashfs image",
		[-SFQS_ERROR_SUPER_VERSION] = "an unsupported squashfs version",
		[-SQFS_ERROR_SUPER_BLOCK_SIZE] = "an invalid block size",
		[-SQFS_ERROR_NOT_DIR] = "a directory that is not one",
		[-SQFS_ERROR_NO_ENTRY] = "a missing entry", [-SQFS_ERROR_LINK_LOOP] = "a loop",
		[-SQFS_ERROR_NOT_FILE] = "a file that is not one",
		[-SQFS_ERROR_ARG_INVALID] = "an invalid argument",
		[-SQFS_ERROR_SEQUENCE] = "calls out of order",
	};
	const char *m = err < 0 && (size_t)-err < ARRAY_SIZE(msgs) && msgs[-err] ? msgs[-err]
									  : "failed";

	if (err == SQFS_ERROR_IO && errno)
		return fail_errno(what, "%s", doing);
	return fail(what, "%s: %s", doing, m);
}

struct sq_writer *sq_writer_open(const char *path, const struct sq_writer_opts *o)
{
	struct sq_writer *w = xcalloc(1, sizeof(*w));
	sqfs_block_processor_desc_t desc = {.size = sizeof(desc)};
	sqfs_compressor_config_t cfg;
	const char *comp = o->compressor ? o->compressor : "zstd";
	int id = sqfs_compressor_id_from_name(comp), rc;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);

	w->path = xstrdup(path);
	w->source = o->source ? o->source : w->path;
	if (id < 0 || sqfs_compressor_config_init(&cfg, id, SQFS_DEFAULT_BLOCK_SIZE, 0)) {
		fail(comp, "not a squashfs compressor minos can write (zstd, xz, gzip, lz4)");
		goto fail;
	}
	if (o->level)
		cfg.level = o->level;
	if (!(w->file = sqfs_open_file(path, SQFS_FILE_OPEN_OVERWRITE))) {
		fail_errno(path, "cannot create");
		goto fail;
	}
	if ((rc = sqfs_compressor_create(&cfg, &w->cmp))) {
		sq_fail(comp, "cannot make the compressor", rc);
		goto fail;
	}
	cfg.flags |= SQFS_COMP_FLAG_UNCOMPRESS;
	if ((rc = sqfs_compressor_create(&cfg, &w->uncmp)) ||
	    (rc = sqfs_super_init(&w->super, SQFS_DEFAULT_BLOCK_SIZE, o->mkfs_time, id)) ||
	    (rc = sqfs_super_write(&w->super, w->file))) {
		sq_fail(path, "cannot start the image", rc);
		goto fail;
	}
	if ((rc = w->cmp->write_options(w->cmp, w->file)) < 0) {
		sq_fail(path, "cannot write the compressor's options", rc);
		goto fail;
	}
	if (rc > 0)
		w->super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
	w->blocks = sqfs_block_writer_create(w->file, SQFS_DEVBLK_SIZE, 0);
	w->frags = sqfs_frag_table_create(0);
	desc.max_block_size = SQFS_DEFAULT_BLOCK_SIZE;
	desc.num_workers = jobs > 0 && jobs < 64 ? (sqfs_u32)jobs : 1;
	desc.max_backlog = 10 * desc.num_workers;
	desc.cmp = w->cmp;
	desc.wr = w->blocks;
	desc.tbl = w->frags;
	desc.file = w->file;
	desc.uncmp = w->uncmp;
	if (!w->blocks || !w->frags || (rc = sqfs_block_processor_create_ex(&desc, &w->proc))) {
		sq_fail(path, "cannot start the data writer", w->blocks && w->frags ? rc : SQFS_ERROR_ALLOC);
		goto fail;
	}
	w->ids = sqfs_id_table_create(0);
	w->xattrs = sqfs_xattr_writer_create(0);
	w->im = sqfs_meta_writer_create(w->file, w->cmp, 0);
	w->dm = sqfs_meta_writer_create(w->file, w->cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
	w->dirs = w->dm ? sqfs_dir_writer_create(w->dm, 0) : NULL;
	if (!w->ids || !w->xattrs || !w->im || !w->dirs) {
		sq_fail(path, "cannot start the image", SQFS_ERROR_ALLOC);
		goto fail;
	}
	return w;
fail:
	sq_writer_free(w);
	return NULL;
}

void sq_writer_free(struct sq_writer *w)
{
	if (!w)
		return;
	/*
	 * After an error: libsquashfs 1.2 frees a half-filled fragment block
	 * only by writing it, so write it (the file is thrown away).
	 */
	if (w->proc && !w->finished) {
		if (w->in_file)
			sqfs_block_processor_end_file(w->proc);
		sqfs_block_processor_finish(w->proc);
	}
	/* the processor first: its threads use the rest */
	sqfs_destroy(w->proc);
	sqfs_destroy(w->dirs);
	sqfs_destroy(w->dm);
	sqfs_destroy(w->im);
	sqfs_destroy(w->xattrs);
	sqfs_destroy(w->ids);
	sqfs_destroy(w->frags);
	sqfs_destroy(w->blocks);
	sqfs_destroy(w->uncmp);
	sqfs_destroy(w->cmp);
	sqfs_destroy(w->file);
	free(w->path);
	free(w);
}

int sq_file_begin(struct sq_writer *w, struct sq_node *n)
{
	int rc = sqfs_block_processor_begin_file(w->proc, (sqfs_inode_generic_t **)&n->inode,
						 NULL, 0);

	w->file_node = n;
	w->in_file = !rc;
	n->size = 0;
	return rc ? sq_fail(w->path, "cannot add a file", rc) : 0;
}

int sq_file_append(struct sq_writer *w, const void *data, size_t len)
{
	int rc = sqfs_block_processor_append(w->proc, data, len);

	w->file_node->size += len;
	return rc ? sq_fail(w->path, "cannot write file data", rc) : 0;
}

int sq_file_end(struct sq_writer *w)
{
	int rc = sqfs_block_processor_end_file(w->proc);

	w->in_file = 0;
	return rc ? sq_fail(w->path, "cannot write file data", rc) : 0;
}

int sq_xattr_begin(struct sq_writer *w)
{
	int rc = sqfs_xattr_writer_begin(w->xattrs, 0);

	w->xattr_open = 0;
	return rc ? sq_fail(w->path, "extended attributes", rc) : 0;
}

int sq_xattr_add(struct sq_writer *w, const char *key, const void *value, size_t len)
{
	int rc = sqfs_xattr_writer_add(w->xattrs, key, value, len);

	if (rc == SQFS_ERROR_UNSUPPORTED) {
		w->skipped_xattr++;	/* system.* (ACLs): squashfs has no place for them */
		return 0;
	}
	w->xattr_open = 1;
	return rc ? sq_fail(key, "cannot store the extended attribute", rc) : 0;
}

int sq_xattr_end(struct sq_writer *w, struct sq_node *n)
{
	sqfs_u32 idx;
	int rc = sqfs_xattr_writer_end(w->xattrs, &idx);

	if (rc)
		return sq_fail(w->path, "extended attributes", rc);
	n->xattr = w->xattr_open ? idx : SQ_NO_XATTR;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct sq_node *const *)a)->name, (*(struct sq_node *const *)b)->name);
}

/* Inode numbers, children before their directory: order[] is the writing order. */
static void number(struct sq_node *d, struct sq_node **order, uint32_t *count)
{
	sort_items(d->kids, d->nkids, sizeof(*d->kids), by_name);
	d->nlink = 2;
	for (size_t i = 0; i < d->nkids; i++) {
		struct sq_node *k = d->kids[i], *real = k->link ? k->link : k;

		if (!k->name[0])
			continue;	/* replaced: written only if a hard link names it */
		if (S_ISDIR(k->mode)) {
			number(k, order, count);
			d->nlink++;
			continue;
		}
		if (!real->ino) {
			real->ino = ++*count;
			order[real->ino - 1] = real;
		}
		real->nlink++;
	}
	d->ino = ++*count;
	order[d->ino - 1] = d;
}

static sqfs_inode_generic_t *make_inode(struct sq_writer *w, struct sq_node *n, int *rc)
{
	size_t extra = S_ISLNK(n->mode) && n->target ? strlen(n->target) : 0;
	sqfs_inode_generic_t *in;

	if (S_ISDIR(n->mode)) {
		if ((*rc = sqfs_dir_writer_begin(w->dirs, 0)))
			return NULL;
		for (size_t i = 0; i < n->nkids; i++) {
			struct sq_node *k = n->kids[i], *real = k->link ? k->link : k;

			if (k->name[0] && (*rc = sqfs_dir_writer_add_entry(w->dirs, k->name, real->ino, real->ref,
							     real->mode)))
				return NULL;
		}
		if ((*rc = sqfs_dir_writer_end(w->dirs)))
			return NULL;
		in = sqfs_dir_writer_create_inode(w->dirs, 0, 0xffffffff,
						  n->parent ? n->parent->ino : 0);
		if (!in)
			return *rc = SQFS_ERROR_ALLOC, NULL;
		if (in->base.type == SQFS_INODE_DIR)
			in->data.dir.nlink = n->nlink;
		else
			in->data.dir_ext.nlink = n->nlink;
		return in;
	}
	if (S_ISREG(n->mode) && n->inode) {
		in = n->inode;
		n->inode = NULL;
		if (n->nlink > 1 && in->base.type == SQFS_INODE_FILE)
			sqfs_inode_make_extended(in);
		if (in->base.type == SQFS_INODE_EXT_FILE)
			in->data.file_ext.nlink = n->nlink;
		return in;
	}
	if (!(in = calloc(1, sizeof(*in) + extra)))
		return *rc = SQFS_ERROR_ALLOC, NULL;
	switch (n->mode & S_IFMT) {
	case S_IFREG:	/* never given data */
		in->base.type = SQFS_INODE_EXT_FILE;
		in->data.file_ext.fragment_idx = 0xffffffff;
		in->data.file_ext.nlink = n->nlink;
		in->data.file_ext.xattr_idx = 0xffffffff;
		break;
	case S_IFLNK:
		in->base.type = SQFS_INODE_SLINK;
		in->data.slink.nlink = n->nlink;
		in->data.slink.target_size = extra;
		memcpy(in->extra, n->target, extra);
		break;
	case S_IFBLK:
	case S_IFCHR:
		in->base.type = S_ISBLK(n->mode) ? SQFS_INODE_BDEV : SQFS_INODE_CDEV;
		in->data.dev.nlink = n->nlink;
		in->data.dev.devno = n->devno;
		break;
	default:
		in->base.type = S_ISFIFO(n->mode) ? SQFS_INODE_FIFO : SQFS_INODE_SOCKET;
		in->data.ipc.nlink = n->nlink;
	}
	return in;
}

static int write_inode(struct sq_writer *w, struct sq_node *n)
{
	sqfs_inode_generic_t *in;
	sqfs_u64 block;
	sqfs_u32 offset;
	int rc = 0;

	if (!(in = make_inode(w, n, &rc)))
		return rc;
	in->base.mode = n->mode;
	in->base.mod_time = n->mtime;
	in->base.inode_number = n->ino;
	if ((n->xattr == SQ_NO_XATTR || !(rc = sqfs_inode_set_xattr_index(in, n->xattr))) &&
	    !(rc = sqfs_id_table_id_to_index(w->ids, n->uid, &in->base.uid_idx)) &&
	    !(rc = sqfs_id_table_id_to_index(w->ids, n->gid, &in->base.gid_idx))) {
		sqfs_meta_writer_get_position(w->im, &block, &offset);
		n->ref = block << 16 | offset;
		rc = sqfs_meta_writer_write_inode(w->im, in);
	}
	sqfs_free(in);
	return rc;
}

int sq_writer_finish(struct sq_writer *w, struct sq_tree *t)
{
	struct sq_node **order = xcalloc(t->n, sizeof(*order));
	uint32_t count = 0;
	int rc;

	w->finished = 1;
	if ((rc = sqfs_block_processor_finish(w->proc))) {
		free(order);
		return sq_fail(w->path, "cannot write file data", rc);
	}
	number(t->root, order, &count);
	w->super.inode_count = count;
	w->super.inode_table_start = w->file->get_size(w->file);
	for (uint32_t i = 0; i < count; i++)
		if ((rc = write_inode(w, order[i]))) {
			free(order);
			return sq_fail(w->path, "cannot write the inodes", rc);
		}
	free(order);
	w->super.root_inode_ref = t->root->ref;
	if ((rc = sqfs_meta_writer_flush(w->im)) || (rc = sqfs_meta_writer_flush(w->dm)))
		return sq_fail(w->path, "cannot write the inodes", rc);
	w->super.directory_table_start = w->file->get_size(w->file);
	if ((rc = sqfs_meta_write_write_to_file(w->dm)) ||
	    (rc = sqfs_frag_table_write(w->frags, w->file, &w->super, w->cmp)) ||
	    (rc = sqfs_id_table_write(w->ids, w->file, &w->super, w->cmp)) ||
	    (rc = sqfs_xattr_writer_flush(w->xattrs, w->file, &w->super, w->cmp)))
		return sq_fail(w->path, "cannot write the tables", rc);
	w->super.bytes_used = w->file->get_size(w->file);
	if ((rc = sqfs_super_write(&w->super, w->file)))
		return sq_fail(w->path, "cannot write the superblock", rc);
	if (w->super.bytes_used % SQFS_DEVBLK_SIZE) {	/* padded, as mksquashfs pads */
		static const unsigned char zero[SQFS_DEVBLK_SIZE];

		if ((rc = w->file->write_at(w->file, w->super.bytes_used, zero,
					    SQFS_DEVBLK_SIZE - w->super.bytes_used % SQFS_DEVBLK_SIZE)))
			return sq_fail(w->path, "cannot write", rc);
	}
	if (w->skipped_xattr)
		warning(w->source, "%d extended attributes outside user., trusted. and security. "
			"left out: squashfs cannot hold them", w->skipped_xattr);
	return 0;
}

/* ---- reading ---- */

/* The image inside a larger file (an ISO): reads shifted by the offset. */
struct sub_file {
	sqfs_file_t base;
	sqfs_file_t *whole;
	sqfs_u64 offset;
};

static int sub_read(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t n)
{
	struct sub_file *s = (struct sub_file *)f;

	if (off + n < off || off + s->offset < off)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	return s->whole->read_at(s->whole, off + s->offset, buf, n);
}

static int sub_write(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t n)
{
	(void)f, (void)off, (void)buf, (void)n;
	return SQFS_ERROR_UNSUPPORTED;
}

static sqfs_u64 sub_size(const sqfs_file_t *f)
{
	const struct sub_file *s = (const struct sub_file *)f;
	sqfs_u64 size = s->whole->get_size(s->whole);

	return size > s->offset ? size - s->offset : 0;
}

static int sub_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f, (void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static void sub_destroy(sqfs_object_t *o)
{
	struct sub_file *s = (struct sub_file *)o;

	sqfs_destroy(s->whole);
	free(s);
}

static sqfs_file_t *open_at(const char *path, uint64_t offset)
{
	sqfs_file_t *whole = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY);
	struct sub_file *s;

	if (!whole)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->base.base.destroy = sub_destroy;
	s->base.read_at = sub_read;
	s->base.write_at = sub_write;
	s->base.get_size = sub_size;
	s->base.truncate = sub_truncate;
	s->whole = whole;
	s->offset = offset;
	return &s->base;
}

int sq_detect(const char *path, uint64_t offset)
{
	sqfs_file_t *f = open_at(path, offset);
	char magic[4];
	int rc;

	if (!f)
		return -1;
	rc = f->get_size(f) >= 96 && !f->read_at(f, 0, magic, 4) && !memcmp(magic, "hsqs", 4);
	sqfs_destroy(f);
	return rc;
}

static uint32_t type_bits(const sqfs_inode_generic_t *in)
{
	switch (in->base.type) {
	case SQFS_INODE_DIR: case SQFS_INODE_EXT_DIR: return S_IFDIR;
	case SQFS_INODE_FILE: case SQFS_INODE_EXT_FILE: return S_IFREG;
	case SQFS_INODE_SLINK: case SQFS_INODE_EXT_SLINK: return S_IFLNK;
	case SQFS_INODE_BDEV: case SQFS_INODE_EXT_BDEV: return S_IFBLK;
	case SQFS_INODE_CDEV: case SQFS_INODE_EXT_CDEV: return S_IFCHR;
	case SQFS_INODE_FIFO: case SQFS_INODE_EXT_FIFO: return S_IFIFO;
	default: return S_IFSOCK;
	}
}

static uint32_t nlink_of(const sqfs_inode_generic_t *in)
{
	switch (in->base.type) {
	case SQFS_INODE_DIR: return in->data.dir.nlink;
	case SQFS_INODE_EXT_DIR: return in->data.dir_ext.nlink;
	case SQFS_INODE_FILE: return 1;
	case SQFS_INODE_EXT_FILE: return in->data.file_ext.nlink;
	case SQFS_INODE_SLINK: case SQFS_INODE_EXT_SLINK: return in->data.slink.nlink;
	case SQFS_INODE_BDEV: case SQFS_INODE_CDEV: return in->data.dev.nlink;
	case SQFS_INODE_EXT_BDEV: case SQFS_INODE_EXT_CDEV: return in->data.dev_ext.nlink;
	default: return in->data.ipc.nlink;
	}
}

static int copy_tree(struct sq_tree *t, struct sq_node *d, const sqfs_tree_node_t *src, int depth)
{
	if (depth > SQ_MAX_PATH / 2)
		return fail(t->what, "directories nested too deep");
	for (const sqfs_tree_node_t *c = src->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		const sqfs_inode_generic_t *in = c->inode;
		struct sq_node *n;
		sqfs_u64 size = 0;

		if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
		    strlen(name) > 255 || child(t, d, name))
			return fail(t->what, "corrupted: a bad or repeated name in a directory");
		if (t->n >= SQ_MAX_NODES)
			return fail(t->what, "more than %u files", SQ_MAX_NODES);
		n = new_node(name, type_bits(in) | (in->base.mode & 07777), in->base.mod_time);
		n->uid = c->uid;
		n->gid = c->gid;
		n->nlink = nlink_of(in);
		n->ino = in->base.inode_number;
		if (S_ISREG(n->mode) && !sqfs_inode_get_file_size(in, &size))
			n->size = size;
		if (S_ISLNK(n->mode)) {
			n->target = xmalloc(in->data.slink.target_size + 1);
			memcpy(n->target, in->extra, in->data.slink.target_size);
			n->target[in->data.slink.target_size] = '\0';
			n->size = in->data.slink.target_size;
		}
		if (S_ISBLK(n->mode) || S_ISCHR(n->mode))
			n->devno = in->base.type == SQFS_INODE_BDEV || in->base.type == SQFS_INODE_CDEV
					   ? in->data.dev.devno : in->data.dev_ext.devno;
		add_child(t, d, n);
		if (S_ISDIR(n->mode) && copy_tree(t, n, c, depth + 1) < 0)
			return -1;
	}
	sort_items(d->kids, d->nkids, sizeof(*d->kids), by_name);
	return 0;
}

int sq_read_tree(const char *path, uint64_t offset, struct sq_tree *t, const char *what)
{
	sqfs_file_t *f = open_at(path, offset);
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp = NULL;
	sqfs_id_table_t *ids = NULL;
	sqfs_dir_reader_t *rd = NULL;
	sqfs_tree_node_t *root = NULL;
	sqfs_super_t super;
	int rc;

	sq_tree_init(t, what, 0);
	if (!f)
		return fail_errno(path, "cannot open");
	if ((rc = sqfs_super_read(&super, f)) ||
	    (rc = sqfs_compressor_config_init(&cfg, super.compression_id, super.block_size,
					      SQFS_COMP_FLAG_UNCOMPRESS)) ||
	    (rc = sqfs_compressor_create(&cfg, &cmp)) ||
	    ((super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) &&
	     (rc = cmp->read_options(cmp, f)) < 0)) {
		sq_fail(what, "not a squashfs image minos can read", rc < 0 ? rc : SQFS_ERROR_CORRUPTED);
		goto fail;
	}
	if (!(ids = sqfs_id_table_create(0)) || (rc = sqfs_id_table_read(ids, f, &super, cmp)) ||
	    !(rd = sqfs_dir_reader_create(&super, cmp, f, 0)) ||
	    (rc = sqfs_dir_reader_get_full_hierarchy(rd, ids, NULL, 0, &root))) {
		/* on a damaged image, "out of memory" is a size too large to be true */
		sq_fail(what, "cannot read the directory tree",
			!ids || !rd ? SQFS_ERROR_ALLOC : rc == SQFS_ERROR_ALLOC ? SQFS_ERROR_CORRUPTED : rc);
		goto fail;
	}
	t->root->mode = S_IFDIR | (root->inode->base.mode & 07777);
	t->root->uid = root->uid;
	t->root->gid = root->gid;
	t->root->mtime = root->inode->base.mod_time;
	t->root->nlink = nlink_of(root->inode);
	t->mtime = super.modification_time;
	rc = copy_tree(t, t->root, root, 0);
	sqfs_dir_tree_destroy(root);
	sqfs_destroy(rd);
	sqfs_destroy(ids);
	sqfs_destroy(cmp);
	sqfs_destroy(f);
	return rc;
fail:
	sqfs_dir_tree_destroy(root);
	sqfs_destroy(rd);
	sqfs_destroy(ids);
	sqfs_destroy(cmp);
	sqfs_destroy(f);
	return -1;
}
