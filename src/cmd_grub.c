/*
 * cmd_grub.c - `hvclock grub`: add or remove kernel arguments in the boot
 * configuration (GRUB legacy, GRUB 2 defaults, BLS entries), showing the
 * plan and the diff first and writing only with --apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "argedit.h"
#include "bootcfg.h"
#include "cli.h"
#include "clock.h"
#include "cmds.h"
#include "json.h"
#include "kver.h"
#include "remedy.h"
#include "hypervisor.h"
#include "rules.h"
#include "env.h"
#include "textdiff.h"
#include "util.h"

const char cmd_grub_help[] =
	"Usage: hvclock grub [--check | --diff | --apply | --stdout]\n"
	"                    [--args \"A B\"] [--remove-args \"A B\"] [--profile NAME]\n"
	"                    [--entry all|default|GLOB]... [OPTIONS]\n"
	"\n"
	"Adds or removes kernel arguments in the boot configuration, the same way\n"
	"in every boot entry, leaving every other byte of the files as it was.\n"
	"Without a mode it shows the plan and the diff and changes nothing.\n"
	"\n"
	"What to change:\n"
	"  --args \"A B\"          arguments to add; the same key with another value\n"
	"                        is replaced where it stands, repeated keys collapse\n"
	"                        to one\n"
	"  --remove-args \"A B\"   arguments to remove: a bare key removes every value\n"
	"                        of that key, key=value only that value\n"
	"  (none of these)       the remedy diagnose's rules choose for this system\n"
	"                        (from the environment probe, no measurement)\n"
	"  --profile NAME        the arguments of a remedy profile (hvclock grub\n"
	"                        --profile list shows them), applied only to the\n"
	"                        entries whose kernel the profile is for\n"
	"  --replace-conflicts   replace conflicting arguments (clocksource= against\n"
	"                        clock=); without it they are reported and the entry\n"
	"                        gets nothing added\n"
	"  --entry WHICH         all (default), default, a title glob, or a kernel path\n"
	"                        glob (contains '/'); may be repeated\n"
	"\n"
	"Modes:\n"
	"  --check               exit 0 when nothing would change, 1 when something\n"
	"                        would, 2 on error; print what would change\n"
	"  --diff                print the unified diff of the would-be result\n"
	"  --apply               write the changes\n"
	"  --stdout              print the patched file(s) instead of writing\n"
	"\n"
	"Where:\n"
	"  --config FILE         edit FILE instead of the detected configuration\n"
	"  --format FMT          legacy, grub2 or bls instead of auto-detection\n"
	"  --sysroot DIR         the system is mounted at DIR (e.g. /mnt/sysimage)\n"
	"\n"
	"Writing:\n"
	"  --backup-suffix SUF   backup name suffix (default .hvclock-YYYYmmddTHHMMSS)\n"
	"  --no-backup           no backup\n"
	"  --in-place            rewrite a file with several hard links in place\n"
	"                        (not atomic) instead of refusing\n"
	"  --json                the plan as JSON\n"
	"  --help                show this help\n"
	"\n"
	"GRUB 2: GRUB_CMDLINE_LINUX in /etc/default/grub is edited, never grub.cfg;\n"
	"the command that regenerates grub.cfg is printed. BLS: the options lines,\n"
	"or the kernelopts variable of grubenv when they say $kernelopts.\n"
	"\n"
	"Exit status: 0 done (or nothing to do), 1 --check found changes to make,\n"
	"2 usage error or failure (nothing written).\n";

enum mode { MODE_PLAN, MODE_CHECK, MODE_DIFF, MODE_APPLY, MODE_STDOUT };

enum {
	OPT_ARGS = 0x100, OPT_REMOVE, OPT_ENTRY, OPT_CHECK, OPT_DIFF, OPT_APPLY,
	OPT_STDOUT, OPT_CONFIG, OPT_FORMAT, OPT_BACKUP_SUFFIX, OPT_NO_BACKUP,
	OPT_IN_PLACE, OPT_REPLACE, OPT_JSON, OPT_PROFILE
};

/*
 * The remedy the rules pick for this system (env probe, no measurement):
 * the first finding, worst first, that carries one. Says which on out.
 */
static const struct remedy *rules_remedy(FILE *out)
{
	struct env *e = xcalloc(1, sizeof(*e));
	struct rules_result *r = xcalloc(1, sizeof(*r));
	const struct remedy *rem = NULL;

	env_probe(e);
	rules_evaluate(e, NULL, NULL, r);
	for (int i = 0; i < r->n && !rem; i++) {
		if (!r->findings[i].remedy)
			continue;
		rem = r->findings[i].remedy;
		fprintf(out, "remedy chosen by the rules: %s (rule %s: %s)\n", rem->id,
			r->findings[i].rule_id, r->findings[i].text);
	}
	if (!rem) {
		fprintf(out, "the rules find no boot-argument remedy for this system (%s, %s, %s)\n",
			e->hv == HV_UNKNOWN ? "platform unknown" : hypervisor_name(e->hv),
			e->distro.known ? e->distro.value : "distribution unknown",
			e->kernel_release.known ? e->kernel_release.value : "kernel unknown");
		/*
		 * Under a sysroot the platform comes from files alone (no
		 * CPUID): an installer's image often has none, so the rules
		 * cannot know it is a guest. The admin can name the remedy.
		 */
		if (e->hv == HV_UNKNOWN || !e->kernel_release.known)
			cli_warning("the rules lack %s%s%s; to apply a remedy anyway, name it: "
				    "--profile NAME (hvclock grub --profile list)",
				    e->hv == HV_UNKNOWN ? "the platform" : "",
				    e->hv == HV_UNKNOWN && !e->kernel_release.known ? " and " : "",
				    e->kernel_release.known ? "" : "the running kernel");
	}
	free(e);
	free(r);
	return rem;
}

/* Per entry: whether the profile is meant for this entry's kernel. */
static bool profile_applies(const struct kver *k, const char *arch, void *arg,
			    char *why, size_t whylen)
{
	const struct remedy *r = arg;

	if (!k) {
		snprintf(why, whylen, "kernel version unknown; profile %s is for specific kernels",
			 r->id);
		return false;
	}
	if (remedy_applies_to_kernel(r, k, arch))
		return true;
	snprintf(why, whylen, "profile %s is not for kernel %s (%s)", r->id, k->release,
		 r->summary);
	return false;
}

static void list_profiles(void)
{
	size_t n;
	const struct remedy *t = remedy_table(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-30s %s\n%-30s   add: %s%s%s\n", t[i].id, t[i].summary, "",
		       t[i].add_args ? t[i].add_args : "-",
		       t[i].remove_args ? "  remove: " : "",
		       t[i].remove_args ? t[i].remove_args : "");
}

/* Default backup suffix: the local time of this run. */
static void backup_suffix(char *buf, size_t n)
{
	int64_t ns = 0;
	time_t t;
	struct tm tm;

	clock_read(CLOCK_ID_REALTIME, &ns);
	t = (time_t)(ns / 1000000000);
	localtime_r(&t, &tm);
	strftime(buf, n, ".hvclock-%Y%m%dT%H%M%S", &tm);
}

static void entry_status(const struct bootcfg *bc, const struct bootcfg_entry *e,
			 struct strbuf *out)
{
	if (e->skip) {
		strbuf_addf(out, "skipped: %s", e->skip);
	} else if (e->not_applied) {
		strbuf_addf(out, "left alone: %s", e->not_applied);
	} else if (e->planned) {
		for (size_t k = 0; k < e->plan.n_notes; k++) {
			if (k)
				strbuf_addstr(out, "; ");
			argedit_note_format(&e->plan.notes[k], out);
		}
		if (!e->plan.n_notes)
			strbuf_addstr(out, "nothing to do");
		if (e->spans[e->append].file != e->file)
			strbuf_addf(out, " (in %s)", bc->files[e->spans[e->append].file].shown);
	}
}

static const char *entry_state(const struct bootcfg_entry *e)
{
	if (e->skip)
		return "skipped";
	if (e->not_applied)
		return "not-applied";
	if (e->planned && e->plan.conflict_left)
		return "conflict";
	if (e->planned && argedit_plan_changes(&e->plan))
		return "change";
	return "unchanged";
}

static void print_plan(const struct bootcfg *bc, const struct argedit_req *req,
		       FILE *f)
{
	fprintf(f, "format: %s\n", bootcfg_format_name(bc->format));
	if (argedit_req_adds(req))
		fprintf(f, "add: %s\n", argedit_req_add_text(req));
	if (argedit_req_removes(req))
		fprintf(f, "remove: %s\n", argedit_req_remove_text(req));
	for (size_t i = 0; i < bc->nfiles; i++) {
		const struct bootcfg_file *fl = &bc->files[i];

		fprintf(f, "%s (%s)%s:\n", fl->shown, bootcfg_format_name(fl->format),
			fl->changed ? "" : " unchanged");
		for (size_t k = 0; k < bc->nentries; k++) {
			const struct bootcfg_entry *e = &bc->entries[k];
			struct strbuf s = STRBUF_INIT;

			if (e->file != i)
				continue;
			entry_status(bc, e, &s);
			fprintf(f, "  '%s'", e->title);
			if (e->version[0])
				fprintf(f, " [%s]", e->version);
			if (e->line)
				fprintf(f, " (line %d)", e->line);
			fprintf(f, ": %s\n", s.buf);
			strbuf_release(&s);
		}
	}
	for (size_t i = 0; i < bc->nnotes; i++)
		fprintf(f, "note: %s\n", bc->notes[i]);
}

static int print_diff(const struct bootcfg *bc, FILE *f)
{
	int hunks = 0;

	for (size_t i = 0; i < bc->nfiles; i++) {
		const struct bootcfg_file *fl = &bc->files[i];
		struct strbuf d = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;

		if (!fl->changed)
			continue;
		strbuf_addf(&a, "a%s", fl->shown);
		strbuf_addf(&b, "b%s", fl->shown);
		hunks += textdiff_unified(fl->old.buf, fl->old.len, fl->new.buf, fl->new.len,
					  a.buf, b.buf, 3, &d);
		fwrite(d.buf, 1, d.len, f);
		strbuf_release(&d);
		strbuf_release(&a);
		strbuf_release(&b);
	}
	return hunks;
}

static void print_json(const struct bootcfg *bc, const struct argedit_req *req,
		       const struct remedy *rem, const struct bootcfg_written *w,
		       int nw, bool changes)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;

	json_init(&j, &out, true);
	json_begin_object(&j, NULL);
	json_string(&j, "format", bootcfg_format_name(bc->format));
	json_string_or_null(&j, "profile", rem ? rem->id : NULL);
	json_string(&j, "add", argedit_req_add_text(req));
	json_string(&j, "remove", argedit_req_remove_text(req));
	json_bool(&j, "changes", changes);
	json_string_or_null(&j, "regenerate", bc->regen[0] ? bc->regen : NULL);
	json_begin_array(&j, "files");
	for (size_t i = 0; i < bc->nfiles; i++) {
		const struct bootcfg_file *fl = &bc->files[i];

		json_begin_object(&j, NULL);
		json_string(&j, "path", fl->shown);
		json_string(&j, "format", bootcfg_format_name(fl->format));
		json_bool(&j, "changed", fl->changed);
		json_bool(&j, "hardlinked", fl->hardlinked);
		json_begin_array(&j, "entries");
		for (size_t k = 0; k < bc->nentries; k++) {
			const struct bootcfg_entry *e = &bc->entries[k];

			if (e->file != i)
				continue;
			json_begin_object(&j, NULL);
			json_string(&j, "title", e->title);
			json_string(&j, "kind", e->kind);
			json_string(&j, "kernel", e->kernel);
			json_string_or_null(&j, "version", e->version[0] ? e->version : NULL);
			json_int(&j, "line", e->line);
			json_bool(&j, "default", e->is_default);
			json_bool(&j, "global", e->global);
			json_string(&j, "state", entry_state(e));
			json_string_or_null(&j, "reason", e->skip ? e->skip : e->not_applied);
			json_begin_array(&j, "changes");
			for (size_t n = 0; e->planned && n < e->plan.n_notes; n++) {
				const struct argedit_note *nt = &e->plan.notes[n];

				json_begin_object(&j, NULL);
				json_string(&j, "kind", argedit_kind_name(nt->kind));
				json_string_or_null(&j, "old", nt->old[0] ? nt->old : NULL);
				json_string(&j, "arg", nt->text);
				json_end_object(&j);
			}
			json_end_array(&j);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_begin_array(&j, "written");
	for (int i = 0; i < nw; i++) {
		json_begin_object(&j, NULL);
		json_string(&j, "path", w[i].path);
		json_string_or_null(&j, "backup", w[i].backup[0] ? w[i].backup : NULL);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_begin_array(&j, "notes");
	for (size_t i = 0; i < bc->nnotes; i++)
		json_string(&j, NULL, bc->notes[i]);
	json_end_array(&j);
	json_end_object(&j);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

/*
 * divider= can panic RHEL 4 and RHEL/CentOS 5 kernels before 5.8 (Red Hat
 * BZ 698842): say so for each entry that gets it on such a kernel.
 */
static void warn_divider(const struct bootcfg_entry *e, const struct remedy *rem)
{
	struct kver k;

	if (!e->planned || kver_parse(e->version, &k, NULL) ||
	    !(k.el_major == 4 || (k.el_major == 5 && k.el_minor >= 0 && k.el_minor < 8)))
		return;
	for (size_t n = 0; n < e->plan.n_notes; n++) {
		const struct argedit_note *nt = &e->plan.notes[n];

		if ((nt->kind == ARGEDIT_ADDED || nt->kind == ARGEDIT_REPLACED) &&
		    !strncmp(nt->text, "divider=", 8)) {
			cli_warning("'%s': divider= can panic kernel %s (RHEL %d.%d, before 5.8: Red Hat BZ 698842); %s%s",
				    e->title, e->version, k.el_major, k.el_minor,
				    rem && rem->variant ? "consider --profile " : "consider leaving divider= out",
				    rem && rem->variant ? rem->variant : "");
			return;
		}
	}
}

int cmd_grub(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "args", required_argument, NULL, OPT_ARGS },
		{ "remove-args", required_argument, NULL, OPT_REMOVE },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "diff", no_argument, NULL, OPT_DIFF },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "backup-suffix", required_argument, NULL, OPT_BACKUP_SUFFIX },
		{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },
		{ "in-place", no_argument, NULL, OPT_IN_PLACE },
		{ "replace-conflicts", no_argument, NULL, OPT_REPLACE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *add = NULL, *rm = NULL, *config = NULL, *suffix = NULL;
	const char *profile = NULL;
	const struct remedy *rem = NULL;
	const char *entries[32];
	size_t nentries = 0;
	enum mode mode = MODE_PLAN;
	int nmodes = 0;
	enum bootcfg_format format = BOOTCFG_AUTO;
	bool no_backup = false, in_place = false, replace = false, json = false;
	char err[UTIL_ERRMAX] = "", sfx[64];
	struct argedit_req *req = NULL;
	struct bootcfg bc;
	struct bootcfg_select sel;
	struct bootcfg_written *written = NULL;
	int opt, r, nw = 0, rc = CLI_EXIT_USAGE;
	bool changes = false;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_ARGS:
			if (!*optarg)
				return cli_usage(cmd, "empty --args");
			add = optarg;
			break;
		case OPT_REMOVE:
			if (!*optarg)
				return cli_usage(cmd, "empty --remove-args");
			rm = optarg;
			break;
		case OPT_ENTRY:
			if (nentries == UTIL_ARRAY_SIZE(entries))
				return cli_usage(cmd, "too many --entry options");
			if (!*optarg)
				return cli_usage(cmd, "empty --entry");
			entries[nentries++] = optarg;
			break;
		case OPT_CHECK:
			mode = MODE_CHECK;
			nmodes++;
			break;
		case OPT_DIFF:
			mode = MODE_DIFF;
			nmodes++;
			break;
		case OPT_APPLY:
			mode = MODE_APPLY;
			nmodes++;
			break;
		case OPT_STDOUT:
			mode = MODE_STDOUT;
			nmodes++;
			break;
		case OPT_CONFIG:
			if (!*optarg)
				return cli_usage(cmd, "empty --config");
			config = optarg;
			break;
		case OPT_FORMAT:
			if (bootcfg_format_parse(optarg, &format, err))
				return cli_usage(cmd, "%s", err);
			break;
		case OPT_BACKUP_SUFFIX:
			if (!*optarg || strchr(optarg, '/'))
				return cli_usage(cmd, "invalid --backup-suffix '%s'", optarg);
			suffix = optarg;
			break;
		case OPT_NO_BACKUP:
			no_backup = true;
			break;
		case OPT_IN_PLACE:
			in_place = true;
			break;
		case OPT_REPLACE:
			replace = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PROFILE:
			profile = optarg;
			break;
		default:
			if ((r = cli_common_option(cmd, opt, argv)) >= 0)
				return r;
		}
	}
	if ((r = cli_no_operands(cmd, argc, argv)) >= 0)
		return r;
	if (nmodes > 1)
		return cli_usage(cmd, "choose one of --check, --diff, --apply, --stdout");
	if (suffix && no_backup)
		return cli_usage(cmd, "--backup-suffix and --no-backup exclude each other");
	if (profile && !strcmp(profile, "list")) {
		list_profiles();
		return CLI_EXIT_OK;
	}
	if (profile && (add || rm))
		return cli_usage(cmd, "--profile excludes --args and --remove-args");
	if (profile) {
		rem = remedy_find(profile);
		if (!rem)
			return cli_usage(cmd, "unknown profile '%s' (hvclock grub --profile list)",
					 profile);
		if (!rem->add_args && !rem->remove_args) {
			printf("profile %s: %s\nno boot arguments to change\n", rem->id,
			       rem->summary);
			return CLI_EXIT_OK;
		}
		add = rem->add_args;
		rm = rem->remove_args;
	}
	if (!add && !rm && !profile) {
		/* The remedy diagnose's rules choose for this system. */
		rem = rules_remedy(json ? stderr : stdout);
		if (!rem) {
			printf("nothing to change\n");
			return CLI_EXIT_OK;
		}
		if (!rem->add_args && !rem->remove_args) {
			printf("profile %s: %s\nno boot arguments to change\n", rem->id,
			       rem->summary);
			return CLI_EXIT_OK;
		}
		add = rem->add_args;
		rm = rem->remove_args;
	}
	if (argedit_req_new(add, rm, rem ? rem->conflicts : NULL, replace, &req, err))
		return cli_usage(cmd, "%s", err);

	bootcfg_init(&bc);
	if (bootcfg_load(&bc, format, config, mode == MODE_APPLY, err))
		goto fail;
	sel.patterns = entries;
	sel.n = nentries;
	if (bootcfg_plan(&bc, req, &sel, rem ? profile_applies : NULL, (void *)rem, err))
		goto fail;
	for (size_t i = 0; i < bc.nfiles; i++)
		changes |= bc.files[i].changed;

	if (mode == MODE_STDOUT) {
		for (size_t i = 0; i < bc.nfiles; i++) {
			if (bc.nfiles > 1)
				printf("%s==> %s <==\n", i ? "\n" : "", bc.files[i].shown);
			fwrite(bc.files[i].new.buf, 1, bc.files[i].new.len, stdout);
		}
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (mode == MODE_APPLY && changes) {
		struct bootcfg_write_opts wo = { in_place, NULL };

		if (!no_backup) {
			if (!suffix) {
				backup_suffix(sfx, sizeof(sfx));
				suffix = sfx;
			}
			wo.backup_suffix = suffix;
		}
		written = xcalloc(bc.nfiles + 1, sizeof(*written));
		nw = bootcfg_write(&bc, &wo, written, err);
		if (nw < 0) {
			if (json)
				print_json(&bc, req, rem, NULL, 0, changes);
			goto fail;
		}
	}
	if (json) {
		print_json(&bc, req, rem, written, nw, changes);
	} else {
		if (mode != MODE_DIFF && rem) {
			printf("profile: %s (%s)\n", rem->id, rem->summary);
			if (rem->caveat)
				printf("caveat: %s\n", rem->caveat);
		}
		if (mode != MODE_DIFF)
			print_plan(&bc, req, stdout);
		if (mode == MODE_PLAN || mode == MODE_DIFF) {
			if (mode == MODE_PLAN && changes)
				printf("\n");
			print_diff(&bc, stdout);
		}
		for (int i = 0; i < nw; i++) {
			printf("wrote %s", written[i].path);
			if (written[i].backup[0])
				printf(" (backup %s)", written[i].backup);
			printf("\n");
		}
		if (mode == MODE_APPLY && !changes)
			printf("nothing to change\n");
		if (mode != MODE_DIFF && bc.regen[0] && changes) {
			for (size_t i = 0; i < bc.nfiles; i++)
				if (bc.files[i].changed && bc.files[i].format == BOOTCFG_GRUB2) {
					printf("%s: run '%s'%s to regenerate grub.cfg\n",
					       mode == MODE_APPLY ? "next" : "after --apply",
					       bc.regen,
					       bootcfg_format_name(bc.format)[0] == 'b' ?
					       " only if you regenerate it anyway (the BLS entries are already edited)" : "");
					break;
				}
		}
	}
	for (size_t i = 0; i < bc.nentries; i++)
		warn_divider(&bc.entries[i], rem);
	for (size_t i = 0; i < bc.nentries; i++)
		if (bc.entries[i].planned && bc.entries[i].plan.conflict_left)
			cli_warning("'%s': conflicting arguments left as they are (use --replace-conflicts)",
				    bc.entries[i].title);
	rc = mode == MODE_CHECK && changes ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	goto out;
fail:
	cli_error("%s", err);
	rc = CLI_EXIT_USAGE;
out:
	free(written);
	bootcfg_release(&bc);
	argedit_req_free(req);
	return rc;
}
