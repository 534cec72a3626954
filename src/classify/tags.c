/* tags.c - tag rules from config; see include/folio/classify.h. */
#include "folio/classify.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/util.h"

struct tag_rule {
	char *tag;
	regex_t re;
};

struct folio_tagger {
	struct tag_rule *rules;
	size_t n;
};

void folio_tagger_free(struct folio_tagger *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->rules[i].tag);
		regfree(&t->rules[i].re);
	}
	free(t->rules);
	free(t);
}

struct tags_load {
	struct folio_tagger *t;
	size_t alloc;
	const char *path;
};

static int tag_line(void *ctx, char *line, int lineno, struct folio_err *err)
{
	struct tags_load *tl = ctx;
	struct folio_tagger *t = tl->t;
	char *s = line, *tag, *re, *folded;
	int rc;

	tag = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (*s)
		*s++ = '\0';
	while (isspace((unsigned char)*s))
		s++;
	re = s;
	if (!*re)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				     "%s:%d: expected 'TAG REGEX'", tl->path, lineno);
	if (t->n == tl->alloc) {
		size_t cap = tl->alloc ? tl->alloc * 2 : 16;
		struct tag_rule *nr = realloc(t->rules, cap * sizeof(*nr));

		if (!nr)
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		t->rules = nr;
		tl->alloc = cap;
	}
	/* the expression sees folded text, so fold its letters too */
	if (!(folded = folio_fold_key(re)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	rc = regcomp(&t->rules[t->n].re, folded, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	free(folded);
	if (rc) {
		char msg[128];

		regerror(rc, &t->rules[t->n].re, msg, sizeof(msg));
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				     "%s:%d: bad expression: %s", tl->path, lineno, msg);
	}
	if (!(t->rules[t->n].tag = strdup(tag))) {
		regfree(&t->rules[t->n].re);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	t->n++;
	return FOLIO_OK;
}

struct folio_tagger *folio_tagger_load(const char *path, struct folio_err *err)
{
	struct tags_load tl = { calloc(1, sizeof(*tl.t)), 0, path };

	if (!tl.t) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (folio_each_line(path, "tag rules", tag_line, &tl, err) != FOLIO_OK) {
		folio_tagger_free(tl.t);
		return NULL;
	}
	return tl.t;
}

int folio_tagger_apply(const struct folio_tagger *t, struct folio_doc *doc, struct folio_err *err)
{
	char *text;
	size_t i;

	if (!t || !t->n || !doc->text.len)
		return FOLIO_OK;
	if (!(text = folio_fold_key(doc->text.buf)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	for (i = 0; i < t->n; i++)
		if (!regexec(&t->rules[i].re, text, 0, NULL, 0) &&
		    folio_doc_add_tag(doc, t->rules[i].tag)) {
			free(text);
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		}
	free(text);
	return FOLIO_OK;
}
