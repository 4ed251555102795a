/*
 * fuzz_env.c - the whole environment probe over a fuzzed sysroot: the
 * input is cut at "\n--\n" into the contents of the files the probe
 * parses most (cmdline, cpuinfo, osrelease, os-release, redhat-release,
 * chrony.conf, ntp.conf, dmesg, a daemon's stat, dpkg status, then a
 * daemon's cmdline, modules, DMI names, /sys/hypervisor/type, the
 * clocksources, timesyncd.conf, /etc/default/ntp, a PTP clock name). Both
 * renderings must run and the JSON must come out balanced.
 */
#include <stdint.h>
#include <stdlib.h>

#include "env.h"
#include "envfmt.h"
#include "fuzzroot.h"
#include "sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"proc/cmdline", "proc/cpuinfo", "proc/sys/kernel/osrelease",
	"etc/os-release", "etc/redhat-release", "etc/chrony.conf",
	"etc/ntp.conf", "var/log/dmesg", "proc/42/stat", "var/lib/dpkg/status",
	/* added later, so the older seeds still cut the same way */
	"proc/42/cmdline", "proc/modules", "sys/class/dmi/id/sys_vendor",
	"sys/class/dmi/id/product_name", "sys/hypervisor/type",
	"sys/devices/system/clocksource/clocksource0/current_clocksource",
	"sys/devices/system/clocksource/clocksource0/available_clocksource",
	"etc/systemd/timesyncd.conf", "etc/default/ntp",
	"sys/class/ptp/ptp0/clock_name",
};
static struct fuzzroot root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;
	static struct env e;

	if (!root.nfiles)
		fuzzroot_init(&root, "env", files, sizeof(files) / sizeof(files[0]));
	fuzzroot_write(&root, data, size);
	if (sysroot_set(root.dir, NULL))
		abort();
	env_probe(&e);
	sysroot_set(NULL, NULL);
	envfmt_text(&e, &sb);
	strbuf_reset(&sb);
	json_init(&j, &sb, false);
	envfmt_json(&e, &j, NULL);
	if (j.depth != 0)
		abort();
	strbuf_release(&sb);
	return 0;
}
