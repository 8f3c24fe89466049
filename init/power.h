/* power.h - the ACPI power button */
#ifndef MINOS_INIT_POWER_H
#define MINOS_INIT_POWER_H

struct init;

void power_open(struct init *in);	/* in->power: the "Power Button" devices */
int power_pressed(int fd);	/* reads its events: 1 if it was pressed */

#endif
