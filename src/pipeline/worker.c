/*
 * worker.c - one document through the stages, on a worker thread: detect,
 * decode (a container's entries go back to the queue), split batches,
 * prepare and read pages (a long document's pages shared among the
 * workers), extract, classify; the result is an outcome for the writer.
 */
#include "pipeline_private.h"

/* ---- one document through the stages ---------------------------------- */

static void fail(struct outcome *o, const char *stage, const struct folio_err *err);

/* A separator sheet, by the inbox's split settings or else the run's. */
static int is_separator(const struct folio_pipeline *r, const struct inbox *ib,
			const struct folio_page *pg)
{
	if (ib)
		return folio_barcode_separator(pg, ib->have_split_re ? &ib->split_re : NULL,
					       ib->split_blank);
	return folio_barcode_separator(pg, r->have_split_re ? &r->split_re : NULL,
				       r->cfg->split_blank);
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
static int split_batch(struct worker *w, struct job *job, struct folio_doc *doc, struct outcome *o)
{
	struct folio_pipeline *r = w->run;
	struct folio_err err = { 0 };
	struct folio_doc **parts = NULL;
	struct folio_batch_original *orig = NULL;
	size_t *idx = NULL, i, a, nparts = 0, nsep = 0;
	int ret = 1;

	if (doc->npages < 2 || !doc->mime ||
	    (strcmp(doc->mime, "application/pdf") && strcmp(doc->mime, "image/tiff")))
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
		for (b = a; b < doc->npages && !is_separator(r, job->origin->inbox, &doc->pages[b]);
		     b++)
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
		pl_push_job(r, cj, 1);
	}
	r->docs_total--; /* the batch itself is not a document */
	pthread_mutex_unlock(&r->mu);
	o->kind = O_CONTAINER;
	goto out;
nomem:
	folio_err_set(&err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fatal:
	fail(o, "pipeline", &err);
	pl_set_fatal(r, &err);
	ret = -1;
out:
	for (i = 0; parts && i < doc->npages; i++)
		folio_doc_free(parts[i]);
	folio_batch_original_unref(orig);
	free(parts);
	free(idx);
	return ret;
}

int pl_take_template(void *ctx, const struct folio_template *t)
{
	return folio_extractor_add_template(ctx, t);
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
int pl_page_ready(void *arg, struct folio_doc *doc, size_t index, struct folio_err *err)
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
				t->page = *pg; /* moves the image; words and text are empty */
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
/* A worker's fatal end: the outcome says why and the whole run stops. */
static int fatal_end(struct folio_pipeline *r, struct outcome *o, struct folio_err *err)
{
	fail(o, "pipeline", err);
	pl_set_fatal(r, err);
	return FOLIO_FATAL;
}

static int nomem_end(struct folio_pipeline *r, struct outcome *o)
{
	struct folio_err err = { 0 };

	folio_err_set(&err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return fatal_end(r, o, &err);
}

/* The job's file (opened under the inbox's symlink rule, bounded by
 * max_file_bytes) as a new doc in *docp. 0; 1 when it cannot be read (`o`
 * says why); -1 when out of memory. */
static int read_input(struct worker *w, struct job *job, struct outcome *o, struct folio_doc **docp)
{
	const struct folio_config *cfg = w->run->cfg;
	struct folio_err err = { 0 };
	unsigned char *data;
	size_t size;
	int fd, ret;

	if (folio_open_input(job->origin->root, job->path, cfg->follow_symlinks, &fd, NULL, &err) !=
	    FOLIO_OK) {
		fail(o, "read", &err);
		return 1;
	}
	ret = folio_read_fd(fd, job->path, cfg->max_file_bytes, &data, &size, &err);
	close(fd);
	if (ret != FOLIO_OK) {
		fail(o, "read", &err);
		return 1;
	}
	return (*docp = folio_doc_new(job->path, data, size)) ? 0 : -1;
}

/* The run's verdict on the doc's bytes: new (claimed: o->kind O_READY), a
 * retry of an earlier failure, or a duplicate of one archived or in hand.
 * -1 when out of memory. */
static int claim(struct folio_pipeline *r, const struct folio_doc *doc, struct outcome *o)
{
	struct sha_slot *slot;

	pthread_mutex_lock(&r->mu);
	slot = pl_sha_find(&r->known, doc->sha256);
	if (slot && slot->state == S_RETRY) {
		slot->state = S_INFLIGHT;
		o->kind = O_READY;
	} else if (slot && slot->state == S_ARCHIVED) {
		o->kind = O_DUP_KNOWN;
		o->dup_id = slot->id;
	} else if (slot) {
		o->kind = O_DUP_PENDING;
	} else if (!pl_sha_put(&r->known, doc->sha256, S_INFLIGHT, 0)) {
		pthread_mutex_unlock(&r->mu);
		return -1;
	} else {
		o->kind = O_READY;
	}
	pthread_mutex_unlock(&r->mu);
	return 0;
}

/* Decode a detected doc (pages read by OCR with the inbox's languages,
 * shared with the other workers). FOLIO_OK, FOLIO_FAILED or FOLIO_FATAL. */
static int decode_doc(struct worker *w, struct job *job, struct folio_doc *doc,
		      struct folio_err *err)
{
	struct page_set set = { NULL, 0, NULL, NULL };
	struct folio_err perr = { 0 };
	int ret, pret;

	set.languages = job->origin->inbox ? job->origin->inbox->languages : NULL;
	/* without it (ENOMEM) each page is read as if alone */
	set.ocr = folio_ocr_doc_new();
	w->pages = &set;
	ret = folio_decode(w->decode, doc, err);
	/* always: pages out with other workers must come home */
	pret = collect_pages(w, doc, &perr);
	w->pages = NULL;
	folio_ocr_doc_free(set.ocr);
	if (ret != FOLIO_FATAL && ret != FOLIO_FAILED && pret != FOLIO_OK) {
		ret = pret;
		*err = perr;
	}
	return ret;
}

/* A container's entries become jobs of their own, ahead of the other
 * inputs; the container itself is no document, unless it is one too (an
 * e-mail message: it goes on to be read and stored with them). -1 when
 * out of memory. */
static int fan_out(struct folio_pipeline *r, struct job *job, struct folio_doc *doc,
		   struct outcome *o)
{
	size_t i;

	pthread_mutex_lock(&r->mu);
	for (i = doc->nchildren; i-- > 0;) {
		struct job *cj = calloc(1, sizeof(*cj));

		if (!cj || !(cj->path = strdup(doc->children[i]->path))) {
			free(cj);
			pthread_mutex_unlock(&r->mu);
			return -1;
		}
		cj->doc = doc->children[i];
		cj->origin = job->origin;
		job->origin->pending++;
		doc->children[i] = NULL;
		pl_push_job(r, cj, 1);
	}
	doc->nchildren = 0;
	if (!doc->also_document)
		r->docs_total--; /* the archive itself is not a document */
	pthread_mutex_unlock(&r->mu);
	if (!doc->also_document)
		o->kind = O_CONTAINER;
	return 0;
}

/* A decoded doc's fields, type and tags; `t` is when decoding began. */
static int understand(struct worker *w, struct folio_doc *doc, struct outcome *o, double t)
{
	struct folio_pipeline *r = w->run;
	struct folio_err err = { 0 };
	int ret;

	if (!doc->npages) {
		folio_err_set(&err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "document has no pages");
		fail(o, "decode", &err);
		return FOLIO_OK;
	}
	o->t_decode = folio_clock() - t;
	t = folio_clock();
	if (folio_doc_join_text(doc))
		return nomem_end(r, o);
	ret = folio_extract_doc(r->extractor, doc, &err);
	if (ret == FOLIO_OK && r->have_asn_re && folio_extract_asn(&r->asn_re, doc))
		return nomem_end(r, o);
	o->t_extract = folio_clock() - t;
	if (ret != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			return fatal_end(r, o, &err);
		fail(o, "extract", &err);
		return FOLIO_OK;
	}
	t = folio_clock();
	ret = folio_classify_doc(r->classifier, doc, &err);
	if (ret == FOLIO_OK)
		ret = folio_tagger_apply(r->tagger, doc, &err);
	if (ret == FOLIO_OK && folio_classify_settle(doc))
		return nomem_end(r, o);
	doc->simhash = folio_simhash(doc->text.buf);
	o->t_classify = folio_clock() - t;
	if (ret != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			return fatal_end(r, o, &err);
		fail(o, "classify", &err);
		return FOLIO_OK;
	}
	o->pages = (int)doc->npages;
	return FOLIO_OK;
}

static int process(struct worker *w, struct job *job, struct outcome *o)
{
	struct folio_pipeline *r = w->run;
	struct folio_err err = { 0 };
	struct folio_doc *doc = job->doc;
	int ret;

	double t = folio_clock();

	job->doc = NULL;
	if (!doc && (ret = read_input(w, job, o, &doc)) != 0)
		return ret < 0 ? nomem_end(r, o) : FOLIO_OK;
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
	if (claim(r, doc, o))
		return nomem_end(r, o);
	if (o->kind != O_READY)
		return FOLIO_OK;
	if (doc->decoded)
		return understand(w, doc, o, t);
	if ((ret = folio_detect_doc(w->detect, doc, &err)) != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			return fatal_end(r, o, &err);
		fail(o, "detect", &err);
		return FOLIO_OK;
	}
	ret = decode_doc(w, job, doc, &err);
	if (ret == FOLIO_FATAL)
		return fatal_end(r, o, &err);
	if (ret == FOLIO_FAILED) {
		fail(o, "decode", &err);
		return FOLIO_OK;
	}
	if (doc->is_container) {
		if (fan_out(r, job, doc, o))
			return nomem_end(r, o);
		if (!doc->also_document)
			return FOLIO_OK;
	}
	if ((ret = split_batch(w, job, doc, o)) != 0)
		return ret < 0 ? FOLIO_FATAL : FOLIO_OK;
	return understand(w, doc, o, t);
}

void *pl_worker_main(void *arg)
{
	struct worker *w = arg;
	struct folio_pipeline *r = w->run;
	struct folio_err err = { 0 };

	/* every engine starts before any document is taken, in parallel: a
	 * missing language pack stops the run before anything is touched */
	if (!(w->ocr = folio_ocr_new(r->cfg, &err))) {
		pl_set_fatal(r, &err);
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
			pl_set_fatal(r, &e);
			pl_job_free(job);
			break;
		}
		process(w, job, o);
		o->seconds = folio_clock() - t0;
		pl_job_free(job);
		pl_push_outcome(r, o);
	}
	return NULL;
}
