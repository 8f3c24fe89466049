#!/bin/sh
# The kernel's verdict (#29) on kernels built to fault: the verdict tree
# (linux-source-6.1, minos kconfig --minimal, LKDTM, KUnit, KASAN, DWARF;
# scripts/build-test-kernels.sh) and Debian's kernel with tests/kmod's
# minos_fault module (scripts/build-test-module.sh).  Each report fails a
# command that exited 0 with 250, its line names the report and the
# function, its trace is decoded to the lines addr2line gives; a hang is
# explained; a panic is dumped for crash and drgn; KUnit's and kselftest's
# KTAP become a summary and JUnit.
. "$(dirname "$0")/../lib.sh"

KERNELS=$("$ROOT/scripts/build-test-kernels.sh")
TREE=$(echo "$KERNELS" | sed -n 's/^verdict //p')
MODULES=$("$ROOT/scripts/build-test-module.sh")
VMODS=$(echo "$MODULES" | sed -n 's/^verdict //p')
DMODS=$(echo "$MODULES" | sed -n 's/^debian //p')
DEBIAN=$(kernel)
export MINOS_CACHE=$TMP/cache

# lkdtm's crash type $1 written in a shell of its own, so that the command
# itself exits 0 whatever the fault does to that shell
lkdtm() {
	echo "mount -t debugfs none /sys/kernel/debug; (echo $1 >/sys/kernel/debug/provoke-crash/DIRECT); true"
}

# check_decoded FUNC OBJ: the first decoded frame of FUNC on stderr (err)
# gives the lines addr2line gives for that frame, found in the log (log):
# the RIP's address as is, a call trace's return address less one.  OBJ is
# the vmlinux or the module's .ko (whose .text addresses are its own).
check_decoded() {
	func=$1 obj=$2
	got=$(grep -m1 "^minos:   $func (" err | sed 's/^[^(]*(//; s/).*//')
	frame=$(grep -m1 -o "RIP: 0010:$func+0x[0-9a-f]*/0x[0-9a-f]*" "$TMP/log" || true)
	back=0
	if [ -z "$frame" ]; then
		# a frame the unwinder was sure of: not "? f+0x...", which minos skips
		frame=$(grep " $func+0x" "$TMP/log" | grep -v "? $func+" |
			grep -m1 -o "$func+0x[0-9a-f]*/0x[0-9a-f]*")
		back=1
	fi
	off=$(echo "$frame" | sed 's/.*+0x\([0-9a-f]*\)\/.*/\1/')
	base=$(nm "$obj" | awk -v f="$func" '$3 == f { print $1; exit }')
	# kernel addresses overflow the shell's signed arithmetic
	addr=$(python3 -c "print(format(int(\"$base\", 16) + int(\"$off\", 16) - $back, \"x\"))")
	case $obj in
	*.ko) want=$(addr2line -i -j .text -e "$obj" "$addr") ;;
	*) want=$(addr2line -i -e "$obj" "$addr") ;;
	esac
	want=$(echo "$want" | sed 's| (discriminator [0-9]*)||' | tr "\n" " " | sed 's/ $//')
	echo "frame: $frame, $([ $back = 1 ] && echo "a return address: " )$obj at $addr"
	echo "decoded: $got"
	echo "addr2line: $want"
	[ -n "$got" ] && [ -n "$want" ]
	# the same lines, innermost first; minos's paths are the tree's, addr2line's
	# absolute: compare FILE:LINE
	expect_eq "$(echo "$got" | tr " " "\n" | sed "s|.*/||" | tr "\n" " ")" \
		"$(echo "$want" | tr " " "\n" | sed "s|.*/||" | tr "\n" " ")"
}

# spin_on serial|other: lkdtm HARDLOCKUP on the CPU the serial console's
# interrupt goes to (no SysRq can be heard), or on the other of two
spin_on() {
	echo "mount -t debugfs none /sys/kernel/debug; s=\$(cat /proc/irq/4/effective_affinity_list);"
	[ "$1" = serial ] && echo "c=\$s;" || echo "c=\$((1 - s));"
	echo "echo spinning on CPU \$c; taskset \$((1 << c)) sh -c \"echo HARDLOCKUP >/sys/kernel/debug/provoke-crash/DIRECT\""
}

# run_fault NAME SCRIPT: minos test on the verdict tree, 250 and the log
run_fault() {
	set +e
	(cd "$VMODS" && "$MINOS" test --kernel "$TREE" --log "$TMP/log" -- sh -c "$2") \
		>out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 250
}

test_expect_success 'lkdtm WARNING: 250, "WARNING at FILE:LINE lkdtm_WARNING", the trace as addr2line has it' '
	run_fault warning "$(lkdtm WARNING)"
	grep -q "^minos: kernel: WARNING at drivers/misc/lkdtm/bugs.c:[0-9]* lkdtm_WARNING+0x" err
	check_decoded lkdtm_WARNING "$TREE/vmlinux"
'

test_expect_success 'lkdtm BUG: 250, "kernel BUG at" naming lkdtm_BUG, decoded' '
	run_fault bug "$(lkdtm BUG)"
	grep -q "^minos: kernel: .*BUG at drivers/misc/lkdtm/bugs.c:[0-9]*.*lkdtm_BUG" err
	check_decoded lkdtm_BUG "$TREE/vmlinux"
'

test_expect_success 'a NULL dereference (minos_fault what=null): an Oops naming minos_fault_null, decoded from the .ko' '
	run_fault null "insmod ./minos_fault.ko what=null; sleep 2; true"
	# KASAN catches it first, as a general protection fault in its shadow
	grep -q "^minos: kernel: Oops: .* in minos_fault_null" err
	grep -q "KASAN: null-ptr-deref" "$TMP/log"
	check_decoded minos_fault_null "$VMODS/minos_fault.ko"
'

test_expect_success 'lkdtm EXCEPTION: an Oops naming lkdtm_EXCEPTION' '
	run_fault exception "$(lkdtm EXCEPTION)"
	grep -q "^minos: kernel: .*lkdtm_EXCEPTION" err
	check_decoded lkdtm_EXCEPTION "$TREE/vmlinux"
'

test_expect_success 'KASAN use-after-free (lkdtm READ_AFTER_FREE): named, decoded' '
	run_fault kasan "$(lkdtm READ_AFTER_FREE)"
	grep -q "^minos: kernel: .*KASAN: use-after-free.*lkdtm_READ_AFTER_FREE" err
	check_decoded lkdtm_READ_AFTER_FREE "$TREE/vmlinux"
'

test_expect_success 'a hung task (minos_fault what=hang): "blocked for more than", the waiting function decoded' '
	run_fault hung "echo 5 >/proc/sys/kernel/hung_task_timeout_secs; insmod ./minos_fault.ko what=hang; sleep 25; true"
	grep -q "^minos: kernel: .*blocked for more than" err
	check_decoded minos_fault_hang "$VMODS/minos_fault.ko"
'

test_expect_success 'a soft lockup (minos_fault what=softlockup for 12 s): named, decoded' '
	run_fault soft "echo 2 >/proc/sys/kernel/watchdog_thresh; insmod ./minos_fault.ko what=softlockup seconds=12; sleep 14; true"
	grep -q "^minos: kernel: .*soft lockup" err
	check_decoded minos_fault_softlockup "$VMODS/minos_fault.ko"
'

test_expect_success '--kernel-reports warn: the same faults in one boot give 0, each said' '
	(cd "$VMODS" && "$MINOS" test --kernel "$TREE" --kernel-reports warn -- sh -c \
		"$(lkdtm WARNING); $(lkdtm BUG); $(lkdtm READ_AFTER_FREE); insmod ./minos_fault.ko what=null; sleep 2") >out 2>err
	cat err
	grep -q "^minos: kernel: WARNING at .*lkdtm_WARNING" err
	grep -q "^minos: kernel: .*lkdtm_BUG" err
	grep -q "^minos: kernel: .*KASAN: use-after-free" err
	grep -q "^minos: kernel: .*minos_fault_null" err
'

test_expect_success 'a CPU spinning with interrupts off (lkdtm HARDLOCKUP, 2 CPUs): at the timeout every CPU'"'"'s backtrace and the blocked tasks (SysRq), 124' '
	set +e
	"$MINOS" test --kernel "$TREE" --cpus 2 --timeout 40 --log hang.log -- sh -c \
		"$(spin_on other)" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	c=$(sed -n "s/^spinning on CPU //p" out)
	grep -q "^minos: hang: CPU $c was in lkdtm_HARDLOCKUP" err
	grep -q "^minos: hang: CPU $((1 - c)) was " err
	grep -q "sysrq: Show backtrace of all active CPUs" hang.log
	grep -q "NMI backtrace for cpu 1" hang.log
	grep -q "sysrq: Show Blocked State" hang.log
'

test_expect_success 'and when the stuck CPU is the one the serial line interrupts: the NMI, whose panic shows every CPU' '
	set +e
	"$MINOS" test --kernel "$TREE" --cpus 2 --timeout 40 --log hang0.log -- sh -c \
		"$(spin_on serial)" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	c=$(sed -n "s/^spinning on CPU //p" out)
	grep -q "no CPU answered: an NMI" hang0.log
	grep -q "^minos: hang: CPU $c was in lkdtm_HARDLOCKUP" err
'

test_expect_success 'one CPU, interrupts off: no SysRq, so an NMI: its panic names where the CPU was, 124' '
	set +e
	"$MINOS" test --kernel "$TREE" --timeout 45 --log nmi.log -- sh -c "$(lkdtm HARDLOCKUP)" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	grep -q "^minos: hang: CPU 0 was in lkdtm_HARDLOCKUP" err
	grep -q "no CPU answered: an NMI" nmi.log
'

test_expect_success '--dump after lkdtm PANIC, 255: crash names the panic and unwinds from panic(), drgn names lkdtm_PANIC' '
	set +e
	"$MINOS" test --kernel "$TREE" --dump vmcore -- sh -c "$(lkdtm PANIC)" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 255
	# crash: the panic, and the panicking task'"'"'s stack from panic() down; its
	# plain bt starts at direct_entry, lkdtm_PANIC'"'"'s caller (the noreturn call
	# to panic() leaves a return address past lkdtm_PANIC'"'"'s end)
	printf "sys\nbt\nbt -t\nquit\n" | crash -s "$TREE/vmlinux" vmcore >bt 2>&1 || { cat bt; false; }
	cat bt
	grep -q "PANIC: \"Kernel panic - not syncing: dumptest\"" bt
	grep -q "^PID: .*COMMAND: \"sh\"" bt
	grep -q "direct_entry at" bt
	grep -q "START: panic at" bt
	# drgn: the crashed thread'"'"'s trace, lkdtm_PANIC with its line
	/usr/bin/python3 - "$TREE/vmlinux" >drgn.out 2>&1 <<-\EOS || { cat drgn.out; false; }
	import sys, drgn
	prog = drgn.Program()
	prog.set_core_dump("vmcore")
	prog.load_debug_info([sys.argv[1]])
	print(prog.crashed_thread().stack_trace())
	EOS
	cat drgn.out
	grep -q "lkdtm_PANIC (.*drivers/misc/lkdtm/bugs.c:[0-9]*" drgn.out
'

test_expect_success '--kunit: every built-in suite in the summary, the counts the log'"'"'s KTAP says' '
	"$MINOS" test --kernel "$TREE" --kunit --log kunit.log --junit kunit.xml >out 2>err
	cat err
	grep -q "^Testing complete. Ran [0-9]* tests: passed: [0-9]*" err
	# every "# Subtest: SUITE" at the top level of the log is in the summary
	tr -d "\r" <kunit.log >kunit.txt
	for s in $(sed -n "s/^\[ *[0-9.]*\] *    # Subtest: //p" kunit.txt); do
		grep -q "$s" err || { echo "suite $s missing"; false; }
	done
	ran=$(sed -n "s/^Testing complete. Ran \([0-9]*\) tests.*/\1/p" err)
	# the cases of the suites: one level in, KUnit indents by four
	cases=$(grep -c "^\[[ 0-9.]*\]     \(not \)\?ok [0-9]" kunit.txt)
	expect_eq "$ran" "$cases"
	python3 - kunit.xml "$ran" <<-\EOS
	import sys, xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	cases = root.findall(".//testcase")
	assert len(cases) == int(sys.argv[2]) + 1, (len(cases), sys.argv[2])
	assert root.get("failures") == "0", root.attrib
	EOS
'

test_expect_success '--kunit: a failing suite (minos_kunit_fail.ko loaded) makes it exit 1' '
	set +e
	(cd "$VMODS" && "$MINOS" test --kernel "$TREE" --kunit -- insmod ./minos_kunit_fail.ko) >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 1
	grep -q "minos_fail" err
	grep -q "fails" err
'

test_expect_success 'kselftests (size, timers, exec) through run_kselftest.sh: a testcase per KTAP result, the status follows' '
	KSFT=$("$ROOT/scripts/build-kselftests.sh" | sed -n "s/^kselftests //p")
	set +e
	(cd "$KSFT" && "$MINOS" test --kernel "$TREE" --timeout 600 --junit "$TMP/ksft.xml" -- ./run_kselftest.sh) >ksft.out 2>err
	rc=$?
	set -e
	cat err ksft.out
	results=$(grep -c "^\(# \)*\(not \)\?ok [0-9]" ksft.out)
	failed=$(grep -c "^\(# \)*not ok [0-9]" ksft.out || true)
	python3 - "$TMP/ksft.xml" "$results" <<-\EOS
	import sys, xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	cases = [c for c in root.findall(".//testcase") if not c.get("name").startswith("./run_kselftest.sh")]
	print(len(cases), "testcases;", sys.argv[2], "result lines")
	assert len(cases) <= int(sys.argv[2]) and len(cases) >= 3, len(cases)
	EOS
	if [ "$failed" -gt 0 ]; then [ "$rc" -ne 0 ]; else expect_eq "$rc" 0; fi
'

test_expect_success 'Debian'"'"'s kernel and minos_fault built against its headers: what=warn is 250, named' '
	set +e
	(cd "$DMODS" && "$MINOS" test --kernel "$DEBIAN" -- sh -c "insmod ./minos_fault.ko what=warn") >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 250
	grep -q "^minos: kernel: WARNING at .*minos_fault_warn" err
'

test_expect_success 'and what=hang at --timeout: the blocked task named by SysRq w, 124' '
	set +e
	(cd "$DMODS" && "$MINOS" test --kernel "$DEBIAN" --timeout 20 -- sh -c "insmod ./minos_fault.ko what=hang; sleep 1000") >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	grep -q "^minos: hang: task .* blocked in minos_fault_hang" err
'

test_done
