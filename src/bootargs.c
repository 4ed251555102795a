/*
 * bootargs.c - kernel command-line splitting (as lib/cmdline.c next_arg()
 * does it: blanks separate, double quotes group, no escapes).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "util.h"

int bootargs_split(const char *text, size_t n, struct bootarg **args,
		   size_t *count, size_t *end_kernel, char *err)
{
	struct bootarg *a = NULL;
	size_t cap = 0, cnt = 0, i = 0;

	*args = NULL;
	*count = 0;
	if (end_kernel)
		*end_kernel = n;
	while (i < n) {
		struct bootarg b = { 0 };
		bool quoted = false, key_done = false;

		if (text[i] == '\0') {
			free(a);
			return util_err(err, "NUL byte in kernel arguments");
		}
		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		b.start = i;
		for (; i < n; i++) {
			char c = text[i];

			if (c == '\0') {
				free(a);
				return util_err(err, "NUL byte in kernel arguments");
			}
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && isspace((unsigned char)c))
				break;
			if (!quoted && !key_done && c == '=') {
				b.keylen = i - b.start;
				b.has_value = true;
				key_done = true;
			}
		}
		if (quoted) {
			free(a);
			return util_err(err, "unbalanced double quote in kernel arguments at '%.*s'",
					(int)(i - b.start > 40 ? 40 : i - b.start),
					text + b.start);
		}
		b.len = i - b.start;
		if (!key_done)
			b.keylen = b.len;
		if (b.len == 2 && !memcmp(text + b.start, "--", 2)) {
			if (end_kernel)
				*end_kernel = b.start;
			break;
		}
		util_grow((void **)&a, &cap, cnt + 1, sizeof(*a));
		a[cnt++] = b;
	}
	*args = a;
	*count = cnt;
	return 0;
}

static bool same_name(const char *a, const char *b, size_t n);

bool bootargs_key_is(const char *text, const struct bootarg *arg,
		     const char *key)
{
	/* A quoted key ("foo bar"=x) never matches a plain name. */
	return strlen(key) == arg->keylen &&
	       same_name(text + arg->start, key, arg->keylen);
}

int bootargs_get(const char *text, const char *key, char *val, size_t vlen)
{
	struct bootarg *args;
	size_t n, i, found = (size_t)-1;
	int ret = 0;

	if (bootargs_split(text, strlen(text), &args, &n, NULL, NULL))
		return 0;
	for (i = 0; i < n; i++)
		if (bootargs_key_is(text, &args[i], key))
			found = i;
	if (found != (size_t)-1) {
		const struct bootarg *b = &args[found];

		if (b->has_value) {
			const char *v = text + b->start + b->keylen + 1;
			size_t l = b->len - b->keylen - 1;

			if (l >= 2 && v[0] == '"' && v[l - 1] == '"') {
				v++;
				l -= 2;
			}
			if (val && vlen)
				snprintf(val, vlen, "%.*s", (int)l, v);
			ret = 1;
		} else {
			if (val && vlen)
				val[0] = '\0';
			ret = 2;
		}
	}
	free(args);
	return ret;
}

/* Parameter names compare with '-' and '_' alike, as the kernel does. */
static bool same_name(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
		if (!x)
			return true;
	}
	return true;
}

bool bootargs_is_time_related(const char *key)
{
	static const char *const names[] = {
		"clock", "clocksource", "notsc", "tsc", "divider", "hpet",
		"nohpet", "nohz", "nohz_full", "highres", "no-kvmclock",
		"no-kvmclock-vsyscall", "no_timer_check", "lpj",
		"processor.max_cstate", "intel_idle.max_cstate", "idle",
		"xen.independent_wallclock", "hv_utils.timesync_implicit",
		"clocksource_failover", "tsc_early_khz", "noapictimer",
		"nolapic_timer", "acpi_pm_good", "hpet_mmap",
	};

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(names); i++)
		if (same_name(key, names[i], strlen(names[i]) + 1))
			return true;
	return same_name(key, "kvm-clock.", 10);
}
