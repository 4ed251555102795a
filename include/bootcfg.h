/*
 * bootcfg.h - the boot configuration of a system as one editable thing:
 * which files hold the kernel arguments (format detection), the entries
 * in them, the plan for a request (per entry, keyed on its kernel
 * version), and writing every changed file or none.
 *
 * The format parsers (grubcfg.c, grubdefault.c, blscfg.c, grubenv.c) turn
 * a file into entries; each entry's argument list is a list of spans, byte
 * ranges of a file with the encoding their text uses (plain, inside shell
 * quotes, grubenv escapes). argedit plans on the decoded text; the edits
 * are mapped back and merged per file, so an entry that shares a span with
 * another (BLS entries sharing grubenv's kernelopts) gets one edit, and
 * two entries wanting different edits to one span is an error, not a
 * guess.
 */
#ifndef HV_BOOTCFG_H
#define HV_BOOTCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "argedit.h"
#include "kver.h"
#include "strbuf.h"

/* Largest config file read (GRUB legacy configs are a few kilobytes). */
#define BOOTCFG_MAX_FILE (1u << 20)

enum bootcfg_format {
	BOOTCFG_AUTO = 0,
	BOOTCFG_LEGACY,      /* grub.conf / menu.lst */
	BOOTCFG_GRUB2,       /* /etc/default/grub */
	BOOTCFG_BLS,         /* /boot/loader/entries/ *.conf */
	BOOTCFG_GRUBENV,     /* GRUB environment block (kernelopts) */
	BOOTCFG_CMDLINE      /* /etc/kernel/cmdline: one line of arguments */
};
/* "legacy", "grub2", "bls", "grubenv", "cmdline". */
const char *bootcfg_format_name(enum bootcfg_format f);
/* Parses "legacy" | "grub2" | "bls"; -1 with err otherwise. */
int bootcfg_format_parse(const char *s, enum bootcfg_format *out, char *err);

/* How a span's bytes encode its text. */
enum bootcfg_enc {
	BOOTCFG_ENC_RAW,       /* as is (kernel lines, options, kopt) */
	BOOTCFG_ENC_SHELL_DQ,  /* inside "..." of a shell assignment */
	BOOTCFG_ENC_SHELL_SQ,  /* inside '...' */
	BOOTCFG_ENC_SHELL_BARE,/* an unquoted shell word (quoted when edited) */
	BOOTCFG_ENC_SHELL_NEW, /* no assignment yet: a new line is added */
	BOOTCFG_ENC_GRUBENV    /* a grubenv value (backslash escapes) */
};

struct bootcfg_span {
	size_t file;
	size_t start, len;     /* source bytes of the segment */
	enum bootcfg_enc enc;
	bool sep_at_start, primary;
	char *text;            /* decoded text (owned) */
	size_t tlen;
	size_t *map;           /* map[i] = source offset of text[i]; tlen + 1
				  entries; NULL when text is the source bytes */
	const char *newvar;    /* BOOTCFG_ENC_SHELL_NEW: the variable name */
};

struct bootcfg_entry {
	size_t file;           /* the file the entry lives in */
	int line;              /* 1-based line of its argument line, 0 none */
	char *title;           /* title, or what the pseudo-entry is ("# kopt=") */
	char *kernel;          /* kernel path as written, "" when none */
	char *version;         /* kernel release, "" when unknown */
	const char *kind;      /* "linux", "xen", "tboot", "memtest", "bsd", ... */
	char *skip;            /* why this entry is never edited, or NULL */
	bool global;           /* defaults for kernels installed later */
	bool guess;            /* not recognisably Linux: only when named */
	bool is_default;
	struct bootcfg_span *spans;
	size_t nspans, append; /* new arguments go into spans[append] */
	/* Set by bootcfg_plan(). */
	bool selected;
	char *not_applied;     /* why the request leaves it alone, or NULL */
	bool planned;
	struct argedit_plan plan;
};

struct bootcfg_file {
	char *path;            /* system path ("/etc/grub.conf") */
	char *real;            /* file written: links resolved, under sysroot */
	char *shown;           /* system path of the target ("/boot/grub/grub.conf") */
	enum bootcfg_format format;
	struct strbuf old, new;
	bool changed;
	bool hardlinked;
	size_t pad_start;      /* grubenv: where the '#' padding starts */
};

struct bootcfg {
	enum bootcfg_format format;  /* what was detected or asked for */
	struct bootcfg_file *files;
	size_t nfiles;
	struct bootcfg_entry *entries;
	size_t nentries;
	char **notes;          /* detection notes and warnings, for people */
	size_t nnotes;
	char regen[400];       /* command to regenerate grub.cfg, or "" */
	int *lock_fds;
	size_t nlocks;
};

void bootcfg_init(struct bootcfg *bc);
void bootcfg_release(struct bootcfg *bc);

/*
 * Finds the files to edit (under the sysroot): with config set, that file
 * (format from `format` or its name and contents); otherwise the system's
 * boot loader, detected from what exists (BLS entries, then
 * /etc/default/grub with a generated grub.cfg, then grub.conf/menu.lst).
 * With lock set, takes the patcher lock on every directory written before
 * reading anything. Reads and parses every file. Returns 0 or -1 (err).
 */
int bootcfg_load(struct bootcfg *bc, enum bootcfg_format format,
		 const char *config, bool lock, char *err);

/*
 * Parses every file already in bc->files (old filled, shown set) into
 * entries. bootcfg_load() calls it; tests and the fuzzer fill the files
 * from memory and call it directly.
 */
int bootcfg_parse_files(struct bootcfg *bc, char *err);

/*
 * Whether the request is meant for a kernel (NULL = version unknown). On
 * false, why says why ("kernel 3.10.0 is outside 2.6.18-2.6.18").
 */
typedef bool (*bootcfg_applies_fn)(const struct kver *k, const char *arch,
				   void *arg, char *why, size_t whylen);

struct bootcfg_select {
	const char *const *patterns;  /* --entry values ("all", "default", globs) */
	size_t n;
};

/*
 * Plans the request for every entry: selection (--entry), applicability
 * (applies, may be NULL = every Linux kernel), argedit, merge per file.
 * Fills file->new and file->changed. Returns 0 or -1 (err: an unbalanced
 * quote, entries needing different edits to a shared span...).
 */
int bootcfg_plan(struct bootcfg *bc, const struct argedit_req *req,
		 const struct bootcfg_select *sel, bootcfg_applies_fn applies,
		 void *arg, char *err);

struct bootcfg_write_opts {
	bool in_place;             /* rewrite hard-linked files in place */
	const char *backup_suffix; /* NULL or "" = no backup */
};

/* Result of writing one file. */
struct bootcfg_written {
	char path[512];
	char backup[512];          /* "" when none */
};

/*
 * Writes every changed file (atomically, see atomicfile.h). If one fails,
 * those already written are put back and their backups removed, so the
 * system keeps its old boot configuration. Fills out[i] for each changed
 * file in order (caller provides nfiles entries). Returns the number of
 * files written, or -1 with err naming the file and the cause.
 */
int bootcfg_write(struct bootcfg *bc, const struct bootcfg_write_opts *o,
		  struct bootcfg_written *out, char *err);

/* ---- for the format parsers ------------------------------------------ */

struct bootcfg_entry *bootcfg_add_entry(struct bootcfg *bc, size_t file,
					const char *title, const char *kernel,
					const char *kind);
/* Adds a RAW span over file text[start, start+len). */
struct bootcfg_span *bootcfg_add_span(struct bootcfg *bc,
				      struct bootcfg_entry *e, size_t file,
				      size_t start, size_t len,
				      bool sep_at_start);
/* Sets e->skip (printf-style). */
void bootcfg_skip(struct bootcfg_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bootcfg_note(struct bootcfg *bc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Adds a file (not read yet); returns its index. */
size_t bootcfg_add_file(struct bootcfg *bc, const char *path,
			enum bootcfg_format f);
/*
 * The parsers' line walk: the line of t[0..len) starting at *pos as
 * [*ls, *le), without its "\n" or "\r\n"; *pos moves past it. False at
 * the end.
 */
bool bootcfg_next_line(const char *t, size_t len, size_t *pos, size_t *ls,
		       size_t *le);
/* Kernel release from a kernel file name ("/vmlinuz-2.6.18-419.el5"). */
void bootcfg_version_from_path(const char *path, char *out, size_t n);
/* Kernel release from a title ("CentOS (2.6.18-419.el5)"), "" if none. */
void bootcfg_version_from_title(const char *title, char *out, size_t n);

#endif
