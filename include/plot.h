/*
 * plot.h - time-series charts through GNU libplot: PNG or SVG, chosen by
 * the file name's extension.
 *
 * A chart is built up (trace points, fitted lines, event markers, gaps)
 * and then written. Points are decimated as they arrive, keeping the
 * minimum and maximum of each pixel column (and the first and last, so
 * pieces join where they did), so a year of per-minute samples draws as
 * faithfully as a day's and the caller's data can be freed before the
 * picture is rendered.
 *
 * PNG is drawn at twice the size and box-filtered down: libplot's bitmap
 * driver does not antialias, and lines and text look like a good
 * monitoring system's only when it is done for it.
 *
 * libplot is loaded when the first chart is made, not linked: it pulls in
 * fifteen X11 libraries, which every cron run of `hvclock log` would
 * otherwise pay for (2.8 MB of memory and their load time) without
 * drawing anything.
 *
 * Times are seconds since the epoch (UTC); y values are seconds and the
 * axis picks s, ms or us for its labels.
 */
#ifndef HV_PLOT_H
#define HV_PLOT_H

#include <stdbool.h>
#include <stddef.h>

enum plot_format { PLOT_PNG, PLOT_SVG };
/* From ".png" / ".svg" (any case); -1 with err for anything else. */
int plot_format_of(const char *path, enum plot_format *out, char *err);

enum plot_mark {
	PLOT_STEP_BACK,     /* a backward clock step: stands out (red) */
	PLOT_STEP_FWD,      /* a forward step */
	PLOT_REBOOT,
	PLOT_CLOCKSOURCE    /* a clocksource change */
};

struct plot_opts {
	enum plot_format format;
	int width, height;          /* output size, px; 0 = 1200 x 600 */
	const char *title;          /* top line, bold */
	const char *subtitle;       /* second line: period and summary */
	const char *y_quantity;     /* "offset (server - local)"; the unit is added */
	const char *x_quantity;     /* "time (UTC)" */
	double t_min, t_max;        /* x range, s since the epoch; t_min < t_max */
	const char *empty_text;     /* shown when no point has a value */
};

struct plot;

/* A chart of the given size and range. Never fails (libplot is loaded by plot_write). */
struct plot *plot_new(const struct plot_opts *o);
void plot_free(struct plot *p);

/*
 * The trace, point by point in time order within a piece. new_piece
 * starts a new, unjoined piece (after a step or a reboot). A NaN y leaves
 * a hole in the line. Points outside the x range are ignored.
 */
void plot_add_point(struct plot *p, double t, double y, bool new_piece);
/*
 * A fitted straight line from (t0, y0) to (t1, y1), drawn as a pale band
 * under the trace (where the data follow the fit, the trace runs inside
 * it); label (may be NULL), e.g. the drift, is written under it along the
 * bottom of the plot when there is room.
 */
void plot_add_fit(struct plot *p, double t0, double y0, double t1, double y1,
		  const char *label);
/*
 * A vertical event marker. label (may be NULL) is shown when there is
 * room; with many markers only the most important get one: backward
 * steps first, then reboots, forward steps, clocksource changes, and
 * within a kind the largest weight (e.g. |step size|) first.
 */
void plot_add_marker(struct plot *p, enum plot_mark kind, double t,
		     const char *label, double weight);
/* A stretch without data (shaded). */
void plot_add_gap(struct plot *p, double t0, double t1);

/* Renders and writes path (replaced atomically). -1 with err on failure. */
int plot_write(struct plot *p, const char *path, char *err);

#endif
