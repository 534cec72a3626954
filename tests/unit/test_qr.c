/* Unit tests: invoice data in barcode payloads (folio_qr_parse). The
 * TicketBAI IDs and URLs are published examples whose CRCs were checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "t.h"

static struct folio_cands cs;
static const int BOX[4] = { 10, 20, 300, 300 };

/* Parse one payload into the (emptied) global list. */
static int parse(const char *payload)
{
	folio_cands_free(&cs);
	return folio_qr_parse(payload, 2, BOX, &cs);
}

static const char *val(const char *name)
{
	const struct folio_cand *c = folio_cands_find(&cs, name, FOLIO_SRC_QR);

	return c ? c->value : NULL;
}

static float conf(const char *name)
{
	const struct folio_cand *c = folio_cands_find(&cs, name, FOLIO_SRC_QR);

	return c ? c->conf : -1.0f;
}

#define T_NONE(name) T_OK(val(name) == NULL, "%s = \"%s\", expected none", name, val(name))

static void test_atcud(void)
{
	const struct folio_cand *c;

	/* the example of REFERENCE.md, exactly */
	T_EQ_INT(parse("A:123456789*B:999999990*C:PT*D:FT*E:N*F:20191231*G:FT AB2019/0035*"
		       "H:CSDF7T5H-0035*I1:PT*I7:80000.00*I8:18400.00*N:18400.00*O:98400.00*"
		       "Q:kLp0*R:9999"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "PT123456789");
	T_EQ_STR(val("issue_date"), "2019-12-31");
	T_EQ_STR(val("invoice_number"), "FT AB2019/0035");
	T_EQ_STR(val("vat_total"), "18400.00");
	T_EQ_STR(val("gross_total"), "98400.00");
	T_EQ_STR(val("net_total"), "80000.00");
	T_EQ_STR(val("vat_breakdown"),
		 "[{\"rate\":\"23\",\"net\":\"80000.00\",\"vat\":\"18400.00\"}]");
	T_EQ_STR(val("doc_type"), "invoice");
	T_EQ_STR(val("currency"), "EUR");
	T_EQ_STR(val("atcud"), "CSDF7T5H-0035");
	T_NONE("buyer_tax_id"); /* 999999990: a final consumer */
	T_NONE("amount_due");
	T_OK(conf("seller_tax_id") == 1.0f, "exact");
	c = folio_cands_find(&cs, "gross_total", FOLIO_SRC_QR);
	T_OK(c && c->page == 2 && c->bbox[0] == 10 && c->bbox[1] == 20 && c->bbox[2] == 300 &&
		     c->bbox[3] == 300,
	     "page and box carried");

	/* every rate, exempt and not-subject bases, stamp duty, withholding,
	 * a Portuguese buyer; a simplified invoice */
	T_EQ_INT(parse("A:501964843*B:501964843*C:PT*D:FS*E:N*F:20240229*G:FS 1/77*H:0*I1:PT*"
		       "I2:10.00*I3:100.00*I4:6.00*I5:200.00*I6:26.00*I7:50.50*I8:11.62*L:5.00*"
		       "M:0.40*N:44.02*O:409.52*P:20.00*Q:abcd*R:1234"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "PT501964843");
	T_EQ_STR(val("buyer_tax_id"), "PT501964843");
	T_EQ_STR(val("doc_type"), "receipt");
	T_EQ_STR(val("issue_date"), "2024-02-29");
	T_NONE("atcud"); /* "0": none assigned */
	T_EQ_STR(val("net_total"), "365.50");
	T_EQ_STR(val("vat_total"), "43.62");
	T_EQ_STR(val("gross_total"), "409.52");
	T_EQ_STR(val("amount_due"), "389.52");
	T_EQ_STR(val("vat_breakdown"), "[{\"rate\":\"0\",\"net\":\"10.00\",\"vat\":\"0.00\"},"
				       "{\"rate\":\"6\",\"net\":\"100.00\",\"vat\":\"6.00\"},"
				       "{\"rate\":\"13\",\"net\":\"200.00\",\"vat\":\"26.00\"},"
				       "{\"rate\":\"23\",\"net\":\"50.50\",\"vat\":\"11.62\"}]");

	/* the Azores and Madeira: rates read off the pairs; a foreign buyer */
	T_EQ_INT(parse("A:123456789*B:B64717838*C:ES*D:NC*E:N*F:20240105*G:NC A/3*H:XX-3*"
		       "I1:PT-AC*J7:100.00*J8:16.00*K3:100.00*K4:4.50*N:20.50*O:220.50*Q:x*R:1"),
		 1);
	T_EQ_STR(val("doc_type"), "credit_note");
	T_EQ_STR(val("buyer_tax_id"), "ESB64717838");
	T_EQ_STR(val("vat_breakdown"), "[{\"rate\":\"16\",\"net\":\"100.00\",\"vat\":\"16.00\"},"
				       "{\"net\":\"100.00\",\"vat\":\"4.50\"}]");
	T_EQ_STR(val("net_total"), "200.00");

	/* debit note; a NIF failing its check digits is kept, in doubt */
	T_EQ_INT(parse("A:123456780*B:999999990*C:PT*D:ND*F:20240105*G:ND 1/1*O:1.00"), 1);
	T_EQ_STR(val("doc_type"), "invoice");
	T_EQ_STR(val("seller_tax_id"), "PT123456780");
	T_OK(conf("seller_tax_id") < 0.6f, "doubtful NIF: %.2f", conf("seller_tax_id"));
	T_NONE("vat_breakdown");
	T_NONE("net_total");

	/* malformed pairs are skipped, the rest stays */
	T_EQ_INT(parse("A:123456789*B*F:20191331*G:FT 1/2*:x*I7:abc*I8:1,2.3*ZZZ:1*O:12.5*"
		       "I9:5.00*Q:"),
		 1);
	T_NONE("issue_date");
	T_NONE("vat_breakdown");
	T_EQ_STR(val("gross_total"), "12.50");
	T_EQ_STR(val("invoice_number"), "FT 1/2");

	/* not ATCUD: too few pairs, no date or number, no A */
	T_EQ_INT(parse("A:123456789"), 0);
	T_EQ_INT(cs.n, 0);
	T_EQ_INT(parse("A:123456789*B:999999990*C:PT*D:FT"), 0);
	T_EQ_INT(cs.n, 0);
	T_EQ_INT(parse("B:999999990*C:PT*D:FT*F:20191231*G:X"), 0);
	T_EQ_INT(parse("A:*B:1*C:PT*F:20191231*G:FT 1"), 0);
}

static void test_atcud_bounds(void)
{
	char *big = malloc(20000), *p;
	size_t i;

	/* a field longer than any real one is dropped, not truncated */
	p = big;
	p += sprintf(p, "A:123456789*F:20191231*G:");
	for (i = 0; i < 400; i++)
		*p++ = 'x';
	sprintf(p, "*N:1.00*O:2.00");
	T_EQ_INT(parse(big), 1);
	T_NONE("invoice_number");
	T_EQ_STR(val("gross_total"), "2.00");

	/* totals derived from bases of 12 integer digits each stay within the
	 * amounts folio reads, or are not emitted (a fuzzing finding) */
	T_EQ_INT(parse("A:123456789*F:20191231*G:FT 1/9*I1:PT*I3:900000000000.00*"
		       "I5:900000000000.00*I7:1.00*N:1.00*O:999999999999.99"),
		 1);
	T_EQ_STR(val("gross_total"), "999999999999.99");
	T_EQ_STR(val("vat_total"), "1.00");
	T_NONE("net_total");
	T_EQ_INT(parse("A:123456789*F:20191231*G:FT 1/9*I1:PT*I3:500000000000.00*"
		       "I7:499999999999.99*O:1.00"),
		 1);
	T_EQ_STR(val("net_total"), "999999999999.99");

	/* a payload longer than a QR code can hold is not read at all */
	memset(big, '*', 19999);
	memcpy(big, "A:123456789*F:20191231*G:1*O:1.00*", 34);
	big[19999] = '\0';
	T_EQ_INT(parse(big), 0);
	free(big);
}

static void test_verifactu(void)
{
	/* the AEAT's own example */
	T_EQ_INT(parse("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?"
		       "nif=89890001K&numserie=12345678%26G33&fecha=01-09-2024&importe=241.4"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "ES89890001K");
	T_EQ_STR(val("invoice_number"), "12345678&G33");
	T_EQ_STR(val("issue_date"), "2024-09-01");
	T_EQ_STR(val("gross_total"), "241.40");
	T_EQ_STR(val("currency"), "EUR");

	/* the test host, the non-VeriFactu path, '+' and %20 as spaces, upper-case keys */
	T_EQ_INT(parse("https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQRNoVerifactu?"
		       "NIF=B64717838&NUMSERIE=FT+2024%2F0007&FECHA=31-12-2024&IMPORTE=1210.00#x"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "ESB64717838");
	T_EQ_STR(val("invoice_number"), "FT 2024/0007");
	T_EQ_STR(val("issue_date"), "2024-12-31");
	T_EQ_STR(val("gross_total"), "1210.00");

	/* bad values are dropped one by one */
	T_EQ_INT(parse("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?"
		       "nif=89890001K&numserie=%00x&fecha=30-02-2024&importe=12,3.4"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "ES89890001K");
	T_NONE("invoice_number");
	T_NONE("issue_date");
	T_NONE("gross_total");

	/* not VeriFactu: no nif, nothing but the nif, another path */
	T_EQ_INT(parse("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?"
		       "numserie=1&fecha=01-09-2024"),
		 0);
	T_EQ_INT(parse("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?"
		       "nif=89890001K"),
		 0);
	T_EQ_INT(parse("https://www2.agenciatributaria.gob.es/wlpl/Other?nif=89890001K&"
		       "numserie=1"),
		 0);
	T_EQ_INT(cs.n, 0);
}

static void test_ticketbai(void)
{
	/* the bare ID (Bizkaia's example) */
	T_EQ_INT(parse("TBAI-00000006Y-251019-btFpwP8dcLGAF-237"), 1);
	T_EQ_STR(val("seller_tax_id"), "ES00000006Y");
	T_EQ_STR(val("issue_date"), "2019-10-25");
	/* a wrong CRC, a short ID, a bad date */
	T_EQ_INT(parse("TBAI-00000006Y-251019-btFpwP8dcLGAF-238"), 0);
	T_EQ_INT(parse("TBAI-00000006Y-251019-btFpwP8dcLGA-237"), 0);
	T_EQ_INT(parse("TBAI-00000006Y-321019-btFpwP8dcLGAF-237"), 0);
	T_EQ_INT(cs.n, 0);

	/* the URL with series, number, total and its own CRC */
	T_EQ_INT(parse("https://batuz.eus/QRTBAI/?id=TBAI-00000006Y-251019-btFpwP8dcLGAF-237"
		       "&s=T&nf=27174&i=4.70&cr=007"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "ES00000006Y");
	T_EQ_STR(val("issue_date"), "2019-10-25");
	T_EQ_STR(val("invoice_number"), "T27174");
	T_EQ_STR(val("gross_total"), "4.70");
	T_EQ_STR(val("currency"), "EUR");
	T_OK(conf("gross_total") == 1.0f, "cr= verified");

	/* Gipuzkoa, no series */
	T_EQ_INT(parse("https://tbai.prep.gipuzkoa.eus/qr/?id=TBAI-B44752210-160824-"
		       "vL2IrjAmjWpmr-238&s=&nf=E-172380704840&i=64.97&cr=166"),
		 1);
	T_EQ_STR(val("invoice_number"), "E-172380704840");
	T_EQ_STR(val("issue_date"), "2024-08-16");
	T_EQ_STR(val("gross_total"), "64.97");
	T_OK(conf("invoice_number") == 1.0f, "no series: exact");

	/* a URL altered after its CRC: values kept, in doubt */
	T_EQ_INT(parse("https://batuz.eus/QRTBAI/?id=TBAI-00000006Y-251019-btFpwP8dcLGAF-237"
		       "&s=T&nf=27174&i=9.70&cr=007"),
		 1);
	T_OK(conf("gross_total") < 0.6f, "cr= failed: %.2f", conf("gross_total"));
	/* a byte that is not UTF-8 is read as Latin-1; an absurd total dropped */
	T_EQ_INT(parse("https://batuz.eus/QRTBAI/?id=TBAI-00000006Y-251019-btFpwP8dcLGAF-237"
		       "&s=%C1%ff&nf=7&i=12345678901234567.00"),
		 1);
	T_EQ_STR(val("invoice_number"), "Áÿ7");
	T_NONE("gross_total");
	/* an ID inside the URL with a bad CRC: not TicketBAI */
	T_EQ_INT(parse("https://batuz.eus/QRTBAI/?id=TBAI-00000006Y-251019-btFpwP8dcLGAF-231"
		       "&s=T&nf=27174&i=4.70"),
		 0);
	T_EQ_INT(cs.n, 0);
}

static void test_ksef(void)
{
	T_EQ_INT(parse("https://qr-test.ksef.mf.gov.pl/invoice/5265877635/26-08-2025/"
		       "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"),
		 1);
	T_EQ_STR(val("seller_tax_id"), "PL5265877635");
	T_EQ_STR(val("issue_date"), "2025-08-26");
	T_EQ_STR(val("ksef_hash"), "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE");
	T_EQ_INT(parse("https://qr.ksef.mf.gov.pl/invoice/5265877635/01-02-2026/"
		       "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"),
		 1);
	T_EQ_STR(val("issue_date"), "2026-02-01");

	/* KOD II (a certificate), a short hash, a bad date, another host */
	T_EQ_INT(parse("https://qr.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/"
		       "01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/sig"),
		 0);
	T_EQ_INT(parse("https://qr.ksef.mf.gov.pl/invoice/5265877635/26-08-2025/UtQp9Gpc51y"), 0);
	T_EQ_INT(parse("https://qr.ksef.mf.gov.pl/invoice/5265877635/32-08-2025/"
		       "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"),
		 0);
	T_EQ_INT(parse("https://example.com/invoice/5265877635/26-08-2025/"
		       "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"),
		 0);
	T_EQ_INT(cs.n, 0);
}

static const char *SWISS =
	"SPC\n0200\n1\nCH4431999123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n"
	"2501\nBiel\nCH\n\n\n\n\n\n\n\n1949.75\nCHF\nS\nPia-Maria Rutschmann-Schnyder\n"
	"Grosse Marktgasse\n28\n9400\nRorschach\nCH\nQRR\n210000000003139471430009017\n"
	"Order of 15 June 2020\nEPD\n"
	"//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/40/0:30";

static void test_swiss(void)
{
	char crlf[1024], *d = crlf;
	const char *s;

	T_EQ_INT(parse(SWISS), 1);
	T_EQ_STR(val("iban"), "CH4431999123000889012");
	T_EQ_STR(val("seller_name"), "Robert Schneider AG");
	T_EQ_STR(val("buyer_name"), "Pia-Maria Rutschmann-Schnyder");
	T_EQ_STR(val("amount_due"), "1949.75");
	T_EQ_STR(val("currency"), "CHF");
	T_EQ_STR(val("payment_reference"), "210000000003139471430009017");
	T_EQ_STR(val("invoice_number"), "10201409");
	T_EQ_STR(val("issue_date"), "2020-07-01");

	/* CRLF lines, no amount, no bill information */
	for (s = SWISS; *s && s < strstr(SWISS, "EPD\n") + 3; s++) {
		if (*s == '\n')
			*d++ = '\r';
		*d++ = *s;
	}
	*d = '\0';
	d = strstr(crlf, "1949.75");
	memmove(d, d + 7, strlen(d + 7) + 1);
	T_EQ_INT(parse(crlf), 1);
	T_EQ_STR(val("iban"), "CH4431999123000889012");
	T_NONE("amount_due");
	T_NONE("invoice_number");
	T_EQ_STR(val("payment_reference"), "210000000003139471430009017");

	/* a bad IBAN, a wrong version, too few lines, no trailer */
	T_EQ_INT(parse("SPC\n0200\n1\nCH4431999123000889013\nS\nX\n\n\n\n\n\n\n\n\n\n\n\n\n"
		       "1.00\nCHF\n\n\n\n\n\n\n\nNON\n\n\nEPD\n"),
		 0);
	T_EQ_INT(parse("SPC\n0100\n1\nCH4431999123000889012\nS\nX\n\n\n\n\n\n\n\n\n\n\n\n\n"
		       "1.00\nCHF\n\n\n\n\n\n\n\nNON\n\n\nEPD\n"),
		 0);
	T_EQ_INT(parse("SPC\n0200\n1\nCH4431999123000889012\nS\nX\n"), 0);
	T_EQ_INT(parse("SPC\n0200\n1\nCH4431999123000889012\nS\nX\n\n\n\n\n\n\n\n\n\n\n\n\n"
		       "1.00\nCHF\n\n\n\n\n\n\n\nNON\n\n\nXXX\n"),
		 0);
	T_EQ_INT(cs.n, 0);
}

static void test_epc(void)
{
	/* the EPC's example: no reference, the text is the reference */
	T_EQ_INT(parse("BCD\n001\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\n"
		       "EUR1\nCHAR\n\nUrgency fund\nSample EPC QR code"),
		 1);
	T_EQ_STR(val("seller_name"), "Red Cross of Belgium");
	T_EQ_STR(val("iban"), "BE72000000001616");
	T_EQ_STR(val("amount_due"), "1.00");
	T_EQ_STR(val("currency"), "EUR");
	T_EQ_STR(val("payment_reference"), "Urgency fund");

	/* version 2 without BIC, a structured reference, CRLF, Latin-1 name */
	T_EQ_INT(parse("BCD\r\n002\r\n2\r\nSCT\r\n\r\nFranz M\xfcller GmbH\r\n"
		       "DE89 3704 0044 0532 0130 00\r\nEUR12.3\r\n\r\nRF18539007547034\r\n"
		       "Rechnung 2024-001\r\n"),
		 1);
	T_EQ_STR(val("seller_name"), "Franz Müller GmbH");
	T_EQ_STR(val("iban"), "DE89370400440532013000");
	T_EQ_STR(val("amount_due"), "12.30");
	T_EQ_STR(val("payment_reference"), "RF18539007547034");

	/* no amount: still a payment code */
	T_EQ_INT(parse("BCD\n002\n1\nSCT\n\nACME\nDE89370400440532013000"), 1);
	T_NONE("amount_due");
	T_NONE("payment_reference");

	/* a bad IBAN, another service, another version, a bad amount */
	T_EQ_INT(parse("BCD\n002\n1\nSCT\n\nACME\nDE89370400440532013001\nEUR1"), 0);
	T_EQ_INT(parse("BCD\n002\n1\nXCT\n\nACME\nDE89370400440532013000\nEUR1"), 0);
	T_EQ_INT(parse("BCD\n009\n1\nSCT\n\nACME\nDE89370400440532013000\nEUR1"), 0);
	T_EQ_INT(cs.n, 0);
	T_EQ_INT(parse("BCD\n002\n1\nSCT\n\nACME\nDE89370400440532013000\nEURx1"), 1);
	T_NONE("amount_due");
}

static void test_nfe(void)
{
	/* SP, 2024-03, CNPJ 16727230000197, model 55, series 1, nNF 12345 */
	const char *key = "35240316727230000197550010000123451123456785";

	T_EQ_INT(parse(key), 1);
	T_EQ_STR(val("nfe_key"), key);
	T_EQ_STR(val("seller_tax_id"), "BR16727230000197");
	T_EQ_STR(val("invoice_number"), "12345");
	T_EQ_STR(val("doc_type"), "invoice");
	T_EQ_INT(parse("3524 0316 7272 3000 0197 5500 1000 0123 4511 2345 6785"), 1);
	T_EQ_STR(val("nfe_key"), key);
	T_EQ_INT(parse("NFe35240316727230000197550010000123451123456785"), 1);
	T_EQ_STR(val("nfe_key"), key);
	/* NFC-e (model 65) in its consultation URL */
	T_EQ_INT(parse("http://www.fazenda.pr.gov.br/nfce/qrcode?"
		       "p=41240316727230000197650020000000421987654324|2|1|1|ABCDEF"),
		 1);
	T_EQ_STR(val("doc_type"), "receipt");
	T_EQ_STR(val("invoice_number"), "42");
	T_EQ_STR(val("currency"), "BRL");

	/* a wrong check digit, 43 digits, an unknown state, another model */
	T_EQ_INT(parse("35240316727230000197550010000123451123456784"), 0);
	T_EQ_INT(parse("3524031672723000019755001000012345112345678"), 0);
	T_EQ_INT(parse("99240316727230000197550010000123451123456785"), 0);
	T_EQ_INT(parse("35240316727230000197570010000123451123456785"), 0);
	T_EQ_INT(cs.n, 0);
}

static void test_others(void)
{
	/* clang-format off */
	static const char *const not_invoices[] = {
		"ASN00123", "ASN000042", "5901234123457", "https://example.com/a?b=c",
		"http://", "https://", "Zażółć gęślą jaźń", "", "   \n", "A:", "SPC", "BCD",
		"TBAI-", "https://batuz.eus/QRTBAI/?s=T&nf=1", "WIFI:S:x;T:WPA;P:y;;",
		"BEGIN:VCARD\nFN:X\nEND:VCARD",
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(not_invoices) / sizeof(not_invoices[0]); i++) {
		T_OK(parse(not_invoices[i]) == 0, "'%s' taken for an invoice code",
		     not_invoices[i]);
		T_EQ_INT(cs.n, 0);
	}
	T_EQ_INT(folio_qr_parse(NULL, 1, NULL, &cs), 0);
	/* no box: zeros */
	folio_cands_free(&cs);
	T_EQ_INT(folio_qr_parse("TBAI-00000006Y-251019-btFpwP8dcLGAF-237", 1, NULL, &cs), 1);
	T_OK(cs.n && cs.v[0].bbox[2] == 0 && cs.v[0].page == 1, "no box");
	/* surrounding blanks are ignored */
	T_EQ_INT(parse("  TBAI-00000006Y-251019-btFpwP8dcLGAF-237\r\n"), 1);
}

int main(void)
{
	test_atcud();
	test_atcud_bounds();
	test_verifactu();
	test_ticketbai();
	test_ksef();
	test_swiss();
	test_epc();
	test_nfe();
	test_others();
	folio_cands_free(&cs);
	return t_done();
}
