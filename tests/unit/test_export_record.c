/* test_export_record.c - the canonical invoice record, the registry's
 * helpers and export profiles in the config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/config.h"
#include "folio/export.h"
#include "t.h"

static struct folio_doc *doc_with(const char *const *kv)
{
	struct folio_doc *d = folio_doc_new("x.xml", NULL, 0);

	for (; d && kv[0]; kv += 2)
		folio_doc_set_field(d, kv[0], kv[1], NULL, 0.9f, FOLIO_SRC_XML, 0, NULL);
	return d;
}

static void test_record(void)
{
	/* clang-format off */
	static const char *const kv[] = {
		"invoice_number", "FV/1/2025",
		"issue_date", "2025-03-14",
		"seller_tax_id", "EL094259216",
		"buyer_tax_id", "PL7251801126",
		"buyer_country", "PL",
		"seller_name", "Ελληνική Α.Ε.",
		"gross_total", "123.00",
		"vat_breakdown", "[{\"rate\":\"23\",\"category\":\"S\",\"net\":\"100.00\","
				 "\"vat\":\"23.00\"},{\"rate\":\"0\",\"category\":\"E\","
				 "\"exemption_reason\":\"art. 43 \\\"zw\\\" \\u0142\\u00f3d\\u017a\","
				 "\"net\":\"5.00\"}]",
		"lines", "[ {\"description\":\"Papier\\nA4\",\"quantity\":\"2\",\"net\":\"100.00\"} ]",
		"charges", "[{\"kind\":\"charge\",\"amount\":\"5.00\",\"reason\":\"Transport\"},"
			   "{\"kind\":\"allowance\",\"amount\":\"1.00\"}]",
		NULL,
	};
	/* clang-format on */
	struct folio_err err = { 0 };
	struct folio_invoice inv;
	struct folio_doc *d = doc_with(kv);

	d->id = 7;
	folio_doc_set_str(&d->doc_type, "credit_note");
	T_EQ_INT(folio_invoice_from_doc(&inv, d, 1, "Vendor One", &err), FOLIO_OK);
	T_EQ_INT(inv.doc_id, 7);
	T_EQ_STR(inv.number, "FV/1/2025");
	T_EQ_STR(inv.vendor, "Vendor One");
	T_OK(folio_invoice_is_credit(&inv), "a credit note");
	T_EQ_STR(inv.seller.country, "GR"); /* EL is Greece's VAT prefix */
	T_EQ_STR(inv.buyer.country, "PL");
	T_OK(inv.due_date == NULL, "unknown values are NULL");
	T_EQ_INT(inv.nrates, 2);
	T_EQ_STR(inv.rates[0].category, "S");
	T_EQ_STR(inv.rates[1].vat, "0.00"); /* absent VAT is zero */
	T_EQ_STR(inv.rates[1].exemption_reason, "art. 43 \"zw\" łódź");
	T_EQ_INT(inv.nlines, 1);
	T_EQ_STR(inv.lines[0].description, "Papier\nA4");
	T_OK(inv.lines[0].unit == NULL, "a line without a unit");
	T_EQ_INT(inv.ncharges, 2);
	T_OK(inv.charges[0].charge && !inv.charges[1].charge, "charge and allowance");
	T_EQ_INT(inv.nfields, 10);
	folio_invoice_release(&inv);

	/* damaged JSON is this document's problem, named */
	{
		static const char *const bad[] = { "lines", "[{\"net\":1}]", NULL };
		static const char *const bad2[] = { "vat_breakdown", "[{\"rate\":\"23\"", NULL };

		d = doc_with(bad);
		T_EQ_INT(folio_invoice_from_doc(&inv, d, 1, NULL, &err), FOLIO_FAILED);
		T_EQ_INT(err.kind, FOLIO_E_INPUT);
		T_CONTAINS(err.msg, "field lines");
		d = doc_with(bad2);
		T_EQ_INT(folio_invoice_from_doc(&inv, d, 1, NULL, &err), FOLIO_FAILED);
		T_CONTAINS(err.msg, "vat_breakdown");
	}
}

static void test_cents(void)
{
	char b[32];
	int ok;

	T_OK(folio_cents("1234.50", &ok) == 123450 && ok, "1234.50");
	T_OK(folio_cents("-0.5", &ok) == -50 && ok, "-0.5");
	T_OK(folio_cents("2.345", &ok) == 235 && ok, "rounded half up");
	T_OK(folio_cents("7", &ok) == 700 && ok, "whole");
	folio_cents("1,00", &ok);
	T_OK(!ok, "a comma is not an amount here");
	folio_cents(NULL, &ok);
	T_OK(!ok, "NULL");
	folio_cents("", &ok);
	T_OK(!ok, "empty");
	T_EQ_STR(folio_cents_format(-1205, b, sizeof(b)), "-12.05");
	T_EQ_STR(folio_cents_format(5, b, sizeof(b)), "0.05");
}

static void test_helpers(void)
{
	static const struct folio_export_module fake = { .name = "fake", .ext = "xml" };
	struct folio_export x = { .mod = &fake };
	struct folio_invoice inv = { .doc_id = 12, .number = "FV 1/03/2025 ąż" };
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	char *name = folio_export_file_name(&x, &inv);

	T_EQ_STR(name, "12-FV_1_03_2025_____.xml"); /* a byte each */
	free(name);
	inv.number = NULL;
	name = folio_export_file_name(&x, &inv);
	T_EQ_STR(name, "12.xml");
	free(name);

	T_EQ_INT(folio_xml_escape(&sb, "a<b>&\"c'\x01"), 0);
	T_EQ_STR(sb.buf, "a&lt;b&gt;&amp;&quot;c&apos;");
	folio_strbuf_reset(&sb);
	T_EQ_INT(folio_xml_elem(&sb, "cbc:ID", ""), 0);
	T_OK(sb.len == 0, "an empty element is left out");
	folio_xml_elem(&sb, "cbc:ID", "7");
	T_EQ_STR(sb.buf, "<cbc:ID>7</cbc:ID>");
	folio_strbuf_release(&sb);

	T_OK(folio_export_module_find("nope") == NULL, "unknown module");
	T_OK(folio_export_modules()[0] != NULL, "modules are registered");
}

static void test_profiles(void)
{
	const struct folio_export_module *csv = folio_export_module_find("csv");
	struct folio_config cfg;
	struct folio_err err = { 0 };
	char path[] = "/tmp/folio-test-profile-XXXXXX";
	struct folio_export x = { 0 };
	struct folio_export_opt o[2];
	FILE *f;
	int fd = mkstemp(path);

	T_OK(fd >= 0, "temp file");
	f = fdopen(fd, "w");
	fputs("workers = 2\n[export biuro]\nformat = csv\ndelimiter = \";\"\n"
	      "[ export  kasa-2 ]\nformat = ledger\n",
	      f);
	fclose(f);
	folio_config_defaults(&cfg, &err);
	T_EQ_INT(folio_config_load(&cfg, path, &err), FOLIO_OK);
	T_EQ_INT(cfg.workers, 2);
	T_EQ_INT(cfg.nexport_opts, 3);
	T_EQ_STR(cfg.export_opts[1].profile, "biuro");
	T_EQ_STR(cfg.export_opts[1].key, "delimiter");
	T_EQ_STR(cfg.export_opts[1].value, ";");
	T_EQ_STR(cfg.export_opts[2].profile, "kasa-2");
	folio_config_release(&cfg);

	f = fopen(path, "w");
	fputs("[export]\n", f);
	fclose(f);
	folio_config_defaults(&cfg, &err);
	T_EQ_INT(folio_config_load(&cfg, path, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, ":1: expected a section");
	folio_config_release(&cfg);
	unlink(path);

	/* settings a module does not read are named */
	if (csv) {
		o[0].key = "delimiter";
		o[0].value = ";";
		o[1].key = "colour";
		o[1].value = "red";
		x.mod = csv;
		x.profile = "biuro";
		x.opts = o;
		x.nopts = 1;
		T_EQ_INT(folio_export_check_keys(&x, &err), FOLIO_OK);
		T_EQ_STR(folio_export_opt(&x, "delimiter", ","), ";");
		T_EQ_STR(folio_export_opt(&x, "decimal", "point"), "point");
		x.nopts = 2;
		T_EQ_INT(folio_export_check_keys(&x, &err), FOLIO_FAILED);
		T_CONTAINS(err.msg, "profile 'biuro': 'colour' is not a setting of the csv format");
	}
}

int main(void)
{
	test_record();
	test_cents();
	test_helpers();
	test_profiles();
	return t_done();
}
