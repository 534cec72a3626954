/*
 * fuzz_json.c - the readers of folio's own JSON lists (vat_breakdown,
 * lines, charges: arrays of flat objects of strings): the strstr-based
 * readers of src/extract/extract.c (folio_extract_recheck, which checks
 * the breakdown and the lines against the totals) and the parser of
 * src/export/record.c (folio_invoice_from_doc), then every export module
 * writing the record, as `folio export` would after `folio fix`.
 *
 * Input: lines "name=value", one field each (any field, the three lists
 * included: "vat_breakdown=[{\"rate\":\"23\",...}]"), as an e-invoice
 * gives them (source xml). Checked: the documented statuses, a malformed
 * list refused with FOLIO_E_INPUT, the extraction's reading of the lists
 * agreeing with the record's (lines that add up to the net total are not
 * flagged), a module either writing or refusing (FOLIO_E_REFUSED) and
 * leaving its output as it was when it refuses, and the XML formats'
 * output well-formed XML when every value is UTF-8.
 */
#include <libxml/parser.h>

#include "folio/doc.h"
#include "folio/export.h"
#include "folio/extract.h"
#include "fuzz.h"

static struct folio_extractor *ex;

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct folio_extract_opts o = { NULL, 0.6f };
	struct folio_err err;

	(void)argc;
	(void)argv;
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);
	if (!(ex = folio_extractor_new(&o, &err))) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
	return 0;
}

static int valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80	    ? 0 :
			(*s & 0xe0) == 0xc0 ? 1 :
			(*s & 0xf0) == 0xe0 ? 2 :
			(*s & 0xf8) == 0xf0 ? 3 :
					      -1,
		    i;

		if (n < 0 || (n == 1 && *s < 0xc2) || (n == 3 && *s > 0xf4))
			return 0;
		for (i = 1; i <= n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		/* no surrogates, no overlong 3/4-byte forms, nothing past U+10FFFF */
		if ((n == 2 && ((*s == 0xe0 && s[1] < 0xa0) || (*s == 0xed && s[1] >= 0xa0))) ||
		    (n == 3 && ((*s == 0xf0 && s[1] < 0x90) || (*s == 0xf4 && s[1] >= 0x90))))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* XML 1.0 allows no C0 controls but tab, newline and carriage return
 * (folio_xml_escape drops the others). */
static int xml_ok(const struct folio_strbuf *out)
{
	xmlDocPtr d = xmlReadMemory(out->buf, (int)out->len, "export.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (!d)
		return 0;
	xmlFreeDoc(d);
	return 1;
}

/* An amount in cents as the extraction reads it (a whole '.' decimal). */
static long long cents_of(const char *s, int *ok)
{
	struct folio_amount a;
	size_t n = s ? strlen(s) : 0;

	*ok = n && folio_amount_parse(s, '.', &a) == n;
	return *ok ? folio_amount_cents(&a) : 0;
}

static int big(long long c)
{
	return c > (1LL << 60) || c < -(1LL << 60);
}

/* Whether `why` is one of the review's "; "-separated reasons, not text a
 * reason quotes (an IBAN of the input that reads "lines do not add up"). */
static int has_reason(const char *review, const char *why)
{
	const char *p;

	for (p = review; p && (p = strstr(p, why)); p++)
		if (p == review || (p - review >= 2 && p[-2] == ';' && p[-1] == ' '))
			return 1;
	return 0;
}

/* Lines (and charges) that add up to the net total must not be flagged. */
static void check_lines(const struct folio_invoice *inv, const struct folio_doc *doc)
{
	long long sum = 0, c;
	size_t i, n = 0;
	int ok;

	if (!inv->net_total || !inv->nlines)
		return;
	/* (sums past 2^62 cents: no invoice; their check is not asked for) */
	for (i = 0; i < inv->nlines; i++)
		if (inv->lines[i].net && (c = cents_of(inv->lines[i].net, &ok), ok)) {
			if (big(c) || __builtin_add_overflow(sum, c, &sum))
				return;
			n++;
		}
	for (i = 0; i < inv->ncharges; i++)
		if ((c = cents_of(inv->charges[i].amount, &ok), ok))
			if (big(c) ||
			    __builtin_add_overflow(sum, inv->charges[i].charge ? c : -c, &sum))
				return;
	c = cents_of(inv->net_total, &ok);
	if (!n || !ok || big(c) || big(sum) || llabs(sum - c) > 1)
		return;
	fuzz_assert(!doc->review || !has_reason(doc->review, "lines do not add up"),
		    "lines add up to %s, yet: %s", inv->net_total, doc->review);
}

static void export_all(const struct folio_invoice *inv, int utf8)
{
	const struct folio_export_module *const *m;
	struct folio_err err = { 0 };

	for (m = folio_export_modules(); *m; m++) {
		struct folio_export x = { .mod = *m, .now = "2025-01-02T03:04:05Z", .batch = 7 };
		struct folio_strbuf out = FOLIO_STRBUF_INIT;
		size_t before;
		int r = FOLIO_OK, xml = !strcmp((*m)->ext, "xml");

		if ((*m)->begin)
			r = (*m)->begin(&x, (*m)->file_per_invoice ? NULL : &out, &err);
		fuzz_check_err(r, &err, (*m)->name);
		fuzz_assert(r == FOLIO_OK, "%s: begin failed: %s", (*m)->name, err.msg);
		before = out.len;
		r = (*m)->write(&x, inv, &out, &err);
		fuzz_check_err(r, &err, (*m)->name);
		if (r != FOLIO_OK) {
			fuzz_assert(r == FOLIO_FAILED && err.kind == FOLIO_E_REFUSED,
				    "%s: write failed (%d, kind %d): %s", (*m)->name, r, err.kind,
				    err.msg);
			fuzz_assert(out.len == before, "%s refused but wrote %zu bytes", (*m)->name,
				    out.len - before);
		} else if (xml && utf8) {
			fuzz_assert(xml_ok(&out), "%s wrote malformed XML:\n%.*s", (*m)->name,
				    (int)out.len, out.buf);
		}
		if ((*m)->end && !(*m)->file_per_invoice) {
			r = (*m)->end(&x, &out, &err);
			fuzz_assert(r == FOLIO_OK, "%s: end failed: %s", (*m)->name, err.msg);
		}
		if ((*m)->release)
			(*m)->release(&x);
		folio_strbuf_release(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *line, *next, *eq;
	struct folio_err err = { 0 };
	struct folio_invoice inv;
	struct folio_doc *doc;
	int r, utf8 = valid_utf8((const unsigned char *)s);

	if (!(doc = folio_doc_new("fuzz.json", NULL, 0)))
		abort();
	doc->id = 1;
	for (line = s; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (!(eq = strchr(line, '=')) || eq == line)
			continue;
		*eq = '\0';
		if (folio_doc_set_field(doc, line, eq + 1, NULL, 1.0f, FOLIO_SRC_XML, 0, NULL))
			abort();
	}
	r = folio_extract_recheck(ex, doc, &err);
	fuzz_check_err(r, &err, "folio_extract_recheck");
	fuzz_assert(r == FOLIO_OK, "recheck failed: %s", err.msg);
	{
		const struct folio_field *t = folio_doc_field(doc, "doc_type");

		if (folio_doc_set_str(&doc->doc_type, t && t->value ? t->value : "invoice"))
			abort();
	}
	r = folio_invoice_from_doc(&inv, doc, 1, "Fuzz Vendor", &err);
	fuzz_check_err(r, &err, "folio_invoice_from_doc");
	if (r == FOLIO_OK) {
		check_lines(&inv, doc);
		export_all(&inv, utf8);
		folio_invoice_release(&inv);
	} else {
		fuzz_assert(r == FOLIO_FAILED && err.kind == FOLIO_E_INPUT,
			    "folio_invoice_from_doc: %d: %s", r, err.msg);
	}
	free(s);
	return 0;
}
