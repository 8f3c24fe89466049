/* testrun.h - the minos test channel (in->test is NULL when not a test boot) */
#ifndef MINOS_INIT_TESTRUN_H
#define MINOS_INIT_TESTRUN_H

#include <stddef.h>
#include <sys/types.h>

struct init;
struct test_run;

/* The value of key=VALUE among the SMBIOS OEM strings (QEMU's -smbios type=11). */
int oem_string(const char *key, char *out, size_t n);
/*
 * Opens the channel the host named (ttyS1; hvc0, a virtio console port on
 * arm64's virt, which has one UART), its path in dev: a port still being
 * added is waited for a while.  -1 with errno set.
 */
int channel_open(const char *name, char *dev, size_t n, int flags);
struct test_run *test_open(const char *cmdline);
int test_fds(struct test_run *t, int *fds, int max);	/* fds to poll */
void test_start(struct init *in);
void test_io(struct init *in, int fd);
int test_child_exited(struct init *in, pid_t pid, int status);	/* 1: ours */

#endif
