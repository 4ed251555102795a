/*
 * fuzz_cliparse.c - what a user types: the strict number, duration, offset
 * and rate parsers, server specs, kernel-argument requests, and the
 * sanitiser that makes file text safe to print. The first byte picks the
 * parser; the rest is the text.
 * Invariants: a parse that succeeds gives a finite value inside the range
 * asked for, and that value printed back parses to the same; a server
 * spec printed back parses to the same host and port; sanitised text is
 * valid UTF-8 without control characters and keeps its length.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argedit.h"
#include "sntp.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(double a, double b)
{
	if (fabs(a - b) > 1e-9 * fmax(1.0, fabs(a)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[UTIL_ERRMAX], again[64], *s;
	struct sntp_server sv, sv2;
	struct argedit_req *req;
	double v, w;
	long l, l2;

	if (!size)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0:
		if (!util_parse_duration(s, 0.001, 7 * 86400, &v, err)) {
			if (!isfinite(v) || v < 0.001 || v > 7 * 86400)
				abort();
			snprintf(again, sizeof(again), "%.17gs", v);
			if (util_parse_duration(again, 0.001, 7 * 86400, &w, err))
				abort();
			same(v, w);
		}
		break;
	case 1:
		if (!util_parse_offset(s, -1e6, 1e6, &v, err)) {
			if (!isfinite(v) || v < -1e6 || v > 1e6)
				abort();
			snprintf(again, sizeof(again), "%.17g", v);
			if (util_parse_offset(again, -1e6, 1e6, &w, err))
				abort();
			same(v, w);
		}
		break;
	case 2:
		if (!util_parse_ppm(s, -1e6, 1e6, &v, err)) {
			if (!isfinite(v) || v < -1e6 || v > 1e6)
				abort();
			snprintf(again, sizeof(again), "%.17gppm", v);
			if (util_parse_ppm(again, -1e6, 1e6, &w, err))
				abort();
			same(v, w);
		}
		break;
	case 3:
		if (!util_parse_long(s, -1000, 1000000, &l, err)) {
			if (l < -1000 || l > 1000000)
				abort();
			snprintf(again, sizeof(again), "%ld", l);
			if (util_parse_long(again, -1000, 1000000, &l2, err) || l != l2)
				abort();
		}
		if (!util_parse_double(s, -1e300, 1e300, &v, err) && !isfinite(v))
			abort();
		break;
	case 4:
		if (!sntp_parse_server(s, &sv, err)) {
			if (!sv.host[0] || !memchr(sv.host, '\0', sizeof(sv.host)) ||
			    !memchr(sv.port, '\0', sizeof(sv.port)))
				abort();
			{
				char back[300];

				sntp_server_str(&sv, back, sizeof(back));
				if (sntp_parse_server(back, &sv2, err) ||
				    strcmp(sv.host, sv2.host) || strcmp(sv.port, sv2.port))
					abort();
			}
		}
		break;
	case 5:
		if (!argedit_req_new(s, NULL, NULL, false, &req, err)) {
			if (!argedit_req_adds(req) || argedit_req_removes(req))
				abort();
			argedit_req_free(req);
		}
		if (!argedit_req_new(NULL, s, NULL, true, &req, err))
			argedit_req_free(req);
		break;
	case 6: {
		size_t n = strlen(s);

		util_sanitize(s);
		if (strlen(s) != n)
			abort();
		for (size_t i = 0; i < n;) {
			size_t k = util_utf8_len((const unsigned char *)s + i);

			if (!k || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				abort();
			i += k;
		}
		break;
	}
	}
	free(s);
	return 0;
}
