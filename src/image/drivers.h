/*
 * drivers.h - driver sets: which kernel modules an image carries so that
 * the hardware it boots on finds its drivers (`--drivers`).
 */
#ifndef MINOS_DRIVERS_H
#define MINOS_DRIVERS_H

#include <stddef.h>

#include "image/modules.h"
#include "util/arch.h"

#define DRIVER_SETS 16

/* The set names --drivers takes, NULL-ended. */
extern const char *const driver_set_names[];

struct drivers {
	struct {
		const struct module_rule *rules;
		size_t n;
	} sets[DRIVER_SETS];		/* generic's, the VM's NIC: each once */
	int nsets;
	int host;			/* the running machine's devices */
	const char **names;		/* module names mixed in */
	size_t nnames;
	int given;			/* --drivers was on the command line */
};

/* Adds the sets and names of one --drivers argument ("generic,e1000e"); -1 on a bad one. */
int drivers_parse(struct drivers *d, const char *arg);
void drivers_free(struct drivers *d);
/* 1 if the sets name any module. */
int drivers_any(const struct drivers *d);
/* Adds the drivers of the NIC minos run gives a VM (virtio-net on PCI or MMIO). */
void drivers_add_vm_net(struct drivers *d);
/* And the 9p filesystem over virtio, for --share. */
void drivers_add_vm_share(struct drivers *d);
/* pvpanic and fw_cfg, for minos test --dump. */
void drivers_add_vm_dump(struct drivers *d);
/* What the generic set adds for an architecture's machines (arm64 servers' NICs). */
void drivers_for_arch(struct drivers *d, enum arch arch);
/* A virtio-serial port's, for arm64's test and terminal channels. */
void drivers_add_vm_channel(struct drivers *d);
/* The same and overlayfs, for --host-root. */
void drivers_add_vm_host_root(struct drivers *d);
/* Adds the drivers a live system's medium and root need (minos iso --rootfs). */
void drivers_add_live(struct drivers *d);
/* The rules of every set, in one malloc'd array of *n. */
/* --root-stack's layers (and --rescue's extras): what the kernel needs for each. */
enum { STACK_LUKS = 1, STACK_LVM = 2, STACK_MD = 4, STACK_RESCUE = 8 };
void drivers_add_root_stack(struct drivers *d, unsigned stack);
struct module_rule *drivers_rules(const struct drivers *d, size_t *n);

/*
 * The modaliases of the running machine's devices (every "modalias" file
 * under /sys/devices, or under root when it is not NULL, for tests), as a
 * malloc'd array of malloc'd strings, sorted, each once.
 */
int drivers_host_aliases(const char *root, char ***out, size_t *n);

#endif
