/* cmd_show.c - folio show [--json] ID: metadata, pages, fields, text. */
#include <string.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/extract.h"
#include "folio/strbuf.h"

static void json_str_or_null(struct folio_strbuf *sb, const char *s)
{
	if (s)
		folio_strbuf_add_json(sb, s);
	else
		folio_strbuf_adds(sb, "null");
}

/* Amounts are JSON numbers and tables JSON arrays (REFERENCE.md 1). */
static void field_value_json(struct folio_strbuf *sb, const struct folio_field *f)
{
	const char *kind = NULL, *v = f->value;
	size_t n = strlen(v), i = 0;

	folio_field_known(f->name, &kind);
	if (kind && !strcmp(kind, "json") && n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		folio_strbuf_adds(sb, v);
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
		if (i == n && digits && v[n - 1] != '.' && !(v[v[0] == '-'] == '0' &&
							     v[(v[0] == '-') + 1] >= '0' &&
							     v[(v[0] == '-') + 1] <= '9')) {
			folio_strbuf_adds(sb, v);
			return;
		}
	}
	folio_strbuf_add_json(sb, v);
}

static void show_json(const struct folio_doc *d, struct folio_strbuf *sb)
{
	size_t i;

	folio_strbuf_addf(sb, "{\"id\":%lld,\"sha256\":\"%s\",\"path\":", d->id, d->sha256);
	folio_strbuf_add_json(sb, d->path);
	folio_strbuf_add_json_bytes(sb, "path_bytes", d->path);
	folio_strbuf_adds(sb, ",\"title\":");
	json_str_or_null(sb, d->title);
	folio_strbuf_adds(sb, ",\"mime\":");
	json_str_or_null(sb, d->mime);
	folio_strbuf_addf(sb, ",\"size\":%zu,\"pages\":%zu,\"doc_type\":", d->size, d->npages);
	json_str_or_null(sb, d->doc_type);
	folio_strbuf_addf(sb, ",\"type_confidence\":%.3f,\"type_reason\":",
			  (double)d->type_conf);
	json_str_or_null(sb, d->type_reason);
	folio_strbuf_adds(sb, ",\"status\":");
	json_str_or_null(sb, d->status);
	folio_strbuf_adds(sb, ",\"added_at\":");
	json_str_or_null(sb, d->added_at);
	if (d->dup_of)
		folio_strbuf_addf(sb, ",\"possible_duplicate_of\":%lld", d->dup_of);
	else
		folio_strbuf_adds(sb, ",\"possible_duplicate_of\":null");
	if (d->source_sha256[0])
		folio_strbuf_addf(sb, ",\"source_sha256\":\"%s\"", d->source_sha256);
	else
		folio_strbuf_adds(sb, ",\"source_sha256\":null");
	folio_strbuf_addf(sb, ",\"needs_review\":%s,\"review\":",
			  d->needs_review ? "true" : "false");
	json_str_or_null(sb, d->review);
	folio_strbuf_adds(sb, ",\"notes\":");
	json_str_or_null(sb, d->notes);
	folio_strbuf_adds(sb, ",\"tags\":[");
	for (i = 0; i < d->ntags; i++) {
		if (i)
			folio_strbuf_addch(sb, ',');
		folio_strbuf_add_json(sb, d->tags[i]);
	}
	folio_strbuf_adds(sb, "],\"fields\":{");
	for (i = 0; i < d->nfields; i++) {
		const struct folio_field *f = &d->fields[i];

		if (i)
			folio_strbuf_addch(sb, ',');
		folio_strbuf_add_json(sb, f->name);
		folio_strbuf_adds(sb, ":{\"value\":");
		field_value_json(sb, f);
		folio_strbuf_addf(sb, ",\"confidence\":%.3f,\"source\":\"%s\",\"page\":",
				  (double)f->confidence, folio_source_name(f->source));
		if (f->page)
			folio_strbuf_addf(sb, "%d", f->page);
		else
			folio_strbuf_adds(sb, "null");
		folio_strbuf_adds(sb, ",\"bbox\":");
		if (f->bbox[2] || f->bbox[3])
			folio_strbuf_addf(sb, "[%d,%d,%d,%d]", f->bbox[0], f->bbox[1], f->bbox[2],
					  f->bbox[3]);
		else
			folio_strbuf_adds(sb, "null");
		if (f->raw) {
			folio_strbuf_adds(sb, ",\"raw\":");
			folio_strbuf_add_json(sb, f->raw);
		}
		folio_strbuf_addch(sb, '}');
	}
	folio_strbuf_adds(sb, "},\"page_info\":[");
	for (i = 0; i < d->npages; i++) {
		const struct folio_page *p = &d->pages[i];

		folio_strbuf_addf(sb,
				  "%s{\"number\":%d,\"source\":\"%s\",\"width\":%d,\"height\":%d,"
				  "\"dpi\":%d,\"confidence\":%.3f,\"rotation\":%d,\"skew\":%.2f,"
				  "\"blank\":%s,\"words\":%zu}",
				  i ? "," : "", p->number, folio_source_name(p->source), p->width,
				  p->height, p->dpi, (double)p->conf, p->rotation, (double)p->skew,
				  p->blank ? "true" : "false", p->nwords);
	}
	folio_strbuf_adds(sb, "],\"codes\":[");
	{
		int first = 1;

		for (i = 0; i < d->npages; i++)
			for (size_t k = 0; k < d->pages[i].ncodes; k++) {
				const struct folio_code *c = &d->pages[i].codes[k];

				folio_strbuf_addf(sb, "%s{\"page\":%d,\"type\":", first ? "" : ",",
						  d->pages[i].number);
				folio_strbuf_add_json(sb, c->type);
				folio_strbuf_adds(sb, ",\"data\":");
				folio_strbuf_add_json(sb, c->data);
				folio_strbuf_addf(sb, ",\"bbox\":[%d,%d,%d,%d]}", c->x, c->y, c->w,
						  c->h);
				first = 0;
			}
	}
	folio_strbuf_adds(sb, "],\"text\":");
	folio_strbuf_add_json(sb, d->text.buf ? d->text.buf : "");
	folio_strbuf_adds(sb, "}\n");
}

static void show_text(const struct folio_doc *d, struct folio_strbuf *sb)
{
	size_t i;

	folio_strbuf_addf(sb, "id:        %lld\n", d->id);
	folio_strbuf_addf(sb, "title:     %s\n", d->title ? d->title : "");
	folio_strbuf_addf(sb, "type:      %s (%.2f, %s)\n", d->doc_type ? d->doc_type : "other",
			  (double)d->type_conf, d->type_reason ? d->type_reason : "");
	folio_strbuf_addf(sb, "status:    %s\n", d->status ? d->status : "");
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
	if (d->source_sha256[0])
		folio_strbuf_addf(sb, "cut from:  %s (the scanned batch; folio cat --source %lld)\n",
				  d->source_sha256, d->id);
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
	int ret = cli_load_doc(cli, cli_command("show"), argc, argv, specs, vals, &arc, &doc);

	if (ret >= 0)
		return ret;
	if (vals[0])
		show_json(doc, &sb);
	else
		show_text(doc, &sb);
	if (!sb.buf) {
		ret = cli_error(EXIT_FAIL, "out of memory");
	} else {
		fputs(sb.buf, stdout);
		ret = EXIT_OK;
	}
	folio_strbuf_release(&sb);
	folio_doc_free(doc);
	folio_archive_close(arc);
	return ret;
}
