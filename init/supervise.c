/*
 * supervise.c - which inittab entries run when: the boot sequence in
 * BusyBox's order, respawns (rate-limited), and what an exit means.
 */
#include <signal.h>

#include "init.h"
#include "inittab.h"
#include "log.h"
#include "proc.h"
#include "respawn.h"
#include "supervise.h"
#include "testrun.h"

void run_action(struct init *in, enum action a)
{
	for (int i = 0; i < in->tab.n; i++)
		if (in->tab.e[i].action == a && !in->run[i].pid)
			in->run[i].pid = spawn_entry(in, &in->tab.e[i]);
}

void child_exited(struct init *in, pid_t pid, int status)
{
	if (test_child_exited(in, pid, status))
		return;
	for (int i = 0; i < in->tab.n; i++) {
		struct respawn *r = &in->run[i];
		enum action a = in->tab.e[i].action;
		long long delay;

		if (r->pid != pid)
			continue;
		r->pid = 0;
		if (a != ACT_RESPAWN && a != ACT_ASKFIRST)
			return;
		delay = respawn_exited(r, now_ms());
		if (delay)
			say("'%s' exited at once (%d times in a row); next try in %lld s",
			    in->tab.e[i].command, r->quick_fails, delay / 1000);
		return;
	}
}

/* Starts respawn entries that are due; returns ms until the next one, or -1. */
int start_due(struct init *in)
{
	long long now = now_ms(), next = -1;

	for (int i = 0; i < in->tab.n; i++) {
		struct respawn *r = &in->run[i];
		enum action a = in->tab.e[i].action;

		if ((a != ACT_RESPAWN && a != ACT_ASKFIRST) || r->pid)
			continue;
		if (r->restart_at_ms <= now) {
			r->started_ms = now;
			r->pid = spawn_entry(in, &in->tab.e[i]);
			if (r->pid < 0) {
				r->pid = 0;
				respawn_exited(r, now);
			}
		}
		if (!r->pid && (next < 0 || r->restart_at_ms - now < next))
			next = r->restart_at_ms - now;
	}
	return next < 0 ? -1 : (int)(next > 60000 ? 60000 : next);
}

/* sysinit, then wait, each waited for in order; then once, not waited for. */
void boot_sequence(struct init *in)
{
	for (int i = 0; i < in->tab.n; i++)
		if (in->tab.e[i].action == ACT_SYSINIT)
			run_and_wait(in, &in->tab.e[i]);
	for (int i = 0; i < in->tab.n; i++)
		if (in->tab.e[i].action == ACT_WAIT)
			run_and_wait(in, &in->tab.e[i]);
	run_action(in, ACT_ONCE);
}

