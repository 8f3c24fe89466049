/* supervise.h - which inittab entries run when */
#ifndef MINOS_INIT_SUPERVISE_H
#define MINOS_INIT_SUPERVISE_H

#include <sys/types.h>

#include "inittab.h"

struct init;

void boot_sequence(struct init *in);	/* sysinit, wait (in order), once */
void run_action(struct init *in, enum action a);	/* start all of an action */
/* Starts respawn entries that are due; returns ms until the next one, or -1. */
int start_due(struct init *in);
void child_exited(struct init *in, pid_t pid, int status);	/* for reap() */

#endif
