/*
 * template.c - per-vendor memory: where a seller prints each field.
 *
 * When a user corrects a field, the corrected value is looked up among the
 * page's words; its box (as fractions of the page, so another resolution
 * of the same layout still matches) becomes the vendor's template for that
 * field. On the vendor's next invoice the words inside the box are read
 * as that field, before the label rules have their say.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"

#define MAX_RUN 8

/* The value of `text` read as field kind `kind`, normalised; 0 if none. */
static int read_as(const char *kind, const char *text, int whole, char *out, size_t n)
{
	const char *s = text;

	while (*s == ' ' || *s == ':')
		s++;
	if (!strcmp(kind, "date")) {
		size_t u = folio_date_parse(s, FOLIO_DMY, out);

		return u && (!whole || !s[u]);
	}
	if (!strcmp(kind, "amount")) {
		struct folio_amount a;
		size_t u = folio_amount_parse(s, 0, &a);

		if (!u ||
		    (whole && s[u] && strcmp(s + u, " ") && !isalpha((unsigned char)s[u + 1])))
			return 0;
		folio_amount_format(&a, out, n);
		return 1;
	}
	if (!strcmp(kind, "taxid"))
		return folio_taxid_check(s, NULL, out, NULL) == 1;
	if (!strcmp(kind, "iban"))
		return folio_iban_check(s, out) == 1;
	if (strlen(s) >= n || !*s)
		return 0;
	snprintf(out, n, "%s", s);
	return 1;
}

static int same(const char *kind, const char *a, const char *b)
{
	if (!strcmp(kind, "text") || !strcmp(kind, "code"))
		return !strcasecmp(a, b);
	if (!strcmp(kind, "taxid")) {
		/* a number printed without its prefix is the same ID */
		size_t la = strlen(a), lb = strlen(b);

		return !strcmp(a, b) || (la > lb && !strcmp(a + la - lb, b)) ||
		       (lb > la && !strcmp(b + lb - la, a));
	}
	return !strcmp(a, b);
}

int folio_template_learn(const struct folio_doc *doc, const char *field, const char *value,
			 struct folio_template *t)
{
	const char *kind;
	size_t p, i, k;

	if (!folio_field_known(field, &kind) || !strcmp(kind, "json"))
		return 0;
	for (p = 0; p < doc->npages; p++) {
		const struct folio_page *pg = &doc->pages[p];

		if (pg->width <= 0 || pg->height <= 0)
			continue;
		for (i = 0; i < pg->nwords; i++) {
			struct folio_strbuf sb = FOLIO_STRBUF_INIT;

			for (k = i; k < pg->nwords && k < i + MAX_RUN &&
				    pg->words[k].line == pg->words[i].line;
			     k++) {
				char got[128];

				if (k > i)
					folio_strbuf_addch(&sb, ' ');
				folio_strbuf_adds(&sb, pg->words[k].text);
				if (!sb.buf || !read_as(kind, sb.buf, 1, got, sizeof(got)) ||
				    !same(kind, got, value))
					continue;
				{
					int x0 = pg->words[i].x, y0 = pg->words[i].y, x1 = x0,
					    y1 = y0;
					size_t j;

					for (j = i; j <= k; j++) {
						const struct folio_word *w = &pg->words[j];

						if (w->x < x0)
							x0 = w->x;
						if (w->y < y0)
							y0 = w->y;
						if (w->x + w->w > x1)
							x1 = w->x + w->w;
						if (w->y + w->h > y1)
							y1 = w->y + w->h;
					}
					if (x1 <= x0 || y1 <= y0)
						continue;
					memset(t->field, 0, sizeof(t->field));
					snprintf(t->field, sizeof(t->field), "%s", field);
					t->page = pg->number;
					t->x = (float)x0 / (float)pg->width;
					t->y = (float)y0 / (float)pg->height;
					t->w = (float)(x1 - x0) / (float)pg->width;
					t->h = (float)(y1 - y0) / (float)pg->height;
					folio_strbuf_release(&sb);
					return 1;
				}
			}
			folio_strbuf_release(&sb);
		}
	}
	return 0;
}

static int cmp_word(const void *a, const void *b)
{
	const struct folio_word *x = *(const struct folio_word *const *)a;
	const struct folio_word *y = *(const struct folio_word *const *)b;

	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return (x->x > y->x) - (x->x < y->x);
}

int folio_template_apply(const struct folio_template *tpl, size_t n, const struct folio_doc *doc,
			 const char *seller_tax_id, struct folio_cands *out)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct folio_template *t = &tpl[i];
		const struct folio_page *pg;
		const struct folio_word **in;
		struct folio_strbuf sb = FOLIO_STRBUF_INIT;
		const char *kind;
		float mx, my, x0, y0, x1, y1;
		size_t nin = 0;
		char got[256];
		int bbox[4];

		if (strcmp(t->seller_tax_id, seller_tax_id) || t->page < 1 ||
		    (size_t)t->page > doc->npages || !folio_field_known(t->field, &kind))
			continue;
		pg = &doc->pages[t->page - 1];
		if (pg->width <= 0 || pg->height <= 0 || !pg->nwords)
			continue;
		/* a little slack: scans shift by a few millimetres */
		mx = 0.01f + t->w * 0.15f;
		my = 0.004f + t->h * 0.5f;
		x0 = (t->x - mx) * (float)pg->width;
		x1 = (t->x + t->w + mx) * (float)pg->width;
		y0 = (t->y - my) * (float)pg->height;
		y1 = (t->y + t->h + my) * (float)pg->height;
		if (!(in = malloc(pg->nwords * sizeof(*in))))
			return -1;
		for (k = 0; k < pg->nwords; k++) {
			const struct folio_word *w = &pg->words[k];
			float cx = (float)w->x + (float)w->w / 2,
			      cy = (float)w->y + (float)w->h / 2;

			if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1)
				in[nin++] = w;
		}
		/* the line nearest the box's middle: a slightly shifted scan must
		 * not read the line above or below */
		if (nin) {
			float cy = (t->y + t->h / 2) * (float)pg->height, best = 1e30f;
			int line = in[0]->line;
			size_t m = 0;

			for (k = 0; k < nin; k++) {
				float d = (float)in[k]->y + (float)in[k]->h / 2 - cy;

				if (d < 0)
					d = -d;
				if (d < best) {
					best = d;
					line = in[k]->line;
				}
			}
			for (k = 0; k < nin; k++)
				if (in[k]->line == line)
					in[m++] = in[k];
			nin = m;
		}
		folio_sort(in, nin, sizeof(*in), cmp_word);
		for (k = 0; k < nin; k++) {
			if (k)
				folio_strbuf_addch(&sb, ' ');
			folio_strbuf_adds(&sb, in[k]->text);
		}
		if (nin && sb.buf && read_as(kind, sb.buf, 0, got, sizeof(got))) {
			int bx0 = in[0]->x, by0 = in[0]->y, bx1 = bx0, by1 = by0;

			for (k = 0; k < nin; k++) {
				if (in[k]->x < bx0)
					bx0 = in[k]->x;
				if (in[k]->y < by0)
					by0 = in[k]->y;
				if (in[k]->x + in[k]->w > bx1)
					bx1 = in[k]->x + in[k]->w;
				if (in[k]->y + in[k]->h > by1)
					by1 = in[k]->y + in[k]->h;
			}
			bbox[0] = bx0;
			bbox[1] = by0;
			bbox[2] = bx1 - bx0;
			bbox[3] = by1 - by0;
			if (folio_cands_add(out, t->field, got, sb.buf, 0.97f,
					    pg->source == FOLIO_SRC_OCR ? FOLIO_SRC_OCR :
									  FOLIO_SRC_TEXT,
					    pg->number, bbox)) {
				free(in);
				folio_strbuf_release(&sb);
				return -1;
			}
		}
		free(in);
		folio_strbuf_release(&sb);
	}
	return 0;
}
