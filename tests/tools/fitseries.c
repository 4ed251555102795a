/*
 * fitseries.c - fits an offset series read from stdin ("t_s offset_s
 * delay_s" per line) with analysis_fit and with a naive straight line
 * (analysis_fit_ols), for the drift benchmark and for replaying a
 * diagnose --json series.
 *
 *   fitseries [-u N] [-o OUTLIER_S] [-k INDEX]
 *     -u N        use only the points with t_s <= N seconds
 *     -o S        add S seconds to one point's offset (default: none)
 *     -k INDEX    which point gets the outlier (default: the last but one)
 *
 * Prints: "robust PPM SE N_USED N naive PPM".
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis.h"
#include "util.h"

int main(int argc, char **argv)
{
	struct analysis_point *p = NULL;
	struct analysis_fit rf, nf;
	size_t n = 0, cap = 0;
	double until = -1, outlier = 0, t, o, d;
	long k = -1;
	int opt;

	while ((opt = getopt(argc, argv, "u:o:k:")) != -1) {
		switch (opt) {
		case 'u': until = atof(optarg); break;
		case 'o': outlier = atof(optarg); break;
		case 'k': k = atol(optarg); break;
		default:
			fprintf(stderr, "usage: fitseries [-u SECONDS] [-o OUTLIER_S] [-k INDEX]\n");
			return 2;
		}
	}
	while (scanf("%lf %lf %lf", &t, &o, &d) == 3) {
		if (until >= 0 && t > until)
			continue;
		util_grow((void **)&p, &cap, n + 1, sizeof(*p));
		p[n].t_s = t;
		p[n].offset_s = o;
		p[n].delay_s = d;
		n++;
	}
	if (n < 3) {
		fprintf(stderr, "fitseries: need at least 3 points, got %zu\n", n);
		free(p);
		return 1;
	}
	if (outlier != 0) {
		size_t i = k >= 0 && (size_t)k < n ? (size_t)k : n - 2;

		p[i].offset_s += outlier;
	}
	analysis_fit(p, n, &rf);
	analysis_fit_ols(p, n, &nf);
	printf("robust %.6f %.6f %zu %zu naive %.6f\n", rf.drift_ppm,
	       rf.drift_se_ppm, rf.n_used, rf.n_total, nf.drift_ppm);
	free(p);
	return 0;
}
