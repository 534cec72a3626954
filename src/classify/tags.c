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

struct folio_tagger *folio_tagger_load(const char *path, struct folio_err *err)
{
	struct folio_tagger *t = calloc(1, sizeof(*t));
	size_t alloc = 0;
	char line[2048];
	int lineno = 0;
	FILE *f;

	if (!t) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (!(f = fopen(path, "re"))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, errno, "cannot open tag rules '%s': %s",
			      path, strerror(errno));
		free(t);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *tag, *re, *folded;
		int rc;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		tag = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
		while (isspace((unsigned char)*s))
			s++;
		re = s;
		if (!*re) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				      "%s:%d: expected 'TAG REGEX'", path, lineno);
			goto fail;
		}
		if (t->n == alloc) {
			struct tag_rule *nr = realloc(t->rules, (alloc = alloc ? alloc * 2 : 16) *
							       sizeof(*nr));
			if (!nr)
				goto nomem;
			t->rules = nr;
		}
		/* the expression sees folded text, so fold its letters too */
		if (!(folded = folio_fold_key(re)))
			goto nomem;
		rc = regcomp(&t->rules[t->n].re, folded, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		free(folded);
		if (rc) {
			char msg[128];

			regerror(rc, &t->rules[t->n].re, msg, sizeof(msg));
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0, "%s:%d: bad expression: %s",
				      path, lineno, msg);
			goto fail;
		}
		if (!(t->rules[t->n].tag = strdup(tag))) {
			regfree(&t->rules[t->n].re);
			goto nomem;
		}
		t->n++;
	}
	fclose(f);
	return t;
nomem:
	folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fail:
	fclose(f);
	folio_tagger_free(t);
	return NULL;
}

int folio_tagger_apply(const struct folio_tagger *t, struct folio_doc *doc,
		       struct folio_err *err)
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
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		}
	free(text);
	return FOLIO_OK;
}
