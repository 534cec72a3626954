/*
 * fields.c - the catalogue of canonical invoice fields (name, kind, and
 * whether a missing or unsure value sends the document to review), and
 * the check of a value a user types for one (`folio fix`). Extraction
 * chooses values for these fields; the exports and the CLI read them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/values.h"
#include "folio/util.h"

/* clang-format off */
const struct folio_field_def folio_field_defs[] = {
	{ "doc_type", "code", 0 },
	{ "invoice_number", "text", 1 },
	{ "issue_date", "date", 1 },
	{ "supply_date", "date", 0 },
	{ "due_date", "date", 0 },
	{ "currency", "code", 0 },
	{ "seller_name", "text", 0 },
	{ "seller_tax_id", "taxid", 1 },
	{ "buyer_name", "text", 0 },
	{ "buyer_tax_id", "taxid", 0 },
	{ "net_total", "amount", 0 },
	{ "vat_total", "amount", 0 },
	{ "gross_total", "amount", 1 },
	{ "amount_due", "amount", 0 },
	{ "iban", "iban", 0 },
	{ "order_reference", "text", 0 },
	{ "vat_breakdown", "json", 0 },
	{ "lines", "json", 0 },
	/* extras some sources give */
	{ "atcud", "text", 0 },
	{ "payment_reference", "text", 0 },
	{ "ksef_hash", "text", 0 },
	{ "nfe_key", "text", 0 },
	/* e-invoices: what an export needs to write one back */
	{ "seller_country", "code", 0 },
	{ "seller_address", "text", 0 },
	{ "buyer_country", "code", 0 },
	{ "buyer_address", "text", 0 },
	{ "buyer_reference", "text", 0 },
	{ "charges", "json", 0 },
	{ "prepaid_amount", "amount", 0 },
	{ "rounding_amount", "amount", 0 },
	/* e-invoices: parties' identifiers (EN 16931 BT-29, 30, 32, 46, 47) */
	{ "seller_identifier", "text", 0 },
	{ "seller_identifier_scheme", "code", 0 },
	{ "seller_legal_id", "text", 0 },
	{ "seller_legal_id_scheme", "code", 0 },
	{ "seller_tax_registration", "text", 0 },
	{ "buyer_identifier", "text", 0 },
	{ "buyer_identifier_scheme", "code", 0 },
	{ "buyer_legal_id", "text", 0 },
	{ "buyer_legal_id_scheme", "code", 0 },
	/* delivery, period, preceding invoice, VAT dates, payment */
	{ "delivery_name", "text", 0 },
	{ "delivery_address", "text", 0 },
	{ "delivery_country", "code", 0 },
	{ "period_start", "date", 0 },
	{ "period_end", "date", 0 },
	{ "preceding_invoice_number", "text", 0 },
	{ "preceding_invoice_date", "date", 0 },
	{ "preceding_invoice_ksef", "text", 0 },
	{ "tax_point_date", "date", 0 },
	{ "vat_due_date_code", "code", 0 },
	{ "payment_terms", "text", 0 },
	{ "payment_means_code", "code", 0 },
	/* the payee's account when not an IBAN (BT-84), its name and BIC (BT-85, 86) */
	{ "payment_account", "text", 0 },
	{ "payment_account_name", "text", 0 },
	{ "payment_bic", "code", 0 },
	/* the review reasons a person accepted (folio review --done) */
	{ "review_accepted", "text", 0 },
	/* people's notes (folio note), one a line: "TEXT (WHO, DATE)" */
	{ "note", "text", 0 },
	/* an e-mail message's headers (decoded, UTF-8) */
	{ "mail_from", "text", 0 },
	{ "mail_to", "text", 0 },
	{ "mail_cc", "text", 0 },
	{ "mail_date", "date", 0 },
	{ "mail_subject", "text", 0 },
	{ "message_id", "text", 0 },
	/* where a document from an IMAP account came from:
	 * imap://ACCOUNT/FOLDER;UIDVALIDITY=V/;UID=N (RFC 5092's form) */
	{ "mail_source", "text", 0 },
	/* an Italian PEC envelope's certificate (daticert.xml) */
	{ "pec_type", "code", 0 },
	{ "pec_sender", "text", 0 },
	{ "pec_time", "text", 0 },
	{ "pec_id", "text", 0 },
	/* a CMS-signed file (.p7m) and its content: the signer's certificate
	 * subject, whether the signature verifies, whether its chain is trusted */
	{ "signed_by", "text", 0 },
	{ "signature", "text", 0 },
	{ "signature_chain", "text", 0 },
	/* an Italian SDI notice about an invoice file: its kind (RC, NS, MC,
	 * NE, DT, MT, EC, SE, AT), SDI's identifier, the invoice's file name,
	 * when, the outcome, the errors, SDI's message id */
	{ "sdi_notice", "code", 0 },
	{ "sdi_id", "text", 0 },
	{ "sdi_file", "text", 0 },
	{ "sdi_time", "text", 0 },
	{ "sdi_outcome", "text", 0 },
	{ "sdi_errors", "text", 0 },
	{ "sdi_message_id", "text", 0 },
};
/* clang-format on */

_Static_assert(sizeof(folio_field_defs) / sizeof(folio_field_defs[0]) == FOLIO_NFIELDS,
	       "FOLIO_NFIELDS in values.h counts folio_field_defs");

int folio_field_known(const char *name, const char **kind)
{
	size_t i;

	for (i = 0; i < FOLIO_NFIELDS; i++)
		if (!strcmp(folio_field_defs[i].name, name)) {
			if (kind)
				*kind = folio_field_defs[i].kind;
			return 1;
		}
	return 0;
}

/* ---- user values --------------------------------------------------------- */

int folio_field_normalise(const char *name, const char *value, char **out, struct folio_err *err)
{
	const char *kind;
	char buf[64];

	*out = NULL;
	if (!folio_field_known(name, &kind)) {
		const char *names[FOLIO_NFIELDS + 1], *meant;
		size_t i;

		for (i = 0; i < FOLIO_NFIELDS; i++)
			names[i] = folio_field_defs[i].name;
		names[i] = NULL;
		if ((meant = folio_suggest(name, names)))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "unknown field '%s'; did you mean '%s'?", name, meant);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "unknown field '%s' (see folio fix --help; fields of your own"
				     " are declared in the config's custom_fields)",
				     name);
	}
	while (isspace((unsigned char)*value))
		value++;
	if (!strcmp(kind, "date")) {
		size_t n = folio_date_parse(value, FOLIO_DMY, buf);

		if (!n || value[n])
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' is not a date (e.g. 2024-03-14)", name,
					     value);
	} else if (!strcmp(kind, "amount")) {
		struct folio_amount a;
		size_t n = folio_amount_parse(value, '.', &a);

		if (!n || value[n])
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' is not an amount (e.g. 1234.56)", name,
					     value);
		folio_amount_format(&a, buf, sizeof(buf));
	} else if (!strcmp(kind, "taxid")) {
		const char *v = value;
		int r;

		while (*v == ' ')
			v++;
		/* a person gives the country: "123456789" alone is a valid
		 * Portuguese NIF, a US EIN and many other things */
		if (!isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' has no country prefix (e.g. PL5260001246, "
					     "ESB64717838, US12-3456789)",
					     name, value);
		r = folio_taxid_check(value, NULL, buf, NULL);
		if (r < 0 && !folio_taxid_country_known(v)) {
			/* a country folio has no scheme for (US, IN, CH...): kept
			 * as printed, its separators dropped */
			size_t n = 0;
			const char *p;

			for (p = v; *p && n + 1 < sizeof(buf); p++) {
				if (isalnum((unsigned char)*p))
					buf[n++] = (char)toupper((unsigned char)*p);
				else if (!strchr(" .-/", *p))
					break;
			}
			buf[n] = '\0';
			if (!*p && n >= 6 && n <= 30)
				r = 1;
		}
		if (r == 0)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' fails its check digits", name, value);
		if (r < 0)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' is not a tax ID of its country (e.g. "
					     "PL5260001246)",
					     name, value);
	} else if (!strcmp(kind, "iban")) {
		if (folio_iban_check(value, buf) != 1)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' is not a valid IBAN", name, value);
	} else if (!strcmp(kind, "code") && !strcmp(name, "currency")) {
		size_t i;

		if (strlen(value) != 3)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "currency: '%s' is not an ISO 4217 code", value);
		for (i = 0; i < 3; i++)
			buf[i] = (char)toupper((unsigned char)value[i]);
		buf[3] = '\0';
		if (!isalpha((unsigned char)buf[0]) || !isalpha((unsigned char)buf[1]) ||
		    !isalpha((unsigned char)buf[2]))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "currency: '%s' is not an ISO 4217 code", value);
	} else if (strlen(name) > 8 && !strcmp(name + strlen(name) - 8, "_country")) {
		if (strlen(value) != 2 || !isalpha((unsigned char)value[0]) ||
		    !isalpha((unsigned char)value[1]))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: '%s' is not an ISO 3166 country code (e.g. PL)",
					     name, value);
		buf[0] = (char)toupper((unsigned char)value[0]);
		buf[1] = (char)toupper((unsigned char)value[1]);
		buf[2] = '\0';
	} else if (!strcmp(kind, "json")) {
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "%s cannot be set by hand", name);
	} else {
		if (!*value)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "%s: empty value",
					     name);
		if (strlen(value) >= sizeof(buf) - 1 && strcmp(kind, "text"))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: value too long", name);
		if (!(*out = strdup(value)))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		return FOLIO_OK;
	}
	if (!(*out = strdup(buf)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	return FOLIO_OK;
}
