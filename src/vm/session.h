/* session.h - the host's side of minos test: one command run in a guest */
#ifndef MINOS_SESSION_H
#define MINOS_SESSION_H

#include <stddef.h>

#include "vm/frames.h"
#include "vm/qemu.h"
#include "vm/timeline.h"

/* minos test's exit statuses beside the command's own (and EXIT_MINOS). */
#define EXIT_TIMEOUT 124
#define EXIT_GUEST_DIED 255

#define SESSION_TAIL 4096

struct test_session {
	struct vm *vm;
	int sigfd;		/* SIGINT, SIGTERM, SIGHUP: stop and clean up */
	int verbose;
	char *const *argv;	/* the guest command */
	struct frames frames;	/* the test channel */
	char tail[SESSION_TAIL];	/* the console's last bytes, for a death notice */
	size_t tail_len;
	int status;		/* -1 until the guest reports it */
	struct timeline *tl;	/* --timeline, else NULL */
	int booted;		/* QEMU started and the guest is booting */
	int in;			/* our stdin, the command's, until it ends: else -1 */
	struct buf in_frames;	/* stdin frames not yet sent */
	size_t in_sent;
};

/*
 * Boots c into s->vm, sends s->argv when minos-init is ready and relays
 * its output until it reports a status and QEMU ends; the VM is destroyed
 * after.  Returns the command's status, EXIT_TIMEOUT when timeout seconds
 * ran out, EXIT_GUEST_DIED (the console's last lines said) when the guest
 * died without a status, EXIT_MINOS when minos failed, 128+N stopped by
 * signal N on s->sigfd.
 */
int test_session_run(struct vm_config *c, struct test_session *s, long timeout);

#endif
