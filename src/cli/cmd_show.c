/* cmd_show.c - folio show [--json] ID: metadata, pages, fields, text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"

/* Amounts are JSON numbers and tables JSON arrays (REFERENCE.md 1). */
static void field_value_json(struct folio_json *j, const struct folio_field *f)
{
	const char *kind = NULL, *v = f->value;
	size_t n = strlen(v), i = 0;

	folio_field_known(f->name, &kind);
	if (kind && !strcmp(kind, "json") && n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		folio_json_raw(j, "value", v);
		return;
	}
	if (kind && !strcmp(kind, "amount")) {
		int digits = 0, dot = 0;

		if (v[i] == '-')
			i++;
		for (; i < n; i++) {
			if (v[i] >= '0' && v[i] <= '9')
				digits++;
			else if (v[i] == '.' && !dot && digits)
				dot = 1;
			else
				break;
		}
		if (i == n && digits && v[n - 1] != '.' &&
		    !(v[v[0] == '-'] == '0' && v[(v[0] == '-') + 1] >= '0' &&
		      v[(v[0] == '-') + 1] <= '9')) {
			folio_json_raw(j, "value", v);
			return;
		}
	}
	folio_json_str(j, "value", v);
}

static void box(struct folio_json *j, const char *key, int x, int y, int w, int h)
{
	folio_json_open(j, key, '[');
	folio_json_int(j, NULL, x);
	folio_json_int(j, NULL, y);
	folio_json_int(j, NULL, w);
	folio_json_int(j, NULL, h);
	folio_json_close(j, ']');
}

/* The documents a document is linked to: the one it was cut from (an
 * e-mail message it was attached to; 0 for a scanned batch, which is no
 * document) and the ones cut from it (a message's attachments). */
struct links {
	long long from;
	long long *parts;
	size_t nparts, cap;
	/* an SDI notice's invoice; an invoice's SDI notices */
	long long sdi_invoice;
	long long *notices;
	size_t nnotices, ncap;
	int nomem;
};

static int push(long long **a, size_t *n, size_t *cap, long long id)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		long long *p = realloc(*a, c * sizeof(*p));

		if (!p)
			return -1;
		*a = p;
		*cap = c;
	}
	(*a)[(*n)++] = id;
	return 0;
}

static int collect_part(void *ctx, const struct folio_hit *h)
{
	struct links *l = ctx;

	if (push(&l->parts, &l->nparts, &l->cap, h->id))
		l->nomem = 1;
	return l->nomem;
}

static int collect_notice(void *ctx, long long id)
{
	struct links *l = ctx;

	if (push(&l->notices, &l->nnotices, &l->ncap, id))
		l->nomem = 1;
	return l->nomem;
}

/* An SDI notice names its invoice; any other document its notices. */
static int find_sdi(struct folio_archive *arc, const struct folio_doc *d, struct links *l,
		    struct folio_err *err)
{
	if (folio_doc_field(d, "sdi_notice")) {
		l->sdi_invoice = folio_archive_sdi_invoice_of(arc, d, err);
		return l->sdi_invoice < 0 ? -1 : 0;
	}
	return folio_archive_sdi_notices(arc, d->id, d->name, collect_notice, l, err) != FOLIO_OK ?
		       -1 :
		       0;
}

static int find_links(struct folio_archive *arc, const struct folio_doc *d, struct links *l,
		      struct folio_err *err)
{
	char q[48];
	struct folio_search_opts o = { .query = q, .limit = 1000000, .sort = FOLIO_SORT_DATE };
	long long n = 0;

	memset(l, 0, sizeof(*l));
	if (d->source_sha256[0] && (n = folio_archive_find_sha(arc, d->source_sha256, err)) > 0)
		l->from = n;
	if (n < 0)
		return -1;
	snprintf(q, sizeof(q), "in:%lld", d->id);
	if (folio_archive_search(arc, &o, collect_part, l, err) != FOLIO_OK ||
	    find_sdi(arc, d, l, err))
		return -1;
	/* oldest first: the order they were attached in */
	for (n = 0; (size_t)n < l->nparts / 2; n++) {
		long long t = l->parts[n];

		l->parts[n] = l->parts[l->nparts - 1 - (size_t)n];
		l->parts[l->nparts - 1 - (size_t)n] = t;
	}
	if (l->nomem)
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return l->nomem ? -1 : 0;
}

static void show_json(const struct folio_doc *d, const struct links *l, const struct folio_hold *h,
		      struct folio_strbuf *sb)
{
	struct folio_json j;
	size_t i, k;

	folio_json_init(&j, sb);
	folio_json_open(&j, NULL, '{');
	folio_json_int(&j, "id", d->id);
	folio_json_str(&j, "sha256", d->sha256);
	folio_json_path(&j, "path", d->path);
	folio_json_str(&j, "title", d->title);
	folio_json_str(&j, "mime", d->mime);
	folio_json_int(&j, "size", (long long)d->size);
	folio_json_int(&j, "pages", (long long)d->npages);
	folio_json_str(&j, "doc_type", d->doc_type);
	folio_json_real(&j, "type_confidence", (double)d->type_conf, 3);
	folio_json_str(&j, "type_reason", d->type_reason);
	folio_json_str(&j, "status", d->status);
	folio_json_str(&j, "added_at", d->added_at);
	if (d->dup_of)
		folio_json_int(&j, "possible_duplicate_of", d->dup_of);
	else
		folio_json_null(&j, "possible_duplicate_of");
	folio_json_str(&j, "source_sha256", d->source_sha256[0] ? d->source_sha256 : NULL);
	if (l->from)
		folio_json_int(&j, "attached_to", l->from);
	else
		folio_json_null(&j, "attached_to");
	folio_json_open(&j, "attachments", '[');
	for (i = 0; i < l->nparts; i++)
		folio_json_int(&j, NULL, l->parts[i]);
	folio_json_close(&j, ']');
	if (l->sdi_invoice)
		folio_json_int(&j, "sdi_invoice", l->sdi_invoice);
	else
		folio_json_null(&j, "sdi_invoice");
	folio_json_open(&j, "sdi_notices", '[');
	for (i = 0; i < l->nnotices; i++)
		folio_json_int(&j, NULL, l->notices[i]);
	folio_json_close(&j, ']');
	folio_json_bool(&j, "held", h->held);
	if (h->held) {
		folio_json_open(&j, "hold", '{');
		folio_json_str(&j, "at", h->at);
		folio_json_str(&j, "detail", h->detail);
		folio_json_close(&j, '}');
	} else {
		folio_json_null(&j, "hold");
	}
	folio_json_bool(&j, "needs_review", d->needs_review);
	folio_json_str(&j, "review", d->review);
	folio_json_str(&j, "notes", d->notes);
	folio_json_open(&j, "tags", '[');
	for (i = 0; i < d->ntags; i++)
		folio_json_str(&j, NULL, d->tags[i]);
	folio_json_close(&j, ']');
	folio_json_open(&j, "fields", '{');
	for (i = 0; i < d->nfields; i++) {
		const struct folio_field *f = &d->fields[i];

		folio_json_open(&j, f->name, '{');
		field_value_json(&j, f);
		folio_json_real(&j, "confidence", (double)f->confidence, 3);
		folio_json_str(&j, "source", folio_source_name(f->source));
		if (f->page)
			folio_json_int(&j, "page", f->page);
		else
			folio_json_null(&j, "page");
		if (f->bbox[2] || f->bbox[3])
			box(&j, "bbox", f->bbox[0], f->bbox[1], f->bbox[2], f->bbox[3]);
		else
			folio_json_null(&j, "bbox");
		folio_json_str_if(&j, "raw", f->raw);
		folio_json_close(&j, '}');
	}
	folio_json_close(&j, '}');
	folio_json_open(&j, "page_info", '[');
	for (i = 0; i < d->npages; i++) {
		const struct folio_page *p = &d->pages[i];

		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "number", p->number);
		folio_json_str(&j, "source", folio_source_name(p->source));
		folio_json_int(&j, "width", p->width);
		folio_json_int(&j, "height", p->height);
		folio_json_int(&j, "dpi", p->dpi);
		folio_json_real(&j, "confidence", (double)p->conf, 3);
		folio_json_int(&j, "rotation", p->rotation);
		folio_json_real(&j, "skew", (double)p->skew, 2);
		folio_json_bool(&j, "blank", p->blank);
		folio_json_int(&j, "words", (long long)p->nwords);
		folio_json_close(&j, '}');
	}
	folio_json_close(&j, ']');
	folio_json_open(&j, "codes", '[');
	for (i = 0; i < d->npages; i++)
		for (k = 0; k < d->pages[i].ncodes; k++) {
			const struct folio_code *c = &d->pages[i].codes[k];

			folio_json_open(&j, NULL, '{');
			folio_json_int(&j, "page", d->pages[i].number);
			folio_json_str(&j, "type", c->type);
			folio_json_str(&j, "data", c->data);
			box(&j, "bbox", c->x, c->y, c->w, c->h);
			folio_json_close(&j, '}');
		}
	folio_json_close(&j, ']');
	folio_json_str(&j, "text", d->text.buf ? d->text.buf : "");
	folio_json_close(&j, '}');
	folio_strbuf_addch(sb, '\n');
}

static void show_text(const struct folio_doc *d, const struct links *l, const struct folio_hold *h,
		      struct folio_strbuf *sb)
{
	size_t i;

	folio_strbuf_addf(sb, "id:        %lld\n", d->id);
	folio_strbuf_addf(sb, "title:     %s\n", d->title ? d->title : "");
	folio_strbuf_addf(sb, "type:      %s (%.2f, %s)\n", d->doc_type ? d->doc_type : "other",
			  (double)d->type_conf, d->type_reason ? d->type_reason : "");
	folio_strbuf_addf(sb, "status:    %s\n", d->status ? d->status : "");
	if (h->held) {
		folio_strbuf_addf(sb, "hold:      on legal hold since %s: ", h->at);
		folio_strbuf_add_escaped(sb, h->detail);
		folio_strbuf_addch(sb, '\n');
	}
	if (d->review)
		folio_strbuf_addf(sb, "review:    %s\n", d->review);
	if (d->notes)
		folio_strbuf_addf(sb, "sources:   %s\n", d->notes);
	if (d->dup_of)
		folio_strbuf_addf(sb, "duplicate: possibly the same paper as document %lld\n",
				  d->dup_of);
	folio_strbuf_adds(sb, "source:    ");
	folio_strbuf_add_quoted(sb, d->path);
	folio_strbuf_addch(sb, '\n');
	folio_strbuf_addf(sb, "format:    %s, %zu bytes, %zu page%s\n", d->mime ? d->mime : "",
			  d->size, d->npages, d->npages == 1 ? "" : "s");
	folio_strbuf_addf(sb, "sha256:    %s\n", d->sha256);
	if (l->from)
		folio_strbuf_addf(sb, "attached:  to document %lld (folio show %lld)\n", l->from,
				  l->from);
	else if (d->source_sha256[0])
		folio_strbuf_addf(sb,
				  "cut from:  %s (the scanned batch; folio cat --source %lld)\n",
				  d->source_sha256, d->id);
	if (l->nparts) {
		folio_strbuf_adds(sb, "attachments:");
		for (i = 0; i < l->nparts; i++)
			folio_strbuf_addf(sb, " %lld", l->parts[i]);
		folio_strbuf_addch(sb, '\n');
	}
	if (l->sdi_invoice)
		folio_strbuf_addf(sb, "sdi notice: about document %lld (folio show %lld)\n",
				  l->sdi_invoice, l->sdi_invoice);
	if (l->nnotices) {
		folio_strbuf_adds(sb, "sdi notices:");
		for (i = 0; i < l->nnotices; i++)
			folio_strbuf_addf(sb, " %lld", l->notices[i]);
		folio_strbuf_addch(sb, '\n');
	}
	folio_strbuf_addf(sb, "added:     %s\n", d->added_at ? d->added_at : "");
	folio_strbuf_adds(sb, "tags:     ");
	for (i = 0; i < d->ntags; i++)
		folio_strbuf_addf(sb, " %s", d->tags[i]);
	folio_strbuf_adds(sb, d->ntags ? "\n" : " (none)\n");
	folio_strbuf_adds(sb, "fields:");
	if (!d->nfields)
		folio_strbuf_adds(sb, "    (none extracted)\n");
	else
		folio_strbuf_addch(sb, '\n');
	for (i = 0; i < d->nfields; i++) {
		const struct folio_field *f = &d->fields[i];

		folio_strbuf_addf(sb, "  %-16s %s  (%s, %.2f", f->name, f->value,
				  folio_source_name(f->source), (double)f->confidence);
		if (f->page)
			folio_strbuf_addf(sb, ", page %d", f->page);
		folio_strbuf_adds(sb, ")\n");
	}
	folio_strbuf_adds(sb, "pages:\n");
	for (i = 0; i < d->npages; i++) {
		const struct folio_page *p = &d->pages[i];

		folio_strbuf_addf(sb, "  %-3d %-4s ", p->number, folio_source_name(p->source));
		if (p->width && p->height)
			folio_strbuf_addf(sb, "%dx%d @%d dpi, ", p->width, p->height, p->dpi);
		folio_strbuf_addf(sb, "%zu words, confidence %.2f", p->nwords, (double)p->conf);
		if (p->skew != 0.0f)
			folio_strbuf_addf(sb, ", deskewed %.2f deg", (double)p->skew);
		if (p->rotation)
			folio_strbuf_addf(sb, ", rotated %d deg", p->rotation);
		if (p->blank)
			folio_strbuf_adds(sb, ", blank");
		folio_strbuf_addch(sb, '\n');
		for (size_t k = 0; k < p->ncodes; k++)
			folio_strbuf_addf(sb, "      %s: %s\n", p->codes[k].type, p->codes[k].data);
	}
}

int cmd_show(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const char *vals[1] = { 0 };
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct folio_archive *arc;
	struct folio_doc *doc;
	struct links links = { 0 };
	struct folio_hold hold;
	struct folio_err err = { 0 };
	int ret = cli_load_doc(cli, cli_command("show"), argc, argv, specs, vals, &arc, &doc);

	if (ret >= 0)
		return ret;
	if (find_links(arc, doc, &links, &err) ||
	    folio_archive_hold_state(arc, doc->id, &hold, &err) != FOLIO_OK) {
		ret = cli_error(EXIT_FAIL, "%s", err.msg);
		goto out;
	}
	if (vals[0])
		show_json(doc, &links, &hold, &sb);
	else
		show_text(doc, &links, &hold, &sb);
	if (!sb.buf) {
		ret = cli_error(EXIT_FAIL, "out of memory");
	} else {
		fputs(sb.buf, stdout);
		ret = EXIT_OK;
	}
out:
	free(links.parts);
	free(links.notices);
	folio_strbuf_release(&sb);
	folio_doc_free(doc);
	folio_archive_close(arc);
	return ret;
}
