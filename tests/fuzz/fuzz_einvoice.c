/*
 * fuzz_einvoice.c - folio_einvoice_parse() (src/extract/einvoice.c) on
 * any XML: UBL 2.1 Invoice/CreditNote, CII and ZUGFeRD 1, FatturaPA 1.2,
 * KSeF FA(2)/FA(3) (the seeds hold each format; einvoice.dict their
 * element names). Then what the pipeline does with the candidates: the
 * extraction stage's choice and checks (folio_extract_recheck) and the
 * export record (folio_invoice_from_doc), whose JSON reader must accept
 * every list the parser wrote.
 *
 * Checked: the documented statuses (FOLIO_FAILED with "line N: ...",
 * FOLIO_WARN adds nothing), candidates exact (xml, confidence 1), dates
 * and amounts normalised, and vat_breakdown, lines and charges readable.
 */
#include <ctype.h>

#include "folio/doc.h"
#include "folio/export.h"
#include "folio/extract.h"
#include "fuzz.h"

static struct folio_extractor *ex;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct folio_extract_opts o = { NULL, 0.6f };
	struct folio_err err;

	(void)argc;
	(void)argv;
	if (!(ex = folio_extractor_new(&o, &err))) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
	return 0;
}

static void check_cand(const struct folio_cand *k)
{
	const char *kind = NULL;
	struct folio_amount a;

	fuzz_assert(k->name && k->value, "a candidate without name or value");
	fuzz_assert(k->src == FOLIO_SRC_XML && k->conf == 1.0f && k->page == 0,
		    "%s: not exact (source %d, confidence %f, page %d)", k->name, k->src,
		    (double)k->conf, k->page);
	if (!folio_field_known(k->name, &kind))
		return; /* "review" and the like */
	if (!strcmp(kind, "date"))
		fuzz_assert(fuzz_iso_date(k->value), "%s = '%s' is not a date", k->name, k->value);
	if (!strcmp(kind, "amount"))
		fuzz_assert(folio_amount_parse(k->value, '.', &a) == strlen(k->value) &&
				    !isspace((unsigned char)k->value[0]),
			    "%s = '%s' is not a normalised amount", k->name, k->value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct folio_cands c = { 0 };
	struct folio_err err = { 0 };
	struct folio_invoice inv;
	struct folio_doc *doc;
	size_t i;
	int r;

	r = folio_einvoice_parse(data, size, &c, &err);
	fuzz_check_err(r, &err, "folio_einvoice_parse");
	fuzz_assert(r != FOLIO_FATAL, "fatal without memory pressure: %s", err.msg);
	if (r == FOLIO_FAILED && err.kind == FOLIO_E_INPUT)
		fuzz_assert(!strncmp(err.msg, "line ", 5), "message '%s' names no line", err.msg);
	if (r != FOLIO_OK) {
		fuzz_assert(c.n == 0, "status %d with %zu candidates", r, c.n);
		return 0;
	}
	for (i = 0; i < c.n; i++)
		check_cand(&c.v[i]);
	fuzz_assert(folio_cands_find(&c, "doc_type", FOLIO_SRC_XML),
		    "an e-invoice without doc_type");

	/* as the pipeline goes on: choose, check, build the export record */
	if (!(doc = folio_doc_new("fuzz.xml", NULL, 0)))
		abort();
	for (i = 0; i < c.n; i++)
		if (folio_doc_set_field(doc, c.v[i].name, c.v[i].value, c.v[i].raw, c.v[i].conf,
					c.v[i].src, c.v[i].page, c.v[i].bbox))
			abort();
	r = folio_extract_recheck(ex, doc, &err);
	fuzz_check_err(r, &err, "folio_extract_recheck");
	fuzz_assert(r == FOLIO_OK, "recheck failed: %s", err.msg);
	r = folio_invoice_from_doc(&inv, doc, 1, NULL, &err);
	fuzz_check_err(r, &err, "folio_invoice_from_doc");
	fuzz_assert(r == FOLIO_OK, "the record of a parsed e-invoice: %s", err.msg);
	folio_invoice_release(&inv);
	folio_cands_free(&c);
	return 0;
}
