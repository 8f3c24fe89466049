/* log.h - minos-init's messages, one line each, "minos-init: ..." */
#ifndef MINOS_INIT_LOG_H
#define MINOS_INIT_LOG_H

/* On the console (stderr). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* In the kernel log (dmesg), at level info. */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
