/* proc.h - starting children and reaping them */
#ifndef MINOS_INIT_PROC_H
#define MINOS_INIT_PROC_H

#include <sys/types.h>

struct init;
struct inittab_entry;

/* Starts an entry on its tty: its pid, or -1 (said). */
pid_t spawn_entry(const struct init *in, const struct inittab_entry *e);
/* Runs an entry and waits for it, reaping everything else meanwhile. */
void run_and_wait(struct init *in, const struct inittab_entry *e);
/* Reaps every exited child; calls on_exit for each. */
void reap(struct init *in, void (*on_exit)(struct init *, pid_t, int status));
/* In a child: the signal state a program expects, not PID 1's. */
void child_reset(const struct init *in);

#endif
