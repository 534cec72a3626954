/*
 * values.h - the values of invoice fields: amounts, dates, tax IDs, IBANs,
 * KSeF numbers and the catalogue of canonical field names. Extraction
 * reads them from documents, the export formats write them, `folio fix`
 * checks what a user types: all three share these, so they sit beside the
 * document (doc layer), below every stage and format.
 *
 * Value conventions (REFERENCE.md section 1): dates "YYYY-MM-DD"; amounts
 * decimal strings with a '.' and at least two decimals ("1234.50",
 * "-12.00"); tax IDs upper case with their country prefix
 * ("PL5260001246"); IBANs without spaces.
 */
#ifndef FOLIO_VALUES_H
#define FOLIO_VALUES_H

#include <stddef.h>

#include "folio/err.h"

/* ---- values: amounts, dates (src/doc/values.c) --------------------- */

/* An exact decimal: value = units / 10^scale, scale 0..6. */
struct folio_amount {
	long long units;
	int scale;
};

/*
 * Parse an amount at the start of `s` (leading spaces skipped): "1 234,56",
 * "1.234,56", "1,234.56", "1'234.50", "1’234.50", "1234", "-12,00",
 * "(12.00)", "12.00-", with a narrow or no-break space as thousands
 * separator. `dec` is the decimal separator the document's locale expects
 * ('.' or ','), used only to resolve an ambiguous single separator followed
 * by exactly three digits ("1.234"); 0 means "guess". Currency codes and
 * symbols around the number are not consumed. Returns the number of bytes
 * consumed (> 0) or 0 when `s` does not start with an amount.
 */
size_t folio_amount_parse(const char *s, int dec, struct folio_amount *out);

/* Format as a '.' decimal with at least two decimals ("1234.50");
 * returns `buf`. `n` >= 32 is always enough. */
char *folio_amount_format(const struct folio_amount *a, char *buf, size_t n);

/* Compare two amounts exactly: <0, 0, >0. */
int folio_amount_cmp(const struct folio_amount *a, const struct folio_amount *b);

/* The amount as cents, rounded half away from zero. */
long long folio_amount_cents(const struct folio_amount *a);

/* Date orders for ambiguous numeric dates. */
enum folio_date_order { FOLIO_DMY = 0, FOLIO_MDY, FOLIO_YMD };

/*
 * Parse a date at the start of `s` (leading spaces skipped): dd.mm.yyyy,
 * dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, yyyy.mm.dd, yyyy/mm/dd, two-digit
 * years (dd.mm.yy, 20yy), month names and abbreviations in PL, ES, PT, IT,
 * DE, EN, FR in any case and with or without diacritics ("15 marca 2024",
 * "15 de marzo de 2024", "15 de março de 2024", "15 marzo 2024",
 * "15. März 2024", "15 March 2024", "March 15, 2024", "15 mars 2024",
 * "15-Mar-2024", "2024 r."). `order` resolves numeric dates where both
 * readings are valid. The date must exist in the calendar (years
 * 1900..2199). Writes "YYYY-MM-DD\0" to `out` and returns the bytes
 * consumed, or 0 when `s` does not start with a date.
 */
size_t folio_date_parse(const char *s, enum folio_date_order order, char out[11]);

/* ---- identifiers (src/doc/ids.c) ----------------------------- */

/*
 * Validate a tax identifier. `raw` may carry spaces, dots, dashes and a
 * country prefix ("PL 526-000-12-46", "ESB64717838", "IT 00743110157",
 * "DE136695976", "PT501964843", "FR40303265045"); `country` (two letters
 * or NULL) is the hint used when `raw` has none. Known schemes: PL NIP,
 * PL REGON (9/14), PL PESEL, ES DNI/NIE/CIF, PT NIF, IT Partita IVA,
 * IT Codice Fiscale, DE USt-IdNr, FR TVA, BR CNPJ/CPF, and the EU VAT
 * prefix list with length-only checks for the other member states.
 * On success writes the normalised form (prefix + body, e.g.
 * "PL5260001246"; a Codice Fiscale or DNI keeps its own form with the
 * prefix: "ITRCCMNL83S18D969H") to `out` and returns 1. Returns 0 when the
 * shape is right but the check digits fail, -1 when it is not a tax ID.
 * `kind` (may be NULL) receives a static name: "nip", "regon", "pesel",
 * "dni", "nie", "cif", "nif", "piva", "cf", "ustid", "tva", "cnpj", "cpf",
 * "vat".
 */
int folio_taxid_check(const char *raw, const char *country, char out[32], const char **kind);

/* 1 when folio has a scheme for the country whose two letters start
 * `cc` (the EU member states, BR; GR as EL), so that an ID with that
 * prefix is checked; 0 for others (US, IN, CH...). */
int folio_taxid_country_known(const char *cc);

/*
 * Try OCR look-alike repairs (O/0, I/l/1, S/5, B/8, Z/2, G/6) on a tax ID
 * whose check fails: returns 1 and writes `out` when exactly one repaired
 * reading validates, 0 otherwise.
 */
int folio_taxid_repair(const char *raw, const char *country, char out[32]);

/* IBAN: spaces allowed; country length table of REFERENCE.md plus the
 * SEPA countries. Writes the compact upper-case form. 1 valid, 0 bad
 * checksum or length, -1 not an IBAN shape. */
int folio_iban_check(const char *raw, char out[40]);
int folio_iban_repair(const char *raw, char out[40]);

/* KSeF number NIP-YYYYMMDD-12HEX-CRC8: 1 valid, 0 invalid. */
int folio_ksef_number_check(const char *s);

/* ---- the field catalogue (src/doc/fields.c) -------------------- */

/* One canonical field: its name ("gross_total"), its kind ("date",
 * "amount", "taxid", "iban", "text", "json" or "code") and whether a
 * missing or unsure value sends an invoice to review. */
struct folio_field_def {
	const char *name;
	const char *kind;
	int key;
};
#define FOLIO_NFIELDS 77
/* The catalogue, in the order fields are chosen and shown. */
extern const struct folio_field_def folio_field_defs[FOLIO_NFIELDS];

/* Whether a field name is one of the canonical fields (or a known extra
 * such as "atcud"); `kind` receives "date", "amount", "taxid", "iban",
 * "text", "json" or "code". For `folio fix`. */
int folio_field_known(const char *name, const char **kind);

/* Validate and normalise a value typed by a user for field `name`: dates
 * in any supported format, amounts, tax IDs and IBANs with check digits.
 * Writes the normalised value (caller frees) or fails with the reason. */
int folio_field_normalise(const char *name, const char *value, char **out, struct folio_err *err);

/* ---- vendor keys: how documents are matched to a vendor
 * (src/doc/vendor_key.c) ---------------------------------------------- */

#define FOLIO_VENDOR_KEY_MAX 256

/* Two name keys at least this similar (trigram Jaccard) are one vendor. */
#define FOLIO_VENDOR_SIMILAR 0.9

/*
 * The name a vendor is matched by: folded (lowercase, no diacritics),
 * trailing legal forms gone ("sp. z o.o.", "S.L.", "Lda", "GmbH & Co.
 * KG"...), then only letters and digits, without spaces:
 * "Drukarnia Wróbel Sp. z o.o." -> "drukarniawrobel". Written into
 * key[size] (truncated on a character boundary); returns its length, 0
 * when nothing is left (or out of memory).
 */
size_t folio_vendor_key(const char *name, char *key, size_t size);

/* Similarity of two keys in 0..1: the Jaccard index of their sets of
 * byte trigrams (keys shorter than 3 bytes: 1 when equal, else 0). */
double folio_vendor_similarity(const char *a, const char *b);

/* An IBAN as the vendor registry records it: spaces dropped, letters upper
 * case, into out[size] (truncated); returns its length. */
size_t folio_vendor_iban(const char *raw, char *out, size_t size);

#endif
