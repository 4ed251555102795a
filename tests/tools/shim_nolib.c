/*
 * shim_nolib.c - LD_PRELOAD shim that makes dlopen(3) fail for the
 * libraries named in SHIM_NOLIB (a colon-separated list of name prefixes,
 * "libcpuid:libplot"), as on a system where they are not installed, so
 * tests can check that hvclock says so and carries on.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

static char why[160];

static int refused(const char *file)
{
	const char *list = getenv("SHIM_NOLIB"), *p, *base;

	if (!file || !list)
		return 0;
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	/* Bounded by the list's length: each round consumes one name. */
	for (p = list; *p; ) {
		size_t n = strcspn(p, ":");

		if (n && !strncmp(base, p, n))
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

void *dlopen(const char *file, int mode)
{
	static void *(*real)(const char *, int);

	if (refused(file)) {
		strcpy(why, file);
		strcat(why, ": cannot open shared object file: refused by shim_nolib");
		return NULL;
	}
	if (!real) {
		void *f = dlsym(RTLD_NEXT, "dlopen");

		memcpy(&real, &f, sizeof(f));
	}
	return real(file, mode);
}

char *dlerror(void)
{
	static char *(*real)(void);

	if (why[0]) {
		static char out[sizeof(why)];

		memcpy(out, why, sizeof(out));
		why[0] = '\0';
		return out;
	}
	if (!real) {
		void *f = dlsym(RTLD_NEXT, "dlerror");

		memcpy(&real, &f, sizeof(f));
	}
	return real();
}
