/*
 * textdiff.h - line-based unified diffs (what `diff -u` prints), for
 * showing what a config edit would change.
 *
 * Lines keep their end-of-line bytes, so a CRLF line that became LF shows
 * up as changed. The edit script is Myers' greedy O(ND) algorithm on the
 * lines between the common prefix and suffix; when more than
 * TEXTDIFF_MAX_D edits would be needed (huge rewrites), the middle is
 * shown as one block removed and added instead: still a correct diff,
 * just not a minimal one, with time and memory bounded.
 */
#ifndef HV_TEXTDIFF_H
#define HV_TEXTDIFF_H

#include <stddef.h>

#include "strbuf.h"

#define TEXTDIFF_MAX_D 2000

/*
 * Appends the unified diff of a -> b, with `context` lines around each
 * change and "--- label_a" / "+++ label_b" headers, to out. Returns the
 * number of hunks (0 when the texts are equal; nothing is appended then).
 */
int textdiff_unified(const char *a, size_t alen, const char *b, size_t blen,
		     const char *label_a, const char *label_b, int context,
		     struct strbuf *out);

#endif
