/* tty.h - minos run's terminal channel: the host terminal's size and type */
#ifndef MINOS_INIT_TTY_H
#define MINOS_INIT_TTY_H

struct init;

void tty_open(struct init *in);		/* in->tty, or -1; takes a first message */
void tty_io(struct init *in);		/* in->tty is readable */

#endif
