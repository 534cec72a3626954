/*
 * fuzz_qr.c - folio_qr_parse() (src/extract/qr.c): one barcode payload
 * as zbar hands it over (ATCUD, VeriFactu, TicketBAI, KSeF, Swiss QR,
 * EPC, NF-e). Checked: every candidate has a name and a value, carries
 * the page and box given, and dates and amounts are normalised.
 */
#include "folio/extract.h"
#include "fuzz.h"

static int is_date_field(const char *n)
{
	return !strcmp(n, "issue_date") || !strcmp(n, "due_date") || !strcmp(n, "supply_date");
}

static int is_amount_field(const char *n)
{
	return !strcmp(n, "gross_total") || !strcmp(n, "net_total") || !strcmp(n, "vat_total") ||
	       !strcmp(n, "amount_due");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int bbox[4] = { 10, 20, 300, 300 };
	struct folio_cands c = { 0 };
	char *s = fuzz_cstr(data, size);
	size_t i;
	int r;

	r = folio_qr_parse(s, 2, bbox, &c);
	fuzz_assert(r >= -1 && r <= 1, "folio_qr_parse returned %d", r);
	fuzz_assert(r == 1 || c.n == 0, "%zu candidates from a payload not recognised", c.n);
	for (i = 0; i < c.n; i++) {
		const struct folio_cand *k = &c.v[i];
		struct folio_amount a;

		fuzz_assert(k->name && k->value, "candidate %zu without name or value", i);
		fuzz_assert(k->src == FOLIO_SRC_QR && k->page == 2 && k->bbox[2] == 300,
			    "%s: source, page or box lost", k->name);
		fuzz_assert(k->conf >= 0 && k->conf <= 1, "%s: confidence %f", k->name,
			    (double)k->conf);
		if (is_date_field(k->name))
			fuzz_assert(fuzz_iso_date(k->value), "%s = '%s'", k->name, k->value);
		if (is_amount_field(k->name))
			fuzz_assert(folio_amount_parse(k->value, '.', &a) == strlen(k->value),
				    "%s = '%s' is not a normalised amount", k->name, k->value);
	}
	folio_cands_free(&c);
	free(s);
	return 0;
}
