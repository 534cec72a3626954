/*
 * extract.h - invoice fields from structured sources, barcodes and text.
 *
 * Three kinds of source feed one candidate list (struct folio_cands), most
 * trusted first: e-invoice XML (exact), QR payloads (exact), then words of
 * the PDF text layer or OCR read by layout (labels, geometry). The stage's
 * entry point, folio_extract_doc(), merges the candidates, validates tax
 * IDs and IBANs, reconciles the totals and writes the chosen fields to the
 * document with their confidence and source. Parsers never write the
 * document's fields themselves.
 *
 * Value conventions (REFERENCE.md section 1): dates "YYYY-MM-DD"; amounts
 * decimal strings with a '.' and at least two decimals ("1234.50",
 * "-12.00"); rates as printed without '%' ("23", "5.5"); tax IDs upper case
 * with their country prefix ("PL5260001246"); IBANs without spaces;
 * vat_breakdown and lines are JSON arrays of objects whose values are JSON
 * strings, e.g. [{"rate":"23","net":"100.00","vat":"23.00"}].
 */
#ifndef FOLIO_EXTRACT_H
#define FOLIO_EXTRACT_H

#include <regex.h>
#include <stddef.h>

#include "folio/doc.h"
#include "folio/err.h"
#include "folio/values.h"

/* ---- candidates ------------------------------------------------------- */

struct folio_cand {
	char *name;  /* canonical field name, e.g. "gross_total" */
	char *value; /* normalised as above */
	char *raw;   /* as printed, may be NULL */
	float conf;  /* 0..1, the parser's own belief */
	enum folio_source src;
	int page;    /* 1-based, 0 when not tied to a page */
	int bbox[4]; /* x, y, w, h in page units; zeros when unknown */
};

struct folio_cands {
	struct folio_cand *v;
	size_t n, alloc;
};

/* Append a candidate (strings copied; raw and bbox may be NULL).
 * Returns 0 or -1 on ENOMEM. */
int folio_cands_add(struct folio_cands *c, const char *name, const char *value, const char *raw,
		    float conf, enum folio_source src, int page, const int bbox[4]);
/* Free the array and its strings; the struct may be reused after. */
void folio_cands_free(struct folio_cands *c);
/* The first candidate named `name` from `src` (FOLIO_SRC_NONE: any), or NULL. */
const struct folio_cand *folio_cands_find(const struct folio_cands *c, const char *name,
					  enum folio_source src);

/* ---- structured sources ------------------------------------------------ */

/*
 * Parse an e-invoice XML (UBL 2.1 Invoice/CreditNote, UN/CEFACT CII incl.
 * Factur-X/ZUGFeRD 2/XRechnung, ZUGFeRD 1, FatturaPA 1.2, KSeF FA(2)/FA(3))
 * into candidates (source FOLIO_SRC_XML, confidence 1) including doc_type.
 * No network, no entity expansion, no DTD loading. Returns FOLIO_OK when it
 * was an e-invoice, FOLIO_WARN when it is well-formed XML of another kind
 * (nothing added), FOLIO_FAILED when it is malformed (err says
 * "line N: reason").
 */
int folio_einvoice_parse(const void *xml, size_t len, struct folio_cands *out,
			 struct folio_err *err);

/*
 * Parse one barcode payload (ATCUD, VeriFactu, TicketBAI, KSeF KOD I,
 * Swiss QR-bill, EPC/GiroCode, Brazil NF-e key) into candidates with
 * source FOLIO_SRC_QR at `page`/`bbox`. Returns 1 when the payload was
 * recognised (candidates may still be few), 0 when it is not an invoice
 * payload. -1 on ENOMEM.
 */
int folio_qr_parse(const char *payload, int page, const int bbox[4], struct folio_cands *out);

/* ---- layout (src/extract/layout.c) ------------------------------------- */

struct folio_lexicon;

/* Load the label lexicon (models/labels.tsv). Errors name file:line. */
struct folio_lexicon *folio_lexicon_load(const char *path, struct folio_err *err);
void folio_lexicon_free(struct folio_lexicon *lx);

/* Read labelled values from the pages' words (text layer or OCR) into
 * candidates with the page's source. */
int folio_layout_extract(const struct folio_lexicon *lx, const struct folio_doc *doc,
			 struct folio_cands *out, struct folio_err *err);

/* ---- till receipts (src/extract/receipt.c) ----------------------------- */

/* On pages that read as a till receipt, the gross total (the labelled
 * amount the card payment, cash minus change or subtotal minus discount
 * confirm) and the date (the one beside the time) from the page text, as
 * candidates with the page's source; the other page readings of those
 * fields are dropped when the receipt's are sure. Nothing when the
 * document is no receipt. Returns 0, or -1 on ENOMEM. */
int folio_receipt_extract(const struct folio_doc *doc, struct folio_cands *out);

/* ---- vendor templates (src/extract/template.c) ------------------------- */

/* struct folio_template, a learnt place of one vendor's field, is in doc.h:
 * the archive stores templates and the extractor reads them. */

/* Find `value` (normalised, as `folio fix` stores it) among the words of
 * `doc`; on success fill t->page and the box and return 1, else 0. */
int folio_template_learn(const struct folio_doc *doc, const char *field, const char *value,
			 struct folio_template *t);

/* Read the fields the templates of the document's seller point at into
 * candidates (confidence 0.95, the page's source). */
int folio_template_apply(const struct folio_template *tpl, size_t n, const struct folio_doc *doc,
			 const char *seller_tax_id, struct folio_cands *out);

/* ---- the stage --------------------------------------------------------- */

/* Whether a document type is held for review when its key fields are
 * missing: invoice, credit_note, proforma, receipt. */
int folio_invoice_like(const char *type);

struct folio_extractor;

struct folio_extract_opts {
	const char *lexicon; /* path of labels.tsv */
	float review_below;  /* key field confidence threshold, e.g. 0.6 */
};

struct folio_extractor *folio_extractor_new(const struct folio_extract_opts *o,
					    struct folio_err *err);
/* Read vendor templates from a TSV file (the output of `folio templates`:
 * seller_tax_id, field, page, x, y, w, h, hits per line; '#' comments) into
 * the extractor. A missing file is FOLIO_WARN; a bad line fails with
 * file:line. */
int folio_extractor_load_templates(struct folio_extractor *x, const char *path,
				   struct folio_err *err);

/* Give the extractor the vendor templates (copied). 0 or -1 on ENOMEM. */
int folio_extractor_add_template(struct folio_extractor *x, const struct folio_template *t);
void folio_extractor_free(struct folio_extractor *x);

/*
 * Extract the fields of `doc`: e-invoice XML (the document itself or the
 * XML attached to a PDF, doc->attachment), barcodes of its pages, then its
 * words. Sets doc fields, doc->review (reasons, "; "-separated, or NULL),
 * doc->needs_review and doc->notes (disagreements between sources). A
 * malformed e-invoice fails with the parser's line.
 */
/*
 * The archive serial number: the first barcode of the doc's pages whose
 * payload matches `re` (the config's asn_pattern, default ASN[0-9]+) gives
 * its digits, leading zeros dropped, as the field "asn" ("ASN000123" ->
 * "123"), at confidence 1 from the barcode's box. 0 (also when none
 * matches); -1 when out of memory.
 */
int folio_extract_asn(const regex_t *re, struct folio_doc *doc);

int folio_extract_doc(const struct folio_extractor *x, struct folio_doc *doc,
		      struct folio_err *err);

/*
 * Re-run the choice and the checks on the fields a document already has
 * (after `folio fix`): user values stay, totals are reconciled again and
 * doc->review / needs_review are recomputed.
 */
int folio_extract_recheck(const struct folio_extractor *x, struct folio_doc *doc,
			  struct folio_err *err);

#endif
