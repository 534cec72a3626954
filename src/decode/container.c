/*
 * container.c - the container decoder: ZIP, TAR (plain or gzip/bzip2/xz/zstd
 * compressed) and 7z, plus a bare gzip/bzip2/xz/zstd file of one document,
 * expanded with libarchive into child documents.
 *
 * Archives arrive from anywhere, so every entry is judged before a byte of
 * it is kept: links, devices and names that could escape a directory are
 * refused, and every expanded byte counts against the configured bounds as
 * it streams out, so a bomb is stopped after at most a chunk past the bound
 * instead of after allocating its size. A refused entry still becomes a
 * child (no bytes, type_reason "refused: ...") so the pipeline can
 * quarantine it with its reason; nothing in an archive disappears silently.
 */
#include "decode_private.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "folio/strbuf.h"

/* Entry data is pulled out this much at a time, so a bound is noticed at
 * most this many bytes after it is crossed. */
#define CHUNK ((size_t)64 * 1024)

/*
 * The expansion ratio is enforced only once this much has come out: a
 * small archive of text or XML reaches ratios of several hundred quite
 * honestly and cannot hurt anyone, while a bomb has to get past this
 * before it matters.
 */
#define RATIO_FLOOR ((uint64_t)1 << 20)

/* Longest stretch of an entry name quoted in a reason. */
#define QUOTE_MAX 200

/* One decode run over one container. */
struct walk {
	const struct folio_config *cfg;
	struct folio_doc *doc;
	struct archive *a;
	unsigned char *scratch; /* CHUNK bytes for data that is not kept */
	uint64_t total;		/* bytes expanded so far, kept or not */
	int entries;		/* headers seen */
	int complete;		/* entries dealt with to their end */
	size_t good, refused;
	int may_raw; /* "raw" format enabled: a bare compressed file */
	int corrupt; /* the stream broke; see corrupt_msg */
	char corrupt_msg[256];
	char first_refusal[FOLIO_ERR_MSG_MAX];
};

/* ---- bidding ---------------------------------------------------------- */

/* clang-format off */
static const char *const mimes[] = {
	"application/zip", "application/x-zip-compressed",
	"application/x-tar", "application/x-gtar", "application/x-ustar",
	"application/gzip", "application/x-gzip",
	"application/x-bzip2", "application/x-xz",
	"application/zstd", "application/x-zstd",
	"application/x-7z-compressed",
};
/* clang-format on */

/* `mime` is `want`, possibly followed by parameters ("; charset=binary"). */
static int mime_is(const char *mime, const char *want)
{
	size_t n = strlen(want);

	return !strncasecmp(mime, want, n) && (mime[n] == '\0' || mime[n] == ';' || mime[n] == ' ');
}

static int magic_at(const unsigned char *data, size_t size, size_t off, const char *magic,
		    size_t len)
{
	return data && size >= off + len && !memcmp(data + off, magic, len);
}

/* A stream compressor's signature at the start: the only case where the
 * "raw" format (one entry holding the whole decompressed stream) makes
 * sense. */
static int compressed_magic(const unsigned char *data, size_t size)
{
	return magic_at(data, size, 0, "\x1f\x8b", 2) ||
	       (magic_at(data, size, 0, "BZh", 3) && size > 3 && data[3] >= '1' &&
		data[3] <= '9') ||
	       magic_at(data, size, 0, "\xfd\x37\x7a\x58\x5a\x00", 6) ||
	       magic_at(data, size, 0, "\x28\xb5\x2f\xfd", 4);
}

static int archive_magic(const unsigned char *data, size_t size)
{
	return magic_at(data, size, 0, "PK\x03\x04", 4) ||
	       magic_at(data, size, 0, "PK\x05\x06", 4) || /* empty zip */
	       magic_at(data, size, 0, "7z\xbc\xaf\x27\x1c", 6) ||
	       magic_at(data, size, 257, "ustar", 5) || compressed_magic(data, size);
}

/*
 * A known archive mime type wins outright. The magic numbers only count
 * when detection had nothing better to say: ZIP's "PK" also starts DOCX,
 * ODT, EPUB and JAR files, which must not be taken apart.
 */
static int bid(const char *mime, const unsigned char *data, size_t size)
{
	size_t i;

	if (!mime)
		mime = "";
	for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (mime_is(mime, mimes[i]))
			return 90;
	if ((!*mime || mime_is(mime, "application/octet-stream")) && archive_magic(data, size))
		return 60;
	return 0;
}

/* ---- names ------------------------------------------------------------ */

/* Copy `s` into dst for quoting in a message: control bytes and quotes
 * escaped, long names cut with "...". */
static void quote(char *dst, size_t dstsz, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "";
	for (; *s && n + 8 < dstsz && n < QUOTE_MAX; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\'')
			n += (size_t)snprintf(dst + n, dstsz - n, "\\x%02x", c);
		else
			dst[n++] = (char)c;
	}
	if (*s && n + 4 <= dstsz) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

/*
 * Judge an entry name and write its normalised form to `out` ("./a//b" is
 * "a/b"). Returns NULL when the name is safe, else why it is not. A
 * backslash counts as a separator for the checks since the entry may be
 * unpacked on Windows one day, but is kept as it is in the name.
 */
static const char *check_name(const char *name, struct folio_strbuf *out, int *nomem)
{
	const char *p, *seg;

	*nomem = 0;
	if (!name)
		return "unreadable archive entry name";
	if (!*name)
		return "empty archive entry name";
	if (name[0] == '/' || name[0] == '\\' ||
	    (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':'))
		return "absolute archive entry name";
	for (p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return "control character in archive entry name";
	}
	for (seg = p = name;; p++) {
		if (*p && *p != '/' && *p != '\\')
			continue;
		if (p - seg == 2 && seg[0] == '.' && seg[1] == '.')
			return "path traversal in archive entry name";
		if (!*p)
			break;
		seg = p + 1;
	}
	/* drop empty and "." components; backslashes stay literal */
	for (seg = p = name;; p++) {
		if (*p && *p != '/')
			continue;
		if (p > seg && !(p - seg == 1 && seg[0] == '.')) {
			if ((out->len && folio_strbuf_addch(out, '/')) ||
			    folio_strbuf_add(out, seg, (size_t)(p - seg))) {
				*nomem = 1;
				return "out of memory";
			}
		}
		if (!*p)
			break;
		seg = p + 1;
	}
	if (!out->len)
		return "empty archive entry name";
	return NULL;
}

/* A name for a refused entry's marker that is one harmless path
 * component: separators and control bytes become '_'. */
static int add_flat_name(struct folio_strbuf *sb, const char *name)
{
	size_t start = sb->len;
	const char *p;

	for (p = name ? name : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (folio_strbuf_addch(sb, c == '/' || c == '\\' || c < 0x20 || c == 0x7f ? '_' :
											    (int)c))
			return -1;
	}
	if (sb->len == start || !strcmp(sb->buf + start, ".") || !strcmp(sb->buf + start, "..")) {
		sb->len = start;
		sb->buf[start] = '\0';
		return folio_strbuf_addch(sb, '_');
	}
	return 0;
}

/* The one entry of a bare compressed file is named after its container:
 * "report.pdf.gz" holds "report.pdf". */
static const char *raw_name(const char *container, char *dst, size_t dstsz)
{
	/* clang-format off */
	static const char *const suffixes[] = {
		".gz", ".gzip", ".bz2", ".bzip2", ".xz", ".zst", ".zstd",
	};
	/* clang-format on */
	size_t n = strlen(container), i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && !strcasecmp(container + n - k, suffixes[i])) {
			snprintf(dst, dstsz, "%.*s", (int)(n - k), container);
			return dst;
		}
	}
	return n ? container : "data";
}

/* ---- children --------------------------------------------------------- */

/* Give `child` (path already set) its depth and tag and hand it to the
 * container. Frees it on failure. */
static int adopt(struct walk *w, struct folio_doc *child, struct folio_err *err)
{
	child->depth = w->doc->depth + 1;
	if ((w->doc->name && folio_doc_add_tag(child, w->doc->name))) {
		folio_doc_free(child);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	if (folio_doc_add_child(w->doc, child))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

/*
 * Add a marker child for an entry that is not extracted: no bytes, and
 * type_reason "refused: <why>". `clean` is the entry's checked name, or
 * NULL to flatten `name` into one harmless component.
 */
__attribute__((format(printf, 5, 6))) static int refuse(struct walk *w, const char *clean,
							const char *name, struct folio_err *err,
							const char *fmt, ...)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT, why = FOLIO_STRBUF_INIT;
	struct folio_doc *child = NULL;
	int status, bad;
	va_list ap;

	va_start(ap, fmt);
	bad = folio_strbuf_adds(&why, "refused: ") || folio_strbuf_vaddf(&why, fmt, ap);
	va_end(ap);
	if (bad || folio_strbuf_adds(&path, w->doc->path) || folio_strbuf_adds(&path, "!/") ||
	    (clean ? folio_strbuf_adds(&path, clean) : add_flat_name(&path, name)) ||
	    !(child = folio_doc_new(path.buf, NULL, 0))) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (folio_doc_set_str(&child->type_reason, why.buf)) {
		folio_doc_free(child);
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (!w->refused++)
		snprintf(w->first_refusal, sizeof(w->first_refusal), "%s", why.buf);
	status = adopt(w, child, err);
out:
	folio_strbuf_release(&path);
	folio_strbuf_release(&why);
	return status;
}

/* ---- reading ---------------------------------------------------------- */

/* FOLIO_FAILED with err set once the container as a whole has expanded
 * too far. */
static int check_bounds(struct walk *w, struct folio_err *err)
{
	const struct folio_config *cfg = w->cfg;
	uint64_t ratio = cfg->max_archive_ratio > 0 ? (uint64_t)cfg->max_archive_ratio : 0;

	if (cfg->max_archive_bytes && w->total > cfg->max_archive_bytes)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "archive expands beyond max_archive_bytes = %" PRIu64
				     " bytes (zip bomb?)",
				     cfg->max_archive_bytes);
	if (ratio && w->total > RATIO_FLOOR && w->doc->size <= UINT64_MAX / ratio &&
	    w->total > (uint64_t)w->doc->size * ratio)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "archive expands beyond max_archive_ratio = %" PRIu64
				     ":1 (%" PRIu64 " bytes out of %zu; zip bomb?)",
				     ratio, w->total, w->doc->size);
	return FOLIO_OK;
}

/*
 * Read the current entry's data in CHUNK pieces, counting every byte
 * against the container's bounds. With `keep`, the bytes collect in a
 * buffer that grows up to max_file_bytes; past that they are thrown away
 * and *over is set (the rest must still be expanded to get past it, and
 * that still counts). On FOLIO_OK *out is the data (never NULL, even when
 * empty) or NULL when not kept.
 *
 * Returns FOLIO_OK; FOLIO_WARN when libarchive cannot read this entry but
 * the archive may go on (message in `why`); FOLIO_FAILED when a bound was
 * crossed (err set) or the stream broke (w->corrupt set, err untouched);
 * FOLIO_FATAL when memory ran out.
 */
static int read_data(struct walk *w, int keep, unsigned char **out, size_t *outlen, int *over,
		     char *why, size_t whysz, struct folio_err *err)
{
	uint64_t max_file = w->cfg->max_file_bytes;
	unsigned char *buf = NULL, *p;
	size_t len = 0, cap = 0;
	la_ssize_t n;
	int status = FOLIO_OK;

	*out = NULL;
	*outlen = 0;
	for (;;) {
		if (keep && !*over) {
			if (cap - len < CHUNK) {
				size_t ncap = cap ? cap * 2 : CHUNK;

				if (ncap < cap || ncap - len < CHUNK)
					ncap = len + CHUNK;
				if (max_file && max_file < SIZE_MAX - CHUNK &&
				    ncap > max_file + CHUNK)
					ncap = (size_t)max_file + CHUNK;
				if (ncap < len || !(p = realloc(buf, ncap))) {
					status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM,
							       ENOMEM, "out of memory");
					goto out;
				}
				buf = p;
				cap = ncap;
			}
			p = buf + len;
		} else {
			p = w->scratch;
		}
		n = archive_read_data(w->a, p, CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			const char *msg = archive_error_string(w->a);

			if (n == ARCHIVE_FATAL) {
				w->corrupt = 1;
				snprintf(w->corrupt_msg, sizeof(w->corrupt_msg), "%s",
					 msg ? msg : "read error");
				status = FOLIO_FAILED;
			} else {
				snprintf(why, whysz, "%s", msg ? msg : "read error");
				status = FOLIO_WARN;
			}
			goto out;
		}
		w->total += (uint64_t)n;
		if ((status = check_bounds(w, err)))
			goto out;
		if (keep && !*over) {
			len += (size_t)n;
			if (max_file && len > max_file) {
				*over = 1;
				free(buf);
				buf = NULL;
				len = cap = 0;
			}
		}
	}
	if (keep && !*over) {
		/* hand back exactly what is used; an empty entry still gets a
		 * buffer so that data == NULL keeps meaning "refused" */
		if (!(p = realloc(buf, len ? len : 1))) {
			status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					       "out of memory");
			goto out;
		}
		*out = p;
		*outlen = len;
		buf = NULL;
	}
out:
	free(buf);
	return status;
}

/* Why an entry of this type is refused, or NULL for a regular file. */
static const char *bad_type(struct archive_entry *e, const char **target)
{
	*target = NULL;
	if ((*target = archive_entry_hardlink(e)))
		return "hard link entry";
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: return NULL;
	case AE_IFLNK: *target = archive_entry_symlink(e); return "symbolic link entry";
	case AE_IFCHR: return "character device entry";
	case AE_IFBLK: return "block device entry";
	case AE_IFIFO: return "fifo entry";
	case AE_IFSOCK: return "socket entry";
	default: return "entry of unknown type";
	}
}

/* Read past a refused entry's data, still counting it: a stream can only
 * be skipped by expanding it. */
static int drain(struct walk *w, struct folio_err *err)
{
	unsigned char *data;
	size_t len;
	char why[256];
	int over = 0, status;

	status = read_data(w, 0, &data, &len, &over, why, sizeof(why), err);
	/* an unreadable entry that is refused anyway needs no second reason */
	return status == FOLIO_WARN ? FOLIO_OK : status;
}

/* Skip an encrypted entry's data. Nothing can be decrypted, so nothing is
 * expanded and there is nothing to count. */
static int skip(struct walk *w)
{
	const char *msg;

	if (archive_read_data_skip(w->a) >= ARCHIVE_WARN)
		return FOLIO_OK;
	msg = archive_error_string(w->a);
	w->corrupt = 1;
	snprintf(w->corrupt_msg, sizeof(w->corrupt_msg), "%s", msg ? msg : "read error");
	return FOLIO_FAILED;
}

/* Read a regular entry with the safe name `clean` into a child, or refuse
 * it when it outgrows max_file_bytes or cannot be read. */
static int extract(struct walk *w, struct archive_entry *e, const char *clean, const char *name,
		   const char *qname, struct folio_err *err)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT;
	struct folio_doc *child;
	unsigned char *data = NULL;
	size_t len = 0;
	char why[256];
	int over = 0, status;

	/* a declared size already too big: do not even start a buffer */
	if (w->cfg->max_file_bytes && archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
	    (uint64_t)archive_entry_size(e) > w->cfg->max_file_bytes)
		over = 1;
	status = read_data(w, 1, &data, &len, &over, why, sizeof(why), err);
	if (status == FOLIO_WARN) {
		status = refuse(w, clean, name, err, "cannot read archive entry '%s': %s", qname,
				why);
		goto out;
	}
	if (status)
		goto out;
	if (over) {
		status = refuse(w, clean, name, err,
				"entry '%s' expands beyond max_file_bytes (%" PRIu64 " bytes)",
				qname, w->cfg->max_file_bytes);
		goto out;
	}
	if (folio_strbuf_adds(&path, w->doc->path) || folio_strbuf_adds(&path, "!/") ||
	    folio_strbuf_adds(&path, clean)) {
		free(data);
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	/* folio_doc_new() frees data when it fails */
	if (!(child = folio_doc_new(path.buf, data, len))) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (!(status = adopt(w, child, err)))
		w->good++;
out:
	folio_strbuf_release(&path);
	return status;
}

/*
 * Deal with one entry whose header has just been read. Returns FOLIO_OK
 * to go on, FOLIO_FAILED to stop (err set for a bound; w->corrupt for a
 * broken stream) or FOLIO_FATAL.
 */
static int do_entry(struct walk *w, struct archive_entry *e, struct folio_err *err)
{
	struct folio_strbuf clean = FOLIO_STRBUF_INIT;
	const char *name, *why, *name_why, *target, *safe;
	char qname[QUOTE_MAX + 16], qtarget[QUOTE_MAX + 16], rawbuf[256];
	int status, nomem;

	/* directories hold nothing: skipped without a word */
	if (archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e)) {
		w->complete++;
		return FOLIO_OK;
	}

	if (w->may_raw && archive_format(w->a) == ARCHIVE_FORMAT_RAW)
		name = raw_name(w->doc->name ? w->doc->name : "", rawbuf, sizeof(rawbuf));
	else if (!(name = archive_entry_pathname_utf8(e)))
		name = archive_entry_pathname(e);
	quote(qname, sizeof(qname), name);
	name_why = check_name(name, &clean, &nomem);
	if (nomem) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	safe = name_why ? NULL : clean.buf;

	if ((why = bad_type(e, &target))) {
		quote(qtarget, sizeof(qtarget), target);
		status = target ? refuse(w, safe, name, err, "%s '%s' -> '%s'", why, qname,
					 qtarget) :
				  refuse(w, safe, name, err, "%s '%s'", why, qname);
		if (!status)
			status = drain(w, err); /* links and devices carry no data, but be sure */
	} else if (archive_entry_is_encrypted(e)) {
		status = refuse(w, safe, name, err, "encrypted archive entry '%s'", qname);
		if (!status)
			status = skip(w);
	} else if (name_why) {
		status = refuse(w, NULL, name, err, "%s '%s'", name_why, qname);
		if (!status)
			status = drain(w, err);
	} else {
		status = extract(w, e, clean.buf, name, qname, err);
	}
	if (!status)
		w->complete++;
out:
	folio_strbuf_release(&clean);
	return status;
}

/* Set up a reader over the document's bytes with exactly the formats and
 * filters folio supports (no uu, rpm, cpio, iso9660, ...). */
static int open_reader(struct walk *w, struct folio_err *err)
{
	struct archive *a;
	const char *msg;

	if (!(a = archive_read_new()))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	w->a = a;
	/*
	 * ARCHIVE_WARN from a filter means libarchive was built without
	 * the library and would run an external program instead; that still
	 * works, so only outright failures count.
	 */
	if (archive_read_support_format_zip(a) < ARCHIVE_WARN ||
	    archive_read_support_format_tar(a) < ARCHIVE_WARN ||
	    archive_read_support_format_7zip(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_bzip2(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_xz(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_zstd(a) < ARCHIVE_WARN)
		goto fail;
	/*
	 * "raw" bids lowest and takes anything, so only offer it when the
	 * bytes start like a compressed stream; otherwise random bytes would
	 * come out as one entry holding themselves.
	 */
	if (compressed_magic(w->doc->data, w->doc->size)) {
		if (archive_read_support_format_raw(a) < ARCHIVE_WARN)
			goto fail;
		w->may_raw = 1;
	}
	if (archive_read_open_memory(a, w->doc->data, w->doc->size) != ARCHIVE_OK) {
		msg = archive_error_string(a);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "corrupt archive: %s",
				     msg ? msg : "cannot open");
	}
	return FOLIO_OK;
fail:
	msg = archive_error_string(a);
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "cannot set up libarchive: %s",
			     msg ? msg : "unknown error");
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/*
 * The number of entries a ZIP's central directory declares, or -1 when
 * the bytes hold no readable end-of-central-directory record (not a ZIP,
 * or a damaged one: the entry-by-entry count still applies). Read before
 * anything is expanded, so a 100,000-entry archive is refused at once.
 */
static int64_t zip_declared_entries(const unsigned char *d, size_t n)
{
	size_t i, low = n > 65535 + 22 ? n - 65535 - 22 : 0;

	if (n < 22 || !magic_at(d, n, 0, "PK", 2))
		return -1;
	for (i = n - 22 + 1; i-- > low;) {
		uint64_t count, off;

		if (memcmp(d + i, "PK\x05\x06", 4))
			continue;
		count = le(d + i + 10, 2);
		if (count != 0xffff)
			return (int64_t)count;
		/* ZIP64: the locator just before points at the real record */
		if (i < 20 || memcmp(d + i - 20, "PK\x06\x07", 4))
			return -1;
		off = le(d + i - 20 + 8, 8);
		if (off > n - 56 || n < 56 || memcmp(d + off, "PK\x06\x06", 4))
			return -1;
		count = le(d + off + 32, 8);
		return count > INT64_MAX ? INT64_MAX : (int64_t)count;
	}
	return -1;
}

/*
 * A compressed stream in which no archive format found an entry: zeros
 * read as an empty tar, so a gzip of 1 GiB of zeros would be "no files".
 * Expand it as the one raw stream it is, counting against the bounds, so
 * that a bomb is reported as the bomb it is. FOLIO_OK when it stays
 * within them (it really holds nothing).
 */
static int measure_raw(struct walk *w, struct folio_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	la_ssize_t n;
	int status = FOLIO_OK;

	if (!a)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (archive_read_support_filter_all(a) < ARCHIVE_WARN ||
	    archive_read_support_format_raw(a) < ARCHIVE_WARN ||
	    archive_read_open_memory(a, w->doc->data, w->doc->size) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto out;
	w->total = 0;
	while ((n = archive_read_data(a, w->scratch, CHUNK)) > 0) {
		w->total += (uint64_t)n;
		if ((status = check_bounds(w, err)))
			break;
	}
out:
	archive_read_free(a);
	return status;
}

/* The bounds a container is judged by before anything is expanded: its
 * nesting, that it has bytes, the entry count a ZIP's directory declares. */
static int check_container(const struct folio_config *cfg, const struct folio_doc *doc,
			   struct folio_err *err)
{
	int64_t declared;

	if (doc->depth >= cfg->max_archive_depth)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "archive nested deeper than max_archive_depth = %d",
				     cfg->max_archive_depth);
	if (!doc->data || !doc->size)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "archive contains no files");
	declared = zip_declared_entries(doc->data, doc->size);
	if (cfg->max_archive_entries > 0 && declared > cfg->max_archive_entries)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "archive has more than max_archive_entries = %d entries "
				     "(its directory lists %" PRId64 ")",
				     cfg->max_archive_entries, declared);
	return FOLIO_OK;
}

/*
 * Deal with every entry in turn. FOLIO_OK once the entries ran out or the
 * stream broke (w->corrupt set: what was read so far is judged by
 * verdict()); otherwise the error that stopped the walk, err set.
 */
static int walk_entries(struct walk *w, struct folio_err *err)
{
	struct archive_entry *e;
	int status, r;

	for (;;) {
		r = archive_read_next_header(w->a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			/* ARCHIVE_RETRY and ARCHIVE_FAILED too: going on after a
			 * header that could not be read risks looping */
			const char *msg = archive_error_string(w->a);

			w->corrupt = 1;
			snprintf(w->corrupt_msg, sizeof(w->corrupt_msg), "%s",
				 msg ? msg : "cannot read entry header");
			break;
		}
		if (w->may_raw && !w->entries && archive_format(w->a) == ARCHIVE_FORMAT_RAW &&
		    archive_filter_count(w->a) < 2) {
			/* "raw" without a decompressor: the magic lied */
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "corrupt archive: unrecognised compressed data");
		}
		if (++w->entries > w->cfg->max_archive_entries && w->cfg->max_archive_entries > 0)
			return folio_err_set(
				err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				"archive has more than max_archive_entries = %d entries",
				w->cfg->max_archive_entries);
		status = do_entry(w, e, err);
		if (status == FOLIO_FAILED && w->corrupt)
			break;
		if (status)
			return status;
	}
	return FOLIO_OK;
}

/*
 * The container's outcome once its entries are walked: a failure when
 * nothing could be extracted, FOLIO_WARN when some entries were refused or
 * the stream broke after some files, else FOLIO_OK.
 */
static int verdict(struct walk *w, struct folio_err *err)
{
	int status;

	if (w->corrupt && !w->good)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "corrupt archive: %s",
				     w->corrupt_msg);
	if (w->corrupt) {
		char mark[64];

		snprintf(mark, sizeof(mark), "corrupt-after-entry-%d", w->complete);
		status = refuse(w, mark, NULL, err, "archive is corrupt after entry %d: %s",
				w->complete, w->corrupt_msg);
		if (status)
			return status;
	}
	if (!w->good && !w->refused && w->may_raw && (status = measure_raw(w, err)))
		return status;
	if (!w->good) {
		if (w->refused)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "archive contains no files that can be extracted "
					     "(%zu refused; first %s)",
					     w->refused, w->first_refusal);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "archive contains no files");
	}
	w->doc->is_container = 1;
	if (w->corrupt)
		return folio_err_set(err, FOLIO_WARN, FOLIO_E_INPUT, 0,
				     "archive is corrupt after entry %d: %s (%zu files kept)",
				     w->complete, w->corrupt_msg, w->good);
	if (w->refused)
		return folio_err_set(err, FOLIO_WARN, FOLIO_E_INPUT, 0,
				     "%zu archive entr%s refused; first %s", w->refused,
				     w->refused == 1 ? "y" : "ies", w->first_refusal);
	return FOLIO_OK;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	struct walk w = { 0 };
	size_t first = doc->nchildren, i;
	locale_t utf8 = (locale_t)0, old = (locale_t)0;
	int status;

	if (!ctx || !ctx->cfg)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				     "archive decoder called without a configuration");
	w.cfg = ctx->cfg;
	w.doc = doc;
	if ((status = check_container(w.cfg, doc, err)))
		return status;
	if (!(w.scratch = malloc(CHUNK))) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * libarchive converts entry names through the current locale's
	 * charset; in the "C" locale a daemon may run in, every non-ASCII
	 * name from 7z or a streamed ZIP comes back NULL. Read in UTF-8 on
	 * this thread only (the other workers are not affected).
	 */
	if ((utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)))
		old = uselocale(utf8);
	if ((status = open_reader(&w, err)) || (status = walk_entries(&w, err)))
		goto out;
	status = verdict(&w, err);
out:
	if (status < 0) {
		/* nothing half-done leaves a failed container */
		for (i = first; i < doc->nchildren; i++) {
			folio_doc_free(doc->children[i]);
			doc->children[i] = NULL;
		}
		doc->nchildren = first;
	}
	if (w.a)
		archive_read_free(w.a);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	free(w.scratch);
	return status;
}

const struct folio_decoder folio_decoder_archive = {
	.name = "archive",
	.bid = bid,
	.decode = decode,
};
