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
	long long id;              /* 0 when quarantined */
	const char *sha256;        /* "" when the file could not be read */
	const char *status;        /* "archived", "duplicate", "quarantined" */
	int pages;
	const char *doc_type;      /* NULL unless archived/duplicate */
	const char *reason;        /* NULL unless quarantined or duplicate */
	const char *stage;         /* where it failed: "read", "detect", ... */
	double seconds;            /* wall time spent on it by a worker */
};

struct folio_progress {
	size_t docs_done, docs_total;   /* total grows as archives expand */
	size_t pages_done;
	double elapsed;                 /* seconds since the start */
};

struct folio_ingest_opts {
	const struct folio_config *cfg;
	/* called in the calling thread, in completion order */
	void (*on_result)(void *arg, const struct folio_result *r);
	/* called about twice a second and after each document; may be NULL */
	void (*on_progress)(void *arg, const struct folio_progress *p);
	void *arg;
};

struct folio_ingest_summary {
	size_t archived, duplicates, quarantined, pages;
	double seconds;
};

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

#endif
