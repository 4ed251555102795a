/*
 * textdiff.c - unified diff over lines (Myers 1986, "An O(ND) Difference
 * Algorithm and Its Variations", the greedy forward search with the
 * furthest-reaching paths kept per D for the backtrack).
 */
#include <stdlib.h>
#include <string.h>

#include "textdiff.h"
#include "util.h"

struct line {
	const char *p;
	size_t n;        /* with the end-of-line bytes */
};

enum op { OP_EQ, OP_DEL, OP_INS };

static size_t split_lines(const char *t, size_t len, struct line **out)
{
	struct line *l = NULL;
	size_t n = 0, cap = 0, i = 0;

	while (i < len) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - t) + 1 : len;

		util_grow((void **)&l, &cap, n + 1, sizeof(*l));
		l[n].p = t + i;
		l[n].n = e - i;
		n++;
		i = e;
	}
	*out = l;
	return n;
}

static bool same(const struct line *a, const struct line *b)
{
	return a->n == b->n && !memcmp(a->p, b->p, a->n);
}

/*
 * Edit script for a[0..n) -> b[0..m) into ops (length n + m at most).
 * Returns the number of ops, or (size_t)-1 when D would exceed the bound.
 */
static size_t myers(const struct line *a, long n, const struct line *b, long m,
		    unsigned char *ops)
{
	long max = n + m, dmax = max < TEXTDIFF_MAX_D ? max : TEXTDIFF_MAX_D;
	long *v = xcalloc((size_t)(2 * max + 3), sizeof(long));
	long **trace = xcalloc((size_t)dmax + 1, sizeof(long *));
	long off = max + 1, found = -1;
	size_t nops = 0;

	for (long d = 0; d <= dmax && found < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x, y;

			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && same(&a[x], &b[y])) {
				x++;
				y++;
			}
			v[off + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		trace[d] = xmalloc((size_t)(2 * d + 1) * sizeof(long));
		for (long k = -d; k <= d; k++)
			trace[d][k + d] = v[off + k];
	}
	if (found >= 0) {
		/* Backtrack from (n, m), writing ops in reverse. */
		long x = n, y = m;

		for (long d = found; d >= 0; d--) {
			long k = x - y, pk, px, py;

			if (d == 0) {
				while (x > 0 && y > 0) {
					ops[nops++] = OP_EQ;
					x--;
					y--;
				}
				break;
			}
			if (k == -d || (k != d && trace[d - 1][k - 1 + d - 1] <
						  trace[d - 1][k + 1 + d - 1]))
				pk = k + 1;
			else
				pk = k - 1;
			px = trace[d - 1][pk + d - 1];
			py = px - pk;
			while (x > px && y > py) {
				ops[nops++] = OP_EQ;
				x--;
				y--;
			}
			ops[nops++] = pk == k + 1 ? OP_INS : OP_DEL;
			x = px;
			y = py;
		}
		for (size_t i = 0; i < nops / 2; i++) {
			unsigned char t = ops[i];

			ops[i] = ops[nops - 1 - i];
			ops[nops - 1 - i] = t;
		}
	}
	for (long d = 0; d <= dmax; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return found >= 0 ? nops : (size_t)-1;
}

static void put_line(struct strbuf *out, char tag, const struct line *l)
{
	strbuf_addch(out, tag);
	strbuf_add(out, l->p, l->n);
	if (!l->n || l->p[l->n - 1] != '\n')
		strbuf_addstr(out, "\n\\ No newline at end of file\n");
}

int textdiff_unified(const char *a, size_t alen, const char *b, size_t blen,
		     const char *label_a, const char *label_b, int context,
		     struct strbuf *out)
{
	struct line *la, *lb;
	size_t na = split_lines(a, alen, &la), nb = split_lines(b, blen, &lb);
	size_t pre = 0, suf = 0, nops = 0, mid;
	unsigned char *ops;
	int hunks = 0;

	while (pre < na && pre < nb && same(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	       same(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	ops = xmalloc(na + nb + 1);
	for (size_t i = 0; i < pre; i++)
		ops[nops++] = OP_EQ;
	mid = myers(la + pre, (long)(na - pre - suf), lb + pre, (long)(nb - pre - suf),
		    ops + nops);
	if (mid == (size_t)-1) {
		mid = 0;
		for (size_t i = pre; i < na - suf; i++)
			ops[nops + mid++] = OP_DEL;
		for (size_t i = pre; i < nb - suf; i++)
			ops[nops + mid++] = OP_INS;
	}
	nops += mid;
	for (size_t i = 0; i < suf; i++)
		ops[nops++] = OP_EQ;

	/* Group the ops into hunks with `context` equal lines around. */
	for (size_t i = 0; i < nops;) {
		size_t start, end, ai = 0, bi = 0, as, bs, ac = 0, bc = 0;

		while (i < nops && ops[i] == OP_EQ)
			i++;
		if (i >= nops)
			break;
		start = i > (size_t)context ? i - (size_t)context : 0;
		end = i;
		for (;;) {
			size_t eq = 0, j;

			while (end < nops && ops[end] != OP_EQ)
				end++;
			for (j = end; j < nops && ops[j] == OP_EQ; j++)
				eq++;
			if (j < nops && eq <= 2 * (size_t)context) {
				end = j;
				continue;
			}
			end += eq < (size_t)context ? eq : (size_t)context;
			break;
		}
		for (size_t k = 0; k < start; k++) {
			if (ops[k] != OP_INS)
				ai++;
			if (ops[k] != OP_DEL)
				bi++;
		}
		as = ai;
		bs = bi;
		for (size_t k = start; k < end; k++) {
			if (ops[k] != OP_INS)
				ac++;
			if (ops[k] != OP_DEL)
				bc++;
		}
		if (!hunks)
			strbuf_addf(out, "--- %s\n+++ %s\n", label_a, label_b);
		strbuf_addf(out, "@@ -%zu", ac ? as + 1 : as);
		if (ac != 1)
			strbuf_addf(out, ",%zu", ac);
		strbuf_addf(out, " +%zu", bc ? bs + 1 : bs);
		if (bc != 1)
			strbuf_addf(out, ",%zu", bc);
		strbuf_addstr(out, " @@\n");
		for (size_t k = start; k < end; k++) {
			if (ops[k] == OP_EQ)
				put_line(out, ' ', &la[ai++]), bi++;
			else if (ops[k] == OP_DEL)
				put_line(out, '-', &la[ai++]);
			else
				put_line(out, '+', &lb[bi++]);
		}
		hunks++;
		i = end;
	}
	free(ops);
	free(la);
	free(lb);
	return hunks;
}
