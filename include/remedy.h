/*
 * remedy.h - the boot-argument remedies (profiles), kept as data.
 *
 * One table, shared by the rules (which pick a remedy for this guest) and
 * by `hvclock grub --profile NAME` (which applies one). A remedy's kernel
 * range is checked per boot entry: a grub.conf holding a 2.6.18 kernel and
 * a newer one gets clock= only on the 2.6.18 entry.
 */
#ifndef HV_REMEDY_H
#define HV_REMEDY_H

#include <stdbool.h>
#include <stddef.h>

#include "kver.h"

struct remedy {
	const char *id;            /* "el5-hyperv" */
	const char *summary;       /* one line */
	const char *add_args;      /* "clock=pit notsc divider=10", or NULL */
	const char *remove_args;   /* keys ("clock") or key=value, or NULL */
	/* Kernels the arguments are for (per boot entry). 0 = any. */
	int el_major;              /* RHEL-family major, e.g. 5 */
	int el_minor_min, el_minor_max; /* point releases, -1 = unbounded */
	int kmin[3], kmax[3];      /* version range, inclusive; {0,0,0} = open */
	const char *arch;          /* "x86_64", "i686" or NULL = any */
	const char *conflicts;     /* keys that conflict ("clocksource"), or NULL */
	const char *caveat;        /* said plainly with the remedy, or NULL */
	const char *source;        /* document title, section */
};

/* The whole table (n set to its length). */
const struct remedy *remedy_table(size_t *n);
const struct remedy *remedy_find(const char *id);
/* Whether r's arguments are meant for a kernel k (arch may be NULL). */
bool remedy_applies_to_kernel(const struct remedy *r, const struct kver *k,
			      const char *arch);

#endif
