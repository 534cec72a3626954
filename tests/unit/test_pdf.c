/*
 * test_pdf.c - the PDF decoder on PDFs made at run time with MuPDF's own
 * writer: text layers, image-only pages, garbage text layers, encryption,
 * truncation, random bytes and the page and pixel limits.
 */
#include <leptonica/allheaders.h>
#include <mupdf/pdf.h>
#include <stdint.h>

#include "decode/decode_private.h"
#include "folio/doc.h"
#include "t.h"

/* One page to write: size in points and its content stream. */
struct page_spec {
	float w, h;
	const char *content;
};

enum crypt { PLAIN, USER_PASSWORD, OWNER_PASSWORD };

static struct folio_config cfg;
static struct folio_decode_ctx dctx;

#define A4_W 595.0f
#define A4_H 842.0f
#define LETTER_W 612.0f
#define LETTER_H 792.0f

/* F1 is Helvetica; F2 too, but with a ToUnicode map sending every code
 * into the private use area, as a broken subset font would. */
static const char text_page[] = "BT /F1 24 Tf 72 770 Td (Faktura VAT nr 2024/001) Tj ET\n"
				"BT /F1 12 Tf 72 700 Td (Sprzedawca: W\\363jt Sp. z o.o.) Tj\n"
				"0 -16 Td (Razem do zaplaty 1230,00 PLN) Tj ET\n";
static const char image_page[] = "0 g 100 100 200 300 re f\n";
static const char short_page[] = "BT /F1 12 Tf 72 700 Td (Hi there) Tj ET\n";
static const char pua_page[] =
	"BT /F2 12 Tf 72 700 Td (ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefgh) Tj ET\n";
static const char mostly_good_page[] =
	"BT /F1 12 Tf 72 700 Td (Rechnung Nummer 12345 vom Mai) Tj ET\n"
	"BT /F2 12 Tf 72 680 Td (ABCD) Tj ET\n";

static const char to_unicode_pua[] =
	"/CIDInit /ProcSet findresource begin\n"
	"12 dict begin\nbegincmap\n"
	"/CMapName /Folio-PUA def\n/CMapType 2 def\n"
	"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
	"1 beginbfrange\n<00> <FF> <E000>\nendbfrange\n"
	"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

/* Resources with fonts F1 and F2, shared by all pages. */
static pdf_obj *make_resources(fz_context *fz, pdf_document *pdf)
{
	fz_font *font = fz_new_base14_font(fz, "Helvetica");
	fz_buffer *cmap = NULL;
	pdf_obj *res = NULL, *fonts, *f1 = NULL, *f2 = NULL;

	fz_var(cmap);
	fz_var(res);
	fz_var(f1);
	fz_var(f2);
	fz_try(fz)
	{
		res = pdf_new_dict(fz, pdf, 2);
		fonts = pdf_dict_put_dict(fz, res, PDF_NAME(Font), 2);
		f1 = pdf_add_simple_font(fz, pdf, font, PDF_SIMPLE_ENCODING_LATIN);
		pdf_dict_puts(fz, fonts, "F1", f1);
		/* A distinct copy of the font object for F2. */
		f2 = pdf_add_object_drop(fz, pdf, pdf_copy_dict(fz, pdf_resolve_indirect(fz, f1)));
		cmap = fz_new_buffer_from_copied_data(fz, (const unsigned char *)to_unicode_pua,
						      strlen(to_unicode_pua));
		pdf_dict_put_drop(fz, f2, PDF_NAME(ToUnicode),
				  pdf_add_stream(fz, pdf, cmap, NULL, 0));
		pdf_dict_puts(fz, fonts, "F2", f2);
	}
	fz_always(fz)
	{
		fz_drop_buffer(fz, cmap);
		pdf_drop_obj(fz, f1);
		pdf_drop_obj(fz, f2);
		fz_drop_font(fz, font);
	}
	fz_catch(fz)
	{
		pdf_drop_obj(fz, res);
		fz_rethrow(fz);
	}
	return res;
}

/*
 * Write a PDF with the given pages (and an Info Title when title is not
 * NULL) into malloc'd memory, as folio_doc_new() wants it.
 */
static unsigned char *make_pdf(const struct page_spec *pages, int n, const char *title,
			       enum crypt crypt, size_t *size)
{
	fz_context *fz = dctx.fz;
	pdf_document *pdf = NULL;
	pdf_obj *res = NULL, *page = NULL, *info = NULL;
	fz_buffer *contents = NULL, *out = NULL;
	fz_output *o = NULL;
	pdf_write_options opts = pdf_default_write_options;
	unsigned char *data = NULL, *stored;
	size_t len;
	int i;

	fz_var(pdf);
	fz_var(res);
	fz_var(page);
	fz_var(info);
	fz_var(contents);
	fz_var(out);
	fz_var(o);
	fz_var(data);
	fz_try(fz)
	{
		pdf = pdf_create_document(fz);
		res = make_resources(fz, pdf);
		for (i = 0; i < n; i++) {
			contents = fz_new_buffer_from_copied_data(
				fz, (const unsigned char *)pages[i].content,
				strlen(pages[i].content));
			page = pdf_add_page(fz, pdf, fz_make_rect(0, 0, pages[i].w, pages[i].h), 0,
					    res, contents);
			pdf_insert_page(fz, pdf, -1, page);
			pdf_drop_obj(fz, page);
			page = NULL;
			fz_drop_buffer(fz, contents);
			contents = NULL;
		}
		if (title) {
			/* a new document has no Info dictionary yet */
			info = pdf_add_new_dict(fz, pdf, 1);
			pdf_dict_put_text_string(fz, info, PDF_NAME(Title), title);
			pdf_dict_put(fz, pdf_trailer(fz, pdf), PDF_NAME(Info), info);
		}
		if (crypt != PLAIN) {
			opts.do_encrypt = PDF_ENCRYPT_AES_256;
			opts.permissions = -1;
			snprintf(opts.opwd_utf8, sizeof(opts.opwd_utf8), "owner");
			snprintf(opts.upwd_utf8, sizeof(opts.upwd_utf8), "%s",
				 crypt == USER_PASSWORD ? "secret" : "");
		}
		out = fz_new_buffer(fz, 4096);
		o = fz_new_output_with_buffer(fz, out);
		pdf_write_document(fz, pdf, o, &opts);
		fz_close_output(fz, o);
		len = fz_buffer_storage(fz, out, &stored);
		data = malloc(len);
		if (!data)
			fz_throw(fz, FZ_ERROR_MEMORY, "malloc");
		memcpy(data, stored, len);
		*size = len;
	}
	fz_always(fz)
	{
		fz_drop_output(fz, o);
		fz_drop_buffer(fz, out);
		fz_drop_buffer(fz, contents);
		pdf_drop_obj(fz, page);
		pdf_drop_obj(fz, info);
		pdf_drop_obj(fz, res);
		pdf_drop_document(fz, pdf);
	}
	fz_catch(fz)
	{
		fprintf(stderr, "cannot make a test PDF: %s\n", fz_caught_message(fz));
		exit(1);
	}
	return data;
}

/* Decode a copy of `data` into a new doc; the doc is returned in *docp. */
static int decode_bytes(const unsigned char *data, size_t size, struct folio_doc **docp,
			struct folio_err *err)
{
	unsigned char *copy = malloc(size ? size : 1);
	struct folio_doc *doc;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	doc = folio_doc_new("test.pdf", copy, size);
	if (!doc)
		abort();
	if (folio_doc_set_str(&doc->mime, "application/pdf"))
		abort();
	folio_err_clear(err);
	*docp = doc;
	return folio_decoder_pdf.decode(&dctx, doc, err);
}

static const struct folio_word *find_word(const struct folio_page *pg, const char *text)
{
	size_t i;

	for (i = 0; i < pg->nwords; i++)
		if (!strcmp(pg->words[i].text, text))
			return &pg->words[i];
	return NULL;
}

static void test_bid(void)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n0000";
	unsigned char junk[3000];

	memset(junk, 'x', sizeof(junk));
	T_EQ_INT(folio_decoder_pdf.bid("application/pdf", png, sizeof(png)), 100);
	T_EQ_INT(folio_decoder_pdf.bid("application/octet-stream",
				       (const unsigned char *)"%PDF-1.4\n", 9),
		 100);
	memcpy(junk + 500, "%PDF-", 5);
	T_EQ_INT(folio_decoder_pdf.bid(NULL, junk, sizeof(junk)), 100);
	memset(junk, 'x', sizeof(junk));
	memcpy(junk + 2000, "%PDF-", 5);
	T_EQ_INT(folio_decoder_pdf.bid("text/plain", junk, sizeof(junk)), 0);
	T_EQ_INT(folio_decoder_pdf.bid("image/png", png, sizeof(png)), 0);
	T_EQ_INT(folio_decoder_pdf.bid("image/png", NULL, 0), 0);
	T_EQ_STR(folio_decoder_pdf.name, "pdf");
}

static void test_text_layer(void)
{
	struct page_spec spec = { A4_W, A4_H, text_page };
	struct folio_err err;
	struct folio_doc *doc;
	const struct folio_page *pg;
	const struct folio_word *w;
	unsigned char *data;
	size_t size;
	int st;

	data = make_pdf(&spec, 1, "Faktura 2024/001", PLAIN, &size);
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(doc->npages, 1);
	T_EQ_STR(doc->title, "Faktura 2024/001");
	if (doc->npages == 1) {
		pg = &doc->pages[0];
		T_EQ_INT(pg->number, 1);
		T_EQ_INT(pg->source, FOLIO_SRC_TEXT);
		T_EQ_INT(pg->dpi, 72);
		T_EQ_INT(pg->width, 595);
		T_EQ_INT(pg->height, 842);
		T_OK(pg->pix == NULL, "a text page has no image");
		T_OK(pg->conf == 1.0f, "conf %g", pg->conf);
		T_CONTAINS(pg->text, "Faktura VAT nr 2024/001");
		T_CONTAINS(pg->text, "Sprzedawca: W\xc3\xb3jt Sp. z o.o.\n"
				     "Razem do zaplaty 1230,00 PLN");
		T_OK(pg->text && pg->text[strlen(pg->text) - 1] != '\n', "no trailing newline");
		T_EQ_INT(pg->nwords, 14);

		w = find_word(pg, "Faktura");
		T_OK(w != NULL, "word Faktura");
		if (w) {
			/* baseline 72 pt from the top, 24 pt Helvetica */
			T_OK(w->x >= 70 && w->x <= 73, "x = %d", w->x);
			T_OK(w->y >= 40 && w->y < 72 && w->y + w->h > 72 && w->y + w->h < 85,
			     "y = %d h = %d", w->y, w->h);
			T_OK(w->w >= 75 && w->w <= 90, "w = %d", w->w);
			T_EQ_INT(w->line, 0);
			T_OK(w->conf == 1.0f, "conf %g", w->conf);
		}
		w = find_word(pg, "2024/001");
		T_OK(w && w->line == 0 && w->x > 150, "2024/001 on line 0 to the right");
		w = find_word(pg, "W\xc3\xb3jt");
		T_OK(w && w->line == 1, "W\xc3\xb3jt on line 1 (UTF-8 from WinAnsi)");
		w = find_word(pg, "PLN");
		T_OK(w && w->line == 2, "PLN on line 2");
		if (w)
			T_OK(w->y > 842 - 700 && w->y < 842 - 700 + 16 + 4, "PLN y = %d", w->y);
	}
	folio_doc_free(doc);
	free(data);

	/* An earlier stage's title is kept. */
	data = make_pdf(&spec, 1, "Info title", PLAIN, &size);
	doc = folio_doc_new("x.pdf", data, size);
	T_OK(doc != NULL, "doc");
	if (!doc)
		return;
	T_EQ_INT(folio_doc_set_str(&doc->title, "kept"), 0);
	st = folio_decoder_pdf.decode(&dctx, doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_STR(doc->title, "kept");
	folio_doc_free(doc);
}

static void test_render(void)
{
	struct page_spec spec = { LETTER_W, LETTER_H, image_page };
	struct folio_err err;
	struct folio_doc *doc;
	const struct folio_page *pg;
	unsigned char *data;
	l_uint32 v;
	size_t size;
	int st;

	data = make_pdf(&spec, 1, NULL, PLAIN, &size);
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	T_OK(doc->title == NULL, "no title");
	T_EQ_INT(doc->npages, 1);
	if (doc->npages == 1) {
		pg = &doc->pages[0];
		T_EQ_INT(pg->source, FOLIO_SRC_OCR);
		T_EQ_INT(pg->dpi, 300);
		T_EQ_INT(pg->width, 2550);
		T_EQ_INT(pg->height, 3300);
		T_OK(pg->pix != NULL, "image");
		T_EQ_INT(pg->nwords, 0);
		if (pg->pix) {
			PIX *pix = (PIX *)pg->pix;

			T_EQ_INT(pixGetWidth(pix), 2550);
			T_EQ_INT(pixGetHeight(pix), 3300);
			T_EQ_INT(pixGetDepth(pix), 8);
			T_EQ_INT(pixGetXRes(pix), 300);
			T_EQ_INT(pixGetYRes(pix), 300);
			/* the rectangle: x 100..300, y 100..400 from the bottom */
			pixGetPixel(pix, 200 * 300 / 72, (792 - 250) * 300 / 72, &v);
			T_EQ_INT(v, 0);
			pixGetPixel(pix, 10, 10, &v);
			T_EQ_INT(v, 255);
			/* neighbours across a 32-bit word boundary, to catch
			 * byte-order mistakes: left edge of the rectangle */
			pixGetPixel(pix, 100 * 300 / 72 - 2, 2000, &v);
			T_EQ_INT(v, 255);
			pixGetPixel(pix, 100 * 300 / 72 + 2, 2000, &v);
			T_EQ_INT(v, 0);
		}
	}
	folio_doc_free(doc);

	/* render_dpi is honoured */
	cfg.render_dpi = 150;
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	if (doc->npages == 1) {
		T_EQ_INT(doc->pages[0].dpi, 150);
		T_EQ_INT(doc->pages[0].width, 1275);
		T_EQ_INT(doc->pages[0].height, 1650);
	}
	folio_doc_free(doc);
	free(data);
	cfg.render_dpi = 300;
}

/* Too little text, or text that is mostly private-use garbage, is OCRed. */
static void test_weak_text(void)
{
	/* clang-format off */
	struct page_spec spec[] = {
		{ A4_W, A4_H, short_page },
		{ A4_W, A4_H, pua_page },
		{ A4_W, A4_H, mostly_good_page },
	};
	/* clang-format on */
	struct folio_err err;
	struct folio_doc *doc;
	unsigned char *data;
	size_t size;
	int st;

	data = make_pdf(spec, 3, NULL, PLAIN, &size);
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(doc->npages, 3);
	if (doc->npages == 3) {
		T_EQ_INT(doc->pages[0].source, FOLIO_SRC_OCR);
		T_EQ_INT(doc->pages[1].source, FOLIO_SRC_OCR);
		T_EQ_INT(doc->pages[2].source, FOLIO_SRC_TEXT);
		T_EQ_INT(doc->pages[0].number, 1);
		T_EQ_INT(doc->pages[2].number, 3);
		T_CONTAINS(doc->pages[2].text, "Rechnung Nummer 12345 vom Mai");
		/* line numbers start again on each page */
		T_OK(doc->pages[2].nwords > 0 && doc->pages[2].words[0].line == 0,
		     "first line of page 3 is 0");
	}
	folio_doc_free(doc);
	free(data);
}

static void test_limits(void)
{
	/* clang-format off */
	struct page_spec spec[] = {
		{ A4_W, A4_H, text_page },
		{ LETTER_W, LETTER_H, image_page },
		{ A4_W, A4_H, text_page },
	};
	/* clang-format on */
	struct folio_err err;
	struct folio_doc *doc;
	unsigned char *data;
	size_t size;
	int st;

	data = make_pdf(spec, 3, NULL, PLAIN, &size);

	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(doc->npages, 3);
	folio_doc_free(doc);

	cfg.max_pages = 2;
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_LIMIT);
	T_EQ_STR(err.msg, "PDF has 3 pages, more than max_pages = 2");
	folio_doc_free(doc);
	cfg.max_pages = 2000;

	/* 2550x3300 = 8415000 pixels */
	cfg.max_page_pixels = 8415000 - 1;
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_LIMIT);
	T_CONTAINS(err.msg, "page 2");
	T_CONTAINS(err.msg, "max_page_pixels");
	folio_doc_free(doc);

	cfg.max_page_pixels = 8415000;
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	folio_doc_free(doc);

	/* text pages are not rendered, so the pixel bound does not apply */
	cfg.max_page_pixels = 1000;
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_CONTAINS(err.msg, "page 2");
	folio_doc_free(doc);
	cfg.max_page_pixels = 200000000;

	free(data);
}

static void test_encrypted(void)
{
	struct page_spec spec = { A4_W, A4_H, text_page };
	struct folio_err err;
	struct folio_doc *doc;
	unsigned char *data;
	size_t size;
	int st;

	data = make_pdf(&spec, 1, NULL, USER_PASSWORD, &size);
	T_OK(memmem(data, size, "/Encrypt", 8) != NULL, "the file is encrypted");
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_INPUT);
	T_EQ_STR(err.msg, "encrypted PDF: a password is required");
	T_EQ_INT(doc->npages, 0);
	folio_doc_free(doc);
	free(data);

	/* Only an owner password: anyone may open it. */
	data = make_pdf(&spec, 1, NULL, OWNER_PASSWORD, &size);
	T_OK(memmem(data, size, "/Encrypt", 8) != NULL, "the file is encrypted");
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_OK);
	T_OK(doc->npages == 1 && doc->pages[0].source == FOLIO_SRC_TEXT, "text page");
	if (doc->npages == 1)
		T_CONTAINS(doc->pages[0].text, "Faktura VAT");
	folio_doc_free(doc);
	free(data);
}

/* Damaged input must fail cleanly or decode; never crash or leak. */
static void test_damaged(void)
{
	/* clang-format off */
	struct page_spec spec[] = {
		{ A4_W, A4_H, text_page },
		{ LETTER_W, LETTER_H, image_page },
	};
	/* clang-format on */
	struct folio_err err;
	struct folio_doc *doc;
	unsigned char *data, rnd[4096];
	uint32_t seed = 12345;
	size_t size, cut, i;
	int st, failed = 0, ok = 0, warned = 0, bad = 0;

	cfg.render_dpi = 36; /* keep the many renders below cheap */
	data = make_pdf(spec, 2, NULL, PLAIN, &size);

	st = decode_bytes(data, size / 2, &doc, &err);
	T_OK(st == FOLIO_FAILED ? err.kind == FOLIO_E_INPUT : st >= FOLIO_OK,
	     "half a PDF: status %d kind %d: %s", st, err.kind, err.msg);
	if (st == FOLIO_FAILED)
		T_OK(err.msg[0] != '\0', "a message");
	folio_doc_free(doc);

	for (cut = 0; cut < size; cut += 13) {
		st = decode_bytes(data, cut, &doc, &err);
		if (st == FOLIO_FAILED)
			failed++;
		else if (st == FOLIO_WARN)
			warned++;
		else if (st == FOLIO_OK)
			ok++;
		if ((st == FOLIO_FAILED && (err.kind != FOLIO_E_INPUT || !err.msg[0])) ||
		    (st != FOLIO_FAILED && st != FOLIO_OK && st != FOLIO_WARN) ||
		    (st != FOLIO_FAILED && doc->npages == 0)) {
			bad++;
			fprintf(stderr, "cut %zu: status %d kind %d: %s\n", cut, st, err.kind,
				err.msg);
		}
		folio_doc_free(doc);
	}
	T_EQ_INT(bad, 0);
	T_OK(failed > 0, "some truncations fail (%d failed, %d warned, %d ok)", failed, warned, ok);
	printf("# truncated PDFs: %d failed, %d repaired with a warning, %d ok\n", failed, warned,
	       ok);

	/* A damaged xref table that MuPDF repairs yields a warning. */
	{
		unsigned char *copy = malloc(size);
		char *x;

		memcpy(copy, data, size);
		x = memmem(copy, size, "startxref", 9);
		T_OK(x != NULL, "startxref");
		if (x)
			memcpy(x + 10, "99999", 5);
		st = decode_bytes(copy, size, &doc, &err);
		T_EQ_INT(st, FOLIO_WARN);
		T_EQ_INT(doc->npages, 2);
		T_CONTAINS(err.msg, "repaired");
		folio_doc_free(doc);
		free(copy);
	}
	free(data);
	cfg.render_dpi = 300;

	for (i = 0; i < sizeof(rnd); i++) {
		seed = seed * 1103515245u + 12345u;
		rnd[i] = (unsigned char)(seed >> 16);
	}
	st = decode_bytes(rnd, sizeof(rnd), &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_INPUT);
	T_OK(err.msg[0], "a message");
	folio_doc_free(doc);

	memcpy(rnd, "%PDF-1.7\n", 9);
	st = decode_bytes(rnd, sizeof(rnd), &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_INPUT);
	folio_doc_free(doc);

	st = decode_bytes(rnd, 0, &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_INPUT);
	folio_doc_free(doc);
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Real-world files, when the shared data folder is available. */
static void test_shared(void)
{
	static const char *const dirs[] = { "odd/documents", "data/odd/documents" };
	const char *root = t_shared_data();
	char path[4096];
	struct folio_err err;
	struct folio_doc *doc;
	unsigned char *data;
	size_t size, i;
	int st;

	if (!root) {
		printf("# FOLIO_SHARED_DATA not set: skipping real PDFs\n");
		return;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/password-is-test.pdf", root, dirs[i]);
		if ((data = slurp(path, &size)))
			break;
	}
	if (!data) {
		printf("# no odd/documents under %s: skipping real PDFs\n", root);
		return;
	}
	st = decode_bytes(data, size, &doc, &err);
	T_EQ_INT(st, FOLIO_FAILED);
	T_EQ_STR(err.msg, "encrypted PDF: a password is required");
	folio_doc_free(doc);
	free(data);

	snprintf(path, sizeof(path), "%s/%s/simple.pdf", root, dirs[i]);
	data = slurp(path, &size);
	T_OK(data != NULL, "%s", path);
	if (data) {
		st = decode_bytes(data, size, &doc, &err);
		T_OK(st == FOLIO_OK || st == FOLIO_WARN, "simple.pdf: %d %s", st, err.msg);
		T_OK(doc->npages >= 1, "simple.pdf has pages");
		folio_doc_free(doc);
		free(data);
	}

	snprintf(path, sizeof(path), "%s/%s/invalid_pdf.pdf", root, dirs[i]);
	data = slurp(path, &size);
	T_OK(data != NULL, "%s", path);
	if (data) {
		st = decode_bytes(data, size, &doc, &err);
		T_OK(st == FOLIO_FAILED ? err.kind == FOLIO_E_INPUT || err.kind == FOLIO_E_LIMIT :
					  st >= FOLIO_OK,
		     "invalid_pdf.pdf: %d %s", st, err.msg);
		printf("# invalid_pdf.pdf: status %d, %zu pages: %s\n", st, doc->npages, err.msg);
		folio_doc_free(doc);
		free(data);
	}
}

/* Glyphs billions of points away or billions of points tall (a broken or
 * hostile text matrix or font size): whatever words MuPDF keeps have
 * boxes pinned within +-1e6 points, never an int overflow. fuzz_pdf found
 * the overflow (src/decode/pdf.c flush_word) on an input mutated from a
 * third-party PDF that cannot be committed. MuPDF drops a glyph wholly
 * off the page (FZ_STEXT_MEDIABOX_CLIP); one that overlaps the page but
 * reaches billions of points past it is kept: "Skew" (a text matrix
 * sheared by 3e8) is such a word, whose box is 3.9e9 points wide (an int
 * overflow before the fix: the pinning check below failed). */
static void test_far_glyph(void)
{
	static const char far_page[] =
		"BT /F1 12 Tf 72 700 Td (Rechnung Nummer 12345 vom Mai 2024) Tj ET\n"
		"BT /F1 3000000000 Tf 72 100 Td (Gross) Tj ET\n"
		"BT /F1 12 Tf 1 0 0 1 3000000000 400 Tm (Fern) Tj ET\n"
		"BT /F1 3000000000.0 Tf 72 100 Td (Real) Tj ET\n"
		"q 100000 0 0 100000 0 0 cm BT /F1 30000 Tf 0 0 Td (Zoom) Tj ET Q\n"
		"BT /F1 12 Tf 0 0 Td 3000000000.0 Tz (Wide) Tj ET\n"
		"BT /F1 12 Tf 72 300 Td [(A) -3000000000.0 (B)] TJ ET\n"
		"BT /F1 12 Tf 1 0 300000000.0 1 72 300 Tm (Skew) Tj ET\n"
		"BT /F1 12 Tf 300000000.0 0 0 1 72 500 Tm (Wide) Tj ET\n"
		"BT /F1 12 Tf 1 0 0 -300000000.0 72 200 Tm (Tall) Tj ET\n";
	struct page_spec spec = { A4_W, A4_H, far_page };
	struct folio_err err;
	struct folio_doc *doc = NULL;
	unsigned char *data;
	size_t size, i;

	data = make_pdf(&spec, 1, NULL, PLAIN, &size);
	T_EQ_INT(decode_bytes(data, size, &doc, &err), FOLIO_OK);
	if (doc && doc->npages == 1) {
		const struct folio_page *pg = &doc->pages[0];

		T_OK(find_word(pg, "Rechnung") != NULL, "the page's own words");
		T_OK(find_word(pg, "Skew") != NULL, "a sheared word that overlaps the page kept");
		for (i = 0; i < pg->nwords; i++) {
			const struct folio_word *w = &pg->words[i];

			T_OK(w->x >= -1000000 && w->x <= 1000000 && w->y >= -1000000 &&
				     w->y <= 1000000 && w->w >= 0 && w->h >= 0 && w->w <= 2000000 &&
				     w->h <= 2000000,
			     "'%s' pinned: %d,%d %dx%d", w->text, w->x, w->y, w->w, w->h);
		}
	}
	folio_doc_free(doc);
	free(data);
}

/* A batch's part (folio_decode_subset): pages 3 and 1 of a 3-page PDF
 * become a PDF of those two pages in that order, which the subset reads
 * back before it returns it (the check fuzz_pdf's finding asked for: a
 * part MuPDF wrote but could not read again). */
static void test_subset(void)
{
	static const char p3[] = "BT /F1 12 Tf 72 700 Td (Trzecia strona faktury numer 3) Tj ET\n";
	struct page_spec spec[3] = { { A4_W, A4_H, text_page },
				     { A4_W, A4_H, short_page },
				     { LETTER_W, LETTER_H, p3 } };
	struct folio_err err;
	struct folio_doc *doc = NULL, *part = NULL;
	unsigned char *data, *out = NULL;
	size_t size, outlen = 0, pages[2] = { 2, 0 }, bad[1] = { 7 };

	data = make_pdf(spec, 3, NULL, PLAIN, &size);
	T_EQ_INT(decode_bytes(data, size, &doc, &err), FOLIO_OK);
	if (!doc || doc->npages != 3) {
		T_OK(0, "the 3-page batch decodes");
		goto out;
	}
	T_EQ_INT(folio_decode_subset(&dctx, doc, pages, 2, &out, &outlen, &err), FOLIO_OK);
	T_OK(out && outlen > 0, "the part's bytes");
	if (out) {
		T_EQ_INT(decode_bytes(out, outlen, &part, &err), FOLIO_OK);
		T_OK(part && part->npages == 2, "the part has 2 pages");
		if (part && part->npages == 2) {
			T_OK(find_word(&part->pages[0], "Trzecia") != NULL, "page 3 comes first");
			T_OK(find_word(&part->pages[1], "Faktura") != NULL, "page 1 second");
		}
	}
	free(out);
	out = NULL;
	/* a page the batch does not have: refused with a reason, no bytes */
	T_EQ_INT(folio_decode_subset(&dctx, doc, bad, 1, &out, &outlen, &err), FOLIO_FAILED);
	T_OK(!out && err.msg[0], "no part, a reason: %s", err.msg);
out:
	folio_doc_free(part);
	folio_doc_free(doc);
	free(out);
	free(data);
}

int main(void)
{
	struct folio_err err;

	cfg.max_file_bytes = 256u << 20;
	cfg.max_pages = 2000;
	cfg.max_page_pixels = 200000000;
	cfg.render_dpi = 300;
	cfg.min_text_chars = 16;

	T_EQ_INT(folio_decode_global_init(&cfg, &err), FOLIO_OK);
	/* a second init is harmless */
	T_EQ_INT(folio_decode_global_init(&cfg, &err), FOLIO_OK);
	T_OK(folio_decode_fz_base() != NULL, "base context");
	dctx.cfg = &cfg;
	dctx.fz = fz_clone_context(folio_decode_fz_base());
	T_OK(dctx.fz != NULL, "cloned context");
	if (!dctx.fz)
		return t_done();

	test_bid();
	test_far_glyph();
	test_subset();
	test_text_layer();
	test_render();
	test_weak_text();
	test_limits();
	test_encrypted();
	test_damaged();
	test_shared();

	fz_drop_context(dctx.fz);
	folio_decode_global_release();
	T_OK(folio_decode_fz_base() == NULL, "released");
	folio_decode_global_release();
	return t_done();
}
