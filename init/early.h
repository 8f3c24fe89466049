/* early.h - what PID 1 sets up before it runs anything */
#ifndef MINOS_INIT_EARLY_H
#define MINOS_INIT_EARLY_H

struct init;

/* stdio, pseudo-filesystems, environment, hostname, log level */
void early_setup(struct init *in);
/* efivarfs and securityfs, where the firmware and kernel have them (after modules_boot). */
void mount_firmware(struct init *in);
/* The console's log level: again once a test boot is known, for its warnings. */
void set_printk(const struct init *in);

#endif
