/*
 * modules.h - kernel modules for the initramfs: a name or alias resolved to
 * the set `modprobe --show-depends` would load, read from a module tree as
 * a distribution ships it (no modules.dep needed: each module's .modinfo
 * says what it depends on), and put in the image with the files BusyBox
 * modprobe and minos-init read.
 */
#ifndef MINOS_MODULES_H
#define MINOS_MODULES_H

#include <stddef.h>

#include "image/fstree.h"

/*
 * One rule of a driver set (drivers.c): the modules under a directory of
 * the tree's kernel/, or one module by name; with `imports`, only those
 * that use one of its symbols ("scsi_add_host|ata_scsi_ioctl"), which is
 * how dracut tells a disk controller from a helper library.  A rule that
 * matches nothing in a tree is no error: kernels differ.
 */
struct module_rule {
	const char *path;	/* "drivers/ata/": a subtree, and a star after the slash: the directory alone; "sd_mod": a name */
	const char *imports;	/* NULL: every module the path names */
};

struct module_opts {
	const char *dir;		/* the tree: /lib/modules/RELEASE */
	const char *release;		/* the kernel's; every vermagic must match */
	const char *firmware_dir;	/* where firmware= files are looked for */
	const char **names;		/* --module: names or aliases, loaded at boot */
	size_t n;
	const char **drivers;		/* --drivers names: in the image, loaded by hardware */
	size_t ndrivers;
	const struct module_rule *rules;	/* driver sets, expanded */
	size_t nrules;
	const char **aliases;		/* devices' modaliases: their modules, if any */
	size_t naliases;
	unsigned machine;		/* the kernel's ELF e_machine (0: any): modules' must match */
};

/* One module of a resolved set, in load order. */
struct module {
	char *name;		/* as the kernel knows it: "crc32c_intel" */
	char *rel;		/* path in the tree: "kernel/arch/x86/crypto/crc32c-intel.ko" */
	char *image_rel;	/* its path in the image: rel without .xz/.zst/.gz */
};

/*
 * Resolves o->names: each name's module, its dependencies and its soft
 * dependencies (an alias may stand for several modules; all are taken, as
 * modprobe does).  Built-in names resolve to nothing.  On success *out is a
 * malloc'd array of *n modules, dependencies before what needs them.
 */
int modules_resolve(const struct module_opts *o, struct module **out, size_t *n);
void modules_free(struct module *v, size_t n);

/*
 * Adds to fs: the modules (decompressed) under lib/modules/RELEASE, with
 * modules.dep, modules.alias, modules.softdep and modules.builtin for them;
 * the firmware they declare (missing firmware is a warning);
 * etc/minos/modules, the names minos-init loads at boot; and etc/minos/net
 * ("dhcp") when a network driver is among them.
 */
int modules_add(struct fstree *fs, const struct module_opts *o);

/*
 * A module file's .modinfo section ("key=value\0"...), NUL-terminated, in
 * *info (malloc'd; NULL if it has none).  -1 if it is no ELF64 object.
 */
int modules_modinfo(const void *data, size_t len, char **info, size_t *info_len);
/* 1 if the module (an ELF64 object in memory) uses one of list's symbols; -1 if it is none. */
int modules_uses_symbol(const void *data, size_t len, const char *list);
/* 1 if symbol is one of the '|'-separated names of list. */
int modules_in_list(const char *list, const char *symbol, size_t len);
/* 1 if a "MODULE.alias=PATTERN" field of modules.builtin.modinfo matches name. */
int modules_builtin_alias(const char *info, size_t len, const char *name);
/* The value of the next `key` field after *pos (start with *pos = 0); NULL at the end. */
const char *modules_info_next(const char *info, size_t len, const char *key, size_t *pos);

#endif
