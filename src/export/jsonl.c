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
 *      "number" (and "invoice_number", the same), "issue_date", "supply_date", "due_date", "currency",
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

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "folio/util.h"

static const char *const keys[] = { NULL };

static void party(struct folio_json *o, const char *k, const struct folio_inv_party *p)
{
	folio_json_open(o, k, '{');
	folio_json_str(o, "name", p->name);
	folio_json_str(o, "tax_id", p->tax_id);
	folio_json_str(o, "country", p->country);
	folio_json_str(o, "address", p->address);
	folio_json_close(o, '}');
}

/* The stored arrays as JSON arrays of string-valued objects. */
static void field_array(struct folio_json *o, const struct folio_invoice *inv, const char *name)
{
	size_t i;

	folio_json_open(o, "value", '[');
	if (!strcmp(name, "vat_breakdown")) {
		for (i = 0; i < inv->nrates; i++) {
			const struct folio_inv_rate *e = &inv->rates[i];

			folio_json_open(o, NULL, '{');
			folio_json_str_if(o, "rate", e->rate);
			folio_json_str_if(o, "category", e->category);
			folio_json_str_if(o, "exemption_reason", e->exemption_reason);
			folio_json_str_if(o, "exemption_code", e->exemption_code);
			folio_json_str_if(o, "net", e->net);
			folio_json_str_if(o, "vat", e->vat);
			folio_json_close(o, '}');
		}
	} else if (!strcmp(name, "lines")) {
		for (i = 0; i < inv->nlines; i++) {
			const struct folio_inv_line *e = &inv->lines[i];

			folio_json_open(o, NULL, '{');
			folio_json_str_if(o, "description", e->description);
			folio_json_str_if(o, "quantity", e->quantity);
			folio_json_str_if(o, "unit", e->unit);
			folio_json_str_if(o, "unit_price", e->unit_price);
			folio_json_str_if(o, "net", e->net);
			folio_json_str_if(o, "vat_rate", e->vat_rate);
			folio_json_str_if(o, "category", e->category);
			folio_json_close(o, '}');
		}
	} else {
		for (i = 0; i < inv->ncharges; i++) {
			const struct folio_inv_charge *e = &inv->charges[i];

			folio_json_open(o, NULL, '{');
			folio_json_str(o, "kind", e->charge ? "charge" : "allowance");
			folio_json_str_if(o, "amount", e->amount);
			folio_json_str_if(o, "reason", e->reason);
			folio_json_str_if(o, "reason_code", e->reason_code);
			folio_json_str_if(o, "rate", e->rate);
			folio_json_str_if(o, "category", e->category);
			folio_json_close(o, '}');
		}
	}
	folio_json_close(o, ']');
}

static int is_array_field(const char *name)
{
	return !strcmp(name, "vat_breakdown") || !strcmp(name, "lines") || !strcmp(name, "charges");
}

static void fields(struct folio_json *o, const struct folio_invoice *inv)
{
	const struct folio_field *f;
	size_t i;
	int k;

	folio_json_open(o, "fields", '{');
	for (i = 0; i < inv->nfields; i++) {
		char conf[32];

		f = &inv->fields[i];
		snprintf(conf, sizeof(conf), "%.4g",
			 isfinite(f->confidence) ? (double)f->confidence : 0.0);
		folio_json_open(o, f->name, '{');
		if (is_array_field(f->name) && f->value && *f->value)
			field_array(o, inv, f->name);
		else
			folio_json_str(o, "value", f->value);
		if (f->raw && !is_array_field(f->name))
			folio_json_str(o, "raw", f->raw);
		folio_json_str(o, "source", folio_source_name(f->source));
		folio_json_raw(o, "confidence", conf);
		folio_json_int(o, "page", f->page);
		if (f->bbox[2] || f->bbox[3]) {
			folio_json_open(o, "bbox", '[');
			for (k = 0; k < 4; k++)
				folio_json_int(o, NULL, f->bbox[k]);
			folio_json_close(o, ']');
		}
		folio_json_close(o, '}');
	}
	folio_json_close(o, '}');
}

static void invoice(struct folio_json *o, const struct folio_invoice *inv)
{
	size_t i;

	folio_json_open(o, "invoice", '{');
	folio_json_str(o, "number", inv->number);
	/* the field's own name, as everywhere else ("number" stays) */
	folio_json_str(o, "invoice_number", inv->number);
	folio_json_str(o, "issue_date", inv->issue_date);
	folio_json_str(o, "supply_date", inv->supply_date);
	folio_json_str(o, "due_date", inv->due_date);
	folio_json_str(o, "currency", inv->currency);
	party(o, "seller", &inv->seller);
	party(o, "buyer", &inv->buyer);
	folio_json_str(o, "iban", inv->iban);
	folio_json_str(o, "order_reference", inv->order_reference);
	folio_json_str(o, "buyer_reference", inv->buyer_reference);
	folio_json_str(o, "payment_reference", inv->payment_reference);
	folio_json_decimal(o, "net_total", inv->net_total);
	folio_json_decimal(o, "vat_total", inv->vat_total);
	folio_json_decimal(o, "gross_total", inv->gross_total);
	folio_json_decimal(o, "amount_due", inv->amount_due);
	folio_json_decimal(o, "prepaid_amount", inv->prepaid_amount);
	folio_json_decimal(o, "rounding_amount", inv->rounding_amount);
	folio_json_open(o, "rates", '[');
	for (i = 0; i < inv->nrates; i++) {
		const struct folio_inv_rate *e = &inv->rates[i];

		folio_json_open(o, NULL, '{');
		folio_json_decimal(o, "rate", e->rate);
		folio_json_str(o, "category", e->category);
		folio_json_str(o, "exemption_reason", e->exemption_reason);
		folio_json_str(o, "exemption_code", e->exemption_code);
		folio_json_decimal(o, "net", e->net);
		folio_json_decimal(o, "vat", e->vat);
		folio_json_close(o, '}');
	}
	folio_json_close(o, ']');
	folio_json_open(o, "lines", '[');
	for (i = 0; i < inv->nlines; i++) {
		const struct folio_inv_line *e = &inv->lines[i];

		folio_json_open(o, NULL, '{');
		folio_json_str(o, "description", e->description);
		folio_json_decimal(o, "quantity", e->quantity);
		folio_json_str(o, "unit", e->unit);
		folio_json_decimal(o, "unit_price", e->unit_price);
		folio_json_decimal(o, "net", e->net);
		folio_json_decimal(o, "vat_rate", e->vat_rate);
		folio_json_str(o, "category", e->category);
		folio_json_close(o, '}');
	}
	folio_json_close(o, ']');
	folio_json_open(o, "charges", '[');
	for (i = 0; i < inv->ncharges; i++) {
		const struct folio_inv_charge *e = &inv->charges[i];

		folio_json_open(o, NULL, '{');
		folio_json_bool(o, "charge", e->charge);
		folio_json_decimal(o, "amount", e->amount);
		folio_json_str(o, "reason", e->reason);
		folio_json_str(o, "reason_code", e->reason_code);
		folio_json_decimal(o, "rate", e->rate);
		folio_json_str(o, "category", e->category);
		folio_json_close(o, '}');
	}
	folio_json_close(o, ']');
	folio_json_close(o, '}');
}

static int jsonl_write(struct folio_export *x, const struct folio_invoice *inv,
		       struct folio_strbuf *out, struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct folio_json o;
	size_t i;

	(void)x;
	folio_json_init(&o, &sb);
	folio_json_open(&o, NULL, '{');
	folio_json_int(&o, "id", inv->doc_id);
	folio_json_str(&o, "sha256", inv->sha256 && *inv->sha256 ? inv->sha256 : NULL);
	folio_json_str(&o, "doc_type", inv->doc_type);
	folio_json_str(&o, "title", inv->title);
	folio_json_str(&o, "added_at", inv->added_at);
	folio_json_str(&o, "vendor", inv->vendor);
	folio_json_open(&o, "tags", '[');
	for (i = 0; i < inv->ntags; i++)
		folio_json_str(&o, NULL, inv->tags[i]);
	folio_json_close(&o, ']');
	folio_json_bool(&o, "needs_review", inv->needs_review);
	folio_json_str(&o, "review", inv->review);
	fields(&o, inv);
	invoice(&o, inv);
	folio_json_close(&o, '}');
	if (o.err || folio_strbuf_addch(&sb, '\n') || folio_strbuf_add(out, sb.buf, sb.len)) {
		folio_strbuf_release(&sb);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	folio_strbuf_release(&sb);
	return FOLIO_OK;
}

/* clang-format off */
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
/* clang-format on */
