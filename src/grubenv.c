/*
 * grubenv.c - GRUB environment blocks (see grubenv.h; the format is
 * grub-core/lib/envblk.c).
 */
#include <stdlib.h>
#include <string.h>

#include "grubenv.h"
#include "util.h"

int grubenv_parse(struct bootcfg *bc, size_t file, char *err)
{
	struct bootcfg_file *f = &bc->files[file];
	const char *t = f->old.buf;
	size_t n = f->old.len, hl = strlen(GRUBENV_HEADER), p;

	if (n < hl || memcmp(t, GRUBENV_HEADER, hl))
		return util_err(err, "'%s' is not a GRUB environment block (no '# GRUB Environment Block' header)",
				f->shown);
	if (n > GRUBENV_MAX)
		return util_err(err, "'%s': environment block too large (%zu bytes)", f->shown, n);
	/*
	 * The padding: what follows the last variable, '#' bytes (and a
	 * newline an editor may have added after them).
	 */
	p = n;
	while (p > hl && (t[p - 1] == '#' || t[p - 1] == '\n'))
		p--;
	/* Forward to the end of the last variable's line (a value may end in '#'). */
	while (p > hl && p < n && t[p] != '\n')
		p++;
	if (p > hl && p < n)
		p++;
	if (p > n)
		p = n;
	for (size_t i = p; i < n; i++)
		if (t[i] != '#' && t[i] != '\n')
			return util_err(err, "'%s': damaged environment block (text after the last variable is not '#' padding)",
					f->shown);
	f->pad_start = p;
	for (size_t i = hl; i < p;) {
		const char *nl = memchr(t + i, '\n', p - i);
		const char *eq;

		if (!nl)
			return util_err(err, "'%s': damaged environment block (last variable not ended by a newline)",
					f->shown);
		eq = memchr(t + i, '=', (size_t)(nl - t) - i);
		if (t[i] != '#' && !eq)
			return util_err(err, "'%s': damaged environment block (line without '=')", f->shown);
		/* An escaped newline continues the value. */
		while (nl && nl > t + i && nl[-1] == '\\') {
			size_t bs = 0;

			for (const char *q = nl - 1; q >= t + i && *q == '\\'; q--)
				bs++;
			if (bs % 2 == 0)
				break;
			nl = memchr(nl + 1, '\n', p - (size_t)(nl + 1 - t));
		}
		if (!nl)
			return util_err(err, "'%s': damaged environment block", f->shown);
		i = (size_t)(nl - t) + 1;
	}
	return 0;
}

/* Finds name=; sets the value's source range. */
static int find(const struct bootcfg_file *f, const char *name, size_t *vs,
		size_t *ve)
{
	const char *t = f->old.buf;
	size_t hl = strlen(GRUBENV_HEADER), nl = strlen(name), end = f->pad_start;

	for (size_t i = hl; i < end;) {
		size_t j = i;

		/* the value ends at the first unescaped newline */
		while (j < end && t[j] != '\n') {
			if (t[j] == '\\' && j + 1 < end)
				j++;
			j++;
		}
		if (t[i] != '#' && j - i > nl && !memcmp(t + i, name, nl) && t[i + nl] == '=') {
			*vs = i + nl + 1;
			*ve = j;
			return 0;
		}
		i = j + 1;
	}
	return -1;
}

static void decode(const char *t, size_t s, size_t e, struct strbuf *out,
		   size_t **map)
{
	size_t cap = 0, n = 0;

	if (map)
		*map = NULL;
	for (size_t i = s; i < e;) {
		size_t src = i;
		char c;

		if (t[i] == '\\' && i + 1 < e) {
			c = t[i + 1];
			i += 2;
		} else {
			c = t[i++];
		}
		if (map) {
			util_grow((void **)map, &cap, n + 2, sizeof(**map));
			(*map)[n] = src;
		}
		strbuf_addch(out, c);
		n++;
	}
	if (map) {
		util_grow((void **)map, &cap, n + 1, sizeof(**map));
		(*map)[n] = e;
	}
}

int grubenv_get(const struct bootcfg_file *f, const char *name,
		struct strbuf *val)
{
	size_t vs, ve;

	strbuf_reset(val);
	if (find(f, name, &vs, &ve))
		return -1;
	decode(f->old.buf, vs, ve, val, NULL);
	return 0;
}

int grubenv_add_span(struct bootcfg *bc, struct bootcfg_entry *e, size_t file,
		     const char *name)
{
	const struct bootcfg_file *f = &bc->files[file];
	struct bootcfg_span *s;
	struct strbuf v = STRBUF_INIT;
	size_t vs, ve;

	if (find(f, name, &vs, &ve))
		return -1;
	s = bootcfg_add_span(bc, e, file, vs, ve - vs, false);
	s->enc = BOOTCFG_ENC_GRUBENV;
	free(s->text);
	decode(f->old.buf, vs, ve, &v, &s->map);
	s->text = strbuf_detach(&v, &s->tlen);
	return 0;
}

int grubenv_fix_size(struct bootcfg_file *f, char *err)
{
	size_t size = f->old.len, tail = f->old.len - f->pad_start;
	/* Everything before the padding, as edited. */
	size_t body = f->new.len - tail, hashes = 0;
	struct strbuf out = STRBUF_INIT;
	const char *pad = f->new.buf + body;

	while (hashes < tail && pad[hashes] == '#')
		hashes++;
	if (body > f->pad_start && body - f->pad_start > hashes)
		return util_err(err, "'%s': the variables would take %zu bytes and the environment block holds %zu; nothing written",
				f->shown, body + tail - hashes, size);
	/* Take from (or add to) the leading run of '#'; keep the rest. */
	strbuf_add(&out, f->new.buf, body);
	for (size_t i = 0; i < size - body - (tail - hashes); i++)
		strbuf_addch(&out, '#');
	strbuf_add(&out, pad + hashes, tail - hashes);
	strbuf_release(&f->new);
	f->new = out;
	return 0;
}
