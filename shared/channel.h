/*
 * channel.h - the minos test channel, shared by minos-init (guest) and
 * minos test (host).  Frames: a type byte, a 32-bit little-endian length,
 * the payload.
 */
#ifndef MINOS_CHANNEL_H
#define MINOS_CHANNEL_H

#define CHAN_READY 'R'		/* guest: ready, payload CHAN_HELLO */
#define CHAN_COMMAND 'C'	/* host: the command, NUL-terminated words */
#define CHAN_STDIN 'I'		/* host: bytes for its stdin; an empty frame ends it */
#define CHAN_STDOUT 'O'		/* guest: the command's stdout bytes */
#define CHAN_STDERR 'E'		/* guest: its stderr bytes */
#define CHAN_STATUS 'X'		/* guest: its exit status, 4 bytes LE */

#define CHAN_HELLO "minos-test 1"
/* The whole ready frame, which the host looks for behind firmware noise. */
#define CHAN_READY_FRAME "R\x0c\x00\x00\x00" CHAN_HELLO

#endif
