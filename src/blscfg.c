/*
 * blscfg.c - BootLoaderSpec type #1 entries (see blscfg.h). Lines are
 * "key value" separated by blanks; '#' starts a comment line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blscfg.h"
#include "bootargs.h"
#include "grubenv.h"
#include "util.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

void blscfg_entry_id(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	size_t l;

	b = b ? b + 1 : path;
	l = strlen(b);
	if (l > 5 && !strcmp(b + l - 5, ".conf"))
		l -= 5;
	snprintf(out, n, "%.*s", (int)l, b);
}

static bool is_kernelopts(const char *s, size_t n)
{
	return (n == 11 && !memcmp(s, "$kernelopts", 11)) ||
	       (n == 13 && !memcmp(s, "${kernelopts}", 13));
}

int blscfg_parse(struct bootcfg *bc, size_t file, size_t env_file, char *err)
{
	const char *t = bc->files[file].old.buf;
	size_t len = bc->files[file].old.len, pos = 0, ls, le;
	char *title = NULL, *linux_path = NULL, *version = NULL;
	struct { size_t s, e; int line; } opts[16];
	size_t nopts = 0;
	int lineno = 0;
	struct bootcfg_entry *e;
	char ver[128], id[256];

	while (bootcfg_next_line(t, len, &pos, &ls, &le)) {
		size_t p, ks;

		lineno++;
		for (p = ls; p < le && blank(t[p]); p++)
			;
		if (p >= le || t[p] == '#')
			continue;
		ks = p;
		while (p < le && !blank(t[p]))
			p++;
		if (p - ks == 7 && !memcmp(t + ks, "options", 7)) {
			if (nopts == UTIL_ARRAY_SIZE(opts)) {
				free(title);
				free(linux_path);
				free(version);
				return util_err(err, "'%s': too many options lines",
						bc->files[file].shown);
			}
			opts[nopts].s = p;
			opts[nopts].e = le;
			opts[nopts++].line = lineno;
			continue;
		}
		{
			size_t vs = p, ve = le;
			char **dst = NULL;

			while (vs < le && blank(t[vs]))
				vs++;
			while (ve > vs && blank(t[ve - 1]))
				ve--;
			if (p - ks == 5 && !memcmp(t + ks, "title", 5))
				dst = &title;
			else if (p - ks == 5 && !memcmp(t + ks, "linux", 5))
				dst = &linux_path;
			else if (p - ks == 7 && !memcmp(t + ks, "version", 7))
				dst = &version;
			if (dst) {
				free(*dst);
				*dst = xstrndup(t + vs, ve - vs);
			}
		}
	}
	blscfg_entry_id(bc->files[file].shown, id, sizeof(id));
	e = bootcfg_add_entry(bc, file, title ? title : id, linux_path ? linux_path : "",
			      "linux");
	e->line = nopts ? opts[nopts - 1].line : 0;
	ver[0] = '\0';
	if (version) {
		struct kver k;

		if (!kver_parse(version, &k, NULL))
			snprintf(ver, sizeof(ver), "%s", version);
	}
	if (!ver[0] && linux_path)
		bootcfg_version_from_path(linux_path, ver, sizeof(ver));
	if (!ver[0] && title)
		bootcfg_version_from_title(title, ver, sizeof(ver));
	free(e->version);
	e->version = xstrdup(ver);
	if (!linux_path) {
		e->kind = "other";
		bootcfg_skip(e, "no 'linux' line (not a Linux entry)");
	} else if (!nopts) {
		bootcfg_skip(e, "no 'options' line: the entry passes no arguments, left as is");
	} else {
		bool ko = false;

		for (size_t i = 0; i < nopts && !e->skip; i++) {
			struct bootarg *a;
			size_t n, k;
			char e2[UTIL_ERRMAX];

			if (bootargs_split(t + opts[i].s, opts[i].e - opts[i].s, &a, &n, NULL, e2)) {
				bootcfg_skip(e, "line %d: %s", opts[i].line, e2);
				break;
			}
			for (k = 0; k < n; k++)
				if (is_kernelopts(t + opts[i].s + a[k].start, a[k].len))
					break;
			if (k < n && !ko) {
				size_t ts = opts[i].s + a[k].start, te = ts + a[k].len;

				ko = true;
				bootcfg_add_span(bc, e, file, opts[i].s, ts - opts[i].s, true);
				if (env_file == (size_t)-1 ||
				    grubenv_add_span(bc, e, env_file, "kernelopts")) {
					bootcfg_skip(e, "options use $kernelopts but %s",
						     env_file == (size_t)-1 ?
						     "there is no grubenv" :
						     "grubenv has no kernelopts= (grub.cfg's fallback is used; run grub2-mkconfig first)");
				}
				e->append = e->nspans - 1;
				bootcfg_add_span(bc, e, file, te, opts[i].e - te, true);
			} else if (k < n) {
				bootcfg_skip(e, "line %d: $kernelopts used twice", opts[i].line);
			} else {
				bootcfg_add_span(bc, e, file, opts[i].s, opts[i].e - opts[i].s, true);
				if (!ko)
					e->append = e->nspans - 1;
			}
			free(a);
		}
	}
	free(title);
	free(linux_path);
	free(version);
	return 0;
}
