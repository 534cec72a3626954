/*
 * Unit tests: till receipts - the gross total among its decoys (VAT
 * summary, subtotal, cash and change, tips) and the date beside the time,
 * on text as folio's OCR reads photographed receipts (tests/bench/receipts.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "t.h"

/* An OCR page: `text` as lines, each word placed on its line, 8 units a
 * character, lines 20 apart, as a narrow receipt's single column. */
static struct folio_doc *ocr_doc(const char *text)
{
	struct folio_doc *d = folio_doc_new("receipt.jpg", NULL, 0);
	struct folio_page *pg = folio_doc_add_page(d);
	char *copy = strdup(text), *line, *save = NULL;
	int r = 0;

	pg->source = FOLIO_SRC_OCR;
	pg->width = 600;
	pg->height = 1600;
	pg->dpi = 300;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), r++) {
		char *w, *s2 = NULL;
		int x = 20;

		for (w = strtok_r(line, " ", &s2); w; w = strtok_r(NULL, " ", &s2)) {
			int len = (int)strlen(w);

			folio_page_add_word(pg, w, x, 40 + r * 20, len * 8, 14, 0.9f, r);
			x += len * 8 + 8;
		}
	}
	free(copy);
	folio_page_set_text(pg, text);
	return d;
}

static const char *val(const struct folio_doc *d, const char *name)
{
	const struct folio_field *f = folio_doc_field(d, name);

	return f ? f->value : "(missing)";
}

static float conf(const struct folio_doc *d, const char *name)
{
	const struct folio_field *f = folio_doc_field(d, name);

	return f ? f->confidence : 0.0f;
}

static struct folio_doc *run(struct folio_extractor *x, const char *text)
{
	struct folio_doc *d = ocr_doc(text);
	struct folio_err err = { 0 };

	T_EQ_INT(folio_extract_doc(x, d, &err), FOLIO_OK);
	return d;
}

/* PL paragon: "SUMA PTU" is the VAT, "SUMA PLN" the total, the card pays it. */
static void test_pl(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "Stacja Paliw ORLEN nr 412\n"
				     "ul. Długa 5, 31-147 Kraków\n"
				     "NIP 437-019-13-65\n"
				     "2025-05-26 20:50\n"
				     "PARAGON FISKALNY\n"
				     "Nr paragonu 5/1926\n"
				     "Ser żółty 3 x5,70 17,10B\n"
				     "Kawa mielona 0.5 x8,37 4,18A\n"
				     "Pomidory 3,81A\n"
				     "jogurt natur. 3 x9,24 27,72A\n"
				     "SPRZEDAŻ OPODATKOWANA B 17,10\n"
				     "PTU B 8,00% 1,27\n"
				     "SPRZEDAŻ OPODATKOWANA A 35,71\n"
				     "PTU A 23,00% 6,68\n"
				     "SUMA PTU 7,95\n"
				     "SUMA PLN 52,81\n"
				     "Karta 52,81\n"
				     "Kwota 52,81\n"
				     "Ilość pozycji: 4\n"
				     "Kasjer nr 1\n"
				     "DZIĘKUJEMY ZA ZAKUPY\n");

	T_EQ_STR(val(d, "gross_total"), "52.81");
	T_OK(conf(d, "gross_total") >= 0.89f, "card and slip confirm the total: %.2f",
	     (double)conf(d, "gross_total"));
	T_EQ_STR(val(d, "issue_date"), "2025-05-26");
	folio_doc_free(d);
}

/* ES ticket paid in cash: EFECTIVO and CAMBIO are no totals; the return-by
 * date comes before the receipt's own, printed at the bottom. */
static void test_es_cash(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "Bar Restaurante El Faro\n"
				     "C/ Mayor 23, 28013 Madrid\n"
				     "NIF B64717838\n"
				     "FACTURA SIMPLIFICADA\n"
				     "Caña cerveza 2,20\n"
				     "2 x 1,80 3,60\n"
				     "Tostada 2,50\n"
				     "TOTAL € 8,30\n"
				     "IVA BASE CUOTA\n"
				     "10% 7,55 0,75\n"
				     "EFECTIVO 20,00\n"
				     "CAMBIO 11,70\n"
				     "Devoluciones hasta 04/04/2024\n"
				     "05/03/2024 14:22\n"
				     "GRACIAS POR SU VISITA\n");

	T_EQ_STR(val(d, "gross_total"), "8.30");
	T_OK(conf(d, "gross_total") >= 0.89f, "cash minus change confirms it: %.2f",
	     (double)conf(d, "gross_total"));
	T_EQ_STR(val(d, "issue_date"), "2024-03-05");
	folio_doc_free(d);
}

/* MY: "Total (incl. GST)" before rounding, the GST summary, then the
 * rounded total the cash and change agree with. */
static void test_my_rounding(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "99 SPEED MART S/B\n"
				     "GST ID: 000123456789\n"
				     "SIMPLIFIED TAX INVOICE\n"
				     "17-Feb-2023 18:07:36\n"
				     "2 MILO 1KG 37.80 SR\n"
				     "1 TEH TARIK 2.52 SR\n"
				     "Total Excl. GST 38.04\n"
				     "Total GST 2.28\n"
				     "Sub Total 40.32\n"
				     "Rounding Adj -0.02\n"
				     "Total (incl. GST) RM 40.30\n"
				     "GST Summary Amount(RM) Tax(RM)\n"
				     "SR @ 6% 38.04 2.28\n"
				     "CASH 50.00\n"
				     "CHANGE 9.70\n"
				     "THANK YOU. PLEASE COME AGAIN\n");

	T_EQ_STR(val(d, "gross_total"), "40.30");
	T_EQ_STR(val(d, "issue_date"), "2023-02-17");
	T_EQ_STR(val(d, "currency"), "MYR");
	folio_doc_free(d);
}

/* DE: a discount after the subtotal, a tip line and the total with it
 * (what was paid is not the receipt's total), read with OCR slips. */
static void test_de_tip(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "Gasthaus Zum Löwen\n"
				     "Königstraße 7, 70173 Stuttgart\n"
				     "Datum: 17.07.23 Uhrzeit: 09:34\n"
				     "Kassenbon\n"
				     "Schnitzel 14,90 A\n"
				     "Apfelschorle 3,20 B\n"
				     "Zwischensumme 18,10\n"
				     "Rabatt -1,50\n"
				     "SUMME EUR 16, 60\n"
				     "MwSt Netto Steuer Brutto\n"
				     "A 19% 11,26 2,14 13,40\n"
				     "EC-Karte 16,60\n"
				     "Trinkgeld 1,66\n"
				     "Gesamt inkl. Trinkgeld 18,26\n"
				     "Umtausch bis 16.08.23\n"
				     "Vielen Dank für Ihren Einkauf\n");

	T_EQ_STR(val(d, "gross_total"), "16.60");
	T_EQ_STR(val(d, "issue_date"), "2023-07-17");
	folio_doc_free(d);
}

/* The label misread ("T0TAL") and no other witness: a total still, less
 * sure; a card slip alone gives a weak one. */
static void test_misread(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "TESCO STORES LTD\n"
				     "Semi Skim Milk 1.15\n"
				     "Bananas Loose 0.93\n"
				     "T0TAL 2.08\n"
				     "VAT TOTAL 0.00\n"
				     "THANK YOU\n"
				     "CASHIER 12\n"
				     "05/03/24 14:22\n");

	T_EQ_STR(val(d, "gross_total"), "2.08");
	T_OK(conf(d, "gross_total") < 0.9f, "a lone label is not sure: %.2f",
	     (double)conf(d, "gross_total"));
	T_EQ_STR(val(d, "issue_date"), "2024-03-05");
	folio_doc_free(d);
}

/* Tesseract put the right-aligned amounts in a block of their own: the
 * text has the labels first and the amounts after; the words' boxes put
 * them side by side again. The change is no total. */
static void test_split_columns(struct folio_extractor *x)
{
	static const char *const left[] = { "CASH", "BILL",  NULL,   "Total", "(incl.",
					    "GST)", NULL,    "CASH", NULL,    "CHANGE",
					    NULL,   "THANK", "YOU",  NULL,    NULL };
	static const char *const right[] = { "", "RM 314.58", "330.00", "15.42", "" };
	struct folio_doc *d = folio_doc_new("receipt.jpg", NULL, 0);
	struct folio_page *pg = folio_doc_add_page(d);
	struct folio_err err = { 0 };
	int line = 0, k = 0, xw = 20;

	pg->source = FOLIO_SRC_OCR;
	pg->width = 600;
	pg->height = 400;
	pg->dpi = 300;
	for (; line < 5; line++, k++, xw = 20) {
		for (; left[k]; k++) {
			folio_page_add_word(pg, left[k], xw, 40 + line * 30, 60, 20, 0.9f, line);
			xw += 70;
		}
		if (*right[line]) {
			char buf[32], *w, *save = NULL;
			int xr = 420;

			snprintf(buf, sizeof(buf), "%s", right[line]);
			for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
				folio_page_add_word(pg, w, xr, 42 + line * 30, 60, 20, 0.9f,
						    10 + line);
				xr += 70;
			}
		}
	}
	folio_page_set_text(pg, "CASH BILL\nTotal (incl. GST)\nCASH\nCHANGE\nTHANK YOU\n\n"
				"RM 314.58\n330.00\n15.42\n");
	T_EQ_INT(folio_extract_doc(x, d, &err), FOLIO_OK);
	T_EQ_STR(val(d, "gross_total"), "314.58");
	T_OK(conf(d, "gross_total") >= 0.89f, "cash minus change confirms it: %.2f",
	     (double)conf(d, "gross_total"));
	folio_doc_free(d);
}

/* The total line lost its amount to OCR; cash minus change and subtotal
 * minus discount agree, and outweigh a VAT figure read as the gross. */
static void test_witnesses(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "Gasthaus Zum Löwen\n"
				     "05.08.2024 08:42\n"
				     "Beleg\n"
				     "Vollkornbrot 5,09 B\n"
				     "Zwischensumme 29,87\n"
				     "Rabatt -0,90\n"
				     "ZU ZAHLEN\n"
				     "Brutto 3,81\n"
				     "BAR 50,00\n"
				     "Rückgeld 21,03\n"
				     "Kartenzahlung nicht möglich\n");

	T_EQ_STR(val(d, "gross_total"), "28.97");
	folio_doc_free(d);
}

/* OCR's slips as folio read them on photos: a stray comma after the
 * amount, a label one letter off, the card line's amount lost. */
static void test_ocr_slips(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "Panaderia La Espiga\n"
				     "-08-2025 18:05:47\n"
				     "Tomate pera 7,26.\n"
				     "Agua 1,5L 4,29,\n"
				     "Tota1 (EUR) 27,26,\n"
				     "ASE CUOTA |\n"
				     "10,25 182\n"
				     "TARJETA CREDITO 27H\n"
				     "GRACIAS POR SU VISITA\n");

	T_EQ_STR(val(d, "gross_total"), "27.26");
	folio_doc_free(d);
	d = run(x, "Pingo Doce\n"
		   "Subtotal 186,64\n"
		   "Tola 19664\n"
		   "Numerario 200,00\n"
		   "Obrigado pela preferência\n");
	T_EQ_STR(val(d, "gross_total"), "186.64");
	T_OK(conf(d, "gross_total") < 0.6f, "a subtotal alone is a guess: %.2f",
	     (double)conf(d, "gross_total"));
	folio_doc_free(d);
}

/* A total line whose amount OCR misread by one digit, put right by the
 * receipt's own arithmetic (texts as folio read benchmark photos). */
static void test_arithmetic(struct folio_extractor *x)
{
	/* the VAT rows add up to 27,26; "TOTAL" printed 21,26 */
	struct folio_doc *d = run(x, "Bar El Faro\n"
				     "Ticket 12/2025 10:11\n"
				     "1 Tomate pera 7,26\n"
				     "TOTAL (EUR) 21,26\n"
				     "21% 7,21 1,52\n"
				     "10% 10,25 1,02\n"
				     "% 6,98 0,28\n"
				     "GRACIAS POR SU VISITA\n");

	T_EQ_STR(val(d, "gross_total"), "27.26");
	T_OK(conf(d, "gross_total") < 0.9f, "a corrected total stays under 0.9: %.2f",
	     (double)conf(d, "gross_total"));
	folio_doc_free(d);
	/* 914.58 printed; the GST row and cash minus change say 314.58 */
	d = run(x, "MYDIN MART SDN BHD\n"
		   "2 SUGAR 1KG 199.20 SR\n"
		   "SR @ 6% 296.77 17.81\n"
		   "Total GST 17.81\n"
		   "Total (incl. GST) 914.58\n"
		   "CASH 330.00\n"
		   "CHANGE 15.42\n");
	T_EQ_STR(val(d, "gross_total"), "314.58");
	folio_doc_free(d);
	/* no total line: a later subtotal with the rounding, and cash minus
	 * change, agree (the first subtotal is before the discount) */
	d = run(x, "99 SPEED MART\n"
		   "Sub Total 508.60\n"
		   "Discount -4.26\n"
		   "Total GST 28.55\n"
		   "Sub Total 504.34\n"
		   "Rounding Adj 0.01\n"
		   "CASH 520.00\n"
		   "CHANGE 15.65\n");
	T_EQ_STR(val(d, "gross_total"), "504.35");
	folio_doc_free(d);
	/* a discount under no label: "-0,82" after the subtotal */
	d = run(x, "EDEKA Müller\n"
		   "Beleg\n"
		   "Zwischensumme 72,90\n"
		   "-0,82\n"
		   "SUMME EUR 72,08\n"
		   "Rückgeld 17,92\n");
	T_EQ_STR(val(d, "gross_total"), "72.08");
	T_OK(conf(d, "gross_total") >= 0.7f, "label and subtotal agree: %.2f",
	     (double)conf(d, "gross_total"));
	folio_doc_free(d);
	/* a printed total with its witness is not "corrected" by a stray
	 * VAT sum one digit away (12,18) */
	d = run(x, "Bar Sol\n"
		   "Ticket 1\n"
		   "TOTAL 12,10\n"
		   "TARJETA 12,10\n"
		   "10% 11,00 1,10\n"
		   "21% 0,07 0,01\n");
	T_EQ_STR(val(d, "gross_total"), "12.10");
	folio_doc_free(d);
	/* the subtotal with a digit doubled (271,26) and the VAT rows
	 * (27,26) both one edit from "TOTAL 21,26": the misread digit wins */
	d = run(x, "Bar El Faro\n"
		   "Ticket 12/2025 10:11\n"
		   "SUBTOTAL 271,26\n"
		   "TOTAL (EUR) 21,26\n"
		   "21% 7,21 1,52\n"
		   "10% 10,25 1,02\n"
		   "4% 6,98 0,28\n");
	T_EQ_STR(val(d, "gross_total"), "27.26");
	folio_doc_free(d);
	/* a card line's amount with a digit lost is no witness against the
	 * printed total; a card line one misread digit off is */
	d = run(x, "Gasthaus Zum Löwen\n"
		   "Kassenbon\n"
		   "GESAMT € 58,44\n"
		   "Kartenzahlung 5,84\n");
	T_EQ_STR(val(d, "gross_total"), "58.44");
	folio_doc_free(d);
	d = run(x, "MYDIN MART SDN BHD\n"
		   "RECEIPT\n"
		   "Total (incl. GST) 566,58\n"
		   "MASTERCARD 566.50\n"
		   "Total Qty: 4\n");
	T_EQ_STR(val(d, "gross_total"), "566.50");
	folio_doc_free(d);
	/* the total line lost its decimal comma; the VAT row and cash minus
	 * change (its amount followed by OCR's "|") agree */
	d = run(x, "Marienplatz 3, 80331 München\n"
		   "17.04.2024 09:35\n"
		   "|GESAMT € 5342|\n"
		   "A19% 44,89 8,53 53,42\n"
		   "BAR 70,00\n"
		   "Rückgeld 16,58 |\n");
	T_EQ_STR(val(d, "gross_total"), "53.42");
	folio_doc_free(d);
	/* the rounded total's amount unreadable: the card line's amount, not
	 * the pre-tax sales line the layout reader took ("106. 72") */
	d = run(x, "MYDIN MART SDN BHD\n"
		   "RECEIPT\n"
		   "Total Sales (Excluding GST) 106. 72\n"
		   "Discount -0.83\n"
		   "ROUNDED TOTAL (RM) RM 105. B9\n"
		   "DEBIT CARD 105.89 |\n");
	T_EQ_STR(val(d, "gross_total"), "105.89");
	folio_doc_free(d);
}

/* An invoice with no receipt words is left to the layout reader. */
static void test_not_receipt(void)
{
	struct folio_doc *d = ocr_doc("Faktura VAT nr 12/2024\n"
				      "Data wystawienia 14.03.2024\n"
				      "Razem 100,00\n"
				      "Termin płatności 28.03.2024\n");
	struct folio_cands cs = { 0 };

	T_EQ_INT(folio_receipt_extract(d, &cs), 0);
	T_EQ_INT((long long)cs.n, 0);
	folio_cands_free(&cs);
	folio_doc_free(d);
}

/* OCR's digit look-alikes in the date of a photo: a blurred 0 read as 6
 * or (R), a 1 as l. Beside the time (or a date label) they are read as
 * the digits they resemble; a date-shaped number elsewhere is not
 * repaired, and a date as printed wins over a repaired one. */
static void test_date_repair(struct folio_extractor *x)
{
	struct folio_doc *d = run(x, "Supermercados DIA\n"
				     "TOTAL 36,02\n"
				     "EFECTIVO 50,00\n"
				     "CAMBIO 13,98\n"
				     "07/63/23 13:36\n");

	T_EQ_STR(val(d, "issue_date"), "2023-03-07");
	folio_doc_free(d);
	d = run(x, "POPULAR BOOK CO (M) SDN BHD\n"
		   "Date: 16-\xc2\xae"
		   "3-2024 Time: 08:27:53\n"
		   "NOTEBOOK A5 2 x 17.86 35.72\n"
		   "TOTAL 85.22\n"
		   "CASH 100.00\n"
		   "CHANGE 14.78\n");
	T_EQ_STR(val(d, "issue_date"), "2024-03-16");
	folio_doc_free(d);
	d = run(x, "Bar Sol\n"
		   "Ref 12/6l/24\n"
		   "Cafe 2 x 2,50 5,00\n"
		   "TOTAL 5,00\n"
		   "EFECTIVO 10,00\n"
		   "CAMBIO 5,00\n");
	T_EQ_STR(val(d, "issue_date"), "(missing)");
	folio_doc_free(d);
	d = run(x, "Bar Sol\n"
		   "12/O3/24 10:00\n"
		   "Cafe 2 x 2,50 5,00\n"
		   "TOTAL 5,00\n"
		   "EFECTIVO 10,00\n"
		   "CAMBIO 5,00\n"
		   "12/04/24 10:05\n");
	T_EQ_STR(val(d, "issue_date"), "2024-04-12");
	folio_doc_free(d);
	/* alone, the repaired date is the receipt's */
	d = run(x, "Bar Sol\n"
		   "12/O3/24 10:00\n"
		   "Cafe 2 x 2,50 5,00\n"
		   "TOTAL 5,00\n"
		   "EFECTIVO 10,00\n"
		   "CAMBIO 5,00\n");
	T_EQ_STR(val(d, "issue_date"), "2024-03-12");
	folio_doc_free(d);
	/* a year-first short date, its long form printed beside a misread
	 * time: the long form says how to read it */
	d = run(x, "Kasjer nr 7\n"
		   "PARAGON FISKALNY\n"
		   "23-04-20 08:47\n"
		   "Kasjer nr 7 2023-04-20 08:+.\n");
	T_EQ_STR(val(d, "issue_date"), "2023-04-20");
	folio_doc_free(d);
	/* alone it stays day first */
	d = run(x, "Kasjer nr 7\n"
		   "PARAGON FISKALNY\n"
		   "23-04-20 08:47\n");
	T_EQ_STR(val(d, "issue_date"), "2020-04-23");
	folio_doc_free(d);
}

int main(void)
{
	struct folio_extract_opts o = { "models/labels.tsv", 0.6f };
	struct folio_err err = { 0 };
	struct folio_extractor *x = folio_extractor_new(&o, &err);

	T_OK(x != NULL, "load the shipped lexicon: %s", err.msg);
	if (!x)
		return t_done();
	test_pl(x);
	test_es_cash(x);
	test_my_rounding(x);
	test_de_tip(x);
	test_misread(x);
	test_date_repair(x);
	test_split_columns(x);
	test_witnesses(x);
	test_ocr_slips(x);
	test_arithmetic(x);
	test_not_receipt();
	folio_extractor_free(x);
	return t_done();
}
