/*
 * cli.c - helpers shared by the cmd_* files: option errors, messages,
 * the progress line.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sysroot.h"
#include "util.h"

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cli_print_help(const struct cli_cmd *cmd, FILE *f)
{
	fputs(cmd->help, f);
}

int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hvclock %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'hvclock %s --help'.\n", cmd->name);
	return cmd->usage_exit;
}

/*
 * Whether getopt's last error was about a long option (argv[optind - 1],
 * "--name" or "--name=value") rather than the short option optopt.
 * getopt_long sets optopt to 0 for an unknown long option, to the
 * option's value for a long option that lacks or must not have a value
 * (which may be a letter, as in "--server"), and to the letter for a bad
 * short option; it advances optind past a long option always, past a
 * group of short options only at the group's last letter. So a short
 * error with optind not advanced is one inside argv[optind] (optopt
 * before its last letter); otherwise the word is argv[optind - 1].
 */
static bool long_option_error(char **argv)
{
	const char *cur = argv[optind], *w;

	if (!optopt)
		return true;
	if (cur && cur[0] == '-' && cur[1] && cur[1] != '-') {
		const char *p = strchr(cur + 1, optopt);

		if (p && p[1])
			return false;
	}
	w = argv[optind - 1];
	return w && w[0] == '-' && w[1] == '-';
}

int cli_common_option(const struct cli_cmd *cmd, int opt, char **argv)
{
	char err[UTIL_ERRMAX];
	const char *w;
	int n;

	switch (opt) {
	case CLI_OPT_HELP:
		cli_print_help(cmd, stdout);
		return CLI_EXIT_OK;
	case CLI_OPT_SYSROOT:
		/* An empty value is a script's unset variable, not "live". */
		if (!*optarg)
			return cli_usage(cmd, "option '--sysroot' needs a directory, not ''");
		if (sysroot_set(optarg, err))
			return cli_usage(cmd, "%s", err);
		return -1;
	case ':':
	case '?':
		if (!long_option_error(argv)) {
			if (opt == ':')
				return cli_usage(cmd, "option '-%c' needs a value", optopt);
			return cli_usage(cmd, "unknown option '-%c'", optopt);
		}
		w = argv[optind - 1];
		n = (int)strcspn(w, "=");
		if (opt == ':')
			return cli_usage(cmd, "option '%.*s' needs a value", n, w);
		if (optopt && w[n] == '=')
			return cli_usage(cmd, "option '%.*s' takes no value", n, w);
		return cli_usage(cmd, "unknown option '%.*s'", n, w);
	default:
		return cli_usage(cmd, "option '%s' is not handled", argv[optind - 1]);
	}
}

int cli_no_operands(const struct cli_cmd *cmd, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	cli_progress_done();
	fprintf(stderr, "hvclock: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

static int progress_on = -1; /* -1 = decide with isatty */
static bool progress_shown;

void cli_progress_enable(bool on)
{
	progress_on = on;
}

void cli_progress(const char *fmt, ...)
{
	va_list ap;

	if (progress_on < 0)
		progress_on = isatty(STDERR_FILENO);
	if (!progress_on)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = true;
}

void cli_progress_done(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_shown = false;
}
