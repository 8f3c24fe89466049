/* ssh.h - an SSH server (the image's dropbear), supervised */
#ifndef MINOS_INIT_SSH_H
#define MINOS_INIT_SSH_H

struct init;

/* minos.ssh=on, or /root/.ssh/authorized_keys without minos.ssh=off: dropbear, kept running. */
void ssh_start(struct init *in);

#endif
