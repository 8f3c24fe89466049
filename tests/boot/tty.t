#!/bin/sh
# minos run in a terminal: the guest's console has the host terminal's size
# at start and after a resize, and a TERM the guest knows, never vt102 on an
# xterm or tmux.  Driven in a tmux session of a known size, as a user's.
. "$(dirname "$0")/../lib.sh"

S=minos-tty-$$
export MINOS_CACHE="$TMP/cache"

# A tmux server of the test's own.
tm() { tmux -L "$S" "$@"; }

# screen: what the tmux pane shows now.
screen() { tm capture-pane -p -t "$S" -S -200; }

# until_screen PATTERN: until the pane shows it (at most 120 s).
until_screen() {
	i=0
	while ! screen | grep -q -- "$1"; do
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "no '$1' on the screen:"; screen | tail -20; return 1; }
		sleep 0.2
	done
}

# guest_says COMMAND: types COMMAND in the guest's shell; its output is
# the line after the marker it prints.
guest_says() {
	n=$(( $(cat n 2>/dev/null || echo 0) + 1 )) && echo $n >n
	tm send-keys -t "$S" "echo MARK$n:\$($1)" Enter
	until_screen "^MARK$n:[^\$]" && screen | sed -n "s/^MARK$n://p" | tail -1
}

test_expect_success 'setup: minos run in a 100x30 tmux-256color terminal' '
	K=$(kernel) &&
	tm -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
		"TERM=tmux-256color $MINOS run --kernel $K --net none; sleep 100" &&
	tm set -g status off >/dev/null &&
	until_screen "^~ #"
'


test_expect_success 'the guest console has the terminal size; stty size works' '
	expect_eq "$(guest_says "stty size")" "30 100"
'

test_expect_success 'after the host window is resized, the guest has the new size' '
	tm resize-window -t "$S" -x 120 -y 40 &&
	sleep 1 &&
	expect_eq "$(guest_says "stty size")" "40 120"
'

test_expect_success 'TERM is the host type mapped for the guest, not vt102' '
	expect_eq "$(guest_says "echo \$TERM")" "screen-256color"
'

tm kill-server 2>/dev/null
test_done
