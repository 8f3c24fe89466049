/* respawn.c - rate-limits respawns: a command that dies at once backs off */
#include "respawn.h"

#include <time.h>

long long respawn_exited(struct respawn *r, long long now)
{
	long long delay = 0;

	r->pid = 0;
	if (now - r->started_ms < RESPAWN_QUICK_MS) {
		r->quick_fails++;
		delay = 1000;
		for (int i = 1; i < r->quick_fails && delay < RESPAWN_MAX_DELAY_MS; i++)
			delay *= 2;
		if (delay > RESPAWN_MAX_DELAY_MS)
			delay = RESPAWN_MAX_DELAY_MS;
	} else {
		r->quick_fails = 0;
	}
	r->restart_at_ms = now + delay;
	return delay;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
