/*
 * fuzz_pdf.c - the PDF decoder (src/decode/pdf.c, MuPDF) on any bytes
 * given as application/pdf: open and repair, title, the embedded
 * e-invoice, each page's text layer or its rendering (barcodes read from
 * it, then dropped), then field extraction; and, for a PDF of two pages
 * or more, the batch splitter (folio_decode_subset) on its last page and
 * first page in that order, whose output must decode again.
 */
#include "fuzz_decode.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd_decode_init(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct folio_doc *d = fd_doc("fuzz.pdf", data, size, "application/pdf"), *part;
	struct folio_err err = { 0 };
	unsigned char *out = NULL;
	size_t outlen = 0, pages[2];
	int r = fd_run(d);

	if (r >= 0 && d->npages >= 2) {
		pages[0] = d->npages - 1;
		pages[1] = 0;
		r = folio_decode_subset(fd_ctx, d, pages, 2, &out, &outlen, &err);
		fuzz_check_err(r, &err, "folio_decode_subset");
		fuzz_assert(r != FOLIO_FATAL, "subset: %s", err.msg);
		if (r == FOLIO_OK) {
			if (!(part = folio_doc_new("part.pdf", out, outlen)) ||
			    folio_doc_set_str(&part->mime, "application/pdf"))
				abort();
			r = folio_decode(fd_ctx, part, &err);
			fuzz_assert(r >= 0 && part->npages == 2,
				    "the split of 2 pages decodes to %zu pages (%d: %s)",
				    part->npages, r, r < 0 ? err.msg : "");
			folio_doc_free(part);
		}
	}
	folio_doc_free(d);
	fd_done();
	return 0;
}
