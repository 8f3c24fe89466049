/* rescue.h - --rescue, --root-stack and --ssh-key: what a rescue system carries */
#ifndef MINOS_RESCUE_H
#define MINOS_RESCUE_H

#include <stddef.h>

#include "image/fstree.h"

/* --root-stack's words, NULL-ended (for the help and completion). */
extern const char *const root_stack_names[];

/* --root-stack LIST (luks,lvm,md): STACK_* bits (drivers.h) into *stack; -1 after an error. */
int root_stack_parse(const char *list, unsigned *stack);

/*
 * The Debian packages (from the host or the archive) the layers of stack
 * need, and with STACK_RESCUE --rescue's tools: calls fn for each name.
 */
void rescue_packages(unsigned stack, void (*fn)(const char *name, void *ctx), void *ctx);

/* --ssh-key FILE: SSH public keys (authorized_keys or a .pub); -1 after an error naming it. */
int ssh_key_check(const char *file);

/*
 * The files the layers need beyond their packages' (written after them):
 * LVM's configuration for a system without udev when lvm2 is among
 * packages, root's authorized_keys from ssh_key (NULL: none), and for
 * --rescue (STACK_RESCUE in stack) /etc/filesystems.
 */
int rescue_files(struct fstree *fs, const char *const *packages, size_t n, const char *ssh_key,
		 unsigned stack);

#endif
