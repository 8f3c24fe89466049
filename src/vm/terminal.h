/* terminal.h - minos run's terminal: the guest's console on the user's */
#ifndef MINOS_TERMINAL_H
#define MINOS_TERMINAL_H

#include <stddef.h>

#include "vm/qemu.h"

/*
 * The booted guest's console on standard input and output (raw when it is
 * a terminal, restored after), seen (what the boot printed so far) first,
 * until the guest ends, the user types Ctrl-A X (0) or a signal other than
 * SIGWINCH arrives on sigfd (1); -1 after an error.  term: the terminal
 * type minos-init is told with the window's size.
 */
int terminal_session(struct vm *vm, int sigfd, const char *term, const char *seen, size_t nseen);

#endif
