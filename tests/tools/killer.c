/*
 * killer.c - runs a command and sends it SIGKILL after a delay, for the
 * "killed at any instant" tests of atomic writers.
 *
 *   killer USEC PROGRAM [ARGS...]
 *
 * Prints "killed" when the signal ended the program, "exited N" when it
 * had finished before. Exit status 0 either way (125 on usage errors).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	long usec;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: killer USEC PROGRAM [ARGS...]\n");
		return 125;
	}
	usec = atol(argv[1]);
	pid = fork();
	if (pid < 0)
		return 125;
	if (!pid) {
		int null = open("/dev/null", 1);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[2], argv + 2);
		_exit(127);
	}
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (usec % 1000000) * 1000;
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) < 0)
		return 125;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		printf("killed\n");
	else
		printf("exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
