/*
 * timeit - times shell commands fairly: warm-up rounds, then rounds in which
 * every command runs once, the order rotating each round (A B C, B C A, ...),
 * so that neither the machine's drift nor the cache favours one of them.
 *
 *   timeit RUNS WARMUP CMD...
 *
 * Prints one line per command: median, 25th and 75th percentile, min, max,
 * all in milliseconds, tab-separated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double run(const char *cmd)
{
	struct timespec a, b;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "timeit: command failed: %s\n", cmd);
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs, warm, n = argc - 3;
	double *t;

	if (argc < 4 || (runs = atoi(argv[1])) < 1 || (warm = atoi(argv[2])) < 0) {
		fputs("usage: timeit RUNS WARMUP CMD...\n", stderr);
		return 2;
	}
	t = calloc((size_t)n * runs, sizeof(*t));
	if (!t)
		return 1;
	for (int r = -warm; r < runs; r++)
		for (int k = 0; k < n; k++) {
			int i = (k + (r < 0 ? 0 : r)) % n;
			double ms = run(argv[3 + i]);

			if (r >= 0)
				t[i * runs + r] = ms;
		}
	for (int i = 0; i < n; i++) {
		double *v = t + i * runs;

		qsort(v, runs, sizeof(*v), cmp);
		printf("%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n", v[runs / 2], v[runs / 4],
		       v[(3 * runs) / 4], v[0], v[runs - 1]);
	}
	free(t);
	return 0;
}
