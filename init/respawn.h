/* respawn.h - when an exited respawn entry starts again */
#ifndef MINOS_INIT_RESPAWN_H
#define MINOS_INIT_RESPAWN_H

#include <sys/types.h>

/* A command that dies within this of starting counts as a quick failure. */
#define RESPAWN_QUICK_MS 1000
#define RESPAWN_MAX_DELAY_MS 60000

struct respawn {
	pid_t pid;			/* running, or 0 */
	long long started_ms;
	long long restart_at_ms;	/* when to start it again */
	int quick_fails;		/* consecutive */
};

/*
 * Records that the entry exited at now_ms and sets when it may restart: at
 * once after a run that lasted, else after a delay that doubles with each
 * quick failure (1 s, 2 s, 4 s ... 60 s).  Returns the delay in ms.
 */
long long respawn_exited(struct respawn *r, long long now_ms);

long long now_ms(void);

#endif
