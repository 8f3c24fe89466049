/* live.h - a live system's root: the squashfs on the medium under an overlay */
#ifndef MINOS_INIT_LIVE_H
#define MINOS_INIT_LIVE_H

struct init;

/* minos.live=ID: finds the medium, mounts the root, switches to it; or an emergency shell. */
void live_boot(struct init *in);

#endif
