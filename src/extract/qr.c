/*
 * qr.c - invoice data in barcode payloads; see folio_qr_parse() in
 * include/folio/extract.h and REFERENCE.md section 3.
 *
 * Payloads come from paper and are untrusted: every field is copied into a
 * bounded buffer, a field that does not fit or has the wrong shape is
 * skipped (never the whole payload, unless its identity is in doubt), and
 * nothing is read past the payload's NUL.
 *
 * Choices made here:
 *  - Portugal (ATCUD): D=FS (fatura simplificada) is a "receipt", as the
 *    label table of REFERENCE.md section 6 has it (the till slips of shops);
 *    D=FR (fatura-recibo) is a full invoice that also acknowledges payment,
 *    so "invoice"; ND (nota de débito) "invoice"; NC "credit_note".
 *    vat_total is N minus M (stamp duty) and net_total the sum of all bases
 *    (exempt, reduced, intermediate, normal, not subject L). The rates of
 *    the mainland (I: 6, 13, 23) are written as such; the Azores (J) and
 *    Madeira (K) rates changed over the years, so their rate is read off
 *    the pair (VAT / base) when that gives a whole percentage, else left
 *    out.
 *  - TicketBAI: the ID's CRC-8 (polynomial 0x07, initial value 0, as three
 *    decimal digits, over the ID up to its last '-') and the URL's cr=
 *    (the same CRC over the URL before "&cr=") were checked against four
 *    published IDs and URLs. An ID whose CRC fails is not accepted; a URL
 *    whose cr= fails keeps its values at a lower confidence.
 *    invoice_number is the series s= joined to the number nf=.
 *  - VeriFactu: query values are percent-decoded, '+' read as a space
 *    (form encoding, as Java's URLEncoder writes it).
 *  - NF-e: model 55 is an "invoice", model 65 (NFC-e) a "receipt";
 *    invoice_number is nNF without its leading zeros.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/strbuf.h"

/* The largest QR code holds 2953 bytes (7089 digits); anything longer did
 * not come from one of the codes read here. */
#define PAYLOAD_MAX 8192
/* One field of a payload (a name, a number, a reference). */
#define FIELD_MAX 256

#define CONF_EXACT 1.0f	  /* printed by the issuer's software, read exactly */
#define CONF_DERIVED 0.9f /* computed from exact values (sums, mappings) */
#define CONF_DOUBT 0.5f	  /* exact but failing its own check */

struct qr {
	struct folio_cands *out;
	int page;
	const int *bbox;
	int nomem;
};

static void add(struct qr *q, const char *name, const char *value, const char *raw, float conf)
{
	if (q->nomem || !value || !*value)
		return;
	if (folio_cands_add(q->out, name, value, raw, conf, FOLIO_SRC_QR, q->page, q->bbox))
		q->nomem = 1;
}

/* ---- small parsers ------------------------------------------------------ */

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Length of a valid UTF-8 sequence at p (0 when invalid). */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Copy s[0..len) trimmed into dst (n bytes) as clean UTF-8: control
 * characters become spaces, runs of spaces one space, and a byte that is
 * not UTF-8 is read as Latin-1 (EPC and QR-bill payloads may be in
 * ISO 8859-1). Returns the length, or -1 when it does not fit.
 */
static int text_copy(char *dst, size_t n, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	size_t k = 0;

	while (p < e && is_blank(*p))
		p++;
	while (e > p && is_blank(e[-1]))
		e--;
	while (p < e) {
		size_t u = utf8_len(p, (size_t)(e - p));

		if (*p < 0x20 || *p == 0x7f) {
			if (k && dst[k - 1] != ' ') {
				if (k + 1 >= n)
					return -1;
				dst[k++] = ' ';
			}
			p++;
		} else if (u) {
			if (*p == ' ' && k && dst[k - 1] == ' ') {
				p++;
				continue;
			}
			if (k + u >= n)
				return -1;
			memcpy(dst + k, p, u);
			k += u;
			p += u;
		} else {
			if (k + 2 >= n)
				return -1;
			dst[k++] = (char)(0xc0 | (*p >> 6));
			dst[k++] = (char)(0x80 | (*p & 0x3f));
			p++;
		}
	}
	dst[k] = '\0';
	return (int)k;
}

/* An amount with a '.' decimal ("1234.5", "-0.10") normalised to out, or
 * -1. Fifteen characters at most (a trillion), so that sums of cents of
 * every field of a payload stay far from overflow. */
static int amount_norm(const char *s, char out[32], struct folio_amount *a)
{
	struct folio_amount tmp;
	size_t n;

	if (!a)
		a = &tmp;
	if (!*s || strlen(s) > 15)
		return -1;
	n = folio_amount_parse(s, '.', a);
	if (!n || s[n])
		return -1;
	folio_amount_format(a, out, 32);
	return 0;
}

/* Cents as an amount ("-12.05"); -1 (out left empty) when a sum or a
 * difference of the payload's amounts has more than the 12 integer digits
 * any amount folio reads may have: such a total is not emitted. */
static int cents_format(long long c, char out[32])
{
	unsigned long long u = c < 0 ? (unsigned long long)-(c + 1) + 1 : (unsigned long long)c;

	out[0] = '\0';
	if (u >= 100000000000000ULL)
		return -1;
	snprintf(out, 32, "%s%llu.%02llu", c < 0 ? "-" : "", u / 100, u % 100);
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* A calendar date written to out as YYYY-MM-DD; -1 when it does not exist. */
static int date_out(int y, int m, int d, char out[11])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	return 0;
}

/* "YYYYMMDD" */
static int date_ymd8(const char *s, char out[11])
{
	if (strlen(s) != 8 || !all_digits(s, 8))
		return -1;
	return date_out(num(s, 4), num(s + 4, 2), num(s + 6, 2), out);
}

/* "DD-MM-YYYY" */
static int date_dmy10(const char *s, char out[11])
{
	if (strlen(s) != 10 || s[2] != '-' || s[5] != '-' || !all_digits(s, 2) ||
	    !all_digits(s + 3, 2) || !all_digits(s + 6, 4))
		return -1;
	return date_out(num(s + 6, 4), num(s + 3, 2), num(s, 2), out);
}

/* A tax ID of `country`: its normalised form at full confidence, or the
 * bare prefix + body at CONF_DOUBT when the check digits fail. */
static void add_taxid(struct qr *q, const char *name, const char *raw, const char *country)
{
	char out[32], tmp[48];
	size_t i, k = 0;
	int r = folio_taxid_check(raw, country, out, NULL);

	if (r == 1) {
		add(q, name, out, raw, CONF_EXACT);
		return;
	}
	if (r < 0 || strlen(raw) + 3 > sizeof(tmp))
		return;
	/* the right shape, wrong check digits: keep it for the reviewer */
	if (strncasecmp(raw, country, 2) != 0) {
		tmp[k++] = (char)toupper((unsigned char)country[0]);
		tmp[k++] = (char)toupper((unsigned char)country[1]);
	}
	for (i = 0; raw[i]; i++)
		if (isalnum((unsigned char)raw[i]))
			tmp[k++] = (char)toupper((unsigned char)raw[i]);
	tmp[k] = '\0';
	add(q, name, tmp, raw, CONF_DOUBT);
}

/* CRC-8, polynomial 0x07, initial value 0, not reflected (TicketBAI). */
static unsigned crc8(const char *s, size_t n)
{
	unsigned c = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		c ^= (unsigned char)s[i];
		for (b = 0; b < 8; b++)
			c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
	}
	return c;
}

/* Split s into lines (LF or CRLF) without copying. Returns the count, at
 * most max; the last line may be empty. */
struct span {
	const char *p;
	size_t n;
};

static int split_lines(const char *s, struct span *v, int max)
{
	int k = 0;

	while (k < max) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		v[k].p = s;
		v[k].n = n && s[n - 1] == '\r' ? n - 1 : n;
		k++;
		if (!e)
			break;
		s = e + 1;
	}
	return k;
}

/* ---- Portugal: ATCUD ---------------------------------------------------- */

struct pt_tax {
	long long base[9]; /* index = the digit after I/J/K; 0 unused */
	int has[9];
};

static const char *pt_doc_type(const char *d)
{
	/* clang-format off */
	static const struct {
		const char *code, *type;
	} map[] = {
		{ "FT", "invoice" },      { "FR", "invoice" },     { "ND", "invoice" },
		{ "FS", "receipt" },      { "RG", "receipt" },     { "RC", "receipt" },
		{ "NC", "credit_note" },  { "PF", "proforma" },    { "NE", "order" },
		{ "GR", "delivery_note" }, { "GT", "delivery_note" },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(d, map[i].code))
			return map[i].type;
	return NULL;
}

/* The rate of a base/VAT pair when it is a whole percentage (VAT within a
 * cent of base x rate / 100), else -1. Amounts in cents. */
static int rate_of(long long base, long long vat)
{
	long long r;

	if (base <= 0 || vat < 0)
		return -1;
	r = (vat * 100 + base / 2) / base;
	if (r > 50)
		return -1;
	if (llabs(base * r - vat * 100) > 100)
		return -1;
	return (int)r;
}

static void pt_breakdown(struct folio_strbuf *sb, int *items, const struct pt_tax *t, char region,
			 int *nomem)
{
	/* pairs: base, VAT, mainland rate */
	static const struct {
		int base, vat;
		const char *rate;
	} pairs[] = { { 3, 4, "6" }, { 5, 6, "13" }, { 7, 8, "23" } };
	char net[32], vat[32], rate[16];
	size_t i;
	int r = 0;

	if (t->has[2]) {
		cents_format(t->base[2], net);
		r |= folio_strbuf_adds(sb, *items ? "," : "");
		r |= folio_strbuf_adds(sb, "{\"rate\":\"0\",\"net\":");
		r |= folio_strbuf_add_json(sb, net);
		r |= folio_strbuf_adds(sb, ",\"vat\":\"0.00\"}");
		(*items)++;
	}
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *rt = NULL;

		if (!t->has[pairs[i].base] && !t->has[pairs[i].vat])
			continue;
		if (region == 'I') {
			rt = pairs[i].rate;
		} else {
			int k = rate_of(t->base[pairs[i].base], t->base[pairs[i].vat]);

			if (k >= 0) {
				snprintf(rate, sizeof(rate), "%d", k);
				rt = rate;
			}
		}
		cents_format(t->base[pairs[i].base], net);
		cents_format(t->base[pairs[i].vat], vat);
		r |= folio_strbuf_adds(sb, *items ? ",{" : "{");
		if (rt) {
			r |= folio_strbuf_adds(sb, "\"rate\":");
			r |= folio_strbuf_add_json(sb, rt);
			r |= folio_strbuf_addch(sb, ',');
		}
		r |= folio_strbuf_adds(sb, "\"net\":");
		r |= folio_strbuf_add_json(sb, net);
		r |= folio_strbuf_adds(sb, ",\"vat\":");
		r |= folio_strbuf_add_json(sb, vat);
		r |= folio_strbuf_addch(sb, '}');
		(*items)++;
	}
	if (r)
		*nomem = 1;
}

/* What an ATCUD payload says: the texts as written, the amounts
 * normalised, the bases and VAT of each region in cents. */
struct pt_fields {
	struct pt_tax tax[3]; /* I, J, K */
	char seller[FIELD_MAX], buyer[FIELD_MAX], country[FIELD_MAX];
	char doc[FIELD_MAX], date[FIELD_MAX], number[FIELD_MAX], atcud[FIELD_MAX];
	char n_tax[32], o_gross[32], m_stamp[32], p_wht[32], l_ns[32];
	long long sum_net; /* the bases, when have_net */
	int pairs, have_net;
};

/* Add one base (each below 10^14 cents) to the net; the sum saturates
 * just past what cents_format() emits, so a payload of thousands of huge
 * bases neither overflows nor yields a total. */
static void net_add(struct pt_fields *f, long long cents)
{
	static const long long cap = 1000000000000000LL;

	f->sum_net += cents;
	if (f->sum_net > cap)
		f->sum_net = cap;
	else if (f->sum_net < -cap)
		f->sum_net = -cap;
	f->have_net = 1;
}

/* Keep the value `val` of the pair whose code is `code` (`cl` long);
 * codes not read here are ignored. */
static void pt_pair(struct pt_fields *f, const char *code, size_t cl, const char *val)
{
	struct folio_amount a;
	char buf[32];

	if (!strcmp(code, "A"))
		snprintf(f->seller, sizeof(f->seller), "%s", val);
	else if (!strcmp(code, "B"))
		snprintf(f->buyer, sizeof(f->buyer), "%s", val);
	else if (!strcmp(code, "C"))
		snprintf(f->country, sizeof(f->country), "%s", val);
	else if (!strcmp(code, "D"))
		snprintf(f->doc, sizeof(f->doc), "%s", val);
	else if (!strcmp(code, "F"))
		snprintf(f->date, sizeof(f->date), "%s", val);
	else if (!strcmp(code, "G"))
		snprintf(f->number, sizeof(f->number), "%s", val);
	else if (!strcmp(code, "H"))
		snprintf(f->atcud, sizeof(f->atcud), "%s", val);
	else if (!strcmp(code, "N"))
		amount_norm(val, f->n_tax, NULL);
	else if (!strcmp(code, "O"))
		amount_norm(val, f->o_gross, NULL);
	else if (!strcmp(code, "M"))
		amount_norm(val, f->m_stamp, NULL);
	else if (!strcmp(code, "P"))
		amount_norm(val, f->p_wht, NULL);
	else if (!strcmp(code, "L") && !amount_norm(val, f->l_ns, &a)) {
		net_add(f, folio_amount_cents(&a));
	} else if (cl == 2 && strchr("IJK", code[0]) && code[1] >= '2' && code[1] <= '8' &&
		   !amount_norm(val, buf, &a)) {
		struct pt_tax *t = &f->tax[code[0] - 'I'];
		int k = code[1] - '0';

		t->base[k] = folio_amount_cents(&a);
		t->has[k] = 1;
		/* bases: 2 exempt, 3 reduced, 5 intermediate, 7 normal */
		if (k == 2 || k == 3 || k == 5 || k == 7) {
			net_add(f, t->base[k]);
		}
	}
}

/* Read the '*'-separated "CODE:value" pairs of `s` into `f`, counting the
 * well-formed ones; a malformed pair is skipped. */
static void pt_scan(struct pt_fields *f, const char *s)
{
	const char *p = s;
	char val[FIELD_MAX];

	while (*p) {
		const char *e = strchr(p, '*'), *colon;
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char code[4];
		size_t cl;

		colon = memchr(p, ':', n);
		cl = colon ? (size_t)(colon - p) : 0;
		if (colon && cl >= 1 && cl <= 2 && isupper((unsigned char)p[0]) &&
		    (cl == 1 || isdigit((unsigned char)p[1])) &&
		    text_copy(val, sizeof(val), colon + 1, n - cl - 1) >= 0) {
			memcpy(code, p, cl);
			code[cl] = '\0';
			f->pairs++;
			pt_pair(f, code, cl, val);
		}
		if (!e)
			break;
		p = e + 1;
	}
}

/* The parties' tax IDs, the document's type, date, number and ATCUD, and
 * its currency (always the euro). */
static void pt_emit_ids(struct qr *q, const struct pt_fields *f)
{
	char buf[32];

	add_taxid(q, "seller_tax_id", f->seller, "PT");
	if (*f->buyer && strcmp(f->buyer, "999999990")) {
		const char *cc = strlen(f->country) == 2 && isalpha((unsigned char)f->country[0]) &&
						 isalpha((unsigned char)f->country[1]) ?
					 f->country :
					 "PT";
		add_taxid(q, "buyer_tax_id", f->buyer, cc);
	}
	if (*f->doc)
		add(q, "doc_type", pt_doc_type(f->doc), f->doc, CONF_DERIVED);
	if (*f->date && !date_ymd8(f->date, buf))
		add(q, "issue_date", buf, f->date, CONF_EXACT);
	add(q, "invoice_number", f->number, NULL, CONF_EXACT);
	if (strcmp(f->atcud, "0"))
		add(q, "atcud", f->atcud, NULL, CONF_EXACT);
	add(q, "currency", "EUR", NULL, CONF_EXACT);
}

/* The totals: VAT (N less the stamp duty M), gross (O), due (O less the
 * withholding P) and net (the sum of the bases). */
static void pt_emit_totals(struct qr *q, const struct pt_fields *f)
{
	char buf[32];
	long long vat_c;

	if (*f->n_tax) {
		struct folio_amount an, am = { 0, 0 };

		folio_amount_parse(f->n_tax, '.', &an);
		if (*f->m_stamp)
			folio_amount_parse(f->m_stamp, '.', &am);
		vat_c = folio_amount_cents(&an) - folio_amount_cents(&am);
		if (!cents_format(vat_c, buf))
			add(q, "vat_total", buf, f->n_tax, *f->m_stamp ? CONF_DERIVED : CONF_EXACT);
	}
	add(q, "gross_total", f->o_gross, NULL, CONF_EXACT);
	if (*f->o_gross && *f->p_wht) {
		struct folio_amount ao, ap;

		folio_amount_parse(f->o_gross, '.', &ao);
		folio_amount_parse(f->p_wht, '.', &ap);
		if (folio_amount_cents(&ap) > 0 &&
		    !cents_format(folio_amount_cents(&ao) - folio_amount_cents(&ap), buf))
			add(q, "amount_due", buf, NULL, CONF_DERIVED);
	}
	if (f->have_net && !cents_format(f->sum_net, buf))
		add(q, "net_total", buf, NULL, CONF_DERIVED);
}

/* vat_breakdown: the mainland's (I), then the Azores' (J) and Madeira's
 * (K) bases and VAT. */
static void pt_emit_breakdown(struct qr *q, const struct pt_tax tax[3])
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	int items = 0;

	if (folio_strbuf_addch(&sb, '['))
		q->nomem = 1;
	pt_breakdown(&sb, &items, &tax[0], 'I', &q->nomem);
	pt_breakdown(&sb, &items, &tax[1], 'J', &q->nomem);
	pt_breakdown(&sb, &items, &tax[2], 'K', &q->nomem);
	if (folio_strbuf_addch(&sb, ']'))
		q->nomem = 1;
	if (items && !q->nomem)
		add(q, "vat_breakdown", sb.buf, NULL, CONF_EXACT);
	folio_strbuf_release(&sb);
}

/*
 * "A:123456789*B:999999990*C:PT*D:FT*..." Recognised when it starts with
 * A: and carries at least the date (F) or the number (G) and four valid
 * pairs in all.
 */
static int parse_atcud(struct qr *q, const char *s)
{
	struct pt_fields f;

	if (strncmp(s, "A:", 2))
		return 0;
	memset(&f, 0, sizeof(f));
	pt_scan(&f, s);
	if (f.pairs < 4 || (!*f.date && !*f.number) || !*f.seller)
		return 0;
	pt_emit_ids(q, &f);
	pt_emit_totals(q, &f);
	pt_emit_breakdown(q, f.tax);
	return 1;
}

/* ---- URLs ---------------------------------------------------------------- */

struct url {
	char host[FIELD_MAX];
	char path[1024];
	const char *query; /* after '?', up to '#'; in the payload */
	size_t qlen;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode s[0..n) into out; '+' is a space. -1 when it does not fit
 * or decodes to a NUL. */
static int url_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (!c || k + 1 >= cap)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return (int)k;
}

static int parse_url(const char *s, struct url *u)
{
	const char *p, *h, *e;
	size_t n;

	if (!strncasecmp(s, "https://", 8))
		p = s + 8;
	else if (!strncasecmp(s, "http://", 7))
		p = s + 7;
	else
		return -1;
	h = p;
	while (*p && *p != '/' && *p != '?' && *p != '#')
		p++;
	n = (size_t)(p - h);
	if (!n || n >= sizeof(u->host))
		return -1;
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	for (e = u->host; *e; e++)
		u->host[e - u->host] = (char)tolower((unsigned char)*e);
	h = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	n = (size_t)(p - h);
	if (n >= sizeof(u->path))
		return -1;
	memcpy(u->path, h, n);
	u->path[n] = '\0';
	u->query = "";
	u->qlen = 0;
	if (*p == '?') {
		u->query = ++p;
		while (*p && *p != '#')
			p++;
		u->qlen = (size_t)(p - u->query);
	}
	return 0;
}

/* The decoded value of `key` (case-insensitive) in the query: 1 found,
 * 0 absent, -1 present but too long or malformed. */
static int query_get(const struct url *u, const char *key, char *out, size_t cap)
{
	const char *p = u->query, *end = u->query + u->qlen;
	size_t kl = strlen(key);

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;

		if ((size_t)(pe - p) > kl && p[kl] == '=' && !strncasecmp(p, key, kl)) {
			size_t vl = (size_t)(pe - p) - kl - 1;

			return url_decode(p + kl + 1, vl, out, cap) < 0 ? -1 : 1;
		}
		p = pe + 1;
	}
	return 0;
}

static int host_is(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	return h == d ? !strcmp(host, domain) :
			h > d && host[h - d - 1] == '.' && !strcmp(host + h - d, domain);
}

/* Spain, VeriFactu: .../ValidarQR?nif=&numserie=&fecha=DD-MM-YYYY&importe= */
static int parse_verifactu(struct qr *q, const struct url *u)
{
	char nif[FIELD_MAX], ser[FIELD_MAX], fecha[FIELD_MAX], imp[FIELD_MAX], v[FIELD_MAX];
	char buf[32];
	const char *slash = strrchr(u->path, '/');
	int has_ser, has_fecha, has_imp;

	if (!slash || strncasecmp(slash, "/ValidarQR", 10))
		return 0;
	if (query_get(u, "nif", nif, sizeof(nif)) != 1)
		return 0;
	has_ser = query_get(u, "numserie", ser, sizeof(ser)) == 1;
	has_fecha = query_get(u, "fecha", fecha, sizeof(fecha)) == 1;
	has_imp = query_get(u, "importe", imp, sizeof(imp)) == 1;
	if (!has_ser && !has_fecha && !has_imp)
		return 0;
	add_taxid(q, "seller_tax_id", nif, "ES");
	if (has_ser && text_copy(v, sizeof(v), ser, strlen(ser)) > 0)
		add(q, "invoice_number", v, NULL, CONF_EXACT);
	if (has_fecha && !date_dmy10(fecha, buf))
		add(q, "issue_date", buf, fecha, CONF_EXACT);
	if (has_imp && !amount_norm(imp, buf, NULL))
		add(q, "gross_total", buf, imp, CONF_EXACT);
	add(q, "currency", "EUR", NULL, CONF_EXACT);
	return 1;
}

/*
 * TicketBAI ID: TBAI-<NIF 9>-<DDMMYY>-<13 chars>-<CRC 3 digits>, 39
 * characters. Adds the seller and the date at `conf`; 1 when valid.
 */
static int tbai_id(struct qr *q, const char *id, float conf)
{
	char nif[10], date[11];
	size_t i;

	if (strlen(id) != 39 || strncmp(id, "TBAI-", 5) || id[14] != '-' || id[21] != '-' ||
	    id[35] != '-' || !all_digits(id + 15, 6) || !all_digits(id + 36, 3))
		return 0;
	for (i = 5; i < 14; i++)
		if (!isalnum((unsigned char)id[i]))
			return 0;
	for (i = 22; i < 35; i++)
		if (!isgraph((unsigned char)id[i]))
			return 0;
	if (crc8(id, 36) != (unsigned)num(id + 36, 3))
		return 0;
	memcpy(nif, id + 5, 9);
	nif[9] = '\0';
	if (date_out(2000 + num(id + 19, 2), num(id + 17, 2), num(id + 15, 2), date))
		return 0;
	if (conf >= CONF_EXACT) {
		add_taxid(q, "seller_tax_id", nif, "ES");
	} else {
		char out[32];

		if (folio_taxid_check(nif, "ES", out, NULL) == 1)
			add(q, "seller_tax_id", out, nif, conf);
	}
	add(q, "issue_date", date, NULL, conf);
	return 1;
}

/* TicketBAI URL: ...?id=TBAI-...&s=<series>&nf=<number>&i=<total>&cr=<CRC> */
static int parse_tbai_url(struct qr *q, const char *s, const struct url *u)
{
	char id[64], ser[FIELD_MAX], nf[FIELD_MAX], imp[FIELD_MAX], cr[16], num_s[2 * FIELD_MAX];
	char clean[2 * FIELD_MAX], buf[32];
	const char *crp;
	float conf = CONF_EXACT;

	if (query_get(u, "id", id, sizeof(id)) != 1 || strncmp(id, "TBAI-", 5))
		return 0;
	/* cr= covers everything before "&cr=" */
	crp = strstr(s, "&cr=");
	if (query_get(u, "cr", cr, sizeof(cr)) == 1) {
		if (!crp || strlen(cr) != 3 || !all_digits(cr, 3) ||
		    crc8(s, (size_t)(crp - s)) != (unsigned)num(cr, 3))
			conf = CONF_DOUBT;
	}
	if (!tbai_id(q, id, conf))
		return 0;
	if (query_get(u, "nf", nf, sizeof(nf)) == 1 && *nf) {
		if (query_get(u, "s", ser, sizeof(ser)) != 1)
			ser[0] = '\0';
		snprintf(num_s, sizeof(num_s), "%s%s", ser, nf);
		if (text_copy(clean, sizeof(clean), num_s, strlen(num_s)) > 0)
			add(q, "invoice_number", clean, NULL, *ser ? conf * CONF_DERIVED : conf);
	}
	if (query_get(u, "i", imp, sizeof(imp)) == 1 && !amount_norm(imp, buf, NULL))
		add(q, "gross_total", buf, imp, conf);
	add(q, "currency", "EUR", NULL, conf);
	return 1;
}

/* Poland, KSeF KOD I: https://qr.ksef.mf.gov.pl/invoice/{NIP}/{DD-MM-YYYY}/{hash} */
static int parse_ksef(struct qr *q, const struct url *u)
{
	char nip[11], date[11], buf[11];
	const char *p = u->path + 9, *hash;
	size_t i, hl;

	if (!host_is(u->host, "ksef.mf.gov.pl") && !strstr(u->host, "ksef"))
		return 0;
	if (strncmp(u->path, "/invoice/", 9))
		return 0;
	if (strlen(p) < 10 + 1 + 10 + 1 + 43 || !all_digits(p, 10) || p[10] != '/' || p[21] != '/')
		return 0;
	memcpy(nip, p, 10);
	nip[10] = '\0';
	memcpy(date, p + 11, 10);
	date[10] = '\0';
	if (date_dmy10(date, buf))
		return 0;
	hash = p + 22;
	hl = strlen(hash);
	while (hl && (hash[hl - 1] == '/' || hash[hl - 1] == '='))
		hl--;
	/* SHA-256 in base64url: 32 bytes, 43 characters without padding */
	if (hl != 43)
		return 0;
	for (i = 0; i < hl; i++)
		if (!isalnum((unsigned char)hash[i]) && hash[i] != '-' && hash[i] != '_')
			return 0;
	add_taxid(q, "seller_tax_id", nip, "PL");
	add(q, "issue_date", buf, date, CONF_EXACT);
	{
		char h[48];

		memcpy(h, hash, hl);
		h[hl] = '\0';
		add(q, "ksef_hash", h, NULL, CONF_EXACT);
	}
	return 1;
}

/* ---- Brazil: NF-e access key ------------------------------------------- */

static int nfe_key_ok(const char *k)
{
	static const int states[] = { 11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27,
				      28, 29, 31, 32, 33, 35, 41, 42, 43, 50, 51, 52, 53 };
	int i, w = 2, sum = 0, dv, uf = num(k, 2), mm = num(k + 4, 2), ok = 0;

	for (i = 0; i < (int)(sizeof(states) / sizeof(states[0])); i++)
		ok |= states[i] == uf;
	if (!ok || mm < 1 || mm > 12)
		return 0;
	for (i = 42; i >= 0; i--) {
		sum += (k[i] - '0') * w;
		w = w == 9 ? 2 : w + 1;
	}
	dv = sum % 11 < 2 ? 0 : 11 - sum % 11;
	return dv == k[43] - '0';
}

/* 44 digits, possibly in groups separated by spaces or dots. */
static int nfe_digits(const char *s, size_t n, char key[45])
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			if (k == 44)
				return -1;
			key[k++] = s[i];
		} else if (s[i] != ' ' && s[i] != '.') {
			return -1;
		}
	}
	key[k] = '\0';
	return k == 44 ? 0 : -1;
}

static int add_nfe(struct qr *q, const char *key)
{
	char cnpj[15], nnf[10], out[32];
	const char *n;
	int model = num(key + 20, 2);

	if (!nfe_key_ok(key) || (model != 55 && model != 65))
		return 0;
	memcpy(cnpj, key + 6, 14);
	cnpj[14] = '\0';
	if (folio_taxid_check(cnpj, "BR", out, NULL) == 1)
		add(q, "seller_tax_id", out, cnpj, CONF_EXACT);
	else if (!strncmp(cnpj, "000", 3) && folio_taxid_check(cnpj + 3, "BR", out, NULL) == 1)
		add(q, "seller_tax_id", out, cnpj, CONF_EXACT); /* a CPF */
	memcpy(nnf, key + 25, 9);
	nnf[9] = '\0';
	for (n = nnf; *n == '0' && n[1]; n++)
		;
	add(q, "invoice_number", n, nnf, CONF_EXACT);
	add(q, "doc_type", model == 65 ? "receipt" : "invoice", NULL, CONF_DERIVED);
	add(q, "nfe_key", key, NULL, CONF_EXACT);
	add(q, "currency", "BRL", NULL, CONF_EXACT);
	return 1;
}

/* NFC-e consultation URL: ...?p=<key>|2|1|...  or ...?chNFe=<key> */
static int parse_nfe_url(struct qr *q, const struct url *u)
{
	char v[FIELD_MAX], key[45];
	char *bar;

	if (query_get(u, "p", v, sizeof(v)) != 1 && query_get(u, "chNFe", v, sizeof(v)) != 1)
		return 0;
	bar = strchr(v, '|');
	if (bar)
		*bar = '\0';
	if (nfe_digits(v, strlen(v), key))
		return 0;
	return add_nfe(q, key);
}

/* ---- payment codes --------------------------------------------------------- */

static int line_copy(char *dst, size_t n, const struct span *l)
{
	return text_copy(dst, n, l->p, l->n);
}

/* Swiss Payments Code, Swico S1 bill information: //S1/10/<number>/11/<YYMMDD>... */
static void swico_s1(struct qr *q, const char *bi)
{
	char tag[8], val[FIELD_MAX], buf[11];
	const char *p = bi + 5;

	while (*p) {
		const char *e = strchr(p, '/'), *ve;
		size_t tl, vl, k = 0;

		if (!e)
			break;
		tl = (size_t)(e - p);
		if (tl == 0 || tl >= sizeof(tag))
			break;
		memcpy(tag, p, tl);
		tag[tl] = '\0';
		/* the value runs to the next unescaped '/' ("\/" is a slash) */
		for (ve = e + 1; *ve && *ve != '/'; ve++) {
			if (*ve == '\\' && ve[1])
				ve++;
			if (k + 1 < sizeof(val))
				val[k++] = *ve;
		}
		val[k] = '\0';
		vl = k;
		if (!strcmp(tag, "10") && vl)
			add(q, "invoice_number", val, NULL, CONF_EXACT);
		else if (!strcmp(tag, "11") && vl >= 6 && all_digits(val, 6) &&
			 !date_out(2000 + num(val, 2), num(val + 2, 2), num(val + 4, 2), buf))
			add(q, "issue_date", buf, val, CONF_EXACT);
		p = *ve ? ve + 1 : ve;
	}
}

/*
 * Swiss QR-bill: SPC, 0200, 1, IBAN, creditor (7 lines), ultimate creditor
 * (7), amount, currency, debtor (7), reference type, reference, message,
 * EPD, bill information.
 */
static int parse_spc(struct qr *q, const char *s)
{
	struct span l[40];
	char iban[64], out[40], name[FIELD_MAX], amt[FIELD_MAX], ccy[8], ref[FIELD_MAX];
	char buf[32], bi[FIELD_MAX];
	int n = split_lines(s, l, 40);

	if (n < 31 || l[0].n != 3 || memcmp(l[0].p, "SPC", 3) || l[1].n != 4 ||
	    memcmp(l[1].p, "02", 2) || l[2].n != 1 || l[2].p[0] != '1')
		return 0;
	if (line_copy(iban, sizeof(iban), &l[3]) <= 0 || folio_iban_check(iban, out) != 1)
		return 0;
	if (l[30].n != 3 || memcmp(l[30].p, "EPD", 3))
		return 0;
	add(q, "iban", out, iban, CONF_EXACT);
	if (line_copy(name, sizeof(name), &l[5]) > 0)
		add(q, "seller_name", name, NULL, CONF_EXACT);
	if (line_copy(ccy, sizeof(ccy), &l[19]) == 3 &&
	    (!strcmp(ccy, "CHF") || !strcmp(ccy, "EUR"))) {
		add(q, "currency", ccy, NULL, CONF_EXACT);
		if (line_copy(amt, sizeof(amt), &l[18]) > 0 && !amount_norm(amt, buf, NULL))
			add(q, "amount_due", buf, amt, CONF_EXACT);
	}
	if (line_copy(name, sizeof(name), &l[21]) > 0)
		add(q, "buyer_name", name, NULL, CONF_EXACT);
	if (line_copy(ref, sizeof(ref), &l[28]) > 0)
		add(q, "payment_reference", ref, NULL, CONF_EXACT);
	if (n > 31 && line_copy(bi, sizeof(bi), &l[31]) > 4 && !strncmp(bi, "//S1/", 5))
		swico_s1(q, bi);
	return 1;
}

/*
 * EPC QR / GiroCode: BCD, version, charset, SCT, BIC, name, IBAN,
 * EUR<amount>, purpose, structured reference, text, information.
 */
static int parse_bcd(struct qr *q, const char *s)
{
	struct span l[16];
	char iban[64], out[40], name[FIELD_MAX], amt[FIELD_MAX], ref[FIELD_MAX], buf[32];
	int n = split_lines(s, l, 16);

	if (n < 7 || l[0].n != 3 || memcmp(l[0].p, "BCD", 3) || l[1].n != 3 ||
	    (memcmp(l[1].p, "001", 3) && memcmp(l[1].p, "002", 3)) ||
	    (l[3].n != 3 || memcmp(l[3].p, "SCT", 3)))
		return 0;
	if (line_copy(iban, sizeof(iban), &l[6]) <= 0 || folio_iban_check(iban, out) != 1)
		return 0;
	add(q, "iban", out, iban, CONF_EXACT);
	if (line_copy(name, sizeof(name), &l[5]) > 0)
		add(q, "seller_name", name, NULL, CONF_EXACT);
	add(q, "currency", "EUR", NULL, CONF_EXACT);
	if (n > 7 && line_copy(amt, sizeof(amt), &l[7]) > 3 && !strncmp(amt, "EUR", 3) &&
	    !amount_norm(amt + 3, buf, NULL))
		add(q, "amount_due", buf, amt, CONF_EXACT);
	if ((n > 9 && line_copy(ref, sizeof(ref), &l[9]) > 0) ||
	    (n > 10 && line_copy(ref, sizeof(ref), &l[10]) > 0))
		add(q, "payment_reference", ref, NULL, CONF_EXACT);
	return 1;
}

/* ---- entry point ------------------------------------------------------------ */

int folio_qr_parse(const char *payload, int page, const int bbox[4], struct folio_cands *out)
{
	struct qr q = { out, page, bbox, 0 };
	size_t len, first = out->n;
	const char *s = payload;
	struct url u;
	char key[45];
	int r = 0;

	if (!payload)
		return 0;
	len = strnlen(payload, PAYLOAD_MAX + 1);
	if (len > PAYLOAD_MAX)
		return 0;
	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	if (!len)
		return 0;
	{
		char *t = malloc(len + 1);

		if (!t)
			return -1;
		memcpy(t, s, len);
		t[len] = '\0';
		if (!strncmp(t, "A:", 2))
			r = parse_atcud(&q, t);
		else if (!strncmp(t, "SPC", 3))
			r = parse_spc(&q, t);
		else if (!strncmp(t, "BCD", 3))
			r = parse_bcd(&q, t);
		else if (!strncmp(t, "TBAI-", 5))
			r = tbai_id(&q, t, CONF_EXACT);
		else if (!parse_url(t, &u))
			r = parse_verifactu(&q, &u) || parse_tbai_url(&q, t, &u) ||
			    parse_ksef(&q, &u) || parse_nfe_url(&q, &u);
		else if (!nfe_digits(t, len, key) ||
			 (!strncmp(t, "NFe", 3) && !nfe_digits(t + 3, len - 3, key)))
			r = add_nfe(&q, key);
		free(t);
	}
	if (q.nomem)
		return -1;
	if (!r) {
		/* a parser that gave up half-way leaves nothing behind */
		while (out->n > first) {
			struct folio_cand *c = &out->v[--out->n];

			free(c->name);
			free(c->value);
			free(c->raw);
		}
	}
	return r;
}
