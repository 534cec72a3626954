/*
 * classify.h - decide a document's type (invoice, credit_note, form, ...)
 * from its text, in two layers:
 *
 *  - keyword rules kept as data in models/doctype.rules: folded keywords
 *    with weights per type; the type with the highest total wins;
 *  - a trainable text model (models/doctype.model, logistic regression
 *    over hashed word and character n-grams, see src/classify/model.c for
 *    the file format), trained on tests/fixtures/classify/train and
 *    retrainable from the archive's confirmed types.
 *
 * Rules win when they are confident; otherwise the model decides. The
 * document records the chosen type, a confidence in [0, 1] and the reason:
 * "rule: 'faktura korygujaca'" or "model: 0.93". Rule sets and models are
 * read-only after loading and may be shared by all workers.
 *
 * The types folio uses: invoice credit_note proforma receipt order
 * delivery_note contract form letter other.
 */
#ifndef FOLIO_CLASSIFY_H
#define FOLIO_CLASSIFY_H

#include "folio/doc.h"
#include "folio/err.h"

struct folio_classifier;
struct folio_model;

/* Load rules from `path`. Malformed lines fail with file:line. */
struct folio_classifier *folio_classify_load(const char *path, struct folio_err *err);
void folio_classify_free(struct folio_classifier *c);

/*
 * Set doc->doc_type, doc->type_conf and doc->type_reason from doc->text.
 *
 * Without a model (see folio_classify_load_model) the rules alone decide:
 * the heaviest type wins, type_conf = (best - second) / (best + 2), the
 * reason names its heaviest matched keyword, and a document without a
 * matching keyword is "other" ("no rule matched", confidence 0).
 *
 * With a model, the rules win only when they are confident: the winning
 * type matched a strong keyword (weight >= FOLIO_RULE_STRONG, e.g. "faktura
 * korygujaca", "lieferschein", "umowa"; generic words such as "faktura" or
 * "vat" are not) and leads the runner-up by at least FOLIO_RULE_MARGIN.
 * Otherwise the model's most probable type is chosen, type_conf is its
 * calibrated probability and the reason "model: 0.93" -- unless the model
 * is unsure (probability < FOLIO_MODEL_MIN_PROB) and some rule matched:
 * then the rules' type stands as without a model. Fails only with
 * FOLIO_FATAL (out of memory).
 */
int folio_classify_doc(const struct folio_classifier *c, struct folio_doc *doc,
		       struct folio_err *err);

/*
 * Settle the doc's type after extraction and classification: the type an
 * exact source states (an e-invoice's type code, field doc_type from XML
 * or QR) wins over the classifier's guess; otherwise the classifier's type
 * becomes the doc_type field (a page that says "credit note" beside the
 * invoice number makes an invoice-like type a credit note). Review is for
 * invoice-like documents only: a letter without an invoice number is not a
 * problem, so its review reasons go. 0, or -1 when out of memory.
 */
int folio_classify_settle(struct folio_doc *doc);

#define FOLIO_RULE_STRONG 6
#define FOLIO_RULE_MARGIN 6
#define FOLIO_MODEL_MIN_PROB 0.6f

/*
 * Rule/model interplay (added for the trainable classifier). Give `c` a
 * model: it then owns `m` (freed by folio_classify_free; a previous model
 * is freed). m may be NULL to go back to rules only. Not thread-safe:
 * call before sharing `c` with workers.
 */
void folio_classify_set_model(struct folio_classifier *c, struct folio_model *m);

/*
 * Load the model at `path` into `c` (see folio_classify_set_model). A
 * missing file is FOLIO_WARN with `c` left on rules only, so a model is
 * optional; a file that cannot be read or is corrupt is FOLIO_FAILED with
 * the reason in err, also leaving `c` as it was.
 */
int folio_classify_load_model(struct folio_classifier *c, const char *path, struct folio_err *err);

/* The model `c` uses, or NULL. */
const struct folio_model *folio_classify_model(const struct folio_classifier *c);

/* What the rules alone say about `text` (folded inside): the winning type
 * ("other" when nothing matched), its total, the runner-up's total, the
 * strongest matched keyword weight of the winner and whether that counts
 * as confident. type and keyword point into `c`. For benchmarks and
 * `folio show`-like explanations. */
struct folio_rule_verdict {
	const char *type;
	const char *keyword; /* heaviest matched keyword of type, or NULL */
	int score, second, strongest;
	float conf; /* as folio_classify_doc sets it for rules */
	int confident;
};
int folio_classify_rules(const struct folio_classifier *c, const char *text,
			 struct folio_rule_verdict *v, struct folio_err *err);

/*
 * The model. A model file is versioned and checksummed: loading a file
 * that is not a model, of another version, truncated or corrupt fails
 * with FOLIO_FAILED and "model 'PATH': <why>" (FOLIO_E_INPUT), never
 * crashes; a missing file fails with FOLIO_E_IO ("cannot open ...").
 * A loaded model is read-only and may be shared by threads.
 */
struct folio_model;

struct folio_model *folio_model_load(const char *path, struct folio_err *err);
void folio_model_free(struct folio_model *m);

/* Write `m` crash-safely (temp file, fsync, rename) to `path`. */
int folio_model_save(const struct folio_model *m, const char *path, struct folio_err *err);

/*
 * The most probable type of `text` (*type points into the model; valid
 * while it lives) and its calibrated probability. Either out-pointer may
 * be NULL. A text without a single word gives *type = NULL, *prob = 0.
 * Fails only with FOLIO_FATAL (out of memory).
 */
int folio_model_predict(const struct folio_model *m, const char *text, const char **type,
			float *prob, struct folio_err *err);

/* Every class's probability, in folio_model_class() order, into probs[n]. */
int folio_model_probs(const struct folio_model *m, const char *text, float *probs, size_t n,
		      struct folio_err *err);
size_t folio_model_nclasses(const struct folio_model *m);
/* Name of class i, or NULL when i is out of range. */
const char *folio_model_class(const struct folio_model *m, size_t i);

/*
 * Training: collect examples, then build a model in memory or save one.
 * Types are names of [a-z0-9_], 1..31 bytes, at most 64 of them; a model
 * needs examples of at least two. The same examples added in the same
 * order give the same model file byte for byte. Training takes about a
 * second per thousand documents and ~20 MB of scratch memory.
 */
struct folio_trainer;

struct folio_trainer *folio_trainer_new(void); /* NULL on ENOMEM */
void folio_trainer_free(struct folio_trainer *t);
size_t folio_trainer_count(const struct folio_trainer *t);

/* Add one example; a bad type name is FOLIO_FAILED. */
int folio_trainer_add(struct folio_trainer *t, const char *text, const char *type,
		      struct folio_err *err);
/* The same, counting the example `weight` times (0 < weight <= 100), e.g.
 * to let a user's confirmed types outweigh the shipped corpus. */
int folio_trainer_add_weighted(struct folio_trainer *t, const char *text, const char *type,
			       float weight, struct folio_err *err);

/* Add every DIR/<lang>-<type>-NNN.txt (other names are passed over; none
 * at all is FOLIO_FAILED), in name order. */
int folio_trainer_add_dir(struct folio_trainer *t, const char *dir, struct folio_err *err);

/* Train; *out is a new model (caller frees) or NULL on failure. */
int folio_trainer_build(const struct folio_trainer *t, struct folio_model **out,
			struct folio_err *err);

/* Train and write the model to `path` (atomically). */
int folio_trainer_save(const struct folio_trainer *t, const char *path, struct folio_err *err);

/* Train from DIR/<lang>-<type>-NNN.txt and save to out_path: how
 * models/doctype.model is made from tests/fixtures/classify/train. */
int folio_model_train_dir(const char *dir, const char *out_path, struct folio_err *err);

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
int folio_tagger_apply(const struct folio_tagger *t, struct folio_doc *doc, struct folio_err *err);

#endif
