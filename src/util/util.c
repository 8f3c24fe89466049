/* util.c - errors, memory, buffers and files shared by every minos command */
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void vreport(const char *what, const char *fmt, va_list ap, int errnum)
{
	char line[1024];
	int n = 0;

	if (what)
		n = snprintf(line, sizeof(line), "minos: %s: ", what);
	else
		n = snprintf(line, sizeof(line), "minos: ");
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (errnum && n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
	fprintf(stderr, "%s\n", line);
}

int fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(what, fmt, ap, 0);
	va_end(ap);
	return -1;
}

int fail_errno(const char *what, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(what, fmt, ap, errnum);
	va_end(ap);
	return -1;
}

void warning(const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (what)
		fprintf(stderr, "minos: warning: %s: %s\n", what, msg);
	else
		fprintf(stderr, "minos: warning: %s\n", msg);
}

/* What die_oom() says: a process under a memory limit names the limit. */
static const char *oom_message = "minos: out of memory";

void set_oom_message(const char *msg)
{
	oom_message = msg;
}

_Noreturn void die_oom(void)
{
	fprintf(stderr, "%s\n", oom_message);
	exit(EXIT_MINOS);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die_oom();
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die_oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *path_beside(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return slash ? xasprintf("%.*s/%s", (int)(slash - path), path, name) : xstrdup(name);
}

void buf_reserve(struct buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 4096;

	if (b->len + extra <= b->cap)
		return;
	if (b->len + extra < b->len)
		die_oom();
	while (cap < b->len + extra)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

int open_input(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return fail_errno(path, "cannot open");
	if (fstat(fd, &st) < 0) {
		fail_errno(path, "cannot read");
		close(fd);
		return -1;
	}
	/* A device or a FIFO may never end: only files (and disks) are read. */
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return fail(path, S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
	}
	return fd;
}

int read_file_max(const char *path, struct buf *out, uint64_t max, const char *raise)
{
	int fd = open_input(path);

	if (fd < 0)
		return -1;
	out->len = 0;
	for (;;) {
		ssize_t n;

		if (out->len > max) {
			close(fd);
			return fail(path, "is larger than %llu MiB, the limit%s%s",
				    (unsigned long long)(max >> 20),
				    raise ? "; raise it with " : "", raise ? raise : "");
		}
		buf_reserve(out, 65536);
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail_errno(path, "cannot read");
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		out->len += n;
	}
	close(fd);
	return 0;
}

int read_file(const char *path, struct buf *out)
{
	return read_file_max(path, out, UINT64_MAX - 1, NULL);
}

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		n -= w;
	}
	return 0;
}

int write_new_file(const char *path, const void *p, size_t n, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), rc;

	if (fd < 0)
		return fail_errno(path, "cannot create");
	rc = write_all(fd, p, n);
	if (close(fd) < 0 && rc == 0)
		rc = fail_errno(path, "cannot write");
	return rc;
}

int copy_new_file(const char *from, const char *path, unsigned mode)
{
	struct buf b = {0};
	int rc = read_file(from, &b) < 0 ? -1 : write_new_file(path, b.data, b.len, mode);

	buf_free(&b);
	return rc;
}

/*
 * The temporary files being written, for the signal handler below: global,
 * since a handler has nothing else to go by.
 */
#define PENDING_MAX 8
static char *volatile pending[PENDING_MAX];

static void remove_pending(int sig)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (pending[i])
			unlink(pending[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGINT, SIGTERM and SIGHUP remove the temporary files, then kill as before. */
static void catch_stops(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	static int done;

	if (done++)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old, sa = {.sa_handler = remove_pending};

		/* A command with its own handling of these (minos test) keeps it. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

static void track(char *tmp, char *untrack)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (pending[i] == untrack) {
			pending[i] = tmp;
			return;
		}
}

int outfile_open(struct outfile *o, const char *path, unsigned mode)
{
	const char *slash = strrchr(path, '/');
	mode_t mask = umask(0);
	struct stat st;

	umask(mask);
	*o = (struct outfile){.fd = -1, .mode = mode & ~mask};
	/* Replacing is for regular files: never a device, a FIFO or what a link points to. */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return fail(path, S_ISLNK(st.st_mode)
			    ? "is a symbolic link: refusing to replace it (give the path it points to)"
			    : "exists and is not a regular file: refusing to replace it");
	if (slash)
		o->tmp = xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path,
				   slash + 1);
	else
		o->tmp = xasprintf(".%s.XXXXXX", path);
	catch_stops();
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		fail_errno(path, "cannot create");
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	track(o->tmp, NULL);
	o->path = xstrdup(path);
	return 0;
}

int outfile_commit(struct outfile *o)
{
	int rc = 0;

	if (fchmod(o->fd, o->mode) < 0)
		rc = fail_errno(o->path, "cannot set mode");
	if (close(o->fd) < 0 && !rc)
		rc = fail_errno(o->path, "cannot write");
	o->fd = -1;
	if (!rc && rename(o->tmp, o->path) < 0)
		rc = fail_errno(o->path, "cannot rename %s into place", o->tmp);
	if (rc)
		unlink(o->tmp);
	track(NULL, o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

void outfile_abort(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp) {
		unlink(o->tmp);
		track(NULL, o->tmp);
	}
	free(o->tmp);
	free(o->path);
	*o = (struct outfile){.fd = -1};
}

int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long v;
	const char *u;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || (*end && (end[1] || !(u = strchr(units, *end & ~0x20)))))
		return -1;
	for (int i = *end ? (int)(u - units) + 1 : 0; i > 0; i--) {
		if (v > (1ULL << 53))
			return -1;
		v *= 1024;
	}
	*out = v;
	return 0;
}

int pick_word(const char *opt, const char *arg, const char *const *names)
{
	char list[128] = "";

	for (int i = 0; names[i]; i++) {
		if (!strcmp(arg, names[i]))
			return i;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
	}
	return fail(opt, "'%s': expected %s", arg, list);
}

int buf_send_ready(int fd, struct buf *b, size_t *sent)
{
	ssize_t n = send(fd, b->data + *sent, b->len - *sent, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		b->len = *sent = 0;
		return -1;
	}
	if (n > 0)
		*sent += (size_t)n;
	if (*sent == b->len)
		b->len = *sent = 0;
	return 0;
}

char *temp_beside(const char *output, const char *what, int *fd)
{
	char *path = xasprintf("%s.%s.XXXXXX", output, what);

	if ((*fd = mkstemp(path)) < 0) {
		fail_errno(path, "cannot create");
		free(path);
		return NULL;
	}
	return path;
}

int64_t source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	long v;

	if (!s || !*s)
		return 0;
	if (parse_long(s, 0, 0xffffffffL, &v) < 0) {
		warning("SOURCE_DATE_EPOCH", "'%s' is not a time in seconds; using 0", s);
		return 0;
	}
	return v;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

char *self_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n <= 0)
		return xstrdup(".");
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(path);
}

long long now_ms_host(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

char *cache_dir(const char *sub)
{
	const char *env = getenv("MINOS_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *dir;

	if (env && *env)
		dir = xasprintf("%s/%s", env, sub);
	else if (xdg && *xdg)
		dir = xasprintf("%s/minos/%s", xdg, sub);
	else if (home && *home)
		dir = xasprintf("%s/.cache/minos/%s", home, sub);
	else
		return NULL;
	for (char *p = dir + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			free(dir);
			return NULL;
		}
		*p = c;
		if (!c)
			break;
	}
	return dir;
}

void sort_items(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(v, n, size, cmp);
}

uint64_t hash64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

extern char **environ;

int run_start(char *const argv[], char *const envp[], int flags, int *pid)
{
	posix_spawn_file_actions_t fa;
	pid_t p;
	int fds[2], e;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (flags & RUN_STDERR)
		posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	e = (flags & RUN_PATH ? posix_spawnp : posix_spawn)(&p, argv[0], &fa, NULL, argv,
							    envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (e) {
		close(fds[0]);
		errno = e;
		return -1;
	}
	*pid = p;
	return fds[0];
}

int run_wait(int pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_capture(char *const argv[], char *const envp[], int flags, struct buf *out)
{
	int pid, fd = run_start(argv, envp, flags, &pid);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n;

		buf_reserve(out, 4096);
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += n;
	}
	close(fd);
	return run_wait(pid);
}

int map_input(const char *path, struct mapping *m)
{
	int fd = open_input(path);
	struct stat st;
	off_t size;
	void *p;

	*m = (struct mapping){0};
	if (fd < 0)
		return -1;
	/* a disk's size is where its end is */
	size = fstat(fd, &st) < 0 ? -1 : S_ISBLK(st.st_mode) ? lseek(fd, 0, SEEK_END) : st.st_size;
	if (size <= 0) {
		close(fd);
		return size < 0 ? fail_errno(path, "cannot read") : 0;
	}
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail_errno(path, "cannot read");
	madvise(p, (size_t)size, MADV_SEQUENTIAL);
	*m = (struct mapping){p, (size_t)size};
	return 0;
}

void unmap_input(struct mapping *m)
{
	if (m->len)
		munmap((void *)m->data, m->len);
	*m = (struct mapping){0};
}

int remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc |= remove_tree(p);
		else
			rc |= unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(path) | rc;
}
