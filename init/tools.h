/* tools.h - the image's own programs (mdadm, cryptsetup, lvm, dropbear), run by PID 1 */
#ifndef MINOS_INIT_TOOLS_H
#define MINOS_INIT_TOOLS_H

#include <stddef.h>
#include <sys/types.h>

struct init;

/* name in /usr/sbin, /usr/bin, /sbin or /bin: 0 with its path, or -1. */
int tool_find(const char *name, char *path, size_t n);
/*
 * Starts argv (argv[0] a name tool_find finds) in its own session: stdin
 * from infd (-1: /dev/null), stdout and stderr to outfd (-1: the console).
 * Its pid, or -1 if it cannot fork.  A tool that is not there exits 127.
 */
pid_t tool_spawn(const struct init *in, char *const argv[], int infd, int outfd);
/*
 * Runs argv to its end: len bytes of input on its stdin (input NULL:
 * /dev/null), what it prints into out (NUL-terminated; printing more than
 * n - 1 bytes kills it; out NULL: the console).  Its exit status; 128 + N if signal N
 * killed it, 127 if it is not there, -1 if it could not start.
 */
int tool_run(const struct init *in, char *const argv[], const char *input, size_t len,
	     char *out, size_t n);
/* What a tool printed, on the console as it is (mdadm's lines name it). */
void tool_say(const char *out);

#endif
