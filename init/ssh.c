/*
 * ssh.c - an SSH server: the image's dropbear, keys only (-s -g: no
 * password logins), root's /root/.ssh/authorized_keys deciding who comes
 * in.  Host keys (ed25519, ecdsa) are the image's /etc/dropbear ones, made
 * there when missing, or in /run/dropbear when /etc cannot be written.  A
 * child of PID 1 keeps dropbear running, started again as inittab's
 * respawn entries are, and says once where to connect and the host key's
 * fingerprint.  dropbear's own log goes to the kernel log.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "proc.h"
#include "respawn.h"
#include "ssh.h"
#include "stackspec.h"
#include "tools.h"

#define AUTHORIZED_KEYS "/root/.ssh/authorized_keys"
#define ADDRESS_WAIT_MS 60000	/* then the fingerprint is said without an address */

/* The IPv4 addresses of the interfaces that have one, loopback aside: how many bytes. */
static int addresses(char *out, int n)
{
	struct ifreq ifr[16];
	struct ifconf ifc = {.ifc_len = sizeof(ifr), .ifc_req = ifr};
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), o = 0;

	out[0] = '\0';
	if (sock >= 0 && ioctl(sock, SIOCGIFCONF, &ifc) == 0)
		for (int i = 0; i < ifc.ifc_len / (int)sizeof(ifr[0]) && o < n - 20; i++) {
			unsigned char *a =
				(unsigned char *)&((struct sockaddr_in *)&ifr[i].ifr_addr)->sin_addr;

			if (a[0] != 127)
				o += snprintf(out + o, n - o, "%s%u.%u.%u.%u", o ? ", " : "", a[0], a[1],
					      a[2], a[3]);
		}
	if (sock >= 0)
		close(sock);
	return o;
}

/* Each host key there, or made: in /etc/dropbear, else in /run/dropbear. */
static void host_keys(const struct init *in, char keys[2][64])
{
	static char *const types[] = {"ed25519", "ecdsa"};
	static const char *const dirs[] = {"/etc/dropbear", "/run/dropbear"};

	for (int i = 0; i < 2; i++)
		for (int d = 0; d < 2; d++) {
			char *argv[] = {"dropbearkey", "-t", types[i], "-f", keys[i], NULL};

			snprintf(keys[i], 64, "%s/dropbear_%s_host_key", dirs[d], types[i]);
			mkdir(dirs[d], 0755);
			if (access(keys[i], R_OK) == 0 || tool_run(in, argv, NULL, 0, NULL, 0) == 0)
				break;
		}
}

/* "SHA256:..." of key, as dropbearkey -y says it; "" if it cannot. */
static void fingerprint(const struct init *in, char *key, char *fp, int n)
{
	char out[1024], *argv[] = {"dropbearkey", "-y", "-f", key, NULL}, *l = out;

	if (tool_run(in, argv, NULL, 0, out, sizeof(out)) != 0)
		out[0] = '\0';
	while (*l && strncmp(l, "Fingerprint: ", 13))
		l++;
	snprintf(fp, n, "%.*s", *l ? (int)strcspn(l + 13, "\n") : 0, l + (*l ? 13 : 0));
}

/* The supervisor: dropbear, again each time it exits; never returns. */
static _Noreturn void supervise(const struct init *in)
{
	static char keys[2][64];
	static char *const argv[] = {"dropbear", "-F", "-E", "-s", "-g", "-p", "22", "-r", keys[0],
				     "-r", keys[1], NULL};
	char fp[128], addr[128];
	struct respawn r = {0};
	int log, said = 0, status;

	for (int fd = 3; fd < 64; fd++)
		close(fd);	/* PID 1's: the test channel, the uevent socket */
	log = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	host_keys(in, keys);
	fingerprint(in, keys[0], fp, sizeof(fp));
	for (;;) {
		pid_t pid = tool_spawn(in, argv, -1, log);
		long long delay;

		r.started_ms = now_ms();
		/* the address comes from DHCP, maybe later: looked for every half second */
		while (pid > 0 && waitpid(pid, &status, said ? 0 : WNOHANG) == 0) {
			poll(NULL, 0, 500);
			if (addresses(addr, sizeof(addr)) || now_ms() - r.started_ms > ADDRESS_WAIT_MS) {
				say("ssh: listening on port 22 (%s), host key %s",
				    addr[0] ? addr : "no address yet", fp);
				said = 1;
			}
		}
		delay = respawn_exited(&r, now_ms());
		say("ssh: dropbear exited; again in %lld s", delay / 1000);
		poll(NULL, 0, (int)delay);
	}
}

void ssh_start(struct init *in)
{
	char path[64];
	/* anything but on or off: as if it were not there */
	int on = ssh_setting(in->cmdline, -1);
	pid_t pid;

	if (on < 0)
		on = access(AUTHORIZED_KEYS, F_OK) == 0 ? 2 : 0;
	if (!on || in->hostroot)
		return;
	if (tool_find("dropbear", path, sizeof(path)) < 0) {
		if (on == 1)
			say("minos.ssh=on: dropbear is not in the image");
		return;
	}
	pid = fork();
	if (pid < 0)
		say("ssh: cannot fork: %s", strerror(errno));
	if (pid == 0) {
		child_reset(in);
		setsid();
		supervise(in);
	}
}
