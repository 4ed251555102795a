/*
 * shim_swap.c - LD_PRELOAD shim for the race a writer must survive: the
 * file it is about to write is replaced by a symbolic link to elsewhere
 * between its checks and its write.
 *
 *   HVCLOCK_SWAP=WHEN:PATH:TARGET
 *
 * WHEN is "flock" (the first flock() call: the log writer has opened the
 * file and is taking its lock) or "rename" (the first rename() onto PATH:
 * an atomic replace is about to put its temporary file in place). At that
 * moment PATH is moved aside to PATH.swapped (what it held stays on
 * disk, to be checked) and made a symbolic link to TARGET; then the real
 * call goes on. Once per process.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int done;

static void swap(const char *when, const char *path)
{
	const char *spec = getenv("HVCLOCK_SWAP");
	char buf[4096], *p, *t;
	size_t wl = strlen(when);

	if (done || !spec || strncmp(spec, when, wl) || spec[wl] != ':')
		return;
	snprintf(buf, sizeof(buf), "%s", spec + wl + 1);
	t = strchr(buf, ':');
	if (!t)
		return;
	*t++ = 0;
	p = buf;
	if (path && strcmp(path, p))
		return;
	done = 1;
	{
		char aside[4200];

		snprintf(aside, sizeof(aside), "%s.swapped", p);
		if (rename(p, aside))
			unlink(p);
	}
	if (symlink(t, p))
		perror("shim_swap: symlink");
}

int flock(int fd, int op)
{
	static int (*real)(int, int);

	if (!real)
		real = (int (*)(int, int))dlsym(RTLD_NEXT, "flock");
	swap("flock", NULL);
	return real(fd, op);
}

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	swap("rename", to);
	return real(from, to);
}
