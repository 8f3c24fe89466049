// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * minos_fault: a module that makes the kernel report a fault when it is
 * loaded, for the tests of what minos test reads on the console (#29):
 *
 *   insmod minos_fault.ko what=WHAT [seconds=N]
 *
 *   warn        WARN_ON(1) in minos_fault_warn; the load succeeds
 *   bug         BUG() in minos_fault_bug, in a kthread: an Oops ("kernel
 *               BUG at"), the kthread dies, the load succeeds once the
 *               report is out
 *   null        a NULL dereference in minos_fault_null, in a kthread: an
 *               Oops, the kthread dies, the load succeeds once it is out
 *   uaf         a read of freed memory in minos_fault_uaf: a KASAN report
 *               on a KASAN kernel (silence elsewhere); the load succeeds
 *   hang        a kthread in minos_fault_hang takes a mutex it holds: in D
 *               state for ever, for the hung-task detector ("INFO: task
 *               minos_fault:PID blocked for more than N seconds" once
 *               /proc/sys/kernel/hung_task_timeout_secs has passed); the
 *               load succeeds at once
 *   softlockup  a kthread spins in minos_fault_softlockup with preemption
 *               off for `seconds` (default 30; the detector reports after
 *               2 * /proc/sys/kernel/watchdog_thresh, 20 s by default),
 *               then stops; the load succeeds after it
 *   spin_irqoff a kthread spins in minos_fault_spin_irqoff with interrupts
 *               off for ever: with one CPU the guest hangs (only an NMI or
 *               the other CPUs can say where); the load may never return
 *
 * Each fault is in its own noinline function, so the trace names it.  The
 * modules that leave a kthread behind (hang, spin_irqoff) cannot be removed.
 */
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *what = "";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "the fault: warn, bug, null, uaf, hang, softlockup or spin_irqoff");

static unsigned int seconds = 30;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long softlockup spins (default 30)");

enum minos_fault { MF_WARN, MF_BUG, MF_NULL, MF_UAF, MF_HANG, MF_SOFTLOCKUP, MF_SPIN_IRQOFF };
static const char *const minos_fault_names[] = {
	[MF_WARN] = "warn", [MF_BUG] = "bug", [MF_NULL] = "null", [MF_UAF] = "uaf",
	[MF_HANG] = "hang", [MF_SOFTLOCKUP] = "softlockup", [MF_SPIN_IRQOFF] = "spin_irqoff",
};

static DECLARE_COMPLETION(minos_fault_started);
static DECLARE_COMPLETION(minos_fault_done);
static DEFINE_MUTEX(minos_fault_mutex);
/* volatile: the compiler cannot know it stays NULL and must load through it */
static int *volatile minos_fault_nowhere;

static noinline void minos_fault_warn(void)
{
	WARN_ON(1);
}

static noinline void minos_fault_bug(void)
{
	BUG();
}

static noinline int minos_fault_null(void)
{
	return READ_ONCE(*minos_fault_nowhere);
}

static noinline int minos_fault_uaf(void)
{
	int *p = kmalloc(8 * sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	p[0] = 29;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	return READ_ONCE(p[0]);
}

static noinline void minos_fault_hang(void)
{
	mutex_lock(&minos_fault_mutex);
	mutex_lock(&minos_fault_mutex);	/* waits for itself: D state for ever */
	/* never here; but a call left to make keeps the one above no tail
	 * call, and minos_fault_hang in the trace */
	mutex_unlock(&minos_fault_mutex);
	mutex_unlock(&minos_fault_mutex);
}

static noinline void minos_fault_softlockup(void)
{
	unsigned long end = jiffies + (unsigned long)seconds * HZ;

	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
}

static noinline void minos_fault_spin_irqoff(void)
{
	local_irq_disable();
	for (;;)
		cpu_relax();
}

static int minos_fault_thread(void *data)
{
	enum minos_fault f = (enum minos_fault)(unsigned long)data;

	complete(&minos_fault_started);
	switch (f) {
	case MF_BUG: minos_fault_bug(); break;
	case MF_NULL: pr_info("minos_fault: read %d\n", minos_fault_null()); break;
	case MF_HANG: minos_fault_hang(); break;
	case MF_SOFTLOCKUP: minos_fault_softlockup(); break;
	case MF_SPIN_IRQOFF: minos_fault_spin_irqoff(); break;
	default: break;
	}
	/* softlockup comes back: say so, then wait for kthread_stop() */
	complete(&minos_fault_done);
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int __init minos_fault_init(void)
{
	struct task_struct *t;
	int f;

	if (!*what) {
		pr_info("minos_fault: loaded, no fault asked for (what=)\n");
		return 0;
	}
	for (f = 0; f < ARRAY_SIZE(minos_fault_names); f++)
		if (!strcmp(what, minos_fault_names[f]))
			break;
	if (f == ARRAY_SIZE(minos_fault_names)) {
		pr_err("minos_fault: unknown what=%s (warn, bug, null, uaf, hang, softlockup, spin_irqoff)\n",
		       what);
		return -EINVAL;
	}
	pr_info("minos_fault: %s\n", what);
	switch (f) {
	case MF_WARN:
		minos_fault_warn();
		return 0;
	case MF_UAF:
		/* the value read is used: no clone (.isra) renames the function */
		pr_info("minos_fault: read %d\n", minos_fault_uaf());
		return 0;
	}

	t = kthread_create(minos_fault_thread, (void *)(unsigned long)f, "minos_fault");
	if (IS_ERR(t))
		return PTR_ERR(t);
	if (f == MF_HANG || f == MF_SPIN_IRQOFF) {
		__module_get(THIS_MODULE);	/* its code runs for ever */
		wake_up_process(t);
		return 0;
	}
	/* bug and null die in their Oops, softlockup ends: wait for that */
	get_task_struct(t);
	wake_up_process(t);
	wait_for_completion(&minos_fault_started);
	/* softlockup: wait interruptibly (S), not in D for the hung-task detector */
	if (f == MF_SOFTLOCKUP && wait_for_completion_interruptible(&minos_fault_done))
		pr_info("minos_fault: interrupted; waiting for the spin to end\n");
	kthread_stop(t);	/* returns once the kthread has died or ended */
	put_task_struct(t);
	return 0;
}

static void __exit minos_fault_exit(void)
{
}

module_init(minos_fault_init);
module_exit(minos_fault_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("makes the kernel report a fault when loaded, for minos's tests");
