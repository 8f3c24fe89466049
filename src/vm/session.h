/* session.h - the host's side of minos test: one command run in a guest */
#ifndef MINOS_SESSION_H
#define MINOS_SESSION_H

#include <stddef.h>

#include "vm/frames.h"
#include "vm/hang.h"
#include "vm/kreport.h"
#include "vm/ktap.h"
#include "vm/qemu.h"
#include "vm/qmp.h"
#include "vm/symbolize.h"
#include "vm/timeline.h"

/* minos test's exit statuses beside the command's own (and EXIT_MINOS). */
#define EXIT_TESTS_FAILED 1	/* --junit, --kunit: the command succeeded, a (K)TAP test failed */
#define EXIT_TIMEOUT 124
#define EXIT_GUEST_DIED 255
#define EXIT_KERNEL_REPORT 250	/* the command succeeded, the kernel reported a fault */

#define SESSION_TAIL 4096
#define SESSION_FRAMES_SHOWN 48	/* a report's decoded frames said on stderr */

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
	int ready;		/* minos-init opened the test channel */
	int in;			/* our stdin, the command's, until it ends: else -1 */
	struct buf in_frames;	/* stdin frames not yet sent */
	size_t in_sent;
	struct kreport_reader *reports;	/* the kernel's reports read off the console, or NULL */
	int log;		/* the console and the command's output, marked; or -1 */
	int log_mid[2];		/* the command's stdout, stderr: a line begun in the log */
	struct ktap *ktap_con;	/* (K)TAP in the kernel's log (--junit, --kunit), or NULL */
	struct ktap *ktap_out;	/* (K)TAP on the command's stdout (--junit), or NULL */
	long hang_timeout;	/* --hang-timeout: seconds the guest is silent in a hang; 0 off */
	long long heard_ms;	/* when the guest last sent a byte */
	struct outfile *dump;	/* --dump FILE: a panicked guest's memory goes there; or NULL */
	int dumped;		/* and went */
	int dump_elf;		/* --dump-format elf */
	unsigned long long dump_max;	/* the vmcore's bytes at most: the guest's memory and more */
	char banner[512];	/* --dump: the kernel's "Linux version" line, for the dump's header */
	size_t banner_len;
	int banner_found;
	struct qmp qmp;		/* QEMU's QMP, connected when needed (fd -1 until then) */
	struct hang_reader hang;	/* the kernel's answer when asked why it hangs */
	int asked;		/* the kernel was asked (a timeout, a silence) */
	struct symbolizer *sym;	/* --vmlinux's, the build tree's: decodes reports' traces; or NULL */
};

/* --kernel-reports: what the kernel's own reports do to the status. */
enum kreport_mode { KREPORTS_FAIL, KREPORTS_WARN, KREPORTS_IGNORE };
extern const char *const kreport_mode_names[];	/* "fail", "warn", "ignore" */
extern const char *const dump_format_names[];	/* --dump-format: "kdump", "elf" */

/*
 * The console log: --log FILE (made whole at the end), else a temporary
 * file, kept and named on stderr only when the test failed.
 */
struct test_log {
	struct outfile out;	/* --log */
	char *tmp;		/* else this */
	int tmp_fd;
};

/* Opens the log, its descriptor in *fd: 0, or -1 said. */
int test_log_open(struct test_log *l, const char *path, int *fd);
/* Closes it: --log's file is committed; the temporary one kept if failed. */
void test_log_close(struct test_log *l, int failed);

/*
 * The kernel's reports, one line each on stderr ("minos: kernel: TITLE")
 * with their call traces decoded under them when s->sym is open (and in
 * the log), unless ignored, and the status they make of rc, the command's:
 * with KREPORTS_FAIL a command that succeeded while the kernel reported a
 * fault gives EXIT_KERNEL_REPORT.
 */
int test_session_verdict(const struct test_session *s, int rc, enum kreport_mode mode);

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
