/*
 * util.h - small helpers every module may use: SHA-256, files, time.
 */
#ifndef FOLIO_UTIL_H
#define FOLIO_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "folio/err.h"

struct folio_strbuf;

/* A SHA-256 in progress (Nettle's context, kept opaque here so that no
 * header needs Nettle's). On the stack; nothing to free; cannot fail. */
struct folio_sha256 {
	_Alignas(8) unsigned char state[128];
};

void folio_sha256_init(struct folio_sha256 *s);
void folio_sha256_update(struct folio_sha256 *s, const void *data, size_t len);
/* Write 64 lowercase hex digits and a NUL to hex[65]. */
void folio_sha256_final_hex(struct folio_sha256 *s, char hex[65]);
void folio_sha256_hex(const void *data, size_t len, char hex[65]);

/*
 * Read a whole regular file into a new buffer (caller frees). Fails with
 * FOLIO_E_LIMIT when it is larger than max_bytes, FOLIO_E_IO otherwise.
 */
int folio_read_file(const char *path, uint64_t max_bytes, unsigned char **data, size_t *size,
		    struct folio_err *err);

/*
 * Read what is left of open file `fd` (not closed here) into a new buffer
 * (caller frees), never more than max_bytes (FOLIO_E_LIMIT); `name` is for
 * messages. For a descriptor from folio_open_input().
 */
int folio_read_fd(int fd, const char *name, uint64_t max_bytes, unsigned char **data, size_t *size,
		  struct folio_err *err);

/*
 * Open `name` in folder `dirfd` (or AT_FDCWD) for reading, refusing what
 * must not be read, without ever blocking: O_NOFOLLOW (a symbolic link,
 * even one swapped in after any earlier check, fails: "symbolic link: not
 * followed", sys_errno ELOOP), O_NONBLOCK (a FIFO does not hang the
 * open), then fstat() of the open descriptor: it must be a regular file
 * ("not a regular file (FIFO)") and, when `expect` (an earlier lstat of
 * the name) is given, the very same file (st_dev and st_ino; otherwise
 * "changed while being opened"). On FOLIO_OK *fd is open (caller closes;
 * blocking mode again) and *st (may be NULL) its fstat. FOLIO_FAILED with
 * err otherwise, *fd -1.
 */
int folio_openat_regular(int dirfd, const char *name, const struct stat *expect, int *fd,
			 struct stat *st, struct folio_err *err);

/*
 * Open an input file (folio ingest, folio watch) by the symlink rule:
 *
 *  - root NULL: `path` was named by the user: symbolic links in it are
 *    followed, but it must be a regular file (a FIFO, socket, device or
 *    folder is refused with its kind, never opened for reading);
 *  - root set: `path` was found inside folder `root` (an inbox, or a folder
 *    named on the command line; root itself may be a link). Every folder
 *    below root is opened with O_NOFOLLOW relative to the one above, and
 *    the file with folio_openat_regular() against its lstat: a symbolic
 *    link is refused ("symbolic link: not followed"), unless
 *    `follow_links`: then it is followed only when its target, fully
 *    resolved, is a regular file inside root (refused with the reason
 *    otherwise), and the target is opened by its resolved path, again
 *    without following anything.
 *
 * Non-regular files are refused as with root NULL. On FOLIO_OK *fd is open
 * for reading (caller closes) and *st (may be NULL) its fstat.
 */
int folio_open_input(const char *root, const char *path, int follow_links, int *fd, struct stat *st,
		     struct folio_err *err);

/* What a file of mode `mode` is, for messages: "FIFO", "socket",
 * "character device", "block device", "folder", "symbolic link",
 * "regular file". */
const char *folio_file_kind(mode_t mode);

/*
 * Write `data` to `path` crash-safely: a temp file in the same folder,
 * fsync, rename, fsync the folder. `mode` as for open(2). On failure the
 * temp file is gone and `path` is as it was.
 */
int folio_write_file_atomic(const char *path, const void *data, size_t len, int mode,
			    struct folio_err *err);

/* The same, with the fault points of caller `who` ("store", "export";
 * see folio_fault): WHO-fsync-eio fails the fsync with EIO,
 * WHO-rename-enospc the rename with ENOSPC. */
int folio_write_file_atomic_by(const char *path, const void *data, size_t len, int mode,
			       const char *who, struct folio_err *err);

/*
 * folio's JSON writer: every JSON folio prints (--json, JSONL export,
 * stored lists) is written through it, so strings are always escaped the
 * same way (invalid UTF-8 as U+FFFD, see folio_strbuf_add_json()) and
 * commas never go missing. Members are appended to `sb` as they come, with
 * no spaces; `key` names an object's member and is NULL for an array's
 * element (and for the top-level value). Memory running out sets `err`
 * and later calls do nothing: check it once at the end.
 *
 *   struct folio_json j;
 *   folio_json_init(&j, &sb);
 *   folio_json_open(&j, NULL, '{');
 *   folio_json_str(&j, "path", path);
 *   folio_json_int(&j, "id", 42);
 *   folio_json_close(&j, '}');
 *   if (j.err) ...
 */
struct folio_json {
	struct folio_strbuf *sb;
	int first; /* nothing written yet in the open object or array */
	int err;   /* memory ran out: the text is incomplete */
};
void folio_json_init(struct folio_json *j, struct folio_strbuf *sb);
/* Open an object ('{') or an array ('['); close it with the other brace. */
void folio_json_open(struct folio_json *j, const char *key, int brace);
void folio_json_close(struct folio_json *j, int brace);
/* A string; NULL writes null. */
void folio_json_str(struct folio_json *j, const char *key, const char *v);
/* A string only when `v` is not NULL (nothing at all otherwise). */
void folio_json_str_if(struct folio_json *j, const char *key, const char *v);
void folio_json_int(struct folio_json *j, const char *key, long long v);
/* A double with `decimals` digits after the point (printf's %.*f). */
void folio_json_real(struct folio_json *j, const char *key, double v, int decimals);
void folio_json_bool(struct folio_json *j, const char *key, int v);
void folio_json_null(struct folio_json *j, const char *key);
/* A decimal string ("1234.50", "-7", "+7", "007.50") as a JSON number
 * (1234.50, -7, 7, 7.50: the digits kept, so amounts stay exact); null
 * when `v` is NULL or not such a decimal. */
void folio_json_decimal(struct folio_json *j, const char *key, const char *v);
/* A file name as "KEY" plus, when it is not valid UTF-8, "KEY_bytes"
 * with its exact bytes in base64 (see folio_strbuf_add_json_bytes()). */
void folio_json_path(struct folio_json *j, const char *key, const char *path);
/* Text that is already JSON, as it is (the caller vouches for it). */
void folio_json_raw(struct folio_json *j, const char *key, const char *json);

/*
 * folio's JSON lists (vat_breakdown, lines, charges): an array of flat
 * objects whose values are strings, [{"rate":"23","net":"1.00"},...].
 * folio_json_rows() calls `row` for each object with its pairs (the first
 * FOLIO_JSON_PAIRS_MAX; keys and values decoded, owned by the parser and
 * valid during the call; row may take a value and set its slot to NULL).
 * `row` returns non-zero when memory ran out. Returns 0, -1 when the text
 * is not such an array, -2 when memory ran out.
 */
#define FOLIO_JSON_PAIRS_MAX 16
struct folio_json_pair {
	char *key, *value;
};
int folio_json_rows(const char *json, int (*row)(void *ctx, struct folio_json_pair *kv, size_t n),
		    void *ctx);
/* The value of `key` among the pairs, or NULL. */
const char *folio_json_get(const struct folio_json_pair *kv, size_t n, const char *key);

/*
 * "Did you mean": the edit distance of two words (insertions, deletions,
 * substitutions and swapped neighbours, ASCII case ignored; more than 64
 * bytes counts as far), and the name of NULL-terminated `names` closest
 * to `word` when it is close enough to be what was meant (one edit for
 * words of 3-5 bytes, two from 6; none for shorter words), else NULL.
 */
int folio_edit_distance(const char *a, const char *b);
const char *folio_suggest(const char *word, const char *const *names);

/*
 * Fault injection for tests: 1 when $FOLIO_FAULT names `point` (a
 * comma-separated list; "point:N" fires only the first N times in this
 * process), else 0. Unset in production, where it costs one getenv().
 */
int folio_fault(const char *point);

/*
 * Read a rules file line by line: line endings stripped, leading blanks
 * skipped, blank lines and '#' comments passed over; fn gets each other
 * line (writable) with its number and returns FOLIO_OK to go on. A file
 * that cannot be opened fails with "cannot open WHAT 'PATH': reason".
 */
int folio_each_line(const char *path, const char *what,
		    int (*fn)(void *ctx, char *line, int lineno, struct folio_err *err), void *ctx,
		    struct folio_err *err);

/*
 * Write `data` to a new file `path` (O_EXCL: an existing file fails with
 * EEXIST) without fsync: for many files made durable together with
 * folio_sync_dir_fs() afterwards. A failed write removes the file.
 */
int folio_write_file_new(const char *path, const void *data, size_t len, int mode,
			 struct folio_err *err);

/*
 * Flush the whole filesystem holding folder `path` (syncfs) and then the
 * folder itself: one flush for a batch of files written with
 * folio_write_file_new(), instead of an fsync each.
 */
int folio_sync_dir_fs(const char *path, struct folio_err *err);

/* rename(2) that never replaces `to` (EEXIST when it exists). */
int folio_rename_new(const char *from, const char *to, struct folio_err *err);

/* mkdir -p; existing folders are fine. */
int folio_mkdirs(const char *path, int mode, struct folio_err *err);

/* fsync a folder by path. */
int folio_fsync_dir(const char *path, struct folio_err *err);

/* Seconds since the epoch, with sub-second resolution (monotonic not
 * needed: for rates and log stamps). */
double folio_now(void);

/* Now as "YYYY-MM-DDTHH:MM:SSZ" (UTC) in `buf`. */
void folio_iso_now(char buf[32]);

/* Monotonic seconds, for durations. */
double folio_clock(void);

/*
 * qsort(3) that accepts an empty array: qsort(NULL, 0, ...) is undefined
 * behaviour (its pointer must be valid even for no elements), and an
 * empty search or export hands exactly that. Use it instead of qsort.
 */
static inline void folio_sort(void *base, size_t n, size_t size,
			      int (*cmp)(const void *, const void *))
{
	if (base && n > 1)
		qsort(base, n, size, cmp);
}

/*
 * Check XML bytes in one linear pass before a parser sees them: an
 * element with more than FOLIO_XML_MAX_ATTRS attributes (libxml2's
 * duplicate check is quadratic in them) or elements nested deeper than
 * FOLIO_XML_MAX_DEPTH fail with FOLIO_E_LIMIT and "line N: ...". Markup
 * errors are not reported here: the parser names them. No allocation.
 */
#define FOLIO_XML_MAX_ATTRS 256
#define FOLIO_XML_MAX_DEPTH 256
int folio_xml_guard(const void *xml, size_t len, struct folio_err *err);

/*
 * 1 when bytes that look like markup say they are XML: an XML declaration
 * first (after a BOM and blanks) or a namespace declaration in the first
 * kilobyte. Text that is neither and does not parse is text ("<GST> 23%"
 * on a receipt), not broken XML.
 */
int folio_xml_declared(const void *xml, size_t len);

/* Number of online cores (at least 1). */
int folio_ncores(void);

/* The length of the scheme of a location written "scheme://..." (RFC
 * 3986: a letter, then letters, digits, + - ., here 2 to 31 of them), 0
 * for anything else (a folder path): how the storage backends tell
 * "postgresql://..." from a folder. */
size_t folio_url_scheme(const char *where);

/* Join a and b with '/' into a new string (caller frees). NULL on ENOMEM. */
char *folio_path_join(const char *a, const char *b);

/* Copy UTF-8 `s` with the letters SQLite's unicode61 tokenizer does not
 * fold replaced by their base letter (ł→l, Ł→L, đ→d, ø→o, ...), so that
 * "lodz" finds "Łódź". Use on indexed text and on queries alike. NULL on
 * ENOMEM. */
char *folio_fold(const char *s);

/* Copy UTF-8 `s` lowercased with Latin letters reduced to their ASCII
 * base ("Łódź" → "lodz", "FAKTURA KORYGUJĄCA" → "faktura korygujaca"),
 * for matching keywords. Other characters are copied. NULL on ENOMEM. */
char *folio_fold_key(const char *s);

/* The same into out[n] without allocating (the folded text is never
 * longer than the original; `s` is cut at n - 1 bytes). Returns out. */
char *folio_fold_key_to(const char *s, char *out, size_t n);

#endif
