/*
 * bootcfg.c - detection, planning and writing across boot config files
 * (see bootcfg.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "blscfg.h"
#include "bootcfg.h"
#include "grubcfg.h"
#include "grubdefault.h"
#include "grubenv.h"
#include "sysroot.h"
#include "util.h"

#define LOCK_TIMEOUT_MS 60000

static const char *const legacy_paths[] = {
	"/boot/grub/grub.conf", "/boot/grub/menu.lst", "/etc/grub.conf",
	"/boot/efi/EFI/redhat/grub.conf",
};
static const char *const grubenv_paths[] = {
	"/boot/grub2/grubenv", "/boot/grub/grubenv",
};

const char *bootcfg_format_name(enum bootcfg_format f)
{
	switch (f) {
	case BOOTCFG_AUTO: return "auto";
	case BOOTCFG_LEGACY: return "legacy";
	case BOOTCFG_GRUB2: return "grub2";
	case BOOTCFG_BLS: return "bls";
	case BOOTCFG_GRUBENV: return "grubenv";
	case BOOTCFG_CMDLINE: return "cmdline";
	}
	return "?";
}

int bootcfg_format_parse(const char *s, enum bootcfg_format *out, char *err)
{
	if (!strcmp(s, "legacy"))
		*out = BOOTCFG_LEGACY;
	else if (!strcmp(s, "grub2"))
		*out = BOOTCFG_GRUB2;
	else if (!strcmp(s, "bls"))
		*out = BOOTCFG_BLS;
	else if (!strcmp(s, "auto"))
		*out = BOOTCFG_AUTO;
	else
		return util_err(err, "unknown format '%s' (legacy, grub2, bls)", s);
	return 0;
}

void bootcfg_init(struct bootcfg *bc)
{
	memset(bc, 0, sizeof(*bc));
}

static void span_free(struct bootcfg_span *s)
{
	free(s->text);
	free(s->map);
}

void bootcfg_release(struct bootcfg *bc)
{
	for (size_t i = 0; i < bc->nfiles; i++) {
		struct bootcfg_file *f = &bc->files[i];

		free(f->path);
		free(f->real);
		free(f->shown);
		strbuf_release(&f->old);
		strbuf_release(&f->new);
	}
	free(bc->files);
	for (size_t i = 0; i < bc->nentries; i++) {
		struct bootcfg_entry *e = &bc->entries[i];

		free(e->title);
		free(e->kernel);
		free(e->version);
		free(e->skip);
		free(e->not_applied);
		for (size_t k = 0; k < e->nspans; k++)
			span_free(&e->spans[k]);
		free(e->spans);
		if (e->planned)
			argedit_plan_free(&e->plan);
	}
	free(bc->entries);
	for (size_t i = 0; i < bc->nnotes; i++)
		free(bc->notes[i]);
	free(bc->notes);
	for (size_t i = 0; i < bc->nlocks; i++)
		atomicfile_unlock(bc->lock_fds[i]);
	free(bc->lock_fds);
	memset(bc, 0, sizeof(*bc));
}

void bootcfg_note(struct bootcfg *bc, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	bc->notes = xrealloc(bc->notes, (bc->nnotes + 1) * sizeof(*bc->notes));
	bc->notes[bc->nnotes++] = strbuf_detach(&sb, NULL);
}

void bootcfg_skip(struct bootcfg_entry *e, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(e->skip);
	e->skip = strbuf_detach(&sb, NULL);
}

size_t bootcfg_add_file(struct bootcfg *bc, const char *path,
			enum bootcfg_format f)
{
	struct bootcfg_file *x;

	bc->files = xrealloc(bc->files, (bc->nfiles + 1) * sizeof(*bc->files));
	x = &bc->files[bc->nfiles];
	memset(x, 0, sizeof(*x));
	x->path = xstrdup(path);
	x->format = f;
	strbuf_init(&x->old);
	strbuf_init(&x->new);
	return bc->nfiles++;
}

struct bootcfg_entry *bootcfg_add_entry(struct bootcfg *bc, size_t file,
					const char *title, const char *kernel,
					const char *kind)
{
	struct bootcfg_entry *e;

	bc->entries = xrealloc(bc->entries, (bc->nentries + 1) * sizeof(*bc->entries));
	e = &bc->entries[bc->nentries++];
	memset(e, 0, sizeof(*e));
	e->file = file;
	e->title = xstrdup(title);
	e->kernel = xstrdup(kernel);
	e->version = xstrdup("");
	e->kind = kind;
	return e;
}

struct bootcfg_span *bootcfg_add_span(struct bootcfg *bc,
				      struct bootcfg_entry *e, size_t file,
				      size_t start, size_t len,
				      bool sep_at_start)
{
	struct bootcfg_span *s;

	e->spans = xrealloc(e->spans, (e->nspans + 1) * sizeof(*e->spans));
	s = &e->spans[e->nspans++];
	memset(s, 0, sizeof(*s));
	s->file = file;
	s->start = start;
	s->len = len;
	s->enc = BOOTCFG_ENC_RAW;
	s->sep_at_start = sep_at_start;
	s->primary = true;
	s->text = xstrndup(bc->files[file].old.buf + start, len);
	s->tlen = len;
	return s;
}

static bool release_ok(const char *s)
{
	struct kver k;

	return isdigit((unsigned char)s[0]) && !kver_parse(s, &k, NULL) &&
	       strchr(s, '.');
}

bool bootcfg_next_line(const char *t, size_t len, size_t *pos, size_t *ls,
		       size_t *le)
{
	const char *nl;

	if (*pos >= len)
		return false;
	nl = memchr(t + *pos, '\n', len - *pos);
	*ls = *pos;
	*le = nl ? (size_t)(nl - t) : len;
	*pos = nl ? *le + 1 : len;
	if (*le > *ls && t[*le - 1] == '\r')
		(*le)--;
	return true;
}

void bootcfg_version_from_path(const char *path, char *out, size_t n)
{
	static const char *const prefixes[] = {
		"vmlinuz-", "vmlinux-", "bzImage-", "kernel-", "linux-", "zImage-",
	};
	const char *b = strrchr(path, '/');

	out[0] = '\0';
	b = b ? b + 1 : path;
	if (strchr(b, ')'))
		b = strrchr(b, ')') + 1;
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(prefixes); i++) {
		size_t l = strlen(prefixes[i]);

		if (!strncmp(b, prefixes[i], l) && release_ok(b + l)) {
			snprintf(out, n, "%s", b + l);
			return;
		}
	}
}

void bootcfg_version_from_title(const char *title, char *out, size_t n)
{
	const char *p = title;

	out[0] = '\0';
	while ((p = strchr(p, '('))) {
		const char *e = strchr(p, ')');
		char buf[128];

		if (!e)
			break;
		snprintf(buf, sizeof(buf), "%.*s", (int)(e - p - 1 > 127 ? 127 : e - p - 1), p + 1);
		if (release_ok(buf))
			snprintf(out, n, "%s", buf);
		p = e;
	}
}

/* ---- loading ---------------------------------------------------------- */

static bool exists(const char *abs)
{
	struct stat st;

	return sysroot_stat(abs, &st) == 0 && S_ISREG(st.st_mode);
}

static int count_cb(const char *abs, void *arg)
{
	(void)abs;
	(*(int *)arg)++;
	return 0;
}

static int bls_count(void)
{
	int n = 0;

	if (sysroot_list("/boot/loader/entries", "*.conf", count_cb, &n, NULL) < 0)
		return 0;
	return n;
}

struct efi_find {
	char found[300];
};

static int efi_cb(const char *abs, void *arg)
{
	struct efi_find *f = arg;
	char p[300];

	snprintf(p, sizeof(p), "%s/grub.cfg", abs);
	if (exists(p)) {
		snprintf(f->found, sizeof(f->found), "%s", p);
		return 1;
	}
	return 0;
}

/* The generated grub.cfg of a GRUB 2 system, "" when none. */
static void grub2_cfg(char *out, size_t n)
{
	struct efi_find f = { "" };

	if (exists("/boot/grub2/grub.cfg"))
		snprintf(out, n, "/boot/grub2/grub.cfg");
	else if (exists("/boot/grub/grub.cfg"))
		snprintf(out, n, "/boot/grub/grub.cfg");
	else if (sysroot_list("/boot/efi/EFI", "*", efi_cb, &f, NULL) > 0 && f.found[0])
		snprintf(out, n, "%s", f.found);
	else
		out[0] = '\0';
}

static void set_regen(struct bootcfg *bc)
{
	char cfg[300];

	grub2_cfg(cfg, sizeof(cfg));
	if (exists("/etc/debian_version") || exists("/usr/sbin/update-grub"))
		snprintf(bc->regen, sizeof(bc->regen), "update-grub");
	else if (cfg[0] && !strncmp(cfg, "/boot/grub/", 11) && !exists("/usr/sbin/grub2-mkconfig"))
		snprintf(bc->regen, sizeof(bc->regen), "grub-mkconfig -o %s", cfg);
	else
		snprintf(bc->regen, sizeof(bc->regen), "grub2-mkconfig -o %s",
			 cfg[0] ? cfg : "/boot/grub2/grub.cfg");
}

/* Resolves, reads and checks file i. */
static int read_file(struct bootcfg *bc, size_t i, char *err)
{
	struct bootcfg_file *f = &bc->files[i];
	struct strbuf rp = STRBUF_INIT;
	size_t max = f->format == BOOTCFG_GRUBENV ? GRUBENV_MAX : BOOTCFG_MAX_FILE;
	const char *nul;

	if (sysroot_realpath(f->path, &rp, err)) {
		strbuf_release(&rp);
		return -1;
	}
	f->shown = xstrdup(rp.buf);
	strbuf_reset(&rp);
	strbuf_addf(&rp, "%s%s", sysroot_dir(), f->shown);
	f->real = strbuf_detach(&rp, NULL);
	if (sysroot_read(f->shown, max, &f->old, err)) {
		if (strstr(err, "file too large"))
			util_err(err, "refusing '%s': file too large (over %zu bytes) for a boot config",
				 f->shown, max);
		return -1;
	}
	nul = memchr(f->old.buf, '\0', f->old.len);
	if (nul)
		return util_err(err, "refusing '%s': binary data (NUL byte at offset %zu)",
				f->shown, (size_t)(nul - f->old.buf));
	{
		/* Text has a few control bytes at most (a bell in a pause line). */
		size_t ctl = 0;

		for (size_t k = 0; k < f->old.len; k++) {
			unsigned char c = (unsigned char)f->old.buf[k];

			ctl += (c < 0x20 && !strchr("\t\n\r\f\v\a\b\033", c)) || c == 0x7f;
		}
		if (ctl > 8 && ctl * 100 > f->old.len)
			return util_err(err, "refusing '%s': binary data (%zu control bytes)",
					f->shown, ctl);
	}
	f->hardlinked = atomicfile_is_hardlinked(f->real);
	return 0;
}

static bool already(struct bootcfg *bc, const char *shown)
{
	for (size_t i = 0; i < bc->nfiles; i++)
		if (bc->files[i].shown && !strcmp(bc->files[i].shown, shown))
			return true;
	return false;
}

/* Adds path when it exists and is not the same file as one added. */
static int add_existing(struct bootcfg *bc, const char *path,
			enum bootcfg_format fmt, char *err)
{
	struct strbuf rp = STRBUF_INIT;
	size_t i;

	if (!exists(path))
		return 0;
	if (sysroot_realpath(path, &rp, err)) {
		strbuf_release(&rp);
		return -1;
	}
	if (already(bc, rp.buf)) {
		strbuf_release(&rp);
		return 0;
	}
	strbuf_release(&rp);
	i = bootcfg_add_file(bc, path, fmt);
	return read_file(bc, i, err);
}

/* Only one environment block is used: the first found. */
static int add_grubenv(struct bootcfg *bc, char *err)
{
	for (size_t k = 0; k < UTIL_ARRAY_SIZE(grubenv_paths); k++)
		if (exists(grubenv_paths[k]))
			return add_existing(bc, grubenv_paths[k], BOOTCFG_GRUBENV, err);
	return 0;
}

struct bls_ctx {
	struct bootcfg *bc;
	char *err;
	int ret;
};

static int bls_cb(const char *abs, void *arg)
{
	struct bls_ctx *c = arg;

	if (add_existing(c->bc, abs, BOOTCFG_BLS, c->err)) {
		c->ret = -1;
		return 1;
	}
	return 0;
}

/* Guesses the format of a file named with --config. */
static enum bootcfg_format guess_format(const char *path, const struct strbuf *t)
{
	const char *p = t->buf;

	if (!strncmp(p, GRUBENV_HEADER, strlen(GRUBENV_HEADER)))
		return BOOTCFG_GRUBENV;
	if (strstr(path, "/loader/entries/"))
		return BOOTCFG_BLS;
	/* "linux" and "options" lines exist only in BLS entries. */
	if (!strstr(p, "\nkernel") && (!strncmp(p, "options ", 8) || strstr(p, "\noptions ") ||
					 strstr(p, "\nlinux ")))
		return BOOTCFG_BLS;
	for (const char *l = p; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *s = l;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!strncmp(s, "export ", 7))
			s += 7;
		if (!strncmp(s, "GRUB_", 5))
			return BOOTCFG_GRUB2;
		if (!strncmp(s, "menuentry ", 10) || !strncmp(s, "### BEGIN /etc/grub.d", 21))
			return BOOTCFG_AUTO; /* generated grub.cfg */
		if (!strncmp(s, "title ", 6) || !strncmp(s, "title\t", 6) ||
		    !strncmp(s, "kernel", 6))
			return BOOTCFG_LEGACY;
	}
	if (util_endswith(path, "/cmdline"))
		return BOOTCFG_CMDLINE;
	if (util_endswith(path, ".conf") && strstr(p, "\noptions"))
		return BOOTCFG_BLS;
	return BOOTCFG_LEGACY;
}

static size_t find_file(struct bootcfg *bc, enum bootcfg_format f)
{
	for (size_t i = 0; i < bc->nfiles; i++)
		if (bc->files[i].format == f)
			return i;
	return (size_t)-1;
}

static int cmdline_parse(struct bootcfg *bc, size_t file)
{
	const struct strbuf *t = &bc->files[file].old;
	size_t le = t->len;
	struct bootcfg_entry *e;
	char title[300];

	/* One line; only the first counts. */
	if (memchr(t->buf, '\n', t->len))
		le = (size_t)((char *)memchr(t->buf, '\n', t->len) - t->buf);
	if (le && t->buf[le - 1] == '\r')
		le--;
	snprintf(title, sizeof(title), "%s (options for kernels installed later)",
		 bc->files[file].shown);
	e = bootcfg_add_entry(bc, file, title, "", "defaults");
	e->global = true;
	e->line = 1;
	bootcfg_add_span(bc, e, file, 0, le, false);
	return 0;
}

static int by_release_desc(const void *a, const void *b)
{
	const struct bootcfg_entry *x = *(const struct bootcfg_entry *const *)a;
	const struct bootcfg_entry *y = *(const struct bootcfg_entry *const *)b;

	return -strverscmp(x->version, y->version);
}

/* The newest kernel release installed in /boot ("" when none). */
struct newest {
	char rel[128];
};

static int vmlinuz_cb(const char *abs, void *arg)
{
	struct newest *nw = arg;
	char v[128];

	bootcfg_version_from_path(abs, v, sizeof(v));
	if (v[0] && !strstr(v, "rescue") && strverscmp(v, nw->rel) > 0)
		snprintf(nw->rel, sizeof(nw->rel), "%s", v);
	return 0;
}

int bootcfg_parse_files(struct bootcfg *bc, char *err)
{
	size_t env = find_file(bc, BOOTCFG_GRUBENV);
	struct strbuf saved = STRBUF_INIT;
	size_t first = bc->nentries;

	if (env != (size_t)-1 && grubenv_parse(bc, env, err))
		return -1;
	for (size_t i = 0; i < bc->nfiles; i++) {
		int r = 0;

		switch (bc->files[i].format) {
		case BOOTCFG_LEGACY:
			r = grubcfg_parse(bc, i, err);
			break;
		case BOOTCFG_BLS:
			r = blscfg_parse(bc, i, env, err);
			break;
		case BOOTCFG_GRUB2:
			r = grubdefault_parse(bc, i, err);
			break;
		case BOOTCFG_CMDLINE:
			r = cmdline_parse(bc, i);
			break;
		case BOOTCFG_GRUBENV:
			if (bc->format == BOOTCFG_GRUBENV) {
				struct bootcfg_entry *e;
				char title[300];

				snprintf(title, sizeof(title), "kernelopts in %s", bc->files[i].shown);
				e = bootcfg_add_entry(bc, i, title, "", "defaults");
				e->global = true;
				if (grubenv_add_span(bc, e, i, "kernelopts"))
					bootcfg_skip(e, "no kernelopts variable in this environment block");
			}
			break;
		default:
			break;
		}
		if (r)
			return -1;
	}
	/* BLS: the default is saved_entry, else the newest (GRUB sorts so). */
	if (bc->format == BOOTCFG_BLS) {
		struct bootcfg_entry **v = xcalloc(bc->nentries + 1, sizeof(*v));
		size_t n = 0;
		bool found = false;

		if (env != (size_t)-1)
			grubenv_get(&bc->files[env], "saved_entry", &saved);
		for (size_t i = first; i < bc->nentries; i++) {
			struct bootcfg_entry *e = &bc->entries[i];
			char id[256];

			if (bc->files[e->file].format != BOOTCFG_BLS)
				continue;
			blscfg_entry_id(bc->files[e->file].shown, id, sizeof(id));
			if (saved.len && !strcmp(id, saved.buf)) {
				e->is_default = true;
				found = true;
			}
			v[n++] = e;
		}
		if (!found && n) {
			qsort(v, n, sizeof(*v), by_release_desc);
			v[0]->is_default = true;
		}
		/* Global defaults are for new kernels: key them on the newest. */
		if (n) {
			qsort(v, n, sizeof(*v), by_release_desc);
			for (size_t i = first; i < bc->nentries; i++)
				if (bc->entries[i].global && !bc->entries[i].version[0]) {
					free(bc->entries[i].version);
					bc->entries[i].version = xstrdup(v[0]->version);
				}
		}
		free(v);
	} else if (bc->format == BOOTCFG_GRUB2) {
		struct newest nw = { "" };

		sysroot_list("/boot", "vmlinuz-*", vmlinuz_cb, &nw, NULL);
		for (size_t i = first; i < bc->nentries; i++)
			if (bc->entries[i].global && !bc->entries[i].version[0]) {
				free(bc->entries[i].version);
				bc->entries[i].version = xstrdup(nw.rel);
			}
	}
	strbuf_release(&saved);
	return 0;
}

static int lock_dirs(struct bootcfg *bc, char *err)
{
	char **dirs = xcalloc(bc->nfiles + 1, sizeof(*dirs));
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; i < bc->nfiles; i++) {
		char *d = xstrdup(bc->files[i].real);
		char *s = strrchr(d, '/');
		bool dup = false;

		if (s && s != d)
			*s = '\0';
		else if (s)
			s[1] = '\0';
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(dirs[k], d);
		if (dup)
			free(d);
		else
			dirs[n++] = d;
	}
	/* Always the same order, so two patchers cannot deadlock. */
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(dirs[i], dirs[k]) > 0) {
				char *t = dirs[i];

				dirs[i] = dirs[k];
				dirs[k] = t;
			}
	bc->lock_fds = xcalloc(n + 1, sizeof(int));
	for (size_t i = 0; i < n && !ret; i++) {
		int fd = atomicfile_lock(dirs[i], LOCK_TIMEOUT_MS, err);

		if (fd < 0)
			ret = -1;
		else
			bc->lock_fds[bc->nlocks++] = fd;
	}
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return ret;
}

/* Re-reads every file after locking (another writer may have finished). */
static int reread(struct bootcfg *bc, char *err)
{
	for (size_t i = 0; i < bc->nfiles; i++) {
		struct bootcfg_file *f = &bc->files[i];

		if (sysroot_read(f->shown, f->format == BOOTCFG_GRUBENV ? GRUBENV_MAX :
				 BOOTCFG_MAX_FILE, &f->old, err))
			return -1;
		if (memchr(f->old.buf, '\0', f->old.len))
			return util_err(err, "refusing '%s': binary data (NUL byte)", f->shown);
	}
	return 0;
}

int bootcfg_load(struct bootcfg *bc, enum bootcfg_format format,
		 const char *config, bool lock, char *err)
{
	bool bls = false, grub2 = false, legacy = false;
	char cfg[300];

	if (config) {
		size_t i;
		struct stat st;

		if (!sysroot_is_live() && config[0] != '/')
			return util_err(err, "--config '%s' must be an absolute path inside the --sysroot",
					config);
		if (sysroot_stat(config, &st))
			return util_errno(err, errno, "cannot open '%s'", config);
		if (S_ISDIR(st.st_mode))
			return util_errno(err, EISDIR, "cannot open '%s'", config);
		if (!S_ISREG(st.st_mode))
			return util_err(err, "cannot open '%s': not a regular file", config);
		i = bootcfg_add_file(bc, config, format ? format : BOOTCFG_LEGACY);
		if (read_file(bc, i, err))
			return -1;
		if (!format)
			bc->files[i].format = guess_format(config, &bc->files[i].old);
		if (!bc->files[i].format)
			return util_err(err, "refusing '%s': it is a grub.cfg generated by grub-mkconfig (edit /etc/default/grub instead)",
					bc->files[i].shown);
		bc->format = bc->files[i].format;
		if (bc->format == BOOTCFG_BLS) {
			if (add_grubenv(bc, err))
				return -1;
		} else if (bc->format == BOOTCFG_GRUB2) {
			set_regen(bc);
		}
	} else {
		grub2_cfg(cfg, sizeof(cfg));
		bls = bls_count() > 0;
		grub2 = exists("/etc/default/grub");
		for (size_t i = 0; i < UTIL_ARRAY_SIZE(legacy_paths); i++)
			legacy |= exists(legacy_paths[i]);
		if (!format) {
			if (bls)
				format = BOOTCFG_BLS;
			else if (grub2 && cfg[0])
				format = BOOTCFG_GRUB2;
			else if (legacy)
				format = BOOTCFG_LEGACY;
			else if (grub2)
				format = BOOTCFG_GRUB2;
			else
				return util_err(err, "no boot loader configuration found%s%s (looked for /boot/loader/entries, /etc/default/grub, /boot/grub/grub.conf, /boot/grub/menu.lst, /etc/grub.conf)",
						sysroot_is_live() ? "" : " under ", sysroot_dir());
			if (format != BOOTCFG_LEGACY && legacy)
				bootcfg_note(bc, "GRUB legacy files exist too; they are not used by this boot loader (--format legacy to edit them)");
		}
		bc->format = format;
		if (format == BOOTCFG_LEGACY) {
			for (size_t i = 0; i < UTIL_ARRAY_SIZE(legacy_paths); i++)
				if (add_existing(bc, legacy_paths[i], BOOTCFG_LEGACY, err))
					return -1;
			if (!bc->nfiles)
				return util_err(err, "no GRUB legacy config found (/boot/grub/grub.conf, /boot/grub/menu.lst, /etc/grub.conf)");
		} else if (format == BOOTCFG_GRUB2) {
			if (!grub2)
				return util_errno(err, ENOENT, "cannot open '/etc/default/grub'");
			if (add_existing(bc, "/etc/default/grub", BOOTCFG_GRUB2, err))
				return -1;
			set_regen(bc);
			if (!cfg[0])
				bootcfg_note(bc, "no generated grub.cfg found; %s will create it", bc->regen);
		} else {
			struct bls_ctx c = { bc, err, 0 };

			if (!bls)
				return util_err(err, "no BootLoaderSpec entries in /boot/loader/entries");
			if (add_grubenv(bc, err))
				return -1;
			if (sysroot_list("/boot/loader/entries", "*.conf", bls_cb, &c, err) < 0 || c.ret)
				return -1;
			/* What grub2-mkconfig and kernel-install take the options from. */
			if (add_existing(bc, "/etc/default/grub", BOOTCFG_GRUB2, err) ||
			    add_existing(bc, "/etc/kernel/cmdline", BOOTCFG_CMDLINE, err))
				return -1;
		}
	}
	if (lock) {
		if (lock_dirs(bc, err) || reread(bc, err))
			return -1;
		for (size_t i = 0; i < bc->nfiles; i++)
			atomicfile_cleanup(bc->files[i].real);
	}
	for (size_t i = 0; i < bc->nfiles; i++)
		if (bc->files[i].hardlinked)
			bootcfg_note(bc, "'%s' has several hard links: replacing it would split them; it is written in place only with --in-place",
				     bc->files[i].shown);
	return bootcfg_parse_files(bc, err);
}

/* ---- planning --------------------------------------------------------- */

struct fedit {
	size_t start, len;
	char *insert;
	size_t entry, order;
};

static void dq_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\"\\$`", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

static bool needs_quotes(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || strchr("\"'\\$`;&|<>()*?[]~{}#", s[i]))
			return true;
	return false;
}

static const char *file_eol(const struct strbuf *t)
{
	const char *nl = memchr(t->buf, '\n', t->len);

	return nl && nl > t->buf && nl[-1] == '\r' ? "\r\n" : "\n";
}

static void encode(const struct bootcfg_span *s, const char *in, struct strbuf *out)
{
	switch (s->enc) {
	case BOOTCFG_ENC_SHELL_DQ:
	case BOOTCFG_ENC_SHELL_BARE:
	case BOOTCFG_ENC_SHELL_NEW:
		dq_escape(out, in);
		break;
	case BOOTCFG_ENC_SHELL_SQ:
		for (; *in; in++) {
			if (*in == '\'')
				strbuf_addstr(out, "'\\''");
			else
				strbuf_addch(out, *in);
		}
		break;
	case BOOTCFG_ENC_GRUBENV:
		for (; *in; in++) {
			if (*in == '\\' || *in == '\n')
				strbuf_addch(out, '\\');
			strbuf_addch(out, *in);
		}
		break;
	case BOOTCFG_ENC_RAW:
		strbuf_addstr(out, in);
		break;
	}
}

static void push(struct fedit **v, size_t *n, size_t *cap, size_t start,
		 size_t len, char *insert, size_t entry)
{
	util_grow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[*n] = (struct fedit){ start, len, insert, entry, *n };
	(*n)++;
}

/* Maps entry ei's planned edits to file edits. */
static void map_edits(struct bootcfg *bc, size_t ei, struct fedit **v,
		      size_t *n, size_t *cap, size_t file)
{
	struct bootcfg_entry *e = &bc->entries[ei];
	const struct argedit_plan *p = &e->plan;

	for (size_t si = 0; si < e->nspans; si++) {
		const struct bootcfg_span *s = &e->spans[si];
		bool any = false, quote = false;

		if (s->file != file)
			continue;
		for (size_t k = 0; k < p->n_edits; k++)
			any |= p->edits[k].seg == si;
		if (!any)
			continue;
		if (s->enc == BOOTCFG_ENC_SHELL_NEW) {
			struct strbuf res = STRBUF_INIT, line = STRBUF_INIT;
			const struct strbuf *t = &bc->files[file].old;

			argedit_apply(p, si, s->text, s->tlen, &res);
			if (res.len) {
				if (t->len && t->buf[t->len - 1] != '\n')
					strbuf_addstr(&line, file_eol(t));
				strbuf_addf(&line, "%s=\"", s->newvar);
				dq_escape(&line, res.buf);
				strbuf_addf(&line, "\"%s", file_eol(t));
				push(v, n, cap, s->start, 0, strbuf_detach(&line, NULL), ei);
			}
			strbuf_release(&res);
			continue;
		}
		if (s->enc == BOOTCFG_ENC_SHELL_BARE) {
			struct strbuf res = STRBUF_INIT;

			argedit_apply(p, si, s->text, s->tlen, &res);
			quote = needs_quotes(res.buf, res.len);
			strbuf_release(&res);
			if (quote)
				push(v, n, cap, s->start, 0, xstrdup("\""), ei);
		}
		for (size_t k = 0; k < p->n_edits; k++) {
			const struct argedit_edit *ed = &p->edits[k];
			struct strbuf ins = STRBUF_INIT;
			size_t a, b;

			if (ed->seg != si)
				continue;
			if (s->map) {
				a = s->map[ed->start];
				b = s->map[ed->start + ed->len];
			} else {
				a = s->start + ed->start;
				b = a + ed->len;
			}
			encode(s, ed->insert, &ins);
			push(v, n, cap, a, b - a, strbuf_detach(&ins, NULL), ei);
		}
		if (quote)
			push(v, n, cap, s->start + s->len, 0, xstrdup("\""), ei);
	}
}

static int cmp_fedit(const void *a, const void *b)
{
	const struct fedit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* insertions before replacements at the same offset, then creation order */
	if ((x->len == 0) != (y->len == 0))
		return x->len == 0 ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int build_file(struct bootcfg *bc, size_t file, char *err)
{
	struct bootcfg_file *f = &bc->files[file];
	struct fedit *v = NULL;
	size_t n = 0, cap = 0, pos = 0;
	int ret = 0;

	for (size_t i = 0; i < bc->nentries; i++)
		if (bc->entries[i].planned)
			map_edits(bc, i, &v, &n, &cap, file);
	if (n)
		qsort(v, n, sizeof(*v), cmp_fedit);
	/* One edit for a span shared by entries; different ones are an error. */
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < i && !dup; k++)
			dup = v[k].insert && v[k].entry != v[i].entry &&
			      v[k].start == v[i].start && v[k].len == v[i].len &&
			      !strcmp(v[k].insert, v[i].insert);
		if (dup) {
			free(v[i].insert);
			v[i].insert = NULL;
		}
	}
	strbuf_reset(&f->new);
	for (size_t i = 0; i < n && !ret; i++) {
		if (!v[i].insert)
			continue;
		if (v[i].start < pos || (i && v[i].start == v[i - 1].start &&
					 v[i].entry != v[i - 1].entry)) {
			size_t other = 0;

			for (size_t k = 0; k < i; k++)
				if (v[k].insert && v[k].entry != v[i].entry)
					other = v[k].entry;
			ret = util_err(err, "'%s': entries '%s' and '%s' need different changes to the same text; edit it by hand",
				       f->shown, bc->entries[other].title, bc->entries[v[i].entry].title);
			break;
		}
		strbuf_add(&f->new, f->old.buf + pos, v[i].start - pos);
		strbuf_addstr(&f->new, v[i].insert);
		pos = v[i].start + v[i].len;
	}
	if (!ret) {
		strbuf_add(&f->new, f->old.buf + pos, f->old.len - pos);
		if (f->format == BOOTCFG_GRUBENV)
			ret = grubenv_fix_size(f, err);
		f->changed = !ret && (f->new.len != f->old.len ||
				      memcmp(f->new.buf, f->old.buf, f->old.len));
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].insert);
	free(v);
	return ret;
}

static bool glob_match(const char *pat, const char *s)
{
	return !fnmatch(pat, s, 0);
}

static bool selected(const struct bootcfg_entry *e, const struct bootcfg_select *sel,
		     bool *named)
{
	*named = false;
	if (!sel || !sel->n)
		return true;
	for (size_t i = 0; i < sel->n; i++) {
		const char *p = sel->patterns[i];

		if (!strcmp(p, "all"))
			return true;
		if (e->global)
			continue;
		if (!strcmp(p, "default")) {
			if (e->is_default)
				return *named = true;
			continue;
		}
		if (strchr(p, '/')) {
			const char *k = e->kernel, *paren = strchr(k, ')');

			if (glob_match(p, k) || (paren && glob_match(p, paren + 1)))
				return *named = true;
		} else if (glob_match(p, e->title)) {
			return *named = true;
		}
	}
	return false;
}

static const char *arch_of(const char *release)
{
	static const char *const arches[] = { "x86_64", "i686", "i586", "i386", "aarch64", "ppc64le", "s390x" };

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(arches); i++)
		if (util_endswith(release, arches[i]))
			return !strcmp(arches[i], "i586") || !strcmp(arches[i], "i386") ? "i686" : arches[i];
	if (strstr(release, "PAE"))
		return "i686";
	return NULL;
}

int bootcfg_plan(struct bootcfg *bc, const struct argedit_req *req,
		 const struct bootcfg_select *sel, bootcfg_applies_fn applies,
		 void *arg, char *err)
{
	bool want_default = false, any_default = false, all = !sel || !sel->n;

	for (size_t i = 0; sel && i < sel->n; i++) {
		want_default |= !strcmp(sel->patterns[i], "default");
		all |= !strcmp(sel->patterns[i], "all");
	}
	for (size_t i = 0; i < bc->nentries; i++)
		any_default |= bc->entries[i].is_default;
	if (want_default && !any_default)
		return util_err(err, "cannot tell the default entry of this configuration");
	if (bc->format == BOOTCFG_GRUB2 && !all)
		return util_err(err, "--entry cannot select GRUB 2 entries: GRUB_CMDLINE_LINUX applies to every entry");
	for (size_t i = 0; i < bc->nentries; i++) {
		struct bootcfg_entry *e = &bc->entries[i];
		struct argedit_seg *segs;
		bool named;
		char why[300] = "";

		if (e->skip)
			continue;
		e->selected = selected(e, sel, &named);
		if (!e->selected) {
			e->not_applied = xstrdup(e->global ?
						 "--entry restricts the change to existing entries" :
						 "not selected by --entry");
			continue;
		}
		if (e->guess && !named) {
			e->not_applied = xstrdup("kernel not recognisable as Linux (no vmlinuz name, initrd or root=): name it with --entry to edit it");
			continue;
		}
		if (applies) {
			struct kver k;
			bool ok = e->version[0] && !kver_parse(e->version, &k, NULL);

			if (!applies(ok ? &k : NULL, arch_of(e->version), arg, why, sizeof(why))) {
				e->not_applied = xstrdup(why);
				continue;
			}
		}
		segs = xcalloc(e->nspans + 1, sizeof(*segs));
		for (size_t k = 0; k < e->nspans; k++) {
			segs[k].text = e->spans[k].text;
			segs[k].len = e->spans[k].tlen;
			segs[k].sep_at_start = e->spans[k].sep_at_start;
			segs[k].primary = e->spans[k].primary;
		}
		if (argedit_plan(req, segs, e->nspans, e->append, &e->plan, why)) {
			free(segs);
			return util_err(err, "refusing '%s': line %d ('%s'): %s",
					bc->files[e->file].shown, e->line, e->title, why);
		}
		e->planned = true;
		free(segs);
	}
	for (size_t i = 0; i < bc->nfiles; i++)
		if (build_file(bc, i, err))
			return -1;
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

int bootcfg_write(struct bootcfg *bc, const struct bootcfg_write_opts *o,
		  struct bootcfg_written *out, char *err)
{
	struct atomicfile_opts ao = { .mode_if_new = 0644 };
	struct strbuf written = STRBUF_INIT, backup = STRBUF_INIT, cur = STRBUF_INIT;
	size_t done = 0, *order = xcalloc(bc->nfiles + 1, sizeof(*order));
	int ret = 0;

	ao.in_place = o && o->in_place;
	ao.backup_suffix = o ? o->backup_suffix : NULL;
	ao.lock_held = bc->nlocks > 0;
	for (size_t i = 0; i < bc->nfiles && !ret; i++) {
		struct bootcfg_file *f = &bc->files[i];

		if (!f->changed)
			continue;
		/* Someone else (grubby, an editor) may have written meanwhile. */
		if (sysroot_read(f->shown, BOOTCFG_MAX_FILE, &cur, err)) {
			ret = -1;
			break;
		}
		if (cur.len != f->old.len || memcmp(cur.buf, f->old.buf, cur.len)) {
			ret = util_err(err, "'%s' changed while it was being edited; nothing written to it, run again",
				       f->shown);
			break;
		}
		if (atomicfile_replace(f->real, f->new.buf, f->new.len, &ao, &written,
				       &backup, err)) {
			ret = -1;
			break;
		}
		snprintf(out[done].path, sizeof(out[done].path), "%s", f->shown);
		snprintf(out[done].backup, sizeof(out[done].backup), "%s", backup.buf);
		order[done++] = i;
	}
	if (ret && done) {
		/* Put back what was written, so no half-edited set remains. */
		struct atomicfile_opts back = ao;
		char e2[UTIL_ERRMAX];

		back.backup_suffix = NULL;
		for (size_t k = done; k-- > 0;) {
			struct bootcfg_file *f = &bc->files[order[k]];

			if (atomicfile_replace(f->real, f->old.buf, f->old.len, &back, NULL, NULL, e2)) {
				size_t l = strlen(err);

				snprintf(err + l, UTIL_ERRMAX - l, "; and '%s' could not be put back: %s",
					 f->shown, e2);
				continue;
			}
			if (out[k].backup[0])
				unlink(out[k].backup);
		}
	}
	strbuf_release(&written);
	strbuf_release(&backup);
	strbuf_release(&cur);
	free(order);
	return ret ? -1 : (int)done;
}
