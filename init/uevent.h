/* uevent.h - drivers for the hardware, found by its modaliases */
#ifndef MINOS_INIT_UEVENT_H
#define MINOS_INIT_UEVENT_H

struct init;

/* At boot, until the devices settle; the network's interfaces too, after net_setup. */
void coldplug(struct init *in);
void hotplug(struct init *in);		/* in->uevents is readable */

#endif
