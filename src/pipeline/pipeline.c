/*
 * pipeline.c - the stages in order, a worker pool, and the single writer.
 * See include/folio/pipeline.h.
 *
 * Threads: N workers take jobs (a path, or a document found inside an
 * archive) from one queue and turn each into an outcome; the calling
 * thread takes outcomes, writes them to the archive and reports them.
 * Entries of an archive are queued at the front, so a large ZIP is worked
 * off before the next input file is read and memory stays bounded.
 *
 * Duplicates: a table of SHA-256s (seeded from the archive) is checked
 * before any decoding, so the same bytes are never OCR'd twice in a run.
 * A copy whose original is still in flight waits for it and is reported
 * once the original is archived (or quarantined).
 */
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
	O_READY,        /* decoded and read: store it */
	O_DUP_KNOWN,    /* same bytes already archived */
	O_DUP_PENDING,  /* same bytes in flight in this run */
	O_FAILED,       /* quarantine */
	O_CONTAINER,    /* an archive whose entries were queued */
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
	char *languages;            /* NULL: per-page choice among the global ones */
	regex_t split_re;
	int have_split_re;
	int split_blank;
};

struct origin {
	const struct inbox *inbox;  /* NULL: the global settings */
	char *path;
	char *root;                 /* the inbox or folder it was found in (the
				     * symlink rule applies), NULL: named by
				     * the user (see folio_open_input()) */
	void *cookie;
	char **tags;
	size_t ntags;
	size_t pending;             /* jobs of this origin not yet handled */
	size_t archived, duplicates, quarantined, pages;
	struct folio_strbuf reasons;
};

struct job {
	struct job *next;
	char *path;
	struct folio_doc *doc;      /* preloaded (archive entry) or NULL */
	struct origin *origin;
};

struct outcome {
	struct outcome *next;
	struct origin *origin;
	enum outcome_kind kind;
	struct folio_doc *doc;      /* O_READY */
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
	struct page_task *done;     /* finished tasks, any order */
	size_t pending;             /* handed out, not yet finished */
	const char *languages;      /* the inbox's OCR languages, or NULL */
	struct folio_ocr_doc *ocr;  /* what its pages share (language), or NULL */
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
	int wake[2];                /* a pipe: readable when outcomes wait */
	struct outcome *pending_dups; /* copies waiting for their original */
	struct folio_ingest_summary sum;
	double t0;

	pthread_mutex_t mu;
	pthread_cond_t job_cv, out_cv;
	struct job *jobs, *jobs_tail;
	struct page_task *tasks;    /* pages waiting for an idle worker */
	size_t ntasks;
	int idle;                   /* workers waiting for work */
	int nworkers;
	pthread_cond_t task_cv;     /* a page task finished */
	struct outcome *outs, *outs_tail;
	size_t outstanding;         /* jobs whose outcome is not yet handled */
	size_t docs_total, docs_done;
	size_t pages_done;
	int shutdown;
	int fatal;
	struct folio_err fatal_err;
	struct sha_set known;
};

struct worker {
	struct folio_pipeline *run;
	struct page_set *pages;     /* of the document being decoded */
	pthread_t thread;
	struct folio_detect *detect;
	struct folio_decode_ctx *decode;
	struct folio_ocr *ocr;
	struct folio_barcode_scanner *barcode;
};

/* ---- the SHA-256 table ---------------------------------------------- */

static size_t sha_hash(const char *sha)
{
	size_t h = 0;
	int i;

	for (i = 0; i < 16; i++)
		h = h * 16 + (size_t)(sha[i] <= '9' ? sha[i] - '0' : sha[i] - 'a' + 10);
	return h;
}

static struct sha_slot *sha_find(struct sha_set *s, const char *sha)
{
	size_t i;

	if (!s->cap)
		return NULL;
	for (i = sha_hash(sha) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i].state == S_EMPTY)
			return NULL;
		if (!strcmp(s->slots[i].sha, sha))
			return &s->slots[i];
	}
}

static struct sha_slot *sha_put(struct sha_set *s, const char *sha, enum sha_state st,
				long long id)
{
	struct sha_slot *slot = sha_find(s, sha);
	size_t i;

	if (!slot && (s->n + 1) * 2 > s->cap) {
		struct sha_set bigger = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

		if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))))
			return NULL;
		for (i = 0; i < s->cap; i++)
			if (s->slots[i].state != S_EMPTY)
				sha_put(&bigger, s->slots[i].sha, s->slots[i].state, s->slots[i].id);
		free(s->slots);
		*s = bigger;
	}
	if (!slot) {
		for (i = sha_hash(sha) & (s->cap - 1); s->slots[i].state != S_EMPTY;
		     i = (i + 1) & (s->cap - 1))
			;
		slot = &s->slots[i];
		memcpy(slot->sha, sha, 65);
		s->n++;
	}
	slot->state = st;
	slot->id = id;
	return slot;
}

static int seed_sha(void *arg, const char *sha, long long id)
{
	return sha_put(arg, sha, S_ARCHIVED, id) ? 0 : -1;
}

/* ---- queues ----------------------------------------------------------- */

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->path);
	folio_doc_free(j->doc);
	free(j);
}

static void outcome_free(struct outcome *o)
{
	if (!o)
		return;
	folio_doc_free(o->doc);
	free(o->path);
	free(o);
}

/* Queue a job; at the front for archive entries. Caller holds mu. */
static void push_job(struct folio_pipeline *r, struct job *j, int front)
{
	if (front) {
		j->next = r->jobs;
		r->jobs = j;
		if (!r->jobs_tail)
			r->jobs_tail = j;
	} else {
		j->next = NULL;
		if (r->jobs_tail)
			r->jobs_tail->next = j;
		else
			r->jobs = j;
		r->jobs_tail = j;
	}
	r->outstanding++;
	r->docs_total++;
	pthread_cond_signal(&r->job_cv);
}

static void push_outcome(struct folio_pipeline *r, struct outcome *o)
{
	pthread_mutex_lock(&r->mu);
	o->next = NULL;
	if (r->outs_tail)
		r->outs_tail->next = o;
	else
		r->outs = o;
	r->outs_tail = o;
	pthread_cond_signal(&r->out_cv);
	pthread_mutex_unlock(&r->mu);
	if (r->wake[1] >= 0) {
		ssize_t n = write(r->wake[1], "", 1); /* full pipe: already awake */
		(void)n;
	}
}

static void set_fatal(struct folio_pipeline *r, const struct folio_err *err)
{
	pthread_mutex_lock(&r->mu);
	if (!r->fatal) {
		r->fatal = 1;
		r->fatal_err = *err;
	}
	pthread_cond_broadcast(&r->out_cv);
	pthread_cond_broadcast(&r->job_cv);
	pthread_mutex_unlock(&r->mu);
	if (r->wake[1] >= 0) {
		ssize_t n = write(r->wake[1], "", 1);
		(void)n;
	}
}

/* ---- one document through the stages ---------------------------------- */

/*
 * The archive serial number: the first barcode whose payload matches the
 * configured pattern (default ASN[0-9]+) gives its digits, leading zeros
 * dropped, as the field "asn" ("ASN000123" -> "123").
 */
static int find_asn(const struct folio_pipeline *r, struct folio_doc *doc)
{
	size_t p, k;

	if (!r->have_asn_re)
		return 0;
	for (p = 0; p < doc->npages; p++)
		for (k = 0; k < doc->pages[p].ncodes; k++) {
			const struct folio_code *c = &doc->pages[p].codes[k];
			regmatch_t m;
			char digits[24];
			size_t n = 0;
			regoff_t i;
			int bbox[4] = { c->x, c->y, c->w, c->h };

			if (regexec(&r->asn_re, c->data, 1, &m, 0))
				continue;
			for (i = m.rm_so; i < m.rm_eo && n + 1 < sizeof(digits); i++)
				if (c->data[i] >= '0' && c->data[i] <= '9' && (n || c->data[i] != '0'))
					digits[n++] = c->data[i];
			if (!n)
				digits[n++] = '0';
			digits[n] = '\0';
			return folio_doc_set_field(doc, "asn", digits, c->data, 1.0f, FOLIO_SRC_QR,
						   doc->pages[p].number, bbox);
		}
	return 0;
}

static void fail(struct outcome *o, const char *stage, const struct folio_err *err);

/* A separator sheet: a barcode matching split_barcode, or a blank page
 * when split_blank is on. */
static int is_separator(const struct folio_pipeline *r, const struct inbox *ib,
			const struct folio_page *pg)
{
	const regex_t *re = ib ? (ib->have_split_re ? &ib->split_re : NULL)
			       : (r->have_split_re ? &r->split_re : NULL);
	size_t k;

	if ((ib ? ib->split_blank : r->cfg->split_blank) && pg->blank)
		return 1;
	for (k = 0; re && k < pg->ncodes; k++)
		if (!regexec(re, pg->codes[k].data, 0, NULL, 0))
			return 1;
	return 0;
}

/*
 * Batch splitting: a multi-page PDF or TIFF with separator sheets becomes
 * one document per run of pages between them, each archived with its own
 * original (those pages as a new PDF or TIFF) and its pages as already
 * read; the separators belong to no document, and the batch itself is not
 * a document (like a ZIP). Returns 0 when there is nothing to split, 1
 * when the parts were queued (or the split failed: `o` says why), -1 on a
 * fatal error.
 */
static int split_batch(struct worker *w, struct job *job, struct folio_doc *doc,
		       struct outcome *o)
{
	struct folio_pipeline *r = w->run;
	struct folio_err err = { 0 };
	struct folio_doc **parts = NULL;
	struct folio_batch_original *orig = NULL;
	size_t *idx = NULL, i, a, nparts = 0, nsep = 0;
	int ret = 1;

	if (doc->npages < 2 || !doc->mime || (strcmp(doc->mime, "application/pdf") &&
					     strcmp(doc->mime, "image/tiff")))
		return 0;
	for (i = 0; i < doc->npages; i++)
		nsep += is_separator(r, job->origin->inbox, &doc->pages[i]);
	if (!nsep)
		return 0;
	/* the scanner's own bytes go into the store with the first part */
	if (!(idx = malloc(doc->npages * sizeof(*idx))) ||
	    !(parts = calloc(doc->npages, sizeof(*parts))) ||
	    !(orig = folio_batch_original_new(doc->data, doc->size, doc->sha256)))
		goto nomem;
	for (a = 0; a < doc->npages;) {
		size_t b, n = 0, k;
		unsigned char *data;
		size_t size;
		char *path;
		struct folio_doc *part;

		while (a < doc->npages && is_separator(r, job->origin->inbox, &doc->pages[a]))
			a++;
		for (b = a; b < doc->npages && !is_separator(r, job->origin->inbox, &doc->pages[b]); b++)
			idx[n++] = b;
		if (!n)
			break;
		if ((ret = folio_decode_subset(w->decode, doc, idx, n, &data, &size, &err)) !=
		    FOLIO_OK) {
			if (ret == FOLIO_FATAL)
				goto fatal;
			fail(o, "split", &err);
			ret = 1;
			goto out;
		}
		if (asprintf(&path, "%s#%zu", doc->path, nparts + 1) < 0) {
			free(data);
			goto nomem;
		}
		part = folio_doc_new(path, data, size);
		free(path);
		if (!part || !(part->pages = calloc(n, sizeof(*part->pages))) ||
		    folio_doc_set_str(&part->mime, doc->mime)) {
			folio_doc_free(part);
			goto nomem;
		}
		/* the pages move, read as they are, renumbered from 1 */
		part->pages_alloc = n;
		for (k = 0; k < n; k++) {
			part->pages[k] = doc->pages[a + k];
			part->pages[k].number = (int)k + 1;
			memset(&doc->pages[a + k], 0, sizeof(doc->pages[a + k]));
		}
		part->npages = n;
		part->decoded = 1;
		part->depth = doc->depth;
		part->batch = folio_batch_original_ref(orig);
		memcpy(part->source_sha256, orig->sha256, sizeof(part->source_sha256));
		parts[nparts++] = part;
		a = b;
	}
	if (!nparts) {
		folio_err_set(&err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
			      "only separator pages: no document to keep");
		fail(o, "split", &err);
		goto out;
	}
	/* the parts become jobs of their own, ahead of the other inputs */
	pthread_mutex_lock(&r->mu);
	for (i = nparts; i-- > 0;) {
		struct job *cj = calloc(1, sizeof(*cj));

		if (!cj || !(cj->path = strdup(parts[i]->path))) {
			free(cj);
			pthread_mutex_unlock(&r->mu);
			goto nomem;
		}
		cj->doc = parts[i];
		cj->origin = job->origin;
		job->origin->pending++;
		parts[i] = NULL;
		push_job(r, cj, 1);
	}
	r->docs_total--; /* the batch itself is not a document */
	pthread_mutex_unlock(&r->mu);
	o->kind = O_CONTAINER;
	goto out;
nomem:
	folio_err_set(&err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fatal:
	fail(o, "pipeline", &err);
	set_fatal(r, &err);
	ret = -1;
out:
	for (i = 0; parts && i < doc->npages; i++)
		folio_doc_free(parts[i]);
	folio_batch_original_unref(orig);
	free(parts);
	free(idx);
	return ret;
}

static int take_template(void *ctx, const struct folio_template *t)
{
	return folio_extractor_add_template(ctx, t);
}

/*
 * The type an exact source states (an e-invoice's type code) wins over
 * the classifier's guess; otherwise the classifier's type becomes the
 * doc_type field. Review is for invoice-like documents only: a letter
 * without an invoice number is not a problem.
 */
static int settle_type(struct folio_doc *doc)
{
	const struct folio_field *f = folio_doc_field(doc, "doc_type");
	char reason[64];

	if (f && (f->source == FOLIO_SRC_XML || f->source == FOLIO_SRC_QR)) {
		snprintf(reason, sizeof(reason), "%s: e-invoice type", folio_source_name(f->source));
		if (folio_doc_set_str(&doc->doc_type, f->value) ||
		    folio_doc_set_str(&doc->type_reason, reason))
			return -1;
		doc->type_conf = 1.0f;
	} else if (doc->doc_type) {
		enum folio_source src = FOLIO_SRC_TEXT;
		size_t i;

		for (i = 0; i < doc->npages; i++)
			if (doc->pages[i].source == FOLIO_SRC_OCR)
				src = FOLIO_SRC_OCR;
		if (f && !strcmp(f->value, "credit_note") && folio_invoice_like(doc->doc_type) &&
		    strcmp(doc->doc_type, "credit_note")) {
			/* the page says credit note next to the invoice number */
			if (folio_doc_set_str(&doc->doc_type, "credit_note"))
				return -1;
		}
		if (folio_doc_set_field(doc, "doc_type", doc->doc_type, NULL, doc->type_conf, src,
					0, NULL))
			return -1;
	}
	if (!folio_invoice_like(doc->doc_type) && (!f || f->source != FOLIO_SRC_XML)) {
		doc->needs_review = 0;
		free(doc->review);
		doc->review = NULL;
	}
	return 0;
}

/* Clean up and OCR one page, then drop its image. `languages`: the
 * inbox's, or NULL for the per-page choice. */
static int read_page(struct worker *w, struct folio_page *pg, const char *languages,
		     struct folio_ocr_doc *od, struct folio_err *err)
{
	int ret;

	if (!pg->pix)
		return FOLIO_OK;
	if (pg->source == FOLIO_SRC_TEXT) {
		/* a text-layer page rendered for its barcodes only: boxes from
		 * the rendering's pixels to the page's points */
		int k;

		if (!w->barcode && !(w->barcode = folio_barcode_new(err)))
			return FOLIO_FATAL;
		k = (int)pg->ncodes;
		ret = folio_barcode_scan_page(w->barcode, pg, err);
		folio_page_drop_image(pg);
		if (ret == FOLIO_FATAL)
			return ret;
		for (; pg->pix_dpi > 0 && (size_t)k < pg->ncodes; k++) {
			struct folio_code *c = &pg->codes[k];

			c->x = (int)((long)c->x * pg->dpi / pg->pix_dpi);
			c->y = (int)((long)c->y * pg->dpi / pg->pix_dpi);
			c->w = (int)((long)c->w * pg->dpi / pg->pix_dpi);
			c->h = (int)((long)c->h * pg->dpi / pg->pix_dpi);
		}
		return FOLIO_OK;
	}
	if (!w->ocr && !(w->ocr = folio_ocr_new(w->run->cfg, err)))
		return FOLIO_FATAL;
	/* barcodes on the page as decoded (QR payloads, separators, ASNs):
	 * zbar reads any orientation, and resampling for OCR can only lose
	 * bars; their boxes are in the decoded image's pixels */
	if (!w->barcode && !(w->barcode = folio_barcode_new(err)))
		return FOLIO_FATAL;
	if (folio_barcode_scan_page(w->barcode, pg, err) == FOLIO_FATAL)
		return FOLIO_FATAL;
	if ((ret = folio_prepare_page_prior(pg, folio_ocr_doc_rotation(od), err)) != FOLIO_OK)
		return ret;
	ret = folio_ocr_page_in(w->ocr, pg, languages, od, err);
	folio_page_drop_image(pg);
	return ret;
}

static void run_task(struct worker *w, struct page_task *t)
{
	struct folio_pipeline *r = w->run;

	t->status = read_page(w, &t->page, t->set->languages, t->set->ocr, &t->err);
	pthread_mutex_lock(&r->mu);
	t->next = t->set->done;
	t->set->done = t;
	t->set->pending--;
	r->pages_done++;
	pthread_cond_broadcast(&r->task_cv);
	pthread_mutex_unlock(&r->mu);
}

/*
 * The page hook: a page is read as soon as it is decoded, so a 500-page
 * scan never holds 500 page images. When another worker sits idle the
 * page goes to it and decoding goes on, so one long document still uses
 * every core; otherwise this worker reads it itself.
 */
static int page_ready(void *arg, struct folio_doc *doc, size_t index, struct folio_err *err)
{
	struct worker *w = arg;
	struct folio_pipeline *r = w->run;
	struct folio_page *pg = &doc->pages[index];
	int ret;

	if (pg->pix && w->pages) {
		pthread_mutex_lock(&r->mu);
		/* at most one queued page per other worker: bounded memory, and
		 * a busy worker takes it as soon as its own document is done */
		if (r->ntasks < (size_t)(r->nworkers - 1) || (size_t)r->idle > r->ntasks) {
			struct page_task *t = calloc(1, sizeof(*t));

			if (t) {
				t->set = w->pages;
				t->index = index;
				t->page = *pg;      /* moves the image; words and text are empty */
				memset(pg, 0, sizeof(*pg));
				pg->number = t->page.number;
				pg->dpi = t->page.dpi;
				t->next = r->tasks;
				r->tasks = t;
				r->ntasks++;
				w->pages->pending++;
				pthread_cond_signal(&r->job_cv);
				pthread_mutex_unlock(&r->mu);
				return FOLIO_OK;
			}
		}
		pthread_mutex_unlock(&r->mu);
	}
	if ((ret = read_page(w, pg, w->pages ? w->pages->languages : NULL,
			     w->pages ? w->pages->ocr : NULL, err)) != FOLIO_OK)
		return ret;
	pthread_mutex_lock(&r->mu);
	r->pages_done++;
	pthread_mutex_unlock(&r->mu);
	return FOLIO_OK;
}

/* Take a queued page task, if any. Caller holds mu. */
static struct page_task *take_task(struct folio_pipeline *r)
{
	struct page_task *t = r->tasks;

	if (t) {
		r->tasks = t->next;
		r->ntasks--;
	}
	return t;
}

/*
 * Wait for this document's handed-out pages and put them in place. While
 * waiting, read queued pages (anyone's): two workers waiting on each
 * other's queued pages would otherwise never finish. Returns the first
 * failure among the pages.
 */
static int collect_pages(struct worker *w, struct folio_doc *doc, struct folio_err *err)
{
	struct folio_pipeline *r = w->run;
	struct page_set *set = w->pages;
	int ret = FOLIO_OK;

	pthread_mutex_lock(&r->mu);
	while (set->pending) {
		struct page_task *t = take_task(r);

		if (t) {
			pthread_mutex_unlock(&r->mu);
			run_task(w, t);
			pthread_mutex_lock(&r->mu);
		} else {
			pthread_cond_wait(&r->task_cv, &r->mu);
		}
	}
	pthread_mutex_unlock(&r->mu);
	while (set->done) {
		struct page_task *t = set->done;

		set->done = t->next;
		if (t->status != FOLIO_OK && ret == FOLIO_OK) {
			ret = t->status;
			if (err)
				*err = t->err;
		}
		if (doc && t->index < doc->npages) {
			struct folio_page *pg = &doc->pages[t->index];

			folio_page_drop_image(pg);
			free(pg->text);
			free(pg->words);
			*pg = t->page;
		} else {
			/* the document failed before this page came back */
			struct folio_doc *tmp = folio_doc_new("", NULL, 0);
			struct folio_page *pg = tmp ? folio_doc_add_page(tmp) : NULL;

			if (pg)
				*pg = t->page;
			else
				folio_page_drop_image(&t->page);
			folio_doc_free(tmp);
		}
		free(t);
	}
	return ret;
}

static struct outcome *new_outcome(const char *path)
{
	struct outcome *o = calloc(1, sizeof(*o));

	if (o && !(o->path = strdup(path))) {
		free(o);
		o = NULL;
	}
	return o;
}

static void fail(struct outcome *o, const char *stage, const struct folio_err *err)
{
	o->kind = O_FAILED;
	o->stage = stage;
	snprintf(o->reason, sizeof(o->reason), "%s", err->msg[0] ? err->msg : "unknown error");
}

/*
 * Run one job through the stages into `o`. Returns FOLIO_FATAL only when
 * the whole run must stop; a document's own failure is an O_FAILED outcome.
 */
static int process(struct worker *w, struct job *job, struct outcome *o)
{
	struct folio_pipeline *r = w->run;
	const struct folio_config *cfg = r->cfg;
	struct folio_err err = { 0 };
	struct folio_doc *doc = job->doc;
	struct sha_slot *slot;
	size_t i;
	int ret;

	double t = folio_clock();

	job->doc = NULL;
	if (!doc) {
		unsigned char *data;
		size_t size;

		int fd;

		if (folio_open_input(job->origin->root, job->path, cfg->follow_symlinks, &fd, NULL,
				     &err) != FOLIO_OK) {
			fail(o, "read", &err);
			return FOLIO_OK;
		}
		ret = folio_read_fd(fd, job->path, cfg->max_file_bytes, &data, &size, &err);
		close(fd);
		if (ret != FOLIO_OK) {
			fail(o, "read", &err);
			return FOLIO_OK;
		}
		if (!(doc = folio_doc_new(job->path, data, size)))
			goto nomem;
	}
	o->doc = doc;
	if (doc->type_reason && !strncmp(doc->type_reason, "refused: ", 9)) {
		/* an archive entry the archive decoder would not extract */
		snprintf(o->reason, sizeof(o->reason), "%s", doc->type_reason + 9);
		o->kind = O_FAILED;
		o->stage = "archive";
		return FOLIO_OK;
	}
	folio_sha256_hex(doc->data, doc->size, doc->sha256);
	memcpy(o->sha, doc->sha256, sizeof(o->sha));
	o->t_read = folio_clock() - t;
	t = folio_clock();

	pthread_mutex_lock(&r->mu);
	slot = sha_find(&r->known, doc->sha256);
	if (slot && slot->state == S_RETRY) {
		slot->state = S_INFLIGHT;
		o->kind = O_READY;
	} else if (slot && slot->state == S_ARCHIVED) {
		o->kind = O_DUP_KNOWN;
		o->dup_id = slot->id;
	} else if (slot) {
		o->kind = O_DUP_PENDING;
	} else if (!sha_put(&r->known, doc->sha256, S_INFLIGHT, 0)) {
		pthread_mutex_unlock(&r->mu);
		goto nomem;
	} else {
		o->kind = O_READY;
	}
	pthread_mutex_unlock(&r->mu);
	if (o->kind != O_READY)
		return FOLIO_OK;

	if (doc->decoded)
		goto decoded;
	if ((ret = folio_detect_doc(w->detect, doc, &err)) != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			goto fatal;
		fail(o, "detect", &err);
		return FOLIO_OK;
	}
	{
		struct page_set set = { NULL, 0, NULL, NULL };
		struct folio_err perr = { 0 };
		int pret;

		set.languages = job->origin->inbox ? job->origin->inbox->languages : NULL;
		/* without it (ENOMEM) each page is read as if alone */
		set.ocr = folio_ocr_doc_new();
		w->pages = &set;
		ret = folio_decode(w->decode, doc, &err);
		/* always: pages out with other workers must come home */
		pret = collect_pages(w, doc, &perr);
		w->pages = NULL;
		folio_ocr_doc_free(set.ocr);
		if (ret != FOLIO_FATAL && ret != FOLIO_FAILED && pret != FOLIO_OK) {
			ret = pret;
			err = perr;
		}
	}
	if (ret == FOLIO_FATAL)
		goto fatal;
	if (ret == FOLIO_FAILED) {
		fail(o, "decode", &err);
		return FOLIO_OK;
	}
	if (doc->is_container) {
		/* entries become jobs of their own, ahead of the other inputs */
		pthread_mutex_lock(&r->mu);
		for (i = doc->nchildren; i-- > 0;) {
			struct job *cj = calloc(1, sizeof(*cj));

			if (!cj || !(cj->path = strdup(doc->children[i]->path))) {
				free(cj);
				pthread_mutex_unlock(&r->mu);
				goto nomem;
			}
			cj->doc = doc->children[i];
			cj->origin = job->origin;
			job->origin->pending++;
			doc->children[i] = NULL;
			push_job(r, cj, 1);
		}
		doc->nchildren = 0;
		r->docs_total--; /* the archive itself is not a document */
		pthread_mutex_unlock(&r->mu);
		o->kind = O_CONTAINER;
		return FOLIO_OK;
	}
	if ((ret = split_batch(w, job, doc, o)) != 0)
		return ret < 0 ? FOLIO_FATAL : FOLIO_OK;
decoded:
	if (!doc->npages) {
		folio_err_set(&err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "document has no pages");
		fail(o, "decode", &err);
		return FOLIO_OK;
	}
	o->t_decode = folio_clock() - t;
	t = folio_clock();
	if (folio_doc_join_text(doc))
		goto nomem;
	ret = folio_extract_doc(r->extractor, doc, &err);
	if (ret == FOLIO_OK && find_asn(r, doc))
		goto nomem;
	o->t_extract = folio_clock() - t;
	if (ret != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			goto fatal;
		fail(o, "extract", &err);
		return FOLIO_OK;
	}
	t = folio_clock();
	ret = folio_classify_doc(r->classifier, doc, &err);
	if (ret == FOLIO_OK)
		ret = folio_tagger_apply(r->tagger, doc, &err);
	if (ret == FOLIO_OK && settle_type(doc))
		goto nomem;
	doc->simhash = folio_simhash(doc->text.buf);
	o->t_classify = folio_clock() - t;
	if (ret != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			goto fatal;
		fail(o, "classify", &err);
		return FOLIO_OK;
	}
	o->pages = (int)doc->npages;
	return FOLIO_OK;
nomem:
	folio_err_set(&err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fatal:
	fail(o, "pipeline", &err);
	set_fatal(r, &err);
	return FOLIO_FATAL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct folio_pipeline *r = w->run;
	struct folio_err err = { 0 };

	/* every engine starts before any document is taken, in parallel: a
	 * missing language pack stops the run before anything is touched */
	if (!(w->ocr = folio_ocr_new(r->cfg, &err))) {
		set_fatal(r, &err);
		return NULL;
	}

	for (;;) {
		struct outcome *o;
		struct job *job;
		double t0;

		struct page_task *t;

		pthread_mutex_lock(&r->mu);
		r->idle++;
		while (!r->jobs && !r->tasks && !r->shutdown && !r->fatal)
			pthread_cond_wait(&r->job_cv, &r->mu);
		r->idle--;
		if ((t = take_task(r))) {
			/* a page of another worker's document: before new documents */
			pthread_mutex_unlock(&r->mu);
			run_task(w, t);
			continue;
		}
		if (r->shutdown || r->fatal) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		job = r->jobs;
		r->jobs = job->next;
		if (!r->jobs)
			r->jobs_tail = NULL;
		pthread_mutex_unlock(&r->mu);

		t0 = folio_clock();
		o = new_outcome(job->path);
		if (o)
			o->origin = job->origin;
		if (!o) {
			struct folio_err e;

			folio_err_set(&e, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			set_fatal(r, &e);
			job_free(job);
			break;
		}
		process(w, job, o);
		o->seconds = folio_clock() - t0;
		job_free(job);
		push_outcome(r, o);
	}
	return NULL;
}

/* ---- inputs ----------------------------------------------------------- */

struct entry {
	char *path;
	off_t size;
	int is_dir;
};

/* Largest files first: the long documents start early and the short ones
 * fill in at the end, so no worker is left with a big one alone. Folders
 * after files; names break ties so the order is stable. */
static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->is_dir != y->is_dir)
		return x->is_dir - y->is_dir;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->path, y->path);
}

static void origin_free(struct origin *og)
{
	size_t i;

	if (!og)
		return;
	for (i = 0; i < og->ntags; i++)
		free(og->tags[i]);
	free(og->tags);
	free(og->path);
	free(og->root);
	folio_strbuf_release(&og->reasons);
	free(og);
}

int folio_pipeline_add_inbox(struct folio_pipeline *r, const char *root, struct folio_err *err)
{
	struct folio_config c;
	struct inbox *ib;
	char *path;
	int ret;

	if (!(path = folio_path_join(root, ".folio.conf")))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (access(path, F_OK)) {
		free(path);
		return FOLIO_WARN;
	}
	/* the global values, then the inbox's own over them */
	if ((ret = folio_config_defaults(&c, err)) != FOLIO_OK) {
		free(path);
		return ret;
	}
	free(c.languages);
	free(c.split_barcode);
	c.languages = r->cfg->languages ? strdup(r->cfg->languages) : NULL;
	c.split_barcode = r->cfg->split_barcode ? strdup(r->cfg->split_barcode) : NULL;
	c.split_blank = r->cfg->split_blank;
	if ((ret = folio_config_load(&c, path, err)) != FOLIO_OK) {
		free(path);
		folio_config_release(&c);
		return ret;
	}
	free(path);
	if (!(ib = calloc(1, sizeof(*ib))) || !(ib->root = strdup(root))) {
		free(ib);
		folio_config_release(&c);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	/* the inbox's languages only when they differ: same as global keeps
	 * the per-page choice */
	if (c.languages && (!r->cfg->languages || strcmp(c.languages, r->cfg->languages))) {
		ib->languages = c.languages;
		c.languages = NULL;
	}
	ib->split_blank = c.split_blank;
	if (c.split_barcode && *c.split_barcode) {
		int rc = regcomp(&ib->split_re, c.split_barcode, REG_EXTENDED | REG_NOSUB);

		if (rc) {
			char msg[128];

			regerror(rc, &ib->split_re, msg, sizeof(msg));
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
					    "%s/.folio.conf: split_barcode '%s': %s", root,
					    c.split_barcode, msg);
			free(ib->languages);
			free(ib->root);
			free(ib);
			folio_config_release(&c);
			return ret;
		}
		ib->have_split_re = 1;
	}
	folio_config_release(&c);
	ib->next = r->inboxes;
	r->inboxes = ib;
	return FOLIO_OK;
}

int folio_pipeline_submit(struct folio_pipeline *r, const char *path, const char *root,
			  const char *const *tags, size_t ntags, void *cookie, struct folio_err *err)
{
	struct job *j = calloc(1, sizeof(*j));
	struct origin *og = calloc(1, sizeof(*og));
	size_t i;

	if (!j || !og || !(j->path = strdup(path)) || !(og->path = strdup(path)) ||
	    (root && !(og->root = strdup(root))) ||
	    (ntags && !(og->tags = calloc(ntags, sizeof(char *)))))
		goto nomem;
	for (i = 0; i < ntags; i++) {
		if (!(og->tags[i] = strdup(tags[i])))
			goto nomem;
		og->ntags++;
	}
	og->cookie = cookie;
	og->pending = 1;
	for (const struct inbox *ib = r->inboxes; ib; ib = ib->next) {
		size_t n = strlen(ib->root);

		if (!strncmp(path, ib->root, n) && path[n] == '/') {
			og->inbox = ib;
			break;
		}
	}
	j->origin = og;
	pthread_mutex_lock(&r->mu);
	push_job(r, j, 0);
	pthread_mutex_unlock(&r->mu);
	return FOLIO_OK;
nomem:
	if (j)
		free(j->path);
	free(j);
	origin_free(og);
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

/* Submit what is below `dir` (inside folder `root`, as named on the command
 * line), largest first; hidden entries are skipped. Folders are walked,
 * never through a symbolic link (loops); everything else, links, FIFOs and
 * sockets included, is submitted for the worker to take or refuse by the
 * symlink rule (folio_open_input()): only lstat() here, nothing opened. */
static int submit_dir(struct folio_pipeline *r, const char *root, const char *dir, int depth,
		      struct folio_err *err)
{
	struct entry *ents = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = FOLIO_OK;

	if (depth > 64)
		return FOLIO_OK;
	if (!(d = opendir(dir))) /* reported as unreadable by a worker */
		return folio_pipeline_submit(r, dir, depth ? root : NULL, NULL, 0, NULL, err);
	while ((de = readdir(d))) {
		struct stat lst;
		struct entry *e;

		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			struct entry *ne = realloc(ents, (cap = cap ? cap * 2 : 64) * sizeof(*ne));

			if (!ne) {
				ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
						    "out of memory");
				break;
			}
			ents = ne;
		}
		e = &ents[n];
		if (!(e->path = folio_path_join(dir, de->d_name))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			break;
		}
		n++;
		e->size = 0;
		e->is_dir = 0;
		if (!lstat(e->path, &lst) && S_ISDIR(lst.st_mode))
			e->is_dir = 1;
		else if (S_ISREG(lst.st_mode))
			e->size = lst.st_size;
	}
	closedir(d);
	if (ret == FOLIO_OK)
		folio_sort(ents, n, sizeof(*ents), cmp_entry);
	for (i = 0; i < n; i++) {
		if (ret == FOLIO_OK && ents[i].is_dir)
			ret = submit_dir(r, root, ents[i].path, depth + 1, err);
		else if (ret == FOLIO_OK)
			ret = folio_pipeline_submit(r, ents[i].path, root, NULL, 0, NULL, err);
		free(ents[i].path);
	}
	free(ents);
	return ret;
}

/* ---- the writer ------------------------------------------------------- */

static void report(struct folio_pipeline *r, const struct outcome *o, const char *status,
		   long long id, const char *doc_type, const char *reason)
{
	struct folio_result res = {
		.path = o->path,
		.id = id,
		.sha256 = o->sha,
		.status = status,
		.pages = o->pages,
		.doc_type = doc_type,
		.reason = reason,
		.stage = o->stage,
		.seconds = o->seconds,
		.t_read = o->t_read,
		.t_decode = o->t_decode,
		.t_extract = o->t_extract,
		.t_classify = o->t_classify,
		.t_store = o->t_store,
	};
	struct origin *og = o->origin;

	if (!strcmp(status, "archived")) {
		r->sum.archived++;
		og->archived++;
		og->pages += (size_t)(o->pages > 0 ? o->pages : 0);
	} else if (!strcmp(status, "duplicate")) {
		r->sum.duplicates++;
		og->duplicates++;
	} else {
		r->sum.quarantined++;
		og->quarantined++;
		if (strcmp(o->path, og->path)) {
			folio_strbuf_add_quoted(&og->reasons, o->path);
			folio_strbuf_adds(&og->reasons, ": ");
		}
		folio_strbuf_addf(&og->reasons, "%s (stage: %s)\n", reason ? reason : "",
				  o->stage ? o->stage : "ingest");
	}
	if (r->opts->on_result)
		r->opts->on_result(r->opts->arg, &res);
}

/* A quarantine is recorded in the audit log; nothing else is written. */
static int quarantine(struct folio_pipeline *r, struct outcome *o, struct folio_err *err)
{
	char detail[FOLIO_ERR_MSG_MAX + 32];
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	/* one line, nothing a terminal would obey: reasons quote file names
	 * and archive entry names, which may hold anything */
	if (!folio_strbuf_add_escaped(&sb, o->reason))
		snprintf(o->reason, sizeof(o->reason), "%s", sb.buf);
	folio_strbuf_release(&sb);
	snprintf(detail, sizeof(detail), "%s: %s", o->stage ? o->stage : "ingest", o->reason);
	if (folio_archive_event(r->arc, "quarantined", 0, o->sha[0] ? o->sha : NULL, o->path,
				detail, err) != FOLIO_OK)
		return FOLIO_FATAL;
	report(r, o, "quarantined", 0, NULL, o->reason);
	return FOLIO_OK;
}

static int duplicate(struct folio_pipeline *r, struct outcome *o, long long id,
		     struct folio_err *err)
{
	char reason[64], type[64], *type_p = NULL;
	int pages = 0;

	/* report the original's pages and type, as for an archived file */
	if (folio_archive_summary(r->arc, id, &pages, type, sizeof(type), NULL) == FOLIO_OK) {
		o->pages = pages;
		type_p = type;
	}
	/* the same file from the same place: an earlier run archived it and
	 * stopped before it could remove it from the inbox */
	if (r->opts->recover_same_path && folio_archive_has_path(r->arc, id, o->path)) {
		report(r, o, "archived", id, type_p, "already archived by an interrupted run");
		return FOLIO_OK;
	}
	snprintf(reason, sizeof(reason), "same content as document %lld", id);
	if (folio_archive_event(r->arc, "duplicate", id, o->sha, o->path, NULL, err) != FOLIO_OK)
		return FOLIO_FATAL;
	report(r, o, "duplicate", id, type_p, reason);
	return FOLIO_OK;
}

/* The origin of a handled job: settle it when nothing of it is left. */
static void origin_done(struct folio_pipeline *r, struct origin *og)
{
	struct folio_source_result sr;
	size_t left;

	pthread_mutex_lock(&r->mu);
	left = --og->pending;
	pthread_mutex_unlock(&r->mu);
	if (left)
		return;
	if (r->opts->on_source) {
		sr.path = og->path;
		sr.cookie = og->cookie;
		sr.archived = og->archived;
		sr.duplicates = og->duplicates;
		sr.quarantined = og->quarantined;
		sr.pages = og->pages;
		sr.reasons = og->reasons.buf ? og->reasons.buf : "";
		r->opts->on_source(r->opts->arg, &sr);
	}
	origin_free(og);
}

/* The original of `sha` is settled: report the copies that waited. */
static int settle_pending(struct folio_pipeline *r, const char *sha, long long id,
			  const char *why, struct folio_err *err)
{
	struct outcome **pp = &r->pending_dups;
	int ret = FOLIO_OK;

	while (*pp) {
		struct outcome *o = *pp;

		if (strcmp(o->sha, sha)) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		if (id) {
			ret = duplicate(r, o, id, err);
		} else {
			o->stage = "decode";
			snprintf(o->reason, sizeof(o->reason), "%s", why);
			ret = quarantine(r, o, err);
		}
		origin_done(r, o->origin);
		outcome_free(o);
		if (ret != FOLIO_OK)
			break;
	}
	return ret;
}

/*
 * A file waiting for another copy of itself that turned out to be a
 * container (a ZIP, a split batch): it is not a duplicate of one document,
 * so it is read again; its documents are then duplicates of the first
 * copy's. One at a time: further copies wait for this one.
 */
static int requeue_pending(struct folio_pipeline *r, const char *sha, struct folio_err *err)
{
	struct outcome **pp = &r->pending_dups;

	while (*pp) {
		struct outcome *o = *pp;
		struct sha_slot *slot;
		struct job *j;

		if (strcmp(o->sha, sha)) {
			pp = &o->next;
			continue;
		}
		if (!(j = calloc(1, sizeof(*j))))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		*pp = o->next;
		j->path = o->path;
		j->doc = o->doc;
		j->origin = o->origin;
		o->path = NULL;
		o->doc = NULL;
		outcome_free(o);
		pthread_mutex_lock(&r->mu);
		if ((slot = sha_find(&r->known, sha)))
			slot->state = S_RETRY;
		push_job(r, j, 1);
		pthread_mutex_unlock(&r->mu);
		break;
	}
	return FOLIO_OK;
}

/* Returns FOLIO_OK, FOLIO_FATAL, or 1 when the outcome was kept. */
static int handle(struct folio_pipeline *r, struct outcome *o, struct folio_err *err)
{
	struct folio_err e = { 0 };
	size_t i;
	int ret;

	switch (o->kind) {
	case O_CONTAINER:
		if (o->sha[0] && (ret = requeue_pending(r, o->sha, err)) != FOLIO_OK)
			return ret;
		break;
	case O_DUP_KNOWN:
		return duplicate(r, o, o->dup_id, err);
	case O_DUP_PENDING: {
		struct sha_slot *slot;
		enum sha_state state;
		long long id;

		pthread_mutex_lock(&r->mu);
		slot = sha_find(&r->known, o->sha);
		state = slot ? slot->state : S_INFLIGHT;
		id = slot ? slot->id : 0;
		pthread_mutex_unlock(&r->mu);
		if (state == S_ARCHIVED)
			return duplicate(r, o, id, err);
		if (state == S_FAILED) {
			o->stage = "decode";
			snprintf(o->reason, sizeof(o->reason),
				 "same content as another file of this run, which was quarantined");
			return quarantine(r, o, err);
		}
		/* the original is still being read: report once it is settled */
		o->next = r->pending_dups;
		r->pending_dups = o;
		return 1;
	}
	case O_FAILED:
		if (o->sha[0]) {
			/* a failure to store is the archive's, not the file's */
			pthread_mutex_lock(&r->mu);
			sha_put(&r->known, o->sha,
				o->stage && !strcmp(o->stage, "store") ? S_RETRY : S_FAILED, 0);
			pthread_mutex_unlock(&r->mu);
		}
		if ((ret = quarantine(r, o, err)) != FOLIO_OK)
			return ret;
		if (o->sha[0])
			return settle_pending(r, o->sha, 0, o->reason, err);
		break;
	case O_READY:
		for (i = 0; i < o->origin->ntags; i++)
			if (folio_doc_add_tag(o->doc, o->origin->tags[i]))
				return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
						     "out of memory");
		{
			double t = folio_clock();

			ret = folio_archive_add(r->arc, o->doc, &e);
			o->t_store = folio_clock() - t;
		}
		if (ret == FOLIO_WARN) { /* stored by another process meanwhile */
			ret = duplicate(r, o, o->doc->id, err);
		} else if (ret != FOLIO_OK) {
			/* disk full, database locked too long: this document only;
			 * a document the archive refuses (a second ASN) is not retried */
			o->stage = e.kind == FOLIO_E_INPUT ? "archive" : "store";
			snprintf(o->reason, sizeof(o->reason), "%s", e.msg);
			o->kind = O_FAILED;
			return handle(r, o, err);
		} else {
			char near[64];

			r->sum.pages += o->doc->npages;
			snprintf(near, sizeof(near), "possible duplicate of document %lld",
				 o->doc->dup_of);
			report(r, o, "archived", o->doc->id, o->doc->doc_type,
			       o->doc->dup_of ? near : NULL);
		}
		if (ret != FOLIO_OK)
			return ret;
		pthread_mutex_lock(&r->mu);
		sha_put(&r->known, o->sha, S_ARCHIVED, o->doc->id);
		pthread_mutex_unlock(&r->mu);
		return settle_pending(r, o->sha, o->doc->id, NULL, err);
	}
	return FOLIO_OK;
}

static void progress(struct folio_pipeline *r)
{
	struct folio_progress p;

	if (!r->opts->on_progress)
		return;
	pthread_mutex_lock(&r->mu);
	p.docs_total = r->docs_total;
	p.docs_done = r->docs_done;
	p.pages_done = r->pages_done;
	pthread_mutex_unlock(&r->mu);
	p.elapsed = folio_clock() - r->t0;
	r->opts->on_progress(r->opts->arg, &p);
}

int folio_pipeline_step(struct folio_pipeline *r, double timeout, struct folio_err *err)
{
	char buf[256];
	int handled = 0;

	for (;;) {
		struct outcome *o;
		struct origin *og;
		int ret, is_doc;

		pthread_mutex_lock(&r->mu);
		if (r->fatal) {
			if (err)
				*err = r->fatal_err;
			pthread_mutex_unlock(&r->mu);
			return FOLIO_FATAL;
		}
		o = r->outs;
		if (!o) {
			pthread_mutex_unlock(&r->mu);
			if (handled || timeout <= 0)
				break;
			/* wait for a worker to push something, or the timeout */
			{
				struct pollfd pfd = { r->wake[0], POLLIN, 0 };

				poll(&pfd, 1, (int)(timeout * 1000));
			}
			while (read(r->wake[0], buf, sizeof(buf)) > 0)
				;
			timeout = 0;
			continue;
		}
		r->outs = o->next;
		if (!r->outs)
			r->outs_tail = NULL;
		pthread_mutex_unlock(&r->mu);

		is_doc = o->kind != O_CONTAINER;
		og = o->origin;
		ret = handle(r, o, err);
		if (ret != 1) {
			outcome_free(o);
			origin_done(r, og);
		}
		pthread_mutex_lock(&r->mu);
		r->outstanding--;
		r->docs_done += (size_t)is_doc;
		if (ret == FOLIO_FATAL && !r->fatal) {
			r->fatal = 1;
			r->fatal_err = *err;
		}
		pthread_mutex_unlock(&r->mu);
		if (ret == FOLIO_FATAL)
			return FOLIO_FATAL;
		handled++;
		progress(r);
	}
	while (read(r->wake[0], buf, sizeof(buf)) > 0)
		;
	if (!handled)
		progress(r);
	return FOLIO_OK;
}

size_t folio_pipeline_outstanding(struct folio_pipeline *r)
{
	size_t n;

	pthread_mutex_lock(&r->mu);
	n = r->outstanding;
	pthread_mutex_unlock(&r->mu);
	return n;
}

size_t folio_pipeline_queued(struct folio_pipeline *r)
{
	struct job *j;
	size_t n = 0;

	pthread_mutex_lock(&r->mu);
	for (j = r->jobs; j; j = j->next)
		n++;
	pthread_mutex_unlock(&r->mu);
	return n;
}

int folio_pipeline_fd(const struct folio_pipeline *r)
{
	return r->wake[0];
}

int folio_pipeline_drain(struct folio_pipeline *r, struct folio_err *err)
{
	while (folio_pipeline_outstanding(r))
		if (folio_pipeline_step(r, 0.5, err) != FOLIO_OK)
			return FOLIO_FATAL;
	return FOLIO_OK;
}

void folio_pipeline_summary(const struct folio_pipeline *r, struct folio_ingest_summary *sum)
{
	*sum = r->sum;
	sum->seconds = folio_clock() - r->t0;
}

struct folio_pipeline *folio_pipeline_new(struct folio_archive *arc,
					  const struct folio_ingest_opts *opts,
					  struct folio_err *err)
{
	struct folio_pipeline *r = calloc(1, sizeof(*r));
	int nworkers = folio_config_workers(opts->cfg), i;
	char *models = NULL, *rules = NULL;

	if (!r) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	r->t0 = folio_clock();
	r->arc = arc;
	r->opts = opts;
	r->cfg = opts->cfg;
	r->nworkers = nworkers;
	r->wake[0] = r->wake[1] = -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->job_cv, NULL);
	pthread_cond_init(&r->out_cv, NULL);
	pthread_cond_init(&r->task_cv, NULL);
	if (pipe2(r->wake, O_NONBLOCK | O_CLOEXEC)) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_IO, errno, "cannot create a pipe: %s",
			      strerror(errno));
		goto fail;
	}
	if (!(models = folio_config_models_dir(opts->cfg)) ||
	    !(rules = opts->cfg->type_rules ? strdup(opts->cfg->type_rules)
					    : folio_path_join(models, "doctype.rules"))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	if (opts->cfg->tag_rules && !(r->tagger = folio_tagger_load(opts->cfg->tag_rules, err)))
		goto fail;
	{
		struct folio_extract_opts xo = { 0 };
		char *lexicon = folio_path_join(models, "labels.tsv");

		if (!lexicon) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			goto fail;
		}
		xo.lexicon = lexicon;
		xo.review_below = (float)opts->cfg->review_confidence / 100.0f;
		r->extractor = folio_extractor_new(&xo, err);
		free(lexicon);
		if (!r->extractor)
			goto fail;
		/* templates shipped in models/ first, then the archive's own */
		if (!(lexicon = folio_path_join(models, "vendor-templates.tsv"))) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			goto fail;
		}
		{
			int tr = folio_extractor_load_templates(r->extractor, lexicon, err);

			free(lexicon);
			if (tr != FOLIO_OK && tr != FOLIO_WARN)
				goto fail;
			folio_err_clear(err);
		}
		if (folio_archive_templates(arc, take_template, r->extractor, err) != FOLIO_OK)
			goto fail;
	}
	if (!(r->classifier = folio_classify_load(rules, err)))
		goto fail;
	if (opts->cfg->split_barcode && *opts->cfg->split_barcode) {
		int rc = regcomp(&r->split_re, opts->cfg->split_barcode, REG_EXTENDED | REG_NOSUB);

		if (rc) {
			char msg[128];

			regerror(rc, &r->split_re, msg, sizeof(msg));
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				      "split_barcode '%s': %s", opts->cfg->split_barcode, msg);
			goto fail;
		}
		r->have_split_re = 1;
	}
	if (opts->cfg->asn_pattern && *opts->cfg->asn_pattern) {
		int rc = regcomp(&r->asn_re, opts->cfg->asn_pattern, REG_EXTENDED | REG_ICASE);

		if (rc) {
			char msg[128];

			regerror(rc, &r->asn_re, msg, sizeof(msg));
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				      "asn_pattern '%s': %s", opts->cfg->asn_pattern, msg);
			goto fail;
		}
		r->have_asn_re = 1;
	}
	/* the archive's own model (folio train), else the shipped one */
	{
		char *own = folio_path_join(folio_archive_dir(arc), "doctype.model");
		char *shipped = folio_path_join(models, "doctype.model");
		int mr;

		if (!own || !shipped) {
			free(own);
			free(shipped);
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			goto fail;
		}
		mr = folio_classify_load_model(r->classifier, own, err);
		if (mr == FOLIO_WARN)
			mr = folio_classify_load_model(r->classifier, shipped, err);
		free(own);
		free(shipped);
		if (mr != FOLIO_OK && mr != FOLIO_WARN)
			goto fail;
		folio_err_clear(err);
	}
	if (folio_archive_each_sha(arc, seed_sha, &r->known, err) != FOLIO_OK ||
	    folio_decode_global_init(opts->cfg, err) != FOLIO_OK)
		goto fail;
	folio_prepare_global_init();
	if (!(r->workers = calloc((size_t)nworkers, sizeof(*r->workers)))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < nworkers; i++) {
		struct worker *w = &r->workers[i];

		w->run = r;
		if (!(w->detect = folio_detect_new(err)) ||
		    !(w->decode = folio_decode_ctx_new(opts->cfg, err)))
			goto fail;
		folio_decode_ctx_set_page_hook(w->decode, page_ready, w);
	}
	for (i = 0; i < nworkers; i++) {
		if (pthread_create(&r->workers[i].thread, NULL, worker_main, &r->workers[i])) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, errno,
				      "cannot start a worker thread");
			goto fail;
		}
		r->started++;
	}
	free(models);
	free(rules);
	return r;
fail:
	free(models);
	free(rules);
	folio_pipeline_free(r);
	return NULL;
}

void folio_pipeline_free(struct folio_pipeline *r)
{
	int i;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->shutdown = 1;
	pthread_cond_broadcast(&r->job_cv);
	pthread_mutex_unlock(&r->mu);
	for (i = 0; i < r->started; i++)
		pthread_join(r->workers[i].thread, NULL);
	for (i = 0; r->workers && i < r->nworkers; i++) {
		folio_detect_free(r->workers[i].detect);
		folio_decode_ctx_free(r->workers[i].decode);
		folio_ocr_free(r->workers[i].ocr);
		folio_barcode_free(r->workers[i].barcode);
	}
	free(r->workers);
	/* whatever was not handled: free jobs, outcomes and their origins */
	while (r->jobs) {
		struct job *j = r->jobs;

		r->jobs = j->next;
		if (j->origin && !--j->origin->pending)
			origin_free(j->origin);
		job_free(j);
	}
	while (r->tasks) {
		struct page_task *t = r->tasks;

		r->tasks = t->next;
		folio_page_drop_image(&t->page);
		free(t);
	}
	while (r->outs) {
		struct outcome *o = r->outs;

		r->outs = o->next;
		if (o->origin && !--o->origin->pending)
			origin_free(o->origin);
		outcome_free(o);
	}
	while (r->pending_dups) {
		struct outcome *o = r->pending_dups;

		r->pending_dups = o->next;
		if (o->origin && !--o->origin->pending)
			origin_free(o->origin);
		outcome_free(o);
	}
	free(r->known.slots);
	folio_classify_free(r->classifier);
	folio_extractor_free(r->extractor);
	if (r->have_asn_re)
		regfree(&r->asn_re);
	if (r->have_split_re)
		regfree(&r->split_re);
	while (r->inboxes) {
		struct inbox *ib = r->inboxes;

		r->inboxes = ib->next;
		if (ib->have_split_re)
			regfree(&ib->split_re);
		free(ib->languages);
		free(ib->root);
		free(ib);
	}
	folio_tagger_free(r->tagger);
	if (r->wake[0] >= 0)
		close(r->wake[0]);
	if (r->wake[1] >= 0)
		close(r->wake[1]);
	pthread_cond_destroy(&r->job_cv);
	pthread_cond_destroy(&r->out_cv);
	pthread_cond_destroy(&r->task_cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int folio_ingest(struct folio_archive *arc, char *const *paths, size_t npaths,
		 const struct folio_ingest_opts *opts, struct folio_ingest_summary *sum,
		 struct folio_err *err)
{
	struct folio_pipeline *r = folio_pipeline_new(arc, opts, err);
	int ret = FOLIO_OK;
	size_t k;

	memset(sum, 0, sizeof(*sum));
	if (!r)
		return FOLIO_FATAL;
	for (k = 0; k < npaths && ret == FOLIO_OK; k++) {
		struct stat st;

		/* what the user names is followed (a link to a folder too);
		 * what is found inside is not (folio_open_input()) */
		if (!stat(paths[k], &st) && S_ISDIR(st.st_mode))
			ret = submit_dir(r, paths[k], paths[k], 0, err);
		else
			ret = folio_pipeline_submit(r, paths[k], NULL, NULL, 0, NULL, err);
	}
	if (ret == FOLIO_OK)
		ret = folio_pipeline_drain(r, err);
	folio_pipeline_summary(r, sum);
	folio_pipeline_free(r);
	return ret == FOLIO_OK ? FOLIO_OK : FOLIO_FATAL;
}
