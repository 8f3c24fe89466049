/* util.h - errors, memory, buffers and files shared by every minos command */
#ifndef MINOS_UTIL_H
#define MINOS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit status when minos itself cannot do its job (minos(1), EXIT STATUS). */
#define EXIT_MINOS 125

/*
 * Errors are one line, "minos: WHAT: problem".  Functions that fail print
 * their error with fail() and return -1; callers pass the -1 up.
 */
int fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like fail(), with ": strerror(errno)" appended. */
int fail_errno(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warning(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void die_oom(void);
/* What die_oom() prints instead of "minos: out of memory" (a static string). */
void set_oom_message(const char *msg);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* name in the directory holding path ("dir/name"; just name if path has no '/'). */
char *path_beside(const char *path, const char *name);

/* A growable byte buffer. */
struct buf {
	unsigned char *data;
	size_t len, cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);

/*
 * Reads a whole regular file (or disk); on error prints it and returns -1.
 * read_file_max stops past max bytes with an error saying how to raise it.
 */
int read_file(const char *path, struct buf *out);
/* Opens a regular file or a disk for reading; anything else (a FIFO, a device) is an error. */
int open_input(const char *path);
int read_file_max(const char *path, struct buf *out, uint64_t max, const char *raise);
int write_all(int fd, const void *p, size_t n);
/* Writes a new file (not one already there) with mode; -1 after an error naming it. */
int write_new_file(const char *path, const void *p, size_t n, unsigned mode);
/* The same with the contents of from. */
int copy_new_file(const char *from, const char *path, unsigned mode);
/*
 * Sends what a socket takes now of b past *sent, never blocking (a peer
 * busy writing to us must not wait on us, nor we on it); b is emptied once
 * all of it went.  -1 when the peer is gone: b is dropped.
 */
int buf_send_ready(int fd, struct buf *b, size_t *sent);
/* A new temporary file OUTPUT.WHAT.XXXXXX beside output (large work files go
 * where the output goes), open on *fd; NULL after an error naming it. */
char *temp_beside(const char *output, const char *what, int *fd);

/*
 * An output file written under a temporary name in the destination's
 * directory and renamed into place by outfile_commit(): a failed run
 * leaves nothing behind.
 */
struct outfile {
	char *path, *tmp;
	int fd;
	unsigned mode;
};
int outfile_open(struct outfile *o, const char *path, unsigned mode);
int outfile_commit(struct outfile *o);
void outfile_abort(struct outfile *o);

/* SOURCE_DATE_EPOCH, else 0: every timestamp minos writes. */
int64_t source_date_epoch(void);

/* Parses a whole decimal number in [min, max]; -1 if it is not one. */
int parse_long(const char *s, long min, long max, long *out);

/* A size in bytes: a number with an optional K, M, G or T (powers of 1024); -1 if none. */
int parse_size(const char *s, uint64_t *out);

/* The index of arg in names (NULL-ended), or -1 after the error "OPT: 'ARG':
 * expected a, b or c".  One list serves the check, the help and completion. */
int pick_word(const char *opt, const char *arg, const char *const *names);

/* CLOCK_MONOTONIC in milliseconds. */
long long now_ms_host(void);

/*
 * minos's cache directory, subdirectory sub created (with its parents):
 * $MINOS_CACHE, else $XDG_CACHE_HOME/minos, else ~/.cache/minos.  NULL if
 * it cannot be made (no error printed: a cache is optional).
 */
char *cache_dir(const char *sub);

/* A 16-bit little-endian number, at any alignment. */
static inline uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* A 32-bit little-endian number, at any alignment. */
static inline uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* qsort, for any n: an empty array may be NULL. */
void sort_items(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* FNV-1a, 64 bits, continuing from h (start with HASH64_INIT). */
#define HASH64_INIT 0xcbf29ce484222325ULL
uint64_t hash64(uint64_t h, const void *p, size_t n);

/*
 * Running another program with its output on a pipe: stdout, and stderr
 * too with RUN_STDERR; RUN_PATH looks argv[0] up in PATH; envp NULL is
 * ours.  run_start gives the pipe's read end and the pid, run_wait the exit
 * status (128 + the signal if it was killed).  run_capture does both,
 * reading all of it into *out.  -1 with errno set when the program cannot
 * be started or waited for; nothing is said.
 */
#define RUN_STDERR 1
#define RUN_PATH 2
int run_start(char *const argv[], char *const envp[], int flags, int *pid);
int run_wait(int pid);
int run_capture(char *const argv[], char *const envp[], int flags, struct buf *out);

/* Deletes a directory tree of our own making (links are removed, not followed); -1 if a part stays. */
int remove_tree(const char *path);

/* Directory of the running minos executable (for finding minos-init). */
char *self_dir(void);

/*
 * A regular file (or disk) mapped whole and read-only: its pages are the
 * page cache's, which RLIMIT_DATA does not count, so a reader held to a
 * memory limit reads a file of any size.  An empty file maps to len 0.
 * -1 after an error naming path.  (A file cut short while it is mapped
 * kills its reader with SIGBUS.)
 */
struct mapping {
	const unsigned char *data;
	size_t len;
};
int map_input(const char *path, struct mapping *m);
void unmap_input(struct mapping *m);

#endif
