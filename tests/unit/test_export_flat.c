/* Unit tests: the one-stream export formats csv, jsonl and ledger. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "folio/doc.h"
#include "folio/export.h"
#include "folio/util.h"
#include "t.h"

/* A record from name, value pairs ending in NULL; "doc_type" sets the type. */
static void mk(struct folio_invoice *inv, long long id, ...)
{
	struct folio_doc *doc = folio_doc_new("x.pdf", NULL, 0);
	struct folio_err err;
	const char *name, *value;
	va_list ap;

	doc->id = id;
	folio_doc_set_str(&doc->doc_type, "invoice");
	folio_doc_set_str(&doc->added_at, "2024-05-01T10:00:00Z");
	memcpy(doc->sha256, "ab12", 5);
	va_start(ap, id);
	while ((name = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (!strcmp(name, "doc_type"))
			folio_doc_set_str(&doc->doc_type, value);
		else if (!strcmp(name, "tag"))
			folio_doc_add_tag(doc, value);
		else
			folio_doc_set_field(doc, name, value, NULL, 0.97f, FOLIO_SRC_TEXT, 1, NULL);
	}
	va_end(ap);
	if (folio_invoice_from_doc(inv, doc, 1, NULL, &err) != FOLIO_OK) {
		fprintf(stderr, "record: %s\n", err.msg);
		exit(1);
	}
}

struct run {
	char *out;
	int status[8];
	char msg[8][FOLIO_ERR_MSG_MAX];
	int begin;
	char begin_msg[FOLIO_ERR_MSG_MAX];
};

/* Run `name` with `opts` ("key=value" strings, NULL-terminated) over `invs`. */
static void run(struct run *r, const char *name, const char *const *opts,
		const struct folio_invoice *invs, size_t n)
{
	struct folio_export_opt o[16];
	char kv[16][256];
	struct folio_export x;
	struct folio_strbuf out = FOLIO_STRBUF_INIT;
	struct folio_err err;
	size_t i, no = 0;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	for (; opts && opts[no]; no++) {
		char *eq;

		snprintf(kv[no], sizeof(kv[no]), "%s", opts[no]);
		eq = strchr(kv[no], '=');
		*eq = '\0';
		o[no].key = kv[no];
		o[no].value = eq + 1;
	}
	x.mod = folio_export_module_find(name);
	T_OK(x.mod != NULL, "module %s not registered", name);
	if (!x.mod)
		exit(1);
	x.opts = o;
	x.nopts = no;
	x.now = "2024-06-01T12:00:00Z";
	x.batch = 1;
	folio_err_clear(&err);
	r->begin = folio_export_check_keys(&x, &err);
	if (r->begin == FOLIO_OK && x.mod->begin)
		r->begin = x.mod->begin(&x, &out, &err);
	if (r->begin != FOLIO_OK) {
		snprintf(r->begin_msg, sizeof(r->begin_msg), "%s", err.msg);
		T_EQ_INT(err.kind, FOLIO_E_CONFIG);
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t before = out.len;

		folio_err_clear(&err);
		r->status[i] = x.mod->write(&x, &invs[i], &out, &err);
		snprintf(r->msg[i], sizeof(r->msg[i]), "%s", err.msg);
		if (r->status[i] != FOLIO_OK) {
			T_EQ_INT(r->status[i], FOLIO_FAILED);
			T_EQ_INT(err.kind, FOLIO_E_REFUSED);
			T_EQ_INT(out.len, before);
		}
	}
	if (x.mod->end)
		T_EQ_INT(x.mod->end(&x, &out, &err), FOLIO_OK);
out:
	if (x.mod->release)
		x.mod->release(&x);
	if (!out.buf)
		folio_strbuf_adds(&out, "");
	r->out = folio_strbuf_detach(&out);
}

static void release(struct folio_invoice *invs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		folio_invoice_release(&invs[i]);
}

/* ---- csv ------------------------------------------------------------- */

static void test_csv(void)
{
	struct folio_invoice inv[3];
	struct run r;

	mk(&inv[0], 7, "invoice_number", "FV/1/2024", "issue_date", "2024-03-05", "seller_name",
	   "Acme \"Best\", Ltd", "seller_tax_id", "PL5260250274", "buyer_name", "Zażółć gęślą jaźń",
	   "currency", "PLN", "net_total", "100.00", "vat_total", "23.00", "gross_total", "123.00",
	   "vat_breakdown",
	   "[{\"rate\":\"23\",\"net\":\"80.00\",\"vat\":\"18.40\"},"
	   "{\"rate\":\"5.5\",\"net\":\"20.00\",\"vat\":\"4.60\"}]",
	   "tag", "q1", "tag", "fuel", NULL);
	mk(&inv[1], 8, "doc_type", "credit_note", "invoice_number", "K/1", "issue_date",
	   "2024-03-06", "seller_name", "Line\nbreak", "gross_total", "-12.30", NULL);
	mk(&inv[2], 9, "invoice_number", "X", "seller_name", "Compañía SA", "buyer_name", "Straße",
	   NULL);

	{
		/* clang-format off */
		static const char *const o[] = {
			"columns=doc_id,invoice_number,doc_type,seller_name,gross_total", NULL };

		run(&r, "csv", o, inv, 2);
		T_EQ_INT(r.begin, FOLIO_OK);
		T_EQ_STR(r.out, "doc_id,invoice_number,doc_type,seller_name,gross_total\r\n"
				"7,FV/1/2024,invoice,\"Acme \"\"Best\"\", Ltd\",123.00\r\n"
				"8,K/1,credit_note,\"Line\nbreak\",-12.30\r\n");
		free(r.out);
	}
	{
		/* id: the document id under the name the JSON outputs give it */
		static const char *const o[] = { "columns=id,invoice_number", NULL };

		run(&r, "csv", o, inv, 2);
		T_EQ_INT(r.begin, FOLIO_OK);
		T_EQ_STR(r.out, "id,invoice_number\r\n7,FV/1/2024\r\n8,K/1\r\n");
		free(r.out);
	}
	{
		static const char *const o[] = {
			"columns=invoice_number,issue_date,net_total,seller_name",
			"delimiter=;", "decimal=comma", "date_format=%d.%m.%Y", "line_end=lf",
			"header=no", NULL };

		run(&r, "csv", o, inv, 1);
		T_EQ_STR(r.out, "FV/1/2024;05.03.2024;100,00;\"Acme \"\"Best\"\", Ltd\"\n");
		free(r.out);
	}
	{
		/* CSV injection: a seller name that is a formula gets an apostrophe,
		 * amounts (a negative credit note) are left alone */
		static const char *const o[] = { "columns=seller_name,gross_total", "header=no",
						 "line_end=lf", NULL };
		static const char *const off[] = { "columns=seller_name", "header=no",
						   "line_end=lf", "formula_guard=no", NULL };
		static const char *const bad[] = { "formula_guard=maybe", NULL };
		struct folio_invoice evil[2];

		mk(&evil[0], 20, "seller_name", "=HYPERLINK(\"http://x\";\"a\")", "gross_total",
		   "-5.00", NULL);
		mk(&evil[1], 21, "seller_name", "@SUM(A1)", NULL);
		run(&r, "csv", o, evil, 2);
		T_EQ_STR(r.out, "\"'=HYPERLINK(\"\"http://x\"\";\"\"a\"\")\",-5.00\n'@SUM(A1),\n");
		free(r.out);
		run(&r, "csv", off, evil, 1);
		T_EQ_STR(r.out, "\"=HYPERLINK(\"\"http://x\"\";\"\"a\"\")\"\n");
		free(r.out);
		run(&r, "csv", bad, evil, 1);
		T_EQ_INT(r.begin, FOLIO_FAILED);
		free(r.out);
		release(evil, 2);
	}
	{
		/* a comma decimal with a comma delimiter is quoted */
		static const char *const o[] = {
			"columns=invoice_number,vat_total", "decimal=comma", "header=no", NULL };

		run(&r, "csv", o, inv, 1);
		T_EQ_STR(r.out, "FV/1/2024,\"23,00\"\r\n");
		free(r.out);
	}
	{
		static const char *const o[] = { "rows=rate", "delimiter=tab", "line_end=lf",
			"columns=doc_id,gross_total,vat_rate,rate_net,rate_vat,tags", NULL };

		run(&r, "csv", o, inv, 3);
		T_EQ_STR(r.out, "doc_id\tgross_total\tvat_rate\trate_net\trate_vat\ttags\n"
				"7\t123.00\t23\t80.00\t18.40\tq1, fuel\n"
				"7\t123.00\t5.5\t20.00\t4.60\tq1, fuel\n"
				"8\t-12.30\t\t\t\t\n"
				"9\t\t\t\t\t\n");
		free(r.out);
	}
	{
		/* the default columns */
		run(&r, "csv", NULL, inv, 1);
		T_EQ_STR(r.out,
			 "doc_id,invoice_number,doc_type,issue_date,supply_date,due_date,"
			 "seller_name,seller_tax_id,buyer_name,buyer_tax_id,currency,net_total,"
			 "vat_total,gross_total,amount_due,iban\r\n"
			 "7,FV/1/2024,invoice,2024-03-05,,,\"Acme \"\"Best\"\", Ltd\","
			 "PL5260250274,Zażółć gęślą jaźń,,PLN,100.00,23.00,123.00,,\r\n");
		free(r.out);
	}
	{
		/* CP1250: Polish letters as single bytes; ñ refused, the batch goes on */
		static const char *const o[] = { "encoding=cp1250", "header=no",
			"columns=doc_id,buyer_name,seller_name", NULL };

		run(&r, "csv", o, inv, 3);
		T_EQ_STR(r.out, "7,Za\xbf\xf3\xb3\xe6 g\xea\x9cl\xb9 ja\x9f\xf1,"
				"\"Acme \"\"Best\"\", Ltd\"\r\n"
				"8,,\"Line\nbreak\"\r\n");
		T_EQ_INT(r.status[0], FOLIO_OK);
		T_EQ_INT(r.status[2], FOLIO_FAILED);
		T_EQ_STR(r.msg[2], "cannot be written in CP1250: 'ñ' in seller_name");
		free(r.out);
	}
	{
		/* CP1252 has ñ and ß but not ż */
		static const char *const o[] = { "encoding=cp1252", "header=no",
			"columns=seller_name,buyer_name", NULL };

		run(&r, "csv", o, inv, 3);
		T_EQ_STR(r.out, "\"Line\nbreak\",\r\nCompa\xf1\xed" "a SA,Stra\xdf" "e\r\n");
		T_EQ_INT(r.status[0], FOLIO_FAILED);
		T_EQ_STR(r.msg[0], "cannot be written in CP1252: 'ż' in buyer_name");
		free(r.out);
	}
	{
		/* bytes that are not UTF-8 are refused, not passed on */
		static const char *const o[] = { "columns=doc_id,seller_name,buyer_name", NULL };
		struct folio_invoice bad;

		mk(&bad, 30, "seller_name", "Caf\xe9", "buyer_name", "ok\xc3", NULL);
		run(&r, "csv", o, &bad, 1);
		T_EQ_INT(r.status[0], FOLIO_FAILED);
		T_EQ_STR(r.msg[0], "invalid UTF-8 in seller_name; invalid UTF-8 in buyer_name");
		free(r.out);
		folio_invoice_release(&bad);
	}
	{
		static const char *const o[] = { "bom=yes", "columns=doc_id", NULL };

		run(&r, "csv", o, inv, 1);
		T_EQ_STR(r.out, "\xef\xbb\xbf" "doc_id\r\n7\r\n");
		free(r.out);
	}
	{
		/* any document field by name */
		static const char *const o[] = { "columns=doc_id,vat_breakdown,needs_review",
			"header=no", "delimiter=;", NULL };

		run(&r, "csv", o, inv + 1, 1);
		T_EQ_STR(r.out, "8;;no\r\n");
		free(r.out);
	}
	{
		static const struct { const char *opt, *msg; } bad[] = {
			{ "delimiter=|", "csv: delimiter = '|' is not valid" },
			{ "decimal=dot", "decimal = 'dot'" },
			{ "date_format=%Y/%b", "date_format = '%Y/%b'" },
			{ "encoding=latin1", "encoding = 'latin1'" },
			{ "header=maybe", "header = 'maybe'" },
			{ "bom=1", "bom = '1'" },
			{ "line_end=cr", "line_end = 'cr'" },
			{ "rows=line", "rows = 'line'" },
			{ "columns=doc_id,colour", "'colour' is not a column" },
			{ "columns=doc_id,vat_rate", "'vat_rate' needs rows = rate" },
			{ "columns=doc_id,,x", "an empty column name" },
			{ "colour=red", "'colour' is not a setting of the csv format" },
		};
		/* clang-format on */
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *o[] = { bad[i].opt, NULL };

			run(&r, "csv", o, inv, 1);
			T_EQ_INT(r.begin, FOLIO_FAILED);
			T_CONTAINS(r.begin_msg, bad[i].msg);
			free(r.out);
		}
		{
			const char *o[] = { "encoding=cp1250", "bom=yes", NULL };

			run(&r, "csv", o, inv, 1);
			T_CONTAINS(r.begin_msg, "needs encoding = utf-8");
			free(r.out);
		}
	}
	release(inv, 3);
}

/* ---- jsonl ------------------------------------------------------------ */

static char tmpdir[64];

/* Write `s` to TMPDIR/name and return the path (static buffer). */
static const char *save(const char *name, const char *s)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	T_OK(f != NULL, "cannot write %s", path);
	if (f) {
		fputs(s, f);
		fclose(f);
	}
	return path;
}

/* Run a shell command; its first line of output into `buf`. Exit status. */
static int sh(const char *cmd, char *buf, size_t n)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0;
	int st;

	buf[0] = '\0';
	if (!p)
		return -1;
	len = fread(buf, 1, n - 1, p);
	buf[len] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_jsonl(void)
{
	struct folio_invoice inv[2];
	char cmd[512], buf[4096];
	const char *path;
	struct run r;
	char *nl;

	mk(&inv[0], 7, "invoice_number", "FV/1/2024", "issue_date", "2024-03-05", "seller_name",
	   "Acme \"Best\"\nLtd", "seller_tax_id", "PL5260250274", "currency", "PLN", "net_total",
	   "100.00", "vat_total", "23.00", "gross_total", "0123.00", "amount_due", ".50",
	   "vat_breakdown",
	   "[{\"rate\":\"23\",\"net\":\"80.00\",\"vat\":\"18.40\"},"
	   "{\"rate\":\"5.5\",\"category\":\"S\",\"net\":\"20.00\",\"vat\":\"4.60\"}]",
	   "lines",
	   "[{\"description\":\"Widget\",\"quantity\":\"2\",\"unit_price\":"
	   "\"40.000\",\"net\":\"80.00\",\"vat_rate\":\"23\"}]",
	   "charges", "[{\"kind\":\"charge\",\"amount\":\"5.00\",\"reason\":\"Freight\"}]", "tag",
	   "q1", NULL);
	mk(&inv[1], 8, "doc_type", "credit_note", "invoice_number", "K/1", "gross_total", "-12.30",
	   "net_total", "n/a", NULL);
	run(&r, "jsonl", NULL, inv, 2);
	T_EQ_INT(r.begin, FOLIO_OK);
	T_EQ_INT(r.status[0], FOLIO_OK);
	T_EQ_INT(r.status[1], FOLIO_OK);
	nl = strchr(r.out, '\n');
	T_OK(nl && strchr(nl + 1, '\n') && !strchr(nl + 1, '\n')[1], "two lines: %s", r.out);
	T_CONTAINS(r.out, "{\"id\":7,\"sha256\":\"ab12\",\"doc_type\":\"invoice\",\"title\":null,"
			  "\"added_at\":\"2024-05-01T10:00:00Z\",\"vendor\":null,\"tags\":[\"q1\"],"
			  "\"needs_review\":false,\"review\":null,\"fields\":{\"invoice_number\":"
			  "{\"value\":\"FV/1/2024\",\"source\":\"text\",\"confidence\":0.97,"
			  "\"page\":1},");
	T_CONTAINS(r.out, "\"vat_breakdown\":{\"value\":[{\"rate\":\"23\",\"net\":\"80.00\","
			  "\"vat\":\"18.40\"},{\"rate\":\"5.5\",\"category\":\"S\",\"net\":"
			  "\"20.00\",\"vat\":\"4.60\"}],\"source\"");
	T_CONTAINS(r.out, "\"seller\":{\"name\":\"Acme \\\"Best\\\"\\nLtd\",\"tax_id\":"
			  "\"PL5260250274\",\"country\":\"PL\",\"address\":null}");
	T_CONTAINS(r.out, "\"net_total\":100.00,\"vat_total\":23.00,\"gross_total\":123.00,"
			  "\"amount_due\":0.50,\"prepaid_amount\":null,\"rounding_amount\":null,"
			  "\"rates\":[{\"rate\":23,\"category\":null,\"exemption_reason\":null,"
			  "\"exemption_code\":null,\"net\":80.00,\"vat\":18.40},{\"rate\":5.5,");
	T_CONTAINS(r.out, "\"lines\":[{\"description\":\"Widget\",\"quantity\":2,\"unit\":null,"
			  "\"unit_price\":40.000,\"net\":80.00,\"vat_rate\":23,\"category\":null}],"
			  "\"charges\":[{\"charge\":true,\"amount\":5.00,\"reason\":\"Freight\"");
	T_CONTAINS(r.out, "\"id\":8,");
	T_CONTAINS(r.out, "\"doc_type\":\"credit_note\"");
	T_CONTAINS(r.out, "\"net_total\":null,\"vat_total\":null,\"gross_total\":-12.30,");
	T_CONTAINS(r.out, "\"net_total\":{\"value\":\"n/a\"");

	/* every line parses as JSON (jq is in tests/deps.sh: missing is a failure) */
	path = save("out.jsonl", r.out);
	snprintf(cmd, sizeof(cmd),
		 "jq -c '[.id, .invoice.gross_total, "
		 ".fields.vat_breakdown.value[1].rate, .invoice.seller.name]' '%s' 2>&1",
		 path);
	T_EQ_INT(sh(cmd, buf, sizeof(buf)), 0);
	T_EQ_STR(buf, "[7,123,\"5.5\",\"Acme \\\"Best\\\"\\nLtd\"]\n[8,-12.3,null,null]\n");
	/* exact decimals: Python's json with Decimal reads back what was stored */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys,decimal\n"
		 "for l in open(sys.argv[1]):\n"
		 " d=json.loads(l,parse_float=decimal.Decimal)\n"
		 " print(d[\"invoice\"][\"gross_total\"],end=\" \")' '%s' 2>&1",
		 path);
	if (sh("command -v python3 >/dev/null", buf, sizeof(buf)) == 0) {
		T_EQ_INT(sh(cmd, buf, sizeof(buf)), 0);
		T_EQ_STR(buf, "123.00 -12.30 ");
	}
	free(r.out);
	release(inv, 2);

	/* raw text, box, source and a vendor name */
	{
		struct folio_doc *doc = folio_doc_new("y.pdf", NULL, 0);
		static const int box[4] = { 10, 20, 300, 40 };
		struct folio_err err;

		doc->id = 3;
		doc->needs_review = 1;
		folio_doc_set_str(&doc->doc_type, "invoice");
		folio_doc_set_str(&doc->review, "gross_total unsure");
		folio_doc_set_field(doc, "gross_total", "1234.50", "1 234,50 zł", 0.5f,
				    FOLIO_SRC_OCR, 2, box);
		T_EQ_INT(folio_invoice_from_doc(&inv[0], doc, 1, "Acme", &err), FOLIO_OK);
		run(&r, "jsonl", NULL, inv, 1);
		T_CONTAINS(r.out,
			   "\"vendor\":\"Acme\",\"tags\":[],\"needs_review\":true,"
			   "\"review\":\"gross_total unsure\",\"fields\":{\"gross_total\":"
			   "{\"value\":\"1234.50\",\"raw\":\"1 234,50 zł\",\"source\":\"ocr\","
			   "\"confidence\":0.5,\"page\":2,\"bbox\":[10,20,300,40]}},");
		T_CONTAINS(r.out, "\"gross_total\":1234.50,");
		free(r.out);
		folio_invoice_release(&inv[0]);
	}
}

/* ---- ledger ----------------------------------------------------------- */

static void test_ledger(void)
{
	struct folio_invoice inv[8];
	char cmd[512], buf[4096];
	const char *path;
	struct run r;

	mk(&inv[0], 7, "invoice_number", "FV/1/2024", "issue_date", "2024-03-05", "supply_date",
	   "2024-02-28", "due_date", "2024-04-01", "seller_name", "Acme;  Best | Ltd",
	   "seller_tax_id", "PL5260250274", "currency", "PLN", "net_total", "100.00", "vat_total",
	   "23.00", "gross_total", "123.00", "vat_breakdown",
	   "[{\"rate\":\"23\",\"net\":\"80.00\",\"vat\":\"18.40\"},"
	   "{\"rate\":\"23\",\"net\":\"0.00\",\"vat\":\"0.00\"},"
	   "{\"rate\":\"5\",\"net\":\"20.00\",\"vat\":\"4.60\"}]",
	   NULL);
	/* a credit note with negative amounts and one with positive ones */
	mk(&inv[1], 8, "doc_type", "credit_note", "invoice_number", "K(1)", "issue_date",
	   "2024-03-06", "seller_name", "Foo", "currency", "EUR", "net_total", "-10.00",
	   "gross_total", "-12.30", NULL);
	mk(&inv[2], 9, "doc_type", "credit_note", "invoice_number", "K/2", "issue_date",
	   "2024-03-07", "seller_name", "Foo", "currency", "EUR", "vat_total", "2.30",
	   "gross_total", "12.30", NULL);
	/* a sale: the seller is us (own_tax_id without the prefix) */
	mk(&inv[3], 10, "invoice_number", "S/1", "issue_date", "2024-03-08", "seller_tax_id",
	   "PL1111111111", "buyer_name", "Client: One", "buyer_tax_id", "DE123456789", "currency",
	   "PLN", "net_total", "1000.00", "vat_total", "230.00", "gross_total", "1230.00", NULL);
	/* refused: no date, no gross */
	mk(&inv[4], 11, "invoice_number", "X", "currency", "PLN", "net_total", "1.00", NULL);
	/* refused: net + VAT is not gross */
	mk(&inv[5], 12, "invoice_number", "Y", "issue_date", "2024-03-09", "currency", "PLN",
	   "net_total", "100.00", "vat_total", "22.00", "gross_total", "123.00", NULL);
	/* refused: the breakdown does not add up, a third decimal, a proforma */
	mk(&inv[6], 13, "doc_type", "proforma", "issue_date", "2024-03-09", "gross_total", "12.345",
	   "net_total", "10.00", "vat_breakdown",
	   "[{\"rate\":\"23\",\"net\":\"9.00\",\"vat\":\"2.30\"}]", NULL);
	/* refused: net and VAT unknown */
	mk(&inv[7], 14, "issue_date", "2024-03-09", "currency", "PLN", "gross_total", "5.00", NULL);

	{
		static const char *const o[] = { "own_tax_id=1111111111", NULL };

		run(&r, "ledger", o, inv, 8);
		T_EQ_INT(r.begin, FOLIO_OK);
		T_EQ_STR(r.out,
			 "; folio export, batch 1, 2024-06-01T12:00:00Z\n"
			 "\n"
			 "2024-03-05 (FV/1/2024) Acme, Best / Ltd\n"
			 "    ; folio:7, seller_tax_id:PL5260250274, due:2024-04-01\n"
			 "    expenses:purchases                            100.00 PLN\n"
			 "    assets:vat:input                               18.40 PLN  ; rate:23\n"
			 "    assets:vat:input                                4.60 PLN  ; rate:5\n"
			 "    liabilities:payable                          -123.00 PLN\n"
			 "\n"
			 "2024-03-06 (K(1]) Foo\n"
			 "    ; folio:8, credit_note:\n"
			 "    expenses:purchases                            -10.00 EUR\n"
			 "    assets:vat:input                               -2.30 EUR\n"
			 "    liabilities:payable                            12.30 EUR\n"
			 "\n"
			 "2024-03-07 (K/2) Foo\n"
			 "    ; folio:9, credit_note:\n"
			 "    expenses:purchases                            -10.00 EUR\n"
			 "    assets:vat:input                               -2.30 EUR\n"
			 "    liabilities:payable                            12.30 EUR\n"
			 "\n"
			 "2024-03-08 (S/1) Client: One\n"
			 "    ; folio:10, buyer_tax_id:DE123456789\n"
			 "    assets:receivable                            1230.00 PLN\n"
			 "    income:sales                                -1000.00 PLN\n"
			 "    liabilities:vat:output                       -230.00 PLN\n"
			 "\n"
			 "; accounts and commodities of this batch\n"
			 "account assets:receivable\n"
			 "account assets:vat:input\n"
			 "account expenses:purchases\n"
			 "account income:sales\n"
			 "account liabilities:payable\n"
			 "account liabilities:vat:output\n"
			 "commodity EUR\n"
			 "commodity PLN\n");
		T_EQ_STR(r.msg[4], "the issue date is unknown; the gross total is unknown");
		T_EQ_STR(r.msg[5], "net 100.00 + VAT 22.00 is 122.00, not the gross total 123.00");
		T_EQ_STR(r.msg[6],
			 "a proforma invoice is not posted to a journal; the currency is "
			 "unknown; gross total '12.345' is not an amount with at most two "
			 "decimals; the VAT breakdown's nets add up to 9.00, not the net "
			 "total 10.00");
		T_EQ_STR(r.msg[7], "the net and VAT totals are unknown");

		/* hledger reads it back (tests/deps.sh installs it: missing is a failure) */
		path = save("a.journal", r.out);
		T_EQ_INT(sh("command -v hledger", buf, sizeof(buf)), 0);
		snprintf(cmd, sizeof(cmd), "hledger -f '%s' check --strict 2>&1", path);
		T_EQ_INT(sh(cmd, buf, sizeof(buf)), 0);
		T_EQ_STR(buf, "");
		snprintf(cmd, sizeof(cmd),
			 "hledger -f '%s' balance -N liabilities:payable "
			 "assets:receivable 2>&1",
			 path);
		T_EQ_INT(sh(cmd, buf, sizeof(buf)), 0);
		T_EQ_STR(buf, "         1230.00 PLN  assets:receivable\n"
			      "           24.60 EUR\n"
			      "         -123.00 PLN  liabilities:payable\n");
		free(r.out);
	}
	{
		/* per-vendor payables, a vendor's own expense account, the supply date */
		static const char *const o[] = {
			"payable_per_vendor=yes",
			"date=supply",
			"vendor_account.PL 526-025-02-74=expenses:office supplies",
			"expense_account=expenses:other",
			"declare=no",
			NULL
		};

		run(&r, "ledger", o, inv, 4);
		T_EQ_INT(r.begin, FOLIO_OK);
		T_CONTAINS(r.out, "2024-02-28 (FV/1/2024) Acme, Best / Ltd\n");
		T_CONTAINS(r.out, "    expenses:office supplies                      100.00 PLN\n");
		T_CONTAINS(r.out, "    liabilities:payable:Acme, Best | Ltd         -123.00 PLN\n");
		T_CONTAINS(r.out, "2024-03-07 (K/2) Foo\n");
		T_CONTAINS(r.out, "    expenses:other                                -10.00 EUR\n");
		T_CONTAINS(r.out, "    liabilities:payable:Foo                        12.30 EUR\n");
		/* without own_tax_id the sale is a purchase from an unnamed seller */
		T_CONTAINS(r.out, "    liabilities:payable:PL1111111111            -1230.00 PLN\n");
		T_OK(!strstr(r.out, "account "), "declare=no: %s", r.out);
		path = save("b.journal", r.out);
		snprintf(cmd, sizeof(cmd), "hledger -f '%s' check 2>&1", path);
		T_EQ_INT(sh(cmd, buf, sizeof(buf)), 0);
		T_EQ_STR(buf, "");
		snprintf(cmd, sizeof(cmd), "hledger -f '%s' print -x 2>&1 | grep -c '^[0-9]'",
			 path);
		sh(cmd, buf, sizeof(buf));
		T_EQ_STR(buf, "4\n");
		free(r.out);
	}
	{
		/* a profile currency for invoices without one; payees that look like
		 * a status or a code when there is no invoice number */
		static const char *const o[] = { "currency=PLN", "declare=no", NULL };
		struct folio_invoice v[3];

		mk(&v[0], 20, "issue_date", "2024-01-02", "seller_name", "*! (Acme) Ltd",
		   "net_total", "1.00", "vat_total", "0.00", "gross_total", "1.00", NULL);
		mk(&v[1], 21, "issue_date", "2024-01-03", "seller_name", " \t*", "gross_total",
		   "2.00", "vat_total", "0.00", "currency", "EUR", NULL);
		mk(&v[2], 22, "invoice_number", "N", "issue_date", "2024-01-04", "seller_name",
		   "*Star", "gross_total", "3.00", "net_total", "3.00", "currency", "USD", NULL);
		run(&r, "ledger", o, v, 3);
		T_EQ_STR(r.out, "; folio export, batch 1, 2024-06-01T12:00:00Z\n"
				"\n"
				"2024-01-02 [Acme) Ltd\n"
				"    ; folio:20\n"
				"    expenses:purchases                              1.00 PLN\n"
				"    liabilities:payable                            -1.00 PLN\n"
				"\n"
				"2024-01-03\n"
				"    ; folio:21\n"
				"    expenses:purchases                              2.00 EUR\n"
				"    liabilities:payable                            -2.00 EUR\n"
				"\n"
				"2024-01-04 (N) *Star\n"
				"    ; folio:22\n"
				"    expenses:purchases                              3.00 USD\n"
				"    liabilities:payable                            -3.00 USD\n");
		path = save("c.journal", r.out);
		snprintf(cmd, sizeof(cmd),
			 "hledger -f '%s' register -O csv 2>&1 | cut -d, -f2-4 "
			 "| sort -u | tr '\\n' '|'",
			 path);
		T_EQ_INT(sh(cmd, buf, sizeof(buf)), 0);
		T_EQ_STR(buf, "\"2024-01-02\",\"\",\"[Acme) Ltd\"|\"2024-01-03\",\"\",\"\"|"
			      "\"2024-01-04\",\"N\",\"*Star\"|\"date\",\"code\",\"description\"|");
		free(r.out);
		release(v, 3);
	}
	{
		/* clang-format off */
		static const struct { const char *opt, *msg; } bad[] = {
			{ "expense_account=expenses:a  b", "expense_account = 'expenses:a  b'" },
			{ "vat_account=a;b", "vat_account = 'a;b'" },
			{ "payable_account=", "payable_account = ''" },
			{ "revenue_account=income::x", "revenue_account = 'income::x'" },
			{ "payable_per_vendor=maybe", "payable_per_vendor = 'maybe'" },
			{ "date=due", "date = 'due'" },
			{ "currency=zł", "currency = 'zł'" },
			{ "own_tax_id=x", "own_tax_id = 'x'" },
			{ "vendor_account.=expenses:x", "name the seller's tax ID" },
			{ "vendor_account.PL1=(x)", "vendor_account.PL1 = '(x)'" },
			{ "vendor_accounts=x", "'vendor_accounts' is not a setting of the ledger" },
		};
		/* clang-format on */
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *o[] = { bad[i].opt, NULL };

			run(&r, "ledger", o, inv, 1);
			T_EQ_INT(r.begin, FOLIO_FAILED);
			T_CONTAINS(r.begin_msg, bad[i].msg);
			free(r.out);
		}
	}
	release(inv, 8);
}

int main(void)
{
	char cmd_rm[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/folio-export-flat-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_csv();
	test_jsonl();
	test_ledger();
	snprintf(cmd_rm, sizeof(cmd_rm), "rm -rf '%s'", tmpdir);
	if (system(cmd_rm) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return t_done();
}
