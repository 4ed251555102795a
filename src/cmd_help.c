/*
 * cmd_help.c - `hvclock help [COMMAND]` and the command overview.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"

const char cmd_help_help[] =
	"Usage: hvclock help [COMMAND]\n"
	"\n"
	"Without COMMAND, list the commands; with it, show that command's help\n"
	"(the same text as 'hvclock COMMAND --help').\n";

int cmd_help_overview(FILE *f)
{
	fprintf(f,
		"Usage: hvclock [--sysroot DIR] COMMAND [OPTIONS]\n"
		"       hvclock help [COMMAND] | --version\n"
		"\n"
		"Finds out why a Linux guest's clock drifts, catches backward clock\n"
		"steps, and fixes the boot configuration that causes them.\n"
		"\n"
		"Commands:\n");
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
		"\n"
		"Global options:\n"
		"  --sysroot DIR  read /proc, /sys, /etc, /boot, /var/log and /dev\n"
		"                 under DIR instead of / (also HVCLOCK_SYSROOT)\n"
		"  --version      print the version and exit\n"
		"  -h, --help     print this help and exit\n"
		"\n"
		"Run 'hvclock COMMAND --help' for a command's options.\n");
	return CLI_EXIT_OK;
}

int cmd_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *target;
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1)
		if ((r = cli_common_option(cmd, opt, argv)) >= 0)
			return r;
	if (optind >= argc)
		return cmd_help_overview(stdout);
	if (optind + 1 < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind + 1]);
	target = cli_find(argv[optind]);
	if (!target)
		return cli_usage(cmd, "unknown command '%s'", argv[optind]);
	cli_print_help(target, stdout);
	return CLI_EXIT_OK;
}
