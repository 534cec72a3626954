/* Unit tests: the trainable document-type model and its interplay with the rules. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/classify.h"
#include "folio/util.h"
#include "t.h"

/* A small corpus made here: a few phrases per type, mixed by a seeded LCG. */
static const char *const c_invoice[] = { "Faktura VAT",
					 "Rechnung",
					 "Invoice",
					 "Fattura",
					 "Razem netto",
					 "Kwota VAT",
					 "Do zapłaty",
					 "Termin płatności",
					 "Zahlbar innerhalb 14 Tagen",
					 "Amount due",
					 "Bank details",
					 "Nettobetrag",
					 "Imponibile",
					 NULL };
static const char *const c_order[] = { "Zamówienie",
				       "Bestellung",
				       "Purchase order",
				       "Ordine di acquisto",
				       "Prosimy o dostarczenie",
				       "Gewünschter Liefertermin",
				       "Please deliver by",
				       "Delivery address",
				       "Lieferanschrift",
				       "Please confirm this order",
				       "Termin realizacji",
				       "Items ordered",
				       NULL };
static const char *const c_letter[] = { "Szanowni Państwo,",
					"Sehr geehrte Damen und Herren,",
					"Dear Sir or Madam,",
					"Gentili Signori,",
					"Z poważaniem",
					"Mit freundlichen Grüßen",
					"Yours faithfully,",
					"Cordiali saluti",
					"we are writing to inform you",
					"uprzejmie informujemy",
					"hiermit teilen wir Ihnen mit",
					"please do not hesitate to contact us",
					NULL };
static const char *const c_contract[] = { "Umowa o świadczenie usług",
					  "Dienstleistungsvertrag",
					  "Service agreement",
					  "Contratto di locazione",
					  "§ 1 Przedmiot umowy",
					  "§ 2 Vergütung",
					  "Term and termination",
					  "Strony zgodnie postanawiają",
					  "The parties agree as follows",
					  "Gerichtsstand ist Berlin",
					  "Letto, confermato e sottoscritto",
					  "Governing law",
					  NULL };
static const char *const c_items[] = { "Papier A4 10 szt. 12,50", "Toner 2 Stk. 80,00",
				       "Consulting 5 hrs 400.00", "Viti M8 100 pz 9,00",
				       "Transport 1 usł. 300,00", NULL };

static uint32_t lcg = 12345;

static uint32_t rnd(uint32_t n)
{
	lcg = lcg * 1103515245u + 12345u;
	return (lcg >> 16) % n;
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

/* Five to eight lines from `words`, some item lines for the money types. */
static void make_doc(char *buf, size_t len, const char *const *words, int items)
{
	size_t n = count(words), k = 5 + rnd(4), i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < k && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s\n", words[rnd((uint32_t)n)]);
	for (i = 0; items && i < 3 && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s\n", c_items[rnd(5)]);
}

static struct folio_trainer *small_corpus(int per)
{
	struct folio_trainer *t = folio_trainer_new();
	struct folio_err err = { 0 };
	char buf[1024];
	int i;

	lcg = 12345;
	for (i = 0; i < per; i++) {
		make_doc(buf, sizeof(buf), c_invoice, 1);
		T_EQ_INT(folio_trainer_add(t, buf, "invoice", &err), FOLIO_OK);
		make_doc(buf, sizeof(buf), c_order, 1);
		T_EQ_INT(folio_trainer_add(t, buf, "order", &err), FOLIO_OK);
		make_doc(buf, sizeof(buf), c_letter, 0);
		T_EQ_INT(folio_trainer_add(t, buf, "letter", &err), FOLIO_OK);
		make_doc(buf, sizeof(buf), c_contract, 0);
		T_EQ_INT(folio_trainer_add(t, buf, "contract", &err), FOLIO_OK);
	}
	return t;
}

static const char *predict(const struct folio_model *m, const char *text, float *p)
{
	struct folio_err err = { 0 };
	const char *type = NULL;

	T_EQ_INT(folio_model_predict(m, text, &type, p, &err), FOLIO_OK);
	return type ? type : "(none)";
}

/* Texts none of which is in the corpus word for word. */
/* clang-format off */
static const struct {
	const char *text, *type;
} probe[] = {
	{ "RECHNUNG Nr. 55\nNettobetrag 100,00\nZahlbar innerhalb 14 Tagen\nToner 2 Stk.", "invoice" },
	{ "Faktura VAT 7/2024\nKwota VAT 23,00\nDo zapłaty 123,00 PLN", "invoice" },
	{ "Purchase order 4471\nPlease deliver by 1 June\nDelivery address: 3 Mill Lane", "order" },
	{ "Zamówienie nr 8\nProsimy o dostarczenie do 5 maja\nTermin realizacji: 10 dni", "order" },
	{ "Dear Sir or Madam,\nwe are writing to inform you of our new address.\nYours faithfully,",
	  "letter" },
	{ "Sehr geehrte Damen und Herren,\nhiermit teilen wir Ihnen mit, dass...\n"
	  "Mit freundlichen Grüßen", "letter" },
	{ "Service agreement\n1. The parties agree as follows\n2. Term and termination\n"
	  "3. Governing law", "contract" },
	{ "Umowa najmu\n§ 1 Przedmiot umowy\nStrony zgodnie postanawiają, że", "contract" },
};
/* clang-format on */

static int write_bytes(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(d, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static uint32_t crc32_ref(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return ~crc;
}

static void test_train_predict_roundtrip(const char *dir)
{
	struct folio_trainer *t = small_corpus(10);
	struct folio_err err = { 0 };
	struct folio_model *m = NULL, *l;
	char path[512], path2[512];
	unsigned char *a, *b;
	size_t na, nb, i;
	float p, q;
	const char *ta, *tb;

	T_EQ_INT(folio_trainer_count(t), 40);
	T_EQ_INT(folio_trainer_build(t, &m, &err), FOLIO_OK);
	T_OK(m != NULL, "build: %s", err.msg);
	if (!m)
		return;
	T_EQ_INT(folio_model_nclasses(m), 4);
	T_EQ_STR(folio_model_class(m, 0), "invoice");
	T_OK(folio_model_class(m, 4) == NULL, "class out of range");
	for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		T_EQ_STR(predict(m, probe[i].text, &p), probe[i].type);
		T_OK(p > 0.25f && p <= 1.0f, "probability %f", (double)p);
	}
	/* every class's probability; they sum to one */
	{
		float pr[4], sum = 0;

		T_EQ_INT(folio_model_probs(m, probe[0].text, pr, 4, &err), FOLIO_OK);
		for (i = 0; i < 4; i++)
			sum += pr[i];
		T_OK(sum > 0.999f && sum < 1.001f, "sum %f", (double)sum);
	}
	/* no words, no verdict */
	T_EQ_STR(predict(m, " \n\f -- ", &p), "(none)");
	T_OK(p == 0, "no probability");

	/* save, load: the same predictions (weights are stored as int16) */
	snprintf(path, sizeof(path), "%s/m.model", dir);
	snprintf(path2, sizeof(path2), "%s/m2.model", dir);
	T_EQ_INT(folio_model_save(m, path, &err), FOLIO_OK);
	l = folio_model_load(path, &err);
	T_OK(l != NULL, "load: %s", err.msg);
	if (l) {
		for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
			ta = predict(m, probe[i].text, &p);
			tb = predict(l, probe[i].text, &q);
			T_EQ_STR(ta, tb);
			T_OK(p - q < 1e-3f && q - p < 1e-3f, "%f vs %f", (double)p, (double)q);
		}
		/* a loaded model saves to the same bytes */
		T_EQ_INT(folio_model_save(l, path2, &err), FOLIO_OK);
		T_EQ_INT(folio_read_file(path, 1 << 24, &a, &na, &err), FOLIO_OK);
		T_EQ_INT(folio_read_file(path2, 1 << 24, &b, &nb, &err), FOLIO_OK);
		T_OK(na == nb && !memcmp(a, b, na), "resaved model differs");
		free(b);
		/* training is deterministic: the same examples, the same file */
		T_EQ_INT(folio_trainer_save(t, path2, &err), FOLIO_OK);
		T_EQ_INT(folio_read_file(path2, 1 << 24, &b, &nb, &err), FOLIO_OK);
		T_OK(na == nb && !memcmp(a, b, na), "retrained model differs");
		free(a);
		free(b);
		folio_model_free(l);
	}
	folio_model_free(m);
	folio_trainer_free(t);
}

static void expect_bad(const char *path, const void *d, size_t n, const char *msg)
{
	struct folio_err err = { 0 };
	struct folio_model *m;

	T_EQ_INT(write_bytes(path, d, n), 0);
	m = folio_model_load(path, &err);
	T_OK(m == NULL, "bad model loaded (%s)", msg);
	folio_model_free(m);
	T_CONTAINS(err.msg, msg);
	T_EQ_INT(err.kind, FOLIO_E_INPUT);
}

static void test_corrupt(const char *dir)
{
	struct folio_trainer *t = small_corpus(6);
	struct folio_err err = { 0 };
	char path[512], bad[512];
	unsigned char *d, *x;
	size_t n, i;
	uint32_t crc;
	int refused = 0, tries = 0;

	snprintf(path, sizeof(path), "%s/c.model", dir);
	snprintf(bad, sizeof(bad), "%s/bad.model", dir);
	T_EQ_INT(folio_trainer_save(t, path, &err), FOLIO_OK);
	folio_trainer_free(t);
	if (folio_read_file(path, 1 << 24, &d, &n, &err) != FOLIO_OK) {
		T_OK(0, "read back: %s", err.msg);
		return;
	}
	T_OK(n > 100, "model size %zu", n);
	x = malloc(n);
	expect_bad(bad, "", 0, "not a folio model file");
	expect_bad(bad, "invoice 3 faktura\n", 18, "not a folio model file");
	expect_bad(bad, d, 30, "truncated");
	expect_bad(bad, d, n / 2, "checksum mismatch");
	expect_bad(bad, d, n - 1, "checksum mismatch");
	memcpy(x, d, n);
	x[n / 2] ^= 0x40;
	expect_bad(bad, x, n, "checksum mismatch");
	/* another version, with a valid checksum */
	memcpy(x, d, n);
	x[8] = 2;
	crc = crc32_ref(x, n - 4);
	memcpy(x + n - 4,
	       (unsigned char[4]){ crc & 0xff, crc >> 8 & 0xff, crc >> 16 & 0xff, crc >> 24 }, 4);
	expect_bad(bad, x, n, "unsupported version 2");
	/* a lying row count, with a valid checksum: no read past the end */
	memcpy(x, d, n);
	x[22] ^= 0x01;
	crc = crc32_ref(x, n - 4);
	memcpy(x + n - 4,
	       (unsigned char[4]){ crc & 0xff, crc >> 8 & 0xff, crc >> 16 & 0xff, crc >> 24 }, 4);
	T_EQ_INT(write_bytes(bad, x, n), 0);
	T_OK(folio_model_load(bad, &err) == NULL, "bad row count refused");
	T_CONTAINS(err.msg, "model '");
	/* every truncation is refused (and ASan sees no overread) */
	for (i = 0; i < n; i += 1 + i / 8) {
		struct folio_model *m;

		write_bytes(bad, d, i);
		m = folio_model_load(bad, &err);
		refused += m == NULL;
		tries++;
		folio_model_free(m);
	}
	T_EQ_INT(refused, tries);
	T_OK(folio_model_load(bad, NULL) == NULL, "refused without an error record");
	T_OK(folio_model_load("/nonexistent/x.model", &err) == NULL, "missing model");
	T_CONTAINS(err.msg, "cannot open");
	free(x);
	free(d);
}

static const char *classify(struct folio_classifier *c, const char *text, char *reason, size_t rlen,
			    float *conf)
{
	static char type[32];
	struct folio_doc *d = folio_doc_new("x", NULL, 0);
	struct folio_err err = { 0 };

	folio_strbuf_adds(&d->text, text);
	T_EQ_INT(folio_classify_doc(c, d, &err), FOLIO_OK);
	snprintf(type, sizeof(type), "%s", d->doc_type);
	snprintf(reason, rlen, "%s", d->type_reason);
	if (conf)
		*conf = d->type_conf;
	folio_doc_free(d);
	return type;
}

static void test_interplay(const char *dir)
{
	struct folio_err err = { 0 };
	struct folio_classifier *c = folio_classify_load("models/doctype.rules", &err);
	struct folio_trainer *t = small_corpus(8);
	struct folio_rule_verdict v;
	struct folio_model *m = NULL;
	char reason[128], path[512];
	const char *ambiguous = "Faktura VAT 7/2024\nKwota VAT 23,00\nDo zapłaty 123,00 PLN\n"
				"Zamówienie nr 8";
	float conf, p;
	FILE *f;

	T_OK(c != NULL, "rules: %s", err.msg);
	if (!c)
		return;
	/* the model is taught that corrections are letters: a confident rule still wins */
	T_EQ_INT(folio_trainer_add(t,
				   "Faktura korygująca\nPrzyczyna korekty: zwrot\n"
				   "Szanowni Państwo,",
				   "letter", &err),
		 FOLIO_OK);
	T_EQ_INT(folio_trainer_build(t, &m, &err), FOLIO_OK);
	folio_trainer_free(t);
	if (!m)
		return;
	T_EQ_STR(predict(m, "Faktura korygująca nr 5\nSzanowni Państwo,", NULL), "letter");
	folio_classify_set_model(c, m);
	T_OK(folio_classify_model(c) == m, "model attached");
	T_EQ_STR(classify(c, "Faktura korygująca nr 5\nSzanowni Państwo,", reason, sizeof(reason),
			  &conf),
		 "credit_note");
	T_EQ_STR(reason, "rule: 'faktura korygujaca'");
	T_OK(conf > 0.5f, "rule confidence %f", (double)conf);
	T_EQ_INT(folio_classify_rules(c, "Faktura korygująca nr 5", &v, &err), FOLIO_OK);
	T_EQ_INT(v.confident, 1);
	T_EQ_INT(v.strongest, 20);

	/* weak keywords only (faktura, vat, zamowienie vs invoice words): the model decides */
	T_EQ_INT(folio_classify_rules(c, ambiguous, &v, &err), FOLIO_OK);
	T_EQ_INT(v.confident, 0);
	T_EQ_STR(v.type, "invoice");
	T_EQ_STR(classify(c, ambiguous, reason, sizeof(reason), &conf), "invoice");
	T_CONTAINS(reason, "model: ");
	predict(m, ambiguous, &p);
	T_OK(conf == p, "confidence is the model's probability (%f, %f)", (double)conf, (double)p);
	{
		char want[32];

		snprintf(want, sizeof(want), "model: %.2f", (double)p);
		T_EQ_STR(reason, want);
	}
	/* a letter the rules score as an invoice (strong keyword missing) */
	T_EQ_STR(classify(c,
			  "Dear Sir or Madam,\nwe are writing to inform you about invoice "
			  "no. 5.\nYours faithfully,",
			  reason, sizeof(reason), NULL),
		 "letter");
	T_CONTAINS(reason, "model: ");
	/* empty text: "other", no model verdict */
	T_EQ_STR(classify(c, "", reason, sizeof(reason), &conf), "other");
	T_EQ_STR(reason, "no rule matched");

	/* an unsure model (two types for the same text) leaves a matched rule standing */
	{
		struct folio_trainer *u = folio_trainer_new();
		struct folio_model *um = NULL;
		int k;

		for (k = 0; k < 3; k++) {
			folio_trainer_add(u, "Faktura VAT 1/2024 Towar", "letter", &err);
			folio_trainer_add(u, "Faktura VAT 1/2024 Towar", "order", &err);
		}
		T_EQ_INT(folio_trainer_build(u, &um, &err), FOLIO_OK);
		folio_trainer_free(u);
		predict(um, "Faktura VAT 1/2024 Towar", &p);
		T_OK(p < FOLIO_MODEL_MIN_PROB, "unsure model: %f", (double)p);
		folio_classify_set_model(c, um);
		T_EQ_STR(classify(c, "Faktura VAT 1/2024 Towar", reason, sizeof(reason), NULL),
			 "invoice");
		T_EQ_STR(reason, "rule: 'faktura vat'");
		/* no rule matched: the unsure model's guess is better than nothing */
		classify(c, "Towar", reason, sizeof(reason), NULL);
		T_CONTAINS(reason, "model: 0.");
	}

	/* rules only again: the old behaviour */
	folio_classify_set_model(c, NULL);
	T_EQ_STR(classify(c, ambiguous, reason, sizeof(reason), NULL), "invoice");
	T_EQ_STR(reason, "rule: 'faktura vat'");

	/* loading: missing is a warning, corrupt a failure; both keep what was there */
	snprintf(path, sizeof(path), "%s/none.model", dir);
	T_EQ_INT(folio_classify_load_model(c, path, &err), FOLIO_WARN);
	T_CONTAINS(err.msg, "rules only");
	snprintf(path, sizeof(path), "%s/junk.model", dir);
	f = fopen(path, "w");
	fputs("FOLIOMDL and then nothing sensible at all, really nothing", f);
	fclose(f);
	T_EQ_INT(folio_classify_load_model(c, path, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "junk.model");
	T_OK(folio_classify_model(c) == NULL, "still rules only");
	T_EQ_INT(folio_classify_load_model(c, "models/doctype.model", &err), FOLIO_OK);
	T_OK(folio_classify_model(c) != NULL, "shipped model attached: %s", err.msg);
	T_EQ_STR(classify(c, "Ricevuta\nGrazie e arrivederci\nContanti 10,00\nResto 0,00", reason,
			  sizeof(reason), NULL),
		 "receipt");
	folio_classify_free(c);
}

/* A user confirms a few documents of a kind the model gets wrong; retraining fixes it. */
static void test_retrain(void)
{
	struct folio_trainer *t = small_corpus(8);
	struct folio_err err = { 0 };
	struct folio_model *before = NULL, *after = NULL;
	/* German dunning letters that look like invoices: amounts, invoice numbers */
	const char *confirmed[] = {
		"Zahlungserinnerung\nRechnung Nr. 4411 vom 3.2.\nOffener Betrag 410,00\n"
		"Wir bitten um Ausgleich innerhalb von 7 Tagen",
		"Zahlungserinnerung\nRechnung Nr. 1902\nOffener Betrag 99,00\n"
		"Sicher haben Sie die Zahlung übersehen",
		"Zweite Zahlungserinnerung\nRechnung 777\nOffener Betrag 1 250,00\n"
		"Bitte überweisen Sie den Betrag umgehend",
	};
	const char *unseen = "Zahlungserinnerung\nRechnung Nr. 5150\nOffener Betrag 320,00\n"
			     "Bitte überweisen Sie den offenen Betrag";
	const char *ta;
	float pa, pb;
	size_t i;

	T_EQ_INT(folio_trainer_build(t, &before, &err), FOLIO_OK);
	for (i = 0; i < 3; i++)
		T_EQ_INT(folio_trainer_add_weighted(t, confirmed[i], "letter", 3.0f, &err),
			 FOLIO_OK);
	T_EQ_INT(folio_trainer_build(t, &after, &err), FOLIO_OK);
	if (before && after) {
		ta = predict(before, unseen, &pa);
		T_OK(strcmp(ta, "letter") != 0, "before: %s %f", ta, (double)pa);
		T_EQ_STR(predict(after, unseen, &pb), "letter");
		/* what the model knew stays known */
		for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++)
			T_EQ_STR(predict(after, probe[i].text, NULL), probe[i].type);
	}
	folio_model_free(before);
	folio_model_free(after);
	/* bad input to the trainer */
	T_EQ_INT(folio_trainer_add(t, "x", "Invoice!", &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "bad document type");
	T_EQ_INT(folio_trainer_add_weighted(t, "x", "invoice", 0, &err), FOLIO_FAILED);
	folio_trainer_free(t);
	t = folio_trainer_new();
	T_EQ_INT(folio_trainer_add(t, "only one kind", "invoice", &err), FOLIO_OK);
	T_EQ_INT(folio_trainer_build(t, &before, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "at least two");
	T_OK(before == NULL, "no model");
	folio_trainer_free(t);
	folio_trainer_free(NULL);
	folio_model_free(NULL);
}

static void test_train_dir(const char *dir)
{
	/* clang-format off */
	static const struct {
		const char *name, *text;
	} files[] = {
		{ "pl-invoice-001.txt", "Faktura VAT nr 1\nRazem netto 100\nDo zapłaty 123" },
		{ "de-invoice-002.txt", "Rechnung Nr. 2\nNettobetrag 100\nZahlbar sofort" },
		{ "en-delivery_note-001.txt", "Delivery note\nQty delivered 5\nReceived by" },
		{ "de-delivery_note-002.txt", "Lieferschein\nGelieferte Menge 5\nWare erhalten" },
		{ "README.md", "not a training file" },
		{ "notes.txt", "no type in this name" },
	};
	/* clang-format on */
	struct folio_err err = { 0 };
	char sub[512], path[600], out[600];
	struct folio_model *m;
	size_t i;

	snprintf(sub, sizeof(sub), "%s/corpus", dir);
	mkdir(sub, 0755);
	T_EQ_INT(folio_model_train_dir(sub, "/dev/null/x", &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "no training files");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sub, files[i].name);
		write_bytes(path, files[i].text, strlen(files[i].text));
	}
	snprintf(out, sizeof(out), "%s/dir.model", dir);
	T_EQ_INT(folio_model_train_dir(sub, out, &err), FOLIO_OK);
	m = folio_model_load(out, &err);
	T_OK(m != NULL, "trained from a folder: %s", err.msg);
	if (m) {
		T_EQ_INT(folio_model_nclasses(m), 2);
		T_EQ_STR(predict(m, "Lieferschein Nr. 9\nWare erhalten", NULL), "delivery_note");
		T_EQ_STR(predict(m, "Faktura VAT nr 9\nDo zapłaty 50", NULL), "invoice");
		folio_model_free(m);
	}
	T_EQ_INT(folio_model_train_dir("/nonexistent/corpus", out, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "cannot open");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sub, files[i].name);
		unlink(path);
	}
	rmdir(sub);
}

/* The shipped model on a few held-out fixtures (not used to train it). */
static void test_shipped(void)
{
	/* clang-format off */
	static const struct {
		const char *file, *type;
	} fx[] = {
		{ "pl-credit_note-008.txt", "credit_note" }, { "de-delivery_note-009.txt", "delivery_note" },
		{ "es-proforma-010.txt", "proforma" },       { "it-receipt-008.txt", "receipt" },
		{ "fr-contract-009.txt", "contract" },       { "pt-form-010.txt", "form" },
		{ "en-letter-008.txt", "letter" },           { "de-order-010.txt", "order" },
	};
	/* clang-format on */
	struct folio_err err = { 0 };
	struct folio_model *m = folio_model_load("models/doctype.model", &err);
	char path[256];
	size_t i;

	T_OK(m != NULL, "shipped model: %s", err.msg);
	if (!m)
		return;
	T_EQ_INT(folio_model_nclasses(m), 10);
	for (i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		unsigned char *d = NULL;
		size_t n;
		char *s;

		snprintf(path, sizeof(path), "tests/fixtures/classify/heldout/%s", fx[i].file);
		if (folio_read_file(path, 1 << 20, &d, &n, &err) != FOLIO_OK) {
			T_OK(0, "%s", err.msg);
			continue;
		}
		s = realloc(d, n + 1);
		s[n] = '\0';
		T_EQ_STR(predict(m, s, NULL), fx[i].type);
		free(s);
	}
	folio_model_free(m);
}

int main(void)
{
	char dir[] = "/tmp/folio-test-model-XXXXXX";
	char path[600];
	const char *names[] = { "m.model",   "m2.model",  "c.model",
				"bad.model", "dir.model", "junk.model" };
	size_t i;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_train_predict_roundtrip(dir);
	test_corrupt(dir);
	test_interplay(dir);
	test_retrain();
	test_train_dir(dir);
	test_shipped();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	T_EQ_INT(rmdir(dir), 0);
	return t_done();
}
