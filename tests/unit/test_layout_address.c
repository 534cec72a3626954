/*
 * Unit tests: the parties' addresses and countries read from a page's
 * party blocks (layout.c), the seller from a letterhead, the buyer under a
 * window envelope's return address; crafted word rows in the languages
 * folio reads, then folio's own fixture invoices (text-layer PDFs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/config.h"
#include "folio/decode.h"
#include "folio/extract.h"
#include "t.h"

/*
 * A page laid out like a PDF text layer (as in test_extract.c): each row is
 * cells "x|text" separated by '\t'; words are placed 6 units per character
 * plus a space, rows 14 units apart. An empty row leaves a blank gap; a
 * cell "x>text" is set in letters twice as big.
 */
static void add_rows(struct folio_doc *d, enum folio_source src, float conf,
		     const char *const *rows)
{
	struct folio_page *pg = folio_doc_add_page(d);
	struct folio_strbuf text = FOLIO_STRBUF_INIT;
	int r, y = 40;

	pg->source = src;
	pg->width = 595;
	pg->height = 842;
	pg->dpi = 72;
	for (r = 0; rows[r]; r++) {
		char *row = strdup(rows[r]), *cell, *save = NULL;
		int big = 0;

		for (cell = strtok_r(row, "\t", &save); cell; cell = strtok_r(NULL, "\t", &save)) {
			char *w, *s2 = NULL, *body = strpbrk(cell, "|>");
			int x = (int)strtol(cell, NULL, 10), k = 1;

			if (!body)
				continue;
			if (*body == '>')
				big = k = 2;
			for (w = strtok_r(body + 1, " ", &s2); w; w = strtok_r(NULL, " ", &s2)) {
				int len = (int)strlen(w);

				folio_page_add_word(pg, w, x, y - (k - 1) * 5, len * 6 * k, 10 * k,
						    conf, r);
				x += (len * 6 + 3) * k;
				folio_strbuf_adds(&text, w);
				folio_strbuf_addch(&text, ' ');
			}
		}
		folio_strbuf_addch(&text, '\n');
		y += big ? 24 : 14;
		free(row);
	}
	folio_page_set_text(pg, text.buf ? text.buf : "");
	folio_strbuf_release(&text);
}

static const char *val(const struct folio_doc *d, const char *name)
{
	const struct folio_field *f = folio_doc_field(d, name);

	return f ? f->value : "(missing)";
}

static float conf_of(const struct folio_doc *d, const char *name)
{
	const struct folio_field *f = folio_doc_field(d, name);

	return f ? f->confidence : -1.0f;
}

static struct folio_doc *extract_rows(struct folio_extractor *x, enum folio_source src,
				      const char *const *rows)
{
	struct folio_doc *d = folio_doc_new("rows.pdf", NULL, 0);
	struct folio_err err = { 0 };

	add_rows(d, src, src == FOLIO_SRC_OCR ? 0.9f : 1.0f, rows);
	T_EQ_INT(folio_extract_doc(x, d, &err), FOLIO_OK);
	return d;
}

/* Two labelled columns; the implied country needs the NIP and the
 * dd-ddd postcode; the street above a mid-line postcode. */
static void test_pl(struct folio_extractor *x)
{
	/* clang-format off */
	static const char *const rows[] = {
		"40|Faktura VAT nr FV/7/2024",
		"40|Data wystawienia:\t200|14.03.2024",
		"",
		"40|Sprzedawca:\t300|Nabywca:",
		"40|Drukarnia Wróbel Sp. z o.o.\t300|Księgarnia Pod Świerkiem S.A.",
		"40|ul. Piotrkowska 212\t300|Anna Nowak",
		"40|90-001 Łódź\t300|al. Jana Pawła II 7/3,  00-175 Warszawa",
		"40|NIP: 725-180-11-26\t300|NIP: 6762304575",
		NULL,
	};
	/* clang-format on */
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "seller_address"), "ul. Piotrkowska 212, 90-001 Łódź");
	T_EQ_STR(val(d, "seller_country"), "PL");
	/* a line above a postcode line that holds its street is not the street */
	T_EQ_STR(val(d, "buyer_address"), "al. Jana Pawła II 7/3, 00-175 Warszawa");
	T_EQ_STR(val(d, "buyer_country"), "PL");
	T_OK(conf_of(d, "seller_address") < conf_of(d, "seller_name"),
	     "an address is less sure than a labelled name: %.2f",
	     (double)conf_of(d, "seller_address"));
	T_OK(conf_of(d, "seller_country") < conf_of(d, "seller_address"),
	     "an implied country is less sure than its address");
	folio_doc_free(d);
}

/* ES: "Vendedor"/"Cliente", a profession line under the name, a printed
 * country as the last line. */
static void test_es(struct folio_extractor *x)
{
	/* clang-format off */
	static const char *const rows[] = {
		"40|Factura Nº: A-2024-031",
		"40|Fecha: 30/04/2024",
		"",
		"40|Vendedor\t300|Cliente",
		"40|Lucía Fernández Gil\t300|Asesoría Miño S.L.",
		"40|Traductora jurada\t300|C/ Mayor 5, 2º B",
		"40|Calle Rosalía de Castro 9\t300|28013 Madrid",
		"40|15004 A Coruña\t300|España",
		"40|NIF: 52876431Y\t300|CIF: B93640282",
		NULL,
	};
	/* clang-format on */
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "seller_address"), "Calle Rosalía de Castro 9, 15004 A Coruña");
	T_EQ_STR(val(d, "buyer_address"), "C/ Mayor 5, 2º B, 28013 Madrid");
	T_EQ_STR(val(d, "buyer_country"), "ES");
	T_OK(conf_of(d, "buyer_country") >= conf_of(d, "buyer_address") - 0.001f,
	     "a printed country is as sure as its address");
	folio_doc_free(d);
}

/* PT: dddd-ddd and a letterhead seller with a legal form; the title on the
 * same line is not the name. OCR words, a speck before a postcode. */
static void test_pt_letterhead(struct folio_extractor *x)
{
	/* clang-format off */
	static const char *const rows[] = {
		"40>Gráfica Atlântico, Lda.\t400>Fatura",
		"40|Rua Sá da Bandeira, 610",
		"40|4000-432 Porto",
		"40|NIF 509172466",
		"",
		"",
		"40|Cliente",
		"40|Escola Profissional do Minho",
		"40|Largo do Paço, 2",
		"40|-4700-320 Braga",
		"40|NIF 503288152",
		"",
		"40|Fatura n.º: FT 2024/118",
		NULL,
	};
	/* clang-format on */
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_OCR, rows);

	T_EQ_STR(val(d, "seller_name"), "Gráfica Atlântico, Lda.");
	T_EQ_STR(val(d, "seller_address"), "Rua Sá da Bandeira, 610, 4000-432 Porto");
	T_EQ_STR(val(d, "seller_country"), "PT");
	T_EQ_STR(val(d, "buyer_name"), "Escola Profissional do Minho");
	T_EQ_STR(val(d, "buyer_address"), "Largo do Paço, 2, 4700-320 Braga");
	T_OK(conf_of(d, "seller_name") < conf_of(d, "buyer_name"),
	     "a letterhead name is less sure than a labelled one: %.2f",
	     (double)conf_of(d, "seller_name"));
	T_OK(conf_of(d, "seller_name") > 0 && conf_of(d, "seller_name") < 0.7f,
	     "a letterhead name is weak");
	folio_doc_free(d);
}

/* IT: "Cedente / prestatore", the province after the city; no tax ID in
 * the block, so no country. */
static void test_it(struct folio_extractor *x)
{
	static const char *const rows[] = {
		"40|Fattura n. 12/2024 del 05/03/2024",
		"",
		"40|Cedente / prestatore\t300|Cessionario / committente",
		"40|Torrefazione Aurora S.r.l.\t300|Pasticceria Il Gabbiano S.n.c.",
		"40|Via Madama Cristina 61\t300|Lungomare Marconi 23",
		"40|10126 Torino (TO)\t300|30126 Venezia (VE)",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "seller_address"), "Via Madama Cristina 61, 10126 Torino (TO)");
	T_EQ_STR(val(d, "buyer_address"), "Lungomare Marconi 23, 30126 Venezia (VE)");
	T_EQ_STR(val(d, "seller_country"), "(missing)");
	T_EQ_STR(val(d, "buyer_country"), "(missing)");
	folio_doc_free(d);
}

/* DE: the seller right-aligned as a letterhead, the buyer under the return
 * address of a window envelope, unlabelled; a 5-digit postcode with a DE
 * tax ID gives DE, with a French one FR. */
static void test_de_window(struct folio_extractor *x)
{
	static const char *const rows[] = {
		"400>Bavaria GmbH",
		"433|Leopoldstraße 150",
		"457|80804 München",
		"",
		"",
		"40|Bavaria GmbH · Leopoldstraße 150 · 80804 München",
		"40|Kanzlei Weber & Partner mbB",
		"40|Maximilianstraße 12",
		"40|80539 München",
		"40|USt-IdNr.: DE811445022",
		"",
		"40|Rechnung Nr. 2024-118",
		NULL,
	};
	static const char *const two[] = {
		"40|Rechnung",
		"",
		"40|Verkäufer\t300|Leistungsempfänger",
		"40|Maschinenbau Vogt GmbH\t300|Mécanique Duval SARL",
		"40|Industriestraße 8\t300|12 rue de l'Usine",
		"40|73033 Göppingen\t300|67000 Strasbourg",
		"40|USt-IdNr.: DE245198734\t300|N° TVA: FR37443182209",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "seller_name"), "Bavaria GmbH");
	T_EQ_STR(val(d, "seller_address"), "Leopoldstraße 150, 80804 München");
	T_EQ_STR(val(d, "buyer_name"), "Kanzlei Weber & Partner mbB");
	T_EQ_STR(val(d, "buyer_address"), "Maximilianstraße 12, 80539 München");
	T_EQ_STR(val(d, "buyer_country"), "DE");
	folio_doc_free(d);

	d = extract_rows(x, FOLIO_SRC_TEXT, two);
	T_EQ_STR(val(d, "buyer_name"), "Mécanique Duval SARL");
	T_EQ_STR(val(d, "seller_address"), "Industriestraße 8, 73033 Göppingen");
	T_EQ_STR(val(d, "seller_country"), "DE");
	T_EQ_STR(val(d, "buyer_address"), "12 rue de l'Usine, 67000 Strasbourg");
	T_EQ_STR(val(d, "buyer_country"), "FR");
	folio_doc_free(d);
}

/* EN: a UK postcode after the town (an OCR speck after it); a street-less
 * line right above it stands for the street; an Eircode; "Bill to". */
static void test_en(struct folio_extractor *x)
{
	/* clang-format off */
	static const char *const rows[] = {
		"40|Invoice",
		"",
		"40|From\t300|Bill to",
		"40|Brightwater Marine Ltd\t300|Seaview Sailing Club",
		"40|Quay House, Harbour Road\t300|The Slipway",
		"40|Falmouth TR11 2AA ©\t300|St Mawes TR2 5DE",
		"40|VAT Registration: GB157283058",
		NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const ie[] = {
		"40|Invoice",
		"",
		"40|Supplier\t300|Customer",
		"40|Liffey Print & Design Ltd\t300|Galway Bay Hotel Ltd",
		"40|14 Ormond Quay Upper\t300|Salthill Promenade",
		"40|Dublin 7, D07 X2Y3\t300|Galway, H91 K2T4",
		"40|Ireland",
		NULL,
	};
	/* clang-format on */
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "seller_address"), "Quay House, Harbour Road, Falmouth TR11 2AA");
	T_EQ_STR(val(d, "seller_country"), "GB");
	T_EQ_STR(val(d, "buyer_address"), "The Slipway, St Mawes TR2 5DE");
	T_EQ_STR(val(d, "buyer_country"), "(missing)");
	folio_doc_free(d);

	d = extract_rows(x, FOLIO_SRC_TEXT, ie);
	T_EQ_STR(val(d, "seller_address"), "14 Ormond Quay Upper, Dublin 7, D07 X2Y3");
	T_EQ_STR(val(d, "seller_country"), "IE");
	T_EQ_STR(val(d, "buyer_address"), "Salthill Promenade, Galway, H91 K2T4");
	folio_doc_free(d);
}

/* FR: a country after the postcode line's last comma; a receipt's centred
 * name with no legal form, an owner's name under it. */
static void test_fr_and_receipt(struct folio_extractor *x)
{
	/* clang-format off */
	static const char *const rows[] = {
		"40|Facture n° F-2024-0042",
		"",
		"40|Vendeur\t300|Client",
		"40|Librairie Le Bouquiniste SARL\t300|Médiathèque de Villeurbanne",
		"40|8 rue des Carmes\t300|247 cours Émile Zola",
		"40|69002 Lyon, France\t300|69100 Villeurbanne",
		NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const rcpt[] = {
		"52|Sklep Spożywczy Pod Lipą",
		"85|Anna Lipińska",
		"35|ul. Kwiatowa 3, 05-500 Piaseczno",
		"76|NIP 123-456-32-18",
		"",
		"70|PARAGON FISKALNY",
		NULL,
	};
	/* clang-format on */
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "seller_address"), "8 rue des Carmes, 69002 Lyon");
	T_EQ_STR(val(d, "seller_country"), "FR");
	T_EQ_STR(val(d, "buyer_address"), "247 cours Émile Zola, 69100 Villeurbanne");
	folio_doc_free(d);

	d = extract_rows(x, FOLIO_SRC_OCR, rcpt);
	T_EQ_STR(val(d, "seller_name"), "Sklep Spożywczy Pod Lipą");
	T_EQ_STR(val(d, "seller_address"), "ul. Kwiatowa 3, 05-500 Piaseczno");
	T_EQ_STR(val(d, "seller_country"), "PL");
	folio_doc_free(d);
}

/* What must not be read as an address or a letterhead name. */
static void test_negative(struct folio_extractor *x)
{
	static const char *const no_postcode[] = {
		"40|Sprzedawca:\t300|Nabywca:",
		"40|Firma Jan Kowalski\t300|Biuro Sp. z o.o.",
		"40|ul. Długa 5\t300|ul. Krótka 3",
		"40|NIP: 725-180-11-26\t300|NIP: 6762304575",
		/* a postcode line after the tax ID is someone else's */
		"40|31-147 Kraków\t300|31-042 Kraków",
		NULL,
	};
	static const char *const title_top[] = {
		"40>Faktura VAT\t300>Zakład Usługowy Sp. z o.o.",
		"40|ul. Długa 5",
		"40|31-147 Kraków",
		"",
		"40|Numer: 12/2024",
		NULL,
	};
	static const char *const numbers[] = {
		"40|Hurtownia Nowak",
		"40|Razem 12345 Zapłacono",
		"40|Tel. 58 555 01 20",
		NULL,
	};
	/* a 5-digit postcode and a Polish NIP do not make a country */
	static const char *const mixed[] = {
		"40|Sprzedawca:", "40|Firma Jan Kowalski", "40|Hauptstraße 42",
		"40|50667 Köln",  "40|NIP: 725-180-11-26", NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, no_postcode);

	T_EQ_STR(val(d, "seller_address"), "(missing)");
	T_EQ_STR(val(d, "buyer_address"), "(missing)");
	T_EQ_STR(val(d, "seller_country"), "(missing)");
	folio_doc_free(d);

	/* a title is not a seller; the name right of it has no address under
	 * it but its legal form */
	d = extract_rows(x, FOLIO_SRC_TEXT, title_top);
	T_EQ_STR(val(d, "seller_name"), "Zakład Usługowy Sp. z o.o.");
	T_EQ_STR(val(d, "seller_address"), "(missing)");
	folio_doc_free(d);

	/* no legal form and no postcode line under it: nobody's letterhead */
	d = extract_rows(x, FOLIO_SRC_TEXT, numbers);
	T_EQ_STR(val(d, "seller_name"), "(missing)");
	T_EQ_STR(val(d, "seller_address"), "(missing)");
	folio_doc_free(d);

	d = extract_rows(x, FOLIO_SRC_TEXT, mixed);
	T_EQ_STR(val(d, "seller_address"), "Hauptstraße 42, 50667 Köln");
	T_EQ_STR(val(d, "seller_country"), "(missing)");
	folio_doc_free(d);
}

/* ---- the fixture invoices --------------------------------------------------- */

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		*size = (size_t)n;
	fclose(f);
	return buf;
}

/* A text-layer fixture PDF through the decoder and the extractor. */
static struct folio_doc *extract_pdf(struct folio_extractor *x, struct folio_decode_ctx *dc,
				     const char *name)
{
	char path[256];
	size_t size = 0;
	unsigned char *data;
	struct folio_doc *d;
	struct folio_err err = { 0 };

	snprintf(path, sizeof(path), "tests/fixtures/invoices/%s", name);
	if (!(data = read_file(path, &size))) {
		T_OK(0, "read %s", path);
		return NULL;
	}
	d = folio_doc_new(path, data, size);
	folio_doc_set_str(&d->mime, "application/pdf");
	T_EQ_INT(folio_decode(dc, d, &err), FOLIO_OK);
	T_EQ_INT(folio_extract_doc(x, d, &err), FOLIO_OK);
	return d;
}

static void test_fixtures(struct folio_extractor *x)
{
	/* clang-format off */
	static const struct {
		const char *file, *seller, *seller_addr, *seller_cc, *buyer_addr, *buyer_cc;
	} want[] = {
		/* two columns, labelled */
		{ "pl-01-invoice.pdf", "Drukarnia Kowalczyk Sp. z o.o.",
		  "ul. Piotrkowska 120, 90-006 Łódź", "PL", "ul. Długa 5/2, 31-147 Kraków", "PL" },
		/* letterhead seller */
		{ "pl-02-invoice.pdf", "Hurtownia Spożywcza Żurawie Sp. z o.o.",
		  "ul. Grunwaldzka 211, 80-266 Gdańsk", "PL", "Rynek Główny 14, 31-042 Kraków",
		  "PL" },
		/* letterhead seller without a legal form */
		{ "pl-07-invoice.pdf", "Księgarnia Akademicka Różański",
		  "ul. Szewska 19, 50-139 Wrocław", "PL", "ul. Ogińskiego 8, 85-092 Bydgoszcz",
		  "PL" },
		/* till receipt */
		{ "pl-05-receipt.pdf", "Sklep Spożywczy Pod Lipą",
		  "ul. Kwiatowa 3, 05-500 Piaseczno", "PL", NULL, NULL },
		{ "es-06-proforma.pdf", "Toldos y Persianas Ebro S.L.",
		  "Polígono Malpica, calle E 17, 50016 Zaragoza", "ES",
		  "Calle Predicadores 40, 50003 Zaragoza", "ES" },
		{ "pt-02-invoice.pdf", "Quinta do Vale Verde - Agricultura, S.A.",
		  "Estrada Nacional 222, km 12, 5130-321 São João da Pesqueira", "PT",
		  "Avenida da Liberdade, 301, 4710-251 Braga", "PT" },
		{ "it-03-invoice.pdf", "Caseificio Val Padana S.r.l.",
		  "Strada Provinciale 10, n. 4, 26100 Cremona (CR)", "IT",
		  "Via dell'Indipendenza 70, 40121 Bologna (BO)", "IT" },
		/* window envelope: the buyer under the return address */
		{ "de-02-invoice.pdf", "Bürobedarf Bavaria GmbH", "Leopoldstraße 150, 80804 München",
		  NULL, "Maximilianstraße 12, 80539 München", "DE" },
		/* a printed country */
		{ "de-05-invoice.pdf", "Maschinenbau Vogt GmbH", "Industriestraße 8, 73033 Göppingen",
		  "DE", "12 rue de l'Usine, 67000 Strasbourg", "FR" },
		{ "en-06-proforma.pdf", "Brightwater Marine Ltd",
		  "Quay House, Harbour Road, Falmouth TR11 2AA", "GB",
		  "The Slipway, St Mawes TR2 5DE", NULL },
		{ "en-03-invoice.pdf", "Liffey Print & Design Ltd",
		  "14 Ormond Quay Upper, Dublin 7, D07 X2Y3", "IE",
		  "Salthill Promenade, Galway, H91 K2T4", "IE" },
		{ "fr-01-invoice.pdf", "Librairie Le Bouquiniste SARL", "8 rue des Carmes, 69002 Lyon",
		  "FR", "247 cours Émile Zola, 69100 Villeurbanne", "FR" },
	};
	/* clang-format on */
	struct folio_config cfg;
	struct folio_decode_ctx *dc;
	struct folio_err err = { 0 };
	size_t i;

	if (access("tests/fixtures/invoices/pl-01-invoice.pdf", R_OK)) {
		T_OK(0, "fixture invoices (run from the source tree)");
		return;
	}
	T_EQ_INT(folio_config_defaults(&cfg, &err), FOLIO_OK);
	T_EQ_INT(folio_decode_global_init(&cfg, &err), FOLIO_OK);
	dc = folio_decode_ctx_new(&cfg, &err);
	T_OK(dc != NULL, "decode context: %s", err.msg);
	for (i = 0; dc && i < sizeof(want) / sizeof(want[0]); i++) {
		struct folio_doc *d = extract_pdf(x, dc, want[i].file);

		if (!d)
			continue;
		printf("# %s\n", want[i].file);
		T_EQ_STR(val(d, "seller_name"), want[i].seller);
		T_EQ_STR(val(d, "seller_address"), want[i].seller_addr);
		T_EQ_STR(val(d, "seller_country"),
			 want[i].seller_cc ? want[i].seller_cc : "(missing)");
		T_EQ_STR(val(d, "buyer_address"),
			 want[i].buyer_addr ? want[i].buyer_addr : "(missing)");
		T_EQ_STR(val(d, "buyer_country"),
			 want[i].buyer_cc ? want[i].buyer_cc : "(missing)");
		folio_doc_free(d);
	}
	folio_decode_ctx_free(dc);
	folio_decode_global_release();
	folio_config_release(&cfg);
}

/* Party blocks whose name is a "Name: value" line under the heading
 * (KSeF visualisation, FatturaPA stylesheet, XRechnung visualisation):
 * the name is the value, never the "NIP: ..." line over it; a heading may
 * end its cell ("Dati del cedente / prestatore"). */
static void test_name_labels(struct folio_extractor *x)
{
	static const char *const ksef[] = {
		"40|Faktura VAT nr FV/7/2024",
		"40|Sprzedawca\t307|Nabywca",
		"40|NIP: 7251801126\t307|NIP: 6762304575",
		"40|Nazwa: Twardowski and Sons\t307|Nazwa: Adamus Sp. z o.o.",
		"40|Adres\t307|Adres",
		"40|al. Bochenek 48\t307|ul. Długa 5",
		"40|01-179 Zagórz\t307|76-424 Lubawa",
		NULL,
	};
	static const char *const fpa[] = {
		"68|Dati del cedente / prestatore",
		"92|Identificativo fiscale ai fini IVA: IT01234567890",
		"92|Denominazione: SOCIETA' ALPHA SRL",
		"68|Dati del cessionario / committente",
		"92|Denominazione: BETA GAMMA",
		NULL,
	};
	/* a long name wraps under its value, a hyphen at the break */
	static const char *const wrapped[] = {
		"63|Informationen zum Käufer",
		"62|Name:\t141|HEP-OPERATOR DISTRIBUCIJSKOG\t328|PLZ:\t408|10000",
		"141|SUSTAVA D.O.O. ZA",
		"141|OPSKRBU ENERGIJE\t328|Ort:\t408|Zagreb",
		"62|Adresszeile 1:\t141|Ulica 1",
		"63|Informationen zum Verkäufer",
		"62|Firmenname:\t141|Azienda Sanitaria Locale di Reg-",
		"141|gio Emilia",
		NULL,
	};
	static const char *const kosit_ids[] = {
		"63|Informationen zum Verkäufer",
		"62|Firmenname:\t141|Salescompany ltd.\t328|Umsatzsteuer-ID:\t408|NO123456789MVA",
		"63|Informationen zum Käufer",
		"62|Name:\t141|The Buyercompany\t328|Umsatzsteuer-ID:\t408|DE136695976",
		NULL,
	};
	/* labels of two or three words ("VAT reg. no.:", "VAT number:") vouch
	 * for a tax ID whose check fails, as one word does */
	static const char *const multiword_ids[] = {
		"62|From",
		"62|Company:\t141|Salescompany ltd.",
		"62|VAT reg. no.:\t141|NO123456789MVA",
		"62|Customer",
		"62|Name:\t141|The Buyercompany",
		"62|VAT number:\t141|SE4598375937",
		"62|Order no.:\t141|45983759",
		NULL,
	};
	static const char *const kosit[] = {
		"63|Informationen zum Käufer",
		"62|Käuferreferenz:\t141|018304 / 28865",
		"62|Name:\t141|My Customer Company",
		"63|Informationen zum Verkäufer",
		"62|Firmenname:\t141|My Supplier Company",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, ksef);

	T_EQ_STR(val(d, "seller_name"), "Twardowski and Sons");
	T_EQ_STR(val(d, "buyer_name"), "Adamus Sp. z o.o.");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, fpa);
	T_EQ_STR(val(d, "seller_name"), "SOCIETA' ALPHA SRL");
	T_EQ_STR(val(d, "buyer_name"), "BETA GAMMA");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, kosit);
	T_EQ_STR(val(d, "seller_name"), "My Supplier Company");
	T_EQ_STR(val(d, "buyer_name"), "My Customer Company");
	folio_doc_free(d);
	/* stacked blocks of two label: value columns: the tax ID right of the
	 * name column is the block's; one that fails its check (or has no rule
	 * here) is taken only from its party's block, weakly */
	d = extract_rows(x, FOLIO_SRC_TEXT, wrapped);
	T_EQ_STR(val(d, "buyer_name"),
		 "HEP-OPERATOR DISTRIBUCIJSKOG SUSTAVA D.O.O. ZA OPSKRBU ENERGIJE");
	T_EQ_STR(val(d, "seller_name"), "Azienda Sanitaria Locale di Reggio Emilia");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, kosit_ids);
	T_EQ_STR(val(d, "seller_tax_id"), "NO123456789MVA");
	T_EQ_STR(val(d, "buyer_tax_id"), "DE136695976");
	T_OK(conf_of(d, "seller_tax_id") < 0.5f, "an unchecked tax ID is unsure: %.2f",
	     (double)conf_of(d, "seller_tax_id"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, multiword_ids);
	T_EQ_STR(val(d, "seller_tax_id"), "NO123456789MVA");
	T_EQ_STR(val(d, "buyer_tax_id"), "SE4598375937");
	T_OK(conf_of(d, "buyer_tax_id") < 0.5f, "unsure: %.2f", (double)conf_of(d, "buyer_tax_id"));
	folio_doc_free(d);
}

/* Totals chosen together: "Gesamtsumme" printed for the net and the gross
 * sum, the pair that closes with the VAT wins; a gross never printed is
 * net + VAT; a date after a long label's colon. */
static void test_totals_set(struct folio_extractor *x)
{
	static const char *const kosit[] = {
		"62|Rechnungsnummer:\t141|12115118",
		"62|Summe aller Positionen\t540|229,60",
		"62|Gesamtsumme\t540|229,60",
		"62|Summe Umsatzsteuer\t540|20,73",
		"62|Gesamtsumme\t540|250,33",
		"62|Fälliger Betrag\t540|250,33",
		NULL,
	};
	/* the VAT summary as label: value groups, one per rate */
	static const char *const kosit_bd[] = {
		"63|Aufschlüsselung der Umsatzsteuer auf Ebene der Rechnung",
		"62|Umsatzsteuerkategorie: S",
		"62|Gesamtsumme\t542|183,23",
		"62|Umsatzsteuersatz\t543|6,00%",
		"62|Umsatzsteuerbetrag\t550|10,99",
		"62|Umsatzsteuerkategorie: S",
		"62|Gesamtsumme\t548|46,37",
		"62|Umsatzsteuersatz\t543|21,00%",
		"62|Umsatzsteuerbetrag\t556|9,74",
		NULL,
	};
	static const char *const fpa[] = {
		"92|Valore totale: 20.00",
		"92|IVA (%): 22.00",
		"68|Dati di riepilogo per aliquota IVA e natura",
		"92|Aliquota IVA (%): 22.00",
		"92|Data documento: 2014-12-18",
		"92|Totale imponibile/importo: 25.00",
		"92|Totale imposta: 5.50",
		"116|Data scadenza pagamento: 2015-01-30 (30 Gennaio 2015)",
		NULL,
	};
	/* clang-format off */
	static const char *const ksef[] = {
		"40|Data wystawienia, z zastrzeżeniem art. 106na ust. 1 ustawy: 20.05.2025",
		"40|Data dokonania lub zakończenia dostawy towarów lub wykonania usługi:",
		"40|18.05.2025",
		NULL,
	};
	/* clang-format on */
	/* the KSeF summary: headings flush left, amounts flush right, an
	 * ordinal under "Lp." and "23% lub 22%" as the rate */
	static const char *const ksef_vat[] = {
		"369|Kwota należności ogółem: 35 003,19 PLN",
		"40|Podsumowanie stawek podatku",
		"45|Lp. Stawka podatku\t187|Kwota netto\t311|Kwota podatku\t435|Kwota brutto",
		"45|1\t63|23% lub 22%\t252|28 457,88\t382|6 545,31\t500|35 003,19",
		NULL,
	};
	/* the same from a scan: a table rule before the rate, "23%lub" */
	static const char *const ksef_vat_ocr[] = {
		"40|Podsumowanie stawek podatku",
		"45|Lp. Stawka podatku\t187|Kwota netto\t311|Kwota podatku\t435|Kwota brutto",
		"45|1\t60|| 23%lub 22%\t252|28 457,88\t382|6 545,31\t500|35 003,19",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_OCR, ksef_vat_ocr);

	T_OK(strstr(val(d, "vat_breakdown"), "\"rate\":\"23\",\"net\":\"28457.88\"") != NULL,
	     "breakdown %s", val(d, "vat_breakdown"));
	T_EQ_STR(val(d, "net_total"), "28457.88");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, ksef_vat);

	T_EQ_STR(val(d, "net_total"), "28457.88");
	T_EQ_STR(val(d, "vat_total"), "6545.31");
	T_EQ_STR(val(d, "gross_total"), "35003.19");
	T_OK(strstr(val(d, "vat_breakdown"), "\"rate\":\"23\",\"net\":\"28457.88\"") != NULL,
	     "breakdown %s", val(d, "vat_breakdown"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, kosit);

	T_EQ_STR(val(d, "net_total"), "229.60");
	T_EQ_STR(val(d, "vat_total"), "20.73");
	T_EQ_STR(val(d, "gross_total"), "250.33");
	T_EQ_STR(val(d, "amount_due"), "250.33");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, kosit_bd);
	T_EQ_STR(val(d, "vat_breakdown"), "[{\"rate\":\"6\",\"net\":\"183.23\",\"vat\":\"10.99\"},"
					  "{\"rate\":\"21\",\"net\":\"46.37\",\"vat\":\"9.74\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, fpa);
	T_EQ_STR(val(d, "vat_breakdown"), "[{\"rate\":\"22\",\"net\":\"25.00\",\"vat\":\"5.50\"}]");
	T_EQ_STR(val(d, "net_total"), "25.00");
	T_EQ_STR(val(d, "vat_total"), "5.50");
	T_EQ_STR(val(d, "gross_total"), "30.50");
	T_EQ_STR(val(d, "due_date"), "2015-01-30");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, ksef);
	/* "ust. 1" inside the date's label is no VAT total ("USt") */
	T_EQ_STR(val(d, "vat_total"), "(missing)");
	T_EQ_STR(val(d, "issue_date"), "2025-05-20");
	T_EQ_STR(val(d, "supply_date"), "2025-05-18");
	folio_doc_free(d);
}

/* The amount due: a label that is also the gross total's ("Total a
 * pagar" in pt) gives both; FatturaPA's payment detail "Importo:" is the
 * amount due, "Totale imponibile/importo:" is not; a heading with the
 * value under it ("Zu zahlender Betrag"). */
static void test_amount_due(struct folio_extractor *x)
{
	static const char *const pt[] = {
		"60|Base tributável\t200|Total IVA\t320|Total a pagar",
		"60|400,00\t200|100,00\t320|500,00",
		NULL,
	};
	static const char *const it[] = {
		"68|Dati di riepilogo per aliquota IVA e natura",
		"92|Aliquota IVA (%): 22.00",
		"92|Totale imponibile/importo: 2000.00",
		"92|Totale imposta: 440.00",
		"68|Dati relativi al pagamento",
		"92|Dettaglio pagamento",
		"116|Data scadenza pagamento: 2015-01-28 (28 Gennaio 2015)",
		"116|Importo: 2440.00",
		NULL,
	};
	static const char *const de[] = {
		"60|Summe netto\t180|Umsatzsteuer\t300|Bruttobetrag\t420|Zu zahlender Betrag",
		"60|10.000,00\t180|2.500,00\t300|12.500,00\t420|12.400,00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, pt);

	T_EQ_STR(val(d, "amount_due"), "500.00");
	T_EQ_STR(val(d, "gross_total"), "500.00");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, it);
	T_EQ_STR(val(d, "amount_due"), "2440.00");
	T_EQ_STR(val(d, "net_total"), "2000.00");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, de);
	T_EQ_STR(val(d, "amount_due"), "12400.00");
	T_EQ_STR(val(d, "gross_total"), "12500.00");
	folio_doc_free(d);
}

/* A VAT summary's columns by arithmetic: "Total s/ IVA" is no VAT
 * column, "Steuerbetrag" is in no lexicon; net x rate = VAT and net + VAT
 * = gross say which is which. A row that does not reconcile is read but
 * not trusted. */
static void test_breakdown_roles(struct folio_extractor *x)
{
	static const char *const pt[] = {
		"40|Resumo do IVA",
		"60|Taxa IVA\t180|Total s/ IVA\t300|IVA\t420|Total",
		"70|0%\t190|1 050,00\t300|0,00\t420|1 050,00",
		"70|25%\t190|7 286,00\t300|1 821,50\t420|9 107,50",
		NULL,
	};
	static const char *const de[] = {
		"40|Steuerübersicht",
		"60|USt.-Satz\t180|Betrag netto\t300|Steuerbetrag\t420|Brutto",
		"70|25%\t190|10.000,00\t300|2.500,00\t420|12.500,00",
		"70|0%\t190|0,00\t300|0,00\t420|0,00",
		NULL,
	};
	static const char *const fr_no_vat[] = {
		"60|TVA %\t180|Total HT\t420|Montant TTC",
		"70|25%\t190|92 000,00\t420|115 000,00",
		NULL,
	};
	static const char *const odd[] = {
		"60|Taxa IVA\t180|Base\t300|IVA\t420|Total",
		"70|23%\t190|100,00\t300|7,00\t420|107,00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, pt);

	T_EQ_STR(val(d, "vat_breakdown"),
		 "[{\"rate\":\"0\",\"net\":\"1050.00\",\"vat\":\"0.00\",\"gross\":\"1050.00\"},"
		 "{\"rate\":\"25\",\"net\":\"7286.00\",\"vat\":\"1821.50\","
		 "\"gross\":\"9107.50\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, de);
	T_OK(strstr(val(d, "vat_breakdown"),
		    "{\"rate\":\"25\",\"net\":\"10000.00\",\"vat\":\"2500.00\",") != NULL,
	     "breakdown %s", val(d, "vat_breakdown"));
	T_OK(strstr(val(d, "vat_breakdown"), "\"rate\":\"0\",\"net\":\"0.00\"") != NULL,
	     "breakdown %s", val(d, "vat_breakdown"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, fr_no_vat);
	T_EQ_STR(val(d, "vat_breakdown"),
		 "[{\"rate\":\"25\",\"net\":\"92000.00\",\"gross\":\"115000.00\","
		 "\"vat\":\"23000.00\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, odd);
	T_OK(conf_of(d, "vat_breakdown") < 0.9f, "odd row confidence %.2f",
	     (double)conf_of(d, "vat_breakdown"));
	folio_doc_free(d);
}

/* A totals block with the VAT of each rate on its own line: their sum is
 * the VAT total; one rate's base is the net total, several rates' bases
 * come from the item table's nets per rate (or VAT / rate) and must add up
 * to the net total. */
static void test_rated_vat(struct folio_extractor *x)
{
	static const char *const fr[] = {
		"320|Total HT\t500|463,00",
		"320|TVA 25%\t500|115,75",
		"320|Montant TTC\t500|578,75",
		NULL,
	};
	static const char *const pl[] = {
		"40|Lp.\t70|Nazwa\t300|Ilość\t360|Cena\t420|Stawka\t480|Wartość netto",
		"40|1\t70|Bilet lotniczy\t300|1\t360|856,00\t420|6%\t480|856,00",
		"40|2\t70|Opłata rezerwacyjna\t300|1\t360|150,00\t420|25%\t480|150,00",
		"",
		"300|Razem netto\t500|1 006,00",
		"300|Kwota VAT 6%\t500|51,36",
		"300|Kwota VAT 25%\t500|37,50",
		"300|Kwota należności ogółem\t500|1 094,86",
		NULL,
	};
	static const char *const es_bad[] = {
		"320|Subtotal\t500|1.000,00",
		"320|Cuota 21%\t500|200,00",
		"320|Total\t500|1.200,00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, fr);

	T_EQ_STR(val(d, "vat_total"), "115.75");
	T_EQ_STR(val(d, "vat_breakdown"),
		 "[{\"rate\":\"25\",\"net\":\"463.00\",\"vat\":\"115.75\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, pl);
	T_EQ_STR(val(d, "vat_total"), "88.86");
	T_EQ_STR(val(d, "vat_breakdown"),
		 "[{\"rate\":\"6\",\"net\":\"856.00\",\"vat\":\"51.36\"},"
		 "{\"rate\":\"25\",\"net\":\"150.00\",\"vat\":\"37.50\"}]");
	folio_doc_free(d);
	/* 21% of 1000 is not 200: no breakdown */
	d = extract_rows(x, FOLIO_SRC_TEXT, es_bad);
	T_EQ_STR(val(d, "vat_total"), "200.00");
	T_EQ_STR(val(d, "vat_breakdown"), "(missing)");
	folio_doc_free(d);
}

/* A letter without party headings: the sender at the top left, the
 * recipient under it beside the title (or with an address) is the buyer;
 * "Seller GmbH" is a name, not a "Seller" heading; "Nazwa towaru" over
 * the items is no name label. */
static void test_letter(struct folio_extractor *x)
{
	static const char *const fr[] = {
		"50>Ubiquitous Fleet of Cars Sverige AB",
		"50|Vasagatan 1 A",
		"50|10010 Stockholm",
		"",
		"",
		"",
		"50|Testverket\t400>FACTURE",
		"50|Box 88\t400|Numéro\t480|321123",
		"50|10011 Stockholm\t400|Date d'émission\t480|02/01/2008",
		"",
		"60|#\t80|Description\t330|Qté\t380|Prix unitaire\t460|TVA %\t510|Montant HT",
		"60|1\t80|Hyrestid i dagar\t340|1\t400|299,00\t470|25%\t520|299,00",
		NULL,
	};
	static const char *const pl[] = {
		"50>Seller GmbH",
		"50|Straße No",
		"50|4000 S Stadt",
		"",
		"",
		"",
		"50|BuyerName\t340>FAKTURA VAT",
		"50|Straße No\t340|Nr faktury\t450|0",
		"",
		"68|Lp. Nazwa towaru lub usługi\t323|Ilość\t376|Cena netto\t450|Wartość netto",
		"68|1\t90|Flugschein\t330|1\t380|720,81\t460|720,81",
		NULL,
	};
	/* "N° TVA" is no invoice number's label */
	static const char *const fr_tva[] = {
		"50|HIL Heeresinstandsetzungslogistik GmbH\t400>FACTURE",
		"50|Josef-Wirmer-Str. 2-8\t400|N° de facture\t480|21/001003559/996",
		"50|53123 Bonn\t400|Date d'émission\t480|05/10/2021",
		"50|N° TVA DE242688168",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, fr_tva);

	T_EQ_STR(val(d, "invoice_number"), "21/001003559/996");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, fr);
	T_EQ_STR(val(d, "seller_name"), "Ubiquitous Fleet of Cars Sverige AB");
	T_EQ_STR(val(d, "buyer_name"), "Testverket");
	T_EQ_STR(val(d, "buyer_address"), "Box 88, 10011 Stockholm");
	T_OK(conf_of(d, "buyer_name") < 0.9f, "unlabelled buyer %.2f",
	     (double)conf_of(d, "buyer_name"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, pl);
	T_EQ_STR(val(d, "seller_name"), "Seller GmbH");
	T_EQ_STR(val(d, "buyer_name"), "BuyerName");
	folio_doc_free(d);
}

/* Currencies by code or symbol: NOK, "Kč", "₹"; "$" alone is taken as
 * USD but unsure (CAD, AUD and others print it too). */
static void test_currency(struct folio_extractor *x)
{
	static const char *const nok[] = {
		"300|Devise\t400|NOK",
		"300|Total TTC\t400|1 801,78",
		NULL,
	};
	static const char *const czk[] = {
		"300|Celkem k úhradě\t400|12 100,00 Kč",
		NULL,
	};
	static const char *const inr[] = {
		"300|Total\t400|₹ 1,180.00",
		NULL,
	};
	static const char *const usd[] = {
		"300|Total\t400|$1,180.00",
		"300|Balance due\t400|$1,180.00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, nok);

	T_EQ_STR(val(d, "currency"), "NOK");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, czk);
	T_EQ_STR(val(d, "currency"), "CZK");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, inr);
	T_EQ_STR(val(d, "currency"), "INR");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, usd);
	T_EQ_STR(val(d, "currency"), "USD");
	T_OK(conf_of(d, "currency") < 0.9f, "a bare $ %.2f", (double)conf_of(d, "currency"));
	folio_doc_free(d);
}

/* Item columns headed as invoicing software heads them: "P.U. HT" and
 * "Total HT" (fr), "Total s/ IVA" (pt), "Line total" (en). */
static void test_item_headings(struct folio_extractor *x)
{
	static const char *const fr[] = {
		"60|#\t80|Désignation\t330|Qté\t380|P.U. HT\t440|TVA %\t500|Total HT",
		"60|1\t80|Hyrestid i dagar\t340|1\t390|299,00\t450|25%\t510|299,00",
		NULL,
	};
	static const char *const pt[] = {
		"60|#\t80|Descrição\t300|Quantidade\t370|Preço unitário\t450|% IVA\t500|Total s/ IVA",
		"60|1\t80|Service fee\t320|1\t390|400,00\t460|25%\t510|400,00",
		NULL,
	};
	static const char *const en[] = {
		"60|#\t80|Description\t300|Quantity\t370|Price\t430|VAT rate\t500|Line total",
		"60|1\t80|Paper subscription\t320|1\t380|800.00\t440|25%\t510|800.00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, fr);

	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"Hyrestid i dagar\",\"quantity\":\"1\","
		 "\"unit_price\":\"299.00\",\"net\":\"299.00\",\"vat_rate\":\"25\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, pt);
	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"Service fee\",\"quantity\":\"1\","
		 "\"unit_price\":\"400.00\",\"net\":\"400.00\",\"vat_rate\":\"25\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, en);
	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"Paper subscription\",\"quantity\":\"1\","
		 "\"unit_price\":\"800.00\",\"net\":\"800.00\",\"vat_rate\":\"25\"}]");
	folio_doc_free(d);
}

/* Item rows read by OCR, mended by their own arithmetic: a quantity read
 * as letters ("Yi") is net / price when that is whole; a price that lost
 * its point ("275.00" for 0.75, "1212259.00") is net / quantity when its
 * digits hold those of that; a discount row (price x quantity > net, digits
 * not within) stays as read; noise before a description goes. The same
 * rows in a text layer are taken as printed. */
static void test_item_mend(struct folio_extractor *x)
{
	static const char *const rows[] = {
		"60|#\t80|Description\t300|Quantity\t370|Price\t430|VAT rate\t500|Line total",
		"60|1\t80|item name\t320|Yi\t380|400.00\t440|25%\t510|2,800.00",
		"60|2\t80|_Network cable\t320|250\t380|275.00\t440|25%\t510|187.50",
		"60|3\t80|Festpreis\t320|1\t380|1212259.00\t440|25%\t510|12,122.59",
		"60|4\t80|Rabatt item\t320|2\t380|10.00\t440|25%\t510|18.00",
		NULL,
	};
	static const char *const want =
		"[{\"description\":\"item name\",\"quantity\":\"7\",\"unit_price\":\"400.00\","
		"\"net\":\"2800.00\",\"vat_rate\":\"25\"},"
		"{\"description\":\"Network cable\",\"quantity\":\"250\",\"unit_price\":\"0.75\","
		"\"net\":\"187.50\",\"vat_rate\":\"25\"},"
		"{\"description\":\"Festpreis\",\"quantity\":\"1\",\"unit_price\":\"12122.59\","
		"\"net\":\"12122.59\",\"vat_rate\":\"25\"},"
		"{\"description\":\"Rabatt item\",\"quantity\":\"2\",\"unit_price\":\"10.00\","
		"\"net\":\"18.00\",\"vat_rate\":\"25\"}]";
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_OCR, rows);

	T_EQ_STR(val(d, "lines"), want);
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, rows);
	T_OK(val(d, "lines") && strstr(val(d, "lines"), "\"quantity\":\"Yi\"") &&
		     strstr(val(d, "lines"), "\"unit_price\":\"275.00\""),
	     "a text layer as printed: %s", val(d, "lines") ? val(d, "lines") : "(none)");
	folio_doc_free(d);
}

/* KSeF's item table: a row code set against the description (one cell),
 * a code wrapped onto a line of its own, "Cena jedn. netto" one column;
 * XRechnung's rows with label: value details under them. */
static void test_item_rows(struct folio_extractor *x)
{
	static const char *const ksef[] = {
		"45|Lp. Unikalny numer wiersza\t230|Nazwa towaru lub usługi\t400|Cena jedn. netto"
		"\t520|Ilość\t570|Miara\t620|Stawka podatku\t730|Wartość sprzedaży netto",
		"45|1\t63|66465935-48e0-b7d9-ea88-d9d7 Refined Concrete Pants\t440|295,81\t530|8 szt."
		"\t630|23%\t780|2 366,48",
		"",
		"45|2\t63|4bbc175d-c8de-\t230|Refined Granite Mouse\t440|622,27\t530|10 szt."
		"\t630|23%\t780|6 222,70",
		"63|a7c273403730",
		"45|3\t63|16d35141-c43f\t230|Sleek Steel Pants\t440|402,96\t530|10 szt."
		"\t630|23%\t780|4 029,60",
		NULL,
	};
	static const char *const xr[] = {
		"40|#\t100|Beschreibung\t300|Menge\t360|Preis\t420|USt. Satz\t500|Gesamt",
		"40|1\t100|item name\t300|7 DAY\t360|400\t420|25,00%\t500|2.800,00",
		"100|Description of item",
		"100|Nummer der Auftragsposition: 123\t330|Kontierungshinweis: Konteringsstreng",
		"100|Code des Herkunftslandes: NO",
		"40|2\t100|item name 2\t300|-3 DAY\t360|500\t420|25,00%\t500|-1.500,00",
		"100|Description 2",
		"100|Artikelkennung: 21382183120983\t330|Schema der Artikelkennung: 0088",
		"40|Zusätze",
		NULL,
	};
	static const char *const reconciled[] = {
		"40|#\t100|Beschreibung\t300|Menge\t360|Preis\t420|USt. Satz\t500|Gesamt",
		"40|1\t100|Printing paper\t300|1.000 EA\t360|1\t420|25,00%\t500|1.000,00",
		"40|2\t100|Parker Pen\t300|100 EA\t360|5\t420|25,00%\t500|500,00",
		"",
		"300|Summe netto\t500|1.500,00",
		NULL,
	};
	/* a second text and an article number, each a line of its own */
	/* clang-format off */
	static const char *const xr2[] = {
		"40|#\t100|Beschreibung\t300|Menge\t360|Preis\t420|USt. Satz\t500|Gesamt",
		"40|1\t100|Printing paper\t300|1.000 EA\t360|1\t420|25,00%\t500|1.000,00",
		"100|Printing paper, 2mm",
		"100|Artikelnummer: JB007",
		"40|2\t100|Parker Pen\t300|100 EA\t360|5\t420|25,00%\t500|500,00",
		"100|Artikelnummer: JB008",
		"",
		"40|Zusätze",
		NULL,
	};
	/* clang-format on */
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, ksef);

	T_EQ_STR(
		val(d, "lines"),
		"[{\"description\":\"Refined Concrete Pants\",\"quantity\":\"8\",\"unit\":\"szt.\","
		"\"unit_price\":\"295.81\",\"net\":\"2366.48\",\"vat_rate\":\"23\"},"
		"{\"description\":\"Refined Granite Mouse\",\"quantity\":\"10\",\"unit\":\"szt.\","
		"\"unit_price\":\"622.27\",\"net\":\"6222.70\",\"vat_rate\":\"23\"},"
		"{\"description\":\"Sleek Steel Pants\",\"quantity\":\"10\",\"unit\":\"szt.\","
		"\"unit_price\":\"402.96\",\"net\":\"4029.60\",\"vat_rate\":\"23\"}]");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, xr);
	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"item name\",\"quantity\":\"7\",\"unit\":\"DAY\","
		 "\"unit_price\":\"400.00\",\"net\":\"2800.00\",\"vat_rate\":\"25.00\"},"
		 "{\"description\":\"item name 2\",\"quantity\":\"-3\",\"unit\":\"DAY\","
		 "\"unit_price\":\"500.00\",\"net\":\"-1500.00\",\"vat_rate\":\"25.00\"}]");
	folio_doc_free(d);
	/* lines that add up to the net total: surer, but their descriptions
	 * and quantities are only as good as the reading */
	d = extract_rows(x, FOLIO_SRC_TEXT, reconciled);
	T_OK(conf_of(d, "lines") > 0.6f && conf_of(d, "lines") <= 0.85f,
	     "reconciled lines from a text layer %.2f", (double)conf_of(d, "lines"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_OCR, reconciled);
	T_OK(conf_of(d, "lines") <= 0.6f, "reconciled lines from a scan %.2f",
	     (double)conf_of(d, "lines"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, xr2);
	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"Printing paper\",\"quantity\":\"1000\",\"unit\":\"EA\","
		 "\"unit_price\":\"1.00\",\"net\":\"1000.00\",\"vat_rate\":\"25.00\"},"
		 "{\"description\":\"Parker Pen\",\"quantity\":\"100\",\"unit\":\"EA\","
		 "\"unit_price\":\"5.00\",\"net\":\"500.00\",\"vat_rate\":\"25.00\"}]");
	folio_doc_free(d);
}

/* Accounts read from a scan: a domestic number (Polish NRB) that checks
 * as the IBAN of the labels' country is taken; an IBAN-shaped account
 * that does not check only weakly (it may be misread). */
static void test_accounts_ocr(struct folio_extractor *x)
{
	static const char *const pl[] = {
		"40|Faktura VAT nr FV/1/2026",
		"40|Nr rachunku: 10 1020 1026 6800 0005 0200 3451",
		NULL,
	};
	static const char *const dk[] = {
		"40|Invoice number:\t200|TOSL108",
		"40|IBAN:\t200|DK1212341234123412",
		NULL,
	};
	/* OCR's "Itd" for "ltd" */
	static const char *const en[] = {
		"40|Buyer", "40|Buyercompany Itd", "40|Anystreet 1", "40|101 Anytown", NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_OCR, en);

	T_EQ_STR(val(d, "buyer_name"), "Buyercompany ltd");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_OCR, pl);
	T_EQ_STR(val(d, "iban"), "PL10102010266800000502003451");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_OCR, dk);
	T_EQ_STR(val(d, "iban"), "DK1212341234123412");
	T_OK(conf_of(d, "iban") < 0.5f, "an unchecked IBAN from a scan %.2f",
	     (double)conf_of(d, "iban"));
	folio_doc_free(d);
}

/* FatturaPA's transmission data: "Destinatario PEC:" is a label of its
 * own, not the buyer's heading (the seller's name under it was read as
 * the buyer's). */
static void test_fpa_parties(struct folio_extractor *x)
{
	static const char *const fpa[] = {
		"40|Dati relativi alla trasmissione",
		"100|Codice Amministrazione destinataria: 0000000",
		"100|Destinatario PEC: betagamma@pec.it",
		"40|Dati del cedente / prestatore",
		"40|Dati anagrafici",
		"100|Identificativo fiscale ai fini IVA: IT01234567890",
		"100|Denominazione: SOCIETA' ALPHA SRL",
		"40|Dati del cessionario / committente",
		"40|Dati anagrafici",
		"100|Codice Fiscale: 09876543210",
		"100|Denominazione: BETA GAMMA",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_OCR, fpa);

	T_EQ_STR(val(d, "seller_name"), "SOCIETA' ALPHA SRL");
	T_EQ_STR(val(d, "buyer_name"), "BETA GAMMA");
	folio_doc_free(d);
}

/* Invoice numbers that read like words, after a specific label and
 * alone in their cell; not after a bare "Nr." and not a plain word. */
static void test_word_numbers(struct folio_extractor *x)
{
	static const char *const de[] = {
		"60|Rechnungsnummer:\t200|Vat-O\t360|Rechnungsart:\t480|380",
		NULL,
	};
	static const char *const en[] = {
		"60|Invoice number:\t200|test decimal 1",
		NULL,
	};
	/* a number in two parts around a spaced slash */
	static const char *const two_part[] = {
		"60|Rechnungsnummer:\t200|018304 / 28865",
		NULL,
	};
	/* "Number" heading a box is the invoice's; inside "Order number" not */
	static const char *const boxes[] = {
		"200>Tax invoice",
		"60|Number\t200|Date\t340|Payment due",
		"",
		"60|TOSL108\t200|10/04/2013\t340|10/05/2013",
		"60|Order number: 4500123",
		NULL,
	};
	static const char *const order[] = {
		"60|Order number: 4500123",
		NULL,
	};
	static const char *const plain[] = {
		"60|Rechnungsnummer:\t200|siehe\t360|Rechnungsart:\t480|380",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, de);

	T_EQ_STR(val(d, "invoice_number"), "Vat-O");
	T_OK(conf_of(d, "invoice_number") < 0.9f, "a word-like number %.2f",
	     (double)conf_of(d, "invoice_number"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, en);
	T_EQ_STR(val(d, "invoice_number"), "test decimal 1");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, plain);
	T_EQ_STR(val(d, "invoice_number"), "(missing)");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, boxes);
	T_EQ_STR(val(d, "invoice_number"), "TOSL108");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, order);
	T_EQ_STR(val(d, "invoice_number"), "(missing)");
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, two_part);
	T_EQ_STR(val(d, "invoice_number"), "018304 / 28865");
	folio_doc_free(d);
}

/* Line item tables as e-invoice prints set them: nine columns, a second
 * heading line, a quantity with its unit ("2 EA"), a detail line under a
 * row ("Artikelnummer: ...") and a description going on over a line. */
static void test_item_table(struct folio_extractor *x)
{
	static const char *const rows[] = {
		"56|#\t106|Beschreibung\t294|Menge\t353|Preis\t383|Preiseinheit\t441|USt. Satz"
		"\t495|St.\t536|Gesamt",
		"490|Code",
		"56|1\t106|PATAT FRITES 10MM\t299|2 EA\t358|9,95\t446|6,00%\t497|S\t536|19,90",
		"106|Artikelnummer: 166022",
		"56|2\t106|Handgemachte Betonfigur Garten\t299|1 EA\t358|9,85\t446|6,00%\t497|S"
		"\t542|9,85",
		"106|Chicken",
		"56|3\t106|POT KETCHUP\t299|1,5 EA\t358|8,00\t446|6,00%\t497|S\t536|12,00",
		"106|Second text under a row",
		"56|4\t106|POT MAYO\t299|1.000 EA\t358|0,01\t446|6,00%\t497|S\t536|10,00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"PATAT FRITES 10MM\",\"quantity\":\"2\",\"unit\":\"EA\","
		 "\"unit_price\":\"9.95\",\"net\":\"19.90\",\"vat_rate\":\"6.00\"},"
		 "{\"description\":\"Handgemachte Betonfigur Garten Chicken\",\"quantity\":\"1\","
		 "\"unit\":\"EA\",\"unit_price\":\"9.85\",\"net\":\"9.85\",\"vat_rate\":\"6.00\"},"
		 "{\"description\":\"POT KETCHUP\",\"quantity\":\"1.5\",\"unit\":\"EA\","
		 "\"unit_price\":\"8.00\",\"net\":\"12.00\",\"vat_rate\":\"6.00\"},"
		 "{\"description\":\"POT MAYO\",\"quantity\":\"1000\",\"unit\":\"EA\","
		 "\"unit_price\":\"0.01\",\"net\":\"10.00\",\"vat_rate\":\"6.00\"}]");
	folio_doc_free(d);
}

/* An account after an IBAN label that fails its check is taken weakly; a
 * Polish NRB is the IBAN without its country. */
static void test_accounts(struct folio_extractor *x)
{
	static const char *const bad[] = {
		"62|IBAN:\t141|DK1212341234123412",
		NULL,
	};
	static const char *const nrb[] = {
		"40|Faktura VAT nr 1/2024",
		"40|NIP: 725-180-11-26",
		"40|Nr rachunku: 10 1020 1026 6800 0005 0200 3451",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, bad);

	T_EQ_STR(val(d, "iban"), "DK1212341234123412");
	T_OK(conf_of(d, "iban") < 0.5f, "an unchecked account is unsure: %.2f",
	     (double)conf_of(d, "iban"));
	folio_doc_free(d);
	/* from a scan only IBAN-shaped and weaker (test_accounts_ocr) */
	d = extract_rows(x, FOLIO_SRC_OCR, bad);
	T_OK(conf_of(d, "iban") < 0.3f, "an unchecked account from a scan: %.2f",
	     (double)conf_of(d, "iban"));
	folio_doc_free(d);
	d = extract_rows(x, FOLIO_SRC_TEXT, nrb);
	T_EQ_STR(val(d, "iban"), "PL10102010266800000502003451");
	folio_doc_free(d);
}

/* Line items printed one field a line, a description going on over lines
 * at its label's x. */
static void test_item_groups(struct folio_extractor *x)
{
	static const char *const rows[] = {
		"68|Nr. linea: 1",
		"92|Descrizione bene/servizio: LA DESCRIZIONE DELLA FORNITURA PUO'",
		"92|SUPERARE I CENTO CARATTERI",
		"92|Quantità: 5.00",
		"92|Valore unitario: 1.00",
		"92|Valore totale: 5.00",
		"92|IVA (%): 22.00",
		"68|Nr. linea: 2",
		"92|Descrizione bene/servizio: FORNITURE VARIE PER UFFICIO",
		"92|Quantità: 10.00",
		"92|Valore unitario: 2.00",
		"92|Valore totale: 20.00",
		NULL,
	};
	struct folio_doc *d = extract_rows(x, FOLIO_SRC_TEXT, rows);

	T_EQ_STR(val(d, "lines"),
		 "[{\"description\":\"LA DESCRIZIONE DELLA FORNITURA PUO' SUPERARE I CENTO "
		 "CARATTERI\",\"quantity\":\"5\",\"unit_price\":\"1.00\",\"net\":\"5.00\"},"
		 "{\"description\":\"FORNITURE VARIE PER UFFICIO\",\"quantity\":\"10\","
		 "\"unit_price\":\"2.00\",\"net\":\"20.00\"}]");
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
	test_es(x);
	test_pt_letterhead(x);
	test_it(x);
	test_de_window(x);
	test_en(x);
	test_fr_and_receipt(x);
	test_negative(x);
	test_name_labels(x);
	test_totals_set(x);
	test_amount_due(x);
	test_breakdown_roles(x);
	test_rated_vat(x);
	test_letter(x);
	test_currency(x);
	test_item_headings(x);
	test_item_mend(x);
	test_item_rows(x);
	test_accounts_ocr(x);
	test_fpa_parties(x);
	test_word_numbers(x);
	test_item_table(x);
	test_accounts(x);
	test_item_groups(x);
	test_fixtures(x);
	folio_extractor_free(x);
	return t_done();
}
