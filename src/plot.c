/*
 * plot.c - time-series charts with libplot (see plot.h).
 *
 * Drawing happens in output pixels (pl_fspace maps them onto the device),
 * so the same code serves the SVG driver and the supersampled bitmap one.
 * The PNG path: libplot's "pnm" driver writes a binary PPM at SS times the
 * size into a temporary file, which is read back row by row, averaged
 * down SS x SS, and written as PNG with zlib (loaded like libplot).
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "plot.h"
#include "strbuf.h"
#include "util.h"

#define SS 2                     /* PNG supersampling factor */

/* ------------------------------------------------------- loading libplot */

/*
 * libplot's C API, declared here rather than by including <plot.h>, whose
 * name is this module's own header; the ABI (libplot.so.2) is stable.
 */
typedef struct plPlotterStruct plPlotter;
typedef struct plPlotterParamsStruct plPlotterParams;

static struct {
	bool loaded;
	plPlotterParams *(*newplparams)(void);
	int (*setplparam)(plPlotterParams *, const char *, void *);
	int (*deleteplparams)(plPlotterParams *);
	plPlotter *(*newpl)(const char *, FILE *, FILE *, FILE *,
			    const plPlotterParams *);
	int (*deletepl)(plPlotter *);
	int (*openpl)(plPlotter *);
	int (*closepl)(plPlotter *);
	int (*fspace)(plPlotter *, double, double, double, double);
	int (*erase)(plPlotter *);
	int (*pencolor)(plPlotter *, int, int, int);
	int (*fillcolor)(plPlotter *, int, int, int);
	int (*filltype)(plPlotter *, int);
	int (*flinewidth)(plPlotter *, double);
	int (*linemod)(plPlotter *, const char *);
	int (*capmod)(plPlotter *, const char *);
	int (*joinmod)(plPlotter *, const char *);
	int (*fmove)(plPlotter *, double, double);
	int (*fcont)(plPlotter *, double, double);
	int (*endpath)(plPlotter *);
	int (*closepath)(plPlotter *);
	int (*fline)(plPlotter *, double, double, double, double);
	int (*fbox)(plPlotter *, double, double, double, double);
	int (*alabel)(plPlotter *, int, int, const char *);
	int (*fontname)(plPlotter *, const char *);
	double (*ffontsize)(plPlotter *, double);
	double (*ftextangle)(plPlotter *, double);
	double (*flabelwidth)(plPlotter *, const char *);
	/* zlib */
	int (*compress2)(unsigned char *, unsigned long *, const unsigned char *,
			 unsigned long, int);
	unsigned long (*compressbound)(unsigned long);
	unsigned long (*crc32)(unsigned long, const unsigned char *, unsigned);
} pl;

static int load_sym(void *h, const char *lib, const char *name, void *slot,
		    char *err)
{
	void *f = dlsym(h, name);

	if (!f)
		return util_err(err, "cannot find '%s' in %s", name, lib);
	memcpy(slot, &f, sizeof(f));
	return 0;
}

static int load_libs(char *err)
{
	static const char plot_lib[] = "libplot.so.2", z_lib[] = "libz.so.1";
	void *h, *z;

	if (pl.loaded)
		return 0;
	h = dlopen(plot_lib, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return util_err(err, "cannot load %s (GNU plotutils): %s", plot_lib,
				dlerror());
	z = dlopen(z_lib, RTLD_NOW | RTLD_LOCAL);
	if (!z)
		return util_err(err, "cannot load %s: %s", z_lib, dlerror());
#define SYM(slot, name) \
	if (load_sym(h, plot_lib, name, &pl.slot, err)) return -1
	SYM(newplparams, "pl_newplparams");
	SYM(setplparam, "pl_setplparam");
	SYM(deleteplparams, "pl_deleteplparams");
	SYM(newpl, "pl_newpl_r");
	SYM(deletepl, "pl_deletepl_r");
	SYM(openpl, "pl_openpl_r");
	SYM(closepl, "pl_closepl_r");
	SYM(fspace, "pl_fspace_r");
	SYM(erase, "pl_erase_r");
	SYM(pencolor, "pl_pencolor_r");
	SYM(fillcolor, "pl_fillcolor_r");
	SYM(filltype, "pl_filltype_r");
	SYM(flinewidth, "pl_flinewidth_r");
	SYM(linemod, "pl_linemod_r");
	SYM(capmod, "pl_capmod_r");
	SYM(joinmod, "pl_joinmod_r");
	SYM(fmove, "pl_fmove_r");
	SYM(fcont, "pl_fcont_r");
	SYM(endpath, "pl_endpath_r");
	SYM(closepath, "pl_closepath_r");
	SYM(fline, "pl_fline_r");
	SYM(fbox, "pl_fbox_r");
	SYM(alabel, "pl_alabel_r");
	SYM(fontname, "pl_fontname_r");
	SYM(ffontsize, "pl_ffontsize_r");
	SYM(ftextangle, "pl_ftextangle_r");
	SYM(flabelwidth, "pl_flabelwidth_r");
#undef SYM
	if (load_sym(z, z_lib, "compress2", &pl.compress2, err) ||
	    load_sym(z, z_lib, "compressBound", &pl.compressbound, err) ||
	    load_sym(z, z_lib, "crc32", &pl.crc32, err))
		return -1;
	/* Both stay loaded for the life of the process, as if linked. */
	pl.loaded = true;
	return 0;
}

/* ---------------------------------------------------------- the builder */

/* One pixel column of one piece of the trace. */
struct cell {
	int col;
	bool new_piece;
	double first, last, min, max;
	bool min_first;     /* the minimum came before the maximum */
};

struct fitline {
	double t0, y0, t1, y1;
	char label[32];
};

struct marker {
	enum plot_mark kind;
	double t;
	double weight;
	char label[48];
};

struct plot {
	struct plot_opts o;
	char *title, *subtitle, *yq, *xq, *empty;
	/* plot area in output px */
	double x0, x1, y0, y1;
	int ncols;
	struct cell *cells;
	size_t ncells, cap_cells;
	bool piece_pending;     /* next point starts a new piece */
	struct fitline *fits;
	size_t nfits, cap_fits;
	struct marker *marks;
	size_t nmarks, cap_marks;
	struct fitline *gaps;   /* t0..t1 only */
	size_t ngaps, cap_gaps;
	/* while drawing */
	plPlotter *pp;
	double ymin, ymax;      /* axis range, s */
	double ystep;           /* between y ticks, s */
	double yscale;          /* s -> label unit */
	const char *yunit;
	const char *font, *font_bold;
};

/* Layout, output px. */
#define M_LEFT 86
#define M_RIGHT 28
#define M_TOP 96
#define M_BOTTOM 100

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

struct plot *plot_new(const struct plot_opts *o)
{
	struct plot *p = xcalloc(1, sizeof(*p));

	p->o = *o;
	if (p->o.width <= 0 || p->o.height <= 0) {
		p->o.width = 1200;
		p->o.height = 600;
	}
	if (!(p->o.t_max > p->o.t_min))
		p->o.t_max = p->o.t_min + 1;
	p->title = dup_or_empty(o->title);
	p->subtitle = dup_or_empty(o->subtitle);
	p->yq = dup_or_empty(o->y_quantity);
	p->xq = dup_or_empty(o->x_quantity);
	p->empty = dup_or_empty(o->empty_text);
	p->x0 = M_LEFT;
	p->x1 = p->o.width - M_RIGHT;
	p->y0 = M_BOTTOM;
	p->y1 = p->o.height - M_TOP;
	p->ncols = (int)(p->x1 - p->x0);
	if (p->ncols < 1)
		p->ncols = 1;
	p->piece_pending = true;
	return p;
}

void plot_free(struct plot *p)
{
	if (!p)
		return;
	free(p->title);
	free(p->subtitle);
	free(p->yq);
	free(p->xq);
	free(p->empty);
	free(p->cells);
	free(p->fits);
	free(p->marks);
	free(p->gaps);
	free(p);
}

static double tx(const struct plot *p, double t)
{
	return p->x0 + (t - p->o.t_min) / (p->o.t_max - p->o.t_min) * (p->x1 - p->x0);
}

static double ty(const struct plot *p, double y)
{
	return p->y0 + (y - p->ymin) / (p->ymax - p->ymin) * (p->y1 - p->y0);
}

void plot_add_point(struct plot *p, double t, double y, bool new_piece)
{
	struct cell *c;
	int col;

	if (new_piece)
		p->piece_pending = true;
	if (!(t >= p->o.t_min && t <= p->o.t_max))
		return;
	if (isnan(y)) {
		p->piece_pending = true;   /* a hole */
		return;
	}
	col = (int)((t - p->o.t_min) / (p->o.t_max - p->o.t_min) * p->ncols);
	if (col >= p->ncols)
		col = p->ncols - 1;
	c = p->ncells ? &p->cells[p->ncells - 1] : NULL;
	if (c && !p->piece_pending && c->col == col) {
		if (y < c->min) {
			c->min = y;
			c->min_first = false;
		}
		if (y > c->max) {
			c->max = y;
			c->min_first = true;
		}
		c->last = y;
		return;
	}
	util_grow((void **)&p->cells, &p->cap_cells, p->ncells + 1, sizeof(*p->cells));
	c = &p->cells[p->ncells++];
	c->col = col;
	c->new_piece = p->piece_pending;
	c->first = c->last = c->min = c->max = y;
	c->min_first = true;
	p->piece_pending = false;
}

void plot_add_fit(struct plot *p, double t0, double y0, double t1, double y1,
		  const char *label)
{
	struct fitline *f;

	if (!isfinite(y0) || !isfinite(y1))
		return;
	util_grow((void **)&p->fits, &p->cap_fits, p->nfits + 1, sizeof(*p->fits));
	f = &p->fits[p->nfits++];
	*f = (struct fitline){ t0, y0, t1, y1, "" };
	snprintf(f->label, sizeof(f->label), "%s", label ? label : "");
}

void plot_add_marker(struct plot *p, enum plot_mark kind, double t,
		     const char *label, double weight)
{
	struct marker *m;

	if (!(t >= p->o.t_min && t <= p->o.t_max))
		return;
	util_grow((void **)&p->marks, &p->cap_marks, p->nmarks + 1, sizeof(*p->marks));
	m = &p->marks[p->nmarks++];
	m->kind = kind;
	m->t = t;
	m->weight = weight;
	snprintf(m->label, sizeof(m->label), "%s", label ? label : "");
}

void plot_add_gap(struct plot *p, double t0, double t1)
{
	util_grow((void **)&p->gaps, &p->cap_gaps, p->ngaps + 1, sizeof(*p->gaps));
	p->gaps[p->ngaps++] = (struct fitline){ t0, 0, t1, 0, "" };
}

int plot_format_of(const char *path, enum plot_format *out, char *err)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strcasecmp(dot, ".png"))
		*out = PLOT_PNG;
	else if (dot && !strcasecmp(dot, ".svg"))
		*out = PLOT_SVG;
	else
		return util_err(err, "cannot tell the picture format of '%s': name it .png or .svg",
				path);
	return 0;
}

/* ------------------------------------------------------------- drawing */

struct rgb {
	int r, g, b;
};

/* A muted palette in the style of current monitoring dashboards. */
static const struct rgb C_TEXT = { 0x33, 0x33, 0x33 };
static const struct rgb C_MUTED = { 0x6b, 0x6b, 0x6b };
static const struct rgb C_AXIS = { 0x9a, 0x9a, 0x9a };
static const struct rgb C_GRID = { 0xe8, 0xe8, 0xe8 };
static const struct rgb C_ZERO = { 0xb8, 0xb8, 0xb8 };
static const struct rgb C_TRACE = { 0x1f, 0x6f, 0xb4 };
static const struct rgb C_FIT = { 0xff, 0xc6, 0x80 };      /* the band */
static const struct rgb C_FIT_TEXT = { 0xc8, 0x6a, 0x00 };
static const struct rgb C_BACK = { 0xd6, 0x27, 0x28 };
static const struct rgb C_FWD = { 0x2c, 0xa0, 0x2c };
static const struct rgb C_REBOOT = { 0x44, 0x44, 0x44 };
static const struct rgb C_CS = { 0x94, 0x67, 0xbd };
static const struct rgb C_GAP = { 0xf1, 0xf1, 0xf1 };

static void pen(struct plot *p, struct rgb c)
{
	pl.pencolor(p->pp, c.r * 257, c.g * 257, c.b * 257);
}

static void fill(struct plot *p, struct rgb c)
{
	pl.fillcolor(p->pp, c.r * 257, c.g * 257, c.b * 257);
	pl.filltype(p->pp, 1);
}

static void nofill(struct plot *p)
{
	pl.filltype(p->pp, 0);
}

static void text(struct plot *p, double x, double y, int hj, int vj,
		 double size, bool bold, struct rgb c, const char *s)
{
	pl.fontname(p->pp, bold ? p->font_bold : p->font);
	pl.ffontsize(p->pp, size);
	pen(p, c);
	/* Hershey glyphs are strokes: give them some weight. */
	pl.flinewidth(p->pp, bold ? 1.3 : 0.9);
	pl.linemod(p->pp, "solid");
	pl.fmove(p->pp, x, y);
	pl.alabel(p->pp, hj, vj, s);
}

static double text_width(struct plot *p, double size, bool bold, const char *s)
{
	pl.fontname(p->pp, bold ? p->font_bold : p->font);
	pl.ffontsize(p->pp, size);
	return pl.flabelwidth(p->pp, s);
}

static void line(struct plot *p, double xa, double ya, double xb, double yb,
		 double w, struct rgb c, const char *mod)
{
	pen(p, c);
	pl.flinewidth(p->pp, w);
	pl.linemod(p->pp, mod);
	pl.fline(p->pp, xa, ya, xb, yb);
	pl.endpath(p->pp);
}

static void box(struct plot *p, double xa, double ya, double xb, double yb,
		struct rgb c)
{
	pen(p, c);
	fill(p, c);
	pl.flinewidth(p->pp, 0.5);
	pl.linemod(p->pp, "solid");
	pl.fbox(p->pp, xa, ya, xb, yb);
	pl.endpath(p->pp);
	nofill(p);
}

static void triangle(struct plot *p, double x, double y, double s, bool down,
		     struct rgb c)
{
	double d = down ? -1 : 1;

	pen(p, c);
	fill(p, c);
	pl.flinewidth(p->pp, 0.5);
	pl.linemod(p->pp, "solid");
	pl.fmove(p->pp, x - s, y);
	pl.fcont(p->pp, x + s, y);
	pl.fcont(p->pp, x, y + d * s * 1.5);
	pl.closepath(p->pp);
	pl.endpath(p->pp);
	nofill(p);
}

/* ---------------------------------------------------------------- axes */

static double nice_step(double range, int max_ticks)
{
	double raw = range / max_ticks, mag = 1;

	/* The power of ten at or below raw, without libm's pow(): linking
	 * libm would cost every hvclock run (cron's hvclock log) 300 KB. */
	if (!(raw > 0) || !isfinite(raw))
		return 1;
	for (int i = 0; i < 400 && mag * 10 <= raw; i++)
		mag *= 10;
	for (int i = 0; i < 400 && mag > raw; i++)
		mag /= 10;
	static const double m[] = { 1, 2, 2.5, 5, 10 };

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(m); i++)
		if (m[i] * mag >= raw)
			return m[i] * mag;
	return 10 * mag;
}

static void y_range(struct plot *p)
{
	double lo = INFINITY, hi = -INFINITY, big, step, pad;

	for (size_t i = 0; i < p->ncells; i++) {
		lo = fmin(lo, p->cells[i].min);
		hi = fmax(hi, p->cells[i].max);
	}
	if (!isfinite(lo)) {
		lo = -1e-3;
		hi = 1e-3;
	}
	if (hi - lo < 1e-6) {
		double mid = (hi + lo) / 2;

		lo = mid - 5e-6;
		hi = mid + 5e-6;
	}
	pad = (hi - lo) * 0.06;
	lo -= pad;
	hi += pad;
	big = fmax(fabs(lo), fabs(hi));
	if (big >= 1) {
		p->yscale = 1;
		p->yunit = "s";
	} else if (big >= 1e-3) {
		p->yscale = 1e3;
		p->yunit = "ms";
	} else {
		p->yscale = 1e6;
		p->yunit = "\xb5s";   /* ISO Latin-1 micro sign */
	}
	step = nice_step(hi - lo, 7);
	p->ystep = step;
	p->ymin = floor(lo / step) * step;
	p->ymax = ceil(hi / step) * step;
}

static void fmt_y(double v, double step, char *buf, size_t len)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	if (fabs(v) < step * 1e-6)
		v = 0;
	snprintf(buf, len, "%.*f", dec > 6 ? 6 : dec, v);
}

static void draw_y_axis(struct plot *p)
{
	double step = p->ystep;
	struct strbuf sb = STRBUF_INIT;
	char buf[32];

	int n = (int)floor((p->ymax - p->ymin) / step + 0.5);

	for (int k = 0; k <= n; k++) {
		double v = p->ymin + k * step;
		double y = ty(p, v);

		line(p, p->x0, y, p->x1, y, 1, fabs(v) < step * 1e-6 ? C_ZERO : C_GRID,
		     "solid");
		fmt_y(v * p->yscale, step * p->yscale, buf, sizeof(buf));
		text(p, p->x0 - 8, y, 'r', 'c', 12, false, C_MUTED, buf);
	}
	strbuf_addf(&sb, "%s [%s]", p->yq, p->yunit);
	pl.ftextangle(p->pp, 90);
	text(p, 22, (p->y0 + p->y1) / 2, 'c', 'c', 13, false, C_TEXT, sb.buf);
	pl.ftextangle(p->pp, 0);
	strbuf_release(&sb);
}

/* Tick spacing for time: seconds, or months when > 0 in months. */
struct tstep {
	double s;
	int months;
};

static void gmt(double t, struct tm *tm)
{
	time_t tt = (time_t)floor(t);

	gmtime_r(&tt, tm);
}

static double next_month(double t, int months)
{
	struct tm tm;

	gmt(t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon = (tm.tm_mon / months + 1) * months;
	return (double)timegm(&tm);
}

static double first_tick(double t, struct tstep st)
{
	if (st.months) {
		struct tm tm;

		gmt(t, &tm);
		if (tm.tm_mday == 1 && !tm.tm_hour && !tm.tm_min && !tm.tm_sec &&
		    tm.tm_mon % st.months == 0 && t == floor(t))
			return t;
		return next_month(t, st.months);
	}
	if (st.s == 7 * 86400) {
		/* Mondays: 1970-01-05 was one. */
		return ceil((t - 4 * 86400) / st.s) * st.s + 4 * 86400;
	}
	return ceil(t / st.s) * st.s;
}

static void draw_x_axis(struct plot *p)
{
	static const struct tstep steps[] = {
		{ 10, 0 }, { 30, 0 }, { 60, 0 }, { 120, 0 }, { 300, 0 }, { 600, 0 },
		{ 900, 0 }, { 1800, 0 }, { 3600, 0 }, { 7200, 0 }, { 10800, 0 },
		{ 21600, 0 }, { 43200, 0 }, { 86400, 0 }, { 172800, 0 },
		{ 7 * 86400, 0 }, { 0, 1 }, { 0, 3 }, { 0, 6 }, { 0, 12 },
	};
	double span = p->o.t_max - p->o.t_min;
	int max_ticks = (int)((p->x1 - p->x0) / 95);
	struct tstep st = steps[UTIL_ARRAY_SIZE(steps) - 1];
	int last_day = -1, last_year = -1;
	double prev_x2 = -1e9;

	for (size_t i = 0; i < UTIL_ARRAY_SIZE(steps); i++) {
		double approx = steps[i].months ? steps[i].months * 30.44 * 86400 : steps[i].s;

		if (span / approx <= max_ticks) {
			st = steps[i];
			break;
		}
	}
	for (double t = first_tick(p->o.t_min, st); t <= p->o.t_max;
	     t = st.months ? next_month(t + 1, st.months) : t + st.s) {
		double x = tx(p, t);
		char l1[32], l2[32] = "";
		struct tm tm;

		gmt(t, &tm);
		line(p, x, p->y0, x, p->y1, 1, C_GRID, "solid");
		line(p, x, p->y0, x, p->y0 - 5, 1, C_AXIS, "solid");
		if (st.months) {
			strftime(l1, sizeof(l1), "%b", &tm);
			if (tm.tm_year != last_year)
				strftime(l2, sizeof(l2), "%Y", &tm);
		} else if (st.s >= 86400) {
			strftime(l1, sizeof(l1), "%b %d", &tm);
			if (tm.tm_year != last_year)
				strftime(l2, sizeof(l2), "%Y", &tm);
		} else {
			strftime(l1, sizeof(l1), st.s < 60 ? "%H:%M:%S" : "%H:%M", &tm);
			if (tm.tm_yday != last_day)
				strftime(l2, sizeof(l2), "%a %b %d", &tm);
		}
		last_day = tm.tm_yday;
		last_year = tm.tm_year;
		text(p, x, p->y0 - 18, 'c', 'c', 12, false, C_MUTED, l1);
		if (l2[0] && x - prev_x2 > 90) {
			text(p, x, p->y0 - 35, 'c', 'c', 12, true, C_TEXT, l2);
			prev_x2 = x;
		}
	}
	text(p, (p->x0 + p->x1) / 2, p->y0 - 60, 'c', 'c', 13, false, C_TEXT, p->xq);
}

static void draw_gaps(struct plot *p)
{
	for (size_t i = 0; i < p->ngaps; i++) {
		double a = fmax(tx(p, p->gaps[i].t0), p->x0);
		double b = fmin(tx(p, p->gaps[i].t1), p->x1);

		if (b <= a)
			continue;
		box(p, a, p->y0 + 1, b, p->y1 - 1, C_GAP);
		if (b - a > 50)
			text(p, (a + b) / 2, p->y0 + 12, 'c', 'c', 11, false, C_MUTED, "no data");
	}
}

static void draw_trace(struct plot *p)
{
	bool open = false;

	pen(p, C_TRACE);
	pl.flinewidth(p->pp, 1.6);
	pl.linemod(p->pp, "solid");
	pl.joinmod(p->pp, "round");
	pl.capmod(p->pp, "round");
	for (size_t i = 0; i < p->ncells; i++) {
		const struct cell *c = &p->cells[i];
		double x = p->x0 + c->col + 0.5;
		double a = c->min_first ? c->min : c->max;
		double b = c->min_first ? c->max : c->min;

		if (c->new_piece || !open) {
			if (open)
				pl.endpath(p->pp);
			pl.fmove(p->pp, x, ty(p, c->first));
			open = true;
			/* A lone point still shows: a dash of its own. */
			if (c->min == c->max && (i + 1 == p->ncells || p->cells[i + 1].new_piece)) {
				pl.endpath(p->pp);
				pl.fline(p->pp, x - 1.2, ty(p, c->first), x + 1.2, ty(p, c->first));
				pl.endpath(p->pp);
				open = false;
				continue;
			}
		} else {
			pl.fcont(p->pp, x, ty(p, c->first));
		}
		if (c->min != c->max) {
			pl.fcont(p->pp, x, ty(p, a));
			pl.fcont(p->pp, x, ty(p, b));
		}
		pl.fcont(p->pp, x, ty(p, c->last));
	}
	if (open)
		pl.endpath(p->pp);
}

static void draw_fits(struct plot *p)
{
	double label_end = -1e9;

	for (size_t i = 0; i < p->nfits; i++) {
		const struct fitline *f = &p->fits[i];
		double xa = fmax(tx(p, f->t0), p->x0), xb = fmin(tx(p, f->t1), p->x1);
		double w;

		if (xb - xa < 1)
			continue;
		line(p, xa, ty(p, f->y0), xb, ty(p, f->y1), 7, C_FIT, "solid");
		if (!f->label[0])
			continue;
		w = text_width(p, 10, false, f->label);
		if (xb - xa < w + 2 || (xa + xb - w) / 2 < label_end + 6)
			continue;
		text(p, (xa + xb) / 2, p->y0 + 10, 'c', 'c', 10, false, C_FIT_TEXT, f->label);
		label_end = (xa + xb + w) / 2;
	}
}

static struct rgb mark_color(enum plot_mark k)
{
	switch (k) {
	case PLOT_STEP_BACK: return C_BACK;
	case PLOT_STEP_FWD: return C_FWD;
	case PLOT_REBOOT: return C_REBOOT;
	case PLOT_CLOCKSOURCE: return C_CS;
	}
	return C_TEXT;
}

/* Labels go in a lane above the plot, most important first, never overlapping. */
struct span {
	double a, b;
};

static bool lane_free(const struct span *used, size_t n, double a, double b)
{
	for (size_t i = 0; i < n; i++)
		if (a < used[i].b + 6 && b > used[i].a - 6)
			return false;
	return true;
}

static int importance(enum plot_mark k)
{
	return k == PLOT_STEP_BACK ? 0 : k == PLOT_REBOOT ? 1 : k == PLOT_STEP_FWD ? 2 : 3;
}

static int cmp_importance(const void *a, const void *b)
{
	const struct marker *x = *(const struct marker *const *)a;
	const struct marker *y = *(const struct marker *const *)b;

	if (importance(x->kind) != importance(y->kind))
		return importance(x->kind) - importance(y->kind);
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

static void draw_markers(struct plot *p)
{
	/* Minor ones first, so backward steps are drawn on top. */
	static const enum plot_mark order[] = {
		PLOT_CLOCKSOURCE, PLOT_REBOOT, PLOT_STEP_FWD, PLOT_STEP_BACK
	};
	bool *drawn = xcalloc((size_t)p->ncols * 4, sizeof(*drawn));
	struct span *used[2] = { NULL, NULL };
	size_t nused[2] = { 0, 0 }, cap[2] = { 0, 0 };

	for (size_t k = 0; k < UTIL_ARRAY_SIZE(order); k++) {
		for (size_t i = 0; i < p->nmarks; i++) {
			const struct marker *m = &p->marks[i];
			struct rgb c = mark_color(m->kind);
			double x = tx(p, m->t);
			int col = (int)(x - p->x0);

			if (m->kind != order[k])
				continue;
			/* One line per pixel column and kind: a year of steps stays cheap. */
			if (col < 0)
				col = 0;
			if (col >= p->ncols)
				col = p->ncols - 1;
			if (drawn[(size_t)col * 4 + m->kind])
				continue;
			drawn[(size_t)col * 4 + m->kind] = true;
			switch (m->kind) {
			case PLOT_STEP_BACK:
				line(p, x, p->y0, x, p->y1, 1.6, c, "solid");
				triangle(p, x, p->y1 - 1, 5, true, c);
				break;
			case PLOT_STEP_FWD:
				line(p, x, p->y0, x, p->y1, 1.3, c, "solid");
				triangle(p, x, p->y1 - 1, 4, true, c);
				break;
			case PLOT_REBOOT:
				line(p, x, p->y0, x, p->y1, 1.6, c, "longdashed");
				break;
			case PLOT_CLOCKSOURCE:
				line(p, x, p->y0, x, p->y1, 1.6, c, "dotted");
				break;
			}
		}
	}
	/* Labels by importance; a dozen at most, or the picture is all text. */
	{
		const struct marker **byimp = xmalloc((p->nmarks + 1) * sizeof(*byimp));
		int placed = 0;

		for (size_t i = 0; i < p->nmarks; i++)
			byimp[i] = &p->marks[i];
		qsort(byimp, p->nmarks, sizeof(*byimp), cmp_importance);
		for (size_t i = 0; i < p->nmarks && placed < 12; i++) {
			const struct marker *m = byimp[i];
			bool bold = m->kind == PLOT_STEP_BACK;
			double x = tx(p, m->t), w, lx;

			if (!m->label[0])
				continue;
			w = text_width(p, 11, bold, m->label);
			lx = fmin(fmax(x - w / 2, p->x0), p->x1 - w);
			/* Two lanes; a label that fits in neither is left out. */
			for (int l = 0; l < 2; l++) {
				if (!lane_free(used[l], nused[l], lx, lx + w))
					continue;
				util_grow((void **)&used[l], &cap[l], nused[l] + 1,
					  sizeof(*used[l]));
				used[l][nused[l]++] = (struct span){ lx, lx + w };
				text(p, lx, p->y1 + 11 + 14 * l, 'l', 'c', 11, bold,
				     mark_color(m->kind), m->label);
				placed++;
				break;
			}
		}
		free(byimp);
	}
	free(used[0]);
	free(used[1]);
	free(drawn);
}

static void legend_item(struct plot *p, double *x, double y, const char *name,
			struct rgb c, const char *mod, int style)
{
	double w;

	switch (style) {
	case 0:     /* a line */
		line(p, *x, y, *x + 26, y, mod[0] == 's' && mod[1] == 'o' ? 2 : 1.8, c, mod);
		break;
	case 1:     /* a vertical marker */
		line(p, *x + 13, y - 7, *x + 13, y + 7, 1.6, c, mod);
		break;
	case 3:     /* a band */
		line(p, *x, y, *x + 26, y, 7, c, "solid");
		break;
	case 2:     /* a box */
		box(p, *x + 3, y - 6, *x + 23, y + 6, c);
		pen(p, C_AXIS);
		break;
	}
	w = text_width(p, 12, false, name);
	text(p, *x + 32, y, 'l', 'c', 12, false, C_TEXT, name);
	*x += 32 + w + 22;
}

static void draw_legend(struct plot *p, bool have_trace)
{
	double x = p->x0, y = 20;
	bool seen[4] = { false };

	for (size_t i = 0; i < p->nmarks; i++)
		seen[p->marks[i].kind] = true;
	if (have_trace)
		legend_item(p, &x, y, "offset", C_TRACE, "solid", 0);
	if (p->nfits)
		legend_item(p, &x, y, "fitted drift (ppm below)", C_FIT, "solid", 3);
	if (seen[PLOT_STEP_BACK])
		legend_item(p, &x, y, "backward step", C_BACK, "solid", 1);
	if (seen[PLOT_STEP_FWD])
		legend_item(p, &x, y, "forward step", C_FWD, "solid", 1);
	if (seen[PLOT_REBOOT])
		legend_item(p, &x, y, "reboot", C_REBOOT, "longdashed", 1);
	if (seen[PLOT_CLOCKSOURCE])
		legend_item(p, &x, y, "clocksource change", C_CS, "dotted", 1);
	if (p->ngaps)
		legend_item(p, &x, y, "no data", (struct rgb){ 0xdd, 0xdd, 0xdd }, "solid", 2);
}

static void draw(struct plot *p)
{
	bool have_trace = p->ncells > 0;

	pl.fspace(p->pp, 0, 0, p->o.width, p->o.height);
	pl.erase(p->pp);
	y_range(p);
	text(p, p->x0, p->o.height - 26, 'l', 'c', 19, true, C_TEXT, p->title);
	{
		/* A long subtitle gets a smaller font, then is cut short. */
		double size = 13, room = p->o.width - p->x0 - 12;
		size_t n = strlen(p->subtitle);

		while (size > 10 && text_width(p, size, false, p->subtitle) > room)
			size -= 0.5;
		while (n > 3 && text_width(p, size, false, p->subtitle) > room) {
			n--;
			memcpy(p->subtitle + n - 3, "...", 4);
		}
		text(p, p->x0, p->o.height - 50, 'l', 'c', size, false, C_MUTED, p->subtitle);
	}
	draw_gaps(p);
	draw_y_axis(p);
	draw_x_axis(p);
	line(p, p->x0, p->y0, p->x1, p->y0, 1, C_AXIS, "solid");
	line(p, p->x0, p->y0, p->x0, p->y1, 1, C_AXIS, "solid");
	draw_markers(p);
	draw_fits(p);
	draw_trace(p);
	if (!have_trace && p->empty[0])
		text(p, (p->x0 + p->x1) / 2, (p->y0 + p->y1) / 2, 'c', 'c', 15, false,
		     C_MUTED, p->empty);
	draw_legend(p, have_trace);
}

/* ------------------------------------------------------------- output */

static void be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

static void png_chunk(struct strbuf *out, const char *type,
		      const unsigned char *data, size_t len)
{
	unsigned char hdr[8], crc[4];
	unsigned long c;

	be32(hdr, (uint32_t)len);
	memcpy(hdr + 4, type, 4);
	strbuf_add(out, hdr, 8);
	if (len)
		strbuf_add(out, data, len);
	c = pl.crc32(0, hdr + 4, 4);
	if (len)   /* zlib's crc32() with a NULL buffer restarts the sum */
		c = pl.crc32(c, data, (unsigned)len);
	be32(crc, (uint32_t)c);
	strbuf_add(out, crc, 4);
}

/* Reads the PPM libplot wrote (P6, maxval 255, comments allowed). */
static int ppm_header(FILE *f, int *w, int *h, char *err)
{
	int vals[3], n = 0, c;

	if (fgetc(f) != 'P' || fgetc(f) != '6')
		return util_err(err, "libplot wrote no binary PPM");
	while (n < 3) {
		c = fgetc(f);
		if (c == '#') {
			while ((c = fgetc(f)) != '\n' && c != EOF)
				;
			continue;
		}
		if (c == EOF)
			return util_err(err, "libplot's PPM is cut short");
		if (isspace(c))
			continue;
		ungetc(c, f);
		if (fscanf(f, "%d", &vals[n]) != 1)
			return util_err(err, "libplot's PPM header is bad");
		n++;
	}
	fgetc(f); /* the single blank after maxval */
	if (vals[2] != 255 || vals[0] <= 0 || vals[1] <= 0)
		return util_err(err, "libplot's PPM header is bad");
	*w = vals[0];
	*h = vals[1];
	return 0;
}

/* PPM at SS times the size -> box filter -> PNG (RGB, 8 bit, filter Up). */
static int ppm_to_png(FILE *f, int ow, int oh, struct strbuf *png, char *err)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	int w = 0, h = 0;
	size_t row = (size_t)ow * 3 + 1, inrow;
	unsigned char *raw, *in, *prev, ihdr[13];
	unsigned long zlen;
	unsigned char *z;
	int rc = -1;

	if (ppm_header(f, &w, &h, err))
		return -1;
	if (w != ow * SS || h != oh * SS)
		return util_err(err, "libplot drew %dx%d, not %dx%d", w, h, ow * SS, oh * SS);
	inrow = (size_t)w * 3;
	raw = xmalloc(row * (size_t)oh);
	in = xmalloc(inrow * SS);
	prev = xcalloc(1, row);
	for (int y = 0; y < oh; y++) {
		unsigned char *out = raw + row * (size_t)y;
		unsigned char cur[3 * 8192];

		if (fread(in, 1, inrow * SS, f) != inrow * SS) {
			util_err(err, "libplot's PPM is cut short");
			goto done;
		}
		for (int x = 0; x < ow; x++)
			for (int ch = 0; ch < 3; ch++) {
				unsigned sum = 0;

				for (int dy = 0; dy < SS; dy++)
					for (int dx = 0; dx < SS; dx++)
						sum += in[inrow * dy + (size_t)(x * SS + dx) * 3 + ch];
				cur[x * 3 + ch] = (unsigned char)((sum + SS * SS / 2) / (SS * SS));
			}
		/* Filter "Up": charts are mostly vertical repeats. */
		out[0] = 2;
		for (size_t i = 0; i < (size_t)ow * 3; i++)
			out[1 + i] = (unsigned char)(cur[i] - prev[i]);
		memcpy(prev, cur, (size_t)ow * 3);
	}
	zlen = pl.compressbound((unsigned long)(row * (size_t)oh));
	z = xmalloc(zlen);
	if (pl.compress2(z, &zlen, raw, (unsigned long)(row * (size_t)oh), 6) != 0) {
		free(z);
		util_err(err, "zlib could not compress the picture");
		goto done;
	}
	strbuf_add(png, sig, sizeof(sig));
	be32(ihdr, (uint32_t)ow);
	be32(ihdr + 4, (uint32_t)oh);
	ihdr[8] = 8;   /* bit depth */
	ihdr[9] = 2;   /* RGB */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	png_chunk(png, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(png, "IDAT", z, zlen);
	png_chunk(png, "IEND", NULL, 0);
	free(z);
	rc = 0;
done:
	free(raw);
	free(in);
	free(prev);
	return rc;
}

int plot_write(struct plot *p, const char *path, char *err)
{
	struct atomicfile_opts ao = { .mode_if_new = 0644 };
	plPlotterParams *params;
	struct strbuf data = STRBUF_INIT;
	char size[80];
	FILE *f;
	char *mem = NULL;
	size_t memlen = 0;
	bool png = p->o.format == PLOT_PNG;
	int rc = -1;

	if (p->o.width > 8192 / SS || p->o.height > 8192 / SS)
		return util_err(err, "picture too large (at most %dx%d)", 8192 / SS, 8192 / SS);
	if (load_libs(err))
		return -1;
	if (png) {
		f = tmpfile();
		if (!f)
			return util_errno(err, errno, "cannot create a temporary file");
		setvbuf(f, NULL, _IOFBF, 1 << 20);   /* ~8 MB of PPM: few writes */
		snprintf(size, sizeof(size), "%dx%d", p->o.width * SS, p->o.height * SS);
		p->font = "HersheySans";
		p->font_bold = "HersheySans-Bold";
	} else {
		f = open_memstream(&mem, &memlen);
		if (!f)
			return util_errno(err, errno, "cannot open a memory stream");
		/* libplot sizes SVG pages in physical units: 100 px to the inch. */
		snprintf(size, sizeof(size), "letter,xsize=%gin,ysize=%gin",
			 p->o.width / 100.0, p->o.height / 100.0);
		p->font = "Helvetica";
		p->font_bold = "Helvetica-Bold";
	}
	params = pl.newplparams();
	pl.setplparam(params, "BG_COLOR", (void *)"white");
	pl.setplparam(params, png ? "BITMAPSIZE" : "PAGESIZE", size);
	pl.setplparam(params, "PNM_PORTABLE", (void *)"no");
	p->pp = pl.newpl(png ? "pnm" : "svg", NULL, f, stderr, params);
	if (!p->pp || pl.openpl(p->pp) < 0) {
		util_err(err, "libplot cannot open a %s plotter", png ? "pnm" : "svg");
		goto out;
	}
	draw(p);
	if (pl.closepl(p->pp) < 0) {
		util_err(err, "libplot failed to finish the picture");
		goto out;
	}
	pl.deletepl(p->pp);
	p->pp = NULL;
	if (fflush(f)) {
		util_errno(err, errno, "cannot write the picture");
		goto out;
	}
	if (png) {
		rewind(f);
		if (ppm_to_png(f, p->o.width, p->o.height, &data, err))
			goto out;
	}
	fclose(f);
	f = NULL;
	if (!png)
		strbuf_add(&data, mem, memlen);
	rc = atomicfile_replace(path, data.buf, data.len, &ao, NULL, NULL, err);
out:
	if (p->pp)
		pl.deletepl(p->pp);
	p->pp = NULL;
	if (f)
		fclose(f);
	free(mem);
	pl.deleteplparams(params);
	strbuf_release(&data);
	return rc;
}
