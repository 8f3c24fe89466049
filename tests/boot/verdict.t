#!/bin/sh
# minos test's verdict with Debian's kernel: a hang explained before the
# timeout (SysRq), --hang-timeout, a panic's memory dumped for crash and
# drgn, (K)TAP on the command's stdout as JUnit.  The kernel's own faults
# (WARN, BUG, KASAN, lockups, KUnit) are make check-kernels' (tests/kernels/verdict.t).
. "$(dirname "$0")/../lib.sh"

K=$(kernel)
t() { "$MINOS" test --kernel "$K" "$@"; }

test_expect_success 'a guest still running at the timeout is asked where: SysRq l and w in the log, a line per CPU, 124' '
	set +e
	TMPDIR=$TMP t --timeout 12 --log hang.log -- sh -c "echo started; sleep 1000" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	grep -q "timed out after 12 s" err
	grep -q "^minos: hang: CPU 0 was " err
	grep -q "\[minos test: the guest hangs: asking the kernel for its CPUs. backtraces and blocked tasks (SysRq 8, l, w)\]" hang.log
	grep -q "sysrq: Show backtrace of all active CPUs" hang.log
	grep -q "NMI backtrace for cpu 0" hang.log
	grep -q "sysrq: Show Blocked State" hang.log
'

test_expect_success '--hang-timeout: a guest silent that long is asked, then 124, long before --timeout' '
	set +e
	start=$(date +%s)
	t --timeout 300 --hang-timeout 8 -- sh -c "echo one; sleep 1000" >out 2>err
	rc=$?
	end=$(date +%s)
	set -e
	cat err
	expect_eq "$rc" 124
	grep -q "the guest said nothing for 8 s (--hang-timeout)" err
	grep -q "^minos: hang: CPU 0 was " err
	expect_eq "$(cat out)" one
	[ $((end - start)) -lt 120 ]
'

test_expect_success 'a quiet command that ends is no hang: --hang-timeout counts silence, not time' '
	t --hang-timeout 30 -- sh -c "for i in 1 2 3; do echo \$i; sleep 1; done" >out
	expect_eq "$(cat out | tr "\n" " ")" "1 2 3 "
'

test_expect_success '--dump: a panic writes a kdump-compressed vmcore drgn opens, 255; no panic, no file' '
	set +e
	t --dump vmcore -- sh -c "echo c >/proc/sysrq-trigger" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 255
	grep -q "the guest panicked: dumping its memory to vmcore" err
	file vmcore | grep -q "Kdump compressed dump"
	[ ! -e vmcore.flat.* ] 2>/dev/null || { ls vmcore.*; false; }
	if [ -x /usr/bin/drgn ]; then
		/usr/bin/python3 -c "import drgn, sys; p = drgn.Program(); p.set_core_dump(\"vmcore\"); sys.exit(0 if p.flags & drgn.ProgramFlags.IS_LINUX_KERNEL else 1)"
	fi
	t --dump clean.vmcore -- true
	[ ! -e clean.vmcore ]
	expect_eq "$(ls | grep -c vmcore)" 1
'

test_expect_success '--dump-format elf: an ELF core of the guest'"'"'s memory' '
	set +e
	t --memory 256 --dump core.elf --dump-format elf -- sh -c "echo c >/proc/sysrq-trigger" 2>err
	rc=$?
	set -e
	expect_eq "$rc" 255
	file core.elf | grep -q "ELF 64-bit LSB core file, x86-64"
	rm core.elf
'

test_expect_success '--dump to a directory that does not exist: one line, 125, before the boot' '
	expect_error "minos: nodir/vmcore" t --dump nodir/vmcore -- true
'

test_expect_success '--junit: the command'"'"'s TAP as JUnit; a failed test fails a command that exited 0 with 1' '
	cat >tap.sh <<-\EOS
	echo "TAP version 13"
	echo "1..3"
	echo "ok 1 - first"
	echo "not ok 2 - second"
	echo "#   it broke"
	echo "ok 3 - third # SKIP not here"
	EOS
	set +e
	t --junit r.xml -- sh -c "$(cat tap.sh)" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 1
	python3 - r.xml <<-\EOS
	import sys, xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	assert root.tag == "testsuites", root.tag
	cases = root.findall(".//testcase")
	names = [c.get("name") for c in cases]
	assert names[:3] == ["first", "second", "third"], names
	assert cases[1].find("failure") is not None
	assert cases[2].find("skipped") is not None
	assert cases[0].find("failure") is None
	cmd = cases[3]
	assert cmd.get("name").startswith("sh -c"), cmd.get("name")
	assert cmd.find("failure") is None, "the command itself exited 0"
	assert int(root.get("tests")) == 4 and int(root.get("failures")) == 1 and int(root.get("skipped")) == 1, root.attrib
	EOS
'

test_expect_success '--junit: all passed, status 0; a command that fails is a failed testcase with its status' '
	t --junit ok.xml -- sh -c "echo 1..1; echo ok 1 - fine" >out
	python3 -c "import xml.etree.ElementTree as ET; r = ET.parse(\"ok.xml\").getroot(); assert r.get(\"failures\") == \"0\", r.attrib"
	set +e
	t --junit bad.xml -- sh -c "echo 1..1; echo ok 1 - fine; exit 3" >out
	rc=$?
	set -e
	expect_eq "$rc" 3
	grep -q "<failure message=\"exit status 3\"/>" bad.xml
'

test_expect_success 'an ISO boot (GRUB, BIOS) is asked where it hangs too; its --junit is the same' '
	"$MINOS" iso -o v.iso --kernel "$K" --timeout 0
	set +e
	"$MINOS" test --iso v.iso --timeout 75 --junit iso.xml -- sh -c "echo 1..1; echo ok 1 - up; sleep 1000" >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 124
	grep -q "^minos: hang: CPU 0 was " err
	python3 -c "import xml.etree.ElementTree as ET; r = ET.parse(\"iso.xml\").getroot(); c = r.findall(\".//testcase\"); assert c[0].get(\"name\") == \"up\" and c[1].find(\"error\") is not None, [x.attrib for x in c]"
'

test_expect_success '--kunit on a kernel without KUnit: said, status 1; with --iso: refused' '
	set +e
	t --kunit >out 2>err
	rc=$?
	set -e
	cat err
	expect_eq "$rc" 1
	grep -q "the kernel printed no KTAP" err
	expect_error "minos: --kunit: boots a --kernel" "$MINOS" test --kunit --iso /nonexistent.iso -- true
'

test_done
