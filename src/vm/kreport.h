/*
 * kreport.h - the kernel's own reports (WARNING, BUG, Oops, KASAN, UBSAN,
 * lockdep, hung tasks, lockups, RCU stalls, panics) read out of a guest's
 * serial console as it streams in.  The console is untrusted: every line,
 * block, list and the whole reader are capped (below), time is linear.
 */
#ifndef MINOS_KREPORT_H
#define MINOS_KREPORT_H

#include <stddef.h>

enum kreport_kind {
	KREPORT_WARNING,	/* WARN_ON(): "WARNING: CPU: 0 PID: 1 at FILE:LINE FUNC" */
	KREPORT_BUG,		/* any other "BUG: ...": sleeping in atomic, bad page, ... */
	KREPORT_KERNEL_BUG,	/* BUG_ON(): "kernel BUG at FILE:LINE!" */
	KREPORT_OOPS,		/* a fault in the kernel: NULL pointer, page fault, GPF, ... */
	KREPORT_KASAN,
	KREPORT_KMSAN,
	KREPORT_KFENCE,
	KREPORT_KCSAN,
	KREPORT_UBSAN,
	KREPORT_LOCKDEP,	/* lockdep's and RCU-lockdep's WARNINGs */
	KREPORT_HUNG_TASK,
	KREPORT_SOFT_LOCKUP,
	KREPORT_HARD_LOCKUP,
	KREPORT_RCU_STALL,
	KREPORT_PANIC,		/* "Kernel panic - not syncing: ...", alone or after one */
	KREPORT_NKINDS
};

/* Where a frame was read. */
enum kreport_from {
	KREPORT_FROM_TRACE,	/* a line of a stack: "Call Trace:", KASAN's "Freed by", ... */
	KREPORT_FROM_IP,	/* the registers' "RIP: 0010:f+0x1/0x2" or arm64 "pc : f+0x1/0x2" */
	KREPORT_FROM_LR,	/* arm64 "lr : f+0x1/0x2": a return address, maybe stale */
};

struct kreport_frame {
	char *symbol;		/* as kallsyms names it: "el0_svc_common.constprop.0" */
	unsigned long off, size;	/* "+0x4c/0x90" */
	char *module;		/* "[ext4]" without its build ID; NULL: vmlinux */
	int reliable;		/* 0: "? f+0x..." (a stack word the unwinder guessed), an lr */
	enum kreport_from from;
	unsigned stack;		/* which stack of the block, from 0: a RIP/pc and the trace
				 * after it are one; KASAN's "Allocated by" is another */
};

struct kreport {
	enum kreport_kind kind;
	char *title;		/* one printable line: "WARNING at fs/foo.c:12 foo+0x4c/0x90",
				 * "Oops: NULL pointer dereference in foo", ... */
	char *function;		/* "foo" (no ".cold"/".constprop.0"), NULL if none known */
	char *location;		/* "fs/foo.c:12" ("lib/x.c:1:2" for UBSAN), NULL if none */
	char *block;		/* the report's lines as printed, timestamps kept, each
				 * ending in '\n': printable ASCII and tabs, '?' for others */
	size_t block_len;
	struct kreport_frame *frames;	/* in the order printed */
	size_t nframes;
	int cut;		/* it did not reach its end: the guest stopped, another
				 * report began, or a cap cut it */
};

/* The caps: what a hostile guest can make the reader hold. */
#define KREPORT_LINE_MAX 4096		/* the rest of a longer line is dropped */
#define KREPORT_BLOCK_MAX (64 * 1024)	/* a longer report is cut */
#define KREPORT_FRAMES_MAX 128		/* per report; later frames stay in the block */
#define KREPORT_KEEP 100		/* reports kept; kreport_dropped() counts the rest */
#define KREPORT_OPEN 8			/* reports read at once, one per printing context */
#define KREPORT_MEM_MAX (8u << 20)	/* everything the reader allocates */

struct kreport_open;

/* Private: use the functions below. */
struct kreport_reader {
	char line[KREPORT_LINE_MAX + 1];	/* the console line being read */
	size_t len;
	int esc, esc_len;		/* inside an escape sequence, and how far */
	int stamped;			/* the kernel stamps "[ 1.2]"; lines without: not its */
	struct kreport_open *open[KREPORT_OPEN];
	unsigned long seq;		/* reports begun, to retire the oldest */
	struct kreport *reports;
	size_t nreports, cap, dropped;
	size_t mem, kept_mem;		/* bytes held in all; by the kept reports */
};

void kreport_reader_init(struct kreport_reader *r);
/* Console bytes as they arrive, split anywhere. */
void kreport_feed(struct kreport_reader *r, const char *p, size_t n);
/* The console ended (the guest stopped): reports still open are kept, cut
 * unless all they lacked was the next line (a hung task's stack was whole). */
void kreport_finish(struct kreport_reader *r);
/* The reports seen so far, in the order they ended. */
size_t kreport_count(const struct kreport_reader *r);
const struct kreport *kreport_get(const struct kreport_reader *r, size_t i);
/* Reports seen but not kept: past KREPORT_KEEP or the memory cap. */
size_t kreport_dropped(const struct kreport_reader *r);
/* Bytes the reader holds now; never above KREPORT_MEM_MAX. */
size_t kreport_memory(const struct kreport_reader *r);
/* "WARNING", "BUG", "kernel BUG", "Oops", "KASAN", ..., "panic". */
const char *kreport_kind_name(enum kreport_kind k);
void kreport_reader_free(struct kreport_reader *r);

#endif
