/*
 * kver.c - kernel release parsing and the RHEL build -> point release map.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kver.h"
#include "util.h"

/*
 * First kernel build number of each RHEL point release (GA kernels:
 * 2.6.9-5 = 4.0, 2.6.18-8 = 5.0, 2.6.32-71 = 6.0, 3.10.0-123 = 7.0).
 * Updates within a release keep the build number below the next GA.
 */
static const struct {
	int el_major;
	int first_build[12];
} el_builds[] = {
	{ 4, { 5, 11, 22, 34, 42, 55, 67, 78, 89, 100, -1 } },
	{ 5, { 8, 53, 92, 128, 164, 194, 238, 274, 308, 348, 371, 398 } },
	{ 6, { 71, 131, 220, 279, 358, 431, 504, 573, 642, 696, 754, -1 } },
	{ 7, { 123, 229, 327, 514, 693, 862, 957, 1062, 1127, 1160, -1, -1 } },
	{ 8, { 80, 147, 193, 240, 305, 348, 372, 425, 477, 513, 553, -1 } },
	{ 9, { 70, 162, 284, 362, 427, 503, 570, -1, -1, -1, -1, -1 } },
};

int kver_el_minor(int el_major, int el_build)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(el_builds); i++) {
		int minor = -1;

		if (el_builds[i].el_major != el_major)
			continue;
		for (int m = 0; m < 12 && el_builds[i].first_build[m] >= 0; m++)
			if (el_build >= el_builds[i].first_build[m])
				minor = m;
		return minor;
	}
	return -1;
}

/* Reads a run of digits; returns the number or -1. */
static int num(const char **p)
{
	long v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v > 1000000)
			return -1;
		(*p)++;
	}
	return (int)v;
}

int kver_parse(const char *release, struct kver *k, char *err)
{
	const char *p = release, *dash, *el;
	int *parts[] = { &k->major, &k->minor, &k->patch, &k->sub };
	int nparts = 0;

	memset(k, 0, sizeof(*k));
	k->el_minor = -1;
	snprintf(k->release, sizeof(k->release), "%s", release);
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(parts); i++) {
		int v = num(&p);

		if (v < 0)
			break;
		*parts[i] = v;
		nparts++;
		if (*p != '.')
			break;
		p++;
	}
	if (nparts < 2)
		return util_err(err, "invalid kernel release '%s'", release);
	dash = strchr(release, '-');
	if (dash)
		snprintf(k->local, sizeof(k->local), "%s", dash + 1);
	/* Distro tag: ".el5", ".el7_9", ".fc42" in the local part. */
	el = NULL;
	for (const char *q = k->local; (q = strchr(q, '.')); q++) {
		if ((q[1] == 'e' && q[2] == 'l' && isdigit((unsigned char)q[3])) ||
		    (q[1] == 'f' && q[2] == 'c' && isdigit((unsigned char)q[3]))) {
			el = q + 1;
			break;
		}
	}
	if (el) {
		size_t n = strspn(el, "abcdefghijklmnopqrstuvwxyz0123456789_");

		/* Keep "el5" out of "el5xen"/"el5PAE": flavour suffixes. */
		if (el[0] == 'e') {
			const char *d = el + 2;
			size_t m = 2 + strspn(d, "0123456789_");
			n = m;
			k->el_major = atoi(el + 2);
		}
		snprintf(k->distro, sizeof(k->distro), "%.*s", (int)n, el);
		if (k->el_major && isdigit((unsigned char)k->local[0])) {
			const char *us = strchr(k->distro, '_');

			k->el_build = atoi(k->local);
			/* ".el7_9" names the point release itself. */
			k->el_minor = us ? atoi(us + 1) :
				kver_el_minor(k->el_major, k->el_build);
		}
	}
	k->valid = true;
	return 0;
}

int kver_cmp(const struct kver *k, int major, int minor, int patch)
{
	if (k->major != major)
		return k->major < major ? -1 : 1;
	if (k->minor != minor)
		return k->minor < minor ? -1 : 1;
	if (k->patch != patch)
		return k->patch < patch ? -1 : 1;
	return 0;
}
