/*
 * grubcfg.c - GRUB legacy menu files (see grubcfg.h).
 *
 * GRUB legacy's own parser (stage2/cmdline.c) separates a command from its
 * arguments by blanks or '=' ("default=0", "default 0", "kernel=/vmlinuz"),
 * has no line continuation and no quoting of its own: the rest of a
 * kernel line after the file name goes to the kernel verbatim. So a span
 * here is simply "everything after the kernel file name up to the end of
 * the line" (trailing blanks included, end-of-line bytes excluded).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "grubcfg.h"
#include "util.h"

struct cmd {
	size_t ls, le;        /* line content (no end-of-line bytes) */
	int lineno;
	char word[24];        /* command, lowercase */
	size_t arg;           /* first byte of the arguments */
	size_t path_s, path_e;/* kernel/module file name */
	bool bsd_type;        /* kernel --type=netbsd|freebsd|openbsd */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	if (!s)
		s = strrchr(p, ')');
	return s ? s + 1 : p;
}

const char *grubcfg_kernel_kind(const char *path)
{
	char b[256];
	const char *base = base_name(path);

	for (size_t i = 0; i < sizeof(b) - 1; i++) {
		b[i] = (char)tolower((unsigned char)base[i]);
		if (!base[i])
			break;
		b[i + 1] = '\0';
	}
	b[sizeof(b) - 1] = '\0';
	if (strstr(b, "memtest"))
		return "memtest";
	if (!strncmp(b, "xen", 3))
		return "xen";
	if (!strncmp(b, "tboot", 5))
		return "tboot";
	if (!strncmp(b, "initrd", 6) || !strncmp(b, "initramfs", 9))
		return "initrd";
	if (!strncmp(b, "vmlinuz", 7) || !strncmp(b, "vmlinux", 7) ||
	    !strncmp(b, "bzimage", 7) || !strncmp(b, "zimage", 6) ||
	    !strncmp(b, "linux", 5) || !strncmp(b, "kernel-", 7))
		return "linux";
	if (!strncmp(b, "gnumach", 7) || strstr(b, "hurd") ||
	    !strcmp(b, "kernel") || strstr(b, "mach"))
		return "hurd";
	if (!strncmp(b, "loader", 6) || !strncmp(b, "kfreebsd", 8) ||
	    !strncmp(b, "knetbsd", 7) || !strcmp(b, "netbsd") ||
	    !strcmp(b, "bsd") || !strcmp(b, "bsd.rd") || strstr(b, "freebsd") ||
	    strstr(b, "openbsd"))
		return "bsd";
	return "unknown";
}

/* Splits a command line; returns false for blanks and comments. */
static bool parse_cmd(const char *t, size_t ls, size_t le, struct cmd *c)
{
	size_t p = ls, w = 0;

	memset(c, 0, sizeof(*c));
	c->ls = ls;
	c->le = le;
	while (p < le && blank(t[p]))
		p++;
	if (p >= le || t[p] == '#')
		return false;
	while (p < le && !blank(t[p]) && t[p] != '=') {
		if (w < sizeof(c->word) - 1)
			c->word[w++] = (char)tolower((unsigned char)t[p]);
		p++;
	}
	c->word[w] = '\0';
	while (p < le && (blank(t[p]) || t[p] == '='))
		p++;
	c->arg = p;
	if (!strcmp(c->word, "kernel") || !strcmp(c->word, "module") ||
	    !strcmp(c->word, "modulenounzip")) {
		/* Options before the file name: --type=..., --no-mem-option. */
		while (p + 1 < le && t[p] == '-' && t[p + 1] == '-') {
			size_t s = p;

			while (p < le && !blank(t[p]))
				p++;
			if ((p - s > 7 && !strncmp(t + s, "--type=", 7)) &&
			    (!strncmp(t + s + 7, "netbsd", 6) || !strncmp(t + s + 7, "freebsd", 7) ||
			     !strncmp(t + s + 7, "openbsd", 7)))
				c->bsd_type = true;
			while (p < le && blank(t[p]))
				p++;
		}
		c->path_s = p;
		while (p < le && !blank(t[p]))
			p++;
		c->path_e = p;
	}
	return true;
}

struct ent {
	size_t title_ls, title_le;
	int title_line;
	struct cmd *cmds;
	size_t ncmds, cap;
};

static char *dup_range(const char *t, size_t s, size_t e)
{
	return xstrndup(t + s, e > s ? e - s : 0);
}

/* Whether a kernel line's arguments look like a Linux command line. */
static bool linux_args(const char *t, const struct cmd *k)
{
	struct bootarg *a;
	size_t n;
	bool yes = false;

	if (bootargs_split(t + k->path_e, k->le - k->path_e, &a, &n, NULL, NULL))
		return false;
	for (size_t i = 0; i < n && !yes; i++) {
		const char *s = t + k->path_e + a[i].start;

		yes = (a[i].keylen == 4 && !strncmp(s, "root", 4) && a[i].has_value &&
		       strncmp(s + 5, "hd", 2)) ||
		      (a[i].len == 2 && (!strncmp(s, "ro", 2) || !strncmp(s, "rw", 2))) ||
		      (a[i].keylen == 4 && !strncmp(s, "init", 4));
	}
	free(a);
	return yes;
}

static void finish_entry(struct bootcfg *bc, size_t file, const char *t,
			 struct ent *en, int index, int def)
{
	struct bootcfg_entry *e;
	char *title;
	const struct cmd *kernel = NULL, *lin = NULL;
	const struct cmd *mods[16];
	size_t nmods = 0, nkernels = 0;
	bool chain = false, initrd = false;
	const char *kind;
	char ver[128];
	struct strbuf kp = STRBUF_INIT;
	size_t te = en->title_le;

	while (te > en->title_ls && (blank(t[te - 1]) || t[te - 1] == '\r'))
		te--;
	{
		struct cmd tc;

		parse_cmd(t, en->title_ls, te, &tc);
		title = dup_range(t, tc.arg, te);
	}
	for (size_t i = 0; i < en->ncmds; i++) {
		const struct cmd *c = &en->cmds[i];

		if (!strcmp(c->word, "kernel")) {
			nkernels++;
			if (!kernel)
				kernel = c;
		} else if ((!strcmp(c->word, "module") || !strcmp(c->word, "modulenounzip")) &&
			   nmods < UTIL_ARRAY_SIZE(mods)) {
			mods[nmods++] = c;
		} else if (!strcmp(c->word, "chainloader")) {
			chain = true;
		} else if (!strcmp(c->word, "initrd")) {
			initrd = true;
		}
	}
	if (kernel)
		strbuf_add(&kp, t + kernel->path_s, kernel->path_e - kernel->path_s);
	e = bootcfg_add_entry(bc, file, title, kp.buf, "linux");
	e->line = en->title_line;
	e->is_default = index == def;
	free(title);
	if (chain) {
		e->kind = "chainloader";
		bootcfg_skip(e, "chainloader entry (another operating system)");
		goto out;
	}
	if (!kernel) {
		e->kind = "none";
		bootcfg_skip(e, "no kernel line");
		goto out;
	}
	if (kernel->path_s == kernel->path_e) {
		e->kind = "unknown";
		bootcfg_skip(e, "kernel line without a file name");
		goto out;
	}
	if (nkernels > 1) {
		e->kind = "unknown";
		bootcfg_skip(e, "several kernel lines in one entry");
		goto out;
	}
	kind = kernel->bsd_type ? "bsd" : grubcfg_kernel_kind(kp.buf);
	if (!strcmp(kind, "xen") || !strcmp(kind, "tboot")) {
		size_t m = 0;

		e->kind = kind;
		/* tboot: Xen, when there, is the first module; Linux follows. */
		if (!strcmp(kind, "tboot") && nmods) {
			char *p0 = dup_range(t, mods[0]->path_s, mods[0]->path_e);

			if (!strcmp(grubcfg_kernel_kind(p0), "xen"))
				m = 1;
			free(p0);
		}
		if (m < nmods && mods[m]->path_s < mods[m]->path_e) {
			char *pm = dup_range(t, mods[m]->path_s, mods[m]->path_e);
			const char *mk = grubcfg_kernel_kind(pm);

			if (!strcmp(mk, "linux") || !strcmp(mk, "unknown"))
				lin = mods[m];
			free(e->kernel);
			e->kernel = pm;
		}
		if (!lin) {
			bootcfg_skip(e, "%s entry without a Linux kernel module", kind);
			goto out;
		}
	} else if (nmods) {
		e->kind = !strcmp(kind, "bsd") ? "bsd" : "hurd";
		bootcfg_skip(e, "multiboot kernel '%s' with modules is not Linux", kp.buf);
		goto out;
	} else if (!strcmp(kind, "memtest")) {
		e->kind = "memtest";
		bootcfg_skip(e, "memory tester, not a Linux kernel");
		goto out;
	} else if (!strcmp(kind, "bsd") || !strcmp(kind, "hurd")) {
		e->kind = kind;
		bootcfg_skip(e, "%s kernel, not Linux", kind);
		goto out;
	} else {
		lin = kernel;
		if (strcmp(kind, "linux") && !initrd && !linux_args(t, kernel)) {
			e->kind = "unknown";
			e->guess = true;
		}
	}
	e->line = lin->lineno;
	bootcfg_version_from_path(e->kernel, ver, sizeof(ver));
	if (!ver[0])
		bootcfg_version_from_title(e->title, ver, sizeof(ver));
	free(e->version);
	e->version = xstrdup(ver);
	bootcfg_add_span(bc, e, file, lin->path_e, lin->le - lin->path_e, true);
out:
	strbuf_release(&kp);
}

int grubcfg_parse(struct bootcfg *bc, size_t file, char *err)
{
	const struct strbuf *sb = &bc->files[file].old;
	const char *t = sb->buf;
	size_t len = sb->len, pos = 0, ls, le;
	struct ent cur = { 0 };
	bool in_entry = false, automagic = false;
	int lineno = 0, index = 0, def = -1;
	size_t first_entry = bc->nentries;
	struct bootcfg_entry *kopt = NULL;

	(void)err;
	while (bootcfg_next_line(t, len, &pos, &ls, &le)) {
		struct cmd c;

		lineno++;
		{
			size_t p = ls;

			while (p < le && blank(t[p]))
				p++;
			if (p < le && t[p] == '#') {
				if (le - p >= 32 && !strncmp(t + p, "### BEGIN AUTOMAGIC KERNELS LIST", 32))
					automagic = true;
				else if (!strncmp(t + p, "### END DEBIAN AUTOMAGIC KERNELS LIST", 36))
					automagic = false;
				if (automagic && p == ls) {
					size_t q = p + 1;

					while (q < le && blank(t[q]))
						q++;
					if (le - q > 5 && !strncmp(t + q, "kopt", 4)) {
						size_t r = q + 4;

						while (r < le && (t[r] == '_' || isdigit((unsigned char)t[r])))
							r++;
						if (r < le && t[r] == '=') {
							char name[40];

							snprintf(name, sizeof(name), "# %.*s= (update-grub defaults)",
								 (int)(r - q > 30 ? 30 : r - q), t + q);
							kopt = bootcfg_add_entry(bc, file, name, "", "defaults");
							kopt->global = true;
							kopt->line = lineno;
							bootcfg_add_span(bc, kopt, file, r + 1, le - r - 1, false);
						}
					}
				}
			}
		}
		if (!parse_cmd(t, ls, le, &c))
			continue;
		c.lineno = lineno;
		if (!strcmp(c.word, "title")) {
			if (in_entry) {
				finish_entry(bc, file, t, &cur, index++, def);
			}
			free(cur.cmds);
			memset(&cur, 0, sizeof(cur));
			cur.title_ls = ls;
			cur.title_le = le;
			cur.title_line = lineno;
			in_entry = true;
			continue;
		}
		if (!in_entry) {
			if (!strcmp(c.word, "default")) {
				long v = 0;
				size_t p = c.arg;

				if (p < le && isdigit((unsigned char)t[p])) {
					while (p < le && isdigit((unsigned char)t[p]) && v < 100000)
						v = v * 10 + (t[p++] - '0');
					def = (int)v;
				} else if (le - p >= 5 && !strncmp(t + p, "saved", 5)) {
					def = -2;
				}
			}
			continue;
		}
		util_grow((void **)&cur.cmds, &cur.cap, cur.ncmds + 1, sizeof(*cur.cmds));
		cur.cmds[cur.ncmds++] = c;
	}
	if (in_entry) {
		finish_entry(bc, file, t, &cur, index++, def);
	}
	free(cur.cmds);
	if (def == -2)
		bootcfg_note(bc, "%s: 'default saved': the default entry is whatever GRUB saved last",
			     bc->files[file].shown);
	else if (def >= index && index > 0)
		bootcfg_note(bc, "%s: default=%d but there are only %d entries (GRUB boots the first)",
			     bc->files[file].shown, def, index);
	if (def >= index || def < 0) {
		/* GRUB legacy falls back to entry 0 when the number is out of range. */
		if (def != -2 && bc->nentries > first_entry) {
			for (size_t i = first_entry; i < bc->nentries; i++)
				if (!bc->entries[i].global) {
					bc->entries[i].is_default = true;
					break;
				}
		}
	}
	/* kopt holds the options of the kernels update-grub lists: the newest first. */
	for (size_t i = first_entry; kopt && i < bc->nentries; i++) {
		struct bootcfg_entry *e = &bc->entries[i];

		if (e->global && e->version && !e->version[0]) {
			for (size_t k = first_entry; k < bc->nentries; k++) {
				const struct bootcfg_entry *x = &bc->entries[k];

				if (!x->global && !x->skip && x->version[0] && x->line > e->line) {
					free(e->version);
					e->version = xstrdup(x->version);
					break;
				}
			}
		}
	}
	return 0;
}
