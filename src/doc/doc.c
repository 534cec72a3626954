/* doc.c - document objects; see include/folio/doc.h. */
#include "folio/doc.h"

#include <leptonica/allheaders.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *folio_source_name(enum folio_source src)
{
	switch (src) {
	case FOLIO_SRC_XML: return "xml";
	case FOLIO_SRC_QR: return "qr";
	case FOLIO_SRC_TEXT: return "text";
	case FOLIO_SRC_OCR: return "ocr";
	case FOLIO_SRC_USER: return "user";
	case FOLIO_SRC_NONE: break;
	}
	return "none";
}

/* Grow an array of `size`-byte items so it holds at least n+1 items. */
static int grow(void **arr, size_t *alloc, size_t n, size_t size)
{
	size_t cap;
	void *p;

	if (n < *alloc)
		return 0;
	cap = *alloc ? *alloc * 2 : 8;
	if (cap > SIZE_MAX / size)
		return -1;
	p = realloc(*arr, cap * size);
	if (!p)
		return -1;
	memset((char *)p + *alloc * size, 0, (cap - *alloc) * size);
	*arr = p;
	*alloc = cap;
	return 0;
}

int folio_doc_set_str(char **slot, const char *value)
{
	char *p = NULL;

	if (value && !(p = strdup(value)))
		return -1;
	free(*slot);
	*slot = p;
	return 0;
}

struct folio_doc *folio_doc_new(const char *path, unsigned char *data, size_t size)
{
	struct folio_doc *doc = calloc(1, sizeof(*doc));
	const char *base;

	if (!doc || !(doc->path = strdup(path ? path : ""))) {
		free(doc);
		free(data);
		return NULL;
	}
	doc->data = data;
	doc->size = size;
	base = strrchr(doc->path, '/');
	base = base ? base + 1 : doc->path;
	if (!(doc->name = strdup(base))) {
		folio_doc_free(doc);
		return NULL;
	}
	return doc;
}

/* Weak: the lean front (src/cli/main.c) links no Leptonica and never
 * holds a page image; every binary that decodes links it. */
#pragma weak pixDestroy

void folio_page_drop_image(struct folio_page *pg)
{
	PIX *pix = (PIX *)pg->pix;

	if (pix && pixDestroy)
		pixDestroy(&pix);
	pg->pix = NULL;
}

static void page_release(struct folio_page *pg)
{
	size_t i;

	folio_page_drop_image(pg);
	free(pg->text);
	for (i = 0; i < pg->nwords; i++)
		free(pg->words[i].text);
	free(pg->words);
	for (i = 0; i < pg->ncodes; i++) {
		free(pg->codes[i].type);
		free(pg->codes[i].data);
	}
	free(pg->codes);
}

struct folio_batch_original *folio_batch_original_new(const unsigned char *data, size_t size,
						      const char *sha256)
{
	struct folio_batch_original *b = calloc(1, sizeof(*b));

	if (!b || !(b->data = malloc(size ? size : 1))) {
		free(b);
		return NULL;
	}
	if (size)
		memcpy(b->data, data, size);
	b->size = size;
	snprintf(b->sha256, sizeof(b->sha256), "%s", sha256);
	b->refs = 1;
	return b;
}

struct folio_batch_original *folio_batch_original_ref(struct folio_batch_original *b)
{
	__atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
	return b;
}

void folio_batch_original_unref(struct folio_batch_original *b)
{
	if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL))
		return;
	free(b->data);
	free(b);
}

void folio_doc_free(struct folio_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	folio_batch_original_unref(doc->batch);
	for (i = 0; i < doc->npages; i++)
		page_release(&doc->pages[i]);
	free(doc->pages);
	for (i = 0; i < doc->nfields; i++) {
		free(doc->fields[i].name);
		free(doc->fields[i].value);
		free(doc->fields[i].raw);
	}
	free(doc->fields);
	for (i = 0; i < doc->ntags; i++)
		free(doc->tags[i]);
	free(doc->tags);
	for (i = 0; i < doc->nchildren; i++)
		folio_doc_free(doc->children[i]);
	free(doc->children);
	folio_strbuf_release(&doc->text);
	free(doc->path);
	free(doc->name);
	free(doc->data);
	free(doc->mime);
	free(doc->title);
	free(doc->attachment);
	free(doc->attachment_name);
	free(doc->review);
	free(doc->notes);
	free(doc->doc_type);
	free(doc->type_reason);
	free(doc->status);
	free(doc->added_at);
	free(doc);
}

struct folio_page *folio_doc_add_page(struct folio_doc *doc)
{
	struct folio_page *pg;

	if (grow((void **)&doc->pages, &doc->pages_alloc, doc->npages, sizeof(*pg)))
		return NULL;
	pg = &doc->pages[doc->npages++];
	memset(pg, 0, sizeof(*pg));
	pg->number = (int)doc->npages;
	return pg;
}

int folio_page_add_word(struct folio_page *page, const char *text, int x, int y, int w, int h,
			float conf, int line)
{
	struct folio_word *wd;
	char *t;

	if (grow((void **)&page->words, &page->words_alloc, page->nwords, sizeof(*wd)))
		return -1;
	if (!(t = strdup(text)))
		return -1;
	wd = &page->words[page->nwords++];
	wd->text = t;
	wd->x = x;
	wd->y = y;
	wd->w = w;
	wd->h = h;
	wd->conf = conf;
	wd->line = line;
	return 0;
}

int folio_page_add_code(struct folio_page *page, const char *type, const char *data, int x, int y,
			int w, int h)
{
	struct folio_code *c;
	char *t, *d;

	if (grow((void **)&page->codes, &page->codes_alloc, page->ncodes, sizeof(*c)))
		return -1;
	t = strdup(type);
	d = strdup(data);
	if (!t || !d) {
		free(t);
		free(d);
		return -1;
	}
	c = &page->codes[page->ncodes++];
	c->type = t;
	c->data = d;
	c->x = x;
	c->y = y;
	c->w = w;
	c->h = h;
	return 0;
}

int folio_page_set_text(struct folio_page *page, const char *text)
{
	return folio_doc_set_str(&page->text, text);
}

const struct folio_field *folio_doc_field(const struct folio_doc *doc, const char *name)
{
	size_t i;

	for (i = 0; i < doc->nfields; i++)
		if (!strcmp(doc->fields[i].name, name))
			return &doc->fields[i];
	return NULL;
}

int folio_doc_set_field(struct folio_doc *doc, const char *name, const char *value, const char *raw,
			float confidence, enum folio_source src, int page, const int bbox[4])
{
	struct folio_field *f = (struct folio_field *)folio_doc_field(doc, name);
	struct folio_field nf = { 0 };

	if (!(nf.name = strdup(name)) || !(nf.value = strdup(value ? value : "")) ||
	    (raw && !(nf.raw = strdup(raw)))) {
		free(nf.name);
		free(nf.value);
		return -1;
	}
	nf.confidence = confidence;
	nf.source = src;
	nf.page = page;
	if (bbox)
		memcpy(nf.bbox, bbox, sizeof(nf.bbox));
	if (f) {
		free(f->name);
		free(f->value);
		free(f->raw);
		*f = nf;
		return 0;
	}
	if (grow((void **)&doc->fields, &doc->fields_alloc, doc->nfields, sizeof(nf))) {
		free(nf.name);
		free(nf.value);
		free(nf.raw);
		return -1;
	}
	doc->fields[doc->nfields++] = nf;
	return 0;
}

int folio_doc_add_tag(struct folio_doc *doc, const char *tag)
{
	size_t i;
	char *t;

	for (i = 0; i < doc->ntags; i++)
		if (!strcmp(doc->tags[i], tag))
			return 0;
	if (grow((void **)&doc->tags, &doc->tags_alloc, doc->ntags, sizeof(char *)))
		return -1;
	if (!(t = strdup(tag)))
		return -1;
	doc->tags[doc->ntags++] = t;
	return 0;
}

int folio_doc_add_child(struct folio_doc *doc, struct folio_doc *child)
{
	if (grow((void **)&doc->children, &doc->children_alloc, doc->nchildren, sizeof(child))) {
		folio_doc_free(child);
		return -1;
	}
	doc->children[doc->nchildren++] = child;
	return 0;
}

int folio_doc_join_text(struct folio_doc *doc)
{
	size_t i;

	folio_strbuf_reset(&doc->text);
	for (i = 0; i < doc->npages; i++) {
		if (i && folio_strbuf_addch(&doc->text, '\f'))
			return -1;
		if (doc->pages[i].text && folio_strbuf_adds(&doc->text, doc->pages[i].text))
			return -1;
	}
	return folio_strbuf_grow(&doc->text, 0);
}

int folio_page_words_from_text(struct folio_page *pg)
{
	const char *p = pg->text ? pg->text : "";
	int line = 0;

	while (*p) {
		const char *s;
		char w[256];
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f') {
			if (*p == '\n')
				line++;
			p++;
		}
		s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\f')
			p++;
		n = (size_t)(p - s);
		if (!n)
			continue;
		if (n >= sizeof(w))
			n = sizeof(w) - 1;
		memcpy(w, s, n);
		w[n] = '\0';
		if (folio_page_add_word(pg, w, 0, 0, 0, 0, 1.0f, line))
			return -1;
	}
	return 0;
}
