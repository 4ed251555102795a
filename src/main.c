/*
 * main.c - the command table and the dispatch to cmd_<name>().
 *
 * Global options come before the command: --sysroot DIR (also accepted
 * after it, and from HVCLOCK_SYSROOT), --version, --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "sysroot.h"
#include "util.h"

const struct cli_cmd cli_commands[] = {
	{ "diagnose", cmd_diagnose, "measure drift against NTP, find clock steps",
	  cmd_diagnose_help, 3 },
	{ "env", cmd_env, "show the timekeeping environment and its evidence",
	  cmd_env_help, CLI_EXIT_USAGE },
	{ "log", cmd_log, "append one sample to the sample log (for cron)",
	  cmd_log_help, CLI_EXIT_USAGE },
	{ "watch", cmd_watch, "record clock steps as they happen (for systemd)",
	  cmd_watch_help, CLI_EXIT_USAGE },
	{ "report", cmd_report, "analyse a sample log: drift, steps, reboots, a plot",
	  cmd_report_help, CLI_EXIT_USAGE },
	{ "help", cmd_help, "show help for hvclock or one command",
	  cmd_help_help, CLI_EXIT_USAGE },
	{ "grub", cmd_grub, "add or remove kernel arguments in the boot configuration",
	  cmd_grub_help, CLI_EXIT_USAGE },
	{ "query", cmd_query, "one-shot SNTP offset measurement (like ntpdate -q)",
	  cmd_query_help, CLI_EXIT_USAGE },
	{ NULL, NULL, NULL, NULL, 0 }
};

int main(int argc, char **argv)
{
	char err[UTIL_ERRMAX];
	const char *env_root = getenv("HVCLOCK_SYSROOT");
	const struct cli_cmd *cmd;
	int i = 1;

	if (env_root && *env_root && sysroot_set(env_root, err)) {
		cli_error("HVCLOCK_SYSROOT: %s", err);
		return CLI_EXIT_USAGE;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("hvclock %s\n", CLI_VERSION);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return cmd_help_overview(stdout);
		} else if (!strcmp(a, "--sysroot") || !strncmp(a, "--sysroot=", 10)) {
			const char *dir = a[9] == '=' ? a + 10 : argv[++i];

			if (!dir || !*dir) {
				fprintf(stderr, "hvclock: option '--sysroot' needs a %s\n"
					"Try 'hvclock --help'.\n", dir ? "directory, not ''" : "value");
				return CLI_EXIT_USAGE;
			}
			if (sysroot_set(dir, err)) {
				fprintf(stderr, "hvclock: %s\nTry 'hvclock --help'.\n", err);
				return CLI_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "hvclock: unknown option '%s'\n"
				"Try 'hvclock --help'.\n", a);
			return CLI_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		cmd_help_overview(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = cli_find(argv[i]);
	if (!cmd) {
		fprintf(stderr, "hvclock: unknown command '%s'\n"
			"Try 'hvclock help' for the list of commands.\n", argv[i]);
		return CLI_EXIT_USAGE;
	}
	return cmd->fn(cmd, argc - i, argv + i);
}
