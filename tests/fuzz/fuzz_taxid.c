/*
 * fuzz_taxid.c - the identifier checks of src/extract/validate.c: tax IDs
 * with and without a country hint, their OCR repair, IBANs and KSeF
 * numbers. The first byte picks the hint; the rest is the raw text.
 * Checked: results in their documented ranges, and a normalised form that
 * validates again to itself (what is stored is what a search finds).
 */
#include "folio/extract.h"
#include "fuzz.h"

/* clang-format off */
static const char *const hints[] = {
	NULL, "PL", "ES", "PT", "IT", "DE", "FR", "BR", "AT", "BE", "GB", "NL", "EL", "XX", "",
};
/* clang-format on */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *hint, *kind = NULL, *kind2 = NULL;
	char out[32], out2[32], iban[40], iban2[40], *s;
	int r, r2;

	if (!size)
		return 0;
	hint = hints[data[0] % (sizeof(hints) / sizeof(hints[0]))];
	s = fuzz_cstr(data + 1, size - 1);

	memset(out, 0, sizeof(out));
	r = folio_taxid_check(s, hint, out, &kind);
	fuzz_assert(r >= -1 && r <= 1, "folio_taxid_check returned %d", r);
	if (r == 1) {
		fuzz_assert(memchr(out, '\0', sizeof(out)) && out[0], "'%s': bad output", s);
		fuzz_assert(kind != NULL, "'%s': valid without a kind", s);
		r2 = folio_taxid_check(out, NULL, out2, &kind2);
		fuzz_assert(r2 == 1 && !strcmp(out, out2),
			    "'%s' (hint %s) normalises to '%s', which checks %d as '%s'", s,
			    hint ? hint : "none", out, r2, r2 == 1 ? out2 : "");
	} else {
		r2 = folio_taxid_repair(s, hint, out2);
		fuzz_assert(r2 == 0 || r2 == 1, "folio_taxid_repair returned %d", r2);
		if (r2 == 1)
			fuzz_assert(folio_taxid_check(out2, NULL, out, NULL) == 1,
				    "'%s' repaired to '%s', which does not check", s, out2);
	}

	r = folio_iban_check(s, iban);
	fuzz_assert(r >= -1 && r <= 1, "folio_iban_check returned %d", r);
	if (r == 1)
		fuzz_assert(folio_iban_check(iban, iban2) == 1 && !strcmp(iban, iban2),
			    "'%s' compacts to '%s', which does not check to itself", s, iban);
	else if (folio_iban_repair(s, iban) == 1)
		fuzz_assert(folio_iban_check(iban, iban2) == 1,
			    "'%s' repaired to '%s', which does not check", s, iban);

	r = folio_ksef_number_check(s);
	fuzz_assert(r == 0 || r == 1, "folio_ksef_number_check returned %d", r);
	free(s);
	return 0;
}
