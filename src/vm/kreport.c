/*
 * kreport.c - the kernel's reports out of its console, a line at a time as
 * the bytes arrive.  A report is a title line in one of the forms the kernel
 * prints (kernel/panic.c's __warn, lib/bug.c, arch/x86/mm/fault.c and arm64's,
 * die(), KASAN, KFENCE, KCSAN, UBSAN, lockdep, the hung task and lockup
 * watchdogs, RCU's stall warnings, panic()) and the lines after it up to its
 * end: "---[ end trace ... ]---", the sanitizers' rule of '=', or the first
 * line after its stack that no report prints.
 *
 * The guest may be a kernel under test, broken or hostile: the line, the
 * block, the frames, the reports kept and the reader's memory are capped,
 * and each byte is looked at a bounded number of times.
 */
#include "vm/kreport.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define SYMBOL_MAX 255		/* longer is not a kallsyms name (KSYM_NAME_LEN is 512
				 * only for Rust's) */
#define MODULE_MAX 63		/* MODULE_NAME_LEN is 56 */
#define TITLE_MAX 255
#define LOC_MAX 255
#define PRELUDE_MAX 8		/* lines from "cut here" to the title: WARN()'s message */
#define CALLERS_MAX 4		/* printing contexts of one report: its own, NMI backtraces */
#define IDLE_SHORT 64		/* lines a report goes without a stack before it is over */
#define IDLE_LONG 256		/* the same for lockdep, RCU and the sanitizers, which print
				 * lock lists, CPU lists and shadow memory between stacks */
#define ESC_MAX 64		/* a longer "escape sequence" is not one: text again */
#define ESC_STRING_MAX 512

/* How a report ends. */
enum end {
	END_MARKER,		/* "---[ end trace ]---": WARN, BUG, Oops, panic */
	END_RULE,		/* a line of '=': the sanitizers; blank lines are theirs */
	END_TRACE,		/* the first line after its stack that is not a report's */
};

enum section { SEC_NONE, SEC_CALL, SEC_OTHER };

enum esc { ESC_NONE, ESC_START, ESC_CSI, ESC_INTER, ESC_STRING, ESC_STRING_ESC };

/* A report being read, or the prelude of one (kind -1). */
struct kreport_open {
	unsigned long callers[CALLERS_MAX];	/* the printk callers whose lines it takes */
	int ncallers;
	int kind;
	enum end end;
	unsigned long seq;
	size_t bytes;			/* what it holds, in the reader's count */
	char *block;
	size_t len, cap;
	struct kreport_frame *frames;
	size_t nframes, fcap;
	char *head, *function, *location;	/* from the title line (and lockdep's "at:") */
	char *pick[2];			/* first meaningful frame: anywhere; not in IRQ/NMI */
	int add_in, loc_fallback, needs_stack, prefer_task;
	enum section section;
	int in_irq;
	int regs_group;			/* a RIP/pc began a stack "Call Trace:" continues */
	int grouped;			/* the current stack has its number */
	unsigned group, nstacks;
	int trace_done, ended, capped;
	int died;			/* die()'s header was seen: a second one is another oops */
	unsigned idle, idle_max;
};

/* The most all open reports hold: what the kept ones may not take. */
#define OPEN_BYTES_MAX (sizeof(struct kreport_open) + KREPORT_BLOCK_MAX + \
	KREPORT_FRAMES_MAX * (sizeof(struct kreport_frame) + SYMBOL_MAX + 1 + MODULE_MAX + 1) + \
	5 * (TITLE_MAX + 1))
#define KEPT_MAX (KREPORT_MEM_MAX - KREPORT_OPEN * OPEN_BYTES_MAX - \
	KREPORT_KEEP * sizeof(struct kreport))

static const char *const kind_names[KREPORT_NKINDS] = {
	[KREPORT_WARNING] = "WARNING", [KREPORT_BUG] = "BUG",
	[KREPORT_KERNEL_BUG] = "kernel BUG", [KREPORT_OOPS] = "Oops",
	[KREPORT_KASAN] = "KASAN", [KREPORT_KMSAN] = "KMSAN", [KREPORT_KFENCE] = "KFENCE",
	[KREPORT_KCSAN] = "KCSAN", [KREPORT_UBSAN] = "UBSAN", [KREPORT_LOCKDEP] = "lockdep",
	[KREPORT_HUNG_TASK] = "hung task", [KREPORT_SOFT_LOCKUP] = "soft lockup",
	[KREPORT_HARD_LOCKUP] = "hard lockup", [KREPORT_RCU_STALL] = "RCU stall",
	[KREPORT_PANIC] = "panic",
};

/*
 * Functions of the reporting machinery, not of the bug: the first frame
 * of a stack that is none of these names the report ("f*": a prefix).
 */
static const char *const machinery[] = {
	/* printing a stack, a WARN, an oops, a panic */
	"dump_stack*", "dump_backtrace", "show_stack", "show_regs", "__show_regs",
	"show_trace_log_lvl", "stack_trace_save*", "arch_stack_walk", "unwind_*",
	"_printk", "printk*", "vprintk*", "__warn*", "warn_slowpath*", "report_bug",
	"handle_bug", "check_panic_on_warn", "panic", "nmi_panic", "die", "__die*", "oops_*",
	/* x86 traps and faults */
	"exc_*", "asm_exc_*", "asm_sysvec_*", "asm_common_interrupt", "do_trap", "do_error_trap",
	"do_user_addr_fault", "do_kern_addr_fault", "page_fault_oops", "kernelmode_fixup_or_oops",
	"__bad_area_nosemaphore", "bad_area_nosemaphore", "no_context", "fixup_exception",
	/* arm64 traps and faults */
	"bug_handler", "call_break_hook", "call_el1_break_hook", "brk_handler",
	"do_debug_exception", "el1_*", "el1h_64_*", "do_mem_abort", "do_translation_fault",
	"do_page_fault", "do_bad_area", "__do_kernel_fault", "die_kernel_fault",
	"do_undefinstr", "arm64_notify_die",
	/* the sanitizers */
	"kasan_*", "__kasan_*", "____kasan_*", "__asan_*", "check_region_inline", "print_report",
	"print_address_description*", "kmsan_*", "__msan_*", "kfence_*", "__kfence_*",
	"kcsan_*", "__kcsan_*", "__tsan_*", "ubsan_*", "__ubsan_*",
	/* lockdep and the might_sleep checks */
	"lockdep_*", "lock_acquire*", "lock_release", "lock_acquired", "lock_contended",
	"__lock_*", "validate_chain", "check_prev_add", "check_prevs_add", "check_noncircular",
	"check_deadlock", "mark_lock*", "mark_usage", "print_*", "__might_sleep", "__might_resched",
	"__might_fault", "___might_sleep", "__schedule_bug", "schedule_debug",
	"debug_smp_processor_id", "check_preemption_disabled",
	/* the scheduler and lock waits a hung task sleeps in */
	"__switch_to*", "context_switch", "__schedule", "schedule", "schedule_*", "io_schedule*",
	"preempt_schedule*", "__cond_resched", "_raw_*", "__raw_*", "do_raw_*", "queued_*",
	"native_queued_*", "__pv_queued_*", "__mutex_lock*", "mutex_lock*", "rt_mutex*",
	"__rt_mutex*", "rwsem_*", "down_*", "__down*", "down", "wait_for_completion*",
	"__wait_for_common", "wait_for_common*", "do_wait_for_common", "__wait_on_bit*",
	"out_of_line_wait_on_bit*", "bit_wait*", "folio_wait_bit*", "__folio_lock*",
	"__flush_work", "flush_work", "msleep", "usleep_range*",
	/* the stall and lockup detectors, the interrupts they run in */
	"nmi_cpu_backtrace*", "nmi_trigger_cpumask_backtrace", "arch_trigger_cpumask_backtrace",
	"trigger_*", "rcu_dump_cpu_stacks", "print_cpu_stall*", "print_other_cpu_stall",
	"check_cpu_stall", "rcu_pending", "rcu_sched_clock_irq", "update_process_times",
	"tick_*", "hrtimer_*", "__hrtimer_run_queues", "__run_hrtimer", "watchdog_*",
	"__perf_event_overflow", "perf_event_overflow", "perf_event_nmi_handler", "nmi_handle",
	"handle_pmi_common", "intel_pmu_handle_irq", "amd_pmu_handle_irq", "x86_pmu_handle_irq",
	"armv8pmu_handle_irq", "armpmu_dispatch_irq",
	"default_do_nmi", "end_repeat_nmi", "sysvec_*", "__sysvec_*", "irq_exit*",
	"__irq_exit_rcu", "do_interrupt_handler", "gic_handle_irq", "call_on_irq_stack",
	"handle_percpu_devid_irq", "generic_handle_domain_irq", "arch_timer_handler_*",
};

/* ---- text ---- */

/* s past the prefix p, or NULL.  Every line meets dozens of these: most
 * differ at the first byte. */
static const char *skip(const char *s, const char *p)
{
	size_t n;

	if (*s != *p && *p)
		return NULL;
	n = strlen(p);
	return strncmp(s, p, n) ? NULL : s + n;
}

static const char *spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int blank(const char *s)
{
	return !*spaces(s);
}

/* s is w and nothing but white space after it. */
static int is_line(const char *s, const char *w)
{
	const char *p = skip(s, w);

	return p && blank(p);
}

/* The number of decimal digits at s, 0 past 10 (no line number is longer). */
static size_t digits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		if (++n > 10)
			return 0;
	return n;
}

static int path_char(int c)
{
	return isalnum(c) || (c && strchr("_./+-", c));
}

/* The length of "fs/foo.c:123" at s (with cols, "lib/x.c:1:2" too), 0 if none. */
static size_t path_line(const char *s, int cols)
{
	size_t n = 0, d;

	while (n <= LOC_MAX && path_char((unsigned char)s[n]))
		n++;
	if (!n || s[n] != ':' || !memchr(s, '.', n) || !(d = digits(s + n + 1)))
		return 0;
	n += 1 + d;
	if (cols && s[n] == ':' && (d = digits(s + n + 1)))
		n += 1 + d;
	return n > LOC_MAX ? 0 : n;
}

/* Tabs to spaces, and no ". ! :" or space at the end: a title's tidy form. */
static void tidy(char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\t')
			s[i] = ' ';
	while (n && strchr(" .!:", s[n - 1]))
		s[--n] = '\0';
}

/* A line of '=' alone: KASAN, UBSAN, KCSAN, KFENCE and lockdep put their
 * reports between such rules. */
static int is_rule(const char *s)
{
	size_t n = 0;

	s = spaces(s);
	while (s[n] == '=')
		n++;
	return n >= 16 && blank(s + n);
}

/* ---- frames ---- */

/* A frame as printed: "[<ffffffff81234567>] ? foo.cold+0x4c/0x90 [mod buildid]". */
struct pframe {
	const char *sym, *mod, *end;
	size_t symlen, modlen;
	unsigned long off, size;
	int unreliable;
};

static int sym_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

static int hex(const char **sp, unsigned long *v)
{
	const char *s = *sp;
	unsigned long x = 0;
	size_t n = 0;

	if (s[0] != '0' || s[1] != 'x')
		return 0;
	for (s += 2; isxdigit((unsigned char)*s); s++) {
		if (++n > sizeof(x) * 2)
			return 0;
		x = x << 4 | (unsigned long)(isdigit((unsigned char)*s) ? *s - '0' :
					     tolower((unsigned char)*s) - 'a' + 10);
	}
	*v = x;
	*sp = s;
	return n > 0;
}

/* " [ext4]" or " [ext4 0123abcd]" (a build ID) after a frame. */
static void frame_module(struct pframe *f)
{
	const char *m = f->end + 2, *e = m, *close;

	if (f->end[0] != ' ' || f->end[1] != '[')
		return;
	while (e - m <= MODULE_MAX && (isalnum((unsigned char)*e) || *e == '_' || *e == '-'))
		e++;
	if (e == m || e - m > MODULE_MAX || (*e != ']' && *e != ' '))
		return;
	close = strchr(e, ']');
	if (!close)
		return;
	f->mod = m;
	f->modlen = e - m;
	f->end = close + 1;
}

/* A frame at s (after white space); 0 if s does not start with one. */
static int parse_frame(const char *s, struct pframe *f)
{
	*f = (struct pframe){0};
	s = spaces(s);
	/* older kernels print the address first */
	if (s[0] == '[' && s[1] == '<') {
		size_t n = 2;

		while (n < 20 && isxdigit((unsigned char)s[n]))
			n++;
		if (s[n] != '>' || s[n + 1] != ']')
			return 0;
		s = spaces(s + n + 2);
	}
	if (s[0] == '?' && s[1] == ' ') {
		f->unreliable = 1;
		s += 2;
	}
	for (f->sym = s; sym_char((unsigned char)*s); s++)
		if (s - f->sym == SYMBOL_MAX)
			return 0;
	f->symlen = s - f->sym;
	if (!f->symlen || *s++ != '+' || !hex(&s, &f->off) || *s++ != '/' || !hex(&s, &f->size))
		return 0;
	f->end = s;
	frame_module(f);
	return 1;
}

/* The function a symbol names: "foo" of "foo.cold" or "foo.constprop.0". */
static size_t name_len(const char *sym, size_t n)
{
	const char *dot = memchr(sym, '.', n);

	return dot && dot > sym ? (size_t)(dot - sym) : n;
}

static int is_machinery(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(machinery); i++) {
		const char *m = machinery[i];
		size_t k = strlen(m);

		if (m[k - 1] == '*' ? n >= k - 1 && !memcmp(name, m, k - 1) :
				      n == k && !memcmp(name, m, k))
			return 1;
	}
	return 0;
}

/* A frame of the registers: x86 "RIP: 0010:f+0x1/0x2", arm64 "pc : f..." and "lr : f...". */
static int ip_frame(const char *s, struct pframe *f, enum kreport_from *from)
{
	const char *p;

	if ((p = skip(s, "RIP: "))) {
		while (isxdigit((unsigned char)*p))
			p++;
		if (*p++ != ':')
			return 0;
		*from = KREPORT_FROM_IP;
	} else if ((p = skip(s, "pc : "))) {
		*from = KREPORT_FROM_IP;
	} else if ((p = skip(s, "lr : "))) {
		*from = KREPORT_FROM_LR;
	} else {
		return 0;
	}
	return parse_frame(p, f);
}

/* x86's registers between the frames of a trace: "RAX: ...", "Code: ...", "FS:  ...". */
static int register_line(const char *s)
{
	size_t n = 0;

	while (n < 8 && (isupper((unsigned char)s[n]) || (n && isalnum((unsigned char)s[n]))))
		n++;
	return n && s[n] == ':' && s[n + 1] == ' ' && !skip(s, "CPU:");
}

/* "<IRQ>", "</IRQ>", "<NMI>", "<TASK>", ...: where a trace changes stacks. */
static int stack_marker(const char *s, int *in_irq)
{
	int closing = s[1] == '/';
	size_t n = 1 + closing;

	if (s[0] != '<')
		return 0;
	while (n < 16 && (isalpha((unsigned char)s[n]) || s[n] == '#'))
		n++;
	if (s[n] != '>' || !blank(s + n + 1))
		return 0;
	if (skip(s + 1 + closing, "TASK") || skip(s + 1, "EOI"))
		*in_irq = 0;
	else
		*in_irq = !closing;
	return 1;
}

/* ---- titles ---- */

/* What a title line says. */
struct title {
	int kind;
	enum end end;
	char head[TITLE_MAX + 1];	/* the title, before " in FUNCTION" */
	char function[SYMBOL_MAX + 1], location[LOC_MAX + 1];
	int add_in;			/* the title ends " in FUNCTION" when one is known */
	int loc_fallback;		/* ... else " in LOCATION" */
	int needs_stack;		/* a report only if a stack follows */
	int prefer_task;		/* name it after a frame outside IRQ and NMI */
	int die;			/* die()'s "Oops: 0002 [#1]": one more line of an oops */
	int panic;
	unsigned idle_max;
};

__attribute__((format(printf, 4, 5)))
static int titled(struct title *t, int kind, enum end end, const char *fmt, ...)
{
	va_list ap;

	t->kind = kind;
	t->end = end;
	t->add_in = 1;
	t->idle_max = IDLE_SHORT;
	va_start(ap, fmt);
	vsnprintf(t->head, sizeof(t->head), fmt, ap);
	va_end(ap);
	tidy(t->head);
	return 1;
}

static void set_name(char *dst, const char *sym, size_t n)
{
	n = name_len(sym, n);
	memcpy(dst, sym, n);
	dst[n] = '\0';
}

static void set_location(struct title *t, const char *s, size_t n)
{
	memcpy(t->location, s, n);
	t->location[n] = '\0';
}

static int match_panic(const char *s, struct title *t)
{
	if (!skip(s, "Kernel panic - not syncing"))
		return 0;
	titled(t, KREPORT_PANIC, END_MARKER, "%s", s);
	t->add_in = 0;
	t->panic = 1;
	return 1;
}

/*
 * __warn(): "WARNING: CPU: 0 PID: 1 at fs/foo.c:12 foo+0x4c/0x90 [foo]", no
 * FILE:LINE without a bug table; newer kernels put the place first:
 * "WARNING: fs/foo.c:12 at foo+0x4c/0x90, CPU#0: sh/1".
 */
static int match_warn(const char *s, struct title *t)
{
	const char *p = skip(s, "WARNING: ");
	size_t loc = 0;
	struct pframe f;

	if (!p)
		return 0;
	if (skip(p, "CPU: ")) {
		if (!(p = strstr(p, " at ")))
			return 0;
		p += 4;
		loc = path_line(p, 0);
		if (p[loc] != ' ')
			loc = 0;
	} else if (!(loc = path_line(p, 0)) || !skip(p + loc, " at ")) {
		return 0;
	}
	set_location(t, p, loc);
	p = loc ? spaces(skip(p + loc, " at ") ? p + loc + 4 : p + loc) : p;
	if (!parse_frame(p, &f))
		return titled(t, KREPORT_WARNING, END_MARKER, "WARNING at %s%s%.*s", t->location,
			      loc ? " " : "", (int)strcspn(p, ","), p);
	set_name(t->function, f.sym, f.symlen);
	titled(t, KREPORT_WARNING, END_MARKER, "WARNING at %s%s%.*s+0x%lx/0x%lx%s%.*s%s",
	       t->location, loc ? " " : "", (int)f.symlen, f.sym, f.off, f.size,
	       f.mod ? " [" : "", (int)f.modlen, f.mod ? f.mod : "", f.mod ? "]" : "");
	t->add_in = 0;
	return 1;
}

/* Any other "WARNING: ...": lockdep's, else a warning that counts only with a stack. */
static int match_warning(const char *s, struct title *t)
{
	const char *p = skip(s, "WARNING: ");
	int lockdep;

	if (!p || blank(p))
		return 0;
	lockdep = strstr(p, "lock") || strstr(p, "RCU");
	titled(t, lockdep ? KREPORT_LOCKDEP : KREPORT_WARNING, END_TRACE, "WARNING: %s", p);
	t->needs_stack = !lockdep;
	t->idle_max = lockdep ? IDLE_LONG : IDLE_SHORT;
	return 1;
}

/* Lockdep's other titles, and older kernels' "[ INFO: ... ]". */
static int match_lockdep(const char *s, struct title *t)
{
	static const char *const titles[] = {
		"INFO: trying to register non-static key", "BUG: Invalid wait context",
		"INFO: possible ", "INFO: inconsistent lock state", "INFO: suspicious RCU usage",
	};

	for (size_t i = 0; i < ARRAY_SIZE(titles); i++)
		if (skip(s, titles[i])) {
			titled(t, KREPORT_LOCKDEP, END_TRACE, "%.*s", (int)strcspn(s, "]"), s);
			t->idle_max = IDLE_LONG;
			return 1;
		}
	return 0;
}

static int match_kernel_bug(const char *s, struct title *t)
{
	const char *p = skip(s, "kernel BUG at ");
	size_t loc;

	if (!p)
		return 0;
	loc = path_line(p, 0);
	set_location(t, p, loc);
	return titled(t, KREPORT_KERNEL_BUG, END_MARKER, "kernel BUG at %.*s",
		      (int)(loc ? loc : strcspn(p, "!")), p);
}

/* "BUG: KASAN: use-after-free in foo+0x1c/0x40", "BUG: KCSAN: data-race in foo / bar". */
static int match_sanitizer(const char *s, struct title *t)
{
	static const struct {
		const char *tag;
		int kind;
	} tags[] = {
		{"BUG: KASAN: ", KREPORT_KASAN}, {"BUG: KMSAN: ", KREPORT_KMSAN},
		{"BUG: KFENCE: ", KREPORT_KFENCE}, {"BUG: KCSAN: ", KREPORT_KCSAN},
	};
	const char *in;
	struct pframe f;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(tags) && !skip(s, tags[i].tag); i++)
		;
	if (i == ARRAY_SIZE(tags))
		return 0;
	in = strstr(s, " in ");
	if (in && parse_frame(in + 4, &f)) {
		titled(t, tags[i].kind, END_RULE, "%.*s", (int)(in - s), s);
		set_name(t->function, f.sym, f.symlen);
	} else {
		titled(t, tags[i].kind, END_RULE, "%s", s);
		for (n = 0; in && n < SYMBOL_MAX && sym_char((unsigned char)in[4 + n]); n++)
			;
		if (in && n) {
			set_name(t->function, in + 4, n);
			t->add_in = 0;
		}
	}
	t->idle_max = IDLE_LONG;
	return 1;
}

/* x86's "BUG: kernel NULL pointer dereference, address: 0", arm64's
 * "Unable to handle kernel paging request at virtual address ...". */
static int match_fault(const char *s, struct title *t)
{
	static const struct {
		const char *text, *what;
	} x86[] = {
		{"BUG: kernel NULL pointer dereference", "NULL pointer dereference"},
		{"BUG: unable to handle kernel NULL pointer dereference",
		 "NULL pointer dereference"},
		{"BUG: unable to handle page fault", "page fault"},
		{"BUG: unable to handle kernel paging request", "paging request"},
		{"BUG: unable to handle kernel", NULL},
	};
	const char *p = skip(s, "Unable to handle kernel "), *e;

	if (p) {
		e = strstr(p, " at virtual address");
		return titled(t, KREPORT_OOPS, END_MARKER, "Oops: %.*s",
			      (int)(e ? (size_t)(e - p) : strlen(p)), p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(x86); i++)
		if (skip(s, x86[i].text))
			return titled(t, KREPORT_OOPS, END_MARKER, "Oops%s%s",
				      x86[i].what ? ": " : "", x86[i].what ? x86[i].what : "");
	if (skip(s, "PANIC: double fault"))
		return titled(t, KREPORT_OOPS, END_MARKER, "Oops: double fault");
	return 0;
}

/*
 * die()'s header, x86 "Oops: 0002 [#1] PREEMPT SMP", "invalid opcode: 0000 [#1]",
 * "general protection fault, probably for ...: 0000 [#1]"; arm64 "Internal error:
 * Oops: 0000000096000045 [#1]", "Internal error: Oops - BUG: 00000000f2000800 [#1]".
 */
static int match_die(const char *s, struct title *t)
{
	const char *h = strchr(s, '#'), *q, *p = s;
	size_t n;

	while (h && (h - s < 2 || h[-1] != '[' || h[-2] != ' '))
		h = strchr(h + 1, '#');
	if (!h || !isalpha((unsigned char)*s) || !(n = digits(h + 1)) || h[1 + n] != ']')
		return 0;
	h -= 2;		/* at " [#" */
	q = h;
	while (q > s && isxdigit((unsigned char)q[-1]))
		q--;
	if (q == h || q - s < 3 || q[-1] != ' ' || q[-2] != ':')
		return 0;
	n = q - 2 - s;
	if (skip(p, "Internal error: ") && n > 16) {
		p += 16;
		n -= 16;
	}
	if (skip(p, "Oops: ") && n > 6) {	/* newer: "Oops: general protection fault" */
		p += 6;
		n -= 6;
	}
	if (n == 4 && skip(p, "Oops"))
		titled(t, KREPORT_OOPS, END_MARKER, "Oops");
	else if (skip(p, "Oops - ") && n > 7)
		titled(t, KREPORT_OOPS, END_MARKER, "Oops: %.*s", (int)(n - 7), p + 7);
	else
		titled(t, KREPORT_OOPS, END_MARKER, "Oops: %.*s", (int)strcspn(p, ",:"), p);
	t->die = 1;
	return 1;
}

/* The words that say what a "BUG: ..." is, without the task, address or
 * counts after them; "at FILE:LINE" goes to the location. */
static size_t bug_words(const char *p, struct title *t)
{
	static const char *const ends[] = {" at ", ": ", ", ", "  ", " (", " - "};
	const char *at = strstr(p, " at ");
	size_t n = strlen(p), loc;

	if (at && (loc = path_line(at + 4, 0)))
		set_location(t, at + 4, loc);
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		const char *e = strstr(p, ends[i]);

		if (e && (size_t)(e - p) < n)
			n = e - p;
	}
	/* a word holding ':' is a value: "mm:00000000 type:MM_ANONPAGES val:1" */
	for (size_t i = 0, k; i < n; i += k + 1) {
		for (k = 0; i + k < n && p[i + k] != ' '; k++)
			;
		if (i && memchr(p + i, ':', k))
			return i - 1;
	}
	return n;
}

static int match_bug(const char *s, struct title *t)
{
	const char *p = skip(s, "BUG: ");

	if (!p)
		return 0;
	if (skip(p, "soft lockup")) {
		titled(t, KREPORT_SOFT_LOCKUP, END_TRACE, "soft lockup");
		t->prefer_task = 1;
		return 1;
	}
	return titled(t, KREPORT_BUG, END_TRACE, "BUG%s%.*s", blank(p) ? "" : ": ",
		      (int)bug_words(p, t), p);
}

/* hung_task.c: "INFO: task kworker/0:1:12 blocked for more than 120 seconds." */
static int match_hung(const char *s, struct title *t)
{
	const char *p = skip(s, "INFO: task "), *q, *e;

	if (!p || !(q = strstr(p, " blocked for more than ")))
		return 0;
	e = strstr(q, " seconds");
	titled(t, KREPORT_HUNG_TASK, END_TRACE, "%.*s",
	       (int)(e ? (size_t)(e + 8 - s) : strlen(s)), s);
	t->add_in = 0;
	return 1;
}

/* tree_stall.h: "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
 * "... self-detected stall on CPU", "... detected expedited stalls on CPUs/tasks: {". */
static int match_rcu(const char *s, struct title *t)
{
	const char *p = skip(s, "INFO: rcu"), *q;

	if (!p)
		return 0;
	q = strstr(p, "detected stall");
	if (!q)
		q = strstr(p, "detected expedited stall");
	if (!q)
		return 0;
	titled(t, KREPORT_RCU_STALL, END_TRACE, "%.*s", (int)(q - s + strcspn(q, ":{")), s);
	t->prefer_task = 1;
	t->idle_max = IDLE_LONG;
	return 1;
}

/* watchdog_hld.c: "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1". */
static int match_hard_lockup(const char *s, struct title *t)
{
	if (!skip(s, "Watchdog detected hard LOCKUP"))
		return 0;
	titled(t, KREPORT_HARD_LOCKUP, END_TRACE, "hard lockup");
	t->prefer_task = 1;
	return 1;
}

/* lib/ubsan.c: "UBSAN: shift-out-of-bounds in lib/foo.c:12:34". */
static int match_ubsan(const char *s, struct title *t)
{
	const char *p = skip(s, "UBSAN: "), *in;
	size_t loc;

	if (!p)
		return 0;
	in = strstr(p, " in ");
	if (in && (loc = path_line(in + 4, 1))) {
		set_location(t, in + 4, loc);
		titled(t, KREPORT_UBSAN, END_RULE, "%.*s", (int)(in - s), s);
		t->loc_fallback = 1;
	} else {
		titled(t, KREPORT_UBSAN, END_RULE, "%s", s);
	}
	t->idle_max = IDLE_LONG;
	return 1;
}

/* Whether line s (no timestamp) is a report's title, and what it says. */
static int match_title(const char *s, struct title *t)
{
	static int (*const matchers[])(const char *, struct title *) = {
		match_panic, match_warn, match_warning, match_lockdep, match_kernel_bug,
		match_sanitizer, match_fault, match_bug, match_hung, match_rcu,
		match_hard_lockup, match_ubsan, match_die,
	};
	/* pr_fmt() prefixes of titles, and lockdep's brackets of old */
	static const char *const prefixes[] = {"", "watchdog: ", "NMI watchdog: ", "rcu: ", "[ "};

	if (!isalpha((unsigned char)*s) && *s != '[')
		return 0;
	/* a matcher writes to t only when it matches */
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		const char *p = skip(s, prefixes[i]);

		for (size_t j = 0; p && j < ARRAY_SIZE(matchers); j++)
			if (matchers[j](p, t))
				return 1;
	}
	return 0;
}

/* ---- reports being read ---- */

static void *grab(struct kreport_reader *r, struct kreport_open *o, void *p, size_t old,
		  size_t n)
{
	r->mem += n - old;
	o->bytes += n - old;
	return xrealloc(p, n);
}

static char *grab_str(struct kreport_reader *r, struct kreport_open *o, const char *s, size_t n)
{
	char *d = grab(r, o, NULL, 0, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void free_open(struct kreport_reader *r, struct kreport_open *o)
{
	for (size_t i = 0; i < o->nframes; i++) {
		free(o->frames[i].symbol);
		free(o->frames[i].module);
	}
	free(o->frames);
	free(o->block);
	free(o->head);
	free(o->function);
	free(o->location);
	free(o->pick[0]);
	free(o->pick[1]);
	r->mem -= o->bytes;
	free(o);
}

/* Forgets o, a report or a prelude, without keeping it. */
static void retire(struct kreport_reader *r, struct kreport_open *o)
{
	for (size_t i = 0; i < KREPORT_OPEN; i++)
		if (r->open[i] == o)
			r->open[i] = NULL;
	free_open(r, o);
}

/* The line, to o's block; -1 past the block's cap. */
static int add_line(struct kreport_reader *r, struct kreport_open *o, const char *s, size_t n)
{
	size_t cap = o->cap ? o->cap : 1024;

	if (o->len + n + 1 > KREPORT_BLOCK_MAX) {
		o->capped = 1;
		return -1;
	}
	while (cap < o->len + n + 1)
		cap *= 2;
	if (cap > KREPORT_BLOCK_MAX)
		cap = KREPORT_BLOCK_MAX;
	if (cap != o->cap) {
		o->block = grab(r, o, o->block, o->cap, cap);
		o->cap = cap;
	}
	memcpy(o->block + o->len, s, n);
	o->block[o->len + n] = '\n';
	o->len += n + 1;
	return 0;
}

/* Frames of the reporting machinery or a guess do not name a report, nor
 * do the stacks of KASAN's allocations or lockdep's chains. */
static void pick_function(struct kreport_reader *r, struct kreport_open *o,
			  const struct pframe *f, enum kreport_from from)
{
	size_t n = name_len(f->sym, f->symlen);

	if (from == KREPORT_FROM_LR || f->unreliable || o->section == SEC_OTHER)
		return;
	if ((o->pick[0] && (o->pick[1] || o->in_irq)) || is_machinery(f->sym, n))
		return;
	if (!o->pick[0])
		o->pick[0] = grab_str(r, o, f->sym, n);
	if (!o->pick[1] && !o->in_irq)
		o->pick[1] = grab_str(r, o, f->sym, n);
}

static void add_frame(struct kreport_reader *r, struct kreport_open *o, const struct pframe *f,
		      enum kreport_from from)
{
	struct kreport_frame *k;

	if (!o->grouped) {
		o->group = o->nstacks++;
		o->grouped = 1;
	}
	o->idle = 0;
	pick_function(r, o, f, from);
	if (o->nframes == KREPORT_FRAMES_MAX)
		return;
	if (o->nframes == o->fcap) {
		size_t cap = o->fcap ? o->fcap * 2 : 16;

		if (cap > KREPORT_FRAMES_MAX)
			cap = KREPORT_FRAMES_MAX;
		o->frames = grab(r, o, o->frames, o->fcap * sizeof(*k), cap * sizeof(*k));
		o->fcap = cap;
	}
	k = &o->frames[o->nframes++];
	*k = (struct kreport_frame){
		.symbol = grab_str(r, o, f->sym, f->symlen),
		.off = f->off,
		.size = f->size,
		.module = f->mod ? grab_str(r, o, f->mod, f->modlen) : NULL,
		.reliable = !f->unreliable && from != KREPORT_FROM_LR,
		.from = from,
		.stack = o->group,
	};
}

/* The sanitizers' and lockdep's stacks follow a line ending in ':'
 * ("Freed by task 1:", "-> #1 (&lock){+.+.}-{3:3}:"). */
static enum section section_header(const struct kreport_open *o, const char *s)
{
	size_t n;

	if (is_line(s, "Call Trace:") || is_line(s, "Call trace:") || is_line(s, "Backtrace:"))
		return SEC_CALL;
	if (o->kind != KREPORT_KASAN && o->kind != KREPORT_KMSAN && o->kind != KREPORT_KFENCE &&
	    o->kind != KREPORT_KCSAN && o->kind != KREPORT_LOCKDEP)
		return SEC_NONE;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n && s[n - 1] == ':' && !register_line(s) ? SEC_OTHER : SEC_NONE;
}

static void begin_section(struct kreport_open *o, enum section sec)
{
	/* a RIP or pc and the call trace after it are one stack */
	if (!(sec == SEC_CALL && o->regs_group))
		o->grouped = 0;
	o->regs_group = 0;
	o->section = sec;
	o->in_irq = 0;
	o->idle = 0;
}

static void end_section(struct kreport_open *o)
{
	if (!o->section)
		return;
	if (o->section == SEC_CALL)
		o->trace_done = 1;
	o->grouped = 0;
	o->section = SEC_NONE;
	o->regs_group = 0;
	o->in_irq = 0;
}

/* A line inside a stack: 1 if it is one of the stack's. */
static int section_line(struct kreport_reader *r, struct kreport_open *o, const char *s)
{
	struct pframe f;
	enum kreport_from from;
	const char *e;

	if (stack_marker(s, &o->in_irq))
		return 1;
	if (parse_frame(s, &f)) {
		e = spaces(f.end);
		/* newer arm64 kernels mark frames "(P)" and "(L)" */
		if (!*e || *e == '(') {
			add_frame(r, o, &f, KREPORT_FROM_TRACE);
			return 1;
		}
	}
	if (ip_frame(s, &f, &from)) {
		add_frame(r, o, &f, from);
		return 1;
	}
	return register_line(s);
}

/* Lockdep names the lock's taker "at:" (not in the list of locks held, "#0: ..."). */
static void lockdep_line(struct kreport_reader *r, struct kreport_open *o, const char *s)
{
	const char *at = strstr(s, ", at: ");
	struct pframe f;
	size_t n;

	if (!o->function && at && *s != '#' && parse_frame(at + 6, &f))
		o->function = grab_str(r, o, f.sym, name_len(f.sym, f.symlen));
	if (!o->location && (n = path_line(s, 0)) && s[n] == ' ')
		o->location = grab_str(r, o, s, n);
}

static void outside_section(struct kreport_reader *r, struct kreport_open *o, const char *s)
{
	enum section sec = section_header(o, s);
	enum kreport_from from;
	struct pframe f;

	if (sec) {
		begin_section(o, sec);
	} else if (ip_frame(s, &f, &from)) {
		if (!o->regs_group) {
			o->grouped = 0;
			o->regs_group = 1;
		}
		add_frame(r, o, &f, from);
	} else if (o->kind == KREPORT_LOCKDEP) {
		lockdep_line(r, o, s);
	}
}

/* What a report prints after a stack and before the next: an RCU stall's
 * CPUs and kthread, NMI backtraces of other CPUs, the locks held. */
static int report_body(const char *s)
{
	static const char *const more[] = {
		"CPU: ", "Hardware name:", "Modules linked in:", "RIP: ", "pc : ", "Call Trace:",
		"Call trace:", "NMI backtrace for cpu", "Sending NMI from CPU", "rcu: ", "task:",
		"irq event stamp:", "hardirqs last", "softirqs last", "Showing ", "\t",
		"INFO: lockdep is turned off", "Preemption disabled at:",
	};

	for (size_t i = 0; i < ARRAY_SIZE(more); i++)
		if (skip(s, more[i]))
			return 1;
	return 0;
}

/* ---- the reports kept ---- */

static const char *chosen_function(const struct kreport_open *o)
{
	if (o->function)
		return o->function;
	if (o->prefer_task && o->pick[1])
		return o->pick[1];
	return o->pick[0];
}

static void make_title(const struct kreport_open *o, const char *fn, char *title)
{
	const char *in = o->add_in && fn ? fn :
			 o->add_in && o->loc_fallback ? o->location : NULL;

	snprintf(title, TITLE_MAX + 1, "%s%s%s", o->head, in ? " in " : "", in ? in : "");
}

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static size_t kept_size(const struct kreport_open *o, const char *title, const char *fn)
{
	size_t n = o->len + 1 + str_size(title) + str_size(fn) + str_size(o->location);

	for (size_t i = 0; i < o->nframes; i++)
		n += sizeof(o->frames[i]) + str_size(o->frames[i].symbol) +
		     str_size(o->frames[i].module);
	return n;
}

static struct kreport_frame *copy_frames(const struct kreport_open *o)
{
	struct kreport_frame *f = o->nframes ? xmalloc(o->nframes * sizeof(*f)) : NULL;

	for (size_t i = 0; i < o->nframes; i++) {
		f[i] = o->frames[i];
		f[i].symbol = xstrdup(o->frames[i].symbol);
		f[i].module = o->frames[i].module ? xstrdup(o->frames[i].module) : NULL;
	}
	return f;
}

/* A copy of o's report to the reader's list, if the caps leave room. */
static void keep(struct kreport_reader *r, const struct kreport_open *o, int cut)
{
	const char *fn = chosen_function(o);
	char title[TITLE_MAX + 1];
	struct kreport *k;
	size_t size;

	if (o->needs_stack && !o->nstacks)
		return;		/* a "WARNING:" line no stack followed: not a report */
	if (r->nreports == KREPORT_KEEP) {
		r->dropped++;
		return;
	}
	make_title(o, fn, title);
	size = kept_size(o, title, fn);
	if (size > KEPT_MAX - r->kept_mem) {
		r->dropped++;
		return;
	}
	if (r->nreports == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;

		if (cap > KREPORT_KEEP)
			cap = KREPORT_KEEP;
		r->reports = xrealloc(r->reports, cap * sizeof(*k));
		r->mem += (cap - r->cap) * sizeof(*k);
		r->cap = cap;
	}
	k = &r->reports[r->nreports++];
	*k = (struct kreport){
		.kind = o->kind,
		.title = xstrdup(title),
		.function = fn ? xstrdup(fn) : NULL,
		.location = o->location ? xstrdup(o->location) : NULL,
		.block = xmalloc(o->len + 1),
		.block_len = o->len,
		.frames = copy_frames(o),
		.nframes = o->nframes,
		.cut = cut,
	};
	memcpy(k->block, o->block ? o->block : "", o->len);
	k->block[o->len] = '\0';
	r->kept_mem += size;
	r->mem += size;
}

/* o is over: a report is kept (cut if it did not reach its end), a prelude
 * dropped.  A stack the console stops in counts as whole: the guest died
 * after it far more often than inside it. */
static void close_open(struct kreport_reader *r, struct kreport_open *o)
{
	int done;

	end_section(o);
	done = o->ended || (o->end == END_TRACE && o->trace_done);
	if (o->kind >= 0)
		keep(r, o, o->capped || !done);
	retire(r, o);
}

/* A free place for a report, retiring a prelude or else the oldest report if none. */
static size_t free_slot(struct kreport_reader *r)
{
	size_t i, old = 0;

	for (i = 0; i < KREPORT_OPEN; i++)
		if (!r->open[i])
			return i;
	for (i = 0; i < KREPORT_OPEN; i++) {
		if (r->open[i]->kind < 0)
			break;
		if (r->open[i]->seq < r->open[old]->seq)
			old = i;
	}
	if (i < KREPORT_OPEN)
		old = i;
	close_open(r, r->open[old]);
	return old;
}

static struct kreport_open *new_open(struct kreport_reader *r, unsigned long caller)
{
	size_t i = free_slot(r);
	struct kreport_open *o = xcalloc(1, sizeof(*o));

	o->bytes = sizeof(*o);
	r->mem += sizeof(*o);
	o->callers[0] = caller;
	o->ncallers = 1;
	o->seq = r->seq++;
	o->kind = -1;
	o->idle_max = PRELUDE_MAX;
	r->open[i] = o;
	return o;
}

/* ---- lines ---- */

/* A console line, and what printk put before its text. */
struct cline {
	const char *text;	/* the whole line, for the block */
	size_t len;
	const char *body;	/* after "[   12.345678]" and "[  T123]" */
	unsigned long caller;	/* CONFIG_PRINTK_CALLER's T or C id; 0: none */
};

/* The length of "[   12.345678]" at s, 0 if none. */
static size_t timestamp(const char *s)
{
	size_t n = 1, d;

	if (*s != '[')
		return 0;
	while (n < 16 && s[n] == ' ')
		n++;
	if (!(d = digits(s + n)) || s[n + d] != '.')
		return 0;
	n += d + 1;
	if (!(d = digits(s + n)) || s[n + d] != ']')
		return 0;
	return n + d + 1;
}

/* The length of "[  T123]" or "[    C1]" at s, 0 if none; its id in *caller. */
static size_t caller_id(const char *s, unsigned long *caller)
{
	size_t n = 1, d;

	if (*s != '[')
		return 0;
	while (n < 16 && s[n] == ' ')
		n++;
	if ((s[n] != 'T' && s[n] != 'C') || !(d = digits(s + n + 1)) || d > 9 ||
	    s[n + 1 + d] != ']')
		return 0;
	*caller = strtoul(s + n + 1, NULL, 10) * 2 + (s[n] == 'T' ? 1 : 2);
	return n + 1 + d + 1;
}

/* s past printk's prefix, NULL if it has none. */
static const char *after_prefix(const char *s, unsigned long *caller, int need_time)
{
	size_t t = timestamp(s), c;

	*caller = 0;
	if (need_time && !t)
		return NULL;
	c = caller_id(s + t, caller);
	if (!t && !c)
		return NULL;
	s += t + c;
	return *s == ' ' ? s + 1 : s;
}

/* 0 for a line that is not the kernel's: when the kernel stamps its lines,
 * one without a stamp is a program's writing to the console. */
static int split_line(struct kreport_reader *r, struct cline *l)
{
	const char *s = r->line, *body;

	l->text = r->line;
	l->len = r->len;
	if (s[0] == '<' && isdigit((unsigned char)s[1]) && s[2] == '>')
		s += 3;		/* a log level, as /dev/kmsg and netconsole write it */
	body = after_prefix(s, &l->caller, 0);
	/* a program's text before the kernel's line, on the same console line */
	for (const char *q = strchr(s, '['); !body && r->stamped && q; q = strchr(q + 1, '['))
		body = after_prefix(q, &l->caller, 1);
	if (!body && r->stamped)
		return 0;
	if (body)
		r->stamped = 1;
	l->body = body ? body : s;
	return 1;
}

static struct kreport_open *find_open(struct kreport_reader *r, unsigned long caller)
{
	for (size_t i = 0; i < KREPORT_OPEN; i++)
		for (int j = 0; r->open[i] && j < r->open[i]->ncallers; j++)
			if (r->open[i]->callers[j] == caller)
				return r->open[i];
	return NULL;
}

/* Another CPU's NMI backtrace belongs to the stall or lockup that asked for it. */
static struct kreport_open *adopt(struct kreport_reader *r, const struct cline *l)
{
	struct kreport_open *best = NULL;

	if (!l->caller || !skip(l->body, "NMI backtrace for cpu"))
		return NULL;
	for (size_t i = 0; i < KREPORT_OPEN; i++) {
		struct kreport_open *o = r->open[i];

		if (o && (o->kind == KREPORT_RCU_STALL || o->kind == KREPORT_HARD_LOCKUP ||
			  o->kind == KREPORT_SOFT_LOCKUP) && o->ncallers < CALLERS_MAX &&
		    (!best || o->seq > best->seq))
			best = o;
	}
	if (best)
		best->callers[best->ncallers++] = l->caller;
	return best;
}

/*
 * A title inside an open report that is one more line of it: die()'s header
 * after "BUG: unable to handle ..." or "kernel BUG at", the panic a WARN or
 * a sanitizer causes with panic_on_warn, or an oops with panic_on_oops.  The
 * reports that end after their stack panic only after it: a new report.
 */
static int continues(struct kreport_open *o, const struct title *t)
{
	if (!o || o->kind < 0)
		return 0;
	if (t->panic)
		return o->end != END_TRACE;
	if (!t->die || o->died || (o->kind != KREPORT_OOPS && o->kind != KREPORT_KERNEL_BUG &&
				   o->kind != KREPORT_BUG))
		return 0;
	o->died = 1;
	o->end = END_MARKER;	/* "BUG: stack guard page was hit" then die() */
	return 1;
}

static void begin_report(struct kreport_reader *r, struct kreport_open *o,
			 const struct cline *l, const struct title *t)
{
	if (o && o->kind >= 0) {
		close_open(r, o);
		o = NULL;
	}
	if (!o)
		o = new_open(r, l->caller);
	o->kind = t->kind;
	o->end = t->end;
	o->idle = 0;
	o->idle_max = t->idle_max;
	o->add_in = t->add_in;
	o->loc_fallback = t->loc_fallback;
	o->needs_stack = t->needs_stack;
	o->prefer_task = t->prefer_task;
	o->died = t->die;
	o->head = grab_str(r, o, t->head, strlen(t->head));
	if (*t->function)
		o->function = grab_str(r, o, t->function, strlen(t->function));
	if (*t->location)
		o->location = grab_str(r, o, t->location, strlen(t->location));
	if (add_line(r, o, l->text, l->len) < 0)
		close_open(r, o);
}

/* "------------[ cut here ]------------" or a rule of '=': a report may
 * follow; the rule after a sanitizer's report is its end. */
static void prelude(struct kreport_reader *r, struct kreport_open *o, const struct cline *l,
		    int rule)
{
	if (o && o->kind >= 0 && rule && o->end == END_RULE) {
		o->ended = 1;
		add_line(r, o, l->text, l->len);
		close_open(r, o);
		return;
	}
	if (o)
		close_open(r, o);
	o = new_open(r, l->caller);
	add_line(r, o, l->text, l->len);
}

/* One more line of report o. */
static void report_line(struct kreport_reader *r, struct kreport_open *o, const struct cline *l)
{
	const char *s = spaces(l->body);

	if (skip(s, "---[ end ")) {
		o->ended = 1;
		add_line(r, o, l->text, l->len);
		close_open(r, o);
		return;
	}
	if (!*s) {
		end_section(o);
		if (o->end != END_RULE && o->trace_done) {
			o->ended = 1;
			close_open(r, o);
			return;
		}
	} else if (!o->section || !section_line(r, o, s)) {
		end_section(o);
		if (o->end == END_TRACE && o->trace_done && !report_body(l->body)) {
			close_open(r, o);
			return;
		}
		outside_section(r, o, s);
	}
	if (add_line(r, o, l->text, l->len) < 0 || ++o->idle > o->idle_max)
		close_open(r, o);
}

static void process_line(struct kreport_reader *r)
{
	struct kreport_open *o;
	struct cline l;
	struct title t;
	int rule;

	if (!split_line(r, &l))
		return;
	o = find_open(r, l.caller);
	if (match_title(l.body, &t) && !continues(o, &t)) {
		begin_report(r, o, &l, &t);
		return;
	}
	rule = is_rule(l.body);
	if (rule || skip(spaces(l.body), "------------[ cut here ]")) {
		prelude(r, o, &l, rule);
		return;
	}
	if (!o && !(o = adopt(r, &l)))
		return;
	if (o->kind >= 0)
		report_line(r, o, &l);
	else if (++o->idle > o->idle_max || add_line(r, o, l.text, l.len) < 0)
		retire(r, o);
}

/* ---- bytes ---- */

static void end_line(struct kreport_reader *r)
{
	r->line[r->len] = '\0';
	process_line(r);
	r->len = 0;
}

static void put(struct kreport_reader *r, char c)
{
	if (r->len < KREPORT_LINE_MAX)
		r->line[r->len++] = c;
}

/* After ESC: CSI "ESC [ ... final", strings "ESC ] ... BEL|ESC \", "ESC ( B". */
static int esc_kind(unsigned char c)
{
	if (c == '[')
		return ESC_CSI;
	if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X')
		return ESC_STRING;
	return c >= 0x20 && c < 0x30 ? ESC_INTER : ESC_NONE;
}

/* One console byte: escape sequences and control bytes go (a tab stays),
 * bytes past ASCII become '?', a newline ends the line whatever came before. */
static void take(struct kreport_reader *r, unsigned char c)
{
	if (c == '\n') {
		r->esc = ESC_NONE;
		end_line(r);
		return;
	}
	if (r->esc != ESC_NONE &&
	    ++r->esc_len > (r->esc >= ESC_STRING ? ESC_STRING_MAX : ESC_MAX))
		r->esc = ESC_NONE;
	switch (r->esc) {
	case ESC_NONE:
		if (c == 0x1b) {
			r->esc = ESC_START;
			r->esc_len = 0;
		} else if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
			put(r, c);
		} else if (c >= 0x80) {
			put(r, '?');
		}
		break;
	case ESC_START:
		r->esc = esc_kind(c);
		break;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e)
			r->esc = ESC_NONE;
		break;
	case ESC_INTER:
		if (c < 0x20 || c >= 0x30)
			r->esc = ESC_NONE;
		break;
	case ESC_STRING:
		if (c == 0x07 || c == 0x1b)
			r->esc = c == 0x07 ? ESC_NONE : ESC_STRING_ESC;
		break;
	case ESC_STRING_ESC:
		r->esc = ESC_NONE;
		break;
	}
}

/* ---- the interface ---- */

void kreport_reader_init(struct kreport_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void kreport_feed(struct kreport_reader *r, const char *p, size_t n)
{
	size_t i = 0, j, room;

	while (i < n) {
		/* a run of plain text goes to the line at once */
		for (j = i; r->esc == ESC_NONE && j < n && p[j] >= 0x20 && p[j] < 0x7f; j++)
			;
		if (j == i) {
			take(r, (unsigned char)p[i++]);
			continue;
		}
		room = KREPORT_LINE_MAX - r->len;
		memcpy(r->line + r->len, p + i, j - i < room ? j - i : room);
		r->len += j - i < room ? j - i : room;
		i = j;
	}
}

void kreport_finish(struct kreport_reader *r)
{
	if (r->len)
		end_line(r);
	r->esc = ESC_NONE;
	/* the oldest first: the list stays in the order the reports began */
	for (;;) {
		struct kreport_open *first = NULL;

		for (size_t i = 0; i < KREPORT_OPEN; i++)
			if (r->open[i] && (!first || r->open[i]->seq < first->seq))
				first = r->open[i];
		if (!first)
			break;
		close_open(r, first);
	}
}

size_t kreport_count(const struct kreport_reader *r)
{
	return r->nreports;
}

const struct kreport *kreport_get(const struct kreport_reader *r, size_t i)
{
	return i < r->nreports ? &r->reports[i] : NULL;
}

size_t kreport_dropped(const struct kreport_reader *r)
{
	return r->dropped;
}

size_t kreport_memory(const struct kreport_reader *r)
{
	return r->mem;
}

const char *kreport_kind_name(enum kreport_kind k)
{
	return (unsigned)k < KREPORT_NKINDS ? kind_names[k] : "?";
}

void kreport_reader_free(struct kreport_reader *r)
{
	for (size_t i = 0; i < KREPORT_OPEN; i++)
		if (r->open[i])
			retire(r, r->open[i]);
	for (size_t i = 0; i < r->nreports; i++) {
		struct kreport *k = &r->reports[i];

		for (size_t j = 0; j < k->nframes; j++) {
			free(k->frames[j].symbol);
			free(k->frames[j].module);
		}
		free(k->frames);
		free(k->title);
		free(k->function);
		free(k->location);
		free(k->block);
	}
	free(r->reports);
	memset(r, 0, sizeof(*r));
}
