/*
 * shim_oldkernel.c - LD_PRELOAD shim that makes the clocks a 2.6.18
 * kernel lacks answer as that kernel would: clock_gettime() and
 * clock_getres() on CLOCK_MONOTONIC_RAW (2.6.28+), CLOCK_BOOTTIME
 * (2.6.39+) and the _COARSE clocks (2.6.32+) fail with EINVAL. REALTIME and
 * MONOTONIC work. (The TSC is an instruction, not a call: it stays.)
 */
#include <dlfcn.h>
#include <errno.h>
#include <time.h>

#ifndef CLOCK_MONOTONIC_RAW
#define CLOCK_MONOTONIC_RAW 4
#endif
#ifndef CLOCK_REALTIME_COARSE
#define CLOCK_REALTIME_COARSE 5
#endif
#ifndef CLOCK_MONOTONIC_COARSE
#define CLOCK_MONOTONIC_COARSE 6
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME 7
#endif

static int missing(clockid_t id)
{
	return id == CLOCK_MONOTONIC_RAW || id == CLOCK_BOOTTIME ||
	       id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);

	if (missing(id)) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	return real(id, ts);
}

int clock_getres(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);

	if (missing(id)) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_getres");
	return real(id, ts);
}
