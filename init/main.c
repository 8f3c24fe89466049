/*
 * minos-init - the PID 1 of every system minos builds.
 *
 * Every signal is blocked from the first instruction; the ones PID 1 acts
 * on arrive through a signalfd in one poll loop, mapped through a table.
 * PID 1 never exits: the kernel would panic.  Anything that goes wrong ends
 * in an emergency shell, or a frozen init that still reaps.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "early.h"
#include "fsutil.h"
#include "init.h"
#include "inittab.h"
#include "kmod.h"
#include "live.h"
#include "log.h"
#include "net.h"
#include "power.h"
#include "proc.h"
#include "root.h"
#include "share.h"
#include "shutdown.h"
#include "ssh.h"
#include "supervise.h"
#include "testrun.h"
#include "tty.h"
#include "uevent.h"

static void on_halt(struct init *in) { shutdown_system(in, SD_HALT); }
static void on_poweroff(struct init *in) { shutdown_system(in, SD_POWEROFF); }
static void on_reboot(struct init *in) { shutdown_system(in, SD_REBOOT); }

static void on_ctrlaltdel(struct init *in)
{
	for (int i = 0; i < in->tab.n; i++)
		if (in->tab.e[i].action == ACT_CTRLALTDEL) {
			run_action(in, ACT_CTRLALTDEL);
			return;
		}
	shutdown_system(in, SD_REBOOT);
}

static void on_kbrequest(struct init *in) { run_action(in, ACT_KBREQUEST); }

static void load_inittab(struct init *in);

/* SIGQUIT: BusyBox's restart: stop everything, become the restart entry. */
static void on_restart(struct init *in)
{
	for (int i = 0; i < in->tab.n; i++) {
		const struct inittab_entry *e = &in->tab.e[i];
		char buf[INITTAB_CMD + 8], *argv[64];

		if (e->action != ACT_RESTART)
			continue;
		say("restart: %s", e->command);
		kill_all(5000);
		inittab_argv(e->command, buf, sizeof(buf), argv, 64);
		child_reset(in);
		execv(argv[0], argv);
		say("cannot restart as %s: %s", e->command, strerror(errno));
		emergency(in, "restart failed");
	}
}

/* SIGHUP: re-read inittab; running entries that stay keep running. */
static void on_reload(struct init *in)
{
	struct inittab old = in->tab;
	struct respawn run[INITTAB_MAX];
	int claimed[INITTAB_MAX] = {0};	/* new entries given an old one's state */

	memcpy(run, in->run, sizeof(run));
	load_inittab(in);
	memset(in->run, 0, sizeof(in->run));
	for (int i = 0; i < old.n; i++) {
		int kept = 0;

		for (int j = 0; j < in->tab.n && !kept; j++)
			if (!claimed[j] && !memcmp(&old.e[i], &in->tab.e[j], sizeof(old.e[i]))) {
				in->run[j] = run[i];
				claimed[j] = kept = 1;
			}
		if (!kept && run[i].pid > 0 &&
		    (old.e[i].action == ACT_RESPAWN || old.e[i].action == ACT_ASKFIRST))
			kill(run[i].pid, SIGTERM);
	}
	say("reloaded /etc/inittab");
}

static const struct {
	int sig;
	void (*fn)(struct init *);
} signal_table[] = {
	{SIGUSR1, on_halt},	{SIGUSR2, on_poweroff}, {SIGPWR, on_poweroff},
	{SIGTERM, on_reboot},	{SIGINT, on_ctrlaltdel}, {SIGQUIT, on_restart},
	{SIGHUP, on_reload},	{SIGWINCH, on_kbrequest}, {SIGCHLD, NULL},
};

static void warn_line(int line, const char *msg, void *ctx)
{
	(void)ctx;
	say("/etc/inittab:%d: %s; line ignored", line, msg);
}

static void load_inittab(struct init *in)
{
	static char text[INITTAB_MAX * (INITTAB_CMD + 80)];
	int fd = in->hostroot ? -1 : open("/etc/inittab", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		char active[256];

		if (read_small("/sys/class/tty/console/active", active, sizeof(active)) < 0)
			active[0] = '\0';
		inittab_default(&in->tab, !in->hostroot && access("/etc/init.d/rcS", X_OK) == 0,
				active);
		return;
	}
	text[n] = '\0';
	inittab_parse(text, &in->tab, warn_line, NULL);
}

static _Noreturn void main_loop(struct init *in)
{
	for (;;) {
		struct pollfd p[5 + POWER_MAX] = {{.fd = in->sigfd, .events = POLLIN}};
		int fds[2], n = in->test ? test_fds(in->test, fds, 2) : 0;
		int timeout = in->test ? -1 : start_due(in), last = 2 + n + in->npower;

		for (int i = 0; i < n; i++)
			p[i + 1] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		for (int i = 0; i < in->npower; i++)
			p[1 + n + i] = (struct pollfd){.fd = in->power[i], .events = POLLIN};
		p[last - 1] = (struct pollfd){.fd = in->tty, .events = POLLIN};	/* -1: none */
		p[last] = (struct pollfd){.fd = in->uevents, .events = POLLIN};
		if (poll(p, last + 1, timeout) < 0 && errno != EINTR)
			emergency(in, "poll failed");
		if (p[last].revents)
			hotplug(in);
		if (p[last - 1].revents)
			tty_io(in);
		for (int i = 1; i <= n; i++)
			if (p[i].revents)
				test_io(in, p[i].fd);
		for (int i = 0; i < in->npower; i++)
			if (p[1 + n + i].revents && power_pressed(in->power[i])) {
				say("power button pressed");
				shutdown_system(in, SD_POWEROFF);
			}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(in->sigfd, &si, sizeof(si)) == sizeof(si))
				for (size_t i = 0; i < sizeof(signal_table) / sizeof(signal_table[0]); i++)
					if ((int)si.ssi_signo == signal_table[i].sig && signal_table[i].fn)
						signal_table[i].fn(in);
			reap(in, child_exited);
		}
	}
}

int main(void)
{
	static struct init in;	/* zeroed, so it costs the binary nothing */
	sigset_t all, handled;
	int sigfd_errno;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &in.child_mask);
	sigemptyset(&handled);
	for (size_t i = 0; i < sizeof(signal_table) / sizeof(signal_table[0]); i++)
		sigaddset(&handled, signal_table[i].sig);
	in.sigfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
	sigfd_errno = errno;

	early_setup(&in);
	if (getpid() != 1)
		say("running as pid %d, not 1", (int)getpid());
	if (in.sigfd < 0)	/* the best without it: a shell, and init still reaping */
		emergency(&in, sigfd_errno == ENOSYS ? "no signalfd: the kernel lacks "
					"CONFIG_SIGNALFD" : "no signalfd");
	modules_boot(&in);
	mount_firmware(&in);
	net_setup(&in);
	coldplug(&in);
	host_root(&in);
	mount_shares(&in);
	live_boot(&in);
	root_boot(&in);
	power_open(&in);
	load_inittab(&in);
	in.test = test_open(in.cmdline);
	if (in.test)
		set_printk(&in);
	tty_open(&in);
	boot_sequence(&in);
	ssh_start(&in);
	if (in.test)
		test_start(&in);
	main_loop(&in);
}
