/* shutdown.h - the ways out of PID 1 */
#ifndef MINOS_INIT_SHUTDOWN_H
#define MINOS_INIT_SHUTDOWN_H

enum shutdown_kind { SD_HALT, SD_POWEROFF, SD_REBOOT };

struct init;

_Noreturn void shutdown_system(struct init *in, enum shutdown_kind kind);
/* Last resort: a shell on the console, or a frozen, still reaping PID 1. */
_Noreturn void emergency(struct init *in, const char *why);
/* SIGTERM, SIGHUP, SIGCONT to all, wait up to timeout_ms, SIGKILL, reap. */
void kill_all(int timeout_ms);

#endif
