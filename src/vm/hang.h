/*
 * hang.h - what a hung kernel says when minos test asks it (SysRq l: each
 * CPU's backtrace; SysRq w: the blocked tasks), read off the console into
 * one line each: where every CPU was, where every blocked task waits.
 * The console is untrusted: lines and items are capped, time is linear.
 */
#ifndef MINOS_HANG_H
#define MINOS_HANG_H

#include <stddef.h>
#include <stdio.h>

#define HANG_LINE_MAX 1024	/* the rest of a longer line is dropped */
#define HANG_ITEMS 64		/* CPUs and tasks kept; the rest counted */
#define HANG_NAME_MAX 64

enum hang_kind { HANG_CPU, HANG_TASK };

struct hang_item {
	enum hang_kind kind;
	long cpu, pid;			/* the CPU's number; the task's pid (-1: unknown) */
	char name[HANG_NAME_MAX];	/* the task's name */
	char function[HANG_NAME_MAX];	/* where it was; "" unknown; "(idle)"; "(user space)" */
};

struct hang_reader {
	char line[HANG_LINE_MAX + 1];
	size_t len;
	int cut;			/* the line being read is too long: its rest dropped */
	struct hang_item *open;		/* the item whose place is still to be read */
	int in_trace;			/* its "Call Trace:" began */
	struct hang_item items[HANG_ITEMS];
	size_t n;
	unsigned long dropped;		/* items beyond HANG_ITEMS */
};

void hang_init(struct hang_reader *h);
/* n more console bytes, split anywhere. */
void hang_feed(struct hang_reader *h, const char *p, size_t n);
/* The last line, if it did not end. */
void hang_finish(struct hang_reader *h);
/* One line per item ("minos: hang: CPU 0 was in foo"); the number of lines. */
size_t hang_print(const struct hang_reader *h, FILE *out);

#endif
