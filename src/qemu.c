/*
 * qemu.c - QEMU for minos: the flags for a fast headless boot, every host
 * endpoint a Unix socket in a private directory (so any number of guests
 * run side by side), and KVM only when it really runs the guest.
 */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"
#include "util.h"

#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define KVM_PROGRESS_MS 5000	/* a KVM guest prints within 1 s */
#define CONNECT_MS 20000

static const char *const accel_names[] = {"auto", "kvm", "tcg"};

int vm_config_init(struct vm_config *c)
{
	const char *env = getenv("MINOS_ACCEL");

	*c = (struct vm_config){.memory_mb = 512, .cpus = 1};
	initramfs_opts_init(&c->initramfs);
	if (env && *env && vm_config_opt(c, OPT_ACCEL, env) < 0)
		return fail("MINOS_ACCEL", "must be auto, kvm or tcg");
	return 0;
}

int vm_config_opt(struct vm_config *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_ISO: c->iso = arg; return 1;
	case OPT_USB: c->usb = arg; return 1;
	case OPT_INITRD: c->initrd = arg; return 1;
	case OPT_UEFI: c->uefi = 1; return 1;
	case OPT_APPEND: c->append = arg; return 1;
	case OPT_MONITOR: c->monitor = arg; return 1;
	case OPT_ACCEL:
		for (int i = 0; i < 3; i++)
			if (!strcmp(arg, accel_names[i])) {
				c->accel = (enum accel)i;
				return 1;
			}
		return fail("--accel", "'%s': expected auto, kvm or tcg", arg);
	case OPT_MEMORY:
		if (parse_long(arg, 64, 1 << 20, &c->memory_mb) < 0)
			return fail("--memory", "'%s': expected megabytes, at least 64", arg);
		return 1;
	case OPT_CPUS:
		if (parse_long(arg, 1, 256, &c->cpus) < 0)
			return fail("--cpus", "'%s': expected 1 to 256", arg);
		return 1;
	case OPT_GDB:
		c->gdb_port = 1234;
		if (arg && parse_long(arg, 1, 65535, &c->gdb_port) < 0)
			return fail("--gdb", "'%s': expected a TCP port", arg);
		return 1;
	case OPT_DISK:
		c->disks = xrealloc(c->disks, (c->ndisks + 1) * sizeof(*c->disks));
		c->disks[c->ndisks++] = arg;
		return 1;
	}
	return initramfs_opt(&c->initramfs, opt, arg);
}

int vm_config_finish(struct vm_config *c)
{
	char *version = NULL;

	const char *image = c->iso ? c->iso : c->usb, *opt = c->iso ? "--iso" : "--usb";

	if (c->iso && c->usb)
		return fail("--usb", "boots an image like --iso: give one of them");
	if (image && (c->initramfs.kernel || c->initrd))
		return fail(opt, "boots the image's own kernel: no --kernel or --initrd with it");
	if (image) {
		if (access(image, R_OK) < 0)
			return fail_errno(image, "cannot read image");
		if (c->append)
			warning("--append", "ignored with %s: the image's GRUB entry has the command line",
				opt);
	} else {
		char *k = kernel_find(c->initramfs.kernel);

		if (!k)
			return -1;
		c->kernel = k;
		if (kernel_inspect(k, &version) < 0)
			return -1;
		free(version);
		if (c->initrd && access(c->initrd, R_OK) < 0)
			return fail_errno(c->initrd, "cannot read initrd");
	}
	for (size_t i = 0; i < c->ndisks; i++)
		if (access(c->disks[i], R_OK | W_OK) < 0)
			return fail_errno(c->disks[i], "cannot use as a disk");
	if (c->uefi && access(OVMF_CODE, R_OK) < 0)
		return fail(OVMF_CODE, "UEFI firmware missing: install Debian's ovmf");
	return 0;
}

void vm_config_free(struct vm_config *c)
{
	free((char *)c->kernel);
	free(c->disks);
	initramfs_opts_free(&c->initramfs);
	*c = (struct vm_config){0};
}

int kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	return ok;
}

static int listen_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(a.sun_path))
		return fail(path, "socket path too long (set TMPDIR to a shorter directory)");
	strcpy(a.sun_path, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
		fail_errno(path, "cannot listen");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int copy_file(const char *from, const char *to)
{
	struct buf b = {0};
	int fd, rc = 0;

	if (read_file(from, &b) < 0)
		return -1;
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, b.data, b.len) < 0)
		rc = fail_errno(to, "cannot write");
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

static const char *disk_format(const char *path)
{
	unsigned char m[4] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, m, 4) != 4)
			m[0] = 0;
		close(fd);
	}
	return !memcmp(m, "QFI\xfb", 4) ? "qcow2" : "raw";
}

struct argv {
	char **v;
	size_t n;
};

static void arg(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;

	a->v = xrealloc(a->v, (a->n + 2) * sizeof(char *));
	va_start(ap, fmt);
	if (vasprintf(&a->v[a->n], fmt, ap) < 0)
		die_oom();
	va_end(ap);
	a->v[++a->n] = NULL;
}

static void build_argv(const struct vm_config *c, const struct vm *vm,
		       enum accel accel, struct argv *a)
{
	arg(a, "qemu-system-x86_64");
	arg(a, "-nodefaults"); arg(a, "-no-user-config");
	arg(a, "-display"); arg(a, "none");
	arg(a, "-no-reboot");
	arg(a, "-accel"); arg(a, "%s", accel == ACCEL_KVM ? "kvm" : "tcg");
	if (accel == ACCEL_KVM) {
		arg(a, "-cpu"); arg(a, "host");
	}
	arg(a, "-m"); arg(a, "%ld", c->memory_mb);
	arg(a, "-smp"); arg(a, "%ld", c->cpus);
	arg(a, "-chardev"); arg(a, "socket,id=con,path=%s/con.sock", vm->dir);
	arg(a, "-serial"); arg(a, "chardev:con");
	if (c->test) {
		/* ttyS1 carries the test protocol; the guest learns it from an
		 * SMBIOS OEM string, which reaches it through any bootloader. */
		arg(a, "-chardev"); arg(a, "socket,id=ctl,path=%s/ctl.sock", vm->dir);
		arg(a, "-serial"); arg(a, "chardev:ctl");
		arg(a, "-smbios"); arg(a, "type=11,value=minos.test=ttyS1");
	}
	arg(a, "-chardev");
	if (c->monitor)
		arg(a, "socket,id=mon,path=%s,server=on,wait=off", c->monitor);
	else
		arg(a, "socket,id=mon,path=%s/monitor.sock,server=on,wait=off", vm->dir);
	arg(a, "-mon"); arg(a, "chardev=mon,mode=readline");
	if (c->uefi) {
		arg(a, "-drive"); arg(a, "if=pflash,format=raw,unit=0,readonly=on,file=%s", OVMF_CODE);
		arg(a, "-drive"); arg(a, "if=pflash,format=raw,unit=1,file=%s/vars.fd", vm->dir);
	}
	if (c->iso) {
		arg(a, "-drive"); arg(a, "file=%s,media=cdrom,readonly=on,if=ide,index=2", c->iso);
		arg(a, "-boot"); arg(a, "d");
	} else if (c->usb) {
		/* A stick on xHCI, booted first; the guest's writes go nowhere. */
		arg(a, "-device"); arg(a, "qemu-xhci,id=xhci");
		arg(a, "-drive"); arg(a, "if=none,id=stick,format=raw,snapshot=on,file=%s", c->usb);
		arg(a, "-device"); arg(a, "usb-storage,bus=xhci.0,drive=stick,bootindex=0");
	} else {
		arg(a, "-kernel"); arg(a, "%s", c->kernel);
		arg(a, "-initrd"); arg(a, "%s", vm->initrd);
		arg(a, "-append");
		/* An early console shows the kernel's setup and start_kernel
		 * as they happen, for a timeline. */
		arg(a, "console=ttyS0 panic=-1%s%s%s%s", c->gdb_port ? " nokaslr" : "",
		    c->early_console && !(c->append && strstr(c->append, "earlyprintk=")) ?
		    " earlyprintk=serial,ttyS0,115200" : "",
		    c->append ? " " : "", c->append ? c->append : "");
	}
	for (size_t i = 0; i < c->ndisks; i++) {
		arg(a, "-drive");
		arg(a, "file=%s,if=virtio,format=%s", c->disks[i], disk_format(c->disks[i]));
	}
	if (c->gdb_port) {
		arg(a, "-gdb"); arg(a, "tcp::%ld", c->gdb_port);
		arg(a, "-S");
	}
}

/* The private directory, the initrd and the UEFI variables: once per boot. */
static int prepare(const struct vm_config *c, struct vm *vm)
{
	const char *tmp = getenv("TMPDIR");
	struct outfile out;

	if (vm->dir)
		return 0;
	vm->dir = xasprintf("%s/minos.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(vm->dir)) {
		fail_errno(vm->dir, "cannot make a private directory");
		free(vm->dir);
		vm->dir = NULL;
		return -1;
	}
	if (c->uefi) {
		char *vars = xasprintf("%s/vars.fd", vm->dir);
		int rc = copy_file(OVMF_VARS, vars);

		free(vars);
		if (rc < 0)
			return -1;
	}
	if (c->iso || c->usb)
		return 0;
	if (c->initrd) {
		vm->initrd = xstrdup(c->initrd);
		return 0;
	}
	vm->initrd = xasprintf("%s/initrd.img", vm->dir);
	if (outfile_open(&out, vm->initrd, 0600) < 0)
		return -1;
	if (initramfs_build(&c->initramfs, sink_fd(out.fd, vm->initrd), vm->initrd) < 0) {
		outfile_abort(&out);
		return -1;
	}
	return outfile_commit(&out);
}

/* QEMU dies with us, whatever kills us: no guest is left running. */
static int spawn_qemu(struct vm *vm, char **argv)
{
	int fds[2], e = 0;
	pid_t parent = getpid();

	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail_errno("qemu-system-x86_64", "cannot run");
	vm->pid = fork();
	if (vm->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(null, 0);
		sigprocmask(SIG_SETMASK, &(sigset_t){0}, NULL);
		execvp(argv[0], argv);
		e = errno;
		if (write(fds[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	if (vm->pid > 0 && read(fds[0], &e, sizeof(e)) == sizeof(e)) {
		waitpid(vm->pid, NULL, 0);
		vm->pid = 0;
		errno = e;
	}
	close(fds[0]);
	if (vm->pid <= 0)
		return fail_errno(argv[0], "cannot run (install Debian's qemu-system-x86)");
	return 0;
}

static int accept_within(int lfd, const struct vm *vm, const char *what)
{
	long long waited = 0;

	while (waited < CONNECT_MS) {
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		int status;

		if (poll(&p, 1, 100) > 0)
			return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (waitpid(vm->pid, &status, WNOHANG) == vm->pid)
			return fail("qemu-system-x86_64", "exited before connecting its %s "
				    "(its message is above)", what);
		waited += 100;
	}
	return fail("qemu-system-x86_64", "did not connect its %s", what);
}

int vm_start(const struct vm_config *c, struct vm *vm, enum accel accel)
{
	struct argv a = {0};
	char *con_path, *ctl_path;
	int lcon, lctl = -1, rc = -1;

	if (prepare(c, vm) < 0)
		return -1;
	vm->accel = accel;
	vm->con = vm->ctl = -1;
	con_path = xasprintf("%s/con.sock", vm->dir);
	ctl_path = xasprintf("%s/ctl.sock", vm->dir);
	unlink(con_path);
	unlink(ctl_path);
	lcon = listen_at(con_path);
	if (c->test && lcon >= 0)
		lctl = listen_at(ctl_path);
	if (lcon < 0 || (c->test && lctl < 0))
		goto out;
	build_argv(c, vm, accel, &a);
	vm->spawn_ms = now_ms_host();
	if (!vm->first_spawn_ms)
		vm->first_spawn_ms = vm->spawn_ms;
	if (spawn_qemu(vm, a.v) < 0 || (vm->con = accept_within(lcon, vm, "console")) < 0 ||
	    (c->test && (vm->ctl = accept_within(lctl, vm, "test channel")) < 0))
		goto out;
	rc = 0;
out:
	if (lcon >= 0)
		close(lcon);
	if (lctl >= 0)
		close(lctl);
	for (size_t i = 0; i < a.n; i++)
		free(a.v[i]);
	free(a.v);
	free(con_path);
	free(ctl_path);
	return rc;
}

int vm_wait_progress(struct vm *vm, char *seen, size_t size, size_t *n)
{
	long long left = KVM_PROGRESS_MS;
	struct pollfd p = {.fd = vm->con, .events = POLLIN};

	*n = 0;
	while (left > 0) {
		int status;

		if (poll(&p, 1, 100) > 0) {
			ssize_t r = read(vm->con, seen, size);

			if (r > 0) {
				*n = (size_t)r;
				return 0;
			}
			return -1;
		}
		if (vm_exited(vm, &status))
			return -1;
		left -= 100;
	}
	return 1;
}

int vm_exited(struct vm *vm, int *status)
{
	if (vm->pid <= 0)
		return 1;
	if (waitpid(vm->pid, status, WNOHANG) == vm->pid) {
		vm->pid = 0;
		return 1;
	}
	return 0;
}

static void vm_stop(struct vm *vm)
{
	int status;

	if (vm->pid > 0) {
		kill(vm->pid, SIGKILL);
		waitpid(vm->pid, &status, 0);
		vm->pid = 0;
	}
	if (vm->con >= 0)
		close(vm->con);
	if (vm->ctl >= 0)
		close(vm->ctl);
	vm->con = vm->ctl = -1;
}

/* Removes what prepare() and vm_start() made; nothing else is in there. */
void vm_destroy(struct vm *vm)
{
	static const char *const files[] = {
		"con.sock", "ctl.sock", "monitor.sock", "vars.fd", "initrd.img",
	};

	vm_stop(vm);
	for (size_t i = 0; vm->dir && i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", vm->dir, files[i]);

		unlink(p);
		free(p);
	}
	if (vm->dir && rmdir(vm->dir) < 0)
		warning(vm->dir, "cannot remove: %s", strerror(errno));
	free(vm->dir);
	free(vm->initrd);
	vm->dir = vm->initrd = NULL;
}

int vm_boot(const struct vm_config *c, struct vm *vm, char *seen, size_t size,
	    size_t *n)
{
	enum accel accel = c->accel;
	int fell_back = 0;

	*n = 0;
	if (accel == ACCEL_KVM && !kvm_usable())
		return fail("/dev/kvm", "--accel kvm: KVM cannot be used here: %s",
			    access("/dev/kvm", F_OK) ? "no /dev/kvm" : "cannot open it");
	if (accel == ACCEL_AUTO)
		accel = kvm_usable() && !c->gdb_port ? ACCEL_KVM : ACCEL_TCG;
	for (;;) {
		int r;

		if (vm_start(c, vm, accel) < 0)
			return -1;
		if (accel != ACCEL_KVM || c->gdb_port)
			break;
		r = vm_wait_progress(vm, seen, size, n);
		if (r == 0)
			break;
		if (r < 0 && c->accel == ACCEL_KVM)
			return fail("qemu-system-x86_64", "exited at once under KVM");
		if (c->accel == ACCEL_KVM)
			return fail("/dev/kvm", "--accel kvm: the guest made no progress in %d s "
				    "under KVM", KVM_PROGRESS_MS / 1000);
		vm_stop(vm);
		if (r < 0)
			warning("KVM", "QEMU failed under KVM; falling back to TCG (slow; "
				"MINOS_ACCEL=tcg skips the try)");
		else
			warning("KVM", "the guest made no progress in %d s; falling back to TCG "
				"(slow; MINOS_ACCEL=tcg skips the try)", KVM_PROGRESS_MS / 1000);
		accel = ACCEL_TCG;
		fell_back = 1;
	}
	if (!fell_back)
		fprintf(stderr, "minos: accel: %s\n", vm->accel == ACCEL_KVM ? "kvm" :
			"tcg (software emulation, slow)");
	return 0;
}
