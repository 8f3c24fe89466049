/* root.h - the real root: found, mounted on NEWROOT, switched to */
#ifndef MINOS_INIT_ROOT_H
#define MINOS_INIT_ROOT_H

struct init;

/* root= on the command line: find it, mount it, switch to it, or an emergency shell. */
void root_boot(struct init *in);
/*
 * NEWROOT is mounted (from dev): finds its init (init=, or the usual
 * places) and switches to it, saying "switching to WHAT".
 */
_Noreturn void root_enter(struct init *in, const char *init, const char *dev, const char *what);

#endif
