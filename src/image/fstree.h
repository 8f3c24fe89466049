/*
 * fstree.h - the initramfs as a list of entries in memory: path, mode,
 * owner, and where the data comes from.  Built in any order, then sorted and
 * streamed into a cpio writer: no staging directory, no root needed.
 */
#ifndef MINOS_FSTREE_H
#define MINOS_FSTREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/arch.h"
#include "util/sink.h"

struct entry {
	char *path;		/* no leading '/', e.g. "bin/sh" */
	uint32_t mode, uid, gid;
	uint32_t rmajor, rminor;	/* device nodes */
	char *target;		/* symlinks */
	char *src;		/* regular files: host file to copy... */
	unsigned char *data;	/* ...or contents held in memory */
	uint64_t size;
	dev_t dev;		/* host identity of src, for hard links */
	ino_t ino;
	int hardlink;		/* group with entries of the same dev, ino */
	int implicit;		/* a parent directory nobody asked for */
	unsigned seq;		/* order added: the last of a path wins */
	/* set by fstree_finish() */
	uint32_t cpio_ino, nlink;
	int data_here;		/* a hard link group's data goes on its last name */
};

struct fstree {
	struct entry *v;
	size_t n, cap;
	unsigned seq;
	int finished;
	const char *sysroot;	/* --sysroot: where added programs' libraries come from; NULL: / */
	enum arch arch;		/* the image's: an added program of another is refused */
};

/*
 * Adders.  Paths are guest paths ("/bin/sh" or "bin/sh"); a path with a ".."
 * component is refused.  Parent directories are made as needed (0755).
 * Adding a path again replaces the earlier entry.
 */
int fstree_dir(struct fstree *fs, const char *path, uint32_t mode,
	       uint32_t uid, uint32_t gid);
int fstree_data(struct fstree *fs, const char *path, const void *data,
		size_t len, uint32_t mode);
int fstree_symlink(struct fstree *fs, const char *path, const char *target,
		   uint32_t mode, uint32_t uid, uint32_t gid);
/* mode carries the type: S_IFCHR, S_IFBLK, S_IFIFO or S_IFSOCK. */
int fstree_node(struct fstree *fs, const char *path, uint32_t mode,
		uint32_t uid, uint32_t gid, uint32_t major, uint32_t minor);
/* A host file, read when the archive is written.  hardlink: see struct entry. */
int fstree_file(struct fstree *fs, const char *path, const char *src,
		uint32_t mode, uint32_t uid, uint32_t gid, int hardlink);

/*
 * --add SRC[:DEST]: a file, a symlink (and what it points to) or a whole
 * tree, owned by root, with the shared libraries of every ELF program in it.
 */
int fstree_add_host(struct fstree *fs, const char *src, const char *dest);
/* The interpreter and libraries of the ELF program at host path src. */
int fstree_add_elf_deps(struct fstree *fs, const char *src);

/* Sorts, drops replaced entries, checks the tree, numbers the inodes. */
int fstree_finish(struct fstree *fs);
/* Streams the finished tree as a newc archive; every mtime is `mtime`. */
int fstree_write(struct fstree *fs, struct sink *out, uint32_t mtime);
void fstree_free(struct fstree *fs);

#endif
