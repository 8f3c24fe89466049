/* stack.h - a root under md RAID, LUKS and LVM, brought up by the image's own tools */
#ifndef MINOS_INIT_STACK_H
#define MINOS_INIT_STACK_H

struct init;

/* Reads minos.md=, minos.luks=, rd.luks.uuid=, minos.luks.key= (a bad word said, and ignored). */
void stack_begin(struct init *in, int delay_s);
/* 1 while the command line names an array or a LUKS device not up yet. */
int stack_pending(void);
/*
 * Between two looks for the root: md arrays assembled, LUKS devices
 * opened, LVM volumes activated, when new block devices came; after a
 * few seconds, arrays short of members started degraded.  1 if it did
 * something (look again at once); a passphrase asked moves deadline on.
 */
int stack_step(struct init *in, long long *deadline);
/* The wait is over: an emergency shell for a LUKS device that never came. */
void stack_timeout(struct init *in);

#endif
