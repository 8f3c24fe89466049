/*
 * hang.c - the kernel's answer to SysRq l and w, as lib/nmi_backtrace.c and
 * kernel/sched/core.c's sched_show_task() print it:
 *   NMI backtrace for cpu 0
 *   CPU: 0 PID: 63 Comm: insmod ...
 *   RIP: 0010:spin_forever+0x4/0x10 [minos_fault]
 *   NMI backtrace for cpu 1 skipped: idling at default_idle+0x10/0x20
 *   Uhhuh. NMI received for unknown reason 21 on CPU 0.   (the NMI minos sent)
 *   task:insmod state:D stack:0 pid:63 ppid:1 flags:0x00004000
 *   Call Trace:
 *    <TASK>
 *    __schedule+0x2d0/0x8a0
 *    schedule+0x5e/0xd0
 *    wait_here+0x20/0x30 [minos_fault]
 * A CPU's place is its RIP (pc on arm64); a task's the first frame of its
 * trace that is not the scheduler's or a lock's own waiting.
 */
#include "vm/hang.h"

#include <stdlib.h>
#include <string.h>

void hang_init(struct hang_reader *h)
{
	memset(h, 0, sizeof(*h));
}

/* After the kernel's "[    1.234567]" and "[    T1]" stamps, and blanks. */
static const char *body_of(const char *l)
{
	for (;;) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l != '[')
			return l;
		const char *e = strchr(l, ']');

		if (!e || e - l > 24)
			return l;
		l = e + 1;
	}
}

/* "foo.cold+0x1/0x2 [mod]" → "foo.cold" into out. */
static void symbol_of(const char *s, char *out, size_t size)
{
	size_t n = strcspn(s, "+ \t");

	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static struct hang_item *item_new(struct hang_reader *h, enum hang_kind kind)
{
	struct hang_item *it;

	h->in_trace = 0;
	if (h->n == HANG_ITEMS) {
		h->dropped++;
		return h->open = NULL;
	}
	it = &h->items[h->n++];
	*it = (struct hang_item){.kind = kind, .cpu = -1, .pid = -1};
	return h->open = it;
}

/* Waiting itself, not what waits: the scheduler's and the locks' frames. */
static int waiting_frame(const char *f)
{
	static const char *const waits[] = {
		"__schedule", "schedule", "io_schedule", "preempt_schedule", "__cond_resched",
		"__mutex_lock", "mutex_lock", "__down", "down", "rwsem_down", "__rwsem",
		"wait_for_completion", "__wait_for_common", "wait_woken", "__wait_",
		"msleep", "usleep", "do_nanosleep", "hrtimer_nanosleep", "__switch_to",
		"__flush_work", "flush_work", "__synchronize", "synchronize_",
	};

	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		if (!strncmp(f, waits[i], strlen(waits[i])))
			return 1;
	return 0;
}

/* Where an idle CPU waits for an interrupt. */
static int idle_frame(const char *f)
{
	static const char *const idles[] = {
		"native_safe_halt", "default_idle", "arch_cpu_idle", "cpu_idle_poll",
		"acpi_idle", "intel_idle", "mwait_idle", "cpu_do_idle", "do_idle",
	};

	for (size_t i = 0; i < sizeof(idles) / sizeof(idles[0]); i++)
		if (!strncmp(f, idles[i], strlen(idles[i])))
			return 1;
	return 0;
}

/* A line of an open task's trace: its first frame of its own is its place. */
static void trace_line(struct hang_reader *h, const char *b)
{
	struct hang_item *it = h->open;
	char f[HANG_NAME_MAX];

	if (*b == '<' || *b == '?')	/* <TASK>, a guessed frame */
		return;
	if (!strstr(b, "+0x")) {	/* the trace ended */
		h->open = NULL;
		return;
	}
	symbol_of(b, f, sizeof(f));
	if (!*it->function || waiting_frame(it->function))
		memcpy(it->function, f, sizeof(f));
	if (!waiting_frame(f))
		h->open = NULL;
}

static void cpu_line(struct hang_reader *h, const char *b)
{
	struct hang_item *it;
	char *end;
	long cpu = strtol(b, &end, 10);

	if (end == b || !(it = item_new(h, HANG_CPU)))
		return;
	it->cpu = cpu;
	if ((b = strstr(end, "skipped: idling at"))) {
		strcpy(it->function, "(idle)");
		h->open = NULL;
	}
}

/* "task:NAME state:D stack:0 pid:63 ppid:1 flags:0x0": a blocked task begins. */
static void task_line(struct hang_reader *h, const char *b)
{
	struct hang_item *it;
	const char *pid = strstr(b, " pid:");
	size_t n = strcspn(b, " ");

	if (!strstr(b, " state:") || !(it = item_new(h, HANG_TASK)))
		return;
	if (n >= sizeof(it->name))
		n = sizeof(it->name) - 1;
	memcpy(it->name, b, n);
	it->name[n] = '\0';
	if (pid)
		it->pid = strtol(pid + 5, NULL, 10);
}

static void line(struct hang_reader *h, const char *l)
{
	const char *b = body_of(l);

	if (!strncmp(b, "NMI backtrace for cpu ", 22)) {
		cpu_line(h, b + 22);
	} else if (!strncmp(b, "Uhhuh. NMI received for unknown reason", 38) &&
		   strstr(b, " on CPU ")) {
		/* minos's own NMI, when no CPU took SysRq: the panic's RIP says where */
		cpu_line(h, strstr(b, " on CPU ") + 8);
	} else if (!strncmp(b, "task:", 5)) {
		task_line(h, b + 5);
	} else if (!h->open) {
		return;
	} else if (h->open->kind == HANG_CPU && (!strncmp(b, "RIP: ", 5) || !strncmp(b, "pc : ", 5))) {
		/* "RIP: 0010:f+0x1/0x2"; 0033 is user space; arm64 "pc : f+0x1/0x2" */
		const char *s = b + 5;

		if (!strncmp(s, "0033:", 5))
			strcpy(h->open->function, "(user space)");
		else
			symbol_of(s[4] == ':' ? s + 5 : s, h->open->function, HANG_NAME_MAX);
		if (idle_frame(h->open->function))
			strcpy(h->open->function, "(idle)");
		h->open = NULL;
	} else if (h->open->kind == HANG_TASK && !h->in_trace) {
		h->in_trace = !strncmp(b, "Call Trace:", 11) || !strncmp(b, "Call trace:", 11);
	} else if (h->open->kind == HANG_TASK) {
		trace_line(h, b);
	}
}

void hang_feed(struct hang_reader *h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\n') {
			h->line[h->len] = '\0';
			line(h, h->line);
			h->len = 0;
			h->cut = 0;
		} else if (c == '\r' || h->cut) {
			continue;
		} else if (h->len == HANG_LINE_MAX) {
			h->cut = 1;
		} else {
			/* the guest's bytes, printable or not: shown as '?' */
			h->line[h->len++] = (unsigned char)c < 0x20 || (unsigned char)c > 0x7e ? '?' : c;
		}
	}
}

void hang_finish(struct hang_reader *h)
{
	if (h->len) {
		h->line[h->len] = '\0';
		line(h, h->line);
		h->len = 0;
	}
	h->open = NULL;
}

size_t hang_print(const struct hang_reader *h, FILE *out)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct hang_item *it = &h->items[i];
		const char *f = *it->function ? it->function : "an unknown place";

		if (it->kind == HANG_CPU)
			fprintf(out, "minos: hang: CPU %ld was %s%s\n", it->cpu,
				*f == '(' ? "" : "in ", *f == '(' ? (f[1] == 'i' ? "idle" :
				"in user space") : f);
		else if (it->pid >= 0)
			fprintf(out, "minos: hang: task %s (pid %ld) blocked in %s\n",
				it->name, it->pid, f);
		else
			fprintf(out, "minos: hang: task %s blocked in %s\n", it->name, f);
	}
	if (h->dropped)
		fprintf(out, "minos: hang: and %lu more\n", h->dropped);
	return h->n + (h->dropped > 0);
}
