/*
 * classify.h - decide a document's type (invoice, credit_note, form, ...)
 * from its text with keyword rules kept as data in models/doctype.rules.
 *
 * Rules are folded keywords with weights per type; the type with the
 * highest total wins and the document records the confidence and the
 * reason ("rule: 'faktura korygujaca'"). A rule set is read-only after
 * loading and may be shared by all workers.
 */
#ifndef FOLIO_CLASSIFY_H
#define FOLIO_CLASSIFY_H

#include "folio/doc.h"
#include "folio/err.h"

struct folio_classifier;

/* Load rules from `path`. Malformed lines fail with file:line. */
struct folio_classifier *folio_classify_load(const char *path, struct folio_err *err);
void folio_classify_free(struct folio_classifier *c);

/* Set doc->doc_type, doc->type_conf and doc->type_reason from doc->text.
 * A document without matching text is "other". */
int folio_classify_doc(const struct folio_classifier *c, struct folio_doc *doc,
		       struct folio_err *err);

/*
 * Tag rules: lines "TAG REGEX" (POSIX extended, case-insensitive), matched
 * against the document text folded like the keywords (lowercase, no
 * diacritics: "Łódź" is matched as "lodz"). A document gets every tag
 * whose expression matches, e.g. "fuel orlen|repsol|galp|eni".
 */
struct folio_tagger;

/* Load rules from `path`; a bad line or expression fails with file:line. */
struct folio_tagger *folio_tagger_load(const char *path, struct folio_err *err);
void folio_tagger_free(struct folio_tagger *t);

/* Add the tags whose rules match doc->text. */
int folio_tagger_apply(const struct folio_tagger *t, struct folio_doc *doc,
		       struct folio_err *err);

#endif
