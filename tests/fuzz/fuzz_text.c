/*
 * fuzz_text.c - the text decoder (src/decode/text.c): plain text (UTF-8,
 * else Windows-1252 converted) and XML (libxml2, no network, no
 * entities) as stored and indexed, then field extraction on its words
 * (the label lexicon and the layout reader of src/extract/layout.c, and
 * for XML the e-invoice parser). The first byte picks the mime type the
 * detector would have given; the rest is the file.
 */
#include "fuzz_decode.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd_decode_init(0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* clang-format off */
	static const char *const mimes[] = {
		"text/plain", "text/xml", "application/xml", "text/csv", "application/json",
		"image/svg+xml",
	};
	/* clang-format on */
	struct folio_doc *d;

	if (!size)
		return 0;
	d = fd_doc("fuzz.txt", data + 1, size - 1,
		   mimes[data[0] % (sizeof(mimes) / sizeof(mimes[0]))]);
	(void)fd_run(d);
	folio_doc_free(d);
	fd_done();
	return 0;
}
