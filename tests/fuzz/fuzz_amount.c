/*
 * fuzz_amount.c - the amount parsers: folio_amount_parse() with each
 * decimal-separator hint and its companions (format, compare, cents) of
 * src/extract/parse.c, and folio_cents() of src/export/record.c.
 * Checked: the bytes consumed stay within the input, the scale stays in
 * 0..6, and the canonical form reads back as the same amount.
 */
#include "folio/export.h"
#include "folio/extract.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int decs[] = { 0, '.', ',' };
	char *s = fuzz_cstr(data, size);
	size_t len = strlen(s), i, n, m;
	char buf[64], buf2[64];
	struct folio_amount a, b;
	int ok;

	for (i = 0; i < sizeof(decs) / sizeof(decs[0]); i++) {
		n = folio_amount_parse(s, decs[i], &a);
		if (!n)
			continue;
		fuzz_assert(n <= len, "consumed %zu of %zu bytes", n, len);
		fuzz_assert(a.scale >= 0 && a.scale <= 6, "'%s': scale %d", s, a.scale);
		folio_amount_format(&a, buf, sizeof(buf));
		fuzz_assert(strlen(buf) < 32, "'%s' formats to '%s': over 31 bytes", s, buf);
		/* the canonical form is an amount of its own, the same one */
		m = folio_amount_parse(buf, '.', &b);
		fuzz_assert(m == strlen(buf), "'%s' formats to '%s', which reads %zu bytes", s, buf,
			    m);
		fuzz_assert(!folio_amount_cmp(&a, &b), "'%s' formats to '%s', another amount", s,
			    buf);
		fuzz_assert(folio_amount_cents(&a) == folio_amount_cents(&b), "'%s': cents differ",
			    s);
		/* what the exporters read back from a stored value */
		(void)folio_cents(buf, &ok);
		fuzz_assert(ok || strlen(buf) > 20, "'%s' (from '%s') is no amount to folio_cents",
			    buf, s);
		if (ok) {
			folio_cents_format(folio_cents(buf, NULL), buf2, sizeof(buf2));
			fuzz_assert(strlen(buf2) < 32, "cents of '%s' format to '%s'", buf, buf2);
		}
	}
	(void)folio_cents(s, &ok);
	free(s);
	return 0;
}
