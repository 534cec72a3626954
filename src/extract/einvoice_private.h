/*
 * einvoice_private.h - what the e-invoice readers share: the reader's
 * state, tree access by namespaced paths, exact decimals, the emitting of
 * candidates and of the JSON lists, and each format's reader.
 *
 *   einvoice.c            detection, limits, tree access, values, emitting,
 *                         the entry point folio_einvoice_parse()
 *   einvoice_ubl.c        UBL 2.1 Invoice and CreditNote
 *   einvoice_cii.c        UN/CEFACT CII D16B and ZUGFeRD 1
 *   einvoice_fatturapa.c  FatturaPA 1.2
 *   einvoice_ksef.c       KSeF FA(2) and FA(3)
 */
#ifndef FOLIO_EINVOICE_PRIVATE_H
#define FOLIO_EINVOICE_PRIVATE_H

#include <stddef.h>

#include <libxml/tree.h>

#include "folio/extract.h"
#include "folio/strbuf.h"

struct nsmap {
	const char *prefix;
	const char *uri;
};

struct rd {
	const struct nsmap *ns;
	struct folio_cands *out;
	int nomem;
};

/* An exact decimal: units / 10^scale. */
struct dec {
	long long units;
	int scale;
};

/* JSON object builder for vat_breakdown and lines: only present keys. */
struct jobj {
	struct folio_strbuf sb;
	size_t items;
	int fields;
	struct rd *r;
};

/* What a breakdown entry or a line says about its VAT beyond the rate:
 * the UNCL5305 category and, for exempt entries, the reason and its
 * VATEX code. Any may be NULL. */
struct vat_cat {
	const char *category, *reason, *code;
};

/* Raw texts of one document-level allowance or charge (any may be NULL). */
struct charge {
	char *indicator, *amount, *base, *percent, *reason, *code, *rate, *category;
};

/* The element names that differ between CII D16B and ZUGFeRD 1.0. */
struct cii_names {
	const char *doc, *trans, *agreement, *delivery, *settlement, *summation, *percent;
	const char *order_id;
	const char *l_agreement, *l_delivery, *l_settlement, *l_summation;
};

char *ei_attr(struct rd *r, const xmlNode *n, const char *name);
void ei_breakdown_add(struct jobj *j, const char *rate, int rate_is_num, const char *net,
		      const char *vat, const struct vat_cat *vc);
void ei_charge_add(struct jobj *j, const struct charge *c, const char *kind);
void ei_charge_free(struct charge *c);
void ei_emit(struct rd *r, const char *name, const char *value, const char *raw);
void ei_emit_address(struct rd *r, const char *name, xmlNode *addr, const char *const *streets,
		     const char *pc, const char *city, const char *region);
void ei_emit_amount(struct rd *r, const char *name, xmlNode *n, const char *path);
void ei_emit_amount_node(struct rd *r, const char *name, xmlNode *node);
void ei_emit_cii_date(struct rd *r, const char *name, xmlNode *n, const char *path);
void ei_emit_country(struct rd *r, const char *name, const char *raw);
void ei_emit_id(struct rd *r, const char *name, xmlNode *node);
void ei_emit_nonzero(struct rd *r, const char *name, xmlNode *n, const char *path);
void ei_emit_taxid(struct rd *r, const char *name, const char *raw, const char *country);
void ei_emit_text(struct rd *r, const char *name, xmlNode *n, const char *path);
xmlNode *ei_find(const struct rd *r, xmlNode *n, const char *path);
size_t ei_find_all(struct rd *r, xmlNode *n, const char *path, xmlNode ***v);
xmlNode *ei_in_currency(struct rd *r, xmlNode **v, size_t n, const char *cur);
void ei_jemit(struct jobj *j, const char *name);
void ei_jinit(struct jobj *j, struct rd *r);
void ei_line_add(struct jobj *j, const char *desc, const char *qty, const char *unit,
		 const char *price, const char *net, const char *rate, int rate_word,
		 const char *category);
char *ei_text(struct rd *r, const xmlNode *n);
char *ei_text_at(struct rd *r, xmlNode *n, const char *path);
const char *ei_untdid_doc_type(const char *code);
int ei_dec_add(struct dec *a, const struct dec *b);
char *ei_dec_format(const struct dec *d, int min, char *buf, size_t n);
int ei_dec_parse(const char *s, struct dec *d);
void ei_emit_cf(struct rd *r, const char *name, const char *raw);
void ei_emit_date(struct rd *r, const char *name, xmlNode *n, const char *path);
void ei_join_take(struct rd *r, struct folio_strbuf *sb, const char *sep, char *s);
int ei_norm_iban(const char *raw, int nrb, char out[40]);
void ei_cii(struct rd *r, xmlNode *root, const struct cii_names *k);
void ei_fpa(struct rd *r, xmlNode *root);
const char *ei_fpa_category(const char *natura, const char *rate);
void ei_ksef(struct rd *r, xmlNode *root);
void ei_emit_account(struct rd *r, xmlNode **v, size_t n, const char *id_path, const char *alt_path,
		     const char *name_path, const char *bic_path, int bic_in_means);
void ei_ubl(struct rd *r, xmlNode *root, int credit);
extern const struct cii_names ei_cii_d16b;
extern const struct cii_names ei_cii_zf1;

#endif
