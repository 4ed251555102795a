/*
 * argedit.c - the argument editor (rules in argedit.h).
 *
 * The plan is computed on the split arguments (bootargs.h spans) and then
 * turned into a walk over each segment that copies the untouched bytes:
 * the output is a sequence of "copy original [a,b)" and "insert text"
 * pieces, and the gaps between copied ranges become the edits. Nothing
 * outside an edited argument and the blanks before it is ever rewritten
 * (after it, where the last one goes and init's "--" came next).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argedit.h"
#include "bootargs.h"
#include "util.h"

struct item {
	char *text;        /* the argument as given */
	char *key;         /* NUL-terminated key */
	bool has_value;
	size_t vstart, vlen; /* value inside text, surrounding quotes removed */
};

struct argedit_req {
	struct item *add, *rm;
	size_t nadd, nrm;
	char **conf;       /* request-level conflicting keys */
	size_t nconf;
	bool replace;
	char *add_text, *rm_text;
};

/* Keys whose repetitions are all used by the kernel or the initramfs. */
static const char *const repeating[] = {
	"console", "rd.lvm.lv", "rd_LVM_LV", "rd.luks.uuid", "rd_LUKS_UUID",
	"rd.luks.name", "rd.luks.key", "rd.md.uuid", "rd_MD_UUID",
	"rd.dm.uuid", "rd_DM_UUID", "ip", "nameserver", "rd.zfcp", "rd.dasd",
	"rd.znet", "memmap", "hugepagesz", "hugepages", "rd.driver.blacklist",
	"rd.driver.pre", "rd.driver.post", "module_blacklist",
};

/* Pairs of keys that say contradicting things about the same clock. */
static const struct {
	const char *key, *conflicts;
} pairs[] = {
	{ "clock", "clocksource" },
	{ "clocksource", "clock" },
	{ "notsc", "tsc" },
	{ "tsc", "notsc" },
	{ "nohpet", "hpet" },
	{ "hpet", "nohpet" },
};

static bool same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

bool argedit_key_repeats(const char *key, size_t keylen)
{
	for (size_t i = 0; i < UTIL_ARRAY_SIZE(repeating); i++)
		if (same_name(key, keylen, repeating[i], strlen(repeating[i])))
			return true;
	return false;
}

/* Value span of an argument, one pair of surrounding quotes removed. */
static void value_span(const char *text, const struct bootarg *a,
		       size_t *vstart, size_t *vlen)
{
	size_t s = a->start + a->keylen + 1, l = a->len - a->keylen - 1;

	if (!a->has_value) {
		*vstart = a->start + a->len;
		*vlen = 0;
		return;
	}
	if (l >= 2 && text[s] == '"' && text[s + l - 1] == '"') {
		s++;
		l -= 2;
	}
	*vstart = s;
	*vlen = l;
}

static void items_free(struct item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(it[i].text);
		free(it[i].key);
	}
	free(it);
}

/* Splits a request list; later items with the same key replace earlier. */
static int parse_items(const char *s, const char *what, struct item **out,
		       size_t *nout, char **joined, char *err)
{
	struct bootarg *a = NULL;
	struct item *it = NULL;
	struct strbuf j = STRBUF_INIT;
	size_t n = 0, cnt = 0, cap = 0, endk, len = s ? strlen(s) : 0;
	char e[UTIL_ERRMAX];

	*out = NULL;
	*nout = 0;
	*joined = xstrdup("");
	if (!len)
		return 0;
	if (bootargs_split(s, len, &a, &n, &endk, e))
		return util_err(err, "invalid %s '%s': %s", what, s, e);
	if (endk < len) {
		free(a);
		return util_err(err, "invalid %s '%s': '--' is not a kernel argument",
				what, s);
	}
	for (size_t i = 0; i < n; i++) {
		struct item x = { 0 };
		size_t k;

		x.text = xstrndup(s + a[i].start, a[i].len);
		x.key = xstrndup(s + a[i].start, a[i].keylen);
		x.has_value = a[i].has_value;
		value_span(s, &a[i], &x.vstart, &x.vlen);
		x.vstart -= a[i].start;
		if (!a[i].keylen) {
			free(x.text);
			free(x.key);
			free(a);
			items_free(it, cnt);
			return util_err(err, "invalid %s '%s': an argument has no name",
					what, s);
		}
		for (k = 0; k < cnt; k++)
			if (same_name(it[k].key, strlen(it[k].key), x.key, strlen(x.key)) &&
			    (!argedit_key_repeats(x.key, strlen(x.key)) ||
			     !strcmp(it[k].text, x.text)))
				break;
		if (k < cnt) {
			/* The later one wins, as on the kernel command line. */
			free(it[k].text);
			free(it[k].key);
			memmove(&it[k], &it[k + 1], (cnt - k - 1) * sizeof(*it));
			cnt--;
		}
		util_grow((void **)&it, &cap, cnt + 1, sizeof(*it));
		it[cnt++] = x;
	}
	free(a);
	for (size_t i = 0; i < cnt; i++) {
		if (i)
			strbuf_addch(&j, ' ');
		strbuf_addstr(&j, it[i].text);
	}
	free(*joined);
	*joined = strbuf_detach(&j, NULL);
	*out = it;
	*nout = cnt;
	return 0;
}

static bool item_same_value(const struct item *a, const char *vtext, size_t vlen,
			    bool has_value)
{
	return a->has_value == has_value && a->vlen == vlen &&
	       !memcmp(a->text + a->vstart, vtext, vlen);
}

int argedit_req_new(const char *add, const char *remove, const char *conflicts,
		    bool replace_conflicts, struct argedit_req **out, char *err)
{
	struct argedit_req *r = xcalloc(1, sizeof(*r));

	*out = NULL;
	r->replace = replace_conflicts;
	if (parse_items(add, "argument list", &r->add, &r->nadd, &r->add_text, err) ||
	    parse_items(remove, "argument list", &r->rm, &r->nrm, &r->rm_text, err)) {
		argedit_req_free(r);
		return -1;
	}
	if (!r->nadd && !r->nrm) {
		argedit_req_free(r);
		return util_err(err, "no arguments to add or remove");
	}
	for (size_t i = 0; i < r->nadd; i++) {
		for (size_t k = 0; k < r->nrm; k++) {
			const struct item *a = &r->add[i], *m = &r->rm[k];

			if (!same_name(a->key, strlen(a->key), m->key, strlen(m->key)))
				continue;
			if (!m->has_value ||
			    item_same_value(a, m->text + m->vstart, m->vlen, true)) {
				util_err(err, "'%s' is both added and removed", m->text);
				argedit_req_free(r);
				return -1;
			}
		}
	}
	if (conflicts && *conflicts) {
		char *copy = xstrdup(conflicts), *save = NULL;
		size_t cap = 0;

		for (char *t = strtok_r(copy, " \t,", &save); t;
		     t = strtok_r(NULL, " \t,", &save)) {
			util_grow((void **)&r->conf, &cap, r->nconf + 1, sizeof(*r->conf));
			r->conf[r->nconf++] = xstrdup(t);
		}
		free(copy);
	}
	*out = r;
	return 0;
}

void argedit_req_free(struct argedit_req *r)
{
	if (!r)
		return;
	items_free(r->add, r->nadd);
	items_free(r->rm, r->nrm);
	for (size_t i = 0; i < r->nconf; i++)
		free(r->conf[i]);
	free(r->conf);
	free(r->add_text);
	free(r->rm_text);
	free(r);
}

bool argedit_req_adds(const struct argedit_req *r)
{
	return r->nadd > 0;
}

bool argedit_req_removes(const struct argedit_req *r)
{
	return r->nrm > 0;
}

const char *argedit_req_add_text(const struct argedit_req *r)
{
	return r->add_text;
}

const char *argedit_req_remove_text(const struct argedit_req *r)
{
	return r->rm_text;
}

/* ---- planning --------------------------------------------------------- */

struct occ {
	size_t seg;
	struct bootarg a;
	size_t vstart, vlen;
	bool deleted;
	const char *repl;    /* replacement text (points into the request) */
	bool slot;           /* deleted conflicting argument, free for a new one */
};

struct segsplit {
	size_t first, n;     /* occurrences of this segment in occ[] */
};

static bool occ_key(const struct argedit_seg *segs, const struct occ *o,
		    const char *key)
{
	return same_name(segs[o->seg].text + o->a.start, o->a.keylen, key,
			 strlen(key));
}

static void note(struct argedit_plan *p, size_t *cap, enum argedit_kind k,
		 const char *old, size_t oldlen, const char *text)
{
	struct argedit_note *n;

	util_grow((void **)&p->notes, cap, p->n_notes + 1, sizeof(*p->notes));
	n = &p->notes[p->n_notes++];
	memset(n, 0, sizeof(*n));
	n->kind = k;
	if (old)
		snprintf(n->old, sizeof(n->old), "%.*s", (int)(oldlen > 159 ? 159 : oldlen),
			 old);
	if (text)
		snprintf(n->text, sizeof(n->text), "%s", text);
}

/* The output of one segment as pieces; turned into edits at the end. */
struct builder {
	struct argedit_plan *plan;
	size_t *cap;
	size_t seg, cursor;
	struct strbuf pending;
	bool have_pending;
};

static void flush_to(struct builder *b, size_t a)
{
	struct argedit_edit *e;

	if (a == b->cursor && !b->have_pending)
		return;
	util_grow((void **)&b->plan->edits, b->cap, b->plan->n_edits + 1,
		  sizeof(*b->plan->edits));
	e = &b->plan->edits[b->plan->n_edits++];
	e->seg = b->seg;
	e->start = b->cursor;
	e->len = a - b->cursor;
	e->insert = strbuf_detach(&b->pending, NULL);
	b->have_pending = false;
}

static void copy_range(struct builder *b, size_t a, size_t e)
{
	if (e <= a)
		return;
	if (a != b->cursor || b->have_pending)
		flush_to(b, a);
	b->cursor = e;
}

static void insert_text(struct builder *b, const char *s)
{
	strbuf_addstr(&b->pending, s);
	b->have_pending = true;
}

static void emit_token(struct builder *b, const struct occ *o)
{
	if (o->repl)
		insert_text(b, o->repl);
	else
		copy_range(b, o->a.start, o->a.start + o->a.len);
}

/* Whether anything but blanks follows offset i: init's "--" and after. */
static bool init_args_follow(const struct argedit_seg *s, size_t i)
{
	for (; i < s->len; i++)
		if (!isspace((unsigned char)s->text[i]))
			return true;
	return false;
}

static void build_segment(struct builder *b, const struct argedit_seg *s,
			  const struct occ *occ, size_t n, const char *append)
{
	size_t first = n, last_end;

	for (size_t i = 0; i < n; i++)
		if (!occ[i].deleted) {
			first = i;
			break;
		}
	last_end = n ? occ[n - 1].a.start + occ[n - 1].a.len : 0;
	if (first == n) {
		if (append && *append) {
			if (s->sep_at_start)
				insert_text(b, " ");
			insert_text(b, append);
			/*
			 * No kernel arguments before init's ("-- single"): a
			 * blank between, which removing them takes back (after
			 * a path, only where none is there yet).
			 */
			if (init_args_follow(s, last_end) &&
			    (!s->sep_at_start || !isspace((unsigned char)s->text[last_end])))
				insert_text(b, " ");
		} else if (n && !s->sep_at_start && init_args_follow(s, last_end) &&
			   isspace((unsigned char)s->text[last_end])) {
			/* Every kernel argument removed: "-- single" again. */
			last_end++;
		}
		copy_range(b, last_end, s->len);
	} else {
		size_t prev = first;

		if (!s->sep_at_start || first == 0)
			copy_range(b, 0, occ[0].a.start);
		else
			copy_range(b, occ[first - 1].a.start + occ[first - 1].a.len,
				   occ[first].a.start);
		emit_token(b, &occ[first]);
		for (size_t i = first + 1; i < n; i++) {
			if (occ[i].deleted)
				continue;
			copy_range(b, occ[i - 1].a.start + occ[i - 1].a.len,
				   occ[i].a.start);
			emit_token(b, &occ[i]);
			prev = i;
		}
		(void)prev;
		if (append && *append) {
			insert_text(b, " ");
			insert_text(b, append);
		}
		copy_range(b, last_end, s->len);
	}
	/* Close the segment: whatever is pending becomes the last edit. */
	if (b->have_pending || b->cursor != s->len)
		flush_to(b, s->len);
}

int argedit_plan(const struct argedit_req *req, const struct argedit_seg *segs,
		 size_t nseg, size_t append_seg, struct argedit_plan *plan,
		 char *err)
{
	struct occ *occ = NULL;
	struct segsplit *ss = xcalloc(nseg ? nseg : 1, sizeof(*ss));
	size_t nocc = 0, cap = 0, ncap = 0, ecap = 0;
	struct strbuf append = STRBUF_INIT;
	int ret = -1;

	memset(plan, 0, sizeof(*plan));
	for (size_t s = 0; s < nseg; s++) {
		struct bootarg *a;
		size_t n, endk;
		char e[UTIL_ERRMAX];

		if (bootargs_split(segs[s].text, segs[s].len, &a, &n, &endk, e)) {
			util_err(err, "%s", e);
			goto out;
		}
		if (endk < segs[s].len && s + 1 < nseg) {
			free(a);
			util_err(err, "'--' (the start of init's arguments) before the end of the kernel arguments");
			goto out;
		}
		ss[s].first = nocc;
		ss[s].n = n;
		util_grow((void **)&occ, &cap, nocc + n + 1, sizeof(*occ));
		for (size_t i = 0; i < n; i++) {
			struct occ *o = &occ[nocc++];

			memset(o, 0, sizeof(*o));
			o->seg = s;
			o->a = a[i];
			value_span(segs[s].text, &a[i], &o->vstart, &o->vlen);
		}
		free(a);
	}

	/* Removals asked for. */
	for (size_t r = 0; r < req->nrm; r++) {
		const struct item *m = &req->rm[r];

		for (size_t i = 0; i < nocc; i++) {
			struct occ *o = &occ[i];
			const char *t = segs[o->seg].text;

			if (o->deleted || !occ_key(segs, o, m->key))
				continue;
			if (m->has_value &&
			    !item_same_value(m, t + o->vstart, o->vlen, o->a.has_value))
				continue;
			o->deleted = true;
			note(plan, &ncap, ARGEDIT_REMOVED, t + o->a.start, o->a.len, m->text);
		}
	}

	/* Conflicts with what is added. */
	for (size_t i = 0; req->nadd && i < nocc; i++) {
		struct occ *o = &occ[i];
		const char *t = segs[o->seg].text, *with = NULL;

		if (o->deleted)
			continue;
		for (size_t k = 0; k < req->nadd; k++)
			if (occ_key(segs, o, req->add[k].key))
				goto next; /* same key: replaced, not a conflict */
		for (size_t k = 0; k < req->nadd && !with; k++)
			for (size_t p = 0; p < UTIL_ARRAY_SIZE(pairs); p++)
				if (same_name(req->add[k].key, strlen(req->add[k].key),
					      pairs[p].key, strlen(pairs[p].key)) &&
				    occ_key(segs, o, pairs[p].conflicts))
					with = req->add[k].text;
		for (size_t c = 0; c < req->nconf && !with; c++)
			if (occ_key(segs, o, req->conf[c]))
				with = req->add_text;
		if (!with)
			continue;
		if (req->replace) {
			o->deleted = true;
			o->slot = segs[o->seg].primary;
			note(plan, &ncap, ARGEDIT_CONFLICT_REPLACED, t + o->a.start,
			     o->a.len, with);
		} else {
			plan->conflict_left = true;
			note(plan, &ncap, ARGEDIT_CONFLICT, t + o->a.start, o->a.len, with);
		}
next:;
	}

	/* Additions. */
	for (size_t k = 0; !plan->conflict_left && k < req->nadd; k++) {
		const struct item *ad = &req->add[k];
		bool rep = argedit_key_repeats(ad->key, strlen(ad->key));
		size_t keep = nocc, slot = nocc;

		if (rep) {
			for (size_t i = 0; i < nocc; i++) {
				const struct occ *o = &occ[i];

				if (!o->deleted && occ_key(segs, o, ad->key) &&
				    item_same_value(ad, segs[o->seg].text + o->vstart,
						    o->vlen, o->a.has_value))
					keep = i;
			}
		} else {
			for (size_t i = 0; i < nocc; i++)
				if (!occ[i].deleted && occ_key(segs, &occ[i], ad->key) &&
				    segs[occ[i].seg].primary)
					keep = i;
			for (size_t i = 0; i < nocc; i++) {
				struct occ *o = &occ[i];

				if (i == keep || o->deleted || !occ_key(segs, o, ad->key))
					continue;
				o->deleted = true;
				note(plan, &ncap, ARGEDIT_DUPLICATE,
				     segs[o->seg].text + o->a.start, o->a.len, ad->text);
			}
		}
		if (keep < nocc) {
			struct occ *o = &occ[keep];
			const char *t = segs[o->seg].text;

			if (item_same_value(ad, t + o->vstart, o->vlen, o->a.has_value)) {
				note(plan, &ncap, ARGEDIT_PRESENT, t + o->a.start,
				     o->a.len, ad->text);
			} else {
				o->repl = ad->text;
				note(plan, &ncap, ARGEDIT_REPLACED, t + o->a.start,
				     o->a.len, ad->text);
			}
			continue;
		}
		for (size_t i = 0; i < nocc; i++)
			if (occ[i].slot)
				slot = i;
		if (slot < nocc) {
			/* Take the place of the conflicting argument. */
			occ[slot].slot = false;
			occ[slot].deleted = false;
			occ[slot].repl = ad->text;
			for (size_t n = 0; n < plan->n_notes; n++) {
				struct argedit_note *nt = &plan->notes[n];

				if (nt->kind == ARGEDIT_CONFLICT_REPLACED &&
				    !strncmp(nt->old, segs[occ[slot].seg].text + occ[slot].a.start,
					     occ[slot].a.len))
					snprintf(nt->text, sizeof(nt->text), "%s", ad->text);
			}
			continue;
		}
		if (append.len)
			strbuf_addch(&append, ' ');
		strbuf_addstr(&append, ad->text);
		note(plan, &ncap, ARGEDIT_ADDED, NULL, 0, ad->text);
	}

	for (size_t s = 0; s < nseg; s++) {
		struct builder b = { plan, &ecap, s, 0, STRBUF_INIT, false };

		build_segment(&b, &segs[s], occ + ss[s].first, ss[s].n,
			      s == append_seg ? append.buf : NULL);
		strbuf_release(&b.pending);
	}
	if (append_seg >= nseg && append.len) {
		util_err(err, "no place to add '%s'", append.buf);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		argedit_plan_free(plan);
	free(occ);
	free(ss);
	strbuf_release(&append);
	return ret;
}

void argedit_plan_free(struct argedit_plan *p)
{
	for (size_t i = 0; i < p->n_edits; i++)
		free(p->edits[i].insert);
	free(p->edits);
	free(p->notes);
	memset(p, 0, sizeof(*p));
}

bool argedit_plan_changes(const struct argedit_plan *p)
{
	return p->n_edits > 0;
}

void argedit_apply(const struct argedit_plan *p, size_t seg, const char *text,
		   size_t len, struct strbuf *out)
{
	size_t pos = 0;

	for (size_t i = 0; i < p->n_edits; i++) {
		const struct argedit_edit *e = &p->edits[i];

		if (e->seg != seg)
			continue;
		strbuf_add(out, text + pos, e->start - pos);
		strbuf_addstr(out, e->insert);
		pos = e->start + e->len;
	}
	strbuf_add(out, text + pos, len - pos);
}

int argedit_line(const struct argedit_req *req, const char *text, size_t len,
		 bool sep_at_start, struct strbuf *out,
		 struct argedit_plan *plan, char *err)
{
	struct argedit_seg s = { text, len, sep_at_start, true };

	if (argedit_plan(req, &s, 1, 0, plan, err))
		return -1;
	argedit_apply(plan, 0, text, len, out);
	return 0;
}

const char *argedit_kind_name(enum argedit_kind k)
{
	switch (k) {
	case ARGEDIT_ADDED: return "added";
	case ARGEDIT_PRESENT: return "present";
	case ARGEDIT_REPLACED: return "replaced";
	case ARGEDIT_REMOVED: return "removed";
	case ARGEDIT_DUPLICATE: return "duplicate-removed";
	case ARGEDIT_CONFLICT: return "conflict";
	case ARGEDIT_CONFLICT_REPLACED: return "conflict-replaced";
	}
	return "?";
}

void argedit_note_format(const struct argedit_note *n, struct strbuf *out)
{
	switch (n->kind) {
	case ARGEDIT_ADDED:
		strbuf_addf(out, "added %s", n->text);
		break;
	case ARGEDIT_PRESENT:
		strbuf_addf(out, "%s already present", n->text);
		break;
	case ARGEDIT_REPLACED:
		strbuf_addf(out, "replaced %s by %s", n->old, n->text);
		break;
	case ARGEDIT_REMOVED:
		strbuf_addf(out, "removed %s", n->old);
		break;
	case ARGEDIT_DUPLICATE:
		strbuf_addf(out, "removed repeated %s (one %s kept)", n->old, n->text);
		break;
	case ARGEDIT_CONFLICT:
		strbuf_addf(out, "%s conflicts with %s: left as is, nothing added (use --replace-conflicts)",
			    n->old, n->text);
		break;
	case ARGEDIT_CONFLICT_REPLACED:
		strbuf_addf(out, "replaced conflicting %s (for %s)", n->old, n->text);
		break;
	}
}
