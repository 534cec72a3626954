/*
 * search_bench.c - make bench-search: an archive of N synthetic documents
 * (multilingual invoice-like text, realistic fields and tags) built
 * through the storage API, then a fixed mix of 1,000 queries: single
 * words, phrases, filters, substrings of numbers, sorted by date. Prints
 * p50/p95/p99/max latency, the insert rate and the index size per document.
 *
 *   search_bench DIR [N]      (N defaults to 200000; DIR is created)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/archive.h"
#include "folio/util.h"

static const char *const words[] = {
	"faktura", "sprzedawca", "nabywca", "zapłaty", "wartość", "netto", "brutto", "Łódź",
	"Kraków", "Gdańsk", "factura", "cliente", "importe", "Madrid", "Sevilla", "fatura",
	"contribuinte", "Lisboa", "Porto", "fattura", "imponibile", "Torino", "Milano", "Rechnung",
	"Betrag", "Berlin", "invoice", "amount", "paliwo", "combustible", "gasolina", "carburante",
	"usługa", "servicio", "serviço", "servizio", "transport", "magazyn", "almacén", "armazém",
	"magazzino", "papier", "toner", "drukarka", "impresora", "stampante", "naprawa", "reparación",
	"reparação", "riparazione", "abonament", "suscripción", "assinatura", "abbonamento",
};
static const char *const vendors[] = {
	"Orlen S.A.", "Repsol S.A.", "Galp Energia", "Eni S.p.A.", "Drukarnia Wróbel",
	"Cerámicas del Guadalquivir", "Conservas Maré Alta", "Torrefazione Aurora",
	"Księgarnia Pod Świerkiem", "Papelaria Lusitana",
};
static const char *const types[] = { "invoice", "invoice", "invoice", "credit_note", "receipt",
				     "form", "letter", "order" };
#define NW (sizeof(words) / sizeof(words[0]))

static unsigned long long rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int count_hit(void *ctx, const struct folio_hit *h)
{
	(void)h;
	(*(int *)ctx)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	long n = argc > 2 ? atol(argv[2]) : 200000, i;
	double t0, t, *lat;
	char qbuf[256];
	int q, hits_total = 0;
	struct folio_stats st;

	if (argc < 2) {
		fprintf(stderr, "usage: search_bench DIR [N]\n");
		return 2;
	}
	if (!(arc = folio_archive_open(argv[1], FOLIO_ARCHIVE_CREATE, &err))) {
		fprintf(stderr, "search_bench: %s\n", err.msg);
		return 1;
	}
	t0 = folio_clock();
	for (i = 0; i < n; i++) {
		char text[2048], data[64], num[64], nip[32], date[16], total[32];
		struct folio_doc *d;
		struct folio_page *pg;
		size_t len = 0;
		int k, nwords = 60 + (int)rnd(120);

		snprintf(num, sizeof(num), "FV/%04u/%02u/%05ld", 2020 + rnd(5), 1 + rnd(12), i);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s nr %s ",
					words[rnd(NW)], num);
		for (k = 0; k < nwords && len < sizeof(text) - 40; k++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", words[rnd(NW)],
						k % 12 == 11 ? "\n" : " ");
		snprintf(data, sizeof(data), "synthetic document %ld", i);
		d = folio_doc_new(num, (unsigned char *)strdup(data), strlen(data));
		folio_sha256_hex(d->data, d->size, d->sha256);
		folio_doc_set_str(&d->mime, "application/pdf");
		folio_doc_set_str(&d->doc_type, types[rnd(8)]);
		pg = folio_doc_add_page(d);
		pg->source = FOLIO_SRC_TEXT;
		folio_page_set_text(pg, text);
		folio_doc_join_text(d);
		snprintf(date, sizeof(date), "%04u-%02u-%02u", 2020 + rnd(5), 1 + rnd(12), 1 + rnd(28));
		snprintf(total, sizeof(total), "%u.%02u", rnd(20000), rnd(100));
		snprintf(nip, sizeof(nip), "PL%010u", 1000000000u + rnd(50) * 7919u);
		folio_doc_set_field(d, "invoice_number", num, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "issue_date", date, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "gross_total", total, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "seller_tax_id", nip, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
		folio_doc_set_field(d, "seller_name", vendors[rnd(10)], NULL, 1, FOLIO_SRC_TEXT, 1,
				    NULL);
		folio_doc_set_field(d, "currency", rnd(3) ? "EUR" : "PLN", NULL, 1, FOLIO_SRC_TEXT, 1,
				    NULL);
		if (!rnd(5))
			folio_doc_add_tag(d, "fuel");
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
	folio_archive_stats(arc, &st, &err);
	printf("inserted %ld documents in %.1f s: %.0f documents/s; database %.1f MB, %.0f bytes"
	       " per document\n", n, t, (double)n / t, (double)st.db_bytes / 1e6,
	       (double)st.db_bytes / (double)(n ? n : 1));

	lat = calloc(1000, sizeof(*lat));
	for (q = 0; q < 1000; q++) {
		struct folio_search_opts o = { .query = qbuf, .limit = 20 };
		int hits = 0;

		switch (q % 10) {
		case 0: snprintf(qbuf, sizeof(qbuf), "%s", words[rnd(NW)]); break;
		case 1: snprintf(qbuf, sizeof(qbuf), "lodz"); break;
		case 2: snprintf(qbuf, sizeof(qbuf), "\"%s %s\"", words[rnd(NW)], words[rnd(NW)]); break;
		case 3: snprintf(qbuf, sizeof(qbuf), "%s %s*", words[rnd(NW)], "fak"); break;
		case 4: snprintf(qbuf, sizeof(qbuf), "type:invoice %s", words[rnd(NW)]); break;
		case 5: snprintf(qbuf, sizeof(qbuf), "tag:fuel date:%u-%02u", 2020 + rnd(5), 1 + rnd(12)); break;
		case 6: snprintf(qbuf, sizeof(qbuf), "%05u", rnd(200000)); break;
		case 7: snprintf(qbuf, sizeof(qbuf), "total>%u %s", rnd(20000), words[rnd(NW)]); break;
		case 8: snprintf(qbuf, sizeof(qbuf), "vendor:orlen issued:2023"); break;
		default:
			snprintf(qbuf, sizeof(qbuf), "%s", words[rnd(NW)]);
			o.sort = FOLIO_SORT_DATE;
		}
		t0 = folio_clock();
		if (folio_archive_search(arc, &o, count_hit, &hits, &err) != FOLIO_OK) {
			fprintf(stderr, "search_bench: '%s': %s\n", qbuf, err.msg);
			return 1;
		}
		lat[q] = (folio_clock() - t0) * 1000;
		hits_total += hits;
	}
	qsort(lat, 1000, sizeof(*lat), cmp_d);
	printf("1000 queries (%d hits): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       hits_total, lat[499], lat[949], lat[989], lat[999]);
	printf("goal: p50 <= 5 ms, p99 <= 50 ms, none over 200 ms\n");
	free(lat);
	folio_archive_close(arc);
	return 0;
}
