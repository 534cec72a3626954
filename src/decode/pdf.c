/*
 * pdf.c - the PDF decoder (MuPDF): a page's text layer when it has a
 * usable one, otherwise a grayscale rendering for the OCR stage.
 *
 * Born-digital invoices carry exact text and positions, which beat OCR in
 * both speed and accuracy, so a page with enough trustworthy text is taken
 * as it is. Scans wrapped in a PDF, and PDFs whose fonts map glyphs to
 * nothing useful (U+FFFD, private-use codes: the text looks present but
 * reads as garbage), are rendered at cfg->render_dpi and OCRed instead.
 *
 * A PDF/A-3 e-invoice (Factur-X, ZUGFeRD, XRechnung) carries its XML as
 * an embedded file; that file's bytes are kept on the doc for the
 * extraction stage, which trusts them over anything read from the pages.
 *
 * Everything MuPDF does runs inside fz_try: MuPDF reports failures by
 * longjmp, so each helper below keeps to one fz_try and converts what it
 * caught into a folio status. Never return or goto out of an fz_try block.
 */
#include "decode/decode_private.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <mupdf/pdf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "folio/strbuf.h"

/* How far into the file a "%PDF-" header may start; PDF readers
 * traditionally accept leading junk such as a mail header. */
#define HEADER_WINDOW 1024

/* A text layer with more than this share of unusable characters is
 * treated as missing: such PDFs read as garbage, OCR does better. */
#define BAD_TEXT_PERCENT 30

#define DEFAULT_DPI 300
#define TITLE_MAX 1024

/* An e-invoice XML is tens of kilobytes; a bigger "invoice" attachment
 * is ignored rather than held in memory. */
#define ATTACHMENT_MAX ((size_t)16 << 20)

enum char_class {
	CH_TEXT,    /* a character of a word */
	CH_SPACE,   /* separates words */
	CH_IGNORE,  /* zero-width: dropped, not counted */
	CH_CONTROL, /* C0/C1 controls: dropped, counted as bad */
	CH_BAD,	    /* U+FFFD, private use, invalid: kept, counted as bad */
};

static enum char_class classify(int c)
{
	if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffd)
		return CH_BAD;
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000)
		return CH_SPACE;
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return CH_CONTROL;
	if ((c >= 0x200b && c <= 0x200f) || c == 0x2060 || c == 0xfeff)
		return CH_IGNORE;
	if ((c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000)
		return CH_BAD;
	return CH_TEXT;
}

/* Append code point `c` as UTF-8; invalid values become U+FFFD. */
static int add_utf8(struct folio_strbuf *sb, int c)
{
	unsigned char b[4];
	size_t n;

	if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | (c >> 6));
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (c >> 12));
		b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | (c >> 18));
		b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return folio_strbuf_add(sb, b, n);
}

static int pdf_bid(const char *mime, const unsigned char *data, size_t size)
{
	if (mime && !strcmp(mime, "application/pdf"))
		return 100;
	if (data && memmem(data, size < HEADER_WINDOW ? size : HEADER_WINDOW, "%PDF-", 5))
		return 100;
	return 0;
}

/* Turn what fz_catch caught into a FOLIO_FAILED record. */
static int caught(fz_context *fz, struct folio_err *err, const char *what)
{
	if (fz_caught(fz) == FZ_ERROR_MEMORY)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOMEM, 0, "%s: out of memory",
				     what);
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "%s: %s", what,
			     fz_caught_message(fz));
}

/* Whether MuPDF rebuilt the cross-reference table, which it does
 * silently, when opening or later when an object fails to load. */
static int was_repaired(fz_context *fz, fz_document *fdoc)
{
	pdf_document *pdf = pdf_specifics(fz, fdoc);

	return pdf && pdf_was_repaired(fz, pdf);
}

/*
 * Open the PDF in doc->data (not copied: MuPDF reads it in place, and the
 * doc outlives the fz_document). On success *out holds the document and
 * *npages its page count (at least 1).
 */
static int open_pdf(fz_context *fz, struct folio_doc *doc, fz_document **out, int *npages,
		    struct folio_err *err)
{
	fz_stream *stm = NULL;
	fz_document *fdoc = NULL;
	int locked = 0, n = 0, repaired;

	if (!doc->data || !doc->size)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "PDF is empty");
	fz_var(stm);
	fz_var(fdoc);
	fz_var(locked);
	fz_var(n);
	fz_try(fz)
	{
		stm = fz_open_memory(fz, doc->data, doc->size);
		/* Repairs a damaged cross-reference table on the way. */
		fdoc = fz_open_document_with_stream(fz, "application/pdf", stm);
		/* False when the user password is empty, which MuPDF
		 * has already tried: such files decode normally. */
		locked = fz_needs_password(fz, fdoc);
		if (!locked)
			n = fz_count_pages(fz, fdoc);
	}
	fz_always(fz) fz_drop_stream(fz, stm);
	fz_catch(fz)
	{
		fz_drop_document(fz, fdoc);
		return caught(fz, err, "corrupt PDF");
	}
	if (locked || n <= 0) {
		/* A truncated file usually ends here: MuPDF's repair
		 * scan finds some objects but no page tree. */
		repaired = was_repaired(fz, fdoc);
		fz_drop_document(fz, fdoc);
		if (locked)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "encrypted PDF: a password is required");
		if (repaired)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "damaged PDF: no pages could be recovered");
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "PDF has no pages");
	}
	*out = fdoc;
	*npages = n;
	return FOLIO_OK;
}

/* Use the Info dictionary's title unless an earlier stage named the doc.
 * A broken Info dictionary is not worth failing the document for. */
static int take_title(fz_context *fz, fz_document *fdoc, struct folio_doc *doc,
		      struct folio_err *err)
{
	char buf[TITLE_MAX];
	int n = -1;
	char *s, *e;

	if (doc->title)
		return FOLIO_OK;
	buf[0] = '\0';
	fz_var(n);
	fz_try(fz) n = fz_lookup_metadata(fz, fdoc, FZ_META_INFO_TITLE, buf, sizeof(buf));
	fz_catch(fz) n = -1;
	if (n <= 0)
		return FOLIO_OK;
	buf[sizeof(buf) - 1] = '\0';
	e = buf + strlen(buf);
	/* A title cut at TITLE_MAX may end inside a UTF-8 sequence. */
	if ((size_t)n > sizeof(buf)) {
		while (e > buf && ((unsigned char)e[-1] & 0xc0) == 0x80)
			e--;
		if (e > buf && ((unsigned char)e[-1] & 0xc0) == 0xc0)
			e--;
	}
	for (s = buf; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'; s++)
		;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	if (!*s)
		return FOLIO_OK;
	if (folio_doc_set_str(&doc->title, s))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	return FOLIO_OK;
}

/* Whether an embedded file's name is one the e-invoice standards use:
 * factur-x.xml (Factur-X, ZUGFeRD 2.1+), zugferd-invoice.xml (ZUGFeRD
 * 2.0), ZUGFeRD-invoice.xml (1.0), xrechnung.xml; any case, any folder. */
static int einvoice_name(const char *name)
{
	/* clang-format off */
	static const char *const names[] = {
		"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", NULL,
	};
	/* clang-format on */
	const char *base, *p;
	int i;

	if (!name)
		return 0;
	for (base = p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (i = 0; names[i]; i++)
		if (!strcasecmp(base, names[i]))
			return 1;
	return 0;
}

/* The embedded stream of a file specification, or NULL. */
static pdf_obj *embedded_stream(fz_context *fz, pdf_obj *fs)
{
	pdf_obj *ef = pdf_dict_get(fz, fs, PDF_NAME(EF)), *f;

	f = pdf_dict_get(fz, ef, PDF_NAME(UF));
	if (!pdf_is_stream(fz, f))
		f = pdf_dict_get(fz, ef, PDF_NAME(F));
	return pdf_is_stream(fz, f) ? f : NULL;
}

/* A file specification's own name: /UF, else /F. */
static const char *filespec_name(fz_context *fz, pdf_obj *fs)
{
	const char *s = pdf_dict_get_text_string(fz, fs, PDF_NAME(UF));

	if (!s || !*s)
		s = pdf_dict_get_text_string(fz, fs, PDF_NAME(F));
	return s;
}

/*
 * The e-invoice's file specification (a new reference) and its name, or
 * NULL: the catalog's /AF array first (PDF/A-3 associated files, where
 * Factur-X puts it), then the EmbeddedFiles name tree. Throws on error.
 */
static pdf_obj *find_einvoice(fz_context *fz, pdf_document *pdf, char name[256])
{
	pdf_obj *root = pdf_dict_get(fz, pdf_trailer(fz, pdf), PDF_NAME(Root));
	pdf_obj *af = pdf_dict_gets(fz, root, "AF"); /* no PDF_NAME(AF) in 1.21 */
	pdf_obj *tree = NULL, *fs, *found = NULL;
	const char *s;
	int i, n;

	n = pdf_array_len(fz, af);
	for (i = 0; i < n && !found; i++) {
		fs = pdf_array_get(fz, af, i);
		s = filespec_name(fz, fs);
		if (einvoice_name(s) && embedded_stream(fz, fs)) {
			snprintf(name, 256, "%s", s);
			found = pdf_keep_obj(fz, fs);
		}
	}
	if (found)
		return found;
	fz_var(tree);
	fz_var(found);
	fz_try(fz)
	{
		tree = pdf_load_name_tree(fz, pdf, PDF_NAME(EmbeddedFiles));
		n = pdf_dict_len(fz, tree);
		for (i = 0; i < n && !found; i++) {
			fs = pdf_dict_get_val(fz, tree, i);
			s = filespec_name(fz, fs);
			if (!einvoice_name(s))
				s = pdf_to_name(fz, pdf_dict_get_key(fz, tree, i));
			if (einvoice_name(s) && embedded_stream(fz, fs)) {
				snprintf(name, 256, "%s", s);
				found = pdf_keep_obj(fz, fs);
			}
		}
	}
	fz_always(fz) pdf_drop_obj(fz, tree);
	fz_catch(fz) fz_rethrow(fz);
	return found;
}

/* Read the stream into a buffer, giving up past ATTACHMENT_MAX bytes
 * (*too_big set, NULL returned): its declared /Length says nothing of
 * its decompressed size. Throws on error. */
static fz_buffer *read_capped(fz_context *fz, pdf_obj *ref, int *too_big)
{
	unsigned char chunk[16384];
	fz_stream *stm = NULL;
	fz_buffer *buf = NULL;
	size_t n;

	*too_big = 0;
	fz_var(stm);
	fz_var(buf);
	fz_try(fz)
	{
		stm = pdf_open_stream(fz, ref);
		buf = fz_new_buffer(fz, sizeof(chunk));
		while ((n = fz_read(fz, stm, chunk, sizeof(chunk))) > 0) {
			if (fz_buffer_storage(fz, buf, NULL) + n > ATTACHMENT_MAX) {
				*too_big = 1;
				break;
			}
			fz_append_data(fz, buf, chunk, n);
		}
	}
	fz_always(fz) fz_drop_stream(fz, stm);
	fz_catch(fz)
	{
		fz_drop_buffer(fz, buf);
		fz_rethrow(fz);
	}
	if (*too_big) {
		fz_drop_buffer(fz, buf);
		buf = NULL;
	}
	return buf;
}

/*
 * Keep the embedded e-invoice XML, if any, in doc->attachment. A damaged,
 * missing or oversized attachment only means there is none: the pages
 * still decode. Only running out of memory fails.
 */
static int take_attachment(fz_context *fz, fz_document *fdoc, struct folio_doc *doc,
			   struct folio_err *err)
{
	pdf_document *pdf = pdf_specifics(fz, fdoc);
	pdf_obj *fs = NULL;
	fz_buffer *buf = NULL;
	unsigned char *data, *copy;
	char name[256] = "";
	int too_big = 0, nomem = 0;
	size_t len;

	if (!pdf || doc->attachment)
		return FOLIO_OK;
	fz_var(fs);
	fz_var(buf);
	fz_try(fz)
	{
		fs = find_einvoice(fz, pdf, name);
		if (fs)
			buf = read_capped(fz, embedded_stream(fz, fs), &too_big);
	}
	fz_always(fz) pdf_drop_obj(fz, fs);
	fz_catch(fz)
	{
		nomem = fz_caught(fz) == FZ_ERROR_MEMORY;
		buf = NULL;
	}
	if (nomem)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	if (!buf)
		return FOLIO_OK;
	len = fz_buffer_storage(fz, buf, &data);
	if (!len) {
		fz_drop_buffer(fz, buf);
		return FOLIO_OK;
	}
	copy = malloc(len);
	if (copy)
		memcpy(copy, data, len);
	fz_drop_buffer(fz, buf);
	if (!copy || folio_doc_set_str(&doc->attachment_name, name)) {
		free(copy);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	doc->attachment = copy;
	doc->attachment_size = len;
	return FOLIO_OK;
}

/* Load page `i`, its bounds (points, y down) and its structured text. */
#define BARCODE_DPI 200

static int load_page(fz_context *fz, fz_document *fdoc, int i, fz_page **pagep, fz_rect *bounds,
		     fz_stext_page **textp, struct folio_err *err)
{
	/* Text outside the page is invisible; do not let it decide
	 * whether the page has a text layer. */
	fz_stext_options opts = { .flags = FZ_STEXT_MEDIABOX_CLIP };
	fz_page *page = NULL;
	fz_stext_page *text = NULL;
	char what[64];

	fz_var(page);
	fz_var(text);
	fz_try(fz)
	{
		page = fz_load_page(fz, fdoc, i);
		*bounds = fz_bound_page(fz, page);
		text = fz_new_stext_page_from_page(fz, page, &opts);
	}
	fz_catch(fz)
	{
		fz_drop_stext_page(fz, text);
		fz_drop_page(fz, page);
		snprintf(what, sizeof(what), "cannot read PDF page %d", i + 1);
		return caught(fz, err, what);
	}
	*pagep = page;
	*textp = text;
	return FOLIO_OK;
}

/*
 * Whether a page draws an image big enough to be a barcode (a QR code is
 * at least 21 x 21 modules): only then is a text-layer page rendered, for
 * the barcode reader. Images inside form XObjects are not looked at.
 */
static int page_has_image(fz_context *fz, fz_page *page)
{
	pdf_page *pp = pdf_page_from_fz_page(fz, page);
	int found = 0;

	if (!pp)
		return 0;
	fz_try(fz)
	{
		pdf_obj *res = pdf_page_resources(fz, pp);
		pdf_obj *xobj = pdf_dict_get(fz, res, PDF_NAME(XObject));
		int i, n = pdf_dict_len(fz, xobj);

		for (i = 0; i < n && !found; i++) {
			pdf_obj *o = pdf_dict_get_val(fz, xobj, i);

			if (pdf_name_eq(fz, pdf_dict_get(fz, o, PDF_NAME(Subtype)),
					PDF_NAME(Image)) &&
			    pdf_dict_get_int(fz, o, PDF_NAME(Width)) >= 21 &&
			    pdf_dict_get_int(fz, o, PDF_NAME(Height)) >= 21)
				found = 1;
		}
	}
	fz_catch(fz)
	{
		found = 0;
	}
	return found;
}

/* Whether the text layer has enough characters and few enough garbage
 * ones to be trusted over OCR. */
static int text_usable(fz_stext_page *text, int min_chars)
{
	fz_stext_block *b;
	fz_stext_line *l;
	fz_stext_char *ch;
	long total = 0, bad = 0;

	for (b = text->first_block; b; b = b->next) {
		if (b->type != FZ_STEXT_BLOCK_TEXT)
			continue;
		for (l = b->u.t.first_line; l; l = l->next) {
			for (ch = l->first_char; ch; ch = ch->next) {
				switch (classify(ch->c)) {
				case CH_TEXT: total++; break;
				case CH_CONTROL:
				case CH_BAD:
					total++;
					bad++;
					break;
				case CH_SPACE:
				case CH_IGNORE: break;
				}
			}
		}
	}
	if (total == 0 || total < min_chars)
		return 0;
	return bad * 100 <= total * BAD_TEXT_PERCENT;
}

/* A word being collected from a line's characters. */
struct word {
	struct folio_strbuf text;
	fz_rect box;
};

/* A coordinate in points, as an int: a hostile or broken PDF can place a
 * glyph billions of points away (or at NaN), past what an int holds;
 * such a word is kept, pinned at +-1e6 points (found by fuzz_pdf). */
#define COORD_MAX 1e6f
static int coord(float v)
{
	if (!(v == v))
		return 0;
	if (v > COORD_MAX)
		return (int)COORD_MAX;
	if (v < -COORD_MAX)
		return (int)-COORD_MAX;
	return (int)v;
}

/* Add the collected word to the page and to the line's text. */
static int flush_word(struct folio_page *pg, struct word *w, struct folio_strbuf *line,
		      fz_rect bounds, int lineno)
{
	int x0, y0, x1, y1;

	if (!w->text.len)
		return 0;
	x0 = coord(floorf(w->box.x0 - bounds.x0));
	y0 = coord(floorf(w->box.y0 - bounds.y0));
	x1 = coord(ceilf(w->box.x1 - bounds.x0));
	y1 = coord(ceilf(w->box.y1 - bounds.y0));
	if ((line->len && folio_strbuf_addch(line, ' ')) ||
	    folio_strbuf_add(line, w->text.buf, w->text.len) ||
	    folio_page_add_word(pg, w->text.buf, x0, y0, x1 - x0, y1 - y0, 1.0f, lineno))
		return -1;
	folio_strbuf_reset(&w->text);
	return 0;
}

/*
 * Fill `pg` from the text layer: one folio_word per whitespace-separated
 * run of characters, its box the union of its glyphs' quads in points
 * from the page's top-left corner; page text is lines joined by '\n',
 * blocks separated by a blank line. Lines are numbered from 0.
 */
static int fill_text_page(struct folio_page *pg, fz_stext_page *text, fz_rect bounds,
			  struct folio_err *err)
{
	struct folio_strbuf page_text = FOLIO_STRBUF_INIT;
	struct folio_strbuf line = FOLIO_STRBUF_INIT;
	struct word w = { FOLIO_STRBUF_INIT, { 0, 0, 0, 0 } };
	fz_stext_block *b;
	fz_stext_line *l;
	fz_stext_char *ch;
	fz_rect box;
	int lineno = 0, block_lines;
	int status = FOLIO_OK;

	for (b = text->first_block; b; b = b->next) {
		if (b->type != FZ_STEXT_BLOCK_TEXT)
			continue;
		block_lines = 0;
		for (l = b->u.t.first_line; l; l = l->next) {
			for (ch = l->first_char; ch; ch = ch->next) {
				switch (classify(ch->c)) {
				case CH_SPACE:
					if (flush_word(pg, &w, &line, bounds, lineno))
						goto nomem;
					break;
				case CH_TEXT:
				case CH_BAD:
					box = fz_rect_from_quad(ch->quad);
					w.box = w.text.len ? fz_union_rect(w.box, box) : box;
					if (add_utf8(&w.text, ch->c))
						goto nomem;
					break;
				case CH_CONTROL:
				case CH_IGNORE: break;
				}
			}
			if (flush_word(pg, &w, &line, bounds, lineno))
				goto nomem;
			if (!line.len)
				continue;
			if (page_text.len &&
			    folio_strbuf_adds(&page_text, block_lines ? "\n" : "\n\n"))
				goto nomem;
			if (folio_strbuf_add(&page_text, line.buf, line.len))
				goto nomem;
			folio_strbuf_reset(&line);
			block_lines++;
			lineno++;
		}
	}
	if (folio_page_set_text(pg, page_text.len ? page_text.buf : ""))
		goto nomem;
	goto out;
nomem:
	status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
out:
	folio_strbuf_release(&w.text);
	folio_strbuf_release(&line);
	folio_strbuf_release(&page_text);
	return status;
}

static int render_page(fz_context *fz, fz_page *page, fz_matrix ctm, int number, fz_pixmap **out,
		       struct folio_err *err)
{
	fz_pixmap *pm = NULL;
	char what[64];

	fz_var(pm);
	fz_try(fz) pm = fz_new_pixmap_from_page(fz, page, ctm, fz_device_gray(fz), 0);
	fz_catch(fz)
	{
		snprintf(what, sizeof(what), "cannot render PDF page %d", number);
		return caught(fz, err, what);
	}
	*out = pm;
	return FOLIO_OK;
}

/* Copy an 8-bit gray pixmap into a new Leptonica image. Leptonica keeps
 * 8 bpp rows in native 32-bit words with the first pixel in the most
 * significant byte, hence SET_DATA_BYTE rather than memcpy. */
static PIX *pix_from_pixmap(fz_context *fz, fz_pixmap *pm)
{
	int w = fz_pixmap_width(fz, pm), h = fz_pixmap_height(fz, pm);
	int stride = fz_pixmap_stride(fz, pm);
	const unsigned char *src = fz_pixmap_samples(fz, pm);
	l_uint32 *line;
	l_int32 wpl;
	PIX *pix;
	int x, y;

	if (!(pix = pixCreate(w, h, 8)))
		return NULL;
	wpl = pixGetWpl(pix);
	line = pixGetData(pix);
	for (y = 0; y < h; y++, line += wpl, src += stride)
		for (x = 0; x < w; x++)
			SET_DATA_BYTE(line, x, src[x]);
	return pix;
}

/* Decode page `i` (0-based) into a new folio page. */
static int decode_page(struct folio_decode_ctx *ctx, fz_document *fdoc, int i,
		       struct folio_doc *doc, struct folio_err *err)
{
	const struct folio_config *cfg = ctx->cfg;
	fz_context *fz = ctx->fz;
	fz_page *page = NULL;
	fz_stext_page *text = NULL;
	fz_pixmap *pm = NULL;
	struct folio_page *pg;
	PIX *pix = NULL;
	fz_rect bounds;
	fz_irect box;
	fz_matrix ctm;
	int64_t w, h;
	int dpi, status;

	status = load_page(fz, fdoc, i, &page, &bounds, &text, err);
	if (status != FOLIO_OK)
		goto out;

	if (text_usable(text, cfg->min_text_chars)) {
		if (!(pg = folio_doc_add_page(doc))) {
			status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
			goto out;
		}
		pg->source = FOLIO_SRC_TEXT;
		pg->dpi = 72;
		pg->width = coord(roundf(bounds.x1 - bounds.x0));
		pg->height = coord(roundf(bounds.y1 - bounds.y0));
		pg->conf = 1.0f;
		status = fill_text_page(pg, text, bounds, err);
		if (status != FOLIO_OK || !page_has_image(fz, page))
			goto out;
		/* an image on a text page may be a QR code: a 200 dpi grey
		 * rendering for the barcode reader (no OCR), dropped after it */
		ctm = fz_scale(BARCODE_DPI / 72.0f, BARCODE_DPI / 72.0f);
		box = fz_round_rect(fz_transform_rect(bounds, ctm));
		w = (int64_t)box.x1 - box.x0;
		h = (int64_t)box.y1 - box.y0;
		if (w <= 0 || h <= 0 || w > 20000 || h > 20000 ||
		    (cfg->max_page_pixels && (uint64_t)w * (uint64_t)h > cfg->max_page_pixels))
			goto out;
		if (render_page(fz, page, ctm, i + 1, &pm, err) != FOLIO_OK) {
			/* the text is what matters; a page that will not render
			 * just has no barcodes */
			folio_err_clear(err);
			status = FOLIO_OK;
			goto out;
		}
		if (fz_pixmap_components(fz, pm) == 1 && !fz_pixmap_alpha(fz, pm) &&
		    (pix = pix_from_pixmap(fz, pm))) {
			pixSetResolution(pix, BARCODE_DPI, BARCODE_DPI);
			pg = &doc->pages[doc->npages - 1];
			pg->pix = pix;
			pg->pix_dpi = BARCODE_DPI;
			pix = NULL;
		}
		goto out;
	}

	/* No usable text: render for OCR, after checking the size the
	 * same way fz_new_pixmap_from_page() will compute it. */
	dpi = cfg->render_dpi > 0 ? cfg->render_dpi : DEFAULT_DPI;
	ctm = fz_scale(dpi / 72.0f, dpi / 72.0f);
	box = fz_round_rect(fz_transform_rect(bounds, ctm));
	w = (int64_t)box.x1 - box.x0;
	h = (int64_t)box.y1 - box.y0;
	if (w <= 0 || h <= 0) {
		status = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				       "PDF page %d has no area", i + 1);
		goto out;
	}
	if (w > INT32_MAX || h > INT32_MAX ||
	    (cfg->max_page_pixels && (uint64_t)w * (uint64_t)h > cfg->max_page_pixels)) {
		status = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				       "PDF page %d is %lldx%lld pixels at %d dpi, more than "
				       "max_page_pixels = %llu",
				       i + 1, (long long)w, (long long)h, dpi,
				       (unsigned long long)cfg->max_page_pixels);
		goto out;
	}
	status = render_page(fz, page, ctm, i + 1, &pm, err);
	if (status != FOLIO_OK)
		goto out;
	if (fz_pixmap_components(fz, pm) != 1 || fz_pixmap_alpha(fz, pm) ||
	    fz_pixmap_width(fz, pm) != w || fz_pixmap_height(fz, pm) != h) {
		status = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				       "cannot render PDF page %d: unexpected pixmap", i + 1);
		goto out;
	}
	if (!(pix = pix_from_pixmap(fz, pm))) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
		goto out;
	}
	pixSetResolution(pix, dpi, dpi);
	if (!(pg = folio_doc_add_page(doc))) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
		goto out;
	}
	pg->source = FOLIO_SRC_OCR;
	pg->dpi = dpi;
	pg->width = (int)w;
	pg->height = (int)h;
	pg->pix = pix;
	pix = NULL;
out:
	pixDestroy(&pix);
	fz_drop_pixmap(fz, pm);
	fz_drop_stext_page(fz, text);
	fz_drop_page(fz, page);
	return status;
}

static int pdf_decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	fz_context *fz = ctx->fz;
	fz_document *fdoc = NULL;
	int npages = 0, i, status;

	status = open_pdf(fz, doc, &fdoc, &npages, err);
	if (status != FOLIO_OK)
		goto out;
	if (ctx->cfg->max_pages > 0 && npages > ctx->cfg->max_pages) {
		status = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				       "PDF has %d pages, more than max_pages = %d", npages,
				       ctx->cfg->max_pages);
		goto out;
	}
	status = take_title(fz, fdoc, doc, err);
	if (status != FOLIO_OK)
		goto out;
	status = take_attachment(fz, fdoc, doc, err);
	if (status != FOLIO_OK)
		goto out;
	for (i = 0; i < npages; i++) {
		status = decode_page(ctx, fdoc, i, doc, err);
		if (status != FOLIO_OK)
			goto out;
		/* OCR this page and drop its image before rendering the next */
		status = folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
		if (status != FOLIO_OK)
			goto out;
	}
	/* The pages read, but some may lack content: flag the result so
	 * it gets reviewed. */
	if (was_repaired(fz, fdoc))
		status = folio_err_set(err, FOLIO_WARN, FOLIO_E_INPUT, 0,
				       "damaged PDF was repaired; content may be missing");
out:
	fz_drop_document(fz, fdoc);
	return status;
}

/*
 * Whether the n-page PDF in data reads back as folio_decode() will read
 * it: its page count, then each page loaded and its text taken, as
 * load_page() does. A part that MuPDF wrote but cannot read again (fuzz_pdf
 * found one: "exception stack overflow" on a page of a split) must fail
 * the split with the reason, not become an original nobody can open.
 */
static int reads_back(fz_context *fz, const unsigned char *data, size_t len, size_t n,
		      struct folio_err *err)
{
	fz_stream *stm = NULL;
	fz_document *fdoc = NULL;
	fz_page *page;
	fz_stext_page *text;
	fz_rect bounds;
	int count = -1, ret = FOLIO_OK;
	size_t i;

	fz_var(stm);
	fz_var(fdoc);
	fz_var(count);
	fz_var(ret);
	fz_try(fz)
	{
		stm = fz_open_memory(fz, data, len);
		fdoc = fz_open_document_with_stream(fz, "application/pdf", stm);
		count = fz_count_pages(fz, fdoc);
	}
	fz_catch(fz)
	{
		ret = caught(fz, err, "the split part does not open again");
	}
	if (ret == FOLIO_OK && count != (int)n)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "the split part reads back with %d pages, not %zu", count, n);
	for (i = 0; ret == FOLIO_OK && i < n; i++) {
		ret = load_page(fz, fdoc, (int)i, &page, &bounds, &text, err);
		if (ret == FOLIO_OK) {
			fz_drop_stext_page(fz, text);
			fz_drop_page(fz, page);
		} else {
			/* load_page says "cannot read PDF page N: why" */
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			ret = folio_err_set(err, ret, FOLIO_E_INPUT, 0,
					    "the split part does not read back: %s", why);
		}
	}
	fz_drop_document(fz, fdoc);
	fz_drop_stream(fz, stm);
	return ret;
}

int folio_pdf_subset(struct folio_decode_ctx *ctx, const struct folio_doc *doc, const size_t *pages,
		     size_t n, unsigned char **out, size_t *size, struct folio_err *err)
{
	fz_context *fz = ctx->fz;
	fz_stream *stm = NULL;
	pdf_document *src = NULL, *dst = NULL;
	pdf_graft_map *map = NULL;
	fz_buffer *buf = NULL;
	fz_output *o = NULL;
	unsigned char *data;
	size_t len = 0, i;
	int ret = FOLIO_OK;

	*out = NULL;
	*size = 0;
	fz_var(stm);
	fz_var(src);
	fz_var(dst);
	fz_var(map);
	fz_var(buf);
	fz_var(o);
	fz_var(ret);
	fz_try(fz)
	{
		pdf_write_options opts = pdf_default_write_options;

		stm = fz_open_memory(fz, doc->data, doc->size);
		src = pdf_open_document_with_stream(fz, stm);
		dst = pdf_create_document(fz);
		map = pdf_new_graft_map(fz, dst);
		for (i = 0; i < n; i++)
			pdf_graft_mapped_page(fz, map, -1, src, (int)pages[i]);
		buf = fz_new_buffer(fz, 65536);
		o = fz_new_output_with_buffer(fz, buf);
		opts.do_garbage = 1;
		opts.do_compress = 1;
		pdf_write_document(fz, dst, o, &opts);
		fz_close_output(fz, o);
		len = fz_buffer_storage(fz, buf, &data);
		if (!(*out = malloc(len ? len : 1)))
			fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
		memcpy(*out, data, len);
		*size = len;
	}
	fz_always(fz)
	{
		fz_drop_output(fz, o);
		fz_drop_buffer(fz, buf);
		pdf_drop_graft_map(fz, map);
		pdf_drop_document(fz, dst);
		pdf_drop_document(fz, src);
		fz_drop_stream(fz, stm);
	}
	fz_catch(fz)
	{
		free(*out);
		*out = NULL;
		*size = 0;
		ret = caught(fz, err, "cannot split the PDF");
	}
	if (ret == FOLIO_OK && (ret = reads_back(fz, *out, *size, n, err)) != FOLIO_OK) {
		free(*out);
		*out = NULL;
		*size = 0;
	}
	return ret;
}

const struct folio_decoder folio_decoder_pdf = {
	.name = "pdf",
	.bid = pdf_bid,
	.decode = pdf_decode,
};
