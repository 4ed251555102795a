/*
 * fuzz_bootargs.c - kernel command-line splitting and lookups.
 * Invariants: spans stay inside the input and do not overlap; every key
 * found by the split is found again by bootargs_get.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "kver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), key[64], val[128];
	struct bootarg *a;
	struct kver k;
	size_t n, end, last = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	if (!bootargs_split(s, size, &a, &n, &end, NULL)) {
		for (size_t i = 0; i < n; i++) {
			if (a[i].start < last || a[i].start + a[i].len > size ||
			    a[i].keylen > a[i].len)
				abort();
			last = a[i].start + a[i].len;
			if (a[i].keylen && a[i].keylen < sizeof(key) &&
			    !memchr(s + a[i].start, '"', a[i].keylen) &&
			    strlen(s) == size) {
				memcpy(key, s + a[i].start, a[i].keylen);
				key[a[i].keylen] = '\0';
				if (!bootargs_key_is(s, &a[i], key))
					abort();
				if (a[i].start + a[i].len <= end &&
				    !bootargs_get(s, key, val, sizeof(val)))
					abort();
			}
			bootargs_is_time_related(key);
		}
		free(a);
	}
	kver_parse(s, &k, NULL);
	free(s);
	return 0;
}
