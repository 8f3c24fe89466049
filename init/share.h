/* share.h - host directories in the guest (minos.share=), and the host's root as / */
#ifndef MINOS_INIT_SHARE_H
#define MINOS_INIT_SHARE_H

struct init;

/* The host directories of minos.share=, after coldplug. */
void mount_shares(struct init *in);
/* minos.hostroot=TAG: the host's root, read-only, under a tmpfs overlay, as / */
void host_root(struct init *in);
/* A path of the command line: %XX to its byte, in place; -1 for a bad escape or a NUL. */
int share_unescape(char *s);

#endif
