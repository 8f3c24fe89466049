/*
 * squashfs.h - a root filesystem as a squashfs image, with libsquashfs
 * (squashfs-tools-ng): a tree of names held in memory while the file data
 * streams into the image, then the inodes and directories written sorted.
 */
#ifndef MINOS_SQUASHFS_H
#define MINOS_SQUASHFS_H

#include <stddef.h>
#include <stdint.h>

/* One name in the tree.  A hard link's name shares its `link` node's inode. */
struct sq_node {
	char *name;
	struct sq_node *parent, *link, *hnext;	/* hnext: the tree's hash chain */
	struct sq_node **kids;
	size_t nkids, capkids;
	uint32_t mode, uid, gid, mtime, devno;	/* devno: the kernel's encoding */
	char *target;		/* symlinks */
	uint64_t size;		/* regular files */
	void *inode;		/* regular files: libsquashfs's inode, from the data written */
	uint32_t xattr;		/* index into the xattr table, or SQ_NO_XATTR */
	uint32_t ino, nlink;	/* set when written */
	uint64_t ref;
};

#define SQ_NO_XATTR 0xffffffffu
#define SQ_MAX_NODES (4u << 20)	/* a Debian desktop is ~300,000 */
#define SQ_MAX_PATH 4096

struct sq_tree {
	struct sq_node *root;
	struct sq_node **hash;	/* by (parent, name) */
	size_t nhash, n;
	const char *what;	/* the source, for errors */
	uint32_t mtime;		/* of the parent directories nobody gave */
};

void sq_tree_init(struct sq_tree *t, const char *what, uint32_t mtime);
void sq_tree_free(struct sq_tree *t);
/*
 * The node at path ("usr/bin/file", "./usr/bin/file"; "" or "." is the
 * root), made with its parents (directories 0755, root's) if make is set.
 * An existing node of another type is replaced, unless one of them is a
 * directory.  Paths with "..", or past SQ_MAX_PATH, are refused.  NULL
 * after an error naming the tree's source and the path.
 */
struct sq_node *sq_put(struct sq_tree *t, const char *path, uint32_t mode);
struct sq_node *sq_get(const struct sq_tree *t, const char *path);
/* Follows symlinks as the kernel would, inside the tree: the node path names, or NULL. */
struct sq_node *sq_resolve(const struct sq_tree *t, const char *path);
/* The kernel's device number encoding, as squashfs stores it. */
uint32_t sq_devno(uint32_t major, uint32_t minor);

/* Writing: data as it comes, the tree at the end. */
struct sq_writer;
struct sq_writer_opts {
	const char *compressor;	/* "zstd" (default), "xz", "gzip", "lz4" */
	int level;		/* 0: the compressor's default */
	uint32_t mkfs_time;
	const char *source;	/* what the tree comes from, for warnings about it */
};
struct sq_writer *sq_writer_open(const char *path, const struct sq_writer_opts *o);
int sq_file_begin(struct sq_writer *w, struct sq_node *n);
int sq_file_append(struct sq_writer *w, const void *data, size_t len);
int sq_file_end(struct sq_writer *w);
/* Extended attributes of n: begin, add each (unsupported prefixes are skipped), end. */
int sq_xattr_begin(struct sq_writer *w);
int sq_xattr_add(struct sq_writer *w, const char *key, const void *value, size_t len);
int sq_xattr_end(struct sq_writer *w, struct sq_node *n);
/* Sorts and writes the tree, the tables and the superblock. */
int sq_writer_finish(struct sq_writer *w, struct sq_tree *t);
void sq_writer_free(struct sq_writer *w);

/*
 * Reading: the tree of the squashfs image at offset in path (its data
 * left where it is), held to SQ_MAX_NODES.  -1 after an error naming what.
 */
int sq_read_tree(const char *path, uint64_t offset, struct sq_tree *t, const char *what);
/* 1 if path holds a squashfs image at offset, 0 if not, -1 if unreadable. */
int sq_detect(const char *path, uint64_t offset);

#endif
