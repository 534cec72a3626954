/*
 * pipeline.h - run documents through the stages, in parallel.
 *
 * The pipeline is the only caller of the stages: read bytes → sha256 →
 * detect → decode (archives expand into more documents) → prepare → OCR →
 * classify → store. Workers (default: one per core) each own a libmagic
 * handle, a MuPDF context and a Tesseract engine, created once. The
 * calling thread is the only writer to the archive: it commits finished
 * documents in the order they finish and reports each one to the caller.
 */
#ifndef FOLIO_PIPELINE_H
#define FOLIO_PIPELINE_H

#include <stddef.h>

#include "folio/archive.h"
#include "folio/config.h"
#include "folio/err.h"

/* What became of one document. Strings are valid during the callback. */
struct folio_result {
	const char *path;
	long long id;	    /* 0 when quarantined */
	const char *sha256; /* "" when the file could not be read */
	const char *status; /* "archived", "duplicate", "quarantined" */
	int pages;
	const char *doc_type; /* NULL unless archived/duplicate */
	const char *reason;   /* NULL unless quarantined or duplicate */
	const char *stage;    /* where it failed: "read", "detect", ... */
	double seconds;	      /* wall time spent on it by a worker */
	/* where the time went: reading and hashing, decoding with OCR,
	 * extracting fields, classifying, storing (the writer's part) */
	double t_read, t_decode, t_extract, t_classify, t_store;
};

struct folio_progress {
	size_t docs_done, docs_total; /* total grows as archives expand */
	size_t pages_done;
	double elapsed; /* seconds since the start */
};

/* What became of one submitted file once it, and every document found
 * inside it (archive entries), is settled. */
struct folio_source_result {
	const char *path;
	void *cookie; /* as given to folio_pipeline_submit() */
	size_t archived, duplicates, quarantined;
	size_t pages;	     /* of the documents archived from it */
	const char *reasons; /* one line per quarantined document; "" if none */
};

struct folio_ingest_opts {
	const struct folio_config *cfg;
	/* called in the calling thread, in completion order */
	void (*on_result)(void *arg, const struct folio_result *r);
	/* called about twice a second and after each document; may be NULL */
	void (*on_progress)(void *arg, const struct folio_progress *p);
	/* called when a submitted file is settled; may be NULL */
	void (*on_source)(void *arg, const struct folio_source_result *s);
	void *arg;
	/* a duplicate of a document archived from the very same path counts
	 * as archived: an inbox file whose removal a crash interrupted */
	int recover_same_path;
};

struct folio_ingest_summary {
	size_t archived, duplicates, quarantined, pages;
	double seconds;
};

struct folio_pipeline;

/*
 * Start the workers (their OCR engines load in parallel; a missing
 * language pack makes the first folio_pipeline_step() fail). `arc` and
 * `opts` must outlive the pipeline. NULL with err set on failure.
 */
struct folio_pipeline *folio_pipeline_new(struct folio_archive *arc,
					  const struct folio_ingest_opts *opts,
					  struct folio_err *err);

/*
 * An inbox with settings of its own: ROOT/.folio.conf (the config file
 * format) may set languages, split_barcode and split_blank for the files
 * submitted from below ROOT. FOLIO_WARN when there is no such file; a bad
 * one fails with file, line and key.
 */
int folio_pipeline_add_inbox(struct folio_pipeline *p, const char *root, struct folio_err *err);

/*
 * Queue one file with tags for its documents; cookie comes back in
 * on_source. Never blocks: the caller bounds what it submits (see
 * folio_pipeline_queued).
 *
 * `root`: the inbox or folder `path` was found in; it is then opened by
 * the symlink rule of folio_open_input() (a link is refused unless the
 * config's follow_symlinks, and then only to a file inside root). NULL: a
 * path the user named, followed. Non-regular files are refused either way.
 */
int folio_pipeline_submit(struct folio_pipeline *p, const char *path, const char *root,
			  const char *const *tags, size_t ntags, void *cookie,
			  struct folio_err *err);

/* As folio_pipeline_submit(), and field `field` (one of folio_field_defs)
 * is set to `value` (copied) on every document archived from the file:
 * where it came from (mail_source). field NULL: none. */
int folio_pipeline_submit_field(struct folio_pipeline *p, const char *path, const char *root,
				const char *const *tags, size_t ntags, const char *field,
				const char *value, void *cookie, struct folio_err *err);

/*
 * Handle finished documents in the calling thread: store them, report
 * them. Waits up to `timeout` seconds for the first one. FOLIO_OK, or
 * FOLIO_FATAL when the run cannot go on (err says why).
 */
int folio_pipeline_step(struct folio_pipeline *p, double timeout, struct folio_err *err);

/* Step until nothing is outstanding. */
int folio_pipeline_drain(struct folio_pipeline *p, struct folio_err *err);

/* Jobs submitted and not yet handled / waiting for a worker. */
size_t folio_pipeline_outstanding(struct folio_pipeline *p);
size_t folio_pipeline_queued(struct folio_pipeline *p);

/* Readable when finished documents wait (for poll(2) in a caller's loop). */
int folio_pipeline_fd(const struct folio_pipeline *p);

void folio_pipeline_summary(const struct folio_pipeline *p, struct folio_ingest_summary *sum);

/* Stop the workers; whatever is still queued is abandoned unreported. */
void folio_pipeline_free(struct folio_pipeline *p);

/*
 * The matching step (src/pipeline/match.c), run on a finished document
 * just before folio_archive_add(): sets doc->dup_of to the oldest archived
 * document it repeats (text fingerprint within FOLIO_SIMHASH_NEAR bits,
 * else the same seller tax ID and invoice number; 0 none) and
 * doc->vendor_id to the registered vendor of its seller (by tax ID, then
 * IBAN, then name key, equal or FOLIO_VENDOR_SIMILAR; a vendor with a tax
 * ID never takes a document with another; 0 none). Only reads the
 * archive. FOLIO_FAILED when a look-up fails (err set).
 */
int folio_match(struct folio_archive *arc, struct folio_doc *doc, struct folio_err *err);

/*
 * Ingest files and folders (recursively, hidden entries skipped) into
 * `arc`. A document that fails is reported as quarantined and the rest go
 * on; the source files are never modified. Returns FOLIO_OK when the run
 * completed (whatever became of single documents), FOLIO_FATAL when it
 * could not (the archive failed, out of memory, OCR engine missing).
 */
int folio_ingest(struct folio_archive *arc, char *const *paths, size_t npaths,
		 const struct folio_ingest_opts *opts, struct folio_ingest_summary *sum,
		 struct folio_err *err);

/*
 * folio watch: follow the inboxes (cfg->inboxes, or `inboxes` when given),
 * ingest every complete file, then remove it (or move it to done_dir) once
 * its documents are committed, or move it to the quarantine folder with a
 * NAME.reason.txt beside it. A journal in the archive records each file's
 * state; a crash at any point leaves either the inbox file or a committed
 * document, and a restart finishes the job. SIGTERM/SIGINT: stop taking
 * files, finish the ones in hand, return. SIGHUP: re-read `config_path`.
 *
 * once: process what is there, wait for the work to finish, return.
 * *quarantined counts the files that went to quarantine, *mail_failed (once)
 * the IMAP accounts that could not be polled (each logged with why).
 */
int folio_watch_run(struct folio_archive *arc, struct folio_config *cfg, const char *config_path,
		    char *const *inboxes, size_t ninboxes, int once, size_t *quarantined,
		    size_t *mail_failed, struct folio_err *err);

/* One correction: FIELD=VALUE as typed. */
struct folio_fix {
	const char *name;
	const char *value;
};

/*
 * `folio note ID TEXT`: append "TEXT (WHO, YYYY-MM-DD)" as a line of the
 * document's note field (searchable, exported), through folio_fix_doc.
 * TEXT is one line of at most 2000 bytes.
 */
int folio_note_doc(struct folio_archive *arc, const struct folio_config *cfg, long long id,
		   const char *text, const char *who, struct folio_doc **out,
		   struct folio_err *err);

/*
 * `folio review --done ID`: a person checked the document. Its open
 * reasons are kept in the field review_accepted (a later folio fix does
 * not raise them again), a possible duplicate is declared none, the status
 * becomes archived and an event records who accepted what, with `note`.
 * FOLIO_E_USAGE when the document needs no review. *out as for fix.
 */
int folio_review_accept(struct folio_archive *arc, long long id, const char *who, const char *note,
			struct folio_doc **out, struct folio_err *err);

/* Drop from doc->review the reasons its review_accepted field lists (the
 * same problem, whatever its figures); no reason left clears
 * needs_review. -1 when memory runs out. */
int folio_review_apply_accepted(struct folio_doc *doc);

/*
 * The command that answers one reason (`len` bytes of `reason`, one of
 * doc->review's): `folio fix ID FIELD=VALUE` with the value as read when
 * there is one, for a person to confirm or edit, a placeholder when it is
 * missing; `folio review --done ID` for what no field fixes. Appended to
 * `out`; returns 1 when the advice is to accept, 0 when it is a fix.
 */
struct folio_strbuf;
int folio_review_advice(const struct folio_doc *doc, const char *reason, size_t len,
			struct folio_strbuf *out);

/*
 * `folio fix`: validate and set the fields of document `id` (source user,
 * confidence 1; a bad date, amount, tax ID or IBAN is refused with the
 * reason before anything changes), reconcile again, recompute the review
 * and store it all with a "fixed" event naming `who`. On success *out (if
 * not NULL) is the updated document, for the caller to show and free.
 */
int folio_fix_doc(struct folio_archive *arc, const struct folio_config *cfg, long long id,
		  const struct folio_fix *fx, size_t n, const char *who, struct folio_doc **out,
		  struct folio_err *err);

/* What `folio train` did. */
struct folio_train_report {
	size_t base;	  /* examples from the shipped corpus */
	size_t confirmed; /* documents whose type a person set */
	size_t fit;	  /* of those, predicted right by the new model */
	char path[4096];  /* where the model was written */
};

/*
 * `folio train`: learn a document-type model from the shipped corpus
 * (MODELS/doctype-corpus, when present) and every document whose type a
 * person set (folio retype, folio fix doc_type=), the latter weighted 3x,
 * and write it to ARCHIVE/doctype.model (temp file, fsync, rename), which
 * ingest and watch then use instead of MODELS/doctype.model.
 */
int folio_train(struct folio_archive *arc, const struct folio_config *cfg,
		struct folio_train_report *rep, struct folio_err *err);

/* ---- accounting export (src/export/service.c) ------------------------ */

struct folio_export_opt;

/* `folio export`: what to export where. */
struct folio_export_req {
	const char *format;		     /* --to; NULL: the profile's `format` */
	const char *profile;		     /* --profile, NULL: none */
	const char *out;		     /* --out; NULL: a new name in the current folder;
				    * "-": standard output (one-file formats) */
	const char *query;		     /* search filters and words (NULL: everything) */
	const struct folio_export_opt *sets; /* --set KEY=VALUE, over the profile */
	size_t nsets;
	int dry_run;	    /* decide and report, write nothing */
	int include_review; /* also documents that need review */
	int force;	    /* also probable duplicates of exported invoices */
};

/* What happened to one document. */
enum folio_export_fate {
	FOLIO_XF_EXPORTED,
	FOLIO_XF_REFUSED, /* the format cannot carry it: reason */
	FOLIO_XF_HELD,	  /* probably an invoice already exported: reason */
	FOLIO_XF_REVIEW,  /* needs review (see --include-review) */
};

struct folio_export_note {
	long long doc_id;
	const char *number; /* invoice number or NULL */
	const char *file;   /* the file written (folder exports), or NULL */
	enum folio_export_fate fate;
	const char *reason; /* NULL for exported documents */
};

struct folio_export_report {
	/* called for every document considered, in order (may be NULL) */
	void (*note)(void *ctx, const struct folio_export_note *n);
	void *ctx;

	char target[160];
	char out[4096];	 /* where the batch went ("-" for stdout) */
	long long batch; /* 0 when nothing was written */
	size_t exported, refused, held, review, already;
	size_t files;
	long long bytes;
	long long recovered; /* pending batches completed before this one */
	long long stuck;     /* pending batches that could not be completed */
	char stuck_msg[512]; /* why (the last of them) */
};

/*
 * Run an export: complete any batch a crash left pending, select the
 * documents (invoices and credit notes unless the query names a type;
 * not needing review; not yet exported to the target), hold back
 * probable duplicates (same seller tax ID and number already exported to
 * the target from another document), let the module write the rest and
 * commit files and ledger together (see src/export/service.c). Refusals
 * do not stop the batch. FOLIO_E_USAGE / FOLIO_E_CONFIG for bad requests.
 */
int folio_export_run(struct folio_archive *arc, const struct folio_config *cfg,
		     const struct folio_export_req *req, struct folio_export_report *rep,
		     struct folio_err *err);

/*
 * Complete every batch left 'pending' by a crash: put each file in place
 * from the archive's copy (unless it is already there, byte-identical),
 * then mark the batch done. A batch whose place cannot take its files
 * (a folder gone, a different file there) stays pending: *stuck counts
 * them and err (FOLIO_WARN) says why for the last one. Returns the number
 * completed, or -1 when the ledger cannot be read.
 */
long long folio_export_recover(struct folio_archive *arc, long long *stuck, struct folio_err *err);

/*
 * `folio export --again BATCH`: write batch `id` again, byte for byte, to
 * `out` (a file, or a folder for folder batches; NULL or "-": standard
 * output for one-file batches). The archive's copy is checked against
 * the ledger's checksum first. Never overwrites a file. Works for a
 * pending batch too (a way out when its place is gone).
 */
int folio_export_again(struct folio_archive *arc, long long id, const char *out,
		       struct folio_export_report *rep, struct folio_err *err);

/* ---- retention (src/pipeline/retention.c) ------------------------------ */

/* A document a retention rule applies to. */
struct folio_retention_item {
	long long id;
	char doc_type[32];
	char date[11];	/* the invoice date, else the day added */
	char rule[160]; /* "type:contract=10", "country pl=5" */
	int years;
	char until[16]; /* the first day past the period: 1 January of the
			 * year after `date`'s year + `years` */
	int expired;	/* today is `until` or later */
};

struct folio_retention {
	struct folio_retention_item *it; /* by id */
	size_t n, cap;
};

/*
 * Every document of `arc` a retention rule of `cfg` applies to (its
 * `retention` rules in order, then the retention_country default for
 * invoices, credit notes and receipts), each with its period, judged on
 * `today` ("YYYY-MM-DD"). Release with folio_retention_release.
 */
int folio_retention_plan(struct folio_archive *arc, const struct folio_config *cfg,
			 const char *today, struct folio_retention *r, struct folio_err *err);

/* The item of document `id`, NULL when no rule applies to it. */
const struct folio_retention_item *folio_retention_find(const struct folio_retention *r,
							long long id);

void folio_retention_release(struct folio_retention *r);

#endif
