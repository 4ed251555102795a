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
	const char *variant;       /* id of the variant without the risky
				    * argument (divider=), or NULL */
	bool unconfirmed;          /* row not checked against a primary source */
};

/* The whole table (n set to its length). */
const struct remedy *remedy_table(size_t *n);
const struct remedy *remedy_find(const char *id);
/*
 * Whether r's arguments are meant for a kernel k: its version range, its
 * RHEL-family release (k->el_major/el_minor; RHEL 4's "2.6.9-89.ELsmp" is
 * recognised as EL4 too) and its architecture. arch is `uname -m` style
 * ("x86_64", "i686", "amd64", "i386"...); NULL = take it from the release
 * string (".x86_64", ".i686", "PAE", "-amd64"), and when that says nothing
 * only the version and release are checked. A remedy bounded by point
 * release never applies to a kernel whose point release is unknown.
 */
bool remedy_applies_to_kernel(const struct remedy *r, const struct kver *k,
			      const char *arch);
/* The RHEL-family release a kernel belongs to: k->el_major/el_minor, or
 * 4 and the point release for RHEL 4's "2.6.9-89.ELsmp". 0/-1 when none. */
void remedy_el_release(const struct kver *k, int *major, int *minor);
/* Whether the space-separated list (add_args, remove_args, conflicts) of
 * r names key ('-' and '_' alike). list is one of r's fields. */
bool remedy_list_has(const char *list, const char *key);

#endif
