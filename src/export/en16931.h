/*
 * en16931.h - the EN 16931 view of an invoice record, shared by the UBL
 * (ubl.c) and CII (cii.c) writers.
 *
 * folio_en16931_build() checks the business rules of EN 16931 that can be
 * checked from the record (BR-01..BR-16 mandatory elements, BR-CO-10..18
 * sums, the per-category rules BR-S/Z/E/AE/IC/G/O/AF/AG/B, the code lists
 * BR-CL-*, and Peppol BIS 3.0's extra rules when asked) and turns the
 * record into amounts in cents, VAT categories resolved and lines that
 * add up to the breakdown. Amounts, quantities and allowances keep the
 * record's signs (EN 16931 allows negative amounts in an invoice and in a
 * credit note, and no rule ties quantity x price to the net), so an
 * exported invoice reads back as the record it came from. Both writers
 * then only lay the model out in their syntax, so UBL and CII refuse the
 * same invoices for the same reasons.
 *
 * The record's lines are written when each has a name, an amount and a
 * VAT row, a price that is not negative (BR-27), and they add up: their
 * sum with the document-level allowances and charges is the net total
 * (BR-CO-10, BR-CO-13) and, per VAT row, the row's taxable amount
 * (BR-S-08 etc.; exact, as CII's validator wants it). When there are no
 * lines or they break one of these, the model has one summary line per
 * VAT breakdown row named "Total at 23 % VAT as on the original invoice"
 * whose net is the row's taxable amount less its document-level charges
 * plus its allowances (e->summary is 1).
 */
#ifndef FOLIO_EN16931_H
#define FOLIO_EN16931_H

#include "folio/export.h"

/* One VAT breakdown row (BG-23). */
struct folio_en_vat {
	char cat[3];	    /* UNCL5305: S, Z, E, AE, K, G, O, L, M */
	char rate[16];	    /* "23", "5.5", "0"; "" for O (no rate is written) */
	long long mrate;    /* the rate in thousandths of a percent */
	long long net, vat; /* cents */
	const char *reason; /* BT-120, or NULL */
	const char *code;   /* BT-121 (a VATEX code), or NULL */
};

/* One line (BG-25). */
struct folio_en_line {
	const char *name; /* BT-153 */
	char qty[32];	  /* BT-129 as the record has it (absent: 1, signed
				* like the net) */
	char price[40];	  /* BT-146, never negative */
	const char *unit; /* BT-130, a UN/ECE rec 20 code */
	long long net;	  /* BT-131, cents */
	size_t vat;	  /* its row in vats[] */
};

/* One document-level allowance or charge (BG-20, BG-21). */
struct folio_en_charge {
	int charge;	  /* 1: charge, 0: allowance */
	long long amount; /* cents, signed as in the record */
	int has_base;
	long long base;	  /* BT-93/BT-100, cents, when has_base */
	char percent[24]; /* BT-94/BT-101, "" when unknown */
	const char *reason, *code;
	size_t vat;
};

/* A party identifier with its ISO 6523 ICD scheme (NULL: none written). */
struct folio_en_id {
	const char *id, *scheme;
};

struct folio_en16931 {
	const struct folio_invoice *inv;
	int credit;				      /* write a credit note (381) */
	int summary;				      /* lines are one per VAT row (see above) */
	int peppol;				      /* Peppol BIS Billing 3.0 */
	const char *seller_vat, *buyer_vat;	      /* BT-31, BT-48 written, or NULL */
	struct folio_en_id seller_id, buyer_id;	      /* BT-29, BT-46 (with category O
						       * the tax ID when none) */
	struct folio_en_id seller_legal, buyer_legal; /* BT-30, BT-47 */
	const char *seller_taxreg;		      /* BT-32, or NULL */
	const char *means;	  /* BT-81 (UNTDID 4461): the record's, else 30 with an
				* account, else NULL */
	const char *account;	  /* BT-84: the IBAN, else the record's other account,
				* else NULL */
	int account_iban;	  /* `account` is the IBAN (CII: IBANID, else
				* ProprietaryID) */
	const char *due_code;	  /* BT-8 as UNTDID 2005 (UBL: 3, 35, 432), or NULL */
	const char *due_code_cii; /* the same as UNTDID 2475 (CII: 5, 29, 72) */
	int delivery;		  /* a Delivery (BG-13) is written */
	char seller_endpoint[32], buyer_endpoint[32]; /* Peppol BT-34, BT-49 */
	const char *seller_eas, *buyer_eas;	      /* their schemeID */

	struct folio_en_vat *vats;
	size_t nvats;
	struct folio_en_line *lines;
	size_t nlines;
	struct folio_en_charge *charges;
	size_t ncharges;    /* allowances and charges */
	size_t nallowances; /* of which allowances */

	/* BG-22, cents */
	long long line_total, allowance_total, charge_total; /* signed sums */
	long long net, vat, gross, prepaid, rounding, payable;
	int has_prepaid, has_rounding;

	char *pool_; /* summary line names */
};

/*
 * Build the model of `inv`. `peppol` adds Peppol BIS 3.0's rules
 * (PEPPOL-EN16931-R003, R010, R020, R120). Returns FOLIO_OK; FOLIO_FAILED
 * with kind FOLIO_E_REFUSED and every failing rule in err->msg ("BR-11 the
 * buyer's country is unknown; ..."); FOLIO_FATAL when memory ran out. On
 * failure nothing needs releasing.
 */
int folio_en16931_build(struct folio_en16931 *e, const struct folio_invoice *inv, int peppol,
			struct folio_err *err);

/* Free what the model owns. Accepts a zeroed model. */
void folio_en16931_release(struct folio_en16931 *e);

/* cents as "1234.50" in `buf` (32 bytes); returns buf. */
char *folio_en16931_amount(long long cents, char *buf);

/* Whether a VAT row writes an exemption reason or code (not S/Z/L/M). */
int folio_en16931_exempt(const struct folio_en_vat *v);

/*
 * An XML writer that remembers a failed append (out of memory), so a
 * document is either whole or reported: `bad` is set and stays set.
 */
struct folio_xw {
	struct folio_strbuf sb;
	int bad;
};

void folio_xw_adds(struct folio_xw *w, const char *s);
void folio_xw_addf(struct folio_xw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `s` with XML's special characters escaped */
void folio_xw_esc(struct folio_xw *w, const char *s);
/* <tag>text</tag> when text is not NULL or empty */
void folio_xw_elem(struct folio_xw *w, const char *tag, const char *text);
/* One element per line of `text` (people's notes, BT-22), empty lines
 * left out; with `inner`, each line inside <inner> in <tag> (CII's
 * IncludedNote/Content). */
void folio_xw_lines(struct folio_xw *w, const char *tag, const char *inner, const char *text);
/* <NS:TAG schemeID="0088">id</NS:TAG>, without the scheme when it has none */
void folio_xw_id(struct folio_xw *w, const char *ns, const char *tag, const struct folio_en_id *id);

#endif
