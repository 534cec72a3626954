/*
 * jsonl.c - the full canonical record, one JSON object per line (JSON
 * Lines), for scripts and data tools (jq, pandas, DuckDB).
 *
 * Each line is one invoice:
 *
 *   {"id": 7, "sha256": "...", "doc_type": "invoice", "title": "...",
 *    "added_at": "2024-05-01T10:00:00Z", "vendor": "Acme" | null,
 *    "tags": ["q1"], "needs_review": false, "review": null | "why",
 *    "fields": {
 *      "invoice_number": {"value": "FV/1", "raw": "FV/1" (when printed
 *                         differently or known), "source": "xml|qr|text|ocr|user|none",
 *                         "confidence": 0.97, "page": 1, "bbox": [x, y, w, h]
 *                         (only when known)},
 *      "vat_breakdown":  {"value": [{"rate": "23", "net": "80.00", ...}], ...},
 *      "lines" and "charges" likewise: the value is a JSON array of objects
 *      whose values are the stored strings, never a string holding JSON
 *    },
 *    "invoice": {
 *      "number", "issue_date", "supply_date", "due_date", "currency",
 *      "seller": {"name", "tax_id", "country", "address"}, "buyer": {...},
 *      "iban", "order_reference", "buyer_reference", "payment_reference",
 *      "net_total", "vat_total", "gross_total", "amount_due",
 *      "prepaid_amount", "rounding_amount"          -- JSON numbers,
 *      "rates":   [{"rate", "category", "exemption_reason", "exemption_code",
 *                   "net", "vat"}],
 *      "lines":   [{"description", "quantity", "unit", "unit_price", "net",
 *                   "vat_rate", "category"}],
 *      "charges": [{"charge": true|false, "amount", "reason", "reason_code",
 *                   "rate", "category"}]
 *    }}
 *
 * Unknown values are null. In "invoice" amounts, rates, quantities and
 * prices are JSON numbers written from the stored decimal string (never
 * through a double, so "1234.50" stays exactly that); a value that is not
 * a decimal number is null there and still readable in "fields". Amounts
 * keep the record's sign: a credit note says so in doc_type.
 */
#include "export_private.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const keys[] = { NULL };

/* ',' before every member but the first of an object or array. */
struct out {
	struct folio_strbuf *sb;
	int first;
	int r;
};

static void sep(struct out *o)
{
	if (!o->first)
		o->r |= folio_strbuf_addch(o->sb, ',');
	o->first = 0;
}

static void obj_open(struct out *o, const char *k, int c)
{
	sep(o);
	if (k)
		o->r |= folio_strbuf_add_json(o->sb, k) || folio_strbuf_addch(o->sb, ':');
	o->r |= folio_strbuf_addch(o->sb, c);
	o->first = 1;
}

static void obj_close(struct out *o, int c)
{
	o->r |= folio_strbuf_addch(o->sb, c);
	o->first = 0;
}

static void key(struct out *o, const char *k)
{
	sep(o);
	if (k)
		o->r |= folio_strbuf_add_json(o->sb, k) || folio_strbuf_addch(o->sb, ':');
}

static void str(struct out *o, const char *k, const char *v)
{
	key(o, k);
	o->r |= v ? folio_strbuf_add_json(o->sb, v) : folio_strbuf_adds(o->sb, "null");
}

/* A stored string only when it is set (the arrays in "fields"). */
static void str_if(struct out *o, const char *k, const char *v)
{
	if (v)
		str(o, k, v);
}

/*
 * A decimal string as a JSON number: sign, digits, optional fraction.
 * "+7" is 7, "007.50" is 7.50, ".5" is 0.5, "5." is 5; anything else null.
 */
static void num(struct out *o, const char *k, const char *v)
{
	const char *p = v, *int_s, *frac_s = NULL;
	size_t int_n = 0, frac_n = 0;
	int neg = 0;

	key(o, k);
	if (!v)
		goto null;
	while (*p == ' ')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	int_s = p;
	while (isdigit((unsigned char)*p))
		p++, int_n++;
	if (*p == '.') {
		frac_s = ++p;
		while (isdigit((unsigned char)*p))
			p++, frac_n++;
	}
	while (*p == ' ')
		p++;
	if (*p || (!int_n && !frac_n))
		goto null;
	while (int_n > 1 && *int_s == '0')
		int_s++, int_n--;
	if (neg)
		o->r |= folio_strbuf_addch(o->sb, '-');
	if (int_n)
		o->r |= folio_strbuf_add(o->sb, int_s, int_n);
	else
		o->r |= folio_strbuf_addch(o->sb, '0');
	if (frac_n)
		o->r |= folio_strbuf_addch(o->sb, '.') || folio_strbuf_add(o->sb, frac_s, frac_n);
	return;
null:
	o->r |= folio_strbuf_adds(o->sb, "null");
}

static void party(struct out *o, const char *k, const struct folio_inv_party *p)
{
	obj_open(o, k, '{');
	str(o, "name", p->name);
	str(o, "tax_id", p->tax_id);
	str(o, "country", p->country);
	str(o, "address", p->address);
	obj_close(o, '}');
}

/* The stored arrays as JSON arrays of string-valued objects. */
static void field_array(struct out *o, const struct folio_invoice *inv, const char *name)
{
	size_t i;

	obj_open(o, "value", '[');
	if (!strcmp(name, "vat_breakdown")) {
		for (i = 0; i < inv->nrates; i++) {
			const struct folio_inv_rate *e = &inv->rates[i];

			obj_open(o, NULL, '{');
			str_if(o, "rate", e->rate);
			str_if(o, "category", e->category);
			str_if(o, "exemption_reason", e->exemption_reason);
			str_if(o, "exemption_code", e->exemption_code);
			str_if(o, "net", e->net);
			str_if(o, "vat", e->vat);
			obj_close(o, '}');
		}
	} else if (!strcmp(name, "lines")) {
		for (i = 0; i < inv->nlines; i++) {
			const struct folio_inv_line *e = &inv->lines[i];

			obj_open(o, NULL, '{');
			str_if(o, "description", e->description);
			str_if(o, "quantity", e->quantity);
			str_if(o, "unit", e->unit);
			str_if(o, "unit_price", e->unit_price);
			str_if(o, "net", e->net);
			str_if(o, "vat_rate", e->vat_rate);
			str_if(o, "category", e->category);
			obj_close(o, '}');
		}
	} else {
		for (i = 0; i < inv->ncharges; i++) {
			const struct folio_inv_charge *e = &inv->charges[i];

			obj_open(o, NULL, '{');
			str(o, "kind", e->charge ? "charge" : "allowance");
			str_if(o, "amount", e->amount);
			str_if(o, "reason", e->reason);
			str_if(o, "reason_code", e->reason_code);
			str_if(o, "rate", e->rate);
			str_if(o, "category", e->category);
			obj_close(o, '}');
		}
	}
	obj_close(o, ']');
}

static int is_array_field(const char *name)
{
	return !strcmp(name, "vat_breakdown") || !strcmp(name, "lines") ||
	       !strcmp(name, "charges");
}

static void fields(struct out *o, const struct folio_invoice *inv)
{
	const struct folio_field *f;
	size_t i;

	obj_open(o, "fields", '{');
	for (i = 0; i < inv->nfields; i++) {
		f = &inv->fields[i];
		obj_open(o, f->name, '{');
		if (is_array_field(f->name) && f->value && *f->value)
			field_array(o, inv, f->name);
		else
			str(o, "value", f->value);
		if (f->raw && !is_array_field(f->name))
			str(o, "raw", f->raw);
		str(o, "source", folio_source_name(f->source));
		key(o, "confidence");
		o->r |= folio_strbuf_addf(o->sb, "%.4g",
					  isfinite(f->confidence) ? (double)f->confidence : 0.0);
		key(o, "page");
		o->r |= folio_strbuf_addf(o->sb, "%d", f->page);
		if (f->bbox[2] || f->bbox[3]) {
			key(o, "bbox");
			o->r |= folio_strbuf_addf(o->sb, "[%d,%d,%d,%d]", f->bbox[0], f->bbox[1],
						  f->bbox[2], f->bbox[3]);
		}
		obj_close(o, '}');
	}
	obj_close(o, '}');
}

static void invoice(struct out *o, const struct folio_invoice *inv)
{
	size_t i;

	obj_open(o, "invoice", '{');
	str(o, "number", inv->number);
	str(o, "issue_date", inv->issue_date);
	str(o, "supply_date", inv->supply_date);
	str(o, "due_date", inv->due_date);
	str(o, "currency", inv->currency);
	party(o, "seller", &inv->seller);
	party(o, "buyer", &inv->buyer);
	str(o, "iban", inv->iban);
	str(o, "order_reference", inv->order_reference);
	str(o, "buyer_reference", inv->buyer_reference);
	str(o, "payment_reference", inv->payment_reference);
	num(o, "net_total", inv->net_total);
	num(o, "vat_total", inv->vat_total);
	num(o, "gross_total", inv->gross_total);
	num(o, "amount_due", inv->amount_due);
	num(o, "prepaid_amount", inv->prepaid_amount);
	num(o, "rounding_amount", inv->rounding_amount);
	obj_open(o, "rates", '[');
	for (i = 0; i < inv->nrates; i++) {
		const struct folio_inv_rate *e = &inv->rates[i];

		obj_open(o, NULL, '{');
		num(o, "rate", e->rate);
		str(o, "category", e->category);
		str(o, "exemption_reason", e->exemption_reason);
		str(o, "exemption_code", e->exemption_code);
		num(o, "net", e->net);
		num(o, "vat", e->vat);
		obj_close(o, '}');
	}
	obj_close(o, ']');
	obj_open(o, "lines", '[');
	for (i = 0; i < inv->nlines; i++) {
		const struct folio_inv_line *e = &inv->lines[i];

		obj_open(o, NULL, '{');
		str(o, "description", e->description);
		num(o, "quantity", e->quantity);
		str(o, "unit", e->unit);
		num(o, "unit_price", e->unit_price);
		num(o, "net", e->net);
		num(o, "vat_rate", e->vat_rate);
		str(o, "category", e->category);
		obj_close(o, '}');
	}
	obj_close(o, ']');
	obj_open(o, "charges", '[');
	for (i = 0; i < inv->ncharges; i++) {
		const struct folio_inv_charge *e = &inv->charges[i];

		obj_open(o, NULL, '{');
		key(o, "charge");
		o->r |= folio_strbuf_adds(o->sb, e->charge ? "true" : "false");
		num(o, "amount", e->amount);
		str(o, "reason", e->reason);
		str(o, "reason_code", e->reason_code);
		num(o, "rate", e->rate);
		str(o, "category", e->category);
		obj_close(o, '}');
	}
	obj_close(o, ']');
	obj_close(o, '}');
}

static int jsonl_write(struct folio_export *x, const struct folio_invoice *inv,
		       struct folio_strbuf *out, struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct out o = { &sb, 1, 0 };
	size_t i;

	(void)x;
	obj_open(&o, NULL, '{');
	key(&o, "id");
	o.r |= folio_strbuf_addf(&sb, "%lld", inv->doc_id);
	str(&o, "sha256", inv->sha256 && *inv->sha256 ? inv->sha256 : NULL);
	str(&o, "doc_type", inv->doc_type);
	str(&o, "title", inv->title);
	str(&o, "added_at", inv->added_at);
	str(&o, "vendor", inv->vendor);
	obj_open(&o, "tags", '[');
	for (i = 0; i < inv->ntags; i++)
		str(&o, NULL, inv->tags[i]);
	obj_close(&o, ']');
	key(&o, "needs_review");
	o.r |= folio_strbuf_adds(&sb, inv->needs_review ? "true" : "false");
	str(&o, "review", inv->review);
	fields(&o, inv);
	invoice(&o, inv);
	obj_close(&o, '}');
	o.r |= folio_strbuf_addch(&sb, '\n');
	if (o.r || folio_strbuf_add(out, sb.buf, sb.len)) {
		folio_strbuf_release(&sb);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	folio_strbuf_release(&sb);
	return FOLIO_OK;
}

const struct folio_export_module folio_export_jsonl = {
	.name = "jsonl",
	.ext = "jsonl",
	.summary = "JSON Lines: every field with its source and confidence, amounts as numbers",
	.file_per_invoice = 0,
	.keys = keys,
	.begin = NULL,
	.write = jsonl_write,
	.end = NULL,
	.release = NULL,
};
