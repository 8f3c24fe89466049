/* test-hang.c - a hung kernel's answer to SysRq l and w, and QMP's lines */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vm/hang.h"
#include "vm/qmp.h"

/* A 6.1 kernel's answer, as the console brings it (CRLF, stamps). */
static const char answer[] =
	"[   13.803161] sysrq: Show backtrace of all active CPUs\r\n"
	"[   13.806482] NMI backtrace for cpu 0\r\n"
	"[   13.806500] CPU: 0 PID: 63 Comm: insmod Tainted: G           O       6.1.0 #1\r\n"
	"[   13.806520] RIP: 0010:minos_fault_spin+0x4/0x10 [minos_fault]\r\n"
	"[   13.806600] Call Trace:\r\n"
	"[   13.806648]  __handle_sysrq.cold+0x44/0x11c\r\n"
	"[   13.806700] NMI backtrace for cpu 1 skipped: idling at default_idle+0x10/0x20\r\n"
	"[   13.806710] NMI backtrace for cpu 2\r\n"
	"[   13.806720] RIP: 0033:0x7f0000001234\r\n"
	"[   13.806730] NMI backtrace for cpu 3\r\n"
	"[   13.806740] RIP: 0010:native_safe_halt+0xb/0x10\r\n"
	"[   14.814838] sysrq: Show Blocked State\r\n"
	"[   14.814900] task:kworker/0:1     state:D stack:0     pid:12    ppid:2      flags:0x00004000\r\n"
	"[   14.814910] Call Trace:\r\n"
	"[   14.814920]  <TASK>\r\n"
	"[   14.814930]  __schedule+0x2d0/0x8a0\r\n"
	"[   14.814940]  schedule+0x5e/0xd0\r\n"
	"[   14.814945]  ? stale_word+0x1/0x2\r\n"
	"[   14.814950]  schedule_preempt_disabled+0x14/0x30\r\n"
	"[   14.814960]  __mutex_lock.constprop.0+0x3d0/0x6c0\r\n"
	"[   14.814970]  minos_fault_lock_twice+0x2a/0x40 [minos_fault]\r\n"
	"[   14.814980]  process_one_work+0x1c7/0x380\r\n"
	"[   14.814990]  </TASK>\r\n"
	"[   14.815000] task:sh state:D stack:0 pid:70 ppid:1 flags:0x0\r\n";

static void sysrq_answer(void)
{
	struct hang_reader h;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	hang_init(&h);
	/* byte by byte: a line can arrive in pieces */
	for (size_t i = 0; i < sizeof(answer) - 1; i++)
		hang_feed(&h, answer + i, 1);
	hang_finish(&h);
	is_int(h.n, 6, "four CPUs and two tasks");
	is_str(h.items[0].function, "minos_fault_spin", "CPU 0: its RIP");
	is_str(h.items[1].function, "(idle)", "CPU 1: skipped, idling");
	is_str(h.items[2].function, "(user space)", "CPU 2: in user space");
	is_str(h.items[3].function, "(idle)", "CPU 3: halted is idle");
	is_str(h.items[4].name, "kworker/0:1", "the task's name");
	is_int(h.items[4].pid, 12, "its pid");
	is_str(h.items[4].function, "minos_fault_lock_twice",
	       "its place: past the scheduler, the mutex and a guessed word");
	is_str(h.items[5].function, "", "a task without a trace: no place");
	is_int(hang_print(&h, f), 6, "a line each");
	fclose(f);
	ok(strstr(out, "minos: hang: CPU 0 was in minos_fault_spin\n") &&
	   strstr(out, "minos: hang: CPU 1 was idle\n") &&
	   strstr(out, "minos: hang: CPU 2 was in user space\n") &&
	   strstr(out, "minos: hang: task kworker/0:1 (pid 12) blocked in minos_fault_lock_twice\n") &&
	   strstr(out, "minos: hang: task sh (pid 70) blocked in an unknown place\n"), "the lines: %s", out);
	free(out);
}

/* One CPU spinning with interrupts off: no SysRq, minos's NMI, the panic's RIP. */
static const char nmi[] =
	"[   39.427414] Uhhuh. NMI received for unknown reason 21 on CPU 0.\r\n"
	"[   39.430862] Kernel panic - not syncing: NMI: Not continuing\r\n"
	"[   39.431923]  <NMI>\r\n"
	"[   39.433647] RIP: 0010:lkdtm_HARDLOCKUP+0x3/0x5\r\n";

static void nmi_panic(void)
{
	struct hang_reader h;

	hang_init(&h);
	hang_feed(&h, nmi, sizeof(nmi) - 1);
	hang_finish(&h);
	is_int(h.n, 1, "the NMI's CPU");
	is_int(h.items[0].cpu, 0, "CPU 0");
	is_str(h.items[0].function, "lkdtm_HARDLOCKUP", "where it spun");
}

static void hostile(void)
{
	struct hang_reader h;
	char *big = malloc(1 << 20);

	hang_init(&h);
	memset(big, 'x', 1 << 20);
	hang_feed(&h, big, 1 << 20);
	hang_feed(&h, "\nNMI backtrace for cpu 7\n", 25);
	is_int(h.n, 1, "a line beyond the cap is dropped, the next read");
	for (int i = 0; i < 200; i++)
		hang_feed(&h, "task:t state:D pid:1\n", 21);
	is_int(h.n, HANG_ITEMS, "items capped");
	is_int(h.dropped, 200 + 1 - HANG_ITEMS, "the rest counted");
	hang_feed(&h, "\x1b[1mNMI backtrace for cpu \xff\n", 28);
	hang_finish(&h);
	free(big);
}

static void qmp_lines(void)
{
	struct qmp q = {.fd = -1};
	static const char *const lines[] = {
		"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}}, "
		"\"capabilities\": [\"oob\"]}}",
		"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"GUEST_PANICKED\", "
		"\"data\": {\"action\": \"pause\", \"info\": {\"event\": \"SHUTDOWN\"}}}",
	};

	qmp_line(&q, lines[0], strlen(lines[0]));
	is_int(q.answered, 0, "the greeting is no answer");
	qmp_line(&q, lines[1], strlen(lines[1]));
	is_int(q.events, QMP_EV_PANICKED, "an event at the top level, not one named in its data");
	qmp_line(&q, "{\"event\": \"STOP\"}", 17);
	ok(q.events & QMP_EV_STOP, "STOP");
	qmp_line(&q, "{\"return\": {}}", 14);
	is_int(q.answered, 1, "a return");
	qmp_line(&q, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no \\\"dump\\\" here\"}}", 63);
	is_int(q.answered, -1, "an error");
	is_str(q.error, "no \"dump\" here", "its description, unescaped");
	qmp_line(&q, "{\"event\": \"STO", 14);
	qmp_line(&q, "\"\\", 2);
	is_int(q.answered, -1, "cut lines change nothing");
	char *quoted = qmp_quote("a\"b\\c\n");
	is_str(quoted, "a\\\"b\\\\c\\u000a", "a path quoted for JSON");
	free(quoted);
}

int main(void)
{
	sysrq_answer();
	nmi_panic();
	hostile();
	qmp_lines();
	return done_testing();
}
