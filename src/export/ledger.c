/*
 * ledger.c - invoices as a plain-text accounting journal (hledger and
 * ledger syntax), one balanced transaction per invoice:
 *
 *   2024-03-05 (FV/1/2024) Acme Ltd
 *       ; folio:7, seller_tax_id:PL5260250274, due:2024-04-01
 *       expenses:purchases                          100.00 PLN
 *       assets:vat:input                             18.40 PLN  ; rate:23
 *       assets:vat:input                              4.60 PLN  ; rate:5
 *       liabilities:payable                        -123.00 PLN
 *
 * A purchase debits the expense account with the net and the input VAT
 * account with the VAT, and credits the payable account with the gross.
 * When the seller is `own_tax_id` the invoice is a sale: the receivable
 * account is debited with the gross, revenue and output VAT credited. A
 * credit note reverses every sign (whichever sign its amounts carry in
 * the record). With a VAT breakdown of several rates there is one VAT
 * posting per rate. Amounts are exact cents ("1234.50 PLN": the ISO code
 * after the number, as hledger prints it).
 *
 * Refused (with every reason): no issue date, no gross total, no currency
 * (unless the profile names one), net and VAT both unknown, a breakdown
 * that does not add up to the totals, net + VAT != gross, amounts with
 * more than two decimals, proformas and non-invoices. One of net and VAT
 * may be missing: it is then gross minus the other.
 *
 * Text from the document is made safe for the syntax: in payees ';'
 * (a comment) becomes ',' and '|' (payee|note) '/', and without an invoice
 * number a leading '*' or '!' (a status) is dropped and a leading '('
 * (a code) becomes '['; in invoice numbers ')' becomes ']'; in account names two
 * spaces (the end of the name) become one and ':' (a sub-account) '-';
 * control characters become spaces everywhere.
 *
 * The trailer declares every account and commodity used (`account`,
 * `commodity`), so `hledger check --strict` accepts the file on its own
 * and a main journal may include it.
 */
#include "export_private.h"
#include "folio/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VENDOR_PREFIX "vendor_account."

static const char *const keys[] = {
	"expense_account\taccount debited with a purchase's net (expenses:purchases)",
	"vat_account\taccount debited with a purchase's VAT (assets:vat:input)",
	"payable_account\taccount credited with a purchase's gross (liabilities:payable)",
	"payable_per_vendor\tyes: a sub-account of payable_account per seller (of "
	"receivable_account per buyer for sales) (no)",
	VENDOR_PREFIX "\t" VENDOR_PREFIX "TAXID = the expense account for the seller with "
		      "that tax ID (none)",
	"own_tax_id\tyour tax ID: invoices you issued are sales (none)",
	"revenue_account\taccount credited with a sale's net (income:sales)",
	"vat_output_account\taccount credited with a sale's VAT (liabilities:vat:output)",
	"receivable_account\taccount debited with a sale's gross (assets:receivable)",
	"date\tissue or supply: the transaction's date; supply falls back to the issue date "
	"(issue)",
	"currency\tthe commodity for invoices whose currency is unknown (none: refuse them)",
	"declare\tyes: end with account and commodity directives for hledger check --strict "
	"(yes)",
	NULL,
};

struct vendor_map {
	char *tax_id; /* normalised */
	const char *account;
};

struct ledger {
	const char *expense, *vat, *payable, *revenue, *vat_out, *receivable;
	char *own_tax_id; /* normalised */
	const char *currency;
	int per_vendor, supply_date, declare;
	struct vendor_map *vendors;
	size_t nvendors;
	char **accounts, **commodities;
	size_t naccounts, ncommodities, accounts_alloc, commodities_alloc;
};

/* ---- checks and names ------------------------------------------------- */

static int bad_value(const struct folio_export *x, struct folio_err *err, const char *k,
		     const char *value, const char *want)
{
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
			     "%s%s%sledger: %s = '%s' is not valid (%s)",
			     x->profile ? "profile '" : "", x->profile ? x->profile : "",
			     x->profile ? "': " : "", k, value, want);
}

/* An account name ledger reads back as written. */
static int valid_account(const char *s)
{
	const char *p;

	if (!*s || *s == ' ' || *s == ':' || *s == '(' || *s == '[' || *s == '*' || *s == '!')
		return 0;
	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == ';' || *p == 0x7f)
			return 0;
		if (*p == ' ' && (p[1] == ' ' || !p[1]))
			return 0;
		if (*p == ':' && (p[1] == ':' || !p[1]))
			return 0;
	}
	return 1;
}

/* A tax ID for comparing: upper case, no spaces, dashes or dots. */
static char *norm_tax_id(const char *s)
{
	char *r = malloc(strlen(s) + 1), *o = r;

	if (!r)
		return NULL;
	for (; *s; s++)
		if (isalnum((unsigned char)*s))
			*o++ = (char)toupper((unsigned char)*s);
	*o = '\0';
	return r;
}

/* Same tax ID, also when one side lacks the country prefix. */
static int same_tax_id(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (!na || !nb)
		return 0;
	if (na == nb)
		return !strcmp(a, b);
	if (na == nb + 2 && isalpha((unsigned char)a[0]) && isalpha((unsigned char)a[1]))
		return !strcmp(a + 2, b);
	if (nb == na + 2 && isalpha((unsigned char)b[0]) && isalpha((unsigned char)b[1]))
		return !strcmp(b + 2, a);
	return 0;
}

static int tax_id_is(const char *tax_id, const char *norm)
{
	char *t;
	int r;

	if (!tax_id || !norm || !(t = norm_tax_id(tax_id)))
		return 0;
	r = same_tax_id(t, norm);
	free(t);
	return r;
}

/*
 * Document text on one line: control characters and runs of spaces become
 * one space, each character of `from` the one at the same place in `to`.
 */
static int put_text(struct folio_strbuf *sb, const char *s, const char *from, const char *to)
{
	const char *f;
	int space = 0, r = 0;

	while (*s == ' ' || ((unsigned char)*s < 0x20 && *s))
		s++;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = 1;
			continue;
		}
		if (space)
			r |= folio_strbuf_addch(sb, ' ');
		space = 0;
		f = strchr(from, c);
		r |= folio_strbuf_addch(sb, f ? to[f - from] : c);
	}
	return r;
}

/* ---- amounts ------------------------------------------------------------ */

/* Cents of `s`; -1 when it is not an amount or has more than two decimals. */
static int cents(const char *s, long long *v)
{
	const char *d;
	int ok;

	*v = folio_cents(s, &ok);
	if (!ok)
		return -1;
	if ((d = strchr(s, '.')) && strlen(d) > 3)
		for (d += 3; *d; d++)
			if (*d != '0')
				return -1;
	return 0;
}

static const char *money(long long c, char *buf, size_t n)
{
	return folio_cents_format(c, buf, n);
}

/* ---- state -------------------------------------------------------------- */

static int remember(char ***v, size_t *n, size_t *alloc, const char *s)
{
	size_t i;
	char **nv;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 16;

		if (!(nv = realloc(*v, na * sizeof(*nv))))
			return -1;
		*v = nv;
		*alloc = na;
	}
	if (!((*v)[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static void ledger_free(struct ledger *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nvendors; i++)
		free(l->vendors[i].tax_id);
	free(l->vendors);
	free(l->own_tax_id);
	for (i = 0; i < l->naccounts; i++)
		free(l->accounts[i]);
	free(l->accounts);
	for (i = 0; i < l->ncommodities; i++)
		free(l->commodities[i]);
	free(l->commodities);
	free(l);
}

static int yes_no(const struct folio_export *x, struct folio_err *err, const char *k,
		  const char *def, int *v)
{
	const char *s = folio_export_opt(x, k, def);

	if (strcmp(s, "yes") && strcmp(s, "no"))
		return bad_value(x, err, k, s, "yes or no");
	*v = !strcmp(s, "yes");
	return FOLIO_OK;
}

static int ledger_begin(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err)
{
	/* clang-format off */
	static const struct {
		const char *key, *def;
		size_t off;
	} accounts[] = {
		{ "expense_account", "expenses:purchases", offsetof(struct ledger, expense) },
		{ "vat_account", "assets:vat:input", offsetof(struct ledger, vat) },
		{ "payable_account", "liabilities:payable", offsetof(struct ledger, payable) },
		{ "revenue_account", "income:sales", offsetof(struct ledger, revenue) },
		{ "vat_output_account", "liabilities:vat:output",
		  offsetof(struct ledger, vat_out) },
		{ "receivable_account", "assets:receivable", offsetof(struct ledger, receivable) },
	};
	/* clang-format on */
	struct ledger *l;
	const char *s;
	size_t i;
	int r = FOLIO_OK;

	if (!(l = calloc(1, sizeof(*l))))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	for (i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		s = folio_export_opt(x, accounts[i].key, accounts[i].def);
		if (!valid_account(s)) {
			r = bad_value(x, err, accounts[i].key, s,
				      "an account name: no ';', no two spaces, not empty");
			goto out;
		}
		*(const char **)((char *)l + accounts[i].off) = s;
	}
	if ((r = yes_no(x, err, "payable_per_vendor", "no", &l->per_vendor)) ||
	    (r = yes_no(x, err, "declare", "yes", &l->declare)))
		goto out;
	s = folio_export_opt(x, "date", "issue");
	if (strcmp(s, "issue") && strcmp(s, "supply")) {
		r = bad_value(x, err, "date", s, "issue or supply");
		goto out;
	}
	l->supply_date = !strcmp(s, "supply");
	if ((s = folio_export_opt(x, "currency", NULL))) {
		const char *p;

		for (p = s; isupper((unsigned char)*p); p++)
			;
		if (!*s || *p) {
			r = bad_value(x, err, "currency", s, "a currency code such as EUR");
			goto out;
		}
		l->currency = s;
	}
	if ((s = folio_export_opt(x, "own_tax_id", NULL))) {
		if (!(l->own_tax_id = norm_tax_id(s)))
			goto nomem;
		if (strlen(l->own_tax_id) < 4) {
			r = bad_value(x, err, "own_tax_id", s, "a tax ID");
			goto out;
		}
	}
	for (i = 0; i < x->nopts; i++) {
		const char *k = x->opts[i].key, *v = x->opts[i].value;
		struct vendor_map *nv;

		if (strncmp(k, VENDOR_PREFIX, strlen(VENDOR_PREFIX)))
			continue;
		if (!k[strlen(VENDOR_PREFIX)]) {
			r = bad_value(x, err, k, v,
				      "name the seller's tax ID: " VENDOR_PREFIX
				      "PL5260250274 = expenses:fuel");
			goto out;
		}
		if (!valid_account(v)) {
			r = bad_value(x, err, k, v,
				      "an account name: no ';', no two spaces, "
				      "not empty");
			goto out;
		}
		if (!(nv = realloc(l->vendors, (l->nvendors + 1) * sizeof(*nv))))
			goto nomem;
		l->vendors = nv;
		nv[l->nvendors].account = v;
		if (!(nv[l->nvendors].tax_id = norm_tax_id(k + strlen(VENDOR_PREFIX))))
			goto nomem;
		l->nvendors++;
	}
	if (x->now && folio_strbuf_addf(out, "; folio export, batch %lld, %s\n", x->batch, x->now))
		goto nomem;
	x->state = l;
	return FOLIO_OK;
nomem:
	r = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
out:
	ledger_free(l);
	return r;
}

/* ---- one transaction ----------------------------------------------------- */

static int is_iso_date(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	return s[10] == '\0';
}

static void why(struct folio_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why(struct folio_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	if (sb->len)
		folio_strbuf_adds(sb, "; ");
	va_start(ap, fmt);
	folio_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* An amount field: cents, or a reason when it is there but unusable. */
static int amount(struct folio_strbuf *w, const char *what, const char *s, long long *v, int *known)
{
	*known = 0;
	*v = 0;
	if (!s)
		return 0;
	if (cents(s, v)) {
		why(w, "%s '%s' is not an amount with at most two decimals", what, s);
		return -1;
	}
	*known = 1;
	return 0;
}

static int posting(struct folio_strbuf *t, const char *account, long long c, const char *commodity,
		   const char *rate)
{
	char num[48], amt[80];
	int pad = 40 - (int)strlen(account), r;

	snprintf(amt, sizeof(amt), "%s %s", money(c, num, sizeof(num)), commodity);
	r = folio_strbuf_addf(t, "    %s%*s%16s", account, pad < 2 ? 2 : pad, "", amt);
	if (rate)
		r |= folio_strbuf_adds(t, "  ; rate:") || put_text(t, rate, ",;", "  ");
	return r | folio_strbuf_addch(t, '\n');
}

/* base, or base:NAME with NAME made an account name's part. */
static int party_account(struct folio_strbuf *sb, const char *base, const char *name, int per)
{
	size_t len;

	if (folio_strbuf_adds(sb, base))
		return -1;
	if (!per || !name)
		return 0;
	len = sb->len;
	if (folio_strbuf_addch(sb, ':') || put_text(sb, name, ":;", "-,"))
		return -1;
	if (sb->len == len + 1) { /* nothing printable: no sub-account */
		sb->len = len;
		sb->buf[len] = '\0';
	}
	return 0;
}

static const char *first(const char *a, const char *b, const char *c)
{
	return a ? a : b ? b : c;
}

/* One invoice's transaction: the checked figures, then its accounts and sign. */
struct txn {
	const char *date, *currency, *main_acct, *vat_acct, *payee;
	long long net, vat, gross;
	long long f; /* 1, or -1 to reverse a credit note */
	int credit, sale;
};

/* Why the kind of document, its date or its currency cannot be posted (to `w`). */
static void check_document(const struct ledger *l, const struct folio_invoice *inv, struct txn *tx,
			   struct folio_strbuf *w)
{
	const char *p;

	if (inv->doc_type && !strcmp(inv->doc_type, "proforma"))
		why(w, "a proforma invoice is not posted to a journal");
	else if (inv->doc_type && strcmp(inv->doc_type, "invoice") && !tx->credit &&
		 strcmp(inv->doc_type, "receipt"))
		why(w, "a %s is not an invoice", inv->doc_type);

	tx->date = l->supply_date && inv->supply_date ? inv->supply_date : inv->issue_date;
	if (!inv->issue_date)
		why(w, "the issue date is unknown");
	else if (!is_iso_date(tx->date))
		why(w, "the date '%s' is not YYYY-MM-DD", tx->date);
	tx->currency = inv->currency ? inv->currency : l->currency;
	if (!tx->currency) {
		why(w, "the currency is unknown");
	} else {
		for (p = tx->currency; isalpha((unsigned char)*p); p++)
			;
		if (*p || !*tx->currency)
			why(w, "the currency '%s' is not a currency code", tx->currency);
	}
}

/*
 * The net, VAT and gross to post (one of net and VAT may come from the
 * others), and why they cannot be (to `w`): unusable or not adding up.
 */
static void check_amounts(const struct folio_invoice *inv, struct txn *tx, struct folio_strbuf *w)
{
	long long net = 0, vat = 0, gross = 0, rnet = 0, rvat = 0, v;
	int has_net, has_vat, has_gross, ok;
	char a[32], b[32], c[32], d[32];
	size_t i;

	amount(w, "gross total", inv->gross_total, &gross, &has_gross);
	if (!inv->gross_total)
		why(w, "the gross total is unknown");
	amount(w, "net total", inv->net_total, &net, &has_net);
	amount(w, "VAT total", inv->vat_total, &vat, &has_vat);
	ok = 1;
	for (i = 0; i < inv->nrates; i++) {
		const struct folio_inv_rate *e = &inv->rates[i];

		if (cents(e->net, &v)) {
			why(w, "the %s %% VAT row's net '%s' is not an amount",
			    e->rate ? e->rate : "?", e->net);
			ok = 0;
		}
		rnet += v;
		if (cents(e->vat, &v)) {
			why(w, "the %s %% VAT row's VAT '%s' is not an amount",
			    e->rate ? e->rate : "?", e->vat);
			ok = 0;
		}
		rvat += v;
	}
	if (inv->nrates && ok) {
		if (has_net && rnet != net)
			why(w, "the VAT breakdown's nets add up to %s, not the net total %s",
			    money(rnet, a, sizeof(a)), money(net, b, sizeof(b)));
		if (has_vat && rvat != vat)
			why(w, "the VAT breakdown's VAT adds up to %s, not the VAT total %s",
			    money(rvat, a, sizeof(a)), money(vat, b, sizeof(b)));
		net = rnet, has_net = 1;
		vat = rvat, has_vat = 1;
	}
	if (has_gross && !has_net && !has_vat && !inv->net_total && !inv->vat_total)
		why(w, "the net and VAT totals are unknown");
	else if (has_gross && has_net && !has_vat && !inv->vat_total)
		vat = gross - net, has_vat = 1;
	else if (has_gross && !has_net && has_vat && !inv->net_total)
		net = gross - vat, has_net = 1;
	if (has_gross && has_net && has_vat && net + vat != gross)
		why(w, "net %s + VAT %s is %s, not the gross total %s", money(net, a, sizeof(a)),
		    money(vat, b, sizeof(b)), money(net + vat, c, sizeof(c)),
		    money(gross, d, sizeof(d)));
	tx->net = net;
	tx->vat = vat;
	tx->gross = gross;
}

/*
 * Sale or purchase: the net's and VAT's accounts, the payee and its
 * receivable or payable account (to `party`). Nonzero when out of memory.
 */
static int choose_accounts(const struct ledger *l, const struct folio_invoice *inv, struct txn *tx,
			   struct folio_strbuf *party)
{
	size_t i;
	int m = 0;

	tx->sale = l->own_tax_id && tax_id_is(inv->seller.tax_id, l->own_tax_id);
	if (tx->sale) {
		tx->main_acct = l->revenue;
		tx->vat_acct = l->vat_out;
		tx->payee = first(inv->buyer.name, inv->buyer.tax_id, NULL);
		m |= party_account(party, l->receivable, tx->payee, l->per_vendor);
	} else {
		tx->main_acct = l->expense;
		for (i = 0; i < l->nvendors; i++)
			if (tax_id_is(inv->seller.tax_id, l->vendors[i].tax_id))
				tx->main_acct = l->vendors[i].account;
		tx->vat_acct = l->vat;
		tx->payee = first(inv->vendor, inv->seller.name, inv->seller.tax_id);
		m |= party_account(party, l->payable, tx->payee, l->per_vendor);
	}
	return m;
}

/* The date, code and payee line and the comment line. Nonzero when out of memory. */
static int put_header(struct folio_strbuf *t, const struct folio_invoice *inv, const struct txn *tx)
{
	int m = 0;

	m |= folio_strbuf_adds(t, "\n") || folio_strbuf_adds(t, tx->date);
	if (inv->number)
		m |= folio_strbuf_adds(t, " (") || put_text(t, inv->number, ")", "]") ||
		     folio_strbuf_addch(t, ')');
	if (tx->payee) {
		size_t at = t->len + 1;

		m |= folio_strbuf_addch(t, ' ') || put_text(t, tx->payee, ";|", ",/");
		/* without a code a leading '(' would start one, '*' or '!' a status */
		while (!m && !inv->number && t->len > at && strchr("*! ", t->buf[at]))
			memmove(t->buf + at, t->buf + at + 1, t->len-- - at);
		if (!m && !inv->number && t->len > at && t->buf[at] == '(')
			t->buf[at] = '[';
		if (!m && t->len == at) /* nothing printable */
			t->buf[--t->len] = '\0';
	}
	m |= folio_strbuf_addf(t, "\n    ; folio:%lld", inv->doc_id);
	if (tx->sale && inv->buyer.tax_id)
		m |= folio_strbuf_adds(t, ", buyer_tax_id:") ||
		     put_text(t, inv->buyer.tax_id, ",;", "  ");
	if (!tx->sale && inv->seller.tax_id)
		m |= folio_strbuf_adds(t, ", seller_tax_id:") ||
		     put_text(t, inv->seller.tax_id, ",;", "  ");
	if (inv->due_date)
		m |= folio_strbuf_adds(t, ", due:") || put_text(t, inv->due_date, ",;", "  ");
	if (tx->credit)
		m |= folio_strbuf_adds(t, ", credit_note:");
	m |= folio_strbuf_addch(t, '\n');
	return m;
}

/*
 * The postings, a VAT one per rate when there are several. A sale credits
 * revenue and VAT; a purchase debits them. Nonzero when out of memory.
 */
static int put_postings(struct folio_strbuf *t, const struct folio_invoice *inv,
			const struct txn *tx, const char *party)
{
	long long f = tx->f, v;
	size_t i;
	int m = 0;

	if (tx->sale)
		m |= posting(t, party, f * tx->gross, tx->currency, NULL);
	m |= posting(t, tx->main_acct, (tx->sale ? -f : f) * tx->net, tx->currency, NULL);
	if (inv->nrates > 1) {
		for (i = 0; i < inv->nrates; i++) {
			cents(inv->rates[i].vat, &v);
			if (v)
				m |= posting(t, tx->vat_acct, (tx->sale ? -f : f) * v, tx->currency,
					     inv->rates[i].rate ? inv->rates[i].rate : "?");
		}
	} else if (tx->vat) {
		m |= posting(t, tx->vat_acct, (tx->sale ? -f : f) * tx->vat, tx->currency,
			     inv->nrates ? inv->rates[0].rate : NULL);
	}
	if (!tx->sale)
		m |= posting(t, party, -f * tx->gross, tx->currency, NULL);
	return m;
}

/* Note the accounts and commodity for the trailer. Nonzero when out of memory. */
static int remember_txn(struct ledger *l, const struct txn *tx, const char *party)
{
	return remember(&l->accounts, &l->naccounts, &l->accounts_alloc, tx->main_acct) ||
	       (tx->vat &&
		remember(&l->accounts, &l->naccounts, &l->accounts_alloc, tx->vat_acct)) ||
	       remember(&l->accounts, &l->naccounts, &l->accounts_alloc, party) ||
	       remember(&l->commodities, &l->ncommodities, &l->commodities_alloc, tx->currency);
}

static int ledger_write(struct folio_export *x, const struct folio_invoice *inv,
			struct folio_strbuf *out, struct folio_err *err)
{
	struct ledger *l = x->state;
	struct folio_strbuf w = FOLIO_STRBUF_INIT, t = FOLIO_STRBUF_INIT;
	struct folio_strbuf party = FOLIO_STRBUF_INIT;
	struct txn tx = { 0 };
	int r = FOLIO_OK, m;

	tx.credit = folio_invoice_is_credit(inv);
	check_document(l, inv, &tx, &w);
	check_amounts(inv, &tx, &w);
	if (w.len) {
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0, "%s", w.buf);
		goto out;
	}

	/* a credit note reverses an invoice whatever sign its amounts carry */
	tx.f = 1;
	if (tx.credit)
		tx.f = tx.gross < 0 || (tx.gross == 0 && tx.net < 0) ? 1 : -1;
	m = choose_accounts(l, inv, &tx, &party);
	if (!m) {
		m = put_header(&t, inv, &tx);
		m |= put_postings(&t, inv, &tx, party.buf);
	}
	if (m || remember_txn(l, &tx, party.buf) || folio_strbuf_add(out, t.buf, t.len))
		r = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
out:
	folio_strbuf_release(&w);
	folio_strbuf_release(&t);
	folio_strbuf_release(&party);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ledger_end(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err)
{
	struct ledger *l = x->state;
	size_t i;
	int r = 0;

	if (!l->declare || !l->naccounts)
		return FOLIO_OK;
	folio_sort(l->accounts, l->naccounts, sizeof(*l->accounts), cmp_str);
	folio_sort(l->commodities, l->ncommodities, sizeof(*l->commodities), cmp_str);
	r |= folio_strbuf_adds(out, "\n; accounts and commodities of this batch\n");
	for (i = 0; i < l->naccounts; i++)
		r |= folio_strbuf_addf(out, "account %s\n", l->accounts[i]);
	for (i = 0; i < l->ncommodities; i++)
		r |= folio_strbuf_addf(out, "commodity %s\n", l->commodities[i]);
	if (r)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	return FOLIO_OK;
}

static void ledger_release(struct folio_export *x)
{
	ledger_free(x->state);
	x->state = NULL;
}

const struct folio_export_module folio_export_ledger = {
	.name = "ledger",
	.ext = "journal",
	.summary = "a plain-text journal for hledger and ledger: one balanced transaction "
		   "per invoice",
	.file_per_invoice = 0,
	.keys = keys,
	.begin = ledger_begin,
	.write = ledger_write,
	.end = ledger_end,
	.release = ledger_release,
};
