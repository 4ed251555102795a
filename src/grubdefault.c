/*
 * grubdefault.c - /etc/default/grub (see grubdefault.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grubdefault.h"
#include "util.h"

static const char *const LINUX = "GRUB_CMDLINE_LINUX";
static const char *const LINUX_DEFAULT = "GRUB_CMDLINE_LINUX_DEFAULT";

struct assign {
	int line, var;          /* var: 0 = LINUX, 1 = LINUX_DEFAULT */
	enum bootcfg_enc enc;
	size_t vs, ve;          /* the value's source bytes, quotes excluded */
	struct strbuf text;     /* decoded */
	size_t *map;            /* absolute source offsets, text.len + 1 */
	size_t ref_s, ref_e;    /* self-reference in text, ref_s == ref_e none */
	bool has_ref;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool special(char c)
{
	return strchr("\"'\\$`;&|<>()*?[]~{}", c) != NULL;
}

/* Decodes a value at t[v..le); fills a or returns -1 with err. */
static int parse_value(const char *t, size_t v, size_t le, const char *name,
		       const char *path, struct assign *a, char *err)
{
	size_t cap = 0, i, end;

	a->map = NULL;
	if (v < le && (t[v] == '"' || t[v] == '\'')) {
		char q = t[v];

		a->enc = q == '"' ? BOOTCFG_ENC_SHELL_DQ : BOOTCFG_ENC_SHELL_SQ;
		for (i = v + 1; i < le && t[i] != q; i++)
			if (q == '"' && t[i] == '\\' && i + 1 < le)
				i++;
		if (i >= le)
			return util_err(err, "%s:%d: the value of %s does not end on its line; edit it by hand",
					path, a->line, name);
		a->vs = v + 1;
		a->ve = i;
		end = i + 1;
	} else {
		a->enc = BOOTCFG_ENC_SHELL_BARE;
		for (i = v; i < le && !blank(t[i]); i++)
			if (special(t[i]) && !(t[i] == '#' && i > v))
				return util_err(err, "%s:%d: cannot parse the value of %s safely ('%c' outside quotes); edit it by hand",
						path, a->line, name, t[i]);
		a->vs = v;
		a->ve = i;
		end = i;
	}
	while (end < le && blank(t[end]))
		end++;
	if (end < le && t[end] != '#')
		return util_err(err, "%s:%d: unexpected text after the value of %s; edit it by hand",
				path, a->line, name);
	for (i = a->vs; i < a->ve;) {
		size_t src = i;
		char c = t[i];

		if (a->enc == BOOTCFG_ENC_SHELL_DQ) {
			if (c == '\\' && i + 1 < a->ve && strchr("$`\"\\", t[i + 1])) {
				c = t[i + 1];
				i += 2;
			} else if (c == '$' || c == '`') {
				/* Only the variable's own value may be referenced. */
				size_t n = strlen(name), e2 = 0;

				if (c == '$' && !strncmp(t + i + 1, name, n) &&
				    (i + 1 + n >= a->ve || blank(t[i + 1 + n])))
					e2 = i + 1 + n;
				else if (c == '$' && t[i + 1] == '{' && !strncmp(t + i + 2, name, n) &&
					 t[i + 2 + n] == '}' &&
					 (i + 3 + n >= a->ve || blank(t[i + 3 + n])))
					e2 = i + 3 + n;
				if (!e2 || a->has_ref || (a->text.len && !blank(a->text.buf[a->text.len - 1])))
					return util_err(err, "%s:%d: %s uses a shell expansion other than $%s; edit it by hand",
							path, a->line, name, name);
				a->has_ref = true;
				a->ref_s = a->text.len;
				for (; i < e2; i++) {
					util_grow((void **)&a->map, &cap, a->text.len + 2, sizeof(*a->map));
					a->map[a->text.len] = i;
					strbuf_addch(&a->text, t[i]);
				}
				a->ref_e = a->text.len;
				continue;
			} else {
				i++;
			}
		} else {
			i++;
		}
		util_grow((void **)&a->map, &cap, a->text.len + 2, sizeof(*a->map));
		a->map[a->text.len] = src;
		strbuf_addch(&a->text, c);
	}
	util_grow((void **)&a->map, &cap, a->text.len + 2, sizeof(*a->map));
	a->map[a->text.len] = a->ve;
	return 0;
}

static void add_part(struct bootcfg *bc, struct bootcfg_entry *e, size_t file,
		     const struct assign *a, size_t s, size_t n, bool sep,
		     bool primary)
{
	struct bootcfg_span *sp = bootcfg_add_span(bc, e, file, a->map[s],
						   a->map[s + n] - a->map[s], sep);

	sp->enc = a->enc;
	sp->primary = primary;
	free(sp->text);
	sp->text = xstrndup(a->text.buf + s, n);
	sp->tlen = n;
	sp->map = xmalloc((n + 1) * sizeof(*sp->map));
	memcpy(sp->map, a->map + s, (n + 1) * sizeof(*sp->map));
}

/* Adds the spans of the value assignment k ends up with, in order. */
static void expand(struct bootcfg *bc, struct bootcfg_entry *e, size_t file,
		   struct assign *as, size_t k, bool primary, bool sep_first)
{
	struct assign *a = &as[k];

	if (!a->has_ref) {
		add_part(bc, e, file, a, 0, a->text.len, sep_first, primary);
		return;
	}
	add_part(bc, e, file, a, 0, a->ref_s, sep_first, primary);
	/* the previous assignment of the same variable, if any */
	for (size_t p = k; p-- > 0;)
		if (as[p].var == a->var) {
			expand(bc, e, file, as, p, primary, false);
			break;
		}
	add_part(bc, e, file, a, a->ref_e, a->text.len - a->ref_e, true, primary);
}

int grubdefault_parse(struct bootcfg *bc, size_t file, char *err)
{
	const struct bootcfg_file *f = &bc->files[file];
	const char *t = f->old.buf;
	size_t len = f->old.len, pos = 0, n = 0, cap = 0, ls, le;
	struct assign *as = NULL;
	int lineno = 0, ret = -1;
	struct bootcfg_entry *e;
	char title[300];

	while (bootcfg_next_line(t, len, &pos, &ls, &le)) {
		size_t p, ns;

		lineno++;
		for (p = ls; p < le && blank(t[p]); p++)
			;
		if (p >= le || t[p] == '#')
			continue;
		if (le - p > 7 && !strncmp(t + p, "export", 6) && blank(t[p + 6])) {
			p += 6;
			while (p < le && blank(t[p]))
				p++;
		}
		ns = p;
		while (p < le && (isalnum((unsigned char)t[p]) || t[p] == '_'))
			p++;
		if (p == ns)
			continue;
		if (p < le && t[p] != '=') {
			size_t q = p;

			while (q < le && blank(t[q]))
				q++;
			if (q < le && t[q] == '=' && !strncmp(t + ns, "GRUB_", 5))
				bootcfg_note(bc, "%s:%d: '%.*s' is not a shell assignment (blanks around '='): grub-mkconfig runs it as a command",
					     f->shown, lineno, (int)(le - ls > 60 ? 60 : le - ls), t + ls);
			else if (q < le && t[q] == '+' && q + 1 < le && t[q + 1] == '=' &&
				 (size_t)(p - ns) >= strlen(LINUX) && !strncmp(t + ns, LINUX, strlen(LINUX))) {
				util_err(err, "%s:%d: '+=' is not valid in /bin/sh; edit it by hand",
					 f->shown, lineno);
				goto out;
			}
			continue;
		}
		if (p >= le)
			continue;
		{
			int var = -1;

			if ((size_t)(p - ns) == strlen(LINUX) && !strncmp(t + ns, LINUX, p - ns))
				var = 0;
			else if ((size_t)(p - ns) == strlen(LINUX_DEFAULT) &&
				 !strncmp(t + ns, LINUX_DEFAULT, p - ns))
				var = 1;
			if (var < 0)
				continue;
			util_grow((void **)&as, &cap, n + 1, sizeof(*as));
			memset(&as[n], 0, sizeof(as[n]));
			strbuf_init(&as[n].text);
			as[n].line = lineno;
			as[n].var = var;
			n++;
			if (parse_value(t, p + 1, le, var ? LINUX_DEFAULT : LINUX, f->shown,
					&as[n - 1], err))
				goto out;
		}
	}
	snprintf(title, sizeof(title), "GRUB_CMDLINE_LINUX in %s", f->shown);
	e = bootcfg_add_entry(bc, file, title, "", "defaults");
	e->global = true;
	{
		size_t last[2] = { (size_t)-1, (size_t)-1 };

		for (size_t i = 0; i < n; i++)
			last[as[i].var] = i;
		if (last[0] != (size_t)-1) {
			expand(bc, e, file, as, last[0], true, false);
			e->append = e->nspans - 1;
			e->line = as[last[0]].line;
		} else {
			struct bootcfg_span *sp = bootcfg_add_span(bc, e, file, len, 0, false);

			sp->enc = BOOTCFG_ENC_SHELL_NEW;
			sp->newvar = LINUX;
			e->append = e->nspans - 1;
		}
		if (last[1] != (size_t)-1)
			expand(bc, e, file, as, last[1], false, false);
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++) {
		strbuf_release(&as[i].text);
		free(as[i].map);
	}
	free(as);
	return ret;
}
