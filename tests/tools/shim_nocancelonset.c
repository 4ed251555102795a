/*
 * shim_nocancelonset.c - LD_PRELOAD shim that plays an old kernel for
 * hvclock watch's fallback: timerfd_settime() with TFD_TIMER_CANCEL_ON_SET
 * fails with EINVAL (Linux before 3.0); with SHIM_NO_TIMERFD=1,
 * timerfd_create() fails with ENOSYS (before 2.6.25).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

int timerfd_create(int clockid, int flags)
{
	static int (*real)(int, int);

	if (getenv("SHIM_NO_TIMERFD")) {
		errno = ENOSYS;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "timerfd_create");
	return real ? real(clockid, flags) : (errno = ENOSYS, -1);
}

int timerfd_settime(int fd, int flags, const struct itimerspec *n,
		    struct itimerspec *old)
{
	static int (*real)(int, int, const struct itimerspec *, struct itimerspec *);

	if (flags & TFD_TIMER_CANCEL_ON_SET) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "timerfd_settime");
	return real ? real(fd, flags, n, old) : (errno = ENOSYS, -1);
}
