/*
 * power.c - the ACPI power button: QEMU's system_powerdown (and virsh
 * shutdown) presses it.  With the button and evdev modules loaded the
 * kernel reports it as KEY_POWER on an input device named "Power Button";
 * PID 1 reads those devices and powers off cleanly.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "init.h"
#include "power.h"

/* <linux/input.h>, which musl-gcc cannot see */
struct input_event {
	struct timeval time;
	unsigned short type, code;
	int value;
};
#define EV_KEY 1
#define KEY_POWER 116

void power_open(struct init *in)
{
	char path[64], name[64];

	for (int i = 0; i < 32 && in->npower < POWER_MAX; i++) {
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/class/input/event%d/device/name", i);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, name, sizeof(name) - 1);
		close(fd);
		name[n > 0 ? n : 0] = '\0';
		if (strncmp(name, "Power Button", 12))
			continue;
		snprintf(path, sizeof(path), "/dev/input/event%d", i);
		if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0)
			in->power[in->npower++] = fd;
	}
}

int power_pressed(int fd)
{
	struct input_event ev[16];
	ssize_t n = read(fd, ev, sizeof(ev));

	for (int i = 0; i < n / (ssize_t)sizeof(ev[0]); i++)
		if (ev[i].type == EV_KEY && ev[i].code == KEY_POWER && ev[i].value == 1)
			return 1;
	return 0;
}
