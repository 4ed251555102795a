/*
 * rusage.c - whole-process cost of a command, for the benchmarks.
 *
 *   rusage [-n RUNS] -- COMMAND [ARG]...
 *
 * Forks and execs COMMAND RUNS times (default 10) one after another, its
 * stdout and stderr to /dev/null, and reaps each with wait4() for its
 * CPU time and peak RSS. Prints one line:
 *   runs=N fail=F wall_mean_ms=.. wall_median_ms=.. cpu_mean_ms=.. cpu_median_ms=.. maxrss_kib=..
 * wall: fork to reap, CLOCK_MONOTONIC; cpu: user + system of the child;
 * maxrss: the largest ru_maxrss over the runs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

#define MAX_RUNS 10000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static double wall[MAX_RUNS], cpu[MAX_RUNS];
	double wsum = 0, csum = 0;
	long maxrss = 0;
	int runs = 10, fails = 0, opt;

	while ((opt = getopt(argc, argv, "+n:")) != -1) {
		if (opt != 'n')
			goto usage;
		runs = atoi(optarg);
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc || runs < 1 || runs > MAX_RUNS)
		goto usage;
	for (int i = 0; i < runs; i++) {
		struct rusage ru;
		int64_t t0, t1;
		int status;
		pid_t pid;

		clock_read(CLOCK_ID_MONOTONIC, &t0);
		pid = fork();
		if (pid < 0) {
			perror("rusage: fork");
			return 2;
		}
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) != pid) {
			perror("rusage: wait4");
			return 2;
		}
		clock_read(CLOCK_ID_MONOTONIC, &t1);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fails++;
		wall[i] = (double)(t1 - t0) / 1e6;
		cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		wsum += wall[i];
		csum += cpu[i];
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	printf("runs=%d fail=%d wall_mean_ms=%.3f wall_median_ms=%.3f "
	       "cpu_mean_ms=%.3f cpu_median_ms=%.3f maxrss_kib=%ld\n",
	       runs, fails, wsum / runs, median(wall, runs), csum / runs,
	       median(cpu, runs), maxrss);
	return 0;
usage:
	fprintf(stderr, "usage: rusage [-n RUNS] -- COMMAND [ARG]...\n");
	return 2;
}
