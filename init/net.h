/* net.h - the network, as minos.net= or /etc/minos/net says */
#ifndef MINOS_INIT_NET_H
#define MINOS_INIT_NET_H

struct init;

void net_setup(struct init *in);		/* reads the setting; lo up if there is one */
int net_wanted(const struct init *in);		/* 1 unless it is off */
int net_valid(const char *v);			/* 1 if v is a minos.net= value */
void net_existing(struct init *in);		/* net_interface() for those already there */
void net_interface(struct init *in, const char *name);	/* a network interface appeared */

#endif
