/*
 * archive.h - the storage interface: documents, their originals, events,
 * the intake journal, the export ledger and search, behind a table of
 * backends (see "backends" at the end). Only the services (pipeline,
 * export service, daemon) and the CLI use it; no stage does.
 *
 * The built-in backend, SQLite, keeps an archive in one folder:
 *
 *   DIR/folio.db            documents, pages, fields, tags, events, FTS
 *   DIR/store/ab/cd/<sha>   original bytes, read-only, named by SHA-256
 *
 * Its schema is upgraded at open by numbered migrations, so an archive
 * made by an older folio always opens. Its full-text index uses folio's
 * own tokenizer ("folio"): SQLite's unicode61 with remove_diacritics 2,
 * after folding the letters unicode61 leaves alone (ł→l, ø→o, đ→d), so
 * "lodz" finds "Łódź". Every backend keeps the contracts written here.
 *
 * A handle is used by one thread at a time (the pipeline's writer).
 */
#ifndef FOLIO_ARCHIVE_H
#define FOLIO_ARCHIVE_H

#include <stdint.h>

#include "folio/doc.h"
#include "folio/err.h"

struct folio_archive;

enum {
	FOLIO_ARCHIVE_CREATE = 1, /* create the folder and database if missing */
	FOLIO_ARCHIVE_RDONLY = 2,
	/* a long-running writer (folio watch, folio mail): an 8 MB page cache,
	 * not the 128 MB that keeps searches of a large archive fast, so that
	 * its memory does not grow with what it archives (bench-mail: +9 kB
	 * per message otherwise). Backends without a page cache ignore it. */
	FOLIO_ARCHIVE_STREAM = 4,
};

/* Latest schema version this build writes. */
#define FOLIO_SCHEMA_VERSION 13

/*
 * Open the archive in `dir`. Without FOLIO_ARCHIVE_CREATE a missing
 * archive fails with FOLIO_E_NOTFOUND ("no archive at DIR (run 'folio
 * init')"). Applies pending migrations unless read-only.
 */
struct folio_archive *folio_archive_open(const char *dir, int flags, struct folio_err *err);
void folio_archive_close(struct folio_archive *arc);

const char *folio_archive_dir(const struct folio_archive *arc);

/* 1 when the handle was opened read-only (FOLIO_ARCHIVE_RDONLY). */
int folio_archive_readonly(const struct folio_archive *arc);

/* The SQLite library version, e.g. "3.40.1". */
const char *folio_archive_engine_version(void);
int folio_archive_schema_version(struct folio_archive *arc);

/* Call fn for every stored document's SHA-256 (to seed duplicate checks). */
int folio_archive_each_sha(struct folio_archive *arc,
			   int (*fn)(void *ctx, const char *sha256, long long id), void *ctx,
			   struct folio_err *err);

/* The id of the document with this SHA-256, or 0 when not stored. */
long long folio_archive_find_sha(struct folio_archive *arc, const char *sha256,
				 struct folio_err *err);

/* Page count and type (into type[typelen]) of document `id`; FOLIO_E_NOTFOUND
 * when there is none. */
int folio_archive_summary(struct folio_archive *arc, long long id, int *pages, char *type,
			  size_t typelen, struct folio_err *err);

/* 1 when document `id` was archived from `path` (documents.path). */
int folio_archive_has_path(struct folio_archive *arc, long long id, const char *path);

/*
 * Store a finished document: original bytes into the store (temp file,
 * fsync, rename) and then, in one transaction, its rows and index entries.
 * Sets doc->id, doc->status ("archived") and doc->added_at. What the
 * matching step decided is stored as it is: doc->dup_of (an older
 * document this one repeats, 0 none) and doc->vendor_id (the seller's
 * vendor; 0 registers a new vendor for a document with a seller tax ID
 * or name - unless the vendor of that tax ID was registered meanwhile:
 * the tax ID's uniqueness decides). The vendor's counts, spellings, IBANs
 * and dates are updated in the same transaction. If the same bytes are
 * already stored, nothing is written, doc->id is set to the existing id
 * and FOLIO_WARN is returned (a duplicate).
 */
int folio_archive_add(struct folio_archive *arc, struct folio_doc *doc, struct folio_err *err);

/* ---- look-ups of the matching step (folio_match, src/pipeline/) ----- */

/*
 * Call fn for every document whose text fingerprint may lie within
 * FOLIO_SIMHASH_NEAR bits of `simhash` (a superset: the caller measures
 * the distance), with its id and fingerprint, in no set order and
 * possibly more than once; fn returns non-zero to stop. Nothing for a 0
 * fingerprint.
 */
int folio_archive_near_texts(struct folio_archive *arc, uint64_t simhash,
			     int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
			     struct folio_err *err);

/* The oldest document whose seller_tax_id and invoice_number fields are
 * these; 0 when none, -1 on error (err set). */
long long folio_archive_find_invoice(struct folio_archive *arc, const char *seller_tax_id,
				     const char *invoice_number, struct folio_err *err);

/*
 * The vendor registry's look-ups, each 0 when nothing matches and -1 on
 * error: the vendor of a tax ID; the vendor an IBAN (folio_vendor_iban
 * form) was seen for most often, and the vendor with the most documents
 * known by a name key (folio_vendor_key). With `untaxed_only`, only
 * vendors without a tax ID are considered (a document with a tax ID never
 * joins a vendor that has another one).
 */
long long folio_archive_vendor_by_tax(struct folio_archive *arc, const char *tax_id,
				      struct folio_err *err);
long long folio_archive_vendor_by_iban(struct folio_archive *arc, const char *iban,
				       int untaxed_only, struct folio_err *err);
long long folio_archive_vendor_by_key(struct folio_archive *arc, const char *key, int untaxed_only,
				      struct folio_err *err);

/* Call fn with every name key of every vendor (of vendors without a tax
 * ID when `untaxed_only`), vendors with the most documents first; fn
 * returns non-zero to stop. */
int folio_archive_vendor_keys(struct folio_archive *arc, int untaxed_only,
			      int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
			      struct folio_err *err);

/* ---- Italian SDI notices and the invoice files they describe ---------- */

/*
 * The document an SDI notice whose sdi_file is `file_name` is about: the
 * document named so, or named so without ".p7m" (the content of a signed
 * file), an invoice or credit note before any other type, the newest of
 * equals, never a notice itself. 0 when there is none (yet: the link is
 * looked up when asked, so a notice that came before its invoice finds it
 * once the invoice is in); -1 on error (err set).
 */
long long folio_archive_sdi_invoice(struct folio_archive *arc, const char *file_name,
				    struct folio_err *err);

/*
 * The invoice the SDI notice `notice` (a document with an sdi_notice
 * field) is about: folio_archive_sdi_invoice of its sdi_file, else, by its
 * sdi_id, that of another notice with the same SDI id (an esito
 * committente names no file). 0 when none, or `notice` is no notice; -1
 * on error (err set).
 */
long long folio_archive_sdi_invoice_of(struct folio_archive *arc, const struct folio_doc *notice,
				       struct folio_err *err);

/*
 * Call fn with the id of every SDI notice about document `doc_id` (named
 * `name`): the notices whose sdi_file is `name` or `name`.p7m, and those
 * sharing their sdi_id, for which folio_archive_sdi_invoice_of names this
 * document, oldest first (at most 64); fn returns non-zero to stop.
 * FOLIO_OK, or FOLIO_FATAL (err set).
 */
int folio_archive_sdi_notices(struct folio_archive *arc, long long doc_id, const char *name,
			      int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err);

/*
 * Append an event to the audit log (hash-chained): kind is "archived",
 * "duplicate" or "quarantined"; doc_id 0 when there is no document;
 * sha256 and detail may be NULL.
 */
int folio_archive_event(struct folio_archive *arc, const char *kind, long long doc_id,
			const char *sha256, const char *path, const char *detail,
			struct folio_err *err);

/* ---- the audit trail, legal hold and deletion -------------------------- */

/* One entry of the audit trail. Strings are valid during the callback
 * only ("" when the column is empty). */
struct folio_event {
	long long id;	/* the event's number in the chain; 0 for an export */
	const char *at; /* "YYYY-MM-DDTHH:MM:SSZ" */
	/* archived, duplicate, quarantined, tagged, retyped, fixed, held,
	 * released, deleted; "exported" for a row of the export ledger, which
	 * keeps its own records (not in the hash chain: id 0, hash "") */
	const char *kind;
	long long doc_id; /* 0 when no document */
	const char *sha256, *path, *detail, *hash;
	long long batch;    /* "exported": the export batch; else 0 */
	const char *target; /* "exported": the target (csv, ksef:firma); else "" */
};

/*
 * Call fn for each event about document `doc_id` (0: the whole archive)
 * whose time is at or after `since` (NULL: all; "YYYY-MM-DD" or a full
 * time, compared as text with folio_event.at), oldest first, the export
 * ledger's rows among them by time. fn returns non-zero to stop.
 * FOLIO_OK, or FOLIO_FAILED with err set.
 */
int folio_archive_events(struct folio_archive *arc, long long doc_id, const char *since,
			 int (*fn)(void *ctx, const struct folio_event *ev), void *ctx,
			 struct folio_err *err);

/*
 * The audit log's hash chain, recomputed event by event in the order of
 * their ids: each event's hash is the SHA-256 of the previous event's hash
 * ("0" before the first) and its own at, kind, doc_id (0 for none),
 * sha256, path and detail, joined by newlines. An event whose stored hash
 * is not that value is a broken link: the event was changed, or one
 * before it was changed or removed (a gap in the ids before it says
 * which). Links after a broken one are checked from its stored hash, so
 * one change is one broken link.
 */
struct folio_chain {
	long long events;	/* events checked */
	long long last_id;	/* the last event's id, 0 when none */
	char head[65];		/* the last event's hash, "" when none */
	long long broken;	/* links that do not hold */
	long long first_broken; /* the first broken link's event id, 0 when none */
	char problem[320];	/* what is wrong with that link, "" when none */
};

/* Check the chain of `arc` into *c. FOLIO_OK (even when links are
 * broken: see c->broken), or FOLIO_FAILED when the log cannot be read. */
int folio_archive_chain(struct folio_archive *arc, struct folio_chain *c, struct folio_err *err);

/* A document's legal hold: the latest "held" or "released" event. */
struct folio_hold {
	int held;	   /* 1 while on hold */
	long long event;   /* that event's id, 0 when never held */
	char at[32];	   /* its time */
	char detail[1100]; /* "REASON (by WHO)" */
};

/* Document `id`'s hold into *h. FOLIO_OK (also for an id no document
 * has: not held), or FOLIO_FAILED with err set. */
int folio_archive_hold_state(struct folio_archive *arc, long long id, struct folio_hold *h,
			     struct folio_err *err);

/*
 * Put document `id` on legal hold (`on` 1) or release it (0), with a
 * "held" or "released" event whose detail is `detail` ("REASON (by
 * WHO)": one line of 1 to 1000 bytes, else FOLIO_E_USAGE), in one
 * transaction with the checks: FOLIO_E_NOTFOUND when there is no such
 * document; FOLIO_WARN and nothing written when it already is (not) on
 * hold. A held document cannot be deleted (folio_archive_delete).
 */
int folio_archive_hold(struct folio_archive *arc, long long id, int on, const char *detail,
		       struct folio_err *err);

/* What deleting a document removes, or would (folio_archive_delete). */
struct folio_deletion {
	long long id;
	char sha256[65];
	char name[256];
	char doc_type[32];
	int held;		/* on legal hold: never deleted */
	int exported;		/* in the export ledger */
	int original_goes;	/* its bytes leave the store: nothing else names them */
	char source_sha256[65]; /* the scanned batch it was cut from, "" none */
	int source_goes;	/* that batch's bytes leave too (its last part) */
	long long pages, fields;
};

enum {
	/* delete a document not exported, or whose retention has not
	 * expired (or is unknown) */
	FOLIO_DELETE_FORCE = 1,
	FOLIO_DELETE_DRY_RUN = 2, /* check and fill *d, write nothing */
	/* the caller found the document's retention period over */
	FOLIO_DELETE_EXPIRED = 4,
};

/*
 * Delete document `id`: its row, pages, fields, tags, barcodes, text
 * fingerprint, export ledger rows and full-text index entries, and a
 * "deleted" event (the tombstone: its sha256 and `detail`, "REASON (by
 * WHO)", one line of 1 to 1000 bytes, else FOLIO_E_USAGE; the batches it
 * was exported in are added) in one transaction; then its original's
 * bytes, unless another document names them (the batch a split part was
 * cut from goes with its last part). Older events stay: the hash chain
 * stays whole. Refused (FOLIO_FAILED, FOLIO_E_REFUSED, nothing written)
 * when the document is on legal hold, and, without FOLIO_DELETE_FORCE,
 * unless it was exported and FOLIO_DELETE_EXPIRED is given.
 * FOLIO_E_NOTFOUND when there is no such document. *d says what goes (or
 * would, with FOLIO_DELETE_DRY_RUN), also when refused. Backends without
 * deletion fail with FOLIO_E_USAGE.
 */
int folio_archive_delete(struct folio_archive *arc, long long id, const char *detail, int flags,
			 struct folio_deletion *d, struct folio_err *err);

/*
 * Load document `id` with its pages (text, words), fields and tags into a
 * new folio_doc (data stays NULL: read the original with
 * folio_archive_read_original). FOLIO_E_NOTFOUND when there is none.
 */
int folio_archive_get(struct folio_archive *arc, long long id, struct folio_doc **out,
		      struct folio_err *err);

/*
 * Add and remove tags of document `id` (NULL-terminated lists, either may
 * be NULL) in one transaction, with a "tagged" event in the audit log.
 * A tag is 1 to 64 characters without spaces or control characters;
 * anything else fails with FOLIO_E_USAGE before anything is written.
 */
int folio_archive_tag(struct folio_archive *arc, long long id, const char *const *add,
		      const char *const *remove, struct folio_err *err);

/*
 * Set document `id`'s type by hand (confidence 1, reason "user"), with a
 * "retyped" event in the audit log; these corrections are what a trained
 * classifier will learn from. TYPE is one of invoice, credit_note,
 * proforma, receipt, order, delivery_note, contract, form, letter, other.
 */
int folio_archive_retype(struct folio_archive *arc, long long id, const char *type,
			 struct folio_err *err);

/*
 * Store the fields of `doc` (loaded with folio_archive_get and changed by
 * `folio fix`) in place of the archived ones, with its review reasons,
 * notes, status (needs_review or archived) and near-duplicate mark
 * (dup_of; 0 clears it), reindex it for search and
 * append a "fixed" event whose detail is `detail` - all in one
 * transaction. A doc_type field from the user also sets the type.
 */
int folio_archive_update_fields(struct folio_archive *arc, const struct folio_doc *doc,
				const char *detail, struct folio_err *err);

/* Store (or confirm) where a vendor prints a field. */
int folio_archive_template_put(struct folio_archive *arc, const struct folio_template *t,
			       struct folio_err *err);

/* Call fn for every vendor template; fn returns non-zero to stop. */
int folio_archive_templates(struct folio_archive *arc,
			    int (*fn)(void *ctx, const struct folio_template *t), void *ctx,
			    struct folio_err *err);

/* The document whose archive serial number is `asn` (digits, no leading
 * zeros), 0 when none, -1 on a database error. */
long long folio_archive_find_asn(struct folio_archive *arc, const char *asn);

/* Call fn for each document whose type a person set or confirmed (folio
 * retype, folio fix doc_type=...), with its text: what `folio train`
 * learns from. fn returns non-zero to stop. */
int folio_archive_each_confirmed(struct folio_archive *arc,
				 int (*fn)(void *ctx, long long id, const char *type,
					   const char *text),
				 void *ctx, struct folio_err *err);

/* One document that needs a person: key fields missing or unsure,
 * totals that do not reconcile, or a possible duplicate. */
struct folio_review_item {
	long long id;
	const char *path, *doc_type, *added_at;
	const char *review; /* NULL when only a possible duplicate */
	long long dup_of;   /* 0 when none */
};

/* Call fn for each document needing review, oldest first (at most
 * `limit`, 0 for all). fn returns non-zero to stop. */
int folio_archive_review(struct folio_archive *arc, int limit,
			 int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
			 struct folio_err *err);

/* Path of the stored original for `sha256` (caller frees). */
char *folio_archive_blob_path(const struct folio_archive *arc, const char *sha256);

/* One search hit. Strings are valid during the callback only. */
struct folio_hit {
	long long id;
	double score; /* higher is better (negated bm25) */
	const char *title;
	const char *snippet; /* with the matched terms between hl_open/hl_close */
	const char *doc_type;
	const char *added_at;
	const char *date;   /* the invoice date, else the day it was added */
	const char *vendor; /* seller_name field, "" when unknown */
	const char *total;  /* gross_total and currency, "" when unknown */
};

enum folio_sort { FOLIO_SORT_DEFAULT = 0, FOLIO_SORT_SCORE, FOLIO_SORT_DATE, FOLIO_SORT_TOTAL };

struct folio_search_opts {
	/*
	 * Free text in FTS5 syntax (words, "phrases", prefix*, AND/OR/NOT,
	 * NEAR) mixed with filters:
	 *   type:T  tag:T  status:S  mime:M  id:N  currency:C  vendor:NAME
	 *   nip:ID / taxid:ID  asn:N
	 *   date:RANGE  issued:RANGE  due:RANGE  added:RANGE   (RANGE: 2024,
	 *     2024-03, 2024-03-15 or A..B; also issued>=D, due<D, ...)
	 *   total:A..B  total>N  total<=N ...
	 *   is:duplicate (a near-duplicate of an older document)
 *   is:held (on legal hold: folio_archive_hold)
	 *   is:exported / is:unexported (a row in the export ledger for the
	 *     document, to any target / none at all)
	 *   export:TARGET (exported to TARGET: a format name or
	 *     format:profile, matched whole: export:jpk:firma)
	 * A plain word with a digit in it (3+ characters) matches as a
	 * substring through a trigram index: "0147" finds "FV/2024/03/0147"
	 * (unless the query uses OR, NOT, NEAR or parentheses).
	 * A query of filters only lists the matching documents.
	 * A list by date (the default without words) orders by the invoice
	 * date, else the day added (doc_dates), newest first.
	 * Words rank by BM25 with the title weighing 5, field values 3 and
	 * the text 1 (FTS5's bm25() to the last bit, through the folio_rank
	 * function of src/archive/fts.c, which counts each phrase's matches
	 * once per search), ties by id; no approximation.
	 */
	const char *query;
	int limit; /* <= 0: 20 */
	int offset;
	enum folio_sort sort; /* default: score with free text, else date */
	const char *hl_open, *hl_close;
};

/*
 * Run a search; fn is called per hit in order and may return non-zero to
 * stop. A malformed query fails with FOLIO_E_USAGE and a message that
 * names the offending word in folio's own terms (never SQLite's text).
 */
int folio_archive_search(struct folio_archive *arc, const struct folio_search_opts *opts,
			 int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx,
			 struct folio_err *err);

/* The number of documents the query matches (limit and offset ignored). */
long long folio_archive_count(struct folio_archive *arc, const struct folio_search_opts *opts,
			      struct folio_err *err);

struct folio_stat_row {
	char key[64];
	long long count;
	long long pages;
	long long bytes;
};

struct folio_stats {
	long long documents, pages, bytes, words;
	long long quarantined, duplicates; /* events */
	struct folio_stat_row by_type[32];
	int ntypes;
	struct folio_stat_row by_status[8];
	int nstatus;
	struct folio_stat_row by_mime[32];
	int nmimes;
	long long db_bytes;
};

int folio_archive_stats(struct folio_archive *arc, struct folio_stats *st, struct folio_err *err);

/* ---- the watcher's journal, heartbeat and health -------------------- */

/* A settled inbox file is about to be read: a 'received' row. */
int folio_journal_received(struct folio_archive *arc, const char *path, long long size,
			   long long *id, struct folio_err *err);

/* The file is settled: state is "archived", "duplicate", "quarantined" or
 * "vanished"; reason and moved_to may be NULL. */
int folio_journal_settle(struct folio_archive *arc, long long id, const char *state,
			 long long documents, long long pages, const char *reason,
			 const char *moved_to, struct folio_err *err);

/* Remove temp files that an interrupted write left in the store (their
 * writer's pid is gone). Returns how many were removed. */
long long folio_store_cleanup(struct folio_archive *arc);

/* At a daemon's start (holding the lock): rows a crashed run left in
 * 'received' become 'interrupted'; their files, still in the inbox, are
 * taken again as new rows. Returns how many, or -1. */
long long folio_journal_recover(struct folio_archive *arc, struct folio_err *err);

/* The running daemon says it is alive (one row, replaced). */
int folio_daemon_beat(struct folio_archive *arc, long pid, double started_at, long long queue,
		      long long unsettled, const char *inboxes, struct folio_err *err);
/* The daemon stops: its row goes. */
int folio_daemon_gone(struct folio_archive *arc, long pid);

struct folio_status_error {
	double at;
	char path[512];
	char reason[512];
};

struct folio_status {
	int daemon; /* a row exists */
	long pid;
	double started_at, heartbeat_at;
	long long queue, unsettled;
	char inboxes[1024];
	long long files_minute, files_hour, pages_minute, pages_hour;
	double pages_per_min;		 /* over the last 10 minutes */
	long long quarantined, received; /* journal rows in these states */
	struct folio_status_error errors[10];
	int nerrors;
};

int folio_archive_status(struct folio_archive *arc, struct folio_status *st, struct folio_err *err);

/*
 * Check the archive: SQLite integrity, the full-text index, every
 * original re-hashed against its row, every row's original present, no
 * stray files in the store, no journal rows stuck in 'received' while no
 * daemon runs. Calls fn once per problem; returns the number of problems,
 * or -1 with err set when the check itself could not run.
 */
long long folio_archive_verify(struct folio_archive *arc,
			       void (*fn)(void *arg, const char *problem), void *arg,
			       int daemon_alive, struct folio_err *err);

/* ---- IMAP mailboxes (src/watch/mailbox.c; schema 11) ---------------- */

/*
 * The UIDVALIDITY of `folder` of `account` as last seen and the highest
 * UID handled under it (0 and 0 when never polled).
 */
int folio_mail_folder(struct folio_archive *arc, const char *account, const char *folder,
		      uint32_t *uidvalidity, uint32_t *last_uid, struct folio_err *err);

/* The folder's UIDVALIDITY changed (or it is new): remember `uidvalidity`
 * with no UID handled; the rows of other UIDVALIDITYs stay. */
int folio_mail_folder_reset(struct folio_archive *arc, const char *account, const char *folder,
			    uint32_t uidvalidity, struct folio_err *err);

/*
 * Record message `uid` in state `state`: "skipped" (by the rules, never
 * downloaded), "downloaded" (its bytes in the spool, sha256 known),
 * "stored" (its documents committed), "nodoc" (it gave no document:
 * quarantined, `reason` says why) or "done" (its after-action done). In
 * the same transaction the folder's highest UID handled becomes `uid`
 * when it is higher. sha256 NULL keeps the one recorded.
 */
int folio_mail_message(struct folio_archive *arc, const char *account, const char *folder,
		       uint32_t uidvalidity, uint32_t uid, const char *state, const char *sha256,
		       long long size, const char *reason, struct folio_err *err);

/* Call fn for every message of the folder left "downloaded" or "stored"
 * (by a run that stopped), in UID order; sha256 may be NULL. */
int folio_mail_unfinished(struct folio_archive *arc, const char *account, const char *folder,
			  uint32_t uidvalidity,
			  int (*fn)(void *ctx, uint32_t uid, const char *state, const char *sha256),
			  void *ctx, struct folio_err *err);

/* Account `account` was just polled: `error` NULL when it went well, else
 * why not (kept until the next poll). */
int folio_mail_poll_record(struct folio_archive *arc, const char *account, const char *error,
			   struct folio_err *err);

/* What folio status shows of an account (schema 13). */
struct folio_mail_state {
	double polled_at;  /* 0: never polled */
	char error[512];   /* "" when the last poll went well */
	long long handled; /* messages recorded done, skipped or nodoc */
};

/* The account's last poll into *st, and fn once per folder known (its
 * UIDVALIDITY and highest UID handled), by name. fn non-zero stops. */
int folio_mail_state(struct folio_archive *arc, const char *account, struct folio_mail_state *st,
		     int (*fn)(void *ctx, const char *folder, uint32_t uidvalidity,
			       uint32_t last_uid),
		     void *ctx, struct folio_err *err);

/* ---- correspondents: the vendor registry ---------------------------- */

/* A spelling of a vendor's name, or an IBAN, and on how many of its
 * documents it was seen. */
struct folio_vendor_seen {
	const char *value;
	long long count;
};

/*
 * One vendor: the sender of documents, keyed by its tax ID when one was
 * seen. Every archived document with a seller name or tax ID belongs to
 * one (matched by tax ID, then IBAN, then name, when it is stored).
 * Strings and arrays are valid during the callback only.
 */
struct folio_vendor {
	long long id;
	const char *tax_id; /* with its country prefix; NULL when unknown */
	const char *name;   /* the most frequent spelling; NULL when none */
	long long documents;
	const char *first_seen, *last_seen;    /* when its documents were added */
	const struct folio_vendor_seen *names; /* most frequent first */
	size_t nnames;
	const struct folio_vendor_seen *ibans; /* most frequent first */
	size_t nibans;
};

/* Call fn for each vendor, most documents first (at most `limit`, 0 for
 * all). fn returns non-zero to stop. */
int folio_archive_vendors(struct folio_archive *arc, int limit,
			  int (*fn)(void *ctx, const struct folio_vendor *v), void *ctx,
			  struct folio_err *err);

/* ---- the export ledger (SQLite: src/archive/sqlite/export_ledger.c, schema 7;
 * PostgreSQL: src/archive/pg/ledger.c, schema 2) ----------------------------- */

/* One file of an export batch: the bytes written and their name in the
 * batch's folder ("" for a batch that is one file). */
struct folio_ledger_file {
	const char *name;
	const void *data;
	size_t len;
	char sha256[65];
};

/* One exported document: its invoice key ("SELLER_TAX_ID|NUMBER", NULL
 * when either is unknown) and the checksum of its bytes. */
struct folio_ledger_item {
	long long doc_id;
	const char *invoice_key;
	char sha256[65];
};

struct folio_ledger_batch {
	const char *target; /* "csv" or "csv:PROFILE" */
	const char *format, *profile, *query;
	const char *out; /* absolute path, or "-" for standard output */
	const char *now; /* "YYYY-MM-DDTHH:MM:SSZ" */
	const struct folio_ledger_file *files;
	size_t nfiles;
	const struct folio_ledger_item *items;
	size_t nitems;
	long long id; /* the number folio_ledger_next gave, which the
				    * files print (0: whatever comes) */
};

/* 1 when document `doc_id` was exported to `target`, 0 when not, <0 on error. */
int folio_ledger_exported(struct folio_archive *arc, long long doc_id, const char *target,
			  struct folio_err *err);

/*
 * The document other than `not_doc` whose invoice key `key` was exported
 * to `target` (its batch in *batch), 0 when none, <0 on error.
 */
long long folio_ledger_key_owner(struct folio_archive *arc, const char *target, const char *key,
				 long long not_doc, long long *batch, struct folio_err *err);

/*
 * Record a batch as 'pending', in one transaction: its row, its files'
 * checksums, one row per document, and a copy of every file (SQLite:
 * under ARCHIVE/exports/ID/, fsynced before the commit; PostgreSQL: in
 * the database, in the same transaction). Once this returns
 * FOLIO_OK the batch exists and must be delivered (folio_ledger_done
 * after the files are in place; folio_ledger_batches lists pending ones
 * after a crash). A document already exported to the target (another
 * export ran at the same time) fails with FOLIO_E_USAGE and records
 * nothing, as does a batch whose promised number `b->id` another export
 * took meanwhile, or - when `b->id` was promised - whose number a later
 * batch passed meanwhile. *id receives the batch number.
 */
int folio_ledger_record(struct folio_archive *arc, const struct folio_ledger_batch *b,
			long long *id, struct folio_err *err);

/* The number the next batch will get (a ledger journal prints it), 0
 * when the backend cannot tell, <0 on error. */
long long folio_ledger_next(struct folio_archive *arc, struct folio_err *err);

/* Mark batch `id` delivered. */
int folio_ledger_done(struct folio_archive *arc, long long id, struct folio_err *err);

/* One batch as the ledger has it; strings valid during the callback. */
struct folio_batch_info {
	long long id;
	const char *target, *format, *profile, *query, *out, *state;
	const char *created_at, *done_at;
	long long documents, bytes, files;
};

/* Batches, newest first (only 'pending' ones when `pending`); fn returns
 * non-zero to stop. FOLIO_E_NOTFOUND from folio_ledger_batch when `id`
 * is not a batch. */
int folio_ledger_batches(struct folio_archive *arc, int pending,
			 int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
			 struct folio_err *err);
int folio_ledger_batch(struct folio_archive *arc, long long id,
		       int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		       struct folio_err *err);

/*
 * The files of batch `id` in order: name, checksum, size and where the
 * kept copy is (SQLite: its path, ARCHIVE/exports/ID/NAME, or .../output
 * for a one-file batch; PostgreSQL: "ADDRESS exports/ID/NAME", a name
 * for messages). Read a copy with folio_ledger_copy. fn returns non-zero
 * to stop.
 */
int folio_ledger_files(struct folio_archive *arc, long long id,
		       int (*fn)(void *ctx, const char *name, const char *sha256, long long bytes,
				 const char *copy),
		       void *ctx, struct folio_err *err);

/*
 * The bytes of the kept copy of batch `id`'s file `name` (`copy` as
 * folio_ledger_files gave it) into a new buffer *data of *len bytes
 * (caller frees; not NUL-terminated). A missing copy fails with
 * FOLIO_FAILED (FOLIO_E_NOTFOUND or FOLIO_E_IO) and *data NULL. The
 * caller compares the bytes with the ledger's checksum.
 */
int folio_ledger_copy(struct folio_archive *arc, long long id, const char *name, const char *copy,
		      unsigned char **data, size_t *len, struct folio_err *err);

/* The documents of batch `id` in order of export. */
int folio_ledger_items(struct folio_archive *arc, long long id,
		       int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
		       struct folio_err *err);

/* The vendor registry's name for document `id`'s seller (caller frees),
 * NULL when none. */
char *folio_archive_vendor_name(struct folio_archive *arc, long long id);

/* ---- moving an archive to another backend (folio migrate, src/archive/migrate.c) ---- */

/* One table moved: its rows in the source and in the target after the copy. */
struct folio_migrate_table {
	char name[32];
	long long from, to;
};

struct folio_migrate_report {
	char to[1024]; /* the target, as folio_archive_dir() shows it */
	struct folio_migrate_table tables[32];
	int ntables;
	long long originals, bytes; /* originals copied and re-hashed in the target */
	long long problems;	    /* what folio verify finds in the target */
};

/*
 * Copy the archive `src` into a new archive at `to` (a folder for SQLite,
 * an address for PostgreSQL): every document with its pages, fields,
 * tags, codes and fingerprint bands, the vendors, templates, the audit
 * log (its rows with their hashes as they are, so the chain stays the
 * same chain), the export ledger with its batches' kept copies, the IMAP
 * state, and every original. The intake journal and the daemon's row
 * belong to the stations that watch, not to the archive's content, and
 * stay behind. Ids stay the same. A target that holds an archive with
 * any document, event or batch is refused (FOLIO_E_USAGE) before
 * anything is written; a folder that exists and is not empty too; and
 * so is an archive in which folio verify finds a problem (FOLIO_E_DB),
 * since the copy is checked the same way. On PostgreSQL the copy is one
 * transaction (a failure leaves an empty archive); a folder keeps what
 * was written before a failure.
 * Afterwards every table's rows are counted on both sides and every
 * original is read back from the target and its SHA-256 checked, and
 * folio verify runs on the target: a difference fails with FOLIO_E_DB
 * and the report says where. `src` is only read.
 */
int folio_archive_migrate(struct folio_archive *src, const char *to,
			  struct folio_migrate_report *rep, struct folio_err *err);

/* A value of a row being moved: `len` bytes at `p`, p NULL for SQL NULL. */
struct folio_cell {
	const void *p;
	size_t len;
};

/* ---- backends ------------------------------------------------------------ */

/*
 * The functions above are the storage interface: every one dispatches
 * through the backend that opened the handle, so the pipeline, the export
 * service, the daemon and the CLI never know which engine holds the
 * archive. folio_archive_open() offers `where` to each backend in turn
 * (accepts()); SQLite, the built-in backend, takes a folder path. A
 * backend is one table of functions with the contracts written above,
 * each taking the backend's own handle (struct folio_store, opaque here)
 * in place of the archive; `version` is FOLIO_STORE_OPS_VERSION of the
 * header the backend was written against, so a table from an older
 * header is refused rather than called past its end. Adding a backend is
 * one file filling the table and one line in the list of backends
 * (src/archive/archive.c); no caller changes.
 */
#define FOLIO_STORE_OPS_VERSION 9

struct folio_store;

struct folio_store_ops {
	int version;	  /* FOLIO_STORE_OPS_VERSION */
	const char *name; /* "sqlite" */
	/* 1 when this backend opens `where` (a folder, a URL...) */
	int (*accepts)(const char *where);
	struct folio_store *(*open)(const char *where, int flags, struct folio_err *err);
	void (*close)(struct folio_store *store);
	const char *(*dir)(const struct folio_store *store);
	int (*readonly)(const struct folio_store *store);
	int (*schema_version)(struct folio_store *store);
	int (*each_sha)(struct folio_store *store,
			int (*fn)(void *ctx, const char *sha256, long long id), void *ctx,
			struct folio_err *err);
	long long (*find_sha)(struct folio_store *store, const char *sha256, struct folio_err *err);
	int (*summary)(struct folio_store *store, long long id, int *pages, char *type,
		       size_t typelen, struct folio_err *err);
	int (*has_path)(struct folio_store *store, long long id, const char *path);
	int (*add)(struct folio_store *store, struct folio_doc *doc, struct folio_err *err);
	int (*event)(struct folio_store *store, const char *kind, long long doc_id,
		     const char *sha256, const char *path, const char *detail,
		     struct folio_err *err);
	int (*get)(struct folio_store *store, long long id, struct folio_doc **out,
		   struct folio_err *err);
	int (*tag)(struct folio_store *store, long long id, const char *const *add,
		   const char *const *remove, struct folio_err *err);
	int (*retype)(struct folio_store *store, long long id, const char *type,
		      struct folio_err *err);
	int (*update_fields)(struct folio_store *store, const struct folio_doc *doc,
			     const char *detail, struct folio_err *err);
	int (*template_put)(struct folio_store *store, const struct folio_template *t,
			    struct folio_err *err);
	int (*templates)(struct folio_store *store,
			 int (*fn)(void *ctx, const struct folio_template *t), void *ctx,
			 struct folio_err *err);
	long long (*find_asn)(struct folio_store *store, const char *asn);
	int (*each_confirmed)(struct folio_store *store,
			      int (*fn)(void *ctx, long long id, const char *type,
					const char *text),
			      void *ctx, struct folio_err *err);
	int (*review)(struct folio_store *store, int limit,
		      int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
		      struct folio_err *err);
	char *(*blob_path)(const struct folio_store *store, const char *sha256);
	int (*search)(struct folio_store *store, const struct folio_search_opts *opts,
		      int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx,
		      struct folio_err *err);
	long long (*count)(struct folio_store *store, const struct folio_search_opts *opts,
			   struct folio_err *err);
	int (*stats)(struct folio_store *store, struct folio_stats *st, struct folio_err *err);
	int (*journal_received)(struct folio_store *store, const char *path, long long size,
				long long *id, struct folio_err *err);
	int (*journal_settle)(struct folio_store *store, long long id, const char *state,
			      long long documents, long long pages, const char *reason,
			      const char *moved_to, struct folio_err *err);
	long long (*store_cleanup)(struct folio_store *store);
	long long (*journal_recover)(struct folio_store *store, struct folio_err *err);
	int (*daemon_beat)(struct folio_store *store, long pid, double started_at, long long queue,
			   long long unsettled, const char *inboxes, struct folio_err *err);
	int (*daemon_gone)(struct folio_store *store, long pid);
	int (*status)(struct folio_store *store, struct folio_status *st, struct folio_err *err);
	long long (*verify)(struct folio_store *store, void (*fn)(void *arg, const char *problem),
			    void *arg, int daemon_alive, struct folio_err *err);
	int (*vendors)(struct folio_store *store, int limit,
		       int (*fn)(void *ctx, const struct folio_vendor *v), void *ctx,
		       struct folio_err *err);
	int (*ledger_exported)(struct folio_store *store, long long doc_id, const char *target,
			       struct folio_err *err);
	long long (*ledger_key_owner)(struct folio_store *store, const char *target,
				      const char *key, long long not_doc, long long *batch,
				      struct folio_err *err);
	int (*ledger_record)(struct folio_store *store, const struct folio_ledger_batch *b,
			     long long *id, struct folio_err *err);
	int (*ledger_done)(struct folio_store *store, long long id, struct folio_err *err);
	int (*ledger_batches)(struct folio_store *store, int pending,
			      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
			      struct folio_err *err);
	int (*ledger_batch)(struct folio_store *store, long long id,
			    int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
			    struct folio_err *err);
	int (*ledger_files)(struct folio_store *store, long long id,
			    int (*fn)(void *ctx, const char *name, const char *sha256,
				      long long bytes, const char *copy),
			    void *ctx, struct folio_err *err);
	int (*ledger_items)(struct folio_store *store, long long id,
			    int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
			    struct folio_err *err);
	char *(*vendor_name)(struct folio_store *store, long long id);
	/* optional (NULL: formats print no batch number): the number the
	 * next batch will get */
	long long (*ledger_next)(struct folio_store *store, struct folio_err *err);
	/* version 2: the matching step's look-ups */
	int (*near_texts)(struct folio_store *store, uint64_t simhash,
			  int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
			  struct folio_err *err);
	long long (*find_invoice)(struct folio_store *store, const char *seller_tax_id,
				  const char *invoice_number, struct folio_err *err);
	long long (*vendor_by_tax)(struct folio_store *store, const char *tax_id,
				   struct folio_err *err);
	long long (*vendor_by_iban)(struct folio_store *store, const char *iban, int untaxed_only,
				    struct folio_err *err);
	long long (*vendor_by_key)(struct folio_store *store, const char *key, int untaxed_only,
				   struct folio_err *err);
	int (*vendor_keys)(struct folio_store *store, int untaxed_only,
			   int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
			   struct folio_err *err);
	/* version 3: IMAP mailboxes' state */
	int (*mail_folder)(struct folio_store *store, const char *account, const char *folder,
			   uint32_t *uidvalidity, uint32_t *last_uid, struct folio_err *err);
	int (*mail_folder_reset)(struct folio_store *store, const char *account, const char *folder,
				 uint32_t uidvalidity, struct folio_err *err);
	int (*mail_message)(struct folio_store *store, const char *account, const char *folder,
			    uint32_t uidvalidity, uint32_t uid, const char *state,
			    const char *sha256, long long size, const char *reason,
			    struct folio_err *err);
	int (*mail_unfinished)(struct folio_store *store, const char *account, const char *folder,
			       uint32_t uidvalidity,
			       int (*fn)(void *ctx, uint32_t uid, const char *state,
					 const char *sha256),
			       void *ctx, struct folio_err *err);
	/* version 4: SDI notices and their invoices (folio_archive_sdi_*);
	 * sdi_notices calls fn with every document whose sdi_file field is
	 * `file` or `file`.p7m, the filtering is the interface's */
	long long (*sdi_invoice)(struct folio_store *store, const char *file_name,
				 struct folio_err *err);
	int (*sdi_notices)(struct folio_store *store, const char *file,
			   int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err);
	/* every document whose sdi_id field is `sdi_id` */
	int (*sdi_by_id)(struct folio_store *store, const char *sdi_id,
			 int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err);
	/* version 5: IMAP accounts' last poll (folio_mail_poll_record,
	 * folio_mail_state) */
	int (*mail_poll_record)(struct folio_store *store, const char *account, const char *error,
				struct folio_err *err);
	int (*mail_state)(struct folio_store *store, const char *account,
			  struct folio_mail_state *st,
			  int (*fn)(void *ctx, const char *folder, uint32_t uidvalidity,
				    uint32_t last_uid),
			  void *ctx, struct folio_err *err);
	/* version 6: the bytes of a batch's kept copy (folio_ledger_copy) */
	int (*ledger_copy)(struct folio_store *store, long long id, const char *name,
			   const char *copy, unsigned char **data, size_t *len,
			   struct folio_err *err);
	/* version 7: moving an archive (folio_archive_migrate). rows() calls
	 * fn with every row of `table` (columns `cols`, in primary key
	 * order), values as text, a blob as its bytes; the column "data" of
	 * export_files is the kept copy's bytes wherever the backend keeps
	 * it. put_row() stores one such row, put_original() one original;
	 * moving(1) before the first (one transaction where the engine has
	 * them) and moving(0) after the last (commit, then what the engine
	 * derives: indexes, counters). table_rows() is a table's rows, -1 on
	 * error; empty() is 1 when the archive holds no document, event or
	 * batch. */
	int (*rows)(struct folio_store *store, const char *table, const char *const *cols,
		    int ncols, int (*fn)(void *ctx, const struct folio_cell *row), void *ctx,
		    struct folio_err *err);
	int (*put_row)(struct folio_store *store, const char *table, const char *const *cols,
		       int ncols, const struct folio_cell *row, struct folio_err *err);
	int (*put_original)(struct folio_store *store, const char *sha256, const void *data,
			    size_t len, struct folio_err *err);
	int (*moving)(struct folio_store *store, int start, struct folio_err *err);
	long long (*table_rows)(struct folio_store *store, const char *table,
				struct folio_err *err);
	int (*empty)(struct folio_store *store, struct folio_err *err);
	/* version 8: the audit trail (folio_archive_events); with
	 * `chain_only`, only the hash chain's events, in the order of their
	 * ids (folio_archive_chain) */
	int (*events)(struct folio_store *store, long long doc_id, const char *since,
		      int chain_only, int (*fn)(void *ctx, const struct folio_event *ev), void *ctx,
		      struct folio_err *err);
	/* legal hold (folio_archive_hold, folio_archive_hold_state) */
	int (*hold)(struct folio_store *store, long long id, int on, const char *detail,
		    struct folio_err *err);
	int (*hold_state)(struct folio_store *store, long long id, struct folio_hold *h,
			  struct folio_err *err);
	/* optional (NULL: not on this backend yet): folio_archive_delete,
	 * `detail` checked */
	int (*delete_doc)(struct folio_store *store, long long id, const char *detail, int flags,
			  struct folio_deletion *d, struct folio_err *err);
	/* version 9, optional (NULL: folio backup is not available on this
	 * backend yet): write a consistent copy of the database to the new
	 * file `path` (SQLite: VACUUM INTO) while other processes may write;
	 * the originals it names are immutable and copied after it */
	int (*snapshot)(struct folio_store *store, const char *path, struct folio_err *err);
};

/*
 * Backup and restore (src/archive/backup.c, libarchive). A bundle is a tar
 * (gzip or zstd compressed by the name's suffix .tar.gz / .tar.zst) of
 *
 *   folio.db                a consistent snapshot of the database
 *   store/ab/cd/<sha256>    every original the snapshot names
 *   exports/...             the export ledger's kept copies
 *   MANIFEST.json           last: a JSON array, first an object with
 *                           format "folio-backup", version, folio, schema,
 *                           created, events and head (the hash chain's),
 *                           members; then {path, sha256, size} per member
 */
struct folio_backup_info {
	long long members;   /* members besides the manifest */
	long long originals; /* of them under store/ */
	long long exports;   /* of them under exports/ */
	long long bytes;     /* their bytes, uncompressed */
	long long events;    /* events in the hash chain */
	char head[65];	     /* the chain's head hash, "" when no event */
	int schema;	     /* the database's schema version */
	char created[32];    /* when the snapshot was taken */
	long long problems;  /* restore: what verify found in the copy */
	/* restore: journal rows of files a daemon had in hand at the snapshot,
	 * marked 'interrupted' (as after a crash: not in this archive) */
	long long interrupted;
};

/*
 * Write a bundle of `arc` to `out` (".tar", ".tar.gz", ".tgz" or ".tar.zst";
 * another name is FOLIO_E_USAGE), safe while a daemon writes to it. The
 * bundle is written to a temp file in out's folder and renamed at the end,
 * after fsync: `out` never holds half a bundle, and it is never
 * overwritten (FOLIO_E_USAGE when it exists). On failure (a full disk, an
 * unwritable folder, an original missing) the temp file is removed and err
 * says why. A backend without a snapshot op fails with FOLIO_E_USAGE and
 * errno ENOSYS. Fills *info (may be NULL).
 */
int folio_archive_backup(struct folio_archive *arc, const char *out, struct folio_backup_info *info,
			 struct folio_err *err);

/*
 * Rebuild the SQLite archive of bundle `path` in `dir`, which must be
 * missing or an empty folder (else FOLIO_E_USAGE, nothing touched). Every
 * member's name is checked before it is written (no absolute path, no
 * "..", no link or special file, nothing but the members above) and its
 * bytes against the manifest (sha256, size; a member missing from the
 * bundle or from the manifest is refused too, naming it); then the archive
 * is opened, the journal's rows still 'received' at the snapshot marked
 * 'interrupted' (info->interrupted), and it is verified as folio verify does (`problem`, may be NULL,
 * gets each finding) and its chain's head and length compared with the
 * manifest's. On any failure nothing is left in `dir` (a folder made here
 * is removed, an empty one given is emptied) and err names what failed;
 * problems found by the verification are FOLIO_FAILED with
 * info->problems set.
 */
int folio_archive_restore(const char *path, const char *dir, struct folio_backup_info *info,
			  void (*problem)(void *arg, const char *problem), void *arg,
			  struct folio_err *err);

/* The built-in SQLite backend (src/archive/db.c and its neighbours). */
extern const struct folio_store_ops folio_sqlite_ops;

/* The PostgreSQL backend (src/archive/pg/): "postgresql://...",
 * "postgres://..." or "service=NAME" (libpq's addresses). An address
 * holding a password is refused (FOLIO_E_USAGE): libpq finds it in
 * PGPASSFILE / ~/.pgpass, or peer or certificate authentication needs
 * none. folio_archive_dir() is then the address without secrets, not a
 * folder. The operations it does not have yet fail with FOLIO_E_USAGE
 * and "... is not available on PostgreSQL archives yet". */
extern const struct folio_store_ops folio_pg_ops;

/* The backend of an open archive ("sqlite", "postgresql"). */
const char *folio_archive_backend(const struct folio_archive *arc);

/* The backend's own handle of `arc` when `ops` opened it, else NULL: for a
 * backend's tests, which look behind the interface. */
struct folio_store *folio_archive_store(struct folio_archive *arc,
					const struct folio_store_ops *ops);

#endif
