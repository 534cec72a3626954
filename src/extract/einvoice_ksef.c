/*
 * einvoice_ksef.c - the KSeF FA(2) and FA(3) reader of folio_einvoice_parse() (see einvoice.c
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

/* ---- KSeF FA(2)/FA(3) ----------------------------------------------------- */

static const char *const ksef_streets[] = { "AdresL1", "AdresL2", NULL };

static void ksef_party(struct rd *r, xmlNode *root, const char *tag, const char *who)
{
	xmlNode *id, *adr;
	char path[64], name[32], *s, *c;

	snprintf(path, sizeof(path), "%s/Adres", tag);
	if ((adr = ei_find(r, root, path))) {
		snprintf(name, sizeof(name), "%s_country", who);
		s = ei_text_at(r, adr, "KodKraju");
		ei_emit_country(r, name, s);
		free(s);
		snprintf(name, sizeof(name), "%s_address", who);
		ei_emit_address(r, name, adr, ksef_streets, NULL, NULL, NULL);
	}
	snprintf(path, sizeof(path), "%s/DaneIdentyfikacyjne", tag);
	if (!(id = ei_find(r, root, path)))
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	ei_emit_text(r, name, id, "Nazwa");
	snprintf(name, sizeof(name), "%s_tax_id", who);
	if ((s = ei_text_at(r, id, "NIP"))) {
		ei_emit_taxid(r, name, s, "PL");
	} else if ((s = ei_text_at(r, id, "NrVatUE"))) {
		c = ei_text_at(r, id, "KodUE");
		ei_emit_taxid(r, name, s, c);
		free(c);
	} else if ((s = ei_text_at(r, id, "NrID"))) {
		c = ei_text_at(r, id, "KodKraju");
		ei_emit_taxid(r, name, s, c);
		free(c);
	}
	free(s);
}

/*
 * The UNCL5305 category of a KSeF line's P_12 word (FA(3) TStawkaPodatku;
 * FA(2) has a bare "0" and "np"), as the summary fields map below.
 */
static const char *ksef_line_category(const char *p12)
{
	/* clang-format off */
	static const struct {
		const char *word, *cat;
	} words[] = {
		{ "0 KR", "Z" }, { "0", "Z" }, { "0 WDT", "K" }, { "0 EX", "G" },
		{ "zw", "E" }, { "oo", "AE" }, { "np I", "O" }, { "np", "O" },
		{ "np II", "AE" },
	};
	/* clang-format on */
	struct dec d;
	size_t i;

	if (!p12)
		return NULL;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(p12, words[i].word))
			return words[i].cat;
	return !ei_dec_parse(p12, &d) && d.units > 0 ? "S" : NULL;
}

/*
 * The margin scheme (P_13_11) has no category of its own in EN 16931: it
 * is E with the VATEX code of the scheme the annotations flag (travel
 * agents, art. 119, have none; the words the invoice must carry are the
 * reason).
 */
static void ksef_margin(struct rd *r, xmlNode *fa, struct vat_cat *vc)
{
	/* clang-format off */
	static const struct {
		const char *flag, *code, *words;
	} schemes[] = {
		{ "P_PMarzy_2", NULL, "procedura marży dla biur podróży" },
		{ "P_PMarzy_3_1", "VATEX-EU-F", "procedura marży - towary używane" },
		{ "P_PMarzy_3_2", "VATEX-EU-I", "procedura marży - dzieła sztuki" },
		{ "P_PMarzy_3_3", "VATEX-EU-J",
		  "procedura marży - przedmioty kolekcjonerskie i antyki" },
	};
	/* clang-format on */
	char path[64], *s;
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		snprintf(path, sizeof(path), "Adnotacje/PMarzy/%s", schemes[i].flag);
		s = ei_text_at(r, fa, path);
		if (s && !strcmp(s, "1")) {
			vc->code = schemes[i].code;
			vc->reason = schemes[i].words;
			free(s);
			return;
		}
		free(s);
	}
}

/* The type, number, dates and currency of the document and its two
 * parties. */
static void ksef_header(struct rd *r, xmlNode *root, xmlNode *fa)
{
	char *s;

	s = ei_text_at(r, fa, "RodzajFaktury");
	ei_emit(r, "doc_type",
		s && (!strcmp(s, "KOR") || !strcmp(s, "KOR_ZAL") || !strcmp(s, "KOR_ROZ")) ?
			"credit_note" :
			"invoice",
		s);
	free(s);
	ei_emit_text(r, "invoice_number", fa, "P_2");
	ei_emit_date(r, "issue_date", fa, "P_1");
	ei_emit_date(r, "supply_date", fa, "P_6");
	ei_emit_date(r, "due_date", fa, "Platnosc/TerminPlatnosci/Termin");
	ei_emit_text(r, "currency", fa, "KodWaluty");
	ksef_party(r, root, "Podmiot1", "seller");
	ksef_party(r, root, "Podmiot2", "buyer");
}

/* The basic and first reduced rates changed in 2011 (22/7 to 23/8): a line
 * at an old rate sets *hi or *lo to it, as the invoice used that one. */
static void ksef_old_rates(struct rd *r, xmlNode *fa, const char **hi, const char **lo)
{
	xmlNode **v;
	char *s;
	size_t n, i;

	n = ei_find_all(r, fa, "FaWiersz/P_12", &v);
	for (i = 0; i < n; i++) {
		s = ei_text(r, v[i]);
		if (s && !strcmp(s, "22"))
			*hi = "22";
		if (s && !strcmp(s, "7"))
			*lo = "7";
		free(s);
	}
	free(v);
}

/* The legal basis of the exemption (P_13_7): the act, the directive or
 * another. */
static char *ksef_exemption(struct rd *r, xmlNode *fa)
{
	char *why;

	why = ei_text_at(r, fa, "Adnotacje/Zwolnienie/P_19A");
	if (!why)
		why = ei_text_at(r, fa, "Adnotacje/Zwolnienie/P_19B");
	if (!why)
		why = ei_text_at(r, fa, "Adnotacje/Zwolnienie/P_19C");
	return why;
}

/* vat_breakdown's entries into `j`, one per P_13_x given, and their sums as
 * net_total and vat_total; `hi` and `lo` are the rates of P_13_1 and P_13_2. */
static void ksef_breakdown(struct rd *r, xmlNode *fa, struct jobj *j, const char *hi,
			   const char *lo)
{
	/*
	 * Categories from the FA(3) schema's annotations: P_13_1..3 (basic
	 * and reduced rates), P_13_4 (taxi lump sum) and P_13_5 (OSS, the
	 * other state's VAT shown in P_14_5) carry VAT: S. P_13_6_1 (0 %
	 * domestic) Z, P_13_6_2 (0 % intra-community supply) K, P_13_6_3
	 * (0 % export) G, P_13_7 (exempt) E, P_13_8 (outside the country) O,
	 * P_13_9 (services of art. 100(1)(4), taxed by the buyer in another
	 * member state: reverse charge, "odwrotne obciążenie" on the
	 * invoice) AE, P_13_10 (domestic reverse charge) AE, P_13_11
	 * (margin) E, see ksef_margin().
	 */
	/* clang-format off */
	static const struct {
		const char *net, *vat, *rate, *cat;
	} rates[] = {
		{ "P_13_1", "P_14_1", NULL, "S" }, { "P_13_2", "P_14_2", NULL, "S" },
		{ "P_13_3", "P_14_3", "5", "S" }, { "P_13_4", "P_14_4", "4", "S" },
		{ "P_13_5", "P_14_5", "oss", "S" }, { "P_13_6_1", NULL, "0 KR", "Z" },
		{ "P_13_6_2", NULL, "0 WDT", "K" }, { "P_13_6_3", NULL, "0 EX", "G" },
		{ "P_13_7", NULL, "zw", "E" }, { "P_13_8", NULL, "np I", "O" },
		{ "P_13_9", NULL, "np II", "AE" }, { "P_13_10", NULL, "oo", "AE" },
		{ "P_13_11", NULL, "marza", "E" },
	};
	/* clang-format on */
	char *a, *b, nb[48], *why = NULL;
	const char *rate;
	struct vat_cat vc;
	struct dec net = { 0, 0 }, vat = { 0, 0 }, x;
	int net_ok = 0, vat_ok = 0, bad = 0;
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		if (!(a = ei_text_at(r, fa, rates[i].net)))
			continue;
		b = rates[i].vat ? ei_text_at(r, fa, rates[i].vat) : NULL;
		if (!ei_dec_parse(a, &x) && !ei_dec_add(&net, &x))
			net_ok = 1;
		else
			bad = 1;
		if (b && !ei_dec_parse(b, &x) && !ei_dec_add(&vat, &x))
			vat_ok = 1;
		else if (b)
			bad = 1;
		rate = rates[i].rate ? rates[i].rate : i == 0 ? hi : lo;
		memset(&vc, 0, sizeof(vc));
		vc.category = rates[i].cat;
		if (!strcmp(rates[i].net, "P_13_7")) {
			why = ksef_exemption(r, fa);
			vc.reason = why;
		} else if (!strcmp(rates[i].net, "P_13_11")) {
			ksef_margin(r, fa, &vc);
		}
		ei_breakdown_add(j, rate, 0, a, b, &vc);
		free(a);
		free(b);
		free(why);
		why = NULL;
	}
	if (net_ok && !bad)
		ei_emit(r, "net_total", ei_dec_format(&net, 2, nb, sizeof(nb)), NULL);
	if (vat_ok && !bad)
		ei_emit(r, "vat_total", ei_dec_format(&vat, 2, nb, sizeof(nb)), NULL);
}

/* The gross total and the amount due, the payee's account, the order,
 * the period and the corrected invoice. */
static void ksef_references(struct rd *r, xmlNode *fa)
{
	xmlNode *q;
	char *s, ib[40];

	ei_emit_amount(r, "gross_total", fa, "P_15");
	ei_emit_amount(r, "amount_due", fa, "Rozliczenie/DoZaplaty");

	s = ei_text_at(r, fa, "Platnosc/RachunekBankowy/NrRB");
	if (!s)
		s = ei_text_at(r, fa, "Platnosc/RachunekBankowyFaktora/NrRB");
	if (!ei_norm_iban(s, 1, ib))
		ei_emit(r, "iban", ib, s);
	free(s);
	ei_emit_text(r, "order_reference", fa, "WarunkiTransakcji/Zamowienia/NrZamowienia");
	ei_emit_date(r, "period_start", fa, "OkresFa/P_6_Od");
	ei_emit_date(r, "period_end", fa, "OkresFa/P_6_Do");
	q = ei_find(r, fa, "DaneFaKorygowanej");
	ei_emit_text(r, "preceding_invoice_number", q, "NrFaKorygowanej");
	ei_emit_date(r, "preceding_invoice_date", q, "DataWystFaKorygowanej");
	ei_emit_text(r, "preceding_invoice_ksef", q, "NrKSeFFaKorygowanej");
}

/* lines: the FaWiersz rows, their rate (P_12) as written. */
static void ksef_lines(struct rd *r, xmlNode *fa)
{
	char *a, *b, *c, *d, *e, *f;
	struct jobj j;
	xmlNode **v;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, fa, "FaWiersz", &v);
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, v[i], "P_7");
		b = ei_text_at(r, v[i], "P_8B");
		c = ei_text_at(r, v[i], "P_8A");
		d = ei_text_at(r, v[i], "P_9A");
		e = ei_text_at(r, v[i], "P_11");
		f = ei_text_at(r, v[i], "P_12");
		ei_line_add(&j, a, b, c, d, e, f, 1, ksef_line_category(f));
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
	}
	free(v);
	ei_jemit(&j, "lines");
}

void ei_ksef(struct rd *r, xmlNode *root)
{
	const char *hi = "23", *lo = "8";
	struct jobj j;
	xmlNode *fa;

	fa = ei_find(r, root, "Fa");
	ksef_header(r, root, fa);
	ksef_old_rates(r, fa, &hi, &lo);
	ei_jinit(&j, r);
	ksef_breakdown(r, fa, &j, hi, lo);
	ksef_references(r, fa);
	/* the breakdown follows the references, as it always has: the
	 * candidates keep their order */
	ei_jemit(&j, "vat_breakdown");
	ksef_lines(r, fa);
}
