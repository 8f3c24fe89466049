/* qemu.h - starting QEMU for a minos image, with private host endpoints */
#ifndef MINOS_QEMU_H
#define MINOS_QEMU_H

#include <sys/types.h>

#include "image/initramfs.h"
#include "vm/pvh.h"

struct timeline;

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
/* How a --kernel boot starts the kernel: PVH when it can, or its bzImage. */
enum boot { BOOT_AUTO, BOOT_PVH, BOOT_BZIMAGE };
/* microvm: no PCI, no firmware tables to speak of; the fastest --kernel boot.  virt: arm64's. */
enum machine { MACHINE_AUTO, MACHINE_MICROVM, MACHINE_PC, MACHINE_Q35, MACHINE_VIRT };
/* The guest's network: QEMU's user-mode one on a virtio NIC, or none. */
enum net { NET_DEFAULT = -1, NET_NONE, NET_USER, NET_TAP };

struct forward {
	long host, guest;	/* TCP ports: 127.0.0.1:host to the guest's guest */
};

struct share {
	char *host, *guest;	/* absolute paths; host resolved, guest as given or host's */
	int ro;
	int root;	/* --host-root's: the guest's / (minos.hostroot=) */
};

struct vm_config {
	const char *iso, *usb, *kernel, *initrd;	/* kernel: after kernel_find */
	const char *netboot;	/* --netboot DIR: minos netboot's directory, by TFTP */
	int pxe;		/* --pxe: the NIC boots GRUB's loader, not boot.ipxe */
	struct initramfs_opts initramfs;	/* for --kernel without --initrd */
	int uefi;
	int secure_boot;	/* OVMF with Secure Boot enforced and Microsoft's keys */
	enum accel accel;
	long memory_mb, cpus;
	const char *append, *monitor;
	const char **disks;
	size_t ndisks;
	const char **qemu_args;		/* --qemu-arg, verbatim at the end of QEMU's arguments */
	size_t nqemu_args;
	struct share *shares;		/* --share */
	size_t nshares;
	char *workdir;			/* minos test: where the command runs, a shared directory */
	int host_root;			/* --host-root: the host's / as the guest's, read-only */
	long gdb_port;		/* 0: no gdb stub */
	int test;		/* add the minos test channel, and QMP at vm->dir/qmp.sock */
	int dump;		/* minos test --dump: a panic pauses the guest */
	const char *term;	/* minos run on a terminal: its type, for the terminal channel */
	int early_console;	/* --kernel: earlyprintk, for a timeline */
	int full_log;		/* --kernel: the kernel's whole log on the console (--log) */
	int kunit;		/* --kernel: kunit.enable=1 (minos test --kunit) */
	int verbose;		/* the kernel's whole log; QEMU's failed KVM probe */
	enum boot boot;
	enum machine machine;
	enum net net;		/* NET_DEFAULT until vm_config_finish(): run's user, test's none */
	const char *tap;	/* --net tap:NAME: the host's tap device */
	struct forward *forwards;
	size_t nforwards;
	struct timeline *tl;	/* host stages are marked on it, if not NULL */
	struct pvh pvh;		/* the ELF a PVH boot loads (fd -1: the bzImage) */
	int microvm_fits;	/* the kernel's config allows microvm (or is unknown) */
	enum arch arch;		/* the guest's: the kernel's, or --arch's for an image */
};

struct vm {
	char *dir;		/* private temporary directory */
	char *initrd;		/* the initrd actually used */
	int initrd_fd;		/* the on-the-fly initramfs, open; -1 if none */
	int initrd_cached;	/* it came from the cache */
	pid_t pid;
	int con, ctl;		/* console, and test or terminal channel, connected */
	int err;		/* QEMU's stderr while it tries KVM, else -1 */
	int exited_early;	/* QEMU ended before connecting its console */
	enum machine machine;	/* what it runs as */
	long tsc_khz;		/* the host TSC rate (TCG), 0 if unknown or not needed */
	struct buf errlog;	/* what came on err during the KVM try */
	enum accel accel;	/* what it runs with */
	long long first_spawn_ms, spawn_ms;	/* QEMU's first and latest start */
};

/* The words --accel, --boot and --machine take, in enum order, NULL-ended. */
extern const char *const accel_names[], *const boot_names[], *const machine_names[],
	*const net_names[];

#define VM_INIT {.con = -1, .ctl = -1, .err = -1, .initrd_fd = -1}

/* Run options every command that boots accepts, beside INITRAMFS_LONGOPTS. */
enum {
	OPT_ISO = 1100, OPT_INITRD, OPT_UEFI, OPT_ACCEL, OPT_MEMORY, OPT_CPUS,
	OPT_APPEND, OPT_DISK, OPT_GDB, OPT_MONITOR, OPT_USB, OPT_BOOT, OPT_MACHINE,
	OPT_VERBOSE, OPT_NET, OPT_FORWARD, OPT_SECURE_BOOT, OPT_QEMU_ARG,
	OPT_SHARE, OPT_HOST_ROOT, OPT_NETBOOT, OPT_PXE,
};
#define RUN_LONGOPTS \
	{"iso", required_argument, NULL, OPT_ISO}, \
	{"usb", required_argument, NULL, OPT_USB}, \
	{"netboot", required_argument, NULL, OPT_NETBOOT}, \
	{"pxe", no_argument, NULL, OPT_PXE}, \
	{"initrd", required_argument, NULL, OPT_INITRD}, \
	{"uefi", no_argument, NULL, OPT_UEFI}, \
	{"secure-boot", no_argument, NULL, OPT_SECURE_BOOT}, \
	{"qemu-arg", required_argument, NULL, OPT_QEMU_ARG}, \
	{"share", required_argument, NULL, OPT_SHARE}, \
	{"host-root", no_argument, NULL, OPT_HOST_ROOT}, \
	{"accel", required_argument, NULL, OPT_ACCEL}, \
	{"memory", required_argument, NULL, OPT_MEMORY}, \
	{"cpus", required_argument, NULL, OPT_CPUS}, \
	{"append", required_argument, NULL, OPT_APPEND}, \
	{"disk", required_argument, NULL, OPT_DISK}, \
	{"gdb", optional_argument, NULL, OPT_GDB}, \
	{"monitor", required_argument, NULL, OPT_MONITOR}, \
	{"boot", required_argument, NULL, OPT_BOOT}, \
	{"machine", required_argument, NULL, OPT_MACHINE}, \
	{"verbose", no_argument, NULL, OPT_VERBOSE}, \
	{"net", required_argument, NULL, OPT_NET}, \
	{"forward", required_argument, NULL, OPT_FORWARD}, \
	INITRAMFS_LONGOPTS

int vm_config_init(struct vm_config *c);
/* Takes one option of RUN_LONGOPTS: 1 taken, 0 not ours, -1 bad. */
int vm_config_opt(struct vm_config *c, int opt, const char *arg);
/*
 * Checks the options and finds the kernel, and for a --kernel boot the ELF
 * to boot through its PVH entry (extracted and cached the first time).
 */
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
/* Passes on what QEMU wrote to vm->err (after a KVM start that worked). */
void vm_forward_stderr(struct vm *vm);
/* One line for the user: accelerator, machine, how the kernel starts. */
void vm_say_how(const struct vm_config *c, const struct vm *vm);

/* The host's TSC frequency in kHz, as a TCG guest sees it; 0 if unknown. */
long host_tsc_khz(void);

int kvm_usable(void);

/*
 * minos run's terminal channel (ttyS1, named to the guest by minos.tty= or
 * an SMBIOS OEM string): "ROWS COLS TERM\n" at start and after every
 * resize; minos-init sets the console's window size from it.  term_for_guest
 * maps the host's TERM to one a BusyBox or Debian guest knows.
 */
const char *term_for_guest(const char *host);
int vm_send_winsize(const struct vm *vm, const char *term);

/*
 * The vmlinux with the kernel's symbols, for gdb: the build tree's (beside
 * the bzImage or at the root of its tree), else NULL (the one extracted
 * from a bzImage has none).
 */
char *vm_debug_vmlinux(const struct vm_config *c);

#endif
