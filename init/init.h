/* init.h - minos-init, the PID 1: its state and its parts */
#ifndef MINOS_INIT_H
#define MINOS_INIT_H

#include <signal.h>
#include <sys/types.h>

#include "inittab.h"
#include "respawn.h"

#define CMDLINE_MAX 4096
#define POWER_MAX 4

enum shutdown_kind { SD_HALT, SD_POWEROFF, SD_REBOOT };

struct test_run;
struct kmods;

struct init {
	sigset_t child_mask;		/* what children start with */
	int sigfd;			/* signalfd of the signals we handle */
	char cmdline[CMDLINE_MAX];	/* /proc/cmdline */
	char console[64];		/* real device behind /dev/console */
	struct inittab tab;
	struct respawn run[INITTAB_MAX];	/* state of each tab entry */
	struct test_run *test;		/* minos test channel, or NULL */
	int power[POWER_MAX];		/* "Power Button" input devices */
	int npower;
	struct kmods *kmods;		/* the image's module index */
	int uevents;			/* NETLINK_KOBJECT_UEVENT socket, or -1 */
	char net[128];			/* minos.net=: "dhcp", "off", "IFACE=ADDR/PREFIX[,GW]" */
	int tty;			/* minos run's terminal channel, or -1 */
	int hostroot;			/* / is the host's (minos.hostroot=): no inittab */
};

/* log.c: messages on the console, "minos-init: ..." */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes a line to the kernel log (dmesg), "minos-init: ...", at level info. */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* early.c: stdio, pseudo-filesystems, environment, hostname, log level */
void early_setup(struct init *in);
/* efivarfs and securityfs, where the firmware and kernel have them (after modules_boot). */
void mount_firmware(struct init *in);

/* share.c: the host directories of minos.share=, after coldplug */
void mount_shares(struct init *in);
/* minos.hostroot=TAG: the host's root, read-only, under a tmpfs overlay, as / */
void host_root(struct init *in);
/* A path of the command line: %XX to its byte, in place; -1 for a bad escape or a NUL. */
int share_unescape(char *s);

/* proc.c: children */
pid_t spawn_entry(const struct init *in, const struct inittab_entry *e);
/* Runs an entry and waits for it, reaping everything else meanwhile. */
void run_and_wait(struct init *in, const struct inittab_entry *e);
/* Reaps every exited child; calls on_exit for each. */
void reap(struct init *in, void (*on_exit)(struct init *, pid_t, int status));
void child_reset(const struct init *in);

/* supervise.c: which entries run when */
void boot_sequence(struct init *in);	/* sysinit, wait (in order), once */
void run_action(struct init *in, enum action a);	/* start all of an action */
/* Starts respawn entries that are due; returns ms until the next one, or -1. */
int start_due(struct init *in);
void child_exited(struct init *in, pid_t pid, int status);	/* for reap() */

/* shutdown.c: the ways out */
_Noreturn void shutdown_system(struct init *in, enum shutdown_kind kind);
/* Last resort: a shell on the console, or a frozen, still reaping PID 1. */
_Noreturn void emergency(struct init *in, const char *why);
/* SIGTERM, SIGHUP, SIGCONT to all, wait up to timeout_ms, SIGKILL, reap. */
void kill_all(int timeout_ms);

/* kmod.c: the modules of /etc/minos/modules and minos.modules= */
void modules_boot(struct init *in);

/* uevent.c: drivers for the hardware, found by its modaliases */
/* At boot, until the devices settle; the network's interfaces too, after net_setup. */
void coldplug(struct init *in);
void hotplug(struct init *in);		/* in->uevents is readable */

/* net.c: minos.net= */
void net_setup(struct init *in);		/* reads the setting; lo up if there is one */
int net_wanted(const struct init *in);		/* 1 unless it is off */
int net_valid(const char *v);			/* 1 if v is a minos.net= value */
void net_existing(struct init *in);		/* net_interface() for those already there */
void net_interface(struct init *in, const char *name);	/* a network interface appeared */

/* fsutil.c: files and directories, without malloc */
char *read_text(const char *path);	/* a whole file; NULL if unreadable */
/* One read of at most n - 1 bytes into buf, NUL-terminated: its length, or -1. */
int read_small(const char *path, char *buf, size_t n);
void free_text(char *text);
struct dirscan {
	int fd, pos, len;
	char buf[2048] __attribute__((aligned(8)));
};
int dir_open(struct dirscan *d, int fd);	/* takes fd (may be -1) */
const struct dirent *dir_next(struct dirscan *d);	/* NULL at the end */
void dir_close(struct dirscan *d);

/* root.c: root= on the command line: find it, mount it, switch to it, or an emergency shell */
void root_boot(struct init *in);
/* live.c: minos.live=: the squashfs root on the medium, an overlay, switch_root */
void live_boot(struct init *in);
/* switchroot.c: NEWROOT mounted, init checked: move over / and exec init; never returns */
_Noreturn void switch_root(struct init *in, const char *newroot, const char *init);
/* /dev, /proc, /sys and /run into newroot, newroot over /, chroot: the old root, open. */
int root_move(struct init *in, const char *newroot);

/* power.c: the ACPI power button */
void power_open(struct init *in);
int power_pressed(int fd);	/* reads its events: 1 if it was pressed */

/* tty.c: minos run's terminal channel: the host terminal's size and type */
void tty_open(struct init *in);		/* in->tty, or -1; takes a first message */
void tty_io(struct init *in);		/* in->tty is readable */

/* testrun.c: the minos test channel (NULL when not a test boot) */
/* The value of key=VALUE among the SMBIOS OEM strings (QEMU's -smbios type=11). */
int oem_string(const char *key, char *out, size_t n);
struct test_run *test_open(const char *cmdline);
int test_fds(struct test_run *t, int *fds, int max);	/* fds to poll */
void test_start(struct init *in);
void test_io(struct init *in, int fd);
int test_child_exited(struct init *in, pid_t pid, int status);	/* 1: ours */

#endif
