#!/bin/sh
# tests/fuzz/make-corpus.sh - regenerate the committed seed corpora,
# tests/fuzz/corpus/TARGET/, from the project's own files: the fixtures
# (tests/fixtures: their text, truth, scans, bad inputs), folio's own
# output on them (the e-invoices its exporters write, the fields it
# stores), the default config, and values and payloads written in the
# unit tests and headers (copied below where they stand in a C string).
# Nothing comes from outside the project.
#
# Needs a built ./folio (make folio), cc, pkg-config, mutool, qrencode,
# sqlite3, gzip. Seeds are small: a few KiB each, none over 64 KiB.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/tests/fuzz/corpus"
FIX="$ROOT/tests/fixtures"
FOLIO="$ROOT/folio"
for tool in cc pkg-config mutool qrencode sqlite3 gzip; do
	command -v "$tool" >/dev/null || { echo "make-corpus: needs $tool" >&2; exit 1; }
done
[ -x "$FOLIO" ] || { echo "make-corpus: build ./folio first (make folio)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/folio-corpus.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
rm -rf "$OUT"
for t in date amount taxid qr einvoice search config json archive pdf image text mail outlook; do
	mkdir -p "$OUT/$t"
done

# seeds TARGET: one seed per stdin line, named by content
seeds() {
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		printf '%s' "$line" >"$TMP/seed"
		cp "$TMP/seed" "$OUT/$1/$(cksum <"$TMP/seed" | cut -d' ' -f1)"
	done
}
# seed TARGET NAME: stdin as one seed
seed() { cat >"$OUT/$1/$2"; }

# c_seeds TARGET PREFIX START [HEAD]: the C string literals (adjacent ones
# joined, escapes and all, as the compiler reads them) that follow START in
# the C text on stdin - the first argument of a call, the first member of a
# table row - each written as seed TARGET/PREFIX-N, after HEAD (a C string),
# by a program cc builds.
c_seeds() {
	awk -v start="$3" '
		# a small scanner: adjacent literals up to the "," or ")" after them
		function scan(line,    k, c) {
			for (k = 1; k <= length(line); k++) {
				c = substr(line, k, 1)
				if (instr) {
					buf = buf c
					if (c == "\\") { k++; buf = buf substr(line, k, 1) }
					else if (c == "\"") instr = 0
				} else if (c == "\"") {
					instr = 1; buf = buf c
				} else if (c == "," || c == ")") {
					if (buf != "") print buf ","
					cap = 0; return
				} else if (c != " " && c != "\t") {
					cap = 0; return   # not only literals: a macro, a variable
				}
			}
			buf = buf "\n"
		}
		!cap && (i = index($0, start)) {
			cap = 1; instr = 0; buf = ""
			scan(substr($0, i + length(start) - 1))
			next
		}
		cap { scan($0) }' >"$TMP/lits.h"
	cat >"$TMP/lits.c" <<CEOF
#include <stdio.h>
static const char *const s[] = {
#include "lits.h"
};
int main(void)
{
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "$OUT/$1/$2-%03zu", i + 1);
		if (!(f = fopen(path, "wb")))
			return 1;
		fwrite("${4:-}", 1, sizeof("${4:-}") - 1, f);
		fputs(s[i], f);
		fclose(f);
	}
	return 0;
}
CEOF
	cc -o "$TMP/lits" "$TMP/lits.c" && "$TMP/lits"
}

# ---- folio's view of the fixtures: their text and stored fields --------------
cc -O1 -o "$TMP/seedtool" "$ROOT/tests/fuzz/seedtool.c" \
	$(pkg-config --cflags --libs libarchive lept)
export FOLIO_ARCHIVE="$TMP/archive"
unset FOLIO_CONFIG
"$FOLIO" init >/dev/null
TEXTPDFS="pl-invoice-001.pdf es-invoice-002.pdf pt-invoice-003.pdf it-invoice-004.pdf pl-form-001.pdf"
for f in $TEXTPDFS; do
	"$FOLIO" ingest "$FIX/samples/$f" >/dev/null || true
	mutool draw -q -F txt -o "$TMP/${f%.pdf}.txt" "$FIX/samples/$f" 2>/dev/null
done
cat "$TMP"/*.txt >"$TMP/all.txt"
DB="$FOLIO_ARCHIVE/folio.db"

# ---- date, amount, tax IDs ------------------------------------------------
{
	grep -oE '[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{2,4}( r\.)?' "$TMP/all.txt"
	sqlite3 "$DB" "SELECT raw FROM fields WHERE name LIKE '%date%' AND raw IS NOT NULL"
	# the forms folio_date_parse() documents (include/folio/extract.h)
	cat <<'EOF'
15 marca 2024
15 de marzo de 2024
15 de março de 2024
15 marzo 2024
15. März 2024
15 March 2024
March 15, 2024
15 mars 2024
15-Mar-2024
2024.03.15
15/03/24
03/15/2024
14.03.2024 r.
31 grudnia 2199
29.02.2023
EOF
} | sort -u | seeds date
sed -n '/^} date_cases\[\] = {/,/^};/p' "$ROOT/tests/unit/test_values.c" |
	c_seeds date unit '{ "'

{
	grep -oE '[0-9][0-9 .]*[,.][0-9]{2}' "$TMP/all.txt" | sort -u | head -n 40
	# the forms folio_amount_parse() documents (include/folio/extract.h)
	cat <<'EOF'
1 234,56
1.234,56
1,234.56
1'234.50
1’234.50
1234
-12,00
(12.00)
12.00-
1 234,56
1 234,56 zł
€ 1.234
,50
12,-
99999999999999999999.99
0.000001
EOF
} | seeds amount
sed -n '/^} amount_cases\[\] = {/,/^};/p' "$ROOT/tests/unit/test_values.c" |
	c_seeds amount unit '{ "'

{
	for k in seller_tax_id buyer_tax_id company_tax_id tax_code iban; do
		awk -F '\t' -v k="$k" '$2 == k { print $3 }' "$FIX/truth.tsv"
	done
	grep -oE '(NIP|NIF|CIF|P\. ?IVA|C\.F\.|IBAN)[: ]*[A-Z0-9 -]{8,34}' "$TMP/all.txt" |
		sed 's/^[^:]*: *//'
	# from tests/unit/test_values.c and the header's examples
	cat <<'EOF'
PL 526-000-12-46
ESB64717838
IT 00743110157
DE136695976
PT501964843
FR40303265045
RCCMNL83S18D969H
X1234567L
12345678Z
44051401359
5260250274-20240115-0A1B2C3D4E5F-9C
PL61 1090 1014 0000 0712 1981 2874
CH93 0076 2011 6238 5295 7
GB29NWBK60161331926819
11.222.333/0001-81
EOF
} | sort -u | while IFS= read -r v; do
	# the first byte picks the country hint (fuzz_taxid.c): 0, none
	[ -n "$v" ] && printf '\000%s' "$v" >"$OUT/taxid/$(printf '%s' "$v" | cksum | cut -d' ' -f1)"
done
# (the first byte, 0: no hint)
sed -n '/^} taxid_cases\[\] = {/,/^};/p; /^} repair_cases\[\] = {/,/^};/p;
	/^} iban_cases\[\] = {/,/^};/p' "$ROOT/tests/unit/test_values.c" |
	c_seeds taxid unit '{ "' '\000'
grep -h 'folio_ksef_number_check("' "$ROOT/tests/unit/test_values.c" |
	c_seeds taxid ksef 'folio_ksef_number_check("' '\000'
# with a hint: PL and ES
printf '\001%s' "5260250274" >"$OUT/taxid/hint-pl"
printf '\002%s' "B64717838" >"$OUT/taxid/hint-es"

# ---- QR payloads (tests/unit/test_qr.c, and the fixtures' values) ----------
c_seeds qr unit 'parse("' <"$ROOT/tests/unit/test_qr.c"
# EPC (GiroCode) and Swiss QR-bill payloads built from the fixtures' values
for f in pl-invoice-001.pdf es-invoice-002.pdf it-invoice-004.pdf; do
	iban=$(awk -F '\t' -v f="$f" '$1 == f && $2 == "iban" { print $3 }' "$FIX/truth.tsv")
	gross=$(awk -F '\t' -v f="$f" '$1 == f && $2 == "gross_total" { print $3 }' "$FIX/truth.tsv")
	name=$(awk -F '\t' -v f="$f" '$1 == f && $2 == "seller_name" { print $3 }' "$FIX/truth.tsv")
	num=$(awk -F '\t' -v f="$f" '$1 == f && $2 == "invoice_number" { print $3 }' "$FIX/truth.tsv")
	printf 'BCD\n002\n1\nSCT\n\n%s\n%s\nEUR%s\n\n\n%s\n' "$name" "$iban" "$gross" "$num" \
		>"$OUT/qr/epc-${f%.pdf}"
done
printf 'SPC\n0200\n1\nCH4431999123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n1949.75\nCHF\nS\nPia-Maria Rutschmann-Schnyder\nGrosse Marktgasse\n28\n9400\nRorschach\nCH\nQRR\n210000000003139471430009017\nOrder of 15 June 2020\nEPD\n//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30\n' \
	>"$OUT/qr/swiss-qr-bill"

# ---- e-invoices: folio's own exports of the fixtures, and test strings -------
mkdir -p "$TMP/exp"
for fmt in ubl cii ksef; do
	"$FOLIO" export --to "$fmt" --include-review --out "$TMP/exp/$fmt" >/dev/null 2>&1 || true
	for x in "$TMP/exp/$fmt"/*.xml; do
		[ -f "$x" ] && cp "$x" "$OUT/einvoice/$fmt-$(basename "$x")"
	done
done
# a UBL credit note and the formats folio reads but does not write
# (adapted from tests/unit/test_einvoice.c)
seed einvoice ubl-credit-note.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>CN-7</cbc:ID><cbc:IssueDate>2024-05-02</cbc:IssueDate><cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>INV-2024/0042</cbc:ID><cbc:IssueDate>2024-03-15</cbc:IssueDate></cac:InvoiceDocumentReference></cac:BillingReference>
<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Seller &amp; Co</cbc:Name></cac:PartyName><cac:PartyTaxScheme><cbc:CompanyID>DE136695976</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty>
<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Discount</cbc:AllowanceChargeReason><cbc:Amount currencyID="EUR">10.00</cbc:Amount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">17.10</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">90.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">17.10</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">90.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">107.10</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">107.10</cbc:PayableAmount></cac:LegalMonetaryTotal>
<cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>Widget</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount></cac:Price></cac:CreditNoteLine>
</CreditNote>
EOF
seed einvoice zugferd1.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
<rsm:HeaderExchangedDocument><ram:ID>471102</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">20130305</udt:DateTimeString></ram:IssueDateTime></rsm:HeaderExchangedDocument>
<rsm:SpecifiedSupplyChainTradeTransaction>
<ram:ApplicableSupplyChainTradeAgreement><ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty><ram:BuyerTradeParty><ram:Name>Kunden AG</ram:Name></ram:BuyerTradeParty></ram:ApplicableSupplyChainTradeAgreement>
<ram:ApplicableSupplyChainTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
<ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">37.62</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount currencyID="EUR">198.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
<ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount><ram:TaxBasisTotalAmount currencyID="EUR">198.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">37.62</ram:TaxTotalAmount><ram:GrandTotalAmount currencyID="EUR">235.62</ram:GrandTotalAmount><ram:DuePayableAmount currencyID="EUR">235.62</ram:DuePayableAmount></ram:SpecifiedTradeSettlementMonetarySummation>
</ram:ApplicableSupplyChainTradeSettlement></rsm:SpecifiedSupplyChainTradeTransaction></rsm:CrossIndustryDocument>
EOF
seed einvoice fatturapa.xml <<'EOF'
<?xml version="1.0"?>
<p:FatturaElettronica versione="FPR12" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2">
<FatturaElettronicaHeader><CedentePrestatore><DatiAnagrafici><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>00743110157</IdCodice></IdFiscaleIVA><Anagrafica><Denominazione>ALFA SRL</Denominazione></Anagrafica></DatiAnagrafici><Sede><Indirizzo>Via Roma</Indirizzo><NumeroCivico>1</NumeroCivico><CAP>10121</CAP><Comune>Torino</Comune><Nazione>IT</Nazione></Sede></CedentePrestatore><CessionarioCommittente><DatiAnagrafici><CodiceFiscale>rccmnl83s18d969h</CodiceFiscale><Anagrafica><Nome>Manuel</Nome><Cognome>Rocca</Cognome></Anagrafica></DatiAnagrafici></CessionarioCommittente></FatturaElettronicaHeader>
<FatturaElettronicaBody><DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD04</TipoDocumento><Divisa>EUR</Divisa><Data>2024-01-31</Data><Numero>NC/7</Numero><ImportoTotaleDocumento>1220.00</ImportoTotaleDocumento></DatiGeneraliDocumento><DatiOrdineAcquisto><IdDocumento>OA-3</IdDocumento></DatiOrdineAcquisto></DatiGenerali><DatiBeniServizi><DettaglioLinee><NumeroLinea>1</NumeroLinea><Descrizione>Consulenza</Descrizione><Quantita>2.00</Quantita><UnitaMisura>ore</UnitaMisura><PrezzoUnitario>450.00000000</PrezzoUnitario><PrezzoTotale>900.00</PrezzoTotale><AliquotaIVA>22.00</AliquotaIVA></DettaglioLinee><DatiRiepilogo><AliquotaIVA>22.00</AliquotaIVA><ImponibileImporto>900.00</ImponibileImporto><Imposta>198.00</Imposta></DatiRiepilogo><DatiRiepilogo><AliquotaIVA>0.00</AliquotaIVA><Natura>N2.2</Natura><ImponibileImporto>0.01</ImponibileImporto><Imposta>0.00</Imposta></DatiRiepilogo></DatiBeniServizi><DatiPagamento><CondizioniPagamento>TP01</CondizioniPagamento><DettaglioPagamento><ModalitaPagamento>MP05</ModalitaPagamento><DataScadenzaPagamento>2024-02-29</DataScadenzaPagamento><IBAN>IT60X0542811101000000123456</IBAN><ImportoPagamento>610.00</ImportoPagamento></DettaglioPagamento></DatiPagamento></FatturaElettronicaBody>
<FatturaElettronicaBody><DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD01</TipoDocumento><Divisa>EUR</Divisa><Data>2024-02-01</Data><Numero>FT/8</Numero></DatiGeneraliDocumento></DatiGenerali></FatturaElettronicaBody>
</p:FatturaElettronica>
EOF
seed einvoice ksef-fa2.xml <<'EOF'
<Faktura xmlns="http://crd.gov.pl/wzor/2023/06/29/12648/"><Naglowek><KodFormularza kodSystemowy="FA (2)" wersjaSchemy="1-0E">FA</KodFormularza></Naglowek><Podmiot1><DaneIdentyfikacyjne><NIP>8567346215</NIP><Nazwa>A</Nazwa></DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Kwiatowa 1</AdresL1><AdresL2>00-001 Warszawa</AdresL2></Adres></Podmiot1><Podmiot2><DaneIdentyfikacyjne><NIP>5260250274</NIP><Nazwa>B</Nazwa></DaneIdentyfikacyjne></Podmiot2><Fa><KodWaluty>PLN</KodWaluty><P_1>2023-09-01</P_1><P_2>1/2023</P_2><P_13_1>100</P_13_1><P_14_1>22</P_14_1><P_13_2>10</P_13_2><P_14_2>0.70</P_14_2><P_15>132.70</P_15><RodzajFaktury>ZAL</RodzajFaktury><FaWiersz><NrWierszaFa>1</NrWierszaFa><P_7>Usługa</P_7><P_11>100</P_11><P_12>22</P_12></FaWiersz><FaWiersz><P_12>7</P_12></FaWiersz><Platnosc><TerminPlatnosci><Termin>2023-09-15</Termin></TerminPlatnosci><RachunekBankowy><NrRB>61109010140000071219812874</NrRB></RachunekBankowy></Platnosc></Fa></Faktura>
EOF
# hostile XML: entities, a DTD, deep nesting (tests/unit/test_einvoice.c)
seed einvoice hostile-entities.xml <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY x SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&b;&x;</cbc:ID><cbc:IssueDate>2024-02-30</cbc:IssueDate></Invoice>
EOF
printf '<a>%.0s' $(seq 1 300) | seed einvoice deep.xml

# ---- search queries (README, tests/unit/test_search.c, tests/e2e) -------------
cat <<'EOF' | seeds search
lodz AND faktura
type:invoice tag:fuel added:2024-01..2024-03
issued:2025-01..2025-03
issued>=2024-01-01 due<2024-06-01
total>1000
total:100..200
vendor:"Orlen"
nip:5260250274
taxid:PL5260250274
asn:123
id:12
currency:EUR
mime:image
mime:application/pdf
status:archived
is:duplicate
is:exported
is:unexported
export:csv:biuro
"faktura vat" OR factura NOT proforma
NEAR(faktura paliwo, 5)
fakt*
0147
FV/2024/03/0147
date:2024-02-30
title:faktura
(paliwo OR combustible) type:invoice
EOF
c_seeds search unit 'search(arc, "' <"$ROOT/tests/unit/test_search.c"

# ---- config: the shipped defaults, and sections and sizes -------------------
cp "$ROOT/config/folio.conf" "$OUT/config/folio.conf"
seed config profiles.conf <<'EOF'
languages = "pol+eng"
max_file_bytes = 64MiB
max_archive_bytes = 1G
max_page_pixels = 50000000
workers = 2
; a comment
[export biuro]
delimiter = ;
decimal = comma
columns = number,issue_date,gross_total
[ export ksef-firma ]
target = ksef:firma
EOF
printf 'log = syslog\nwatch_backend = poll\npoll_ms = 50\nsettle_ms = 0\ntag_subfolders = 1\ninboxes = /a:/b\n' |
	seed config watch.conf

# ---- JSON lists and the fields around them: what folio stored --------------
for id in $(sqlite3 "$DB" "SELECT id FROM documents"); do
	sqlite3 "$DB" "SELECT name || '=' || replace(value, char(10), ' ') FROM fields
		WHERE doc_id = $id ORDER BY name" | seed json "doc-$id"
done
# what the e-invoice parser writes (a charge, exemptions: test_einvoice.c)
seed json charges <<'EOF'
doc_type=credit_note
invoice_number=CN-7
issue_date=2024-05-02
currency=EUR
seller_name=Seller & Co
seller_tax_id=DE136695976
seller_country=DE
buyer_country=FR
net_total=90.00
vat_total=17.10
gross_total=107.10
vat_breakdown=[{"rate":"19","net":"90.00","vat":"17.10","category":"S"},{"rate":"0","net":"0.00","vat":"0.00","category":"E","exemption_reason":"Art. 132 \"x\"","exemption_code":"VATEX-EU-132"}]
lines=[{"description":"Widget \u00e9\n","quantity":"2","unit":"C62","unit_price":"50.00","net":"100.00","vat_rate":"19","category":"S"}]
charges=[{"kind":"allowance","amount":"10.00","reason":"Discount","rate":"19","category":"S","base":"100.00","percent":"10"},{"kind":"charge","amount":"0.00"}]
EOF

# ---- containers: ZIP, TAR and its filters, 7z, bare compressed files ---------
A="$TMP/seedtool archive"
t1="$FIX/classify/train/pl-other-001.txt"
t2="$FIX/classify/heldout/it-other-008.txt"
cp "$TMP/pl-invoice-001.txt" "$TMP/inv.txt"
$A "$OUT/archive/plain.zip" zip none "a.txt=$t1" "dir/" "dir/b.txt=$t2"
$A "$OUT/archive/store.tar" ustar none "a.txt=$t1" "dir/./b.txt=$t2"
$A "$OUT/archive/pax.tar.gz" pax gzip "faktura-łódź.txt=$t1" "b.txt=$t2"
$A "$OUT/archive/gnu.tar.bz2" gnutar bzip2 "a.txt=$t1"
$A "$OUT/archive/ustar.tar.xz" ustar xz "inv.txt=$TMP/inv.txt"
$A "$OUT/archive/ustar.tar.zst" ustar zstd "a.txt=$t1"
$A "$OUT/archive/small.7z" 7zip none "a.txt=$t1" "dir/b.txt=$t2"
$A "$OUT/archive/refused.tar" ustar none "ok.txt=$t1" "../up.txt:x" "/etc/abs.txt:x" \
	"link->/etc/passwd" "hard=>ok.txt" "dev#c" "fifo#p" "c:\\win.txt:x" "a/../../b.txt:x"
$A "$OUT/archive/links.zip" zip none "ok.txt=$t1" "link->../x" "dir/"
$A "$OUT/archive/encrypted.zip" zip none -o zip:encryption=zipcrypt "secret.txt=$t1"
$A "$TMP/inner.zip" zip none "inner.txt=$t2"
$A "$OUT/archive/nested.zip" zip none "inner.zip=$TMP/inner.zip" "a.txt=$t1"
$A "$OUT/archive/cpio.cpio" cpio none "a.txt=$t1"
gzip -9nc "$t1" >"$OUT/archive/bare.txt.gz"
head -c 200 "$OUT/archive/pax.tar.gz" >"$OUT/archive/truncated.tar.gz"
# repeated bytes: a small bomb (ratio above 200 past the 1 MiB floor)
head -c 3000000 /dev/zero | tr '\0' 'a' >"$TMP/bomb.txt"
$A "$OUT/archive/ratio.zip" zip none "bomb.txt=$TMP/bomb.txt"

# ---- PDFs: made with mutool from the fixtures' text -------------------------
# mkpdf OUT PAGES EMBED_NAME EMBED_FILE: a PDF of PAGES pages of fixture
# text (Helvetica, not embedded), an XML attached when EMBED_NAME is set
mkpdf() {
	cat >"$TMP/mk.js" <<EOF
var doc = new PDFDocument();
var font = doc.addSimpleFont(new Font("Helvetica"), "Latin");
var lines = read("$TMP/lines.txt").split("\n");
for (var p = 0; p < $2; p++) {
	var res = doc.addObject({ Font: { F1: font } });
	var s = "BT /F1 9 Tf 40 800 Td 11 TL\n";
	for (var i = p * 30; i < (p + 1) * 30 && i < lines.length; i++)
		s += "(" + lines[i].replace(/[\\\\()]/g, " ").replace(/[^\x20-\x7e]/g, "?") + ") '\n";
	s += "ET\n";
	doc.insertPage(-1, doc.addPage([0, 0, 595, 842], 0, res, s));
}
if ("$3") {
	var buf = new Buffer(); buf.write(read("$4"));
	var fs = doc.addEmbeddedFile("$3", "text/xml", buf);
	var root = doc.getTrailer().Root;
	root.Names = doc.newDictionary();
	root.Names.EmbeddedFiles = doc.newDictionary();
	root.Names.EmbeddedFiles.Names = doc.newArray();
	root.Names.EmbeddedFiles.Names.push(doc.newString("$3"));
	root.Names.EmbeddedFiles.Names.push(fs);
	root.AF = doc.newArray();
	root.AF.push(fs);
}
doc.save("$1", "compress");
EOF
	mutool run "$TMP/mk.js"
}
grep -v '^[[:space:]]*$' "$TMP/pl-invoice-001.txt" >"$TMP/lines.txt"
mkpdf "$OUT/pdf/text-pl.pdf" 1 "" ""
grep -v '^[[:space:]]*$' "$TMP/pt-invoice-003.txt" | head -n 90 >"$TMP/lines.txt"
mkpdf "$OUT/pdf/text-pt-3pages.pdf" 3 "" ""
grep -v '^[[:space:]]*$' "$TMP/it-invoice-004.txt" >"$TMP/lines.txt"
x=$(ls "$OUT/einvoice"/cii-1-* | head -n 1)
mkpdf "$OUT/pdf/facturx.pdf" 1 factur-x.xml "$x"
x=$(ls "$OUT/einvoice"/ubl-2-* | head -n 1)
mkpdf "$OUT/pdf/xrechnung-ubl.pdf" 1 xrechnung.xml "$x"
# a page without text: a small scan as an image (rendered, OCR'd in folio)
"$TMP/seedtool" image "$FIX/samples/it-invoice-004-scan.png" 120 "$TMP/scan.png" png 8
cat >"$TMP/scan.txt" <<EOF
%%MediaBox 0 0 595 842
%%Image Im0 $TMP/scan.png
q 595 0 0 842 0 0 cm /Im0 Do Q
EOF
mutool create -o "$OUT/pdf/scan.pdf" "$TMP/scan.txt"
cp "$FIX/bad/encrypted.pdf" "$OUT/pdf/encrypted.pdf"
head -c 1500 "$OUT/pdf/text-pt-3pages.pdf" >"$OUT/pdf/truncated.pdf"
# an uncompressed one, easier to mutate than deflated streams
mutool clean -d "$OUT/pdf/text-pl.pdf" "$OUT/pdf/text-pl-plain.pdf"

# ---- images: a fixture scan, small, in every format Leptonica reads ----------
I="$TMP/seedtool image"
S="$FIX/samples/pl-form-001-scan.png"
$I "$S" 96 "$OUT/image/form.png" png 8
$I "$S" 96 "$OUT/image/form-1bit.png" png 1
$I "$S" 96 "$OUT/image/form.jpg" jpg 8
$I "$S" 96 "$OUT/image/form-g4.tif" tif 1
$I "$S" 64 "$OUT/image/form-2pages.tif" tif 8
$I "$FIX/samples/it-invoice-004-scan.png" 64 "$OUT/image/form-2pages.tif" tif+ 8
$I "$S" 64 "$OUT/image/form.bmp" bmp 8
$I "$S" 64 "$OUT/image/form.gif" gif 8
$I "$S" 64 "$OUT/image/form.webp" webp 32
$I "$S" 64 "$OUT/image/form.jp2" jp2 8
$I "$S" 64 "$OUT/image/form.pnm" pnm 8
cp "$FIX/bad/one-pixel.png" "$FIX/bad/huge-header.png" "$OUT/image/"
# a QR code (an EPC payload): the barcode reader's way in
qrencode -l L -s 2 -m 2 -o "$OUT/image/qr-epc.png" <"$OUT/qr/epc-pl-invoice-001"

# ---- text and XML files: first byte picks the type (see fuzz_text.c) ---------
for f in pl-other-001 de-form-002 fr-other-003; do
	src=$(ls "$FIX"/classify/*/"$f".txt | head -n 1)
	{ printf '\000'; cat "$src"; } >"$OUT/text/$f.txt"
done
{ printf '\000'; head -c 6000 "$TMP/pl-invoice-001.txt"; } >"$OUT/text/invoice-pl.txt"
{ printf '\000'; head -c 3000 "$TMP/es-invoice-002.txt" | iconv -f utf-8 -t cp1252 2>/dev/null || true; } \
	>"$OUT/text/invoice-es-cp1252.txt"
{ printf '\001'; cat "$OUT/einvoice/fatturapa.xml"; } >"$OUT/text/fatturapa.xml"
# SDI's notices (gen_signed.sh): the notice decoder bids on XML in SDI's namespace
for f in "$FIX"/signed/sdi/*.xml; do
	{ printf '\001'; cat "$f"; } >"$OUT/text/sdi-$(basename "$f")"
done
{ printf '\002'; cat "$(ls "$OUT/einvoice"/ubl-1-* | head -n 1)"; } >"$OUT/text/ubl.xml"
"$FOLIO" export --to csv --include-review --out "$TMP/x.csv" >/dev/null 2>&1 || true
[ -f "$TMP/x.csv" ] && { printf '\003'; cat "$TMP/x.csv"; } >"$OUT/text/export.csv"

# ---- e-mail: the small fixtures as they are, and the large ones' shapes with a
# few bytes in place of each PDF (tests/fixtures/mail, made by gen_mail.py) ---
cp "$FIX/mail/no-attachment.eml" "$FIX/mail/bad/nesting-bomb.eml" "$OUT/mail/"
for f in pl-faktura it-fattura-inline es-factura-xml pt-reencaminhada; do
	# base64 bodies of attachments cut to their first two lines
	awk '/^Content-Transfer-Encoding: base64/ { b = 1; n = 0 }
	     b && /^[A-Za-z0-9+\/=]+$/ { if (++n > 2) next }
	     /^--/ { b = 0 } { print }' "$FIX/mail/$f.eml" >"$OUT/mail/$f.eml"
done
head -c 3000 "$FIX/mail/bad/truncated.eml" >"$OUT/mail/truncated.eml"
head -c 2000 "$FIX/mail/bad/many-parts.eml" >"$OUT/mail/many-parts-head.eml"

# ---- Outlook: the fixtures' shapes with a few bytes in place of each
# attachment (gen_outlook.py writes them), a TNEF in an e-mail for fuzz_mail --
python3 "$FIX/gen_outlook.py" --seeds "$OUT/outlook"
{
	sed -n '1,/^Content-Disposition: attachment; filename="winmail.dat"/p' "$FIX/outlook/winmail.eml"
	echo
	base64 -w 76 "$OUT/outlook/winmail.dat"
	echo "--=_folio_tnef--"
} >"$OUT/mail/winmail.eml"

# ---- dictionaries: the words each parser looks for, from its source ----------
D="$ROOT/tests/fuzz"
# dict_quote: a libFuzzer dictionary line per stdin line
dict_quote() { sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'; }
{
	echo "# einvoice.dict - made by make-corpus.sh from src/extract/einvoice.c"
	grep -oE '"(urn|http)[^"]*"' "$ROOT/src/extract/einvoice.c" | tr -d '"' | sort -u | dict_quote
	grep -oE '"[a-z0-9]*:?[A-Z][A-Za-z0-9_]*(/[a-z0-9]*:?[A-Za-z_0-9]+)*"' \
		"$ROOT/src/extract/einvoice.c" | tr -d '"' | tr '/' '\n' | sed 's/^[a-z0-9]*://' |
		sort -u | sed 's/.*/<&>/' | dict_quote
	printf '%s\n' 'xmlns=' 'xmlns:' '<?xml version="1.0"?>' '<![CDATA[' ']]>' '<!DOCTYPE' \
		'<!ENTITY' '&amp;' '&#x' 'schemeID="' 'currencyID="' 'unitCode="' 'format="102"' |
		dict_quote
} >"$D/einvoice.dict"
{
	echo "# search.dict - made by make-corpus.sh from src/archive/search.c"
	sed -n '/^static const char \*const keys\[\]/,/};/p' "$ROOT/src/archive/search.c" |
		grep -oE '"[a-z]+"' | tr -d '"' | sed 's/$/:/' | dict_quote
	printf '%s\n' '>=' '<=' '>' '<' '=' '..' ' AND ' ' OR ' ' NOT ' 'NEAR(' ')' '"' '*' '^' \
		'is:duplicate' 'is:exported' 'is:unexported' 'title:' 'text:' 'field_text:' \
		'2024-03-15' '2024-03' '2024' | dict_quote
} >"$D/search.dict"
{
	echo "# config.dict - made by make-corpus.sh from src/util/config.c"
	sed -n '/^static const struct key keys\[\]/,/};/p' "$ROOT/src/util/config.c" |
		grep -oE '"[a-z_]+"' | tr -d '"' | sed 's/$/ = /' | dict_quote
	printf '%s\n' '[export ' ']' '#' ';' '"' 'K' 'M' 'G' 'T' 'iB' '18446744073709551616' |
		dict_quote
} >"$D/config.dict"
{
	echo "# json.dict - made by make-corpus.sh from src/extract/extract.c, src/export/record.c"
	sed -n '/^} fields\[\] = {/,/^};/p' "$ROOT/src/extract/extract.c" |
		grep -oE '^	\{ "[a-z_]+"' | grep -oE '[a-z_]+' | sed 's/$/=/' | dict_quote
	grep -oE 'take\(inv, kv, n, "[a-z_]+"' "$ROOT/src/export/record.c" | grep -oE '"[a-z_]+"' |
		sort -u | sed 's/$/:/' | dict_quote
	printf '%s\n' '[{' '}]' '},{' '":"' '","' '\u' '\ud83d\ude00' '\"' | dict_quote
} >"$D/json.dict"
{
	echo "# qr.dict - made by make-corpus.sh (the payloads' keys, src/extract/qr.c)"
	printf '%s\n' 'A:' '*B:' '*C:' '*D:' '*F:' '*G:' '*H:' '*I1:' '*I7:' '*I8:' '*N:' '*O:' \
		'*Q:' '*R:' 'BCD' 'SPC' '0200' 'EPD' '//S1/' 'https://' '?nif=' '&numserie=' \
		'&fecha=' '&importe=' 'TBAI-' 'ksef' '%2F' '+' | dict_quote
} >"$D/qr.dict"

n=$(find "$OUT" -type f | wc -l)
big=$(find "$OUT" -type f -size +64k | wc -l)
echo "make-corpus: $n seeds in tests/fuzz/corpus ($(du -sh --apparent-size "$OUT" | cut -f1)), $big over 64 KiB"
