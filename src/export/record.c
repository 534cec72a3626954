/*
 * record.c - the canonical invoice record the export modules read, built
 * from an archived document's fields (see include/folio/export.h).
 */
#include "folio/export.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/util.h"

/* ---- a string pool owned by the record -------------------------------- */

/* Keep `s` (a fresh copy; NULL when the copy failed) for the record's
 * life. NULL, with inv->nomem_ set, when memory ran out. */
static const char *keep(struct folio_invoice *inv, char *s)
{
	char **v;

	if (!s) {
		inv->nomem_ = 1;
		return NULL;
	}
	if (inv->npool_ == inv->pool_alloc_) {
		size_t n = inv->pool_alloc_ ? inv->pool_alloc_ * 2 : 16;

		if (!(v = realloc(inv->pool_, n * sizeof(*v)))) {
			free(s);
			inv->nomem_ = 1;
			return NULL;
		}
		inv->pool_ = v;
		inv->pool_alloc_ = n;
	}
	inv->pool_[inv->npool_++] = s;
	return s;
}

/* Take the value of `key` out of the pairs (NULL when absent). */
static const char *take(struct folio_invoice *inv, struct folio_json_pair *kv, size_t n,
			const char *key)
{
	size_t i;
	char *v;

	for (i = 0; i < n; i++)
		if (kv[i].key && !strcmp(kv[i].key, key)) {
			v = kv[i].value;
			kv[i].value = NULL;
			if (!*v) {
				free(v);
				return NULL;
			}
			return keep(inv, v);
		}
	return NULL;
}

#define GROW(arr, n, alloc)                                              \
	do {                                                             \
		if ((n) == (alloc)) {                                    \
			size_t na_ = (alloc) ? (alloc)*2 : 8;            \
			void *p_ = realloc((arr), na_ * sizeof(*(arr))); \
			if (!p_)                                         \
				return -1;                               \
			(arr) = p_;                                      \
			(alloc) = na_;                                   \
		}                                                        \
	} while (0)

struct rows {
	struct folio_invoice *inv;
	size_t alloc;
};

static int rate_row(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct rows *r = ctx;
	struct folio_invoice *inv = r->inv;
	struct folio_inv_rate *e;

	GROW(inv->rates, inv->nrates, r->alloc);
	e = &inv->rates[inv->nrates++];
	memset(e, 0, sizeof(*e));
	e->rate = take(inv, kv, n, "rate");
	e->category = take(inv, kv, n, "category");
	e->exemption_reason = take(inv, kv, n, "exemption_reason");
	e->exemption_code = take(inv, kv, n, "exemption_code");
	e->net = take(inv, kv, n, "net");
	e->vat = take(inv, kv, n, "vat");
	if (!e->net)
		e->net = "0.00";
	if (!e->vat)
		e->vat = "0.00";
	return 0;
}

static int line_row(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct rows *r = ctx;
	struct folio_invoice *inv = r->inv;
	struct folio_inv_line *e;

	GROW(inv->lines, inv->nlines, r->alloc);
	e = &inv->lines[inv->nlines++];
	e->description = take(inv, kv, n, "description");
	e->quantity = take(inv, kv, n, "quantity");
	e->unit = take(inv, kv, n, "unit");
	e->unit_price = take(inv, kv, n, "unit_price");
	e->net = take(inv, kv, n, "net");
	e->vat_rate = take(inv, kv, n, "vat_rate");
	e->category = take(inv, kv, n, "category");
	return 0;
}

static int charge_row(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct rows *r = ctx;
	struct folio_invoice *inv = r->inv;
	struct folio_inv_charge *e;
	const char *kind;

	GROW(inv->charges, inv->ncharges, r->alloc);
	e = &inv->charges[inv->ncharges++];
	kind = take(inv, kv, n, "kind");
	e->charge = kind && !strcmp(kind, "charge");
	e->amount = take(inv, kv, n, "amount");
	e->reason = take(inv, kv, n, "reason");
	e->reason_code = take(inv, kv, n, "reason_code");
	e->rate = take(inv, kv, n, "rate");
	e->category = take(inv, kv, n, "category");
	e->base = take(inv, kv, n, "base");
	e->percent = take(inv, kv, n, "percent");
	if (!e->amount)
		e->amount = "0.00";
	return 0;
}

/* ---- the record ---------------------------------------------------------- */

static const char *field(const struct folio_doc *doc, const char *name)
{
	const struct folio_field *f = folio_doc_field(doc, name);

	return f && f->value && *f->value ? f->value : NULL;
}

/* The country a tax ID's prefix names ("EL" is Greece, "GR"). */
static const char *country_of(struct folio_invoice *inv, const char *tax_id)
{
	char cc[3];

	if (!tax_id || !isupper((unsigned char)tax_id[0]) || !isupper((unsigned char)tax_id[1]))
		return NULL;
	cc[0] = tax_id[0];
	cc[1] = tax_id[1];
	cc[2] = '\0';
	if (!strcmp(cc, "EL"))
		return "GR";
	if (!strcmp(cc, "XI"))
		return "GB";
	return keep(inv, strdup(cc));
}

static void party(struct folio_invoice *inv, struct folio_inv_party *p, const char *who)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_name", who);
	p->name = field(inv->doc_, name);
	snprintf(name, sizeof(name), "%s_tax_id", who);
	p->tax_id = field(inv->doc_, name);
	snprintf(name, sizeof(name), "%s_address", who);
	p->address = field(inv->doc_, name);
	snprintf(name, sizeof(name), "%s_country", who);
	p->country = field(inv->doc_, name);
	if (!p->country)
		p->country = country_of(inv, p->tax_id);
}

int folio_invoice_from_doc(struct folio_invoice *inv, struct folio_doc *doc, int owns_doc,
			   const char *vendor, struct folio_err *err)
{
	/* clang-format off */
	static const struct {
		const char *name;
		int (*row)(void *, struct folio_json_pair *, size_t);
	} arrays[] = {
		{ "vat_breakdown", rate_row },
		{ "lines", line_row },
		{ "charges", charge_row },
	};
	/* clang-format on */
	const struct folio_field *f;
	struct rows r;
	size_t i;
	int j;

	memset(inv, 0, sizeof(*inv));
	inv->doc_ = owns_doc ? doc : NULL;
	inv->doc_id = doc->id;
	inv->sha256 = doc->sha256;
	inv->doc_type = doc->doc_type;
	inv->title = doc->title;
	inv->added_at = doc->added_at;
	inv->needs_review = doc->needs_review;
	inv->review = doc->review;
	inv->fields = doc->fields;
	inv->nfields = doc->nfields;
	inv->tags = doc->tags;
	inv->ntags = doc->ntags;
	if (vendor && !(inv->vendor = keep(inv, strdup(vendor))))
		goto nomem;

	/* party() and field() read the document through inv->doc_ */
	inv->doc_ = doc;
	inv->number = field(doc, "invoice_number");
	inv->issue_date = field(doc, "issue_date");
	inv->supply_date = field(doc, "supply_date");
	inv->due_date = field(doc, "due_date");
	inv->currency = field(doc, "currency");
	party(inv, &inv->seller, "seller");
	party(inv, &inv->buyer, "buyer");
	inv->iban = field(doc, "iban");
	inv->order_reference = field(doc, "order_reference");
	inv->buyer_reference = field(doc, "buyer_reference");
	inv->payment_reference = field(doc, "payment_reference");
	inv->net_total = field(doc, "net_total");
	inv->vat_total = field(doc, "vat_total");
	inv->gross_total = field(doc, "gross_total");
	inv->amount_due = field(doc, "amount_due");
	inv->prepaid_amount = field(doc, "prepaid_amount");
	inv->rounding_amount = field(doc, "rounding_amount");
	inv->seller_identifier = field(doc, "seller_identifier");
	inv->seller_identifier_scheme = field(doc, "seller_identifier_scheme");
	inv->buyer_identifier = field(doc, "buyer_identifier");
	inv->buyer_identifier_scheme = field(doc, "buyer_identifier_scheme");
	inv->seller_legal_id = field(doc, "seller_legal_id");
	inv->seller_legal_id_scheme = field(doc, "seller_legal_id_scheme");
	inv->buyer_legal_id = field(doc, "buyer_legal_id");
	inv->buyer_legal_id_scheme = field(doc, "buyer_legal_id_scheme");
	inv->seller_tax_registration = field(doc, "seller_tax_registration");
	inv->delivery_name = field(doc, "delivery_name");
	inv->delivery_address = field(doc, "delivery_address");
	inv->delivery_country = field(doc, "delivery_country");
	inv->period_start = field(doc, "period_start");
	inv->period_end = field(doc, "period_end");
	inv->preceding_invoice_number = field(doc, "preceding_invoice_number");
	inv->preceding_invoice_date = field(doc, "preceding_invoice_date");
	inv->tax_point_date = field(doc, "tax_point_date");
	inv->vat_due_date_code = field(doc, "vat_due_date_code");
	inv->payment_terms = field(doc, "payment_terms");
	inv->note = field(doc, "note");
	inv->payment_means_code = field(doc, "payment_means_code");
	inv->payment_account = field(doc, "payment_account");
	inv->payment_account_name = field(doc, "payment_account_name");
	inv->payment_bic = field(doc, "payment_bic");

	for (i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
		if (!(f = folio_doc_field(doc, arrays[i].name)) || !f->value || !*f->value)
			continue;
		r.inv = inv;
		r.alloc = 0;
		if ((j = folio_json_rows(f->value, arrays[i].row, &r)) == -2 || inv->nomem_) {
			inv->doc_ = owns_doc ? doc : NULL;
			goto nomem;
		}
		if (j) {
			/* the message first: releasing may free the document */
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				      "document %lld: field %s is not a list of entries", doc->id,
				      arrays[i].name);
			inv->doc_ = owns_doc ? doc : NULL;
			folio_invoice_release(inv);
			return FOLIO_FAILED;
		}
	}
	inv->doc_ = owns_doc ? doc : NULL;
	/* a value that could not be kept (a country from a tax ID) */
	if (inv->nomem_)
		goto nomem;
	return FOLIO_OK;
nomem:
	folio_invoice_release(inv);
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
}

void folio_invoice_release(struct folio_invoice *inv)
{
	size_t i;

	for (i = 0; i < inv->npool_; i++)
		free(inv->pool_[i]);
	free(inv->pool_);
	free(inv->rates);
	free(inv->lines);
	free(inv->charges);
	folio_doc_free(inv->doc_);
	memset(inv, 0, sizeof(*inv));
}

int folio_invoice_is_credit(const struct folio_invoice *inv)
{
	return inv->doc_type && !strcmp(inv->doc_type, "credit_note");
}

long long folio_cents(const char *s, int *ok)
{
	long long whole = 0, frac = 0;
	int neg = 0, digits = 0, fd = 0, round = 0;

	if (ok)
		*ok = 0;
	if (!s)
		return 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (whole > 9000000000000000LL / 10)
			return 0;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, fd++) {
			if (fd < 2)
				frac = frac * 10 + (*s - '0');
			else if (fd == 2)
				round = *s >= '5';
		}
	}
	if (*s || (!digits && !fd))
		return 0;
	if (fd == 1)
		frac *= 10;
	if (ok)
		*ok = 1;
	return (neg ? -1 : 1) * (whole * 100 + frac + round);
}

char *folio_cents_format(long long cents, char *buf, size_t n)
{
	unsigned long long a =
		cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;

	snprintf(buf, n, "%s%llu.%02llu", cents < 0 ? "-" : "", a / 100, a % 100);
	return buf;
}
