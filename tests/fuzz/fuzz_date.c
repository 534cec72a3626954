/*
 * fuzz_date.c - folio_date_parse() (src/extract/parse.c) in each date
 * order: the bytes consumed stay within the input and a date found is a
 * real "YYYY-MM-DD" day between 1900 and 2199, as extract.h promises.
 */
#include "folio/extract.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum folio_date_order orders[] = { FOLIO_DMY, FOLIO_MDY, FOLIO_YMD };
	char *s = fuzz_cstr(data, size);
	size_t len = strlen(s), i, n;
	char out[11];

	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		memset(out, 'x', sizeof(out));
		n = folio_date_parse(s, orders[i], out);
		if (!n)
			continue;
		fuzz_assert(n <= len, "consumed %zu of %zu bytes", n, len);
		fuzz_assert(fuzz_iso_date(out), "'%s' read as '%.11s'", s, out);
	}
	free(s);
	return 0;
}
