/* root.h - the real root: found, mounted on NEWROOT, switched to */
#ifndef MINOS_INIT_ROOT_H
#define MINOS_INIT_ROOT_H

struct init;
struct root_spec;
struct fsid;

/* root= on the command line: find it, mount it, switch to it, or an emergency shell. */
void root_boot(struct init *in);
/* The device r names, as /dev/NAME in dev; 0 found, -1 not (yet). */
int root_find(const struct root_spec *r, char *dev, int n, struct fsid *f);
/* Waits a little for devices, loading drivers for those that appear. */
void root_tick(struct init *in);
/*
 * NEWROOT is mounted (from dev): finds its init (init=, or the usual
 * places) and switches to it, saying "switching to WHAT".
 */
_Noreturn void root_enter(struct init *in, const char *init, const char *dev, const char *what);

#endif
