/* spec.h - the Linux kernel's gen_init_cpio file list format */
#ifndef MINOS_SPEC_H
#define MINOS_SPEC_H

#include <stdio.h>

#include "image/fstree.h"

/*
 * Adds the entries of a gen_init_cpio spec file:
 *   file <name> <location> <mode> <uid> <gid> [<hard links>...]
 *   dir <name> <mode> <uid> <gid>
 *   nod <name> <mode> <uid> <gid> <b|c> <maj> <min>
 *   slink <name> <target> <mode> <uid> <gid>
 *   pipe <name> <mode> <uid> <gid>
 *   sock <name> <mode> <uid> <gid>
 * with ${VAR} expanded in <location>.  Errors name the file and line.
 */
int spec_read(struct fstree *fs, const char *path);
/* The same from an open stream; path is for messages. */
int spec_read_stream(struct fstree *fs, const char *path, FILE *f);

#endif
