/*
 * init.h - minos-init's state: one struct init, made by main() and passed
 * to the parts that read or change it.  Each part's functions are in its
 * own header, so that the includes are the real dependencies.
 */
#ifndef MINOS_INIT_H
#define MINOS_INIT_H

#include <signal.h>
#include <sys/types.h>

#include "inittab.h"
#include "respawn.h"

#define CMDLINE_MAX 4096
#define POWER_MAX 4

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

#endif
