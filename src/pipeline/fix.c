/* fix.c - corrections by people: validate, reconcile again, store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "folio/archive.h"
#include "folio/extract.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"

static const char *const doc_types[] = { "invoice", "credit_note",   "proforma", "receipt",
					 "order",   "delivery_note", "contract", "form",
					 "letter",  "other",	     NULL };

/* A value of one of the config's custom_fields: text on one line, trimmed,
 * at most 1000 bytes. */
static int custom_value(const char *name, const char *value, char **out, struct folio_err *err)
{
	size_t n;
	const char *p;

	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(value);
	while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (!n)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "%s: empty value", name);
	if (n > 1000)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "%s: more than 1000 bytes", name);
	for (p = value; p < value + n; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s: a control character in the value", name);
	if (!(*out = strndup(value, n)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	return FOLIO_OK;
}

int folio_note_doc(struct folio_archive *arc, const struct folio_config *cfg, long long id,
		   const char *text, const char *who, struct folio_doc **out, struct folio_err *err)
{
	struct folio_strbuf v = FOLIO_STRBUF_INIT;
	const struct folio_field *old;
	struct folio_doc *doc = NULL;
	struct folio_fix fx;
	char day[16];
	time_t now = time(NULL);
	struct tm tm;
	const char *p;
	int ret;

	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "note: empty text");
	if (strlen(text) > 2000)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "note: more than 2000 bytes");
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "note: a control character in the text (one line"
					     " a note)");
	if ((ret = folio_archive_get(arc, id, &doc, err)) != FOLIO_OK)
		return ret;
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if ((old = folio_doc_field(doc, "note")) && *old->value)
		folio_strbuf_addf(&v, "%s\n", old->value);
	folio_strbuf_addf(&v, "%s (%s, %s)", text, who ? who : "unknown", day);
	folio_doc_free(doc);
	if (!v.buf)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	fx.name = "note";
	fx.value = v.buf;
	ret = folio_fix_doc(arc, cfg, id, &fx, 1, who, out, err);
	folio_strbuf_release(&v);
	return ret;
}

int folio_fix_doc(struct folio_archive *arc, const struct folio_config *cfg, long long id,
		  const struct folio_fix *fx, size_t n, const char *who, struct folio_doc **out,
		  struct folio_err *err)
{
	struct folio_extract_opts xo = { 0 };
	struct folio_extractor *x = NULL;
	struct folio_strbuf detail = FOLIO_STRBUF_INIT;
	struct folio_doc *doc = NULL;
	char **norm;
	size_t i;
	int ret;

	if (out)
		*out = NULL;
	if (!(norm = calloc(n ? n : 1, sizeof(*norm))))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	/* everything is validated before anything is read or written */
	for (i = 0; i < n; i++) {
		if (!strcmp(fx[i].name, "doc_type")) {
			size_t k;

			for (k = 0; doc_types[k] && strcmp(doc_types[k], fx[i].value); k++)
				;
			if (!doc_types[k]) {
				ret = folio_err_set(
					err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					"doc_type: '%s' is not a document type (invoice,"
					" credit_note, proforma, receipt, order,"
					" delivery_note, contract, form, letter, other)",
					fx[i].value);
				goto out;
			}
			if (!(norm[i] = strdup(fx[i].value))) {
				ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12,
						    "out of memory");
				goto out;
			}
			continue;
		}
		if (!folio_field_known(fx[i].name, NULL) &&
		    folio_config_custom_field(cfg, fx[i].name)) {
			if ((ret = custom_value(fx[i].name, fx[i].value, &norm[i], err)) !=
			    FOLIO_OK)
				goto out;
			continue;
		}
		if ((ret = folio_field_normalise(fx[i].name, fx[i].value, &norm[i], err)) !=
		    FOLIO_OK)
			goto out;
	}
	if ((ret = folio_archive_get(arc, id, &doc, err)) != FOLIO_OK)
		goto out;
	for (i = 0; i < n; i++) {
		const struct folio_field *old = folio_doc_field(doc, fx[i].name);

		folio_strbuf_addf(&detail, "%s%s: %s -> %s", i ? "; " : "", fx[i].name,
				  old ? old->value : "(none)", norm[i]);
		if (folio_doc_set_field(doc, fx[i].name, norm[i],
					strcmp(norm[i], fx[i].value) ? fx[i].value : NULL, 1.0f,
					FOLIO_SRC_USER, 0, NULL) ||
		    (!strcmp(fx[i].name, "doc_type") &&
		     folio_doc_set_str(&doc->doc_type, norm[i]))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
			goto out;
		}
	}
	folio_strbuf_addf(&detail, " (by %s)", who ? who : "unknown");
	xo.review_below = (float)cfg->review_confidence / 100.0f;
	if (!(x = folio_extractor_new(&xo, err))) {
		ret = FOLIO_FATAL;
		goto out;
	}
	if ((ret = folio_extract_recheck(x, doc, err)) != FOLIO_OK)
		goto out;
	/* what a person accepted with folio review --done stays accepted */
	if (folio_review_apply_accepted(doc)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		goto out;
	}
	if (!folio_invoice_like(doc->doc_type)) {
		doc->needs_review = 0;
		free(doc->review);
		doc->review = NULL;
	}
	if ((ret = folio_archive_update_fields(arc, doc, detail.buf, err)) != FOLIO_OK)
		goto out;
	/* remember where this vendor prints what the user corrected */
	{
		const struct folio_field *seller = folio_doc_field(doc, "seller_tax_id");

		for (i = 0; seller && i < n; i++) {
			struct folio_template t;

			memset(&t, 0, sizeof(t));
			snprintf(t.seller_tax_id, sizeof(t.seller_tax_id), "%s", seller->value);
			if (!folio_template_learn(doc, fx[i].name, norm[i], &t))
				continue;
			if ((ret = folio_archive_template_put(arc, &t, err)) != FOLIO_OK)
				goto out;
		}
	}
	if (folio_doc_set_str(&doc->status, doc->needs_review ? "needs_review" : "archived")) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		goto out;
	}
	if (out) {
		*out = doc;
		doc = NULL;
	}
out:
	for (i = 0; i < n; i++)
		free(norm[i]);
	free(norm);
	folio_extractor_free(x);
	folio_doc_free(doc);
	folio_strbuf_release(&detail);
	return ret;
}
