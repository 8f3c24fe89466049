/*
 * qmp.h - QEMU's machine protocol, the little minos test needs of it: an
 * NMI for a hung guest, the events of a paused one, a crash dump, quit.
 */
#ifndef MINOS_QMP_H
#define MINOS_QMP_H

#include <stddef.h>

/* Events seen so far, as bits. */
#define QMP_EV_STOP 1		/* the guest was paused (-action ...=pause) */
#define QMP_EV_PANICKED 2	/* GUEST_PANICKED: pvpanic */
#define QMP_EV_SHUTDOWN 4	/* the guest powered off or reset */

#define QMP_LINE_MAX 65536	/* a longer message is cut (and not understood) */

struct qmp {
	int fd;			/* -1: not connected */
	unsigned events;	/* QMP_EV_* */
	int answered;		/* the command sent last has its answer: 1 return, -1 error */
	char error[256];	/* the error's description */
	char line[QMP_LINE_MAX];
	size_t len;
	int cut;		/* the line being read is longer than line: dropped */
};

/*
 * Connects to QEMU's QMP socket at path and leaves capabilities negotiation
 * mode, within timeout_ms: 0, or -1 said ("QMP: ...").
 */
int qmp_connect(struct qmp *q, const char *path, int timeout_ms);
/* Reads what QMP has sent (events, answers) without waiting: -1 when it closed. */
int qmp_read(struct qmp *q);
/* One line of QMP's: its event or answer noted in q.  For tests and fuzzing. */
void qmp_line(struct qmp *q, const char *line, size_t len);
/*
 * Sends a command ("{\"execute\": ...}") and waits up to timeout_ms for
 * its answer: 0, or -1 said (error text, timeout, closed).
 */
int qmp_execute(struct qmp *q, const char *json, int timeout_ms);
/* Sends a command without waiting for its answer ("quit" has none to wait for). */
int qmp_send(struct qmp *q, const char *json);
void qmp_close(struct qmp *q);

/* s as the inside of a JSON string: "\" and control characters escaped. */
char *qmp_quote(const char *s);

#endif
