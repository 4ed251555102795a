/*
 * bootargs.h - kernel command lines split the way the kernel splits them.
 *
 * Arguments are separated by blanks; double quotes group blanks into one
 * argument (`acpi_osi="!Windows 2006"`, `"foo bar"=x`); "--" ends the
 * kernel's arguments (the rest goes to init). The kernel treats '-' and
 * '_' in parameter names alike (parameq), and for repeated parameters the
 * last one wins. Spans point into the original text so that an editor can
 * change one argument and leave every other byte alone.
 */
#ifndef HV_BOOTARGS_H
#define HV_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>

struct bootarg {
	size_t start, len;  /* the whole argument, quotes included */
	size_t keylen;      /* key = text[start, start + keylen) */
	bool has_value;     /* there is an '=' after the key */
};

/*
 * Splits text[0, n). Fills *args (allocated; free() it) and *count.
 * Returns 0, or -1 with err on unbalanced double quotes or a NUL byte.
 * Stops at a lone "--" (not included); *end_kernel is set to its offset,
 * or n when there is none (may be NULL).
 */
int bootargs_split(const char *text, size_t n, struct bootarg **args,
		   size_t *count, size_t *end_kernel, char *err);
/* Whether the key of arg equals key, '-' and '_' treated alike. */
bool bootargs_key_is(const char *text, const struct bootarg *arg,
		     const char *key);
/*
 * The value of the last occurrence of key (quotes around the value
 * removed) into val. Returns 1 if key is present with a value, 2 if present
 * bare (no '='), 0 if absent.
 */
int bootargs_get(const char *text, const char *key, char *val, size_t vlen);

/*
 * Whether key is one of the time-related boot parameters hvclock reports
 * (clock, clocksource, notsc, tsc, divider, hpet, nohpet, nohz, highres,
 * no-kvmclock, kvm-clock.*, lpj, processor.max_cstate, idle,
 * xen.independent_wallclock, hv_utils.timesync_implicit, ...).
 */
bool bootargs_is_time_related(const char *key);

#endif
