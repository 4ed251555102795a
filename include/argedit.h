/*
 * argedit.h - add and remove kernel arguments in an argument list, leaving
 * every byte that is not edited as it was.
 *
 * One logical argument list (what one boot entry hands the kernel) may be
 * spread over several segments: a BLS entry's options line and the
 * grubenv kernelopts it references, or the successive GRUB_CMDLINE_LINUX
 * assignments of /etc/default/grub. Segments are given in the order the
 * kernel sees them (so "last occurrence" means what the kernel means by
 * it). Each segment is logical text (already unquoted by the caller); the
 * plan is a list of byte edits per segment, which the caller maps back to
 * its own syntax.
 *
 * The rules (the same for every entry, whatever other entries hold):
 *   - an added argument already present is left alone;
 *   - the same key with another value is replaced where it stands (the
 *     last occurrence, the one the kernel uses), and other occurrences of
 *     the key are removed, so exactly one correct occurrence remains;
 *     keys that may legitimately repeat (console=, rd.lvm.lv=, ...) are
 *     only added when that exact value is missing;
 *   - a bare key in the remove list removes every value of that key, and
 *     key=value removes only that value;
 *   - an argument that conflicts with an added one (clocksource= against
 *     clock=) is reported; with replace_conflicts it is replaced by the
 *     added argument, otherwise nothing is added to that list;
 *   - new arguments go after the last kernel argument of the append
 *     segment (before a "--" that starts init's arguments), separated by
 *     one blank; a removed argument takes the blanks before it along, so
 *     adding then removing gives back the original bytes.
 * Keys compare with '-' and '_' alike, as the kernel's parameq() does.
 */
#ifndef HV_ARGEDIT_H
#define HV_ARGEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* A parsed request: the arguments to add and remove, and conflicts. */
struct argedit_req;

/*
 * Parses the request. add/remove: blank-separated kernel arguments (quotes
 * as the kernel reads them), NULL or "" for none. conflicts: extra keys
 * that conflict with the whole request (a remedy's), NULL for none; the
 * built-in pairs (clock/clocksource, notsc/tsc) always apply. Fails on
 * unbalanced quotes, "--", an empty request, or a key both added and
 * removed.
 */
int argedit_req_new(const char *add, const char *remove, const char *conflicts,
		    bool replace_conflicts, struct argedit_req **out, char *err);
void argedit_req_free(struct argedit_req *req);
/* Whether the request adds (resp. removes) anything. */
bool argedit_req_adds(const struct argedit_req *req);
bool argedit_req_removes(const struct argedit_req *req);
/* Requested arguments as given, blank-separated ("" when none). */
const char *argedit_req_add_text(const struct argedit_req *req);
const char *argedit_req_remove_text(const struct argedit_req *req);

struct argedit_seg {
	const char *text;   /* logical text (not NUL-terminated necessarily) */
	size_t len;
	bool sep_at_start;  /* something precedes offset 0 (a path, a keyword) */
	bool primary;       /* may hold the kept occurrence of an added key */
};

/* One byte edit in a segment: replace text[start, start+len) by insert. */
struct argedit_edit {
	size_t seg;
	size_t start, len;
	char *insert;       /* owned; "" for a pure deletion */
};

enum argedit_kind {
	ARGEDIT_ADDED,           /* new: text */
	ARGEDIT_PRESENT,         /* already there: text */
	ARGEDIT_REPLACED,        /* old -> text (same key, other value) */
	ARGEDIT_REMOVED,         /* old removed (asked for) */
	ARGEDIT_DUPLICATE,       /* old removed (repeated key) */
	ARGEDIT_CONFLICT,        /* old conflicts with text; left, nothing added */
	ARGEDIT_CONFLICT_REPLACED /* old conflicted; replaced by / removed for text */
};

struct argedit_note {
	enum argedit_kind kind;
	char old[160];
	char text[160];
};

struct argedit_plan {
	struct argedit_edit *edits;  /* sorted by (seg, start) */
	size_t n_edits;
	struct argedit_note *notes;
	size_t n_notes;
	bool conflict_left;          /* a conflict blocked the additions */
};

/*
 * Plans the request over segs[0..nseg). New arguments go into
 * segs[append_seg]. Fails (err) when a segment cannot be split (unbalanced
 * quotes, NUL byte) or "--" appears before the last segment.
 */
int argedit_plan(const struct argedit_req *req, const struct argedit_seg *segs,
		 size_t nseg, size_t append_seg, struct argedit_plan *plan,
		 char *err);
void argedit_plan_free(struct argedit_plan *plan);
/* Whether the plan changes anything. */
bool argedit_plan_changes(const struct argedit_plan *plan);

/* Applies the edits of segment seg to text[0, len) into out (appended). */
void argedit_apply(const struct argedit_plan *plan, size_t seg,
		   const char *text, size_t len, struct strbuf *out);

/* One-segment convenience: edits text and appends the result to out. */
int argedit_line(const struct argedit_req *req, const char *text, size_t len,
		 bool sep_at_start, struct strbuf *out,
		 struct argedit_plan *plan, char *err);

/* "added clock=pit", "replaced clock=hpet by clock=pit", ... */
void argedit_note_format(const struct argedit_note *n, struct strbuf *out);
/* "added", "present", "replaced", ... (for JSON). */
const char *argedit_kind_name(enum argedit_kind k);

/* Keys that may repeat on a kernel command line (console=, rd.lvm.lv=). */
bool argedit_key_repeats(const char *key, size_t keylen);

#endif
