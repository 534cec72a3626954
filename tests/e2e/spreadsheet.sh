#!/bin/sh
# CSV and XLSX that a spreadsheet in Poland, Spain, Italy or Portugal opens right:
# the locale profiles (';', a decimal comma, dates as the country writes
# them, UTF-8 with a byte order mark or the local code page), invoice
# numbers a spreadsheet would turn into numbers or dates kept as text, the
# config's locale as the default, and each setting still overridable. The
# files are read back with Python's csv module in the profile's dialect and
# the cells' values and types checked.
. "$(dirname "$0")/../e2e_lib.sh"

IN="$WORK/in"
mkdir -p "$IN"
ubl 0147 5260250274 1234.50 283.94 >"$IN/a.xml"
ubl 03/2024 5260001246 100.00 23.00 7251801126 2024-12-31 >"$IN/b.xml"
ubl 12345 5260250274 10.00 2.30 7251801126 2025-01-02 >"$IN/c.xml"
run ingest "$IN"
expect_rc 0 "ingest three invoices"

# check FILE ENCODING DELIM: python prints, per row, the cells as
# number|date|text after parsing them with the profile's rules
check() {
	python3 - "$@" <<'EOF'
import csv, sys, datetime
path, enc, delim, datefmt, dec = sys.argv[1:6]
raw = open(path, "rb").read()
bom = raw.startswith(b"\xef\xbb\xbf")
text = raw.decode(enc)
if text.startswith("\ufeff"):
    text = text[1:]
rows = list(csv.reader(text.splitlines(), delimiter=delim))
head = rows[0]
print("bom" if bom else "nobom")
for r in sorted(rows[1:], key=lambda r: r[head.index("invoice_number")]):
    d = dict(zip(head, r))
    num = d["invoice_number"]
    if num.startswith('="') and num.endswith('"'):
        num = "text:" + num[2:-1]
    gross = float(d["gross_total"].replace(dec, ".")) if dec != "." else float(d["gross_total"])
    day = datetime.datetime.strptime(d["issue_date"], datefmt).date().isoformat()
    print(num, "%.2f" % gross, day, d["seller_name"])
EOF
}

# ---- pl: ';', comma, dd.mm.yyyy, BOM, numbers kept as text
run export --to csv --set locale=pl --out "$WORK/pl.csv"
expect_rc 0 "export locale=pl"
out=$(check "$WORK/pl.csv" utf-8 ';' '%d.%m.%Y' ',')
expect_eq "$out" "bom
12345 12.30 2025-01-02 Drukarnia Wróbel Sp. z o.o.
text:0147 1518.44 2025-03-14 Drukarnia Wróbel Sp. z o.o.
text:03/2024 123.00 2024-12-31 Drukarnia Wróbel Sp. z o.o." "pl: values and types"
grep -q '"=""0147"""' "$WORK/pl.csv" && pass || fail "the number as a text formula: $(cat "$WORK/pl.csv")"
grep -q ';1518,44;' "$WORK/pl.csv" && pass || fail "a decimal comma, unquoted"
head -c 3 "$WORK/pl.csv" | od -An -tx1 | grep -q 'ef bb bf' && pass || fail "the BOM"

# ---- pl with the local code page: CP1250, no BOM
run export --to csv --set locale=pl --set encoding=local --out "$WORK/pl1250.csv" --again 1
expect_rc 2 "--again takes no settings" # (a past batch is written as it was)
run export --to csv --set locale=pl --set encoding=local --set target=pl1250 --out "$WORK/pl1250.csv"
expect_rc 0 "export locale=pl encoding=local"
out=$(check "$WORK/pl1250.csv" cp1250 ';' '%d.%m.%Y' ',')
expect_eq "$(printf '%s\n' "$out" | head -n 2)" "nobom
12345 12.30 2025-01-02 Drukarnia Wróbel Sp. z o.o." "pl in CP1250, read back"
grep -q "$(printf 'Wr\363bel')" "$WORK/pl1250.csv" && pass || fail "ó as the CP1250 byte"

# ---- es from the config's locale: dd/mm/yyyy; a setting still wins
printf 'locale = es\n' >"$WORK/es.conf"
run --config "$WORK/es.conf" export --to csv --set target=es --out "$WORK/es.csv"
expect_rc 0 "export with the config's locale"
out=$(check "$WORK/es.csv" utf-8 ';' '%d/%m/%Y' ',')
expect_eq "$(printf '%s\n' "$out" | sed -n 3p)" "text:0147 1518.44 2025-03-14 Drukarnia Wróbel Sp. z o.o." \
	"es: 14/03/2025 and a decimal comma"
grep -q ';14/03/2025;' "$WORK/es.csv" && pass || fail "es dates"
run --config "$WORK/es.conf" export --to csv --set target=es2 --set delimiter=tab \
	--set text_guard=no --out "$WORK/es2.csv"
expect_rc 0 "locale with overrides"
out=$(check "$WORK/es2.csv" utf-8 "$(printf '\t')" '%d/%m/%Y' ',')
expect_eq "$(printf '%s\n' "$out" | sed -n 3p)" "03/2024 123.00 2024-12-31 Drukarnia Wróbel Sp. z o.o." \
	"text_guard = no: the number as it is"
# a format without locale does not get the config's
run --config "$WORK/es.conf" export --to jsonl --out "$WORK/x.jsonl"
expect_rc 0 "jsonl with a config locale"

# ---- it, pt, excel
for l in it pt; do
	run export --to csv --set locale=$l --set target=$l --out "$WORK/$l.csv"
	expect_rc 0 "export locale=$l"
	out=$(check "$WORK/$l.csv" utf-8 ';' '%d/%m/%Y' ',')
	expect_eq "$(printf '%s\n' "$out" | sed -n 1p)" bom "$l: BOM"
done
run export --to csv --set locale=excel --set target=excel --out "$WORK/excel.csv"
out=$(check "$WORK/excel.csv" utf-8 ',' '%Y-%m-%d' '.')
expect_eq "$out" "bom
12345 12.30 2025-01-02 Drukarnia Wróbel Sp. z o.o.
text:0147 1518.44 2025-03-14 Drukarnia Wróbel Sp. z o.o.
text:03/2024 123.00 2024-12-31 Drukarnia Wróbel Sp. z o.o." "excel"

# ---- the default is RFC 4180 as before: no BOM, ',', no text guard
run export --to csv --set target=plain --out "$WORK/plain.csv"
out=$(check "$WORK/plain.csv" utf-8 ',' '%Y-%m-%d' '.')
expect_eq "$(printf '%s\n' "$out" | sed -n '1p;2p')" "nobom
0147 1518.44 2025-03-14 Drukarnia Wróbel Sp. z o.o." "no locale: as before"

# ---- xlsx: typed cells, read back from the workbook's XML
run export --to xlsx --set "columns=invoice_number,issue_date,seller_name,gross_total,vat_rate" \
	--set rows=rate --set date_format=dd.mm.yyyy --out "$WORK/x.xlsx"
expect_rc 0 "export to xlsx"
cells=$(python3 - "$WORK/x.xlsx" <<'EOF'
import re, sys, zipfile, datetime
z = zipfile.ZipFile(sys.argv[1])
ss = [re.sub(r"<[^>]+>", "", si) for si in re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S)]
styles = z.read("xl/styles.xml").decode()
fmts = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
xfs = re.findall(r'<xf [^>]*?numFmtId="(\d+)"', styles.split("<cellXfs")[1])
sheet = z.read("xl/worksheets/sheet1.xml").decode()
out = []
for row in re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', sheet, re.S)[1:]:
    vals = []
    for attrs, v in re.findall(r"<c ([^>]*)>(?:<v>([^<]*)</v>)?</c>", row[1]):
        t = re.search(r't="(\w+)"', attrs)
        s = re.search(r's="(\d+)"', attrs)
        fmt = fmts.get(xfs[int(s.group(1))], "") if s else ""
        if t and t.group(1) == "s":
            vals.append("text:" + ss[int(v)])
        elif "yy" in fmt:
            d = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(float(v)))
            vals.append("date:%s(%s)" % (d.isoformat(), fmt))
        else:
            vals.append("number:%s" % v)
    out.append(" ".join(vals))
print("\n".join(sorted(out)))
print("frozen" if "<pane" in sheet else "not frozen", "filter" if "<autoFilter" in sheet else "no filter")
EOF
)
expect_eq "$cells" "text:0147 date:2025-03-14(dd.mm.yyyy) text:Drukarnia Wróbel Sp. z o.o. number:1518.44 number:23
text:03/2024 date:2024-12-31(dd.mm.yyyy) text:Drukarnia Wróbel Sp. z o.o. number:123 number:23
text:12345 date:2025-01-02(dd.mm.yyyy) text:Drukarnia Wróbel Sp. z o.o. number:12.3 number:23
frozen filter" "xlsx: numbers as text stay text, amounts and rates numbers, dates dates"
run export --to xlsx --set sheet='a/b' --set target=xbad --out "$WORK/bad.xlsx"
expect_rc 1 "a bad sheet name"
expect_err "xlsx: sheet = 'a/b' is not valid" "why"
[ ! -e "$WORK/bad.xlsx" ] && pass || fail "nothing written"
ls "${TMPDIR:-/tmp}"/folio-xlsx-* >/dev/null 2>&1 && fail "a temp workbook left behind" || pass

# ---- bad values
run export --to csv --set locale=fr --set target=bad --out "$WORK/bad.csv"
expect_rc 1 "an unknown locale"
expect_err "locale = 'fr' is not valid \\(pl, es, it, pt, excel or none\\)" "the choices"
run export --to csv --set encoding=local --set target=bad --out "$WORK/bad.csv"
expect_rc 1 "encoding=local without a locale"
expect_err "'local' needs a locale" "why"
printf 'locale = de\n' >"$WORK/de.conf"
run --config "$WORK/de.conf" stats
expect_rc 2 "a bad config locale"
expect_err "'locale' is pl, es, it, pt, excel or none" "the config's choices"

finish
