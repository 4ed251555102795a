/*
 * cmds.h - entry points of the subcommands, one per src/cmd_<name>.c.
 * Each returns the process exit code; each file also exports its --help
 * text as cmd_<name>_help.
 */
#ifndef HV_CMDS_H
#define HV_CMDS_H

#include <stdio.h>

#include "cli.h"

/* Usage errors exit 3 (UNKNOWN), as monitoring plugins do. */
int cmd_diagnose(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_diagnose_help[];
int cmd_env(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_env_help[];

int cmd_log(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_log_help[];

int cmd_watch(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_watch_help[];

int cmd_report(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_report_help[];

int cmd_help(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_help_help[];
int cmd_query(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_query_help[];
/* `hvclock --help`: usage and the list of commands; returns 0. */
int cmd_help_overview(FILE *f);

int cmd_grub(const struct cli_cmd *cmd, int argc, char **argv);
extern const char cmd_grub_help[];

#endif
