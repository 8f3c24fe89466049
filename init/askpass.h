/* askpass.h - a secret asked on every console at once */
#ifndef MINOS_INIT_ASKPASS_H
#define MINOS_INIT_ASKPASS_H

#include <stddef.h>

/*
 * Writes prompt on each console the kernel writes to, echo off, and
 * takes the first line typed on any of them, without its newline, into
 * buf (n bytes, NUL-terminated).  Its length, or -1 if no console can answer.
 */
int ask_secret(const char *prompt, char *buf, size_t n);

#endif
