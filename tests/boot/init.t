#!/bin/sh
# minos-init as PID 1 under Debian's kernel: inittab order, respawn limits,
# reaping, and every way to stop the machine.
. "$(dirname "$0")/../lib.sh"

K=$(kernel)

test_expect_success 'minos-init is static and under 72 KiB' '
	file -L "$BUILD/minos-init" | grep -q "statically linked"
	[ $(stat -c %s "$BUILD/minos-init") -lt 73728 ]
'

# make builds it beside the x86 one, and skips it (saying so) only without
# the cross compiler.  Not run: it is an init (it mounts before it looks at
# its pid); the arm64 boot tests run it.
if [ -e "$BUILD/minos-init-arm64" ] || command -v aarch64-linux-gnu-gcc >/dev/null; then
	test_expect_success 'minos-init-arm64 is a static aarch64 ELF and under 72 KiB too' '
		file -L "$BUILD/minos-init-arm64" >file.out
		grep -q "ELF 64-bit LSB executable, ARM aarch64.*statically linked" file.out
		size=$(stat -c %s "$BUILD/minos-init-arm64")
		echo "minos-init-arm64: $size bytes"
		[ "$size" -lt 73728 ]
	'
else
	test_count=$((test_count + 1))
	echo "ok $test_count - # skip minos-init-arm64: no aarch64-linux-gnu-gcc, make did not build it"
fi

test_expect_success 'a custom inittab is obeyed in BusyBox order' '
	image_with_inittab order.img <<-\EOF
	::sysinit:/bin/sh -c "sleep 1; echo STEP-sysinit-1"
	::sysinit:/bin/sh -c "echo STEP-sysinit-2"
	::wait:/bin/sh -c "sleep 1; echo STEP-wait-1"
	::wait:/bin/sh -c "echo STEP-wait-2"
	::once:/bin/sh -c "echo STEP-once; sleep 2; poweroff"
	::respawn:/bin/sh -c "echo STEP-respawn; exec sleep 100"
	::shutdown:/bin/sh -c "echo STEP-shutdown"
	EOF
	boot order.img
	grep -o "STEP-[a-z0-9-]*" console.log >steps
	cat steps
	expect_eq "$(head -4 steps | tr "\n" " ")" "STEP-sysinit-1 STEP-sysinit-2 STEP-wait-1 STEP-wait-2 "
	expect_eq "$(sed -n "5,6p" steps | sort | tr "\n" " ")" "STEP-once STEP-respawn "
	expect_eq "$(tail -1 steps)" STEP-shutdown
	expect_eq "$(grep -c STEP-respawn steps)" 1
'

test_expect_success 'a respawn entry that fails at once backs off, visibly' '
	image_with_inittab fail.img <<-\EOF
	::respawn:/bin/false
	::once:/bin/sh -c "sleep 8; poweroff"
	EOF
	boot fail.img
	grep "exited at once" console.log
	n=$(grep -c "/bin/false. exited at once" console.log)
	[ "$n" -ge 2 ] && [ "$n" -le 5 ]
	grep -q "next try in 4 s" console.log
'

test_expect_success '300 orphans whose parents exit at once leave no zombies' '
	"$MINOS" test --kernel "$K" -- sh -c "
		for i in \$(seq 300); do (sleep 1 &); done
		sleep 5
		grep -l \"^[0-9]* ([^)]*) Z\" /proc/[0-9]*/stat | wc -l" >zombies
	expect_eq "$(cat zombies)" 0
'

test_expect_success 'poweroff powers off, running shutdown entries' '
	image_with_inittab off.img <<-\EOF
	::once:/bin/sh -c "sleep 1; poweroff"
	::shutdown:/bin/sh -c "echo SHUTDOWN-ENTRY"
	EOF
	boot off.img
	grep -q "SHUTDOWN-ENTRY" console.log
	grep -q "reboot: Power down" console.log
'

test_expect_success 'ten reboots in a row: shutdown entries run exactly once' '
	image_with_inittab reboot.img <<-\EOF
	::once:/bin/sh -c "sleep 1; for i in 1 2 3 4 5 6 7 8 9 10; do reboot; done"
	::shutdown:/bin/sh -c "echo SHUTDOWN-ENTRY; sleep 1"
	EOF
	boot reboot.img
	expect_eq "$(grep -c SHUTDOWN-ENTRY console.log)" 1
	grep -q "reboot: Restarting system" console.log
'

test_expect_success 'halt stops the CPU; QEMU stays' '
	image_with_inittab halt.img <<-\EOF
	::once:/bin/sh -c "sleep 1; halt"
	EOF
	boot halt.img -monitor unix:halt.mon,server=on,wait=off &
	wait_for "reboot: System halted" console.log
	sleep 1
	kill -0 $! 2>/dev/null
	monitor halt.mon quit
	wait
'

test_expect_success 'Ctrl-Alt-Del from QEMU reboots' '
	image_with_inittab cad.img <<-\EOF
	::once:/bin/sh -c "echo CAD-READY"
	::shutdown:/bin/sh -c "echo SHUTDOWN-ENTRY"
	EOF
	boot cad.img -monitor unix:cad.mon,server=on,wait=off &
	wait_for CAD-READY console.log
	monitor cad.mon "sendkey ctrl-alt-delete"
	wait
	grep -q "minos-init: reboot" console.log
	grep -q SHUTDOWN-ENTRY console.log
'

test_expect_success 'SIGHUP re-reads inittab: a new respawn entry starts, a kept one stays' '
	cat >hup.sh <<-\EOF
	#!/bin/sh
	sleep 1
	echo "::respawn:/bin/sh -c \"echo RESPAWN-TWO; exec sleep 100\"" >>/etc/inittab
	kill -HUP 1
	sleep 2
	poweroff
	EOF
	chmod +x hup.sh
	cat >hup.inittab <<-\EOF
	::respawn:/bin/sh -c "echo RESPAWN-ONE; exec sleep 100"
	::once:/hup.sh
	EOF
	"$MINOS" initramfs -o hup.img --add hup.inittab:/etc/inittab --add hup.sh:/hup.sh
	boot hup.img
	grep -q "reloaded /etc/inittab" console.log
	expect_eq "$(grep -c RESPAWN-ONE console.log)" 1
	expect_eq "$(grep -c RESPAWN-TWO console.log)" 1
'

test_expect_success 'the console shell has job control; Ctrl-C; exit respawns' '
	sock=minos-$$
	T() { tmux -L "$sock" "$@"; }
	screen() { T capture-pane -p -S -300 >screen.txt; cat screen.txt; }
	until_screen() {
		i=0
		until screen | grep -q -- "$1"; do
			i=$((i + 1)); [ $i -lt $((${2:-90} * 5)) ] || { screen; return 1; }; sleep 0.2
		done
	}
	# stty.after is complete before RUN-EXITED shows
	T new-session -d -x 160 -y 50 "stty -g >stty.before; \"$MINOS\" run --kernel \"$K\"; \
		rc=\$?; stty -g >stty.after; echo RUN-EXITED \$rc; sleep 600"
	trap "tmux -L $sock kill-server 2>/dev/null" EXIT
	until_screen "^~ #"
	T send-keys "echo answer-\$((6*7))" Enter
	until_screen "^answer-42"
	T send-keys "sleep 100 &" Enter
	T send-keys "jobs" Enter
	until_screen "Running *sleep 100"
	T send-keys "sleep 60; echo NOT-\$((1+1))-INTERRUPTED" Enter
	sleep 2
	T send-keys C-c
	T send-keys "echo alive-\$((1+1))" Enter
	until_screen "^alive-2" 10
	expect_absent "job control turned off" screen.txt
	expect_absent "NOT-2-INTERRUPTED" screen.txt
	T send-keys "echo pid-\$\$" Enter
	until_screen "^pid-[0-9]"
	first=$(grep "^pid-" screen.txt | tail -1)
	T send-keys "exit" Enter
	sleep 2
	T send-keys "echo pid-\$\$" Enter
	until_screen "^pid-[0-9].*" 
	i=0
	while [ "$(screen | grep "^pid-" | tail -1)" = "$first" ]; do
		i=$((i + 1)); [ $i -lt 50 ]; sleep 0.2
	done
	T send-keys C-a x
	until_screen "RUN-EXITED 0" 20
	cmp stty.before stty.after
'

test_done
