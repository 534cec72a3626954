/*
 * einvoice_fatturapa.c - the FatturaPA 1.2 reader of folio_einvoice_parse() (see einvoice.c
 * for what every reader reads and how).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "folio/util.h"
#include "folio/extract.h"
#include "folio/strbuf.h"
#include "einvoice_private.h"

/* ---- FatturaPA ----------------------------------------------------------- */

/*
 * The UNCL5305 category of a FatturaPA summary or line: without a Natura
 * a rate above zero is standard; N3.1 (exports) G, N3.2 (intra-community
 * supplies) K, the other N3.x (non imponibili: San Marino, treated as
 * exports, declarations of intent) and N4 (esenti) and N5 (margin scheme,
 * VAT not shown) E, N6.x (inversione contabile) AE, N1 (excluded by
 * art. 15), N2.x (non soggette) and N7 (VAT paid in another EU state) O.
 * E rather than Z for the plain N3.x: FatturaPA always gives a legal
 * reference, which EN 16931 forbids with Z (BR-Z-10) and asks for with E.
 */
const char *ei_fpa_category(const char *natura, const char *rate)
{
	struct dec d;

	if (!natura)
		return rate && !ei_dec_parse(rate, &d) && d.units > 0 ? "S" : NULL;
	if (!strcmp(natura, "N3.1"))
		return "G";
	if (!strcmp(natura, "N3.2"))
		return "K";
	if (!strncmp(natura, "N3", 2) || !strcmp(natura, "N4") || !strcmp(natura, "N5"))
		return "E";
	if (!strncmp(natura, "N6", 2))
		return "AE";
	if (!strcmp(natura, "N1") || !strncmp(natura, "N2", 2) || !strcmp(natura, "N7"))
		return "O";
	return NULL;
}

/* `who`_country and `who`_address of a FatturaPA address (Sede,
 * IndirizzoResa). */
static void fpa_address(struct rd *r, xmlNode *sede, const char *who)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT, part = FOLIO_STRBUF_INIT;
	char name[32], *s;

	snprintf(name, sizeof(name), "%s_country", who);
	s = ei_text_at(r, sede, "Nazione");
	ei_emit_country(r, name, s);
	free(s);
	/* "Via Roma 1, 00100 Roma, RM": the street and its number make one
	 * line */
	ei_join_take(r, &part, " ", ei_text_at(r, sede, "Indirizzo"));
	ei_join_take(r, &part, " ", ei_text_at(r, sede, "NumeroCivico"));
	if (part.len)
		ei_join_take(r, &sb, ", ", folio_strbuf_detach(&part));
	ei_join_take(r, &part, " ", ei_text_at(r, sede, "CAP"));
	ei_join_take(r, &part, " ", ei_text_at(r, sede, "Comune"));
	if (part.len)
		ei_join_take(r, &sb, ", ", folio_strbuf_detach(&part));
	ei_join_take(r, &sb, ", ", ei_text_at(r, sede, "Provincia"));
	snprintf(name, sizeof(name), "%s_address", who);
	if (sb.len)
		ei_emit(r, name, sb.buf, NULL);
	folio_strbuf_release(&part);
	folio_strbuf_release(&sb);
}

static void fpa_party(struct rd *r, xmlNode *hdr, const char *tag, const char *who)
{
	xmlNode *da, *sede;
	char path[128], name[32], *s, *c, *nome, *cognome;

	snprintf(path, sizeof(path), "%s/Sede", tag);
	if ((sede = ei_find(r, hdr, path)))
		fpa_address(r, sede, who);
	snprintf(path, sizeof(path), "%s/DatiAnagrafici", tag);
	if (!(da = ei_find(r, hdr, path)))
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	s = ei_text_at(r, da, "Anagrafica/Denominazione");
	if (s) {
		ei_emit(r, name, s, NULL);
	} else {
		struct folio_strbuf full = FOLIO_STRBUF_INIT;

		nome = ei_text_at(r, da, "Anagrafica/Nome");
		cognome = ei_text_at(r, da, "Anagrafica/Cognome");
		if ((nome && folio_strbuf_adds(&full, nome)) ||
		    (nome && cognome && folio_strbuf_addch(&full, ' ')) ||
		    (cognome && folio_strbuf_adds(&full, cognome)))
			r->nomem = 1;
		else if (full.len)
			ei_emit(r, name, full.buf, NULL);
		folio_strbuf_release(&full);
		free(nome);
		free(cognome);
	}
	free(s);

	snprintf(name, sizeof(name), "%s_tax_id", who);
	s = ei_text_at(r, da, "IdFiscaleIVA/IdCodice");
	if (s) {
		c = ei_text_at(r, da, "IdFiscaleIVA/IdPaese");
		ei_emit_taxid(r, name, s, c);
		free(c);
		/* BT-32: the seller's Codice Fiscale, when it is not the
		 * Partita IVA again (a company's usually is) */
		c = !strcmp(who, "seller") ? ei_text_at(r, da, "CodiceFiscale") : NULL;
		if (c && strcmp(c, s))
			ei_emit(r, "seller_tax_registration", c, NULL);
		free(c);
	} else if ((s = ei_text_at(r, da, "CodiceFiscale"))) {
		ei_emit_cf(r, name, s);
	}
	free(s);
}

/* The type, number, dates and currency of the (first) body and the two
 * parties of the header. */
static void fpa_header(struct rd *r, xmlNode *hdr, xmlNode *body, xmlNode *dg, xmlNode *dgd)
{
	char *s;

	s = ei_text_at(r, dgd, "TipoDocumento");
	ei_emit(r, "doc_type",
		s && (!strcmp(s, "TD04") || !strcmp(s, "TD08")) ? "credit_note" : "invoice", s);
	free(s);
	ei_emit_text(r, "invoice_number", dgd, "Numero");
	ei_emit_date(r, "issue_date", dgd, "Data");
	ei_emit_date(r, "supply_date", dg, "DatiTrasporto/DataOraConsegna");
	ei_emit_date(r, "due_date", body, "DatiPagamento/DettaglioPagamento/DataScadenzaPagamento");
	ei_emit_text(r, "currency", dgd, "Divisa");
	fpa_party(r, hdr, "CedentePrestatore", "seller");
	fpa_party(r, hdr, "CessionarioCommittente", "buyer");
}

/* The DatiRiepilogo entries into `j` (vat_breakdown); net_total and
 * vat_total are their sums when every amount reads. */
static void fpa_breakdown(struct rd *r, xmlNode *body, struct jobj *j)
{
	xmlNode **v;
	char nb[48], *a, *b, *c, *d, *e;
	struct vat_cat vc;
	struct dec net = { 0, 0 }, vat = { 0, 0 }, x;
	int net_ok = 0, vat_ok = 0, bad = 0;
	size_t n, i;

	n = ei_find_all(r, body, "DatiBeniServizi/DatiRiepilogo", &v);
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, v[i], "AliquotaIVA");
		b = ei_text_at(r, v[i], "ImponibileImporto");
		c = ei_text_at(r, v[i], "Imposta");
		if (b && !ei_dec_parse(b, &x) && !ei_dec_add(&net, &x))
			net_ok = 1;
		else
			bad = 1;
		if (c && !ei_dec_parse(c, &x) && !ei_dec_add(&vat, &x))
			vat_ok = 1;
		else if (c)
			bad = 1;
		d = ei_text_at(r, v[i], "Natura");
		e = ei_text_at(r, v[i], "RiferimentoNormativo");
		vc.category = ei_fpa_category(d, a);
		vc.reason = e;
		vc.code = NULL;
		ei_breakdown_add(j, a, 1, b, c, &vc);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
	}
	free(v);
	if (net_ok && !bad)
		ei_emit(r, "net_total", ei_dec_format(&net, 2, nb, sizeof(nb)), NULL);
	if (vat_ok && !bad)
		ei_emit(r, "vat_total", ei_dec_format(&vat, 2, nb, sizeof(nb)), NULL);
}

/* amount_due: installments (TP01) add up; otherwise several details are
 * alternative ways to pay the same amount, and the first counts. */
static void fpa_amount_due(struct rd *r, xmlNode *body)
{
	xmlNode *pay, **v;
	char *s, *cond, nb[48];
	struct dec due = { 0, 0 }, x;
	int due_ok = 0, due_bad = 0;
	size_t n, i;

	pay = ei_find(r, body, "DatiPagamento");
	cond = ei_text_at(r, pay, "CondizioniPagamento");
	n = ei_find_all(r, pay, "DettaglioPagamento/ImportoPagamento", &v);
	for (i = 0; i < n; i++) {
		s = ei_text(r, v[i]);
		if (s && !ei_dec_parse(s, &x) && !ei_dec_add(&due, &x))
			due_ok = 1;
		else
			due_bad = 1;
		free(s);
		if (!cond || strcmp(cond, "TP01"))
			break;
	}
	free(v);
	free(cond);
	if (due_ok && !due_bad)
		ei_emit(r, "amount_due", ei_dec_format(&due, 2, nb, sizeof(nb)), NULL);
}

/* The first valid IBAN of the payment details, the order, the invoice
 * this one refers to and the delivery address. */
static void fpa_references(struct rd *r, xmlNode *body, xmlNode *dg)
{
	xmlNode **v, *fc;
	char *s, ib[40];
	size_t n, i;

	n = ei_find_all(r, body, "DatiPagamento/DettaglioPagamento/IBAN", &v);
	for (i = 0; i < n; i++) {
		s = ei_text(r, v[i]);
		if (!ei_norm_iban(s, 0, ib)) {
			ei_emit(r, "iban", ib, s);
			free(s);
			break;
		}
		free(s);
	}
	free(v);
	ei_emit_text(r, "order_reference", dg, "DatiOrdineAcquisto/IdDocumento");
	fc = ei_find(r, dg, "DatiFattureCollegate");
	ei_emit_text(r, "preceding_invoice_number", fc, "IdDocumento");
	ei_emit_date(r, "preceding_invoice_date", fc, "Data");
	/* where the goods went (BT-75..80) */
	if ((fc = ei_find(r, dg, "DatiTrasporto/IndirizzoResa")))
		fpa_address(r, fc, "delivery");
}

/* lines: the DettaglioLinee of the body. */
static void fpa_lines(struct rd *r, xmlNode *body)
{
	xmlNode **lv;
	char *a, *b, *c, *d, *e, *f, *g;
	struct jobj j;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, body, "DatiBeniServizi/DettaglioLinee", &lv);
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, lv[i], "Descrizione");
		b = ei_text_at(r, lv[i], "Quantita");
		c = ei_text_at(r, lv[i], "UnitaMisura");
		d = ei_text_at(r, lv[i], "PrezzoUnitario");
		e = ei_text_at(r, lv[i], "PrezzoTotale");
		f = ei_text_at(r, lv[i], "AliquotaIVA");
		g = ei_text_at(r, lv[i], "Natura");
		ei_line_add(&j, a, b, c, d, e, f, 0, ei_fpa_category(g, f));
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
		free(g);
	}
	free(lv);
	ei_jemit(&j, "lines");
}

void ei_fpa(struct rd *r, xmlNode *root)
{
	xmlNode *hdr, *body, *dg, *dgd, **v;
	char note[128];
	struct jobj j;
	size_t nbody;

	hdr = ei_find(r, root, "FatturaElettronicaHeader");
	nbody = ei_find_all(r, root, "FatturaElettronicaBody", &v);
	body = nbody ? v[0] : NULL;
	free(v);
	dg = ei_find(r, body, "DatiGenerali");
	dgd = ei_find(r, dg, "DatiGeneraliDocumento");

	fpa_header(r, hdr, body, dg, dgd);
	ei_jinit(&j, r);
	fpa_breakdown(r, body, &j);
	ei_emit_amount(r, "gross_total", dgd, "ImportoTotaleDocumento");
	fpa_amount_due(r, body);
	fpa_references(r, body, dg);
	/* the breakdown follows the totals and references, as it always
	 * has: the candidates keep their order */
	ei_jemit(&j, "vat_breakdown");
	fpa_lines(r, body);

	if (nbody > 1) {
		snprintf(note, sizeof(note),
			 "FatturaPA file holds %zu invoices; only the first was read", nbody);
		ei_emit(r, "review", note, NULL);
	}
}
