/* fsutil.h - files and directories, without malloc */
#ifndef MINOS_INIT_FSUTIL_H
#define MINOS_INIT_FSUTIL_H

#include <stddef.h>

struct dirent;

char *read_text(const char *path);	/* a whole file; NULL if unreadable */
/* One read of at most n - 1 bytes into buf, NUL-terminated: its length, or -1. */
int read_small(const char *path, char *buf, size_t n);
void free_text(char *text);

struct dirscan {
	int fd, pos, len;
	char buf[2048] __attribute__((aligned(8)));
};
int dir_open(struct dirscan *d, int fd);	/* takes fd (may be -1) */
const struct dirent *dir_next(struct dirscan *d);	/* NULL at the end */
void dir_close(struct dirscan *d);

#endif
