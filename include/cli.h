/*
 * cli.h - what every cmd_<name>.c shares: the command table entry, common
 * options (--help, --sysroot), usage errors, messages and the progress line.
 *
 * Only the command layer prints. Messages go to stderr as
 *     hvclock: cannot open '/var/log/hvclock/samples.log': Permission denied
 * Usage errors name the bad word, add a hint, and return the command's
 * usage exit code (2, or 3 = UNKNOWN for commands that follow the
 * monitoring-plugins convention).
 */
#ifndef HV_CLI_H
#define HV_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	int (*fn)(const struct cli_cmd *cmd, int argc, char **argv);
	const char *summary;   /* one line for `hvclock help` */
	const char *help;      /* full text for `--help` */
	int usage_exit;        /* exit code for usage errors */
};

/* The command table (main.c). */
extern const struct cli_cmd cli_commands[];
const struct cli_cmd *cli_find(const char *name);

/* Long options every command accepts; add to each command's table. */
#define CLI_OPT_SYSROOT 0x1000
#define CLI_OPT_HELP 0x1001
#define CLI_COMMON_LONGOPTS                                              \
	{ "help", no_argument, NULL, CLI_OPT_HELP },                     \
	{ "sysroot", required_argument, NULL, CLI_OPT_SYSROOT }

/*
 * Call from the default branches of a command's getopt_long loop (the
 * optstring must start with ':'). Handles --help, --sysroot, unknown options
 * and missing arguments. Returns -1 when the option was handled and parsing
 * should go on, otherwise the exit code the command must return now.
 */
int cli_common_option(const struct cli_cmd *cmd, int opt, char **argv);
/* Rejects leftover operands; returns -1 when there are none. */
int cli_no_operands(const struct cli_cmd *cmd, int argc, char **argv);

/* "hvclock CMD: <message>" + "Try 'hvclock CMD --help'."; returns usage_exit. */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "hvclock: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the help text of cmd to f. */
void cli_print_help(const struct cli_cmd *cmd, FILE *f);

/*
 * Progress line on stderr, only when stderr is a terminal: redrawn in place
 * with \r, cleared by cli_progress_done(). Silent otherwise.
 */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);
/* Forces the progress line on or off (tests); default: isatty(2). */
void cli_progress_enable(bool on);

#define CLI_VERSION "0.1.0"

#endif
