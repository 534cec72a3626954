/*
 * export.h - accounting export modules and their registry.
 *
 * An export turns archived invoices into something an accountant's tool
 * imports. The pipeline (src/export/service.c) selects the documents,
 * builds one struct folio_invoice per document with folio_invoice_load(),
 * hands them to a module and writes what the module returns: files and
 * the export ledger are the pipeline's business. A module only produces
 * bytes in memory; it never opens a file or touches the database.
 *
 * A module is a static const vtable (libarchive's format modules are the
 * model) listed in one table in src/export/registry.c: a new format is one
 * file in src/export/, one line in that table and its tests.
 */
#ifndef FOLIO_EXPORT_H
#define FOLIO_EXPORT_H

#include <stddef.h>

#include "folio/doc.h"
#include "folio/err.h"
#include "folio/strbuf.h"

/* ---- the canonical invoice record ------------------------------------ */

/*
 * Every string below is NULL when the archive does not know the value.
 * Values follow extract.h's conventions: dates "YYYY-MM-DD", amounts
 * '.'-decimals with at least two decimals ("1234.50"), rates without '%'
 * ("23", "5.5"), tax IDs with their country prefix ("PL5260250274").
 */
struct folio_inv_party {
	const char *name;
	const char *tax_id;
	const char *country; /* ISO 3166-1 alpha-2; from the document, else from
				* the tax ID's prefix (EL is GR) */
	const char *address; /* one line: "street, postcode city[, region]" */
};

/* One row of the VAT breakdown (BG-23). */
struct folio_inv_rate {
	const char *rate;     /* "23"; "0" for zero-rated and exempt */
	const char *category; /* UNCL5305: S, Z, E, AE, K, G, O, L, M; NULL: not said */
	const char *exemption_reason, *exemption_code;
	const char *net, *vat; /* never NULL in a loaded record */
};

/* One invoice line (BG-25); any member may be NULL. */
struct folio_inv_line {
	const char *description, *quantity, *unit, *unit_price, *net, *vat_rate;
	const char *category;
};

/* A document-level allowance or charge (BG-20, BG-21). */
struct folio_inv_charge {
	int charge; /* 1: a charge, 0: an allowance */
	const char *amount, *reason, *reason_code, *rate, *category;
	const char *base;    /* BT-93/BT-100 base amount, or NULL */
	const char *percent; /* BT-94/BT-101 percentage ("2" is 2 %), or NULL */
};

struct folio_invoice {
	long long doc_id;
	const char *sha256;   /* of the archived original */
	const char *doc_type; /* "invoice", "credit_note", ... */
	const char *title;
	const char *added_at;
	const char *vendor; /* the vendor registry's name for the seller */
	int needs_review;
	const char *review;

	const char *number, *issue_date, *supply_date, *due_date, *currency;
	struct folio_inv_party seller, buyer;
	const char *iban, *order_reference, *buyer_reference, *payment_reference;
	const char *net_total, *vat_total, *gross_total, *amount_due;
	const char *prepaid_amount, *rounding_amount;

	/* EN 16931 business terms an e-invoice carries (NULL when absent):
	 * party identifiers (BT-29/46) and legal registration IDs (BT-30/47)
	 * with their ISO 6523 ICD scheme, the seller's registration under
	 * another tax scheme (BT-32), the deliver-to party (BG-13/15), the
	 * invoicing period (BT-73/74), the preceding invoice (BT-25/26), the
	 * VAT point date (BT-7) or its UNTDID 2005 code (BT-8: 3, 35, 432),
	 * payment terms (BT-20) and the UNTDID 4461 payment means (BT-81);
	 * the payee's account when it is not an IBAN (BT-84: a bankgiro, a
	 * proprietary account number; `iban` holds an IBAN), the account's
	 * name (BT-85) and the payment service provider's BIC (BT-86), which
	 * belong to `iban` or else to `payment_account` */
	const char *seller_identifier, *seller_identifier_scheme;
	const char *buyer_identifier, *buyer_identifier_scheme;
	const char *seller_legal_id, *seller_legal_id_scheme;
	const char *buyer_legal_id, *buyer_legal_id_scheme;
	const char *seller_tax_registration;
	const char *delivery_name, *delivery_address, *delivery_country;
	const char *period_start, *period_end;
	const char *preceding_invoice_number, *preceding_invoice_date;
	const char *tax_point_date, *vat_due_date_code;
	const char *payment_terms, *payment_means_code;
	const char *note; /* people's notes (folio note), a line each: BT-22 */
	const char *payment_account, *payment_account_name, *payment_bic;

	struct folio_inv_rate *rates;
	size_t nrates;
	struct folio_inv_line *lines;
	size_t nlines;
	struct folio_inv_charge *charges;
	size_t ncharges;

	/* every field with its source and confidence (jsonl writes them) */
	const struct folio_field *fields;
	size_t nfields;
	char *const *tags;
	size_t ntags;

	/* private: the strings above point into these */
	struct folio_doc *doc_;
	char **pool_;
	size_t npool_, pool_alloc_;
	int nomem_; /* a string could not be kept */
};

/*
 * Build the record of a loaded document (folio_archive_get). The record
 * borrows `doc` (keep it alive; folio_invoice_release frees it when
 * `owns_doc`). `vendor` (may be NULL) is copied. Malformed JSON in
 * vat_breakdown, lines or charges fails with FOLIO_E_INPUT naming the
 * field; running out of memory is FOLIO_FATAL (FOLIO_E_NOMEM), never a
 * record with values missing. Returns FOLIO_OK or an error.
 */
int folio_invoice_from_doc(struct folio_invoice *inv, struct folio_doc *doc, int owns_doc,
			   const char *vendor, struct folio_err *err);

/* Free what the record owns. Accepts a zeroed record. */
void folio_invoice_release(struct folio_invoice *inv);

/* The amount as cents (two decimals, rounded half away from zero);
 * 0 and *ok = 0 when `s` is NULL or not an amount. */
long long folio_cents(const char *s, int *ok);

/* "1234.50" for 123450; `buf` of 32 bytes. */
char *folio_cents_format(long long cents, char *buf, size_t n);

/* A credit note: negative amounts are shown positive in credit-note
 * formats (UBL CreditNote, KSeF KOR). 1 when doc_type is credit_note. */
int folio_invoice_is_credit(const struct folio_invoice *inv);

/* ---- modules ---------------------------------------------------------- */

struct folio_export;

struct folio_export_module {
	const char *name;     /* --to NAME */
	const char *ext;      /* file name extension, without the dot */
	const char *summary;  /* one line for `folio export --list` */
	int file_per_invoice; /* 1: each invoice is a file of its own and
				    * --out names a folder (XML formats) */
	/* profile keys the module reads, NULL-terminated, each "key\tmeaning
	 * (default)" for --list --verbose and the man page */
	const char *const *keys;

	/*
	 * Start a run: validate the profile's values (FOLIO_E_CONFIG naming
	 * the key) and set up state with folio_export_set_state(). May be
	 * NULL. For one-stream formats it may write a header to `out`; `out`
	 * is NULL for file_per_invoice modules.
	 */
	int (*begin)(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err);
	/*
	 * Write one invoice, appending to `out` (for file_per_invoice modules
	 * `out` is empty on entry and receives the whole file). When the
	 * invoice cannot be written in this format, return FOLIO_FAILED with
	 * kind FOLIO_E_REFUSED and the reasons in err->msg (rule IDs first:
	 * "BR-11 the buyer's country is unknown; ..."), leaving `out` as it
	 * was. Any other failure stops the run.
	 */
	int (*write)(struct folio_export *x, const struct folio_invoice *inv,
		     struct folio_strbuf *out, struct folio_err *err);
	/* Finish a run (a trailer for one-stream formats; `out` is NULL for
	 * file_per_invoice modules). May be NULL. */
	int (*end)(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err);
	/* Free the state. May be NULL. Always called, also after a failure. */
	void (*release)(struct folio_export *x);
};

/* All modules, NULL-terminated, in --list order. */
const struct folio_export_module *const *folio_export_modules(void);

/* The module called `name`, or NULL. */
const struct folio_export_module *folio_export_module_find(const char *name);

/* One profile setting: `key = value`. */
struct folio_export_opt {
	const char *key;
	const char *value;
};

/*
 * A run of one module. Created by the pipeline; modules read it through
 * the functions below.
 */
struct folio_export {
	const struct folio_export_module *mod;
	const char *profile; /* NULL: the module's defaults */
	const struct folio_export_opt *opts;
	size_t nopts;		   /* later entries override earlier ones */
	const char *now;	   /* the batch's time, "YYYY-MM-DDTHH:MM:SSZ":
					* formats that stamp a creation time use it so
					* one batch always has the same bytes */
	long long batch;	   /* the batch's number, 0 for a dry run */
	const char *custom_fields; /* the config's custom_fields (may be NULL):
					* columns a format may name */
	void *state;
};

/* The value of profile key `key`, or `def`. */
const char *folio_export_opt(const struct folio_export *x, const char *key, const char *def);

/*
 * Check that every key set for this run is one the module reads (or a
 * common key: "target"). FOLIO_E_CONFIG naming the key and the profile.
 */
int folio_export_check_keys(const struct folio_export *x, struct folio_err *err);

/* A file name for an invoice in a folder export: "ID-NUMBER.EXT" with
 * anything but [A-Za-z0-9._-] in NUMBER replaced by '_'. Caller frees. */
char *folio_export_file_name(const struct folio_export *x, const struct folio_invoice *inv);

/* ---- shared writers --------------------------------------------------- */

/* Append `s` with XML's five special characters escaped (and control
 * characters other than tab/newline dropped). */
int folio_xml_escape(struct folio_strbuf *sb, const char *s);

/* Append "<tag>escaped text</tag>" when `text` is not NULL or empty. */
int folio_xml_elem(struct folio_strbuf *sb, const char *tag, const char *text);

#endif
