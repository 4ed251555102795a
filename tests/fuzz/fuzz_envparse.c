/*
 * fuzz_envparse.c - the environment probe's pure parsers, fast: kernel log
 * lines, os-release, redhat-release, /proc/PID/stat, cpuinfo flag lists,
 * init-script option strings, Debian versions. The first byte picks the
 * parser so that one corpus covers them all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "envfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct env e;
	char *s, out[256];

	if (!size)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	memset(&e, 0, sizeof(e));
	switch (data[0] % 7) {
	case 0:
		klog_text(&e, s, "fuzz");
		if (e.n_hints > ENV_MAX_HINTS || e.n_hv_evidence > ENV_MAX_EVIDENCE)
			abort();
		for (int i = 0; i < e.n_hints; i++)
			if (!memchr(e.hints[i].first, '\0', sizeof(e.hints[i].first)))
				abort();
		break;
	case 1:
		osrel_get(s, "PRETTY_NAME", out, sizeof(out));
		osrel_get(s, "ID", out, sizeof(out));
		break;
	case 2:
		parse_redhat_release(&e, s);
		break;
	case 3:
		stat_comm(s, out, sizeof(out));
		break;
	case 4:
		has_flag(s, "tsc");
		has_flag(s, "constant_tsc");
		break;
	case 5:
		has_short_flag(s, 'x');
		gtod_clocksource(s);
		break;
	case 6:
		upstream_version(s, out, 40);
		if (strlen(out) >= 40)
			abort();
		break;
	}
	free(s);
	return 0;
}
