/* Unit tests: detect (libmagic), the image decoder (Leptonica), the text
 * and XML decoder, the registry and the page hook. Images are made here. */
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "folio/decode.h"
#include "folio/detect.h"
#include "t.h"

static struct folio_config cfg;
static struct folio_detect *det;
static struct folio_decode_ctx *ctx;
static int hook_calls;

static int hook(void *arg, struct folio_doc *doc, size_t index, struct folio_err *err)
{
	(void)arg;
	(void)err;
	hook_calls++;
	/* the hook may drop the image at once, as the pipeline does */
	folio_page_drop_image(&doc->pages[index]);
	return FOLIO_OK;
}

static struct folio_doc *doc_of(const void *bytes, size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	memcpy(p, bytes, n);
	return folio_doc_new("mem", p, n);
}

/* detect + decode; returns the status, *out the doc (caller frees) */
static int run(const void *bytes, size_t n, struct folio_doc **out, struct folio_err *err)
{
	struct folio_doc *d = doc_of(bytes, n);
	int r = folio_detect_doc(det, d, err);

	if (r == FOLIO_OK)
		r = folio_decode(ctx, d, err);
	*out = d;
	return r;
}

static void encode(PIX *pix, int fmt, l_uint8 **data, size_t *size)
{
	T_EQ_INT(pixWriteMem(data, size, pix, fmt), 0);
}

static void test_images(void)
{
	struct folio_err err = { 0 };
	struct folio_doc *d;
	PIX *pix = pixCreate(800, 600, 8);
	l_uint8 *data;
	size_t size;
	int fmt, fmts[] = { IFF_PNG, IFF_JFIF_JPEG, IFF_BMP, IFF_TIFF_G4, IFF_PNM, IFF_GIF };
	const char *mimes[] = {
		"image/png", "image/jpeg", "image/bmp", "image/tiff", "image/x-portable-greymap",
		"image/gif"
	};
	size_t i;

	pixSetAll(pix);
	pixSetResolution(pix, 300, 300);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		PIX *src = fmts[i] == IFF_TIFF_G4 ? pixConvertTo1(pix, 128) : pixClone(pix);

		fmt = fmts[i];
		encode(src, fmt, &data, &size);
		hook_calls = 0;
		T_EQ_INT(run(data, size, &d, &err), FOLIO_OK);
		T_EQ_STR(d->mime, mimes[i]);
		T_EQ_INT(d->npages, 1);
		T_EQ_INT(d->pages[0].width, 800);
		T_EQ_INT(d->pages[0].source, FOLIO_SRC_OCR);
		T_EQ_INT(hook_calls, 1);
		T_OK(d->pages[0].pix == NULL, "hook dropped the image");
		folio_doc_free(d);
		pixDestroy(&src);
		lept_free(data);
	}

	/* no resolution: a guess from an A4 width, never Tesseract's 70 */
	{
		PIX *a4 = pixCreate(2480, 3508, 1);

		folio_decode_ctx_set_page_hook(ctx, NULL, NULL);
		encode(a4, IFF_PNG, &data, &size);
		T_EQ_INT(run(data, size, &d, &err), FOLIO_OK);
		T_EQ_INT(d->pages[0].dpi, 300);
		T_OK(d->pages[0].pix != NULL, "image kept without a hook");
		folio_doc_free(d);
		lept_free(data);
		pixDestroy(&a4);
		folio_decode_ctx_set_page_hook(ctx, hook, NULL);
	}

	/* multi-page TIFF: every page, in order; bounded by max_pages */
	{
		PIX *p1 = pixConvertTo1(pix, 128);
		char path[] = "/tmp/folio-test-tiff-XXXXXX";
		int fd = mkstemp(path);
		FILE *f;

		close(fd);
		pixWriteTiff(path, p1, IFF_TIFF_G4, "w");
		pixWriteTiff(path, p1, IFF_TIFF_G4, "a");
		pixWriteTiff(path, p1, IFF_TIFF_G4, "a");
		f = fopen(path, "rb");
		fseek(f, 0, SEEK_END);
		size = (size_t)ftell(f);
		rewind(f);
		data = malloc(size);
		T_EQ_INT(fread(data, 1, size, f), size);
		fclose(f);
		unlink(path);
		hook_calls = 0;
		T_EQ_INT(run(data, size, &d, &err), FOLIO_OK);
		T_EQ_INT(d->npages, 3);
		T_EQ_INT(d->pages[2].number, 3);
		T_EQ_INT(hook_calls, 3);
		folio_doc_free(d);
		cfg.max_pages = 2;
		T_EQ_INT(run(data, size, &d, &err), FOLIO_FAILED);
		T_EQ_INT(err.kind, FOLIO_E_LIMIT);
		T_CONTAINS(err.msg, "more than max_pages = 2");
		cfg.max_pages = 2000;
		folio_doc_free(d);
		/* truncated TIFF */
		T_OK(run(data, size / 3, &d, &err) == FOLIO_FAILED, "truncated TIFF fails");
		folio_doc_free(d);
		free(data);
		pixDestroy(&p1);
	}

	/* too small, too large (by header: nothing allocated), truncated */
	{
		PIX *tiny = pixCreate(1, 1, 8);

		encode(tiny, IFF_PNG, &data, &size);
		T_EQ_INT(run(data, size, &d, &err), FOLIO_FAILED);
		T_CONTAINS(err.msg, "1x1 pixels, too small");
		folio_doc_free(d);
		lept_free(data);
		pixDestroy(&tiny);
	}
	encode(pix, IFF_PNG, &data, &size);
	cfg.max_page_pixels = 1000;
	T_EQ_INT(run(data, size, &d, &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_LIMIT);
	T_CONTAINS(err.msg, "800x600 pixels, more than max_page_pixels = 1000");
	cfg.max_page_pixels = 200000000;
	folio_doc_free(d);
	T_EQ_INT(run(data, 40, &d, &err), FOLIO_FAILED);
	folio_doc_free(d);
	lept_free(data);
	pixDestroy(&pix);
}

static void test_text(void)
{
	struct folio_err err = { 0 };
	struct folio_doc *d;
	const char utf8[] = "Faktura VAT\nSprzedawca: Łódź\n";
	const char cp1252[] = "Rechnung M\xfcller \x80 100\n";
	const char xml[] = "<?xml version=\"1.0\"?>\n<Invoice><ID>FV/1</ID>"
			   "<Note><![CDATA[Zażółć gęślą]]></Note></Invoice>\n";
	const char bad_xml[] = "<?xml version=\"1.0\"?>\n<Invoice>\n<ID>1</Invoice>\n";
	const char laughs[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
			      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
			      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n<l>&c;</l>\n";

	T_EQ_INT(run(utf8, strlen(utf8), &d, &err), FOLIO_OK);
	T_EQ_STR(d->mime, "text/plain");
	T_EQ_STR(d->pages[0].text, utf8);
	T_EQ_INT(d->pages[0].nwords, 4);
	T_EQ_STR(d->pages[0].words[3].text, "Łódź");
	T_EQ_INT(d->pages[0].words[3].line, 1);
	T_EQ_INT(d->pages[0].source, FOLIO_SRC_TEXT);
	folio_doc_free(d);

	T_EQ_INT(run(cp1252, strlen(cp1252), &d, &err), FOLIO_OK);
	T_EQ_STR(d->pages[0].text, "Rechnung Müller € 100\n");
	folio_doc_free(d);

	T_EQ_INT(run(xml, strlen(xml), &d, &err), FOLIO_OK);
	T_CONTAINS(d->pages[0].text, "FV/1\n");
	T_CONTAINS(d->pages[0].text, "Zażółć gęślą");
	T_OK(!strstr(d->pages[0].text, "<ID>"), "tags are not text");
	folio_doc_free(d);

	T_EQ_INT(run(bad_xml, strlen(bad_xml), &d, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "malformed XML: line 3");
	folio_doc_free(d);

	/* entities are not expanded into the index */
	T_OK(run(laughs, strlen(laughs), &d, &err) != FOLIO_FATAL, "entity file handled");
	if (d->npages)
		T_OK(strlen(d->pages[0].text) < 100, "no entity expansion");
	folio_doc_free(d);
}

static void test_detect_and_registry(void)
{
	struct folio_err err = { 0 };
	struct folio_doc *d;
	const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1,    0, 0, 0, 0, 0,
				      0,    0,	 0,   0,   2, 0, 0x3e, 0, 1, 0, 0, 0 };
	const struct folio_decoder *const *r = folio_decoders();
	int n = 0;

	T_EQ_INT(run("", 0, &d, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "empty file");
	folio_doc_free(d);
	/* the name says PDF; the content decides */
	d = folio_doc_new("fake.pdf", (unsigned char *)strdup("plain words here"), 16);
	T_EQ_INT(folio_detect_doc(det, d, &err), FOLIO_OK);
	T_EQ_STR(d->mime, "text/plain");
	folio_doc_free(d);
	T_EQ_INT(run(elf, sizeof(elf), &d, &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_TYPE);
	T_CONTAINS(err.msg, "unsupported file type");
	folio_doc_free(d);
	{
		/* the lean front prints FOLIO_DECODER_NAMES for --version */
		char names[128] = "";

		for (; *r; r++) {
			n++;
			if (*names)
				strcat(names, " ");
			strcat(names, (*r)->name);
		}
		T_EQ_STR(names, FOLIO_DECODER_NAMES);
	}
	T_EQ_INT(n, 9); /* pdf, image, archive, mail, signed, outlook, tnef, sdi, text */
}

int main(void)
{
	struct folio_err err = { 0 };

	folio_config_defaults(&cfg, &err);
	setMsgSeverity(L_SEVERITY_NONE);
	T_EQ_INT(folio_decode_global_init(&cfg, &err), FOLIO_OK);
	det = folio_detect_new(&err);
	ctx = folio_decode_ctx_new(&cfg, &err);
	T_OK(det && ctx, "contexts: %s", err.msg);
	folio_decode_ctx_set_page_hook(ctx, hook, NULL);
	test_images();
	test_text();
	test_detect_and_registry();
	folio_decode_ctx_free(ctx);
	folio_detect_free(det);
	folio_decode_global_release();
	folio_config_release(&cfg);
	return t_done();
}
