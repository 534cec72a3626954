/*
 * match.c - the matching step: before a document is stored, what the
 * archive already holds says whether it repeats an older document and
 * which vendor sent it. The archive only answers look-ups (near_texts,
 * find_invoice, vendor_by_*); the decisions are made here, the same for
 * every storage backend.
 *
 * Repeats: the oldest document whose text fingerprint lies within
 * FOLIO_SIMHASH_NEAR bits (the paper scanned again), else the oldest with
 * the same seller tax ID and invoice number (the same invoice, whatever
 * its text looks like).
 *
 * Vendors: by seller tax ID, then by an IBAN seen for a vendor, then by
 * the name's key (folio_vendor_key): equal keys match, and so do keys
 * whose byte-trigram sets have a Jaccard index of FOLIO_VENDOR_SIMILAR
 * (0.9) or more - cheap, and strict enough that "Wróbel" and "Wróblewski"
 * stay apart while an OCR slip in a long name does not make a new vendor.
 * A vendor that has a tax ID only matches a document with another tax ID
 * by that tax ID: two companies with one name are two vendors.
 */
#include <string.h>

#include "folio/archive.h"
#include "folio/pipeline.h"
#include "folio/simhash.h"
#include "folio/values.h"

struct near {
	uint64_t h;
	long long best;
};

static int near_fn(void *ctx, long long id, uint64_t other)
{
	struct near *n = ctx;

	if (folio_simhash_distance(n->h, other) <= FOLIO_SIMHASH_NEAR && (!n->best || id < n->best))
		n->best = id;
	return 0;
}

struct similar {
	const char *key;
	size_t kn;
	double best;
	long long vid;
};

/* The most similar name key so far (vendors with the most documents come
 * first, so a tie keeps the busier vendor). */
static int similar_fn(void *ctx, long long vid, const char *other)
{
	struct similar *s = ctx;
	size_t on = strlen(other), lo = on < s->kn ? on : s->kn, hi = on < s->kn ? s->kn : on;
	double sim;

	/* a Jaccard index of 0.9 needs trigram sets within 10 % in size */
	if (on < 3 || 10 * lo < 8 * hi)
		return 0;
	sim = folio_vendor_similarity(s->key, other);
	if (sim >= FOLIO_VENDOR_SIMILAR && sim > s->best) {
		s->best = sim;
		s->vid = vid;
	}
	return 0;
}

static const char *value_of(const struct folio_doc *doc, const char *name)
{
	const struct folio_field *f = folio_doc_field(doc, name);

	return f && *f->value ? f->value : NULL;
}

/* doc->vendor_id: the vendor of the seller tax ID, IBAN or name; 0 when
 * none matches (or the document names no seller). -1 on error. */
static int match_vendor(struct folio_archive *arc, struct folio_doc *doc, struct folio_err *err)
{
	const char *tax = value_of(doc, "seller_tax_id"), *name = value_of(doc, "seller_name");
	char key[FOLIO_VENDOR_KEY_MAX], iban[64];
	long long vid = 0;
	int untaxed = tax != NULL;

	if (name && !folio_vendor_key(name, key, sizeof(key)))
		name = NULL; /* punctuation only */
	if (!tax && !name)
		return 0;
	folio_vendor_iban(value_of(doc, "iban"), iban, sizeof(iban));
	if (tax)
		vid = folio_archive_vendor_by_tax(arc, tax, err);
	if (!vid && *iban)
		vid = folio_archive_vendor_by_iban(arc, iban, untaxed, err);
	if (!vid && name)
		vid = folio_archive_vendor_by_key(arc, key, untaxed, err);
	if (!vid && name && strlen(key) >= 3) {
		struct similar s = { key, strlen(key), 0, 0 };

		if (folio_archive_vendor_keys(arc, untaxed, similar_fn, &s, err) != FOLIO_OK)
			return -1;
		vid = s.vid;
	}
	if (vid < 0)
		return -1;
	doc->vendor_id = vid;
	return 0;
}

int folio_match(struct folio_archive *arc, struct folio_doc *doc, struct folio_err *err)
{
	doc->dup_of = 0;
	doc->vendor_id = 0;
	if (doc->simhash) {
		struct near n = { doc->simhash, 0 };

		if (folio_archive_near_texts(arc, doc->simhash, near_fn, &n, err) != FOLIO_OK)
			return FOLIO_FAILED;
		doc->dup_of = n.best;
	}
	if (!doc->dup_of) {
		long long id = folio_archive_find_invoice(arc, value_of(doc, "seller_tax_id"),
							  value_of(doc, "invoice_number"), err);

		if (id < 0)
			return FOLIO_FAILED;
		doc->dup_of = id;
	}
	if (match_vendor(arc, doc, err))
		return FOLIO_FAILED;
	return FOLIO_OK;
}
