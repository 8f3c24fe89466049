/*
 * askpass.c - a passphrase asked on every console at once (the screen
 * and the serial line of /sys/class/tty/console/active): whichever
 * answers first wins, the others get a new line and lose what was typed
 * there.  Echo is off while asking and restored after.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "askpass.h"
#include "fsutil.h"

#define ASK_MAX 4

int ask_secret(const char *prompt, char *buf, size_t n)
{
	char active[256], dev[48], *save = NULL;
	struct pollfd p[ASK_MAX];
	struct termios saved[ASK_MAX], t;
	int k = 0, alive, win = -1;
	ssize_t got = 0;

	if (read_small("/sys/class/tty/console/active", active, sizeof(active)) <= 0)
		strcpy(active, "console");
	for (char *w = strtok_r(active, " \n", &save); w && k < ASK_MAX;
	     w = strtok_r(NULL, " \n", &save)) {
		/* tty0 is whichever VT is in front: the first is where boot shows */
		snprintf(dev, sizeof(dev), "/dev/%.40s", strcmp(w, "tty0") ? w : "tty1");
		p[k] = (struct pollfd){.fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC),
				       .events = POLLIN};
		if (p[k].fd >= 0 && tcgetattr(p[k].fd, &saved[k]) < 0)
			close(p[k].fd);
		else if (p[k].fd >= 0) {
			t = saved[k];
			t.c_lflag = (t.c_lflag & ~(tcflag_t)ECHO) | ICANON | ECHONL;
			tcsetattr(p[k].fd, TCSAFLUSH, &t);
			if (write(p[k].fd, prompt, strlen(prompt)) < 0) {
				/* it may answer all the same */
			}
			k++;
		}
	}
	for (alive = k; win < 0 && alive > 0 && poll(p, k, -1) > 0;)
		for (int i = 0; i < k && win < 0; i++) {
			if (p[i].revents & POLLIN && (got = read(p[i].fd, buf, n - 1)) > 0)
				win = i;
			else if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				p[i].fd = ~p[i].fd;	/* gone: poll leaves it out, the others still ask */
				alive--;
			}
		}
	for (int i = 0; i < k; i++) {
		int fd = p[i].fd < 0 ? ~p[i].fd : p[i].fd;

		tcsetattr(fd, TCSAFLUSH, &saved[i]);
		if (i != win && write(fd, "\n", 1) < 0) {
			/* nothing more to say there */
		}
		close(fd);
	}
	if (win < 0)
		return -1;
	got -= buf[got - 1] == '\n';
	buf[got] = '\0';
	return (int)got;
}
