/*
 * export_bench.c - make bench-export: an archive of N synthetic invoices
 * (Polish and German sellers with valid tax IDs, addresses, one to three
 * VAT rates, one to eight lines, IBANs, a tenth of them credit notes)
 * built through the storage API, then one real export per format (files
 * written, ledger committed) timed: invoices/s per format, bytes, and the
 * counts of refused documents. A second run of each export must write
 * nothing (exactly once) and is timed too.
 *
 *   export_bench DIR [N]      (N defaults to 10000; DIR is created)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "folio/archive.h"
#include "folio/config.h"
#include "folio/export.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static unsigned long long rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void nip(char out[16])
{
	static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
	int d[10], s, i;

	do {
		for (s = 0, i = 0; i < 9; i++) {
			d[i] = i == 0 ? 1 + (int)rnd(9) : (int)rnd(10);
			s += d[i] * w[i];
		}
	} while (s % 11 == 10);
	d[9] = s % 11;
	out[0] = 'P';
	out[1] = 'L';
	for (i = 0; i < 10; i++)
		out[2 + i] = (char)('0' + d[i]);
	out[12] = '\0';
}

static void de_vat(char out[16])
{
	int d[9], p = 10, s, i;

	for (i = 0; i < 8; i++) {
		d[i] = i == 0 ? 1 + (int)rnd(9) : (int)rnd(10);
		s = (d[i] + p) % 10;
		if (!s)
			s = 10;
		p = (2 * s) % 11;
	}
	d[8] = 11 - p == 10 ? 0 : 11 - p;
	out[0] = 'D';
	out[1] = 'E';
	for (i = 0; i < 9; i++)
		out[2 + i] = (char)('0' + d[i]);
	out[11] = '\0';
}

static const char *const pl_names[] = { "Orlen S.A.", "Drukarnia Wróbel Sp. z o.o.",
					"Księgarnia Pod Świerkiem", "Hurtownia Łódź Sp. j.",
					"Biuro Rachunkowe \"Żagiel\"" };
static const char *const de_names[] = { "Müller & Söhne GmbH", "Bürobedarf Nord KG",
					"Gießerei Weiß AG" };
static const char *const items[] = { "Papier A4 80 g",	    "Toner TN-2420",
				     "Usługa transportowa", "Naprawa drukarki",
				     "Abonament serwisowy", "Benzyna 95",
				     "Wartung Heizung",	    "Büromaterial" };

static double now_s(void)
{
	return folio_clock();
}

static long rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

static int fill(struct folio_archive *arc, long n)
{
	struct folio_err err = { 0 };
	long i;

	for (i = 0; i < n; i++) {
		static const int rates[] = { 23, 8, 5 };
		struct folio_strbuf lines = FOLIO_STRBUF_INIT, bd = FOLIO_STRBUF_INIT;
		long long net[3] = { 0 }, vat[3], tnet = 0, tvat = 0;
		char num[64], seller[16], buyer[16], date[16], due[16], b[64], data[64];
		int de = rnd(10) < 3, credit = rnd(10) == 0, nl = 1 + (int)rnd(8), k, r;
		struct folio_doc *d;

		snprintf(num, sizeof(num), "FV/%04u/%02u/%05ld", 2024 + rnd(2), 1 + rnd(12), i);
		snprintf(data, sizeof(data), "synthetic invoice %ld", i);
		d = folio_doc_new(num, (unsigned char *)strdup(data), strlen(data));
		folio_sha256_hex(d->data, d->size, d->sha256);
		folio_doc_set_str(&d->mime, "application/xml");
		folio_doc_set_str(&d->doc_type, credit ? "credit_note" : "invoice");
		if (de)
			de_vat(seller);
		else
			nip(seller);
		nip(buyer);
		folio_strbuf_addch(&lines, '[');
		for (k = 0; k < nl; k++) {
			long long qty = 1 + rnd(20), price = 100 + rnd(100000), ln = qty * price;

			r = de ? 0 : (int)rnd(3);
			net[r] += ln;
			folio_strbuf_addf(&lines,
					  "%s{\"description\":\"%s\",\"quantity\":\"%lld\","
					  "\"unit\":\"C62\",\"unit_price\":\"%lld.%02lld\",\"net\":"
					  "\"%lld.%02lld\",\"vat_rate\":\"%d\",\"category\":\"S\"}",
					  k ? "," : "", items[rnd(8)], qty, price / 100,
					  price % 100, ln / 100, ln % 100, de ? 19 : rates[r]);
		}
		folio_strbuf_addch(&lines, ']');
		folio_strbuf_addch(&bd, '[');
		for (r = 0, k = 0; r < 3; r++) {
			int rate = de ? 19 : rates[r];

			if (!net[r])
				continue;
			vat[r] = (net[r] * rate + 50) / 100;
			tnet += net[r];
			tvat += vat[r];
			folio_strbuf_addf(&bd,
					  "%s{\"rate\":\"%d\",\"category\":\"S\",\"net\":"
					  "\"%lld.%02lld\",\"vat\":\"%lld.%02lld\"}",
					  k++ ? "," : "", rate, net[r] / 100, net[r] % 100,
					  vat[r] / 100, vat[r] % 100);
		}
		folio_strbuf_addch(&bd, ']');
		snprintf(date, sizeof(date), "2025-%02u-%02u", 1 + rnd(12), 1 + rnd(28));
		snprintf(due, sizeof(due), "2026-%02u-%02u", 1 + rnd(12), 1 + rnd(28));
#define F(name, value) folio_doc_set_field(d, name, value, NULL, 1, FOLIO_SRC_XML, 0, NULL)
		F("invoice_number", num);
		F("issue_date", date);
		F("due_date", due);
		F("currency", de ? "EUR" : "PLN");
		F("seller_name", de ? de_names[rnd(3)] : pl_names[rnd(5)]);
		F("seller_tax_id", seller);
		F("seller_country", de ? "DE" : "PL");
		F("seller_address",
		  de ? "Hauptstraße 5, 10115 Berlin" : "ul. Piotrkowska 12, 90-001 Łódź");
		F("buyer_name", "Zakład Usług Księgowych Sp. z o.o.");
		F("buyer_tax_id", buyer);
		F("buyer_country", "PL");
		F("buyer_address", "ul. Długa 3/5, 80-827 Gdańsk");
		snprintf(b, sizeof(b), "%lld.%02lld", tnet / 100, tnet % 100);
		F("net_total", b);
		snprintf(b, sizeof(b), "%lld.%02lld", tvat / 100, tvat % 100);
		F("vat_total", b);
		snprintf(b, sizeof(b), "%lld.%02lld", (tnet + tvat) / 100, (tnet + tvat) % 100);
		F("gross_total", b);
		F("amount_due", b);
		F("iban", de ? "DE89370400440532013000" : "PL61109010140000071219812874");
		F("vat_breakdown", bd.buf);
		F("lines", lines.buf);
#undef F
		folio_strbuf_release(&lines);
		folio_strbuf_release(&bd);
		if (folio_archive_add(arc, d, &err) < 0) {
			fprintf(stderr, "export_bench: invoice %ld: %s\n", i, err.msg);
			folio_doc_free(d);
			return -1;
		}
		folio_doc_free(d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct folio_export_module *const *m;
	struct folio_config cfg;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	long n = argc > 2 ? atol(argv[2]) : 10000;
	double t0, t;
	char out[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: export_bench DIR [N]\n");
		return 2;
	}
	if (folio_config_defaults(&cfg, &err) != FOLIO_OK ||
	    !(arc = folio_archive_open(argv[1], FOLIO_ARCHIVE_CREATE, &err))) {
		fprintf(stderr, "export_bench: %s\n", err.msg);
		return 1;
	}
	t0 = now_s();
	if (fill(arc, n))
		return 1;
	printf("archived %ld synthetic invoices in %.1f s\n", n, now_s() - t0);
	printf("%-8s %10s %12s %9s %9s %12s %10s\n", "format", "invoices", "invoices/s", "refused",
	       "seconds", "bytes", "again (s)");
	for (m = folio_export_modules(); *m; m++) {
		struct folio_export_req req = { 0 };
		struct folio_export_report rep = { 0 }, rep2 = { 0 };

		snprintf(out, sizeof(out), "%s/out-%s%s%s", argv[1], (*m)->name,
			 (*m)->file_per_invoice ? "" : ".",
			 (*m)->file_per_invoice ? "" : (*m)->ext);
		req.format = (*m)->name;
		req.out = out;
		t0 = now_s();
		if (folio_export_run(arc, &cfg, &req, &rep, &err) != FOLIO_OK) {
			fprintf(stderr, "export_bench: %s: %s\n", (*m)->name, err.msg);
			return 1;
		}
		t = now_s() - t0;
		/* exactly once: the same export again writes nothing */
		snprintf(out + strlen(out), sizeof(out) - strlen(out), ".again");
		t0 = now_s();
		if (folio_export_run(arc, &cfg, &req, &rep2, &err) != FOLIO_OK) {
			fprintf(stderr, "export_bench: %s again: %s\n", (*m)->name, err.msg);
			return 1;
		}
		printf("%-8s %10zu %12.0f %9zu %9.2f %12lld %10.2f%s\n", (*m)->name, rep.exported,
		       (double)rep.exported / t, rep.refused, t, rep.bytes, now_s() - t0,
		       rep2.exported ? "  SECOND RUN EXPORTED AGAIN" : "");
	}
	printf("peak RSS %ld MB\n", rss_mb());
	folio_archive_close(arc);
	folio_config_release(&cfg);
	return 0;
}
