/*
 * cmd_watch.c - `hvclock watch`: a long-running watcher (for systemd)
 * that appends a step record to the sample log the moment the realtime
 * clock is stepped, logs it to syslog and can run a command about it.
 *
 * Signals (SIGTERM, SIGINT, SIGCHLD) are blocked except inside the wait,
 * so a record is never cut by them: SIGTERM during a write takes effect
 * once the record is complete.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "cmds.h"
#include "json.h"
#include "logfile.h"
#include "record.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"
#include "watch.h"

#define DEFAULT_LOG "/var/log/hvclock/samples.log"

extern char **environ;

const char cmd_watch_help[] =
	"Usage: hvclock watch [-o FILE] [--syslog] [--exec CMD] [--poll DURATION]\n"
	"                     [--json]\n"
	"\n"
	"Wait for steps of the realtime clock and record each one as it happens:\n"
	"a step record in the sample log (the same file hvclock log writes), a\n"
	"line on standard output, optionally a syslog line and a command run with\n"
	"the step in its environment. Meant to run under systemd\n"
	"(hvclock-watch.service); stops cleanly on SIGTERM or SIGINT.\n"
	"\n"
	"The wait is a timerfd with TFD_TIMER_CANCEL_ON_SET (Linux 3.0+), which\n"
	"the kernel wakes whenever the clock is set, so nothing runs while nothing\n"
	"happens. Where it is missing, the clock is polled instead. A step is the\n"
	"change of REALTIME - BOOTTIME across the wake-up.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE  the log (default " DEFAULT_LOG ")\n"
	"  --syslog        a syslog line per step (and at start and stop)\n"
	"  --exec CMD      run CMD with /bin/sh after each step, with\n"
	"                  HVCLOCK_STEP_SECONDS (-2.500000: backward),\n"
	"                  HVCLOCK_STEP_DIRECTION (backward|forward),\n"
	"                  HVCLOCK_STEP_TIME (ISO 8601, UTC, after the step),\n"
	"                  HVCLOCK_STEP_UNIX and HVCLOCK_LOG in its environment\n"
	"  --poll DURATION poll every DURATION instead of using the timerfd (also\n"
	"                  the interval of the fallback; default 10s)\n"
	"  --min-step DURATION\n"
	"                  smallest step recorded when the kernel reports a set\n"
	"                  of the clock (default 1ms); polling needs 50ms\n"
	"  --json          a JSON object per line for each step, on stdout\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 stopped by SIGTERM or SIGINT, 1 the log cannot be\n"
	"written or the wait failed, 2 usage error.\n";

static volatile sig_atomic_t got_stop, got_chld;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else
		got_stop = sig;
}

static void step_record(const struct watch_event *ev, const struct watch_step *st,
			struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RECORD_STEP;
	r->events = RECORD_EV_STEP;
	record_fill_local(r, &ev->snap);
	r->have |= RECORD_HAVE_STEP;
	r->step_s = st->size_s;
	r->unc_s = st->unc_s;
}

static int append_record(const char *path, const struct record *r, char *err)
{
	struct logfile *lf;
	struct strbuf out = STRBUF_INIT;
	int rc;

	if (logfile_open(path, 10, &lf, err))
		return -1;
	if (logfile_size(lf) == 0)
		strbuf_addf(&out, "%s\n", record_header);
	record_format(r, &out);
	rc = logfile_append(lf, out.buf, out.len, err);
	logfile_close(lf);
	strbuf_release(&out);
	return rc;
}

/* Runs cmd in the background with the step in its environment. */
static void run_hook(const char *cmd, const struct watch_step *st, const char *log,
		     const sigset_t *orig_mask, bool use_syslog)
{
	struct strbuf v[5] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT,
			       STRBUF_INIT };
	char iso[32];
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	char **envp;
	size_t n = 0, k = 0;
	posix_spawnattr_t attr;
	sigset_t dflt;
	pid_t pid;
	int rc;

	record_iso_time(st->at_real, iso, sizeof(iso));
	strbuf_addf(&v[0], "HVCLOCK_STEP_SECONDS=%.6f", st->size_s);
	strbuf_addf(&v[1], "HVCLOCK_STEP_DIRECTION=%s", st->size_s < 0 ? "backward" : "forward");
	strbuf_addf(&v[2], "HVCLOCK_STEP_TIME=%s", iso);
	strbuf_addf(&v[3], "HVCLOCK_STEP_UNIX=%.6f", (double)st->at_real * 1e-9);
	strbuf_addf(&v[4], "HVCLOCK_LOG=%s", log);
	while (environ[n])
		n++;
	envp = xcalloc(n + 6, sizeof(*envp));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HVCLOCK_STEP_", 13) && strncmp(environ[i], "HVCLOCK_LOG=", 12))
			envp[k++] = environ[i];
	for (int i = 0; i < 5; i++)
		envp[k++] = v[i].buf;
	envp[k] = NULL;

	/* The child gets the signal mask and dispositions we started with. */
	posix_spawnattr_init(&attr);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, orig_mask);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	if (rc) {
		cli_error("cannot run '%s': %s", cmd, strerror(rc));
		if (use_syslog)
			syslog(LOG_ERR, "cannot run '%s': %s", cmd, strerror(rc));
	}
	free(envp);
	for (int i = 0; i < 5; i++)
		strbuf_release(&v[i]);
}

static void reap(const char *cmd, bool use_syslog)
{
	int status;
	pid_t pid;

	/* Bounded: at most one round per child that has exited. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status))
			cli_warning("--exec '%s' exited with status %d", cmd, WEXITSTATUS(status));
		else
			cli_warning("--exec '%s' was killed by signal %d", cmd,
				    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		if (use_syslog)
			syslog(LOG_WARNING, "--exec '%s' failed (status %d)", cmd, status);
	}
}

static void report_step(const struct watch_step *st, const char *path, bool as_json,
			bool use_syslog)
{
	char iso[32];

	record_iso_time(st->at_real, iso, sizeof(iso));
	if (as_json) {
		struct strbuf o = STRBUF_INIT;
		struct json j;

		json_init(&j, &o, false);
		json_begin_object(&j, NULL);
		json_string(&j, "event", "step");
		json_string(&j, "time", iso);
		json_double(&j, "unix_s", (double)st->at_real * 1e-9, 16);
		json_double(&j, "step_s", st->size_s, 9);
		json_string(&j, "direction", st->size_s < 0 ? "backward" : "forward");
		json_double(&j, "uncertainty_s", st->unc_s, 3);
		json_string(&j, "found_by", st->kernel_said ? "timerfd" : "poll");
		json_end_object(&j);
		printf("%s\n", o.buf);
		strbuf_release(&o);
	} else {
		printf("%s  clock stepped %s by %.6f s -> %s\n", iso,
		       st->size_s < 0 ? "backward" : "forward", fabs(st->size_s), path);
	}
	fflush(stdout);
	if (use_syslog)
		syslog(st->size_s < 0 ? LOG_WARNING : LOG_NOTICE,
		       "clock stepped %s by %.6f s (REALTIME now %s)",
		       st->size_s < 0 ? "backward" : "forward", fabs(st->size_s), iso);
}

int cmd_watch(const struct cli_cmd *cmd, int argc, char **argv)
{
	enum { O_SYSLOG = 1, O_EXEC, O_POLL, O_MINSTEP, O_JSON };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "syslog", no_argument, NULL, O_SYSLOG },
		{ "exec", required_argument, NULL, O_EXEC },
		{ "poll", required_argument, NULL, O_POLL },
		{ "min-step", required_argument, NULL, O_MINSTEP },
		{ "json", no_argument, NULL, O_JSON },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct strbuf path = STRBUF_INIT;
	struct watch_opts wo;
	struct watch_detector det;
	struct watch_source *src = NULL;
	struct watch_event ev;
	struct sigaction sa;
	sigset_t block, orig, during;
	const char *out = NULL, *hook = NULL;
	char err[UTIL_ERRMAX], why[UTIL_ERRMAX];
	bool use_syslog = false, as_json = false;
	enum watch_mode mode = WATCH_AUTO;
	double poll_s = 10;
	struct logfile *lf;
	int opt, rc;

	watch_opts_default(&wo);
	while ((opt = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!*optarg)
				return cli_usage(cmd, "empty --output");
			out = optarg;
			break;
		case O_SYSLOG:
			use_syslog = true;
			break;
		case O_EXEC:
			if (!*optarg)
				return cli_usage(cmd, "empty --exec");
			hook = optarg;
			break;
		case O_POLL:
			if (util_parse_duration(optarg, 0.01, 3600, &poll_s, err))
				return cli_usage(cmd, "--poll: %s", err);
			mode = WATCH_POLL;
			break;
		case O_MINSTEP:
			if (util_parse_duration(optarg, 1e-6, 3600, &wo.set_min_s, err))
				return cli_usage(cmd, "--min-step: %s", err);
			break;
		case O_JSON:
			as_json = true;
			break;
		default:
			if ((rc = cli_common_option(cmd, opt, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_no_operands(cmd, argc, argv)) >= 0)
		return rc;
	if (out) {
		strbuf_addstr(&path, out);
	} else if (sysroot_path(DEFAULT_LOG, &path, err)) {
		cli_error("%s", err);
		return CLI_EXIT_FAILURE;
	}
	/* Fail now, not at the first step, when the log cannot be written. */
	if (logfile_open(path.buf, 10, &lf, err)) {
		cli_error("%s", err);
		strbuf_release(&path);
		return CLI_EXIT_FAILURE;
	}
	logfile_close(lf);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	during = orig;
	sigdelset(&during, SIGTERM);
	sigdelset(&during, SIGINT);
	sigdelset(&during, SIGCHLD);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	if (watch_source_open(mode, poll_s, &src, why, err)) {
		cli_error("%s", err);
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	/* The reference first: a step after "waiting" is then always seen. */
	watch_detector_init(&det);
	ev.kind = WATCH_TICK;
	if (clock_snap_read(&ev.snap, 3)) {
		cli_error("cannot read the clocks: %s", strerror(errno));
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	watch_detect(&det, &wo, &ev, NULL);
	if (use_syslog)
		openlog("hvclock", LOG_PID, LOG_DAEMON);
	if (why[0] && mode == WATCH_AUTO)
		cli_warning("%s; polling every %g s instead", why, poll_s);
	if (!as_json) {
		printf("hvclock watch: waiting for clock steps (%s%s); log %s\n",
		       watch_source_kind(src),
		       !strcmp(watch_source_kind(src), "timerfd") ?
		       ", TFD_TIMER_CANCEL_ON_SET" : "", path.buf);
		fflush(stdout);
	}
	if (use_syslog)
		syslog(LOG_INFO, "watching for clock steps (%s); log %s",
		       watch_source_kind(src), path.buf);

	rc = CLI_EXIT_OK;
	while (!got_stop) {
		struct watch_step st;
		int n = watch_source_wait(src, &during, &ev, err);

		if (got_chld) {
			got_chld = 0;
			reap(hook ? hook : "", use_syslog);
		}
		if (n < 0) {
			cli_error("%s", err);
			rc = CLI_EXIT_FAILURE;
			break;
		}
		if (n == 0 || !watch_detect(&det, &wo, &ev, &st))
			continue;
		{
			struct record r;

			step_record(&ev, &st, &r);
			if (append_record(path.buf, &r, err)) {
				cli_error("%s", err);
				if (use_syslog)
					syslog(LOG_ERR, "%s", err);
			}
		}
		report_step(&st, path.buf, as_json, use_syslog);
		if (hook)
			run_hook(hook, &st, path.buf, &orig, use_syslog);
	}
	if (got_stop && use_syslog)
		syslog(LOG_INFO, "stopped by signal %d", (int)got_stop);
out:
	watch_source_close(src);
	if (use_syslog)
		closelog();
	sigprocmask(SIG_SETMASK, &orig, NULL);
	strbuf_release(&path);
	return rc;
}
