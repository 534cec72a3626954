/*
 * review.c - the review loop's service: closing a document's review by
 * hand (folio review --done), the reasons a person accepted kept out of
 * later rechecks, and the `folio fix` command that answers each reason.
 * No extraction runs here (the lean front links it).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/archive.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"

#define ACCEPTED "review_accepted"

/* The part of a reason that names the problem, without the figures that
 * vary from one check to the next: "gross total unsure (0.55)" and
 * "totals do not reconcile: net + VAT = ..." are the same problem with
 * other numbers. Writes at most n - 1 bytes. */
static void reason_key(const char *r, size_t len, char *key, size_t n)
{
	size_t k = 0;

	while (k < len && k + 1 < n && r[k] != '(' && r[k] != ':')
		k++;
	while (k && r[k - 1] == ' ')
		k--;
	memcpy(key, r, k);
	key[k] = '\0';
}

/* `key` is among the "; "-separated reasons of `list`. */
static int listed(const char *list, const char *key)
{
	const char *p = list;
	char k[160];

	while (p && *p) {
		const char *e = strstr(p, "; ");
		size_t n = e ? (size_t)(e - p) : strlen(p);

		reason_key(p, n, k, sizeof(k));
		if (!strcmp(k, key))
			return 1;
		p = e ? e + 2 : NULL;
	}
	return 0;
}

int folio_review_apply_accepted(struct folio_doc *doc)
{
	const struct folio_field *acc = folio_doc_field(doc, ACCEPTED);
	struct folio_strbuf left = FOLIO_STRBUF_INIT;
	const char *p = doc->review;
	char key[160];

	if (!acc || !doc->review)
		return 0;
	while (p && *p) {
		const char *e = strstr(p, "; ");
		size_t n = e ? (size_t)(e - p) : strlen(p);

		reason_key(p, n, key, sizeof(key));
		if (!listed(acc->value, key) && ((left.len && folio_strbuf_adds(&left, "; ")) ||
						 folio_strbuf_add(&left, p, n))) {
			folio_strbuf_release(&left);
			return -1;
		}
		p = e ? e + 2 : NULL;
	}
	free(doc->review);
	doc->review = left.len ? left.buf : NULL;
	if (!left.len) {
		folio_strbuf_release(&left);
		doc->needs_review = 0;
	}
	return 0;
}

int folio_review_accept(struct folio_archive *arc, long long id, const char *who, const char *note,
			struct folio_doc **out, struct folio_err *err)
{
	struct folio_strbuf detail = FOLIO_STRBUF_INIT, acc = FOLIO_STRBUF_INIT;
	const struct folio_field *old;
	struct folio_doc *doc = NULL;
	int ret;

	if (out)
		*out = NULL;
	if ((ret = folio_archive_get(arc, id, &doc, err)) != FOLIO_OK)
		return ret;
	if (!doc->needs_review && !doc->review && !doc->dup_of) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				    "document %lld needs no review", id);
		goto out;
	}
	folio_strbuf_adds(&detail, "accepted");
	if (doc->review) {
		folio_strbuf_addf(&detail, ": %s", doc->review);
		/* kept, so that a later folio fix does not raise them again */
		old = folio_doc_field(doc, ACCEPTED);
		if (old && *old->value)
			folio_strbuf_addf(&acc, "%s; ", old->value);
		folio_strbuf_adds(&acc, doc->review);
		if (!acc.buf || folio_doc_set_field(doc, ACCEPTED, acc.buf, NULL, 1.0f,
						    FOLIO_SRC_USER, 0, NULL)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
			goto out;
		}
	}
	if (doc->dup_of)
		folio_strbuf_addf(&detail, "%snot a duplicate of document %lld",
				  doc->review ? "; " : ": ", doc->dup_of);
	if (note && *note)
		folio_strbuf_addf(&detail, "; note: %s", note);
	folio_strbuf_addf(&detail, " (by %s)", who ? who : "unknown");
	if (!detail.buf) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		goto out;
	}
	free(doc->review);
	doc->review = NULL;
	doc->needs_review = 0;
	doc->dup_of = 0;
	if ((ret = folio_archive_update_fields(arc, doc, detail.buf, err)) != FOLIO_OK)
		goto out;
	if (folio_doc_set_str(&doc->status, "archived")) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		goto out;
	}
	if (out) {
		*out = doc;
		doc = NULL;
	}
out:
	folio_doc_free(doc);
	folio_strbuf_release(&detail);
	folio_strbuf_release(&acc);
	return ret;
}

/* ---- the fix for a reason ----------------------------------------------- */

/* Field names as the reasons print them (extract.c's pretty names). */
/* clang-format off */
static const struct {
	const char *printed, *field;
} printed_names[] = {
	{ "invoice number", "invoice_number" }, { "issue date", "issue_date" },
	{ "seller tax ID", "seller_tax_id" },   { "buyer tax ID", "buyer_tax_id" },
	{ "gross total", "gross_total" },       { "IBAN", "iban" },
};
/* clang-format on */

/* The field a reason's words name ("no seller tax ID", "issue date
 * unsure (0.41)", "seller tax ID PL123 fails its check digits"), or NULL. */
static const char *reason_field(const char *r, size_t n)
{
	size_t i, k;

	if (n > 3 && !strncmp(r, "no ", 3)) {
		r += 3;
		n -= 3;
	}
	for (i = 0; i < sizeof(printed_names) / sizeof(printed_names[0]); i++) {
		k = strlen(printed_names[i].printed);
		if (n >= k && !strncmp(r, printed_names[i].printed, k) && (n == k || r[k] == ' '))
			return printed_names[i].field;
	}
	return NULL;
}

/* VALUE for a shell: as it is when plain, else in single quotes. */
static void shell_word(struct folio_strbuf *sb, const char *v)
{
	const char *p;

	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-/:+,@%", *p))
			break;
	if (!*p && *v) {
		folio_strbuf_adds(sb, v);
		return;
	}
	folio_strbuf_addch(sb, '\'');
	for (p = v; *p; p++) {
		if (*p == '\'')
			folio_strbuf_adds(sb, "'\\''");
		else
			folio_strbuf_addch(sb, *p);
	}
	folio_strbuf_addch(sb, '\'');
}

static void fix_arg(struct folio_strbuf *sb, const struct folio_doc *doc, const char *field,
		    const char *placeholder)
{
	const struct folio_field *f = folio_doc_field(doc, field);

	folio_strbuf_addf(sb, " %s=", field);
	if (f && f->value && *f->value)
		shell_word(sb, f->value);
	else
		folio_strbuf_adds(sb, placeholder);
}

int folio_review_advice(const struct folio_doc *doc, const char *reason, size_t len,
			struct folio_strbuf *out)
{
	const char *field = reason_field(reason, len);
	int missing = len > 3 && !strncmp(reason, "no ", 3);

	if (len >= 23 && !strncmp(reason, "totals do not reconcile", 23)) {
		folio_strbuf_addf(out, "folio fix %lld", doc->id);
		fix_arg(out, doc, "net_total", "NET");
		fix_arg(out, doc, "vat_total", "VAT");
		fix_arg(out, doc, "gross_total", "GROSS");
		return 0;
	}
	if (!field) {
		folio_strbuf_addf(out, "folio review --done %lld", doc->id);
		return 1;
	}
	folio_strbuf_addf(out, "folio fix %lld", doc->id);
	if (missing) {
		folio_strbuf_addf(out, " %s=%s", field,
				  !strcmp(field, "issue_date")	? "YYYY-MM-DD" :
				  strstr(field, "tax_id")	? "CC123456789" :
				  !strcmp(field, "gross_total") ? "0.00" :
								  "VALUE");
		return 0;
	}
	/* unsure, or failing its check: the value as read, to confirm or edit */
	fix_arg(out, doc, field, "VALUE");
	return 0;
}
