/*
 * shim_resolve.c - LD_PRELOAD shim giving a test name several addresses
 * without touching /etc/hosts or DNS: getaddrinfo(HVCLOCK_TEST_NAME, ...)
 * answers the numeric addresses listed in HVCLOCK_TEST_ADDRS (comma
 * separated, in that order); every other name goes to the real resolver.
 */
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
		      struct addrinfo **);

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	static gai_fn real;
	const char *name = getenv("HVCLOCK_TEST_NAME");
	const char *list = getenv("HVCLOCK_TEST_ADDRS");
	struct addrinfo *head = NULL, **tail = &head, h;
	char buf[512], *save = NULL;

	if (!real)
		real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	if (!node || !name || !list || strcmp(node, name))
		return real(node, service, hints, res);
	memset(&h, 0, sizeof(h));
	if (hints)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	strncpy(buf, list, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		struct addrinfo *one = NULL;

		if (real(a, service, &h, &one) || !one)
			continue;
		*tail = one;
		while (*tail)
			tail = &(*tail)->ai_next;
	}
	if (!head)
		return EAI_NONAME;
	*res = head;
	return 0;
}
