/*
 * rows.c - what every storage backend writes the same way for a document:
 * its pages' words, its fields as searchable text, its OCR confidence.
 * See rows.h.
 */
#include "rows.h"

/* Serialise a page's words as 'x y w h conf line text' lines. */
int folio_store_words_blob(const struct folio_page *pg, struct folio_strbuf *sb)
{
	size_t i;

	folio_strbuf_reset(sb);
	/* words without boxes (plain text, XML) add nothing to the page text:
	 * storing them would only multiply the database by eight */
	for (i = 0; i < pg->nwords; i++)
		if (pg->words[i].w || pg->words[i].h)
			break;
	if (i == pg->nwords)
		return folio_strbuf_grow(sb, 0);
	for (i = 0; i < pg->nwords; i++) {
		const struct folio_word *w = &pg->words[i];

		if (folio_strbuf_addf(sb, "%d %d %d %d %.3f %d %s\n", w->x, w->y, w->w, w->h,
				      (double)w->conf, w->line, w->text))
			return -1;
	}
	return folio_strbuf_grow(sb, 0);
}

/* What search finds besides the text: field values (not the JSON of
 * tables, whose words are in the text anyway) and barcode payloads. */
int folio_store_field_text(const struct folio_doc *doc, struct folio_strbuf *sb)
{
	size_t i, k;

	folio_strbuf_reset(sb);
	for (i = 0; i < doc->nfields; i++) {
		const char *v = doc->fields[i].value;

		if (*v == '[' || *v == '{')
			continue;
		if (folio_strbuf_adds(sb, v) || folio_strbuf_addch(sb, '\n'))
			return -1;
	}
	for (i = 0; i < doc->npages; i++)
		for (k = 0; k < doc->pages[i].ncodes; k++)
			if (folio_strbuf_adds(sb, doc->pages[i].codes[k].data) ||
			    folio_strbuf_addch(sb, '\n'))
				return -1;
	return folio_strbuf_grow(sb, 0);
}

double folio_store_mean_conf(const struct folio_doc *doc)
{
	double sum = 0;
	size_t i, n = 0;

	for (i = 0; i < doc->npages; i++) {
		if (doc->pages[i].source != FOLIO_SRC_OCR || doc->pages[i].blank)
			continue;
		sum += doc->pages[i].conf;
		n++;
	}
	return n ? sum / (double)n : -1;
}
