/*
 * fuzz_rules.c - logs, boot arguments and configuration in, findings out:
 * the input is cut at "\n--\n" into a drift (ppm, as text) and the files
 * the rules depend on most (cmdline, osrelease, clocksource, redhat-release,
 * ntp.conf, chrony.conf, messages, maillog, dmesg, ntpd's drift file).
 * env_probe(), logscan_scan() and rules_evaluate() run over that sysroot;
 * both renderings must run, the JSON must come out balanced, and the worst
 * severity must be the worst of the findings.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "fuzzroot.h"
#include "logscan.h"
#include "rules.h"
#include "sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"proc/cmdline", "proc/sys/kernel/osrelease",
	"sys/devices/system/clocksource/clocksource0/current_clocksource",
	"etc/redhat-release", "etc/ntp.conf", "etc/chrony.conf",
	"var/log/messages", "var/log/maillog", "var/log/dmesg", "var/lib/ntp/drift",
};
static struct fuzzroot root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	static struct env e;
	static struct logscan ls;
	static struct measurement m;
	static struct rules_result r;
	struct strbuf sb = STRBUF_INIT;
	struct json j;
	char num[32];
	enum rules_severity worst = RULES_OK;

	if (!root.nfiles)
		fuzzroot_init(&root, "rules", files, sizeof(files) / sizeof(files[0]));
	{
		const uint8_t *sep = memmem(p, size, "\n--\n", 4);
		size_t len = (size_t)((sep ? sep : end) - p);

		snprintf(num, sizeof(num), "%.*s", (int)(len < 31 ? len : 31), (const char *)p);
		p = sep ? sep + 4 : end;
	}
	fuzzroot_write(&root, p, (size_t)(end - p));
	if (sysroot_set(root.dir, NULL))
		abort();
	env_probe(&e);
	logscan_scan(e.daemons[DAEMON_NTPD].conf.driftfile,
		     e.daemons[DAEMON_CHRONYD].conf.driftfile, &ls);
	sysroot_set(NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.drift_raw.drift_ppm = strtod(num, NULL);
	m.drift_raw.valid = num[0] != '\0';
	if (m.drift_raw.valid && num[0] == '-' && num[1] == 's') {
		/* "-s..." also gives the measurement a backward step */
		m.n_steps = 1;
		m.steps[0].size_s = -fabs(m.drift_raw.drift_ppm) / 1e3;
	}
	rules_evaluate(&e, num[0] ? &m : NULL, &ls, &r);
	for (int i = 0; i < r.n; i++) {
		if (!r.findings[i].rule_id || !r.findings[i].source)
			abort();
		if (r.findings[i].severity > worst)
			worst = r.findings[i].severity;
	}
	if (worst != r.worst)
		abort();
	rules_format_text(&r, &sb);
	strbuf_reset(&sb);
	json_init(&j, &sb, false);
	rules_to_json(&r, &j, NULL);
	logscan_to_json(&ls, &j, "logs");
	if (j.depth != 0)
		abort();
	strbuf_release(&sb);
	return 0;
}
