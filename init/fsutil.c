/*
 * fsutil.c - reading files and directories without malloc: musl's
 * allocator (which opendir and setenv bring in) would be a tenth of PID 1.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsutil.h"

/* The whole file, NUL-terminated, or NULL: in anonymous memory. */
#define TEXT_MAX (16 << 20)	/* address space only: pages are used as read */

char *read_text(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = fd < 0 ? MAP_FAILED : mmap(NULL, TEXT_MAX, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t len = 0;
	ssize_t n;

	if (buf == MAP_FAILED) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (len < TEXT_MAX - 1 && (n = read(fd, buf + len, TEXT_MAX - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

int read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = '\0';
	return (int)got;
}

void free_text(char *text)
{
	if (text)
		munmap(text, TEXT_MAX);
}

int dir_open(struct dirscan *d, int fd)
{
	d->fd = fd;
	d->pos = d->len = 0;
	return fd;
}

const struct dirent *dir_next(struct dirscan *d)
{
	const struct dirent *e;

	if (d->pos >= d->len) {
		/* struct dirent is linux_dirent64 on x86-64, in musl and glibc alike */
		d->len = d->fd >= 0 ? (int)syscall(SYS_getdents64, d->fd, d->buf, sizeof(d->buf)) : -1;
		d->pos = 0;
		if (d->len <= 0)
			return NULL;
	}
	e = (const struct dirent *)(d->buf + d->pos);
	d->pos += e->d_reclen;
	return e;
}

void dir_close(struct dirscan *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
