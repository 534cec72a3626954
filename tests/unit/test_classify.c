/* Unit tests: document-type rules (models/doctype.rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/classify.h"
#include "folio/simhash.h"
#include "t.h"

static const char *type_of(struct folio_classifier *c, const char *text, char *reason, size_t rlen)
{
	static char type[32];
	struct folio_doc *d = folio_doc_new("x", NULL, 0);
	struct folio_err err = { 0 };

	folio_strbuf_adds(&d->text, text);
	T_EQ_INT(folio_classify_doc(c, d, &err), FOLIO_OK);
	snprintf(type, sizeof(type), "%s", d->doc_type);
	if (reason)
		snprintf(reason, rlen, "%s", d->type_reason);
	T_OK(d->type_conf >= 0 && d->type_conf <= 1, "confidence in range");
	folio_doc_free(d);
	return type;
}

int main(void)
{
	struct folio_err err = { 0 };
	struct folio_classifier *c = folio_classify_load("models/doctype.rules", &err);
	char reason[128], path[] = "/tmp/folio-test-rules-XXXXXX";
	FILE *f;
	int fd;

	T_OK(c != NULL, "load shipped rules: %s", err.msg);
	if (!c)
		return t_done();
	T_EQ_STR(type_of(c, "FAKTURA VAT nr 1/2024\nNIP 123", reason, sizeof(reason)), "invoice");
	T_EQ_STR(reason, "rule: 'faktura vat'");
	T_EQ_STR(type_of(c, "Faktura korygująca do faktury VAT 12/2024", reason, sizeof(reason)),
		 "credit_note");
	T_EQ_STR(reason, "rule: 'faktura korygujaca'");
	T_EQ_STR(type_of(c, "FACTURA RECTIFICATIVA\nBase imponible IVA", NULL, 0), "credit_note");
	T_EQ_STR(type_of(c, "Nota di credito n. 4\nImponibile", NULL, 0), "credit_note");
	T_EQ_STR(type_of(c, "Factura proforma\nIVA 21%", NULL, 0), "proforma");
	T_EQ_STR(type_of(c, "Fatura n.º FT 2024/1\nContribuinte", NULL, 0), "invoice");
	T_EQ_STR(type_of(c, "Fattura n. 12\nPartita IVA", NULL, 0), "invoice");
	/* the page's title wins over the words of the rest (an e-invoice print
	 * names contracts, orders and forms in its notes) */
	T_EQ_STR(type_of(c,
			 "FATTURA ELETTRONICA\nVersione FPR12\nDati dell'ordine di acquisto\n"
			 "contratto\ncontratto\nmodulo",
			 reason, sizeof(reason)),
		 "invoice");
	T_EQ_STR(reason, "title 'fattura'");
	T_EQ_STR(type_of(c, "RECHNUNG\nGutschrift erfolgt im Vertrag\nVertrag", NULL, 0),
		 "invoice");
	/* a printed EN 16931 type code */
	T_EQ_STR(type_of(c, "Übersicht\nRechnungsdaten\nRechnungsart:\n381\nVertrag", reason,
			 sizeof(reason)),
		 "credit_note");
	T_EQ_STR(reason, "type code 381");
	T_EQ_STR(type_of(c, "Overview\nInvoice type code: 380\nContract", NULL, 0), "invoice");
	T_EQ_STR(type_of(c, "FORMULARZ ZGŁOSZENIOWY\nImię i nazwisko\nPodpis", NULL, 0), "form");
	T_EQ_STR(type_of(c, "Modulo di richiesta\nFirma del richiedente", NULL, 0), "form");
	T_EQ_STR(type_of(c, "Lieferschein Nr. 5", NULL, 0), "delivery_note");
	T_EQ_STR(type_of(c, "Umowa najmu lokalu", NULL, 0), "contract");
	T_EQ_STR(type_of(c, "Lorem ipsum dolor sit amet", reason, sizeof(reason)), "other");
	T_EQ_STR(reason, "no rule matched");
	T_EQ_STR(type_of(c, "", NULL, 0), "other");
	/* keywords match whole words only: "iva" is not in "derivative" */
	T_EQ_STR(type_of(c, "derivative novation", NULL, 0), "other");
	folio_classify_free(c);

	/* malformed rules are refused with file:line */
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "# ok\ninvoice 3 faktura\nform x formularz\n");
	fclose(f);
	c = folio_classify_load(path, &err);
	T_OK(c == NULL, "bad weight refused");
	T_CONTAINS(err.msg, ":3:");
	c = folio_classify_load("/nonexistent/rules", &err);
	T_OK(c == NULL, "missing file");
	T_CONTAINS(err.msg, "cannot open rules");
	unlink(path);
	folio_classify_free(NULL);

	/* tag rules */
	{
		char tpath[] = "/tmp/folio-test-tags-XXXXXX";
		struct folio_tagger *tg;
		struct folio_doc *doc;
		int tfd = mkstemp(tpath);
		FILE *tf = fdopen(tfd, "w");

		fprintf(tf,
			"# tags\nfuel   orlen|repsol|galp|eni\nlodz   łódź\nbig    total: [0-9]{5}\n");
		fclose(tf);
		tg = folio_tagger_load(tpath, &err);
		T_OK(tg != NULL, "tag rules: %s", err.msg);
		doc = folio_doc_new("x", NULL, 0);
		folio_strbuf_adds(&doc->text, "Stacja ORLEN nr 12, Łódź, total: 12345");
		T_EQ_INT(folio_tagger_apply(tg, doc, &err), FOLIO_OK);
		T_EQ_INT(doc->ntags, 3);
		folio_doc_free(doc);
		doc = folio_doc_new("y", NULL, 0);
		folio_strbuf_adds(&doc->text, "Generalitat de Catalunya");
		T_EQ_INT(folio_tagger_apply(tg, doc, &err), FOLIO_OK);
		T_EQ_INT(doc->ntags, 0);
		folio_doc_free(doc);
		folio_tagger_free(tg);
		tf = fopen(tpath, "w");
		fprintf(tf, "ok fine\nbad (unclosed\n");
		fclose(tf);
		T_OK(folio_tagger_load(tpath, &err) == NULL, "bad expression refused");
		T_CONTAINS(err.msg, ":2: bad expression");
		tf = fopen(tpath, "w");
		fprintf(tf, "lonely\n");
		fclose(tf);
		T_OK(folio_tagger_load(tpath, &err) == NULL, "tag without expression refused");
		unlink(tpath);
	}

	/* SimHash: the same text with OCR noise stays near, other texts do not */
	{
		const char *a =
			"Faktura VAT nr FV/2024/03/0147 Drukarnia Wróbel Sp. z o.o. "
			"ul. Piotrkowska 212 90-368 Łódź NIP 7251801126 Nabywca Księgarnia "
			"Pod Świerkiem S.A. ul. Źródlana 17 31-553 Kraków Lp. Nazwa towaru "
			"Ilość Cena netto Wartość netto VAT Kwota VAT Wartość brutto Do zapłaty "
			"8 546,04 PLN Numer rachunku PL29 1020 3453 0000 9602 0123 4567";
		const char *b =
			"Faktura VAT nr FV/2O24/03/0147 Drukarnia Wrobel Sp. z o.o. "
			"ul. Piotrkowska 212 90-368 Lódź NIP 7251801126 Nabywca Księgarnia "
			"Pod Świerkiem S.A. ul. Źródlana 17 31-553 Kraków Lp. Nazwa towaru "
			"Ilość Cena netto Wartość netto VAT Kwota VAT Wartość brutto Do zapłaty "
			"8 546,04 PLN Numer rachunku PL29 1020 3453 0000 9602 0123 4567";
		const char *other =
			"Fattura n. 12 Torrefazione Aurora S.r.l. Via Garibaldi 8 Torino "
			"Partita IVA 00743110157 Cliente Bar Centrale Imponibile 1.200,00 IVA "
			"22% 264,00 Totale documento 1.464,00 EUR Modalità di pagamento "
			"bonifico bancario IBAN IT60X0542811101000000123456 scadenza 30 giorni";

		T_OK(folio_simhash_distance(folio_simhash(a), folio_simhash(b)) <=
			     FOLIO_SIMHASH_NEAR,
		     "OCR noise: %d bits",
		     folio_simhash_distance(folio_simhash(a), folio_simhash(b)));
		T_OK(folio_simhash_distance(folio_simhash(a), folio_simhash(other)) >
			     2 * FOLIO_SIMHASH_NEAR,
		     "different invoices: %d bits",
		     folio_simhash_distance(folio_simhash(a), folio_simhash(other)));
		T_EQ_INT(folio_simhash("Faktura VAT nr 1"), 0);
		T_EQ_INT(folio_simhash(NULL), 0);
		T_EQ_INT(folio_simhash_distance(0xffULL, 0x0fULL), 4);
	}
	return t_done();
}
