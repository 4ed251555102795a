/*
 * shim_notimestamp.c - LD_PRELOAD shim that refuses kernel socket
 * timestamps (SO_TIMESTAMP, SO_TIMESTAMPNS, SO_TIMESTAMPING and their
 * _OLD/_NEW forms).
 *
 * libfaketime fakes clock_gettime() but not the timestamps the kernel
 * attaches to packets, so a faked chronyd that used them would mix real
 * and fake time. Refused, chronyd falls back to reading its (faked) clock.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#ifndef SO_TIMESTAMP_OLD
#define SO_TIMESTAMP_OLD 29
#endif
#ifndef SO_TIMESTAMPNS_OLD
#define SO_TIMESTAMPNS_OLD 35
#endif
#ifndef SO_TIMESTAMPING_OLD
#define SO_TIMESTAMPING_OLD 37
#endif
#define SO_TIMESTAMP_NEW_ 63
#define SO_TIMESTAMPNS_NEW_ 64
#define SO_TIMESTAMPING_NEW_ 65

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);

	if (level == SOL_SOCKET &&
	    (name == SO_TIMESTAMP_OLD || name == SO_TIMESTAMPNS_OLD ||
	     name == SO_TIMESTAMPING_OLD || name == SO_TIMESTAMP_NEW_ ||
	     name == SO_TIMESTAMPNS_NEW_ || name == SO_TIMESTAMPING_NEW_)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))
			dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, name, val, len);
}
