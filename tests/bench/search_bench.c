/*
 * search_bench.c - make bench-search: an archive of N synthetic documents
 * built through the storage API (folio_archive_add), then a fixed mix of
 * 1,000 queries. Prints p50/p95/p99/max latency over the mix and per
 * class of query, the insert rate and the index size per document.
 *
 *   search_bench DIR [N [FOLIO [ENGINE]]]
 *
 * N defaults to 200000; DIR is created. With FOLIO (the lean front,
 * build/folio), the same mix is then run as a shell user runs it, one
 * `folio search` process per query, wall clock from spawn to exit, and
 * `folio --version`; with ENGINE (build/folio-engine, the whole stack in
 * one binary, as folio was before the front was split off) the same again
 * for the ratio, without OMP_THREAD_LIMIT, as a shell has it.
 *
 * When DIR already holds an archive of N documents made by this program,
 * the documents are not made again (profiling the queries alone).
 *
 * The text is meant to behave like real invoices for the index: seven
 * languages (PL ES PT IT DE EN FR), each a vocabulary of a few thousand
 * words (real function words and invoice terms first, then made-up words
 * from the language's syllables) drawn with a Zipf distribution, so a few
 * words are in nearly every document of their language and most are rare;
 * invoice-like lines (number, dates, seller with tax ID, items with
 * quantities and prices, the total) around free sentences. Vendors are
 * drawn with a Zipf distribution too, each with its own invoice number
 * format. Everything comes from a fixed seed: two runs build the same
 * archive and run the same queries.
 */
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "folio/archive.h"
#include "folio/util.h"

#define NLANG 7
#define VOCAB 4000 /* words per language */
#define NVENDORS 3000
#define NQUERIES 1000

struct lang {
	const char *code, *currency, *country;
	const char *invoice, *number, *issued, *due, *seller, *buyer, *taxlabel, *total, *unit;
	const char *const *seed; /* most frequent first */
	const char *const *syll;
	const char *const *legal;
	const char *const *cities;
};

/* clang-format off */
static const char *const pl_seed[] = {
	"i", "w", "z", "na", "do", "nie", "się", "o", "że", "za", "od", "po", "dla", "oraz",
	"faktura", "VAT", "netto", "brutto", "kwota", "zapłaty", "sprzedawca", "nabywca", "usługa",
	"towar", "wartość", "stawka", "podatek", "razem", "termin", "płatności", "przelew", "konto",
	"numer", "data", "sprzedaży", "wystawienia", "sztuk", "cena", "jednostkowa", "zamówienie",
	"dostawa", "transport", "paliwo", "olej", "papier", "toner", "naprawa", "serwis",
	"abonament", "licencja", "materiały", "biurowe", "magazyn", "Łódź", "Kraków", "Gdańsk",
	NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const pl_syll[] = {
	"prz", "sz", "ow", "ski", "cz", "ka", "wa", "ło", "rze", "nie", "sta", "ko", "ję", "ść",
	"dro", "gó", "mi", "ża", "cha", "ny", "ląd", "wy", "bo", "źre", "ną", "tek", "rab", "ól",
	NULL,
};
/* clang-format on */
static const char *const pl_legal[] = { "sp. z o.o.", "S.A.", "sp.j.", "s.c.", NULL };
static const char *const pl_cities[] = { "Warszawa", "Łódź",	 "Kraków",    "Wrocław", "Poznań",
					 "Gdańsk",   "Szczecin", "Białystok", NULL };

/* clang-format off */
static const char *const es_seed[] = {
	"de", "la", "el", "y", "en", "los", "del", "por", "con", "las", "para", "un", "una", "al",
	"factura", "IVA", "base", "imponible", "importe", "total", "cliente", "proveedor",
	"servicio", "fecha", "vencimiento", "cantidad", "precio", "unidad", "descuento", "pago",
	"transferencia", "cuenta", "pedido", "entrega", "transporte", "combustible", "gasolina",
	"papel", "impresora", "reparación", "mantenimiento", "suscripción", "licencia", "almacén",
	"material", "oficina", "Madrid", "Sevilla", "Valencia", "Bilbao", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const es_syll[] = {
	"ca", "ción", "re", "to", "ma", "la", "do", "ña", "pe", "ri", "gu", "es", "tor", "bi",
	"que", "llo", "ran", "sa", "mí", "té", "cu", "go", "ven", "ar", "dé", NULL,
};
/* clang-format on */
static const char *const es_legal[] = { "S.L.", "S.A.", "S.L.U.", "S.Coop.", NULL };
static const char *const es_cities[] = { "Madrid", "Barcelona", "Sevilla", "Valencia", "Málaga",
					 "Bilbao", "Zaragoza",	"Córdoba", NULL };

/* clang-format off */
static const char *const pt_seed[] = {
	"de", "a", "o", "e", "do", "da", "em", "para", "com", "os", "no", "na", "por", "as",
	"fatura", "IVA", "contribuinte", "valor", "total", "cliente", "fornecedor", "serviço",
	"data", "vencimento", "quantidade", "preço", "unidade", "desconto", "pagamento",
	"transferência", "conta", "encomenda", "entrega", "transporte", "combustível", "gasóleo",
	"papel", "impressora", "reparação", "manutenção", "assinatura", "licença", "armazém",
	"material", "escritório", "Lisboa", "Porto", "Braga", "Coimbra", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const pt_syll[] = {
	"ção", "ma", "to", "re", "da", "ões", "lh", "nh", "ça", "pe", "ri", "go", "sa", "ter",
	"ão", "bu", "mo", "vel", "cí", "ne", "pó", NULL,
};
/* clang-format on */
static const char *const pt_legal[] = { "Lda.", "S.A.", "Unipessoal Lda.", NULL };
static const char *const pt_cities[] = { "Lisboa", "Porto",   "Braga", "Coimbra", "Faro",
					 "Aveiro", "Setúbal", "Évora", NULL };

/* clang-format off */
static const char *const it_seed[] = {
	"di", "e", "il", "la", "che", "in", "per", "a", "del", "della", "con", "un", "le", "al",
	"fattura", "IVA", "imponibile", "importo", "totale", "cliente", "fornitore", "servizio",
	"data", "scadenza", "quantità", "prezzo", "unità", "sconto", "pagamento", "bonifico",
	"conto", "ordine", "consegna", "trasporto", "carburante", "gasolio", "carta", "stampante",
	"riparazione", "manutenzione", "abbonamento", "licenza", "magazzino", "materiale",
	"ufficio", "Milano", "Torino", "Roma", "Napoli", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const it_syll[] = {
	"zio", "ne", "ta", "ri", "lo", "gli", "ca", "to", "pa", "ssa", "chi", "ve", "mo", "ren",
	"tà", "no", "sci", "bel", "gio", "ù", NULL,
};
/* clang-format on */
static const char *const it_legal[] = { "S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", NULL };
static const char *const it_cities[] = { "Milano",  "Roma",   "Torino", "Napoli", "Bologna",
					 "Firenze", "Genova", "Verona", NULL };

/* clang-format off */
static const char *const de_seed[] = {
	"der", "die", "und", "in", "den", "von", "zu", "das", "mit", "für", "auf", "dem", "des",
	"ist", "Rechnung", "MwSt", "Netto", "Brutto", "Betrag", "Gesamtbetrag", "Kunde",
	"Lieferant", "Leistung", "Datum", "fällig", "Menge", "Preis", "Einheit", "Rabatt",
	"Zahlung", "Überweisung", "Konto", "Bestellung", "Lieferung", "Transport", "Kraftstoff",
	"Diesel", "Papier", "Drucker", "Reparatur", "Wartung", "Abonnement", "Lizenz", "Lager",
	"Büromaterial", "Berlin", "München", "Hamburg", "Köln", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const de_syll[] = {
	"sch", "ung", "ver", "ein", "ge", "ber", "keit", "ä", "ö", "ü", "stra", "ße", "lich",
	"ter", "wal", "hof", "mann", "ren", "dorf", "feld", NULL,
};
/* clang-format on */
static const char *const de_legal[] = { "GmbH", "AG", "GmbH & Co. KG", "e.K.", NULL };
static const char *const de_cities[] = { "Berlin",    "München",    "Hamburg", "Köln", "Frankfurt",
					 "Stuttgart", "Düsseldorf", "Leipzig", NULL };

/* clang-format off */
static const char *const en_seed[] = {
	"the", "of", "and", "to", "a", "in", "for", "is", "on", "with", "by", "at", "this", "be",
	"invoice", "VAT", "net", "gross", "amount", "total", "customer", "supplier", "service",
	"date", "due", "quantity", "price", "unit", "discount", "payment", "transfer", "account",
	"order", "delivery", "shipping", "fuel", "diesel", "paper", "printer", "repair",
	"maintenance", "subscription", "licence", "warehouse", "stationery", "London",
	"Manchester", "Leeds", "Bristol", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const en_syll[] = {
	"ing", "ter", "ston", "ley", "ham", "wor", "th", "ock", "ble", "ment", "ford", "an",
	"ri", "mo", "ly", "shire", "ber", "ow", NULL,
};
/* clang-format on */
static const char *const en_legal[] = { "Ltd", "plc", "LLP", "Limited", NULL };
static const char *const en_cities[] = { "London",    "Manchester", "Leeds",
					 "Bristol",   "Birmingham", "Glasgow",
					 "Liverpool", "Cardiff",    NULL };

/* clang-format off */
static const char *const fr_seed[] = {
	"de", "la", "le", "et", "les", "des", "en", "du", "un", "une", "pour", "à", "par", "au",
	"facture", "TVA", "HT", "TTC", "montant", "total", "client", "fournisseur", "prestation",
	"date", "échéance", "quantité", "prix", "unitaire", "remise", "paiement", "virement",
	"compte", "commande", "livraison", "transport", "carburant", "gazole", "papier",
	"imprimante", "réparation", "entretien", "abonnement", "licence", "entrepôt",
	"fournitures", "bureau", "Paris", "Lyon", "Marseille", "Toulouse", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const fr_syll[] = {
	"tion", "é", "ment", "re", "ai", "ou", "eau", "è", "ge", "ier", "on", "ç", "lle", "que",
	"ver", "bon", "ê", "teau", "mar", NULL,
};
/* clang-format on */
static const char *const fr_legal[] = { "SARL", "SAS", "SA", "EURL", NULL };
static const char *const fr_cities[] = { "Paris", "Lyon",     "Marseille",  "Toulouse", "Nantes",
					 "Lille", "Bordeaux", "Strasbourg", NULL };

/* clang-format off */
static const struct lang langs[NLANG] = {
	{ "pl", "PLN", "PL", "Faktura VAT", "nr", "Data wystawienia:", "Termin płatności:",
	  "Sprzedawca:", "Nabywca:", "NIP", "Razem do zapłaty:", "szt.", pl_seed, pl_syll,
	  pl_legal, pl_cities },
	{ "es", "EUR", "ES", "Factura", "n.º", "Fecha de emisión:", "Vencimiento:", "Proveedor:",
	  "Cliente:", "NIF", "Total factura:", "ud.", es_seed, es_syll, es_legal, es_cities },
	{ "pt", "EUR", "PT", "Fatura", "n.º", "Data de emissão:", "Vencimento:", "Fornecedor:",
	  "Cliente:", "NIF", "Total a pagar:", "un.", pt_seed, pt_syll, pt_legal, pt_cities },
	{ "it", "EUR", "IT", "Fattura", "n.", "Data fattura:", "Scadenza:", "Fornitore:",
	  "Cliente:", "P.IVA", "Totale documento:", "pz.", it_seed, it_syll, it_legal, it_cities },
	{ "de", "EUR", "DE", "Rechnung", "Nr.", "Rechnungsdatum:", "Fällig am:", "Lieferant:",
	  "Kunde:", "USt-IdNr.", "Gesamtbetrag:", "Stk.", de_seed, de_syll, de_legal, de_cities },
	{ "en", "GBP", "GB", "Invoice", "No.", "Invoice date:", "Due date:", "Supplier:",
	  "Bill to:", "VAT No.", "Total due:", "pcs", en_seed, en_syll, en_legal, en_cities },
	{ "fr", "EUR", "FR", "Facture", "n°", "Date de facture :", "Échéance :", "Fournisseur :",
	  "Client :", "TVA intra.", "Total TTC :", "u.", fr_seed, fr_syll, fr_legal, fr_cities },
};
/* clang-format on */
/* share of documents per language: a Polish office with foreign suppliers */
static const int lang_weight[NLANG] = { 40, 12, 8, 10, 12, 10, 8 };

/* clang-format off */
static const struct {
	const char *type;
	int weight;
} types[] = {
	{ "invoice", 60 }, { "receipt", 10 }, { "credit_note", 5 }, { "proforma", 4 },
	{ "order", 5 }, { "delivery_note", 5 }, { "contract", 3 }, { "letter", 5 }, { "other", 3 },
};
/* clang-format on */
#define NTYPES (sizeof(types) / sizeof(types[0]))

struct vocab {
	char **w;
	double *cdf; /* Zipf, s = 1 */
	int n;
};

struct vendor {
	int lang, fmt;
	char name[96], tax[24];
	long seq, seq0; /* the next invoice number; the first */
};

static struct vocab voc[NLANG];
static struct vendor *vend;
static double vend_cdf[NVENDORS];

static unsigned long long rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static double rnd01(void)
{
	return (double)rnd(1u << 30) / (double)(1u << 30);
}

/* An index drawn from a cumulative distribution of n entries. */
static int draw(const double *cdf, int n)
{
	double x = rnd01() * cdf[n - 1];
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cdf[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int weighted(const int *w, int n)
{
	int i, sum = 0, x;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = (int)rnd((unsigned)sum);
	for (i = 0; x >= w[i]; i++)
		x -= w[i];
	return i;
}

static int count_list(const char *const *l)
{
	int n = 0;

	while (l[n])
		n++;
	return n;
}

static void zipf_cdf(double *cdf, int n, double s)
{
	double acc = 0;
	int i;

	for (i = 0; i < n; i++) {
		acc += 1.0 / pow(i + 1, s);
		cdf[i] = acc;
	}
}

static void make_vocab(void)
{
	int l, i, k;

	for (l = 0; l < NLANG; l++) {
		const struct lang *lg = &langs[l];
		int nseed = count_list(lg->seed), nsyll = count_list(lg->syll);

		voc[l].n = VOCAB;
		voc[l].w = calloc(VOCAB, sizeof(char *));
		voc[l].cdf = calloc(VOCAB, sizeof(double));
		for (i = 0; i < VOCAB; i++) {
			char buf[64] = "";
			size_t len = 0;
			int ns = 2 + (int)rnd(3);

			if (i < nseed) {
				voc[l].w[i] = strdup(lg->seed[i]);
				continue;
			}
			for (k = 0; k < ns; k++)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
							lg->syll[rnd((unsigned)nsyll)]);
			voc[l].w[i] = strdup(buf);
		}
		zipf_cdf(voc[l].cdf, VOCAB, 1.0);
	}
}

static void capitalize(char *s)
{
	if (*s >= 'a' && *s <= 'z')
		*s = (char)(*s - 'a' + 'A');
}

static void make_vendors(void)
{
	int i;

	vend = calloc(NVENDORS, sizeof(*vend));
	for (i = 0; i < NVENDORS; i++) {
		struct vendor *v = &vend[i];
		const struct lang *lg;
		char a[48], b[48];

		v->lang = weighted(lang_weight, NLANG);
		lg = &langs[v->lang];
		v->fmt = (int)rnd(5);
		/* a made-up word or two and a legal form: "Rzeprzow Kaszne sp. z o.o." */
		snprintf(a, sizeof(a), "%s", voc[v->lang].w[60 + rnd(VOCAB - 60)]);
		snprintf(b, sizeof(b), "%s",
			 rnd(2) ? voc[v->lang].w[60 + rnd(VOCAB - 60)] :
				  lg->cities[rnd((unsigned)count_list(lg->cities))]);
		capitalize(a);
		capitalize(b);
		snprintf(v->name, sizeof(v->name), "%s %s %s", a, b,
			 lg->legal[rnd((unsigned)count_list(lg->legal))]);
		if (v->lang == 3)
			snprintf(v->tax, sizeof(v->tax), "IT%011u",
				 10000000u + (unsigned)i * 7919u);
		else if (v->lang == 1)
			snprintf(v->tax, sizeof(v->tax), "ESB%08u",
				 10000000u + (unsigned)i * 7919u);
		else
			snprintf(v->tax, sizeof(v->tax), "%s%u", lg->country,
				 100000000u + (unsigned)i * 104729u);
		v->seq = v->seq0 = 1 + rnd(900);
	}
	zipf_cdf(vend_cdf, NVENDORS, 0.9);
}

static void invoice_number(const struct vendor *v, int year, int month, char *out, size_t n)
{
	switch (v->fmt) {
	case 0: snprintf(out, n, "FV/%04d/%02d/%04ld", year, month, v->seq); break;
	case 1: snprintf(out, n, "F-%04d-%06ld", year, v->seq); break;
	case 2: snprintf(out, n, "%04d/INV/%05ld", year, v->seq); break;
	case 3: snprintf(out, n, "A %06ld", v->seq * 7 + 100000); break;
	default: snprintf(out, n, "%ld/%02d/%04d", v->seq, month, year);
	}
}

/* Amounts the way the language writes them: 1 234,56 or 1,234.56 */
static void money(double x, int lang, char *out, size_t n)
{
	long cents = lround(x * 100), units = cents / 100;

	if (lang == 5 && units >= 1000)
		snprintf(out, n, "%ld,%03ld.%02ld", units / 1000, units % 1000, cents % 100);
	else if (lang == 5)
		snprintf(out, n, "%ld.%02ld", units, cents % 100);
	else if (units >= 1000)
		snprintf(out, n, "%ld%s%03ld,%02ld", units / 1000,
			 lang == 4 || lang == 3 ? "." : " ", units % 1000, cents % 100);
	else
		snprintf(out, n, "%ld,%02ld", units, cents % 100);
}

#define ADD(...)                                                                     \
	do {                                                                         \
		if (len < cap)                                                       \
			len += (size_t)snprintf(text + len, cap - len, __VA_ARGS__); \
	} while (0)

static const char *word(int l)
{
	return voc[l].w[draw(voc[l].cdf, voc[l].n)];
}

static struct folio_doc *make_doc(long i)
{
	static char text[8192];
	size_t cap = sizeof(text) - 64, len = 0;
	int vi = draw(vend_cdf, NVENDORS), l = vend[vi].lang, k, nitems, nsent, t;
	struct vendor *v = &vend[vi];
	const struct lang *lg = &langs[l];
	int year = 2019 + (int)rnd(7), month = 1 + (int)rnd(12), day = 1 + (int)rnd(28);
	int dueoff = rnd(3) ? 14 : 30;
	char num[48], date[16], due[16], amt[32], data[64], total[32];
	double gross = 0;
	struct folio_doc *d;
	struct folio_page *pg;
	const char *type;
	int tw[NTYPES];

	for (k = 0; k < (int)NTYPES; k++)
		tw[k] = types[k].weight;
	type = types[weighted(tw, NTYPES)].type;
	invoice_number(v, year, month, num, sizeof(num));
	v->seq++;
	snprintf(date, sizeof(date), "%04d-%02d-%02d", year, month, day);
	snprintf(due, sizeof(due), "%04d-%02d-%02d", month == 12 ? year + 1 : year,
		 month == 12 ? 1 : month + (day + dueoff > 28), (day + dueoff - 1) % 28 + 1);
	ADD("%s %s %s\n%s %s %s %s\n", lg->invoice, lg->number, num, lg->issued, date, lg->due,
	    due);
	ADD("%s %s\n%s %s, %u %s\n", lg->seller, v->name, lg->taxlabel, v->tax, 1 + rnd(120),
	    lg->cities[rnd((unsigned)count_list(lg->cities))]);
	ADD("%s %s\n", lg->buyer, "Biuro Rachunkowe Przykład sp. z o.o.");
	nitems = 1 + (int)rnd(10);
	for (k = 0; k < nitems; k++) {
		int qty = 1 + (int)rnd(rnd(4) ? 5 : 200), j, nw = 2 + (int)rnd(4);
		double price = (double)(1 + rnd(50000)) / 100;

		ADD("%d. ", k + 1);
		for (j = 0; j < nw; j++)
			ADD("%s ", word(l));
		money(price, l, amt, sizeof(amt));
		ADD("%d %s %s ", qty, lg->unit, amt);
		money(price * qty, l, amt, sizeof(amt));
		ADD("%s\n", amt);
		gross += price * qty;
	}
	/* free text: payment terms, notes, a letter's body */
	nsent = (int)rnd(!strcmp(type, "letter") || !strcmp(type, "contract") ? 25 : 8);
	for (k = 0; k < nsent; k++) {
		int nw = 6 + (int)rnd(14), j;

		for (j = 0; j < nw; j++)
			ADD("%s%s", word(l), j == nw - 1 ? ".\n" : " ");
	}
	gross *= 1.23;
	money(gross, l, amt, sizeof(amt));
	ADD("%s %s %s\n", lg->total, amt, lg->currency);
	snprintf(total, sizeof(total), "%.2f", gross);

	snprintf(data, sizeof(data), "synthetic document %ld", i);
	d = folio_doc_new(num, (unsigned char *)strdup(data), strlen(data));
	folio_sha256_hex(d->data, d->size, d->sha256);
	folio_doc_set_str(&d->mime, rnd(5) ? "application/pdf" : "image/jpeg");
	folio_doc_set_str(&d->doc_type, type);
	pg = folio_doc_add_page(d);
	pg->source = FOLIO_SRC_TEXT;
	folio_page_set_text(pg, text);
	folio_doc_join_text(d);
	t = strcmp(type, "letter") && strcmp(type, "contract") && strcmp(type, "other");
	if (t) {
		folio_doc_set_field(d, "invoice_number", num, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "gross_total", total, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "currency", lg->currency, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "due_date", due, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	}
	if (t || rnd(2))
		folio_doc_set_field(d, "issue_date", date, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	folio_doc_set_field(d, "seller_name", v->name, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	folio_doc_set_field(d, "seller_tax_id", v->tax, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	if (rnd(3))
		folio_doc_add_tag(d, "paid");
	if (!rnd(8))
		folio_doc_add_tag(d, "fuel");
	if (!rnd(4)) {
		char tag[32];

		snprintf(tag, sizeof(tag), "proj-%03u", rnd(60));
		folio_doc_add_tag(d, tag);
	}
	return d;
}

/* ---- the queries ---------------------------------------------------- */

enum qclass {
	Q_WORD,
	Q_COMMON,
	Q_STOP,
	Q_AND,
	Q_PHRASE,
	Q_PREFIX,
	Q_FILTER,
	Q_FILTER_WORD,
	Q_SUBSTR,
	Q_DATE_SORT,
	Q_FOLD,
	NCLASS
};

/* clang-format off */
static const struct {
	const char *name;
	int count;
} qclasses[NCLASS] = {
	[Q_WORD] = { "word", 220 },
	[Q_COMMON] = { "common word", 60 },
	[Q_STOP] = { "stop word", 20 },
	[Q_AND] = { "two words", 100 },
	[Q_PHRASE] = { "phrase", 80 },
	[Q_PREFIX] = { "prefix*", 50 },
	[Q_FILTER] = { "filters only", 150 },
	[Q_FILTER_WORD] = { "filter + word", 100 },
	[Q_SUBSTR] = { "number substring", 100 },
	[Q_DATE_SORT] = { "word, --sort date", 100 },
	[Q_FOLD] = { "folded (lodz)", 20 },
};
/* clang-format on */

/* clang-format off */
static const char *const common[] = {
	"faktura", "factura", "fatura", "fattura", "Rechnung", "invoice", "facture", "total",
	"brutto", "netto", "VAT", "transport", "zapłaty", "paliwo", "papier", NULL,
};
/* clang-format on */
static const char *const stop[] = { "de", "i", "w", "und", "the", "la", "e", "di", NULL };
/* clang-format off */
static const char *const phrases[] = {
	"\"do zapłaty\"", "\"base imponible\"", "\"total due\"", "\"Faktura VAT\"",
	"\"termin płatności\"", "\"Fällig am\"", "\"Total TTC\"", "\"data de emissão\"", NULL,
};
/* clang-format on */
static const char *const folded[] = { "lodz",	    "zaplaty",	"platnosci", "munchen", "koln",
				      "reparacion", "echeance", "wartosc",   NULL };

/* A content word: past the function words, by the same Zipf law. */
static const char *content_word(int *lang)
{
	int l = weighted(lang_weight, NLANG), i;

	do
		i = draw(voc[l].cdf, voc[l].n);
	while (i < 14);
	if (lang)
		*lang = l;
	return voc[l].w[i];
}

/* A part of a vendor's name a person would type: its first word, lower case. */
static void vendor_word(char *out, size_t n)
{
	const char *name = vend[draw(vend_cdf, NVENDORS)].name;
	size_t k = strcspn(name, " ");
	size_t i;

	snprintf(out, n, "%.*s", (int)k, name);
	for (i = 0; out[i]; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

static void make_query(enum qclass c, char *q, size_t n, enum folio_sort *sort)
{
	char vw[64], num[48];
	int l;

	*sort = FOLIO_SORT_DEFAULT;
	switch (c) {
	case Q_WORD: snprintf(q, n, "%s", content_word(NULL)); break;
	case Q_COMMON: snprintf(q, n, "%s", common[rnd((unsigned)count_list(common))]); break;
	case Q_STOP: snprintf(q, n, "%s", stop[rnd((unsigned)count_list(stop))]); break;
	case Q_AND: {
		const char *a = content_word(&l);

		snprintf(q, n, "%s %s", a, rnd(2) ? word(l) : common[rnd(7)]);
		break;
	}
	case Q_PHRASE:
		if (rnd(2))
			snprintf(q, n, "%s", phrases[rnd((unsigned)count_list(phrases))]);
		else {
			const char *a = content_word(&l);

			snprintf(q, n, "\"%s %s\"", a, word(l));
		}
		break;
	case Q_PREFIX: {
		const char *a = rnd(2) ? content_word(NULL) : common[rnd(7)];

		snprintf(q, n, "%.3s*", a);
		if (q[0] & 0x80) /* not half a letter */
			snprintf(q, n, "%.4s*", a);
		break;
	}
	case Q_FILTER:
		switch (rnd(8)) {
		case 0:
			snprintf(q, n, "type:invoice date:%u-%02u", 2019 + rnd(7), 1 + rnd(12));
			break;
		case 1:
			vendor_word(vw, sizeof(vw));
			snprintf(q, n, "vendor:%s", vw);
			break;
		case 2: snprintf(q, n, "nip:%s", vend[draw(vend_cdf, NVENDORS)].tax); break;
		case 3: snprintf(q, n, "total>%u currency:EUR", 1000 + rnd(20000)); break;
		case 4: snprintf(q, n, "tag:proj-%03u", rnd(60)); break;
		case 5: snprintf(q, n, "tag:fuel issued:%u", 2019 + rnd(7)); break;
		case 6:
			snprintf(q, n, "type:receipt due<%u-%02u", 2019 + rnd(7), 1 + rnd(12));
			break;
		default: snprintf(q, n, "type:invoice"); break;
		}
		break;
	case Q_FILTER_WORD:
		switch (rnd(4)) {
		case 0: snprintf(q, n, "type:invoice %s", content_word(NULL)); break;
		case 1: snprintf(q, n, "total>%u %s", rnd(5000), common[rnd(7)]); break;
		case 2:
			vendor_word(vw, sizeof(vw));
			snprintf(q, n, "vendor:%s %s", vw, content_word(NULL));
			break;
		default: snprintf(q, n, "tag:paid date:%u %s", 2019 + rnd(7), content_word(NULL));
		}
		break;
	case Q_SUBSTR: {
		const struct vendor *v = &vend[draw(vend_cdf, NVENDORS)];

		invoice_number(v, 2019 + (int)rnd(7), 1 + (int)rnd(12), num, sizeof(num));
		switch (rnd(3)) {
		case 0: snprintf(q, n, "%04u", 1 + rnd(1500)); break; /* "0147" */
		case 1: snprintf(q, n, "%s", num); break;	      /* the whole number */
		default:
			snprintf(q, n, "%.*s", (int)strcspn(num + 3, " ") + 3 > 10 ? 10 : 6,
				 num + 3);
		}
		if (strchr(q, ' ')) /* "A 100147": the digits */
			memmove(q, strchr(q, ' ') + 1, strlen(strchr(q, ' ')));
		break;
	}
	case Q_DATE_SORT:
		snprintf(q, n, "%s", rnd(3) ? content_word(NULL) : common[rnd(7)]);
		*sort = FOLIO_SORT_DATE;
		break;
	default: snprintf(q, n, "%s", folded[rnd((unsigned)count_list(folded))]);
	}
}

/* ---- measuring ------------------------------------------------------ */

/* CPU seconds of this thread: on a shared machine, what a query cost
 * rather than how long it waited for a core. */
extern char **environ;

/* Wall milliseconds of one process run, its output thrown away; -1 when
 * it could not run or failed (exit 1, no hit, counts as run). */
static double run_cli(char *const *args)
{
	posix_spawn_file_actions_t fa;
	double t0 = folio_clock();
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, args[0], &fa, NULL, args, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return (folio_clock() - t0) * 1000;
}

#define NCLI 300 /* queries of the mix run as processes */

static int cmp_d(const void *a, const void *b);
static double pct(const double *sorted, int n, double p);

/* The first NCLI queries of the mix (`queries`) and `folio --version`,
 * each as a process of `bin`; prints the percentiles; 0 or -1. */
static int cli_figures(const char *label, const char *bin, const char *dir, char **queries,
		       double *p50, double *p99, double *v50)
{
	static double lat[NCLI], ver[NCLI];
	char *args[9];
	int q;

	for (q = 0; q < NCLI; q++) {
		args[0] = (char *)bin;
		args[1] = "--archive";
		args[2] = (char *)dir;
		args[3] = "search";
		args[4] = "--limit";
		args[5] = "20";
		args[6] = "--";
		args[7] = queries[q];
		args[8] = NULL;
		if ((lat[q] = run_cli(args)) < 0) {
			fprintf(stderr, "search_bench: %s search '%s' failed\n", bin, queries[q]);
			return -1;
		}
		args[1] = "--version";
		args[2] = NULL;
		if ((ver[q] = run_cli(args)) < 0)
			return -1;
	}
	qsort(lat, NCLI, sizeof(*lat), cmp_d);
	qsort(ver, NCLI, sizeof(*ver), cmp_d);
	*p50 = pct(lat, NCLI, 0.5);
	*p99 = pct(lat, NCLI, 0.99);
	*v50 = pct(ver, NCLI, 0.5);
	printf("%-34s search p50 %6.2f ms, p95 %6.2f, p99 %6.2f, max %6.2f; --version p50 %5.2f"
	       " ms, p99 %5.2f\n",
	       label, *p50, pct(lat, NCLI, 0.95), *p99, lat[NCLI - 1], *v50, pct(ver, NCLI, 0.99));
	return 0;
}

static double cpu_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, int n, double p)
{
	int i = (int)ceil(p * n) - 1;

	return sorted[i < 0 ? 0 : i >= n ? n - 1 : i];
}

struct tally {
	int n;
	unsigned long long hash; /* of the ids in order, to compare two builds */
};

static int count_hit(void *ctx, const struct folio_hit *h)
{
	struct tally *t = ctx;

	t->n++;
	t->hash = (t->hash ^ (unsigned long long)h->id) * 1099511628211ULL;
	return 0;
}

/* Bytes of the full-text (doc_fts*) and trigram (doc_tri*) tables, and
 * of the whole database, through SQLite's dbstat table. */
static void index_sizes(const char *dir, double *fts, double *tri, double *all)
{
	char *path = folio_path_join(dir, "folio.db");
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	*fts = *tri = *all = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT sum(pgsize) FILTER (WHERE name LIKE 'doc_fts%'),"
			       " sum(pgsize) FILTER (WHERE name LIKE 'doc_tri%'), sum(pgsize)"
			       " FROM dbstat",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*fts = sqlite3_column_double(st, 0);
		*tri = sqlite3_column_double(st, 1);
		*all = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
}

static long long documents(struct folio_archive *arc)
{
	struct folio_err err = { 0 };
	struct folio_stats st;

	if (folio_archive_stats(arc, &st, &err) != FOLIO_OK)
		return -1;
	return st.documents;
}

int main(int argc, char **argv)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	long n = argc > 2 ? atol(argv[2]) : 200000, i;
	double t0, c0, t, *lat, *cpu, *cl[NCLASS], *ccl[NCLASS], fts, tri, all;
	char qbuf[256], *worst_q = NULL, **queries;
	int q, c, ncl[NCLASS] = { 0 }, order[NQUERIES];
	long long hits_total = 0, hits_cl[NCLASS] = { 0 };
	double worst = 0;
	struct stat sb;
	char *dbpath;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: search_bench DIR [N]\n");
		return 2;
	}
	make_vocab();
	make_vendors();
	dbpath = folio_path_join(argv[1], "folio.db");
	if (!stat(dbpath, &sb)) {
		if (!(arc = folio_archive_open(argv[1], 0, &err))) {
			fprintf(stderr, "search_bench: %s\n", err.msg);
			return 1;
		}
		if (documents(arc) != n) {
			fprintf(stderr,
				"search_bench: %s holds %lld documents, not %ld: remove it\n",
				argv[1], documents(arc), n);
			return 1;
		}
		printf("reusing the archive of %ld documents in %s\n", n, argv[1]);
	} else {
		if (!(arc = folio_archive_open(argv[1], FOLIO_ARCHIVE_CREATE, &err))) {
			fprintf(stderr, "search_bench: %s\n", err.msg);
			return 1;
		}
		t0 = folio_clock();
		for (i = 0; i < n; i++) {
			struct folio_doc *d = make_doc(i);

			if (folio_archive_add(arc, d, &err) < 0) {
				fprintf(stderr, "search_bench: document %ld: %s\n", i, err.msg);
				return 1;
			}
			folio_doc_free(d);
			if ((i + 1) % 20000 == 0)
				fprintf(stderr, "  %ld documents, %.0f/s\n", i + 1,
					(double)(i + 1) / (folio_clock() - t0));
		}
		t = folio_clock() - t0;
		printf("inserted %ld documents in %.1f s: %.0f documents/s\n", n, t, (double)n / t);
		/* the queries' invoice numbers as when the archive is reused */
		for (i = 0; i < NVENDORS; i++)
			vend[i].seq = vend[i].seq0;
	}
	free(dbpath);
	index_sizes(argv[1], &fts, &tri, &all);
	printf("database %.1f MB, %.0f bytes per document; full-text index %.0f, trigram index"
	       " %.0f bytes per document\n",
	       all / 1e6, all / (double)n, fts / (double)n, tri / (double)n);

	/* the mix: each class's share, interleaved in a fixed shuffled order
	 * (the same queries whether or not the documents were made now) */
	rng = 0x9E3779B97F4A7C15ULL;
	for (c = 0, q = 0; c < NCLASS; c++)
		for (i = 0; i < qclasses[c].count && q < NQUERIES; i++)
			order[q++] = c;
	for (; q < NQUERIES; q++)
		order[q] = Q_WORD;
	for (q = NQUERIES - 1; q > 0; q--) {
		int j = (int)rnd((unsigned)q + 1), tmp = order[q];

		order[q] = order[j];
		order[j] = tmp;
	}
	lat = calloc(NQUERIES, sizeof(*lat));
	queries = calloc(NQUERIES, sizeof(*queries));
	cpu = calloc(NQUERIES, sizeof(*cpu));
	for (c = 0; c < NCLASS; c++) {
		cl[c] = calloc(NQUERIES, sizeof(double));
		ccl[c] = calloc(NQUERIES, sizeof(double));
	}
	for (q = 0; q < NQUERIES; q++) {
		struct folio_search_opts o = { .query = qbuf, .limit = 20 };
		struct tally tl = { 0, 14695981039346656037ULL };
		int hits;

		c = order[q];
		make_query((enum qclass)c, qbuf, sizeof(qbuf), &o.sort);
		queries[q] = strdup(qbuf);
		t0 = folio_clock();
		c0 = cpu_clock();
		if (folio_archive_search(arc, &o, count_hit, &tl, &err) != FOLIO_OK) {
			fprintf(stderr, "search_bench: '%s': %s\n", qbuf, err.msg);
			return 1;
		}
		lat[q] = (folio_clock() - t0) * 1000;
		cpu[q] = (cpu_clock() - c0) * 1000;
		hits = tl.n;
		ccl[c][ncl[c]] = cpu[q];
		cl[c][ncl[c]++] = lat[q];
		hits_total += hits;
		hits_cl[c] += hits;
		if (lat[q] > worst) {
			worst = lat[q];
			free(worst_q);
			worst_q = strdup(qbuf);
		}
		if (getenv("SEARCH_BENCH_TRACE"))
			fprintf(stderr, "%8.2f ms %8.2f cpu %3d hits %016llx  %-18s %s%s\n", lat[q],
				cpu[q], hits, tl.hash, qclasses[c].name, qbuf,
				o.sort == FOLIO_SORT_DATE ? " (by date)" : "");
	}
	printf("%-20s %6s %8s %8s %8s %8s %6s %8s %8s\n", "class", "n", "p50 ms", "p95 ms",
	       "p99 ms", "max ms", "hits", "cpu p50", "cpu max");
	for (c = 0; c < NCLASS; c++) {
		qsort(cl[c], (size_t)ncl[c], sizeof(double), cmp_d);
		qsort(ccl[c], (size_t)ncl[c], sizeof(double), cmp_d);
		printf("%-20s %6d %8.2f %8.2f %8.2f %8.2f %6.1f %8.2f %8.2f\n", qclasses[c].name,
		       ncl[c], pct(cl[c], ncl[c], 0.5), pct(cl[c], ncl[c], 0.95),
		       pct(cl[c], ncl[c], 0.99), cl[c][ncl[c] - 1], (double)hits_cl[c] / ncl[c],
		       pct(ccl[c], ncl[c], 0.5), ccl[c][ncl[c] - 1]);
		free(cl[c]);
		free(ccl[c]);
	}
	qsort(lat, NQUERIES, sizeof(*lat), cmp_d);
	printf("%d queries (%lld hits): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms"
	       " ('%s')\n",
	       NQUERIES, hits_total, pct(lat, NQUERIES, 0.5), pct(lat, NQUERIES, 0.95),
	       pct(lat, NQUERIES, 0.99), lat[NQUERIES - 1], worst_q ? worst_q : "");
	qsort(cpu, NQUERIES, sizeof(*cpu), cmp_d);
	printf("CPU time per query: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       pct(cpu, NQUERIES, 0.5), pct(cpu, NQUERIES, 0.95), pct(cpu, NQUERIES, 0.99),
	       cpu[NQUERIES - 1]);
	printf("goal: p50 <= 5 ms, p99 <= 50 ms, none over 200 ms: %s\n",
	       pct(lat, NQUERIES, 0.5) <= 5 && pct(lat, NQUERIES, 0.99) <= 50 &&
			       lat[NQUERIES - 1] <= 200 ?
		       "met" :
		       "NOT met");
	folio_archive_close(arc);
	if (argc > 3) {
		/* as a shell user feels it: a process per query */
		double p50, p99, v50, e50, e99, ev50;

		printf("\nfrom the shell, %d queries of the mix and --version, a process each "
		       "(wall clock, spawn to exit):\n",
		       NCLI);
		if (cli_figures("folio (lean front)", argv[3], argv[1], queries, &p50, &p99, &v50))
			return 1;
		if (argc > 4) {
			char *omp = getenv("OMP_THREAD_LIMIT");

			omp = omp ? strdup(omp) : NULL;
			unsetenv("OMP_THREAD_LIMIT");
			if (cli_figures("folio-engine (the whole stack)", argv[4], argv[1], queries,
					&e50, &e99, &ev50))
				return 1;
			if (omp)
				setenv("OMP_THREAD_LIMIT", omp, 1);
			free(omp);
			printf("front vs whole stack: search p50 %.2fx, p99 %.2fx, --version %.2fx "
			       "faster\n",
			       e50 / p50, e99 / p99, ev50 / v50);
		}
		printf("goal (at 20,000 documents): --version <= 5 ms, search p50 <= 15 ms, p99 <= "
		       "40 ms: %s at %lld documents\n",
		       v50 <= 5 && p50 <= 15 && p99 <= 40 ? "met" : "NOT met", (long long)n);
	}
	for (q = 0; q < NQUERIES; q++)
		free(queries ? queries[q] : NULL);
	free(queries);
	free(worst_q);
	free(cpu);
	free(lat);
	return 0;
}
