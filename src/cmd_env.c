/*
 * cmd_env.c - `hvclock env [--json]`: what this machine's timekeeping looks
 * like, each fact with its evidence. Always exits 0 once it ran: unknown
 * facts are part of the answer, not errors.
 */
#include <stdio.h>

#include "cli.h"
#include "cmds.h"
#include "env.h"
#include "envfmt.h"
#include "json.h"
#include "strbuf.h"

const char cmd_env_help[] =
	"Usage: hvclock env [--json] [--sysroot DIR]\n"
	"\n"
	"Show the timekeeping-relevant facts of this machine, each with the\n"
	"evidence it came from: hypervisor (CPUID, DMI, VMBus, Xen, kernel log),\n"
	"CPU and TSC features, kernel release and time-related boot arguments,\n"
	"clocksource, the kernel's NTP state (adjtimex, read only), time daemons\n"
	"and their configuration, Hyper-V integration, distribution, kernel log\n"
	"hints and the versions of software hurt by clock steps.\n"
	"\n"
	"A fact that cannot be read is shown as 'unknown (reason)'.\n"
	"\n"
	"Options:\n"
	"  --json          one JSON object (schema in README.md)\n"
	"  --sysroot DIR   read the system files under DIR (a fixture tree or a\n"
	"                  mounted guest); live-only sources are not used\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 when the probe ran, 2 on a usage error.\n";

int cmd_env(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct strbuf out = STRBUF_INIT;
	struct env e;
	bool as_json = false;
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (opt == 'j')
			as_json = true;
		else if ((r = cli_common_option(cmd, opt, argv)) >= 0)
			return r;
	}
	if ((r = cli_no_operands(cmd, argc, argv)) >= 0)
		return r;
	env_probe(&e);
	if (as_json) {
		struct json j;

		json_init(&j, &out, true);
		envfmt_json(&e, &j, NULL);
	} else {
		envfmt_text(&e, &out);
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	return fflush(stdout) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
