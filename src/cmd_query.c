/*
 * cmd_query.c - `hvclock query`: one-shot SNTP measurement of the offset
 * to one or more servers, like `ntpdate -q` or `sntp`, never touching the
 * clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "env.h"
#include "cmds.h"
#include "json.h"
#include "ntp.h"
#include "sntp.h"
#include "strbuf.h"
#include "util.h"

#define QUERY_MAX_SERVERS 16
#define QUERY_MAX_COUNT 8

const char cmd_query_help[] =
	"Usage: hvclock query [-s SERVER]... [-n COUNT] [-t TIMEOUT] [--json]\n"
	"\n"
	"Measures this machine's clock offset against NTP servers without\n"
	"changing the clock (like 'ntpdate -q' or 'sntp'). Each server gets a\n"
	"burst of COUNT queries; the reply with the lowest round-trip delay is\n"
	"kept, since it is the one least disturbed by queueing.\n"
	"\n"
	"Options:\n"
	"  -s, --server SERVER  HOST, HOST:PORT, [IPV6]:PORT or an IPv6 literal;\n"
	"                       repeatable (up to 16); every address of a name\n"
	"                       is tried until one answers. Default: the\n"
	"                       servers of the running (else configured) time\n"
	"                       daemon, else pool.ntp.org\n"
	"  -n, --count COUNT    queries per server, 1 to 8 (default 4)\n"
	"  -t, --timeout TIME   wait per query, e.g. 500ms, 2s (default 1s);\n"
	"                       a query that times out is retried once\n"
	"      --json           machine-readable output\n"
	"      --help           show this help\n"
	"\n"
	"A server is never sent more than one query every 2 s except within\n"
	"its burst. A server that answers with a Kiss-o'-Death (RATE, DENY,\n"
	"RSTR) is not queried again. Replies that fail validation (wrong\n"
	"source, stale or spoofed origin, unsynchronised server, root distance\n"
	"over 1.5 s, ...) are never used; their reasons are named.\n"
	"\n"
	"Offset: server minus local, in seconds (positive: this clock is behind).\n"
	"\n"
	"Exit status: 0 every server answered, 1 at least one did not (each\n"
	"named with the reason on stderr), 2 usage error.\n";

struct result {
	struct sntp_server srv;
	char name[300];
	bool ok;
	int replies;
	struct sntp_sample s;
	struct sntp_stats st;
	char err[UTIL_ERRMAX];
	bool kissed;
	char kod[5];
};

static void print_text(const struct result *r, int n, int count)
{
	bool header = false;

	for (int i = 0; i < n; i++) {
		char delay[64];

		if (!r[i].ok)
			continue;
		if (!header) {
			printf("%-22s %-24s %2s %-15s %15s %12s %10s %-6s %s\n",
			       "SERVER", "ADDRESS", "ST", "REFID", "OFFSET/s",
			       "DELAY/s", "ROOTDIST/s", "RX-TS", "REPLIES");
			header = true;
		}
		/* A negative delay (a server that lies, or a clock stepped
		 * mid-exchange) is shown as 0 with the measured value. */
		if (r[i].s.delay_s < 0)
			snprintf(delay, sizeof(delay), "0 (measured %.3g)", r[i].s.delay_s);
		else
			snprintf(delay, sizeof(delay), "%.9f", r[i].s.delay_s);
		printf("%-22s %-24s %2d %-15s %+15.9f %12s %10.6f %-6s %d/%d\n",
		       r[i].name, r[i].s.addr, r[i].s.stratum, r[i].s.refid,
		       r[i].s.offset_s, delay, r[i].s.root_distance_s,
		       r[i].s.kernel_rx_ts ? "kernel" : "user", r[i].replies, count);
	}
}

static void json_rejects(struct json *j, const struct sntp_stats *st)
{
	json_begin_object(j, "rejected");
	for (int k = 1; k < NTP_REJECT_COUNT; k++)
		if (st->rejected[k])
			json_int(j, ntp_reject_name((enum ntp_reject)k), st->rejected[k]);
	json_end_object(j);
}

static void print_json(const struct result *r, int n, int count,
		       double timeout_s)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	json_init(&j, &sb, true);
	json_begin_object(&j, NULL);
	json_int(&j, "count", count);
	json_double(&j, "timeout_s", timeout_s, 6);
	json_begin_array(&j, "servers");
	for (int i = 0; i < n; i++) {
		json_begin_object(&j, NULL);
		json_string(&j, "server", r[i].name);
		json_bool(&j, "ok", r[i].ok);
		if (r[i].ok) {
			const struct sntp_sample *s = &r[i].s;

			json_string(&j, "address", s->addr);
			json_int(&j, "stratum", s->stratum);
			json_string(&j, "refid", s->refid);
			json_int(&j, "leap", s->leap);
			json_int(&j, "version", s->version);
			json_double(&j, "offset_s", s->offset_s, 12);
			json_double(&j, "delay_s", s->delay_s, 12);
			json_double(&j, "root_distance_s", s->root_distance_s, 9);
			json_bool(&j, "kernel_rx_ts", s->kernel_rx_ts);
			json_int(&j, "t1_realtime_ns", s->t1_real);
			json_int(&j, "t4_realtime_ns", s->t4_real);
		} else {
			json_string(&j, "error", r[i].err);
		}
		json_string_or_null(&j, "kod", r[i].kissed ? r[i].kod : NULL);
		json_int(&j, "replies", r[i].replies);
		json_int(&j, "requests", r[i].st.sent);
		json_int(&j, "timeouts", r[i].st.timeouts);
		json_rejects(&j, &r[i].st);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	fputs(sb.buf, stdout);
	fputc('\n', stdout);
	strbuf_release(&sb);
}

int cmd_query(const struct cli_cmd *cmd, int argc, char **argv)
{
	enum { OPT_JSON = 0x2000 };
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct result *res;
	struct sntp_opts o;
	struct sntp_client *c;
	char err[UTIL_ERRMAX];
	int opt, r, n = 0, failed = 0;
	long count = 4;
	bool json = false;

	sntp_opts_default(&o);
	res = xcalloc(QUERY_MAX_SERVERS, sizeof(*res));
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":s:n:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (n == QUERY_MAX_SERVERS) {
				free(res);
				return cli_usage(cmd, "too many servers (at most %d): '%s'",
						 QUERY_MAX_SERVERS, optarg);
			}
			if (sntp_parse_server(optarg, &res[n].srv, err)) {
				free(res);
				return cli_usage(cmd, "%s", err);
			}
			n++;
			break;
		case 'n':
			if (util_parse_long(optarg, 1, QUERY_MAX_COUNT, &count, err)) {
				free(res);
				return cli_usage(cmd, "option '-n': %s", err);
			}
			break;
		case 't':
			if (util_parse_duration(optarg, 0.001, 60, &o.timeout_s, err)) {
				free(res);
				return cli_usage(cmd, "option '-t': %s", err);
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		default:
			if ((r = cli_common_option(cmd, opt, argv)) >= 0) {
				free(res);
				return r;
			}
		}
	}
	if ((r = cli_no_operands(cmd, argc, argv)) >= 0) {
		free(res);
		return r;
	}
	if (!n) {
		/* The servers this machine's time daemon uses, else the pool. */
		struct sntp_server def[QUERY_MAX_SERVERS];
		struct env *e = xmalloc(sizeof(*e));

		env_probe(e);
		n = sntp_servers_from_env(e, def, QUERY_MAX_SERVERS);
		free(e);
		for (int i = 0; i < n; i++)
			res[i].srv = def[i];
	}

	c = sntp_new(&o);
	for (int i = 0; i < n; i++) {
		sntp_server_str(&res[i].srv, res[i].name, sizeof(res[i].name));
		cli_progress("querying %s (%d of %d)", res[i].name, i + 1, n);
		sntp_stats_reset(c);
		r = sntp_burst(c, &res[i].srv, (int)count, &res[i].s, res[i].err);
		sntp_stats_get(c, &res[i].st);
		res[i].ok = r > 0;
		res[i].replies = r > 0 ? r : 0;
		res[i].kissed = sntp_server_kissed(c, &res[i].srv, res[i].kod);
		if (!res[i].ok)
			failed++;
	}
	cli_progress_done();
	sntp_free(c);

	for (int i = 0; i < n; i++) {
		if (!res[i].ok)
			cli_error("%s", res[i].err);
		else if (res[i].kissed)
			cli_warning("%s: sent Kiss-o'-Death %s during the burst: not querying it again",
				    res[i].name, res[i].kod);
	}
	if (json)
		print_json(res, n, (int)count, o.timeout_s);
	else
		print_text(res, n, (int)count);
	free(res);
	return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
