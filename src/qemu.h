/* qemu.h - starting QEMU for a minos image, with private host endpoints */
#ifndef MINOS_QEMU_H
#define MINOS_QEMU_H

#include <sys/types.h>

#include "initramfs.h"

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct vm_config {
	const char *iso, *usb, *kernel, *initrd;	/* kernel: after kernel_find */
	struct initramfs_opts initramfs;	/* for --kernel without --initrd */
	int uefi;
	enum accel accel;
	long memory_mb, cpus;
	const char *append, *monitor;
	const char **disks;
	size_t ndisks;
	long gdb_port;		/* 0: no gdb stub */
	int test;		/* add the minos test channel */
	int early_console;	/* --kernel: earlyprintk, for a timeline */
};

struct vm {
	char *dir;		/* private temporary directory */
	char *initrd;		/* the initrd actually used */
	pid_t pid;
	int con, ctl;		/* console and test channel, connected */
	enum accel accel;	/* what it runs with */
	long long first_spawn_ms, spawn_ms;	/* QEMU's first and latest start */
};

/* Run options every command that boots accepts, beside INITRAMFS_LONGOPTS. */
enum {
	OPT_ISO = 1100, OPT_INITRD, OPT_UEFI, OPT_ACCEL, OPT_MEMORY, OPT_CPUS,
	OPT_APPEND, OPT_DISK, OPT_GDB, OPT_MONITOR, OPT_USB,
};
#define RUN_LONGOPTS \
	{"iso", required_argument, NULL, OPT_ISO}, \
	{"usb", required_argument, NULL, OPT_USB}, \
	{"initrd", required_argument, NULL, OPT_INITRD}, \
	{"uefi", no_argument, NULL, OPT_UEFI}, \
	{"accel", required_argument, NULL, OPT_ACCEL}, \
	{"memory", required_argument, NULL, OPT_MEMORY}, \
	{"cpus", required_argument, NULL, OPT_CPUS}, \
	{"append", required_argument, NULL, OPT_APPEND}, \
	{"disk", required_argument, NULL, OPT_DISK}, \
	{"gdb", optional_argument, NULL, OPT_GDB}, \
	{"monitor", required_argument, NULL, OPT_MONITOR}, \
	INITRAMFS_LONGOPTS

int vm_config_init(struct vm_config *c);
/* Takes one option of RUN_LONGOPTS: 1 taken, 0 not ours, -1 bad. */
int vm_config_opt(struct vm_config *c, int opt, const char *arg);
/* Checks the options and finds the kernel. */
int vm_config_finish(struct vm_config *c);
void vm_config_free(struct vm_config *c);

/*
 * Starts QEMU under the accelerator given (KVM or TCG, never auto), with
 * its console (and test channel) connected to us.  Choosing, and falling
 * back to TCG, is vm_boot()'s job.
 */
int vm_start(const struct vm_config *c, struct vm *vm, enum accel accel);
/*
 * Under KVM, waits until the guest writes to its console or channel, up to
 * a few seconds; the bytes it saw are left in *seen (n of them).  0: it is
 * alive, 1: no progress (the caller restarts under TCG), -1: QEMU died.
 */
int vm_wait_progress(struct vm *vm, char *seen, size_t size, size_t *n);
/*
 * vm_start() with the accelerator settled: under auto, KVM when usable,
 * restarted under TCG with a warning if the guest makes no progress.  Says
 * which accelerator runs the guest.  Console bytes seen while checking are
 * left in seen (n of them) for the caller to pass on.
 */
int vm_boot(const struct vm_config *c, struct vm *vm, char *seen, size_t size,
	    size_t *n);
/* Stops QEMU if running, removes the private directory. */
void vm_destroy(struct vm *vm);
/* Reaps QEMU if it has exited: 1 and its status, 0 if running. */
int vm_exited(struct vm *vm, int *status);

int kvm_usable(void);

#endif
