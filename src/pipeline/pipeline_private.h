/* pipeline_private.h - what the pipeline's files share: the pool and its
 * queues (pipeline.c), the run of one document (worker.c) and the single
 * writer (writer.c). */
#ifndef FOLIO_PIPELINE_PRIVATE_H
#define FOLIO_PIPELINE_PRIVATE_H

#include "folio/pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "folio/classify.h"
#include "folio/decode.h"
#include "folio/detect.h"
#include "folio/ocr.h"
#include "folio/prepare.h"
#include "folio/simhash.h"
#include "folio/extract.h"
#include "folio/barcode.h"
#include "folio/util.h"

enum outcome_kind {
	O_READY,       /* decoded and read: store it */
	O_DUP_KNOWN,   /* same bytes already archived */
	O_DUP_PENDING, /* same bytes in flight in this run */
	O_FAILED,      /* quarantine */
	O_CONTAINER,   /* an archive whose entries were queued */
};

/*
 * A submitted source file and everything found inside it. It is settled,
 * and reported to on_source, when its own job and all its entries' jobs
 * are handled. Counters are touched by the writer only, `pending` under mu.
 */
/* An inbox with settings of its own (INBOX/.folio.conf). */
struct inbox {
	struct inbox *next;
	char *root;
	char *languages; /* NULL: per-page choice among the global ones */
	regex_t split_re;
	int have_split_re;
	int split_blank;
};

struct origin {
	const struct inbox *inbox; /* NULL: the global settings */
	char *path;
	char *root; /* the inbox or folder it was found in (the
				     * symlink rule applies), NULL: named by
				     * the user (see folio_open_input()) */
	void *cookie;
	char **tags;
	size_t ntags;
	char *field, *value; /* set on each of its documents, or NULL */
	size_t pending;	     /* jobs of this origin not yet handled */
	size_t archived, duplicates, quarantined, pages;
	struct folio_strbuf reasons;
};

struct job {
	struct job *next;
	char *path;
	struct folio_doc *doc; /* preloaded (archive entry) or NULL */
	struct origin *origin;
};

struct outcome {
	struct outcome *next;
	struct origin *origin;
	enum outcome_kind kind;
	struct folio_doc *doc; /* O_READY */
	char *path;
	char sha[65];
	long long dup_id;
	int pages;
	const char *stage;
	char reason[FOLIO_ERR_MSG_MAX];
	double seconds;
	double t_read, t_decode, t_extract, t_classify, t_store;
};

/* S_RETRY: the archive could not take it (disk full); the same bytes may
 * come again and must then be processed as new */
enum sha_state { S_EMPTY = 0, S_INFLIGHT, S_ARCHIVED, S_FAILED, S_RETRY };

struct sha_slot {
	char sha[65];
	enum sha_state state;
	long long id;
};

struct sha_set {
	struct sha_slot *slots;
	size_t cap, n;
};

/*
 * A page handed to another worker. The page image moves into the task and
 * the result comes back in `page`; the owning worker copies it into
 * doc->pages only after decoding ends, since adding pages reallocates the
 * array under any other thread's feet.
 */
struct page_task {
	struct page_task *next;
	struct page_set *set;
	size_t index;
	struct folio_page page;
	int status;
	struct folio_err err;
};

/* The pages of one document that are out with other workers. */
struct page_set {
	struct page_task *done;	   /* finished tasks, any order */
	size_t pending;		   /* handed out, not yet finished */
	const char *languages;	   /* the inbox's OCR languages, or NULL */
	struct folio_ocr_doc *ocr; /* what its pages share (language), or NULL */
};

struct folio_pipeline {
	const struct folio_config *cfg;
	struct folio_classifier *classifier;
	struct folio_tagger *tagger;
	struct folio_extractor *extractor;
	regex_t asn_re;
	int have_asn_re;
	regex_t split_re;
	int have_split_re;
	struct inbox *inboxes;
	struct folio_archive *arc;
	const struct folio_ingest_opts *opts;
	struct worker *workers;
	int started;
	int wake[2];		      /* a pipe: readable when outcomes wait */
	struct outcome *pending_dups; /* copies waiting for their original */
	struct folio_ingest_summary sum;
	double t0;

	pthread_mutex_t mu;
	pthread_cond_t job_cv, out_cv;
	struct job *jobs, *jobs_tail;
	struct page_task *tasks; /* pages waiting for an idle worker */
	size_t ntasks;
	int idle; /* workers waiting for work */
	int nworkers;
	pthread_cond_t task_cv; /* a page task finished */
	struct outcome *outs, *outs_tail;
	size_t outstanding; /* jobs whose outcome is not yet handled */
	size_t docs_total, docs_done;
	size_t pages_done;
	int shutdown;
	int fatal;
	struct folio_err fatal_err;
	struct sha_set known;
};

struct worker {
	struct folio_pipeline *run;
	struct page_set *pages; /* of the document being decoded */
	pthread_t thread;
	struct folio_detect *detect;
	struct folio_decode_ctx *decode;
	struct folio_ocr *ocr;
	struct folio_barcode_scanner *barcode;
};

/* ---- shared inside the pipeline ----------------------------------------- */

/* pipeline.c: the queues (jobs to the workers, outcomes to the writer;
 * both under the pool's lock), the run's table of SHA-256s, the first
 * fatal error (stops the run) */
void pl_job_free(struct job *j);
void pl_outcome_free(struct outcome *o);
void pl_origin_free(struct origin *og);
void pl_push_job(struct folio_pipeline *r, struct job *j, int front);
void pl_push_outcome(struct folio_pipeline *r, struct outcome *o);
void pl_set_fatal(struct folio_pipeline *r, const struct folio_err *err);
struct sha_slot *pl_sha_find(struct sha_set *s, const char *sha);
struct sha_slot *pl_sha_put(struct sha_set *s, const char *sha, enum sha_state st, long long id);

/* worker.c: a worker thread's loop; the decoder's page callback (a page
 * of a long document shared among the workers); a vendor template loaded
 * from the archive into the extractor */
void *pl_worker_main(void *arg);
int pl_page_ready(void *arg, struct folio_doc *doc, size_t index, struct folio_err *err);
int pl_take_template(void *ctx, const struct folio_template *t);

#endif
