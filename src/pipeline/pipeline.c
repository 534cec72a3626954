/*
 * pipeline.c - the worker pool: inputs in, jobs and outcomes queued, the
 * pool started and stopped. One document's run through the stages is in
 * worker.c, the single writer in writer.c. See include/folio/pipeline.h.
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
#include "pipeline_private.h"

/* ---- the SHA-256 table ---------------------------------------------- */

static size_t sha_hash(const char *sha)
{
	size_t h = 0;
	int i;

	for (i = 0; i < 16; i++)
		h = h * 16 + (size_t)(sha[i] <= '9' ? sha[i] - '0' : sha[i] - 'a' + 10);
	return h;
}

struct sha_slot *pl_sha_find(struct sha_set *s, const char *sha)
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

struct sha_slot *pl_sha_put(struct sha_set *s, const char *sha, enum sha_state st, long long id)
{
	struct sha_slot *slot = pl_sha_find(s, sha);
	size_t i;

	if (!slot && (s->n + 1) * 2 > s->cap) {
		struct sha_set bigger = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

		if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))))
			return NULL;
		for (i = 0; i < s->cap; i++)
			if (s->slots[i].state != S_EMPTY)
				pl_sha_put(&bigger, s->slots[i].sha, s->slots[i].state,
					   s->slots[i].id);
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
	return pl_sha_put(arg, sha, S_ARCHIVED, id) ? 0 : -1;
}

/* ---- queues ----------------------------------------------------------- */

void pl_job_free(struct job *j)
{
	if (!j)
		return;
	free(j->path);
	folio_doc_free(j->doc);
	free(j);
}

void pl_outcome_free(struct outcome *o)
{
	if (!o)
		return;
	folio_doc_free(o->doc);
	free(o->path);
	free(o);
}

/* Queue a job; at the front for archive entries. Caller holds mu. */
void pl_push_job(struct folio_pipeline *r, struct job *j, int front)
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

void pl_push_outcome(struct folio_pipeline *r, struct outcome *o)
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

void pl_set_fatal(struct folio_pipeline *r, const struct folio_err *err)
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

void pl_origin_free(struct origin *og)
{
	size_t i;

	if (!og)
		return;
	for (i = 0; i < og->ntags; i++)
		free(og->tags[i]);
	free(og->tags);
	free(og->field);
	free(og->value);
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
			  const char *const *tags, size_t ntags, void *cookie,
			  struct folio_err *err)
{
	return folio_pipeline_submit_field(r, path, root, tags, ntags, NULL, NULL, cookie, err);
}

int folio_pipeline_submit_field(struct folio_pipeline *r, const char *path, const char *root,
				const char *const *tags, size_t ntags, const char *field,
				const char *value, void *cookie, struct folio_err *err)
{
	struct job *j = calloc(1, sizeof(*j));
	struct origin *og = calloc(1, sizeof(*og));
	size_t i;

	if (!j || !og || !(j->path = strdup(path)) || !(og->path = strdup(path)) ||
	    (root && !(og->root = strdup(root))) ||
	    (ntags && !(og->tags = calloc(ntags, sizeof(char *)))) ||
	    (field && (!(og->field = strdup(field)) || !(og->value = strdup(value)))))
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
	pl_push_job(r, j, 0);
	pthread_mutex_unlock(&r->mu);
	return FOLIO_OK;
nomem:
	if (j)
		free(j->path);
	free(j);
	pl_origin_free(og);
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
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
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

static int nomem(struct folio_err *err)
{
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

/* The extractor with models/labels.tsv, then the vendor templates shipped
 * in models/, then the archive's own. */
static int load_extractor(struct folio_pipeline *r, const char *models, struct folio_err *err)
{
	struct folio_extract_opts xo = { 0 };
	char *path = folio_path_join(models, "labels.tsv");
	int tr;

	if (!path)
		return nomem(err);
	xo.lexicon = path;
	xo.review_below = (float)r->cfg->review_confidence / 100.0f;
	r->extractor = folio_extractor_new(&xo, err);
	free(path);
	if (!r->extractor)
		return FOLIO_FAILED;
	if (!(path = folio_path_join(models, "vendor-templates.tsv")))
		return nomem(err);
	tr = folio_extractor_load_templates(r->extractor, path, err);
	free(path);
	if (tr != FOLIO_OK && tr != FOLIO_WARN)
		return tr;
	folio_err_clear(err);
	return folio_archive_templates(r->arc, pl_take_template, r->extractor, err);
}

/* Compile config regex `pattern` (named `what` in the error) into *re. */
static int compile_re(regex_t *re, const char *what, const char *pattern, int flags,
		      struct folio_err *err)
{
	int rc = regcomp(re, pattern, flags);
	char msg[128];

	if (!rc)
		return FOLIO_OK;
	regerror(rc, re, msg, sizeof(msg));
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "%s '%s': %s", what, pattern,
			     msg);
}

/* The split-sheet barcode and ASN patterns of the config, when set. */
static int compile_patterns(struct folio_pipeline *r, struct folio_err *err)
{
	const struct folio_config *cfg = r->cfg;

	if (cfg->split_barcode && *cfg->split_barcode) {
		if (compile_re(&r->split_re, "split_barcode", cfg->split_barcode,
			       REG_EXTENDED | REG_NOSUB, err) != FOLIO_OK)
			return FOLIO_FAILED;
		r->have_split_re = 1;
	}
	if (cfg->asn_pattern && *cfg->asn_pattern) {
		if (compile_re(&r->asn_re, "asn_pattern", cfg->asn_pattern,
			       REG_EXTENDED | REG_ICASE, err) != FOLIO_OK)
			return FOLIO_FAILED;
		r->have_asn_re = 1;
	}
	return FOLIO_OK;
}

/* The archive's own type model (folio train), else the shipped one. */
static int load_model(struct folio_pipeline *r, const char *models, struct folio_err *err)
{
	char *own = folio_path_join(folio_archive_dir(r->arc), "doctype.model");
	char *shipped = folio_path_join(models, "doctype.model");
	int mr;

	if (!own || !shipped) {
		free(own);
		free(shipped);
		return nomem(err);
	}
	mr = folio_classify_load_model(r->classifier, own, err);
	if (mr == FOLIO_WARN)
		mr = folio_classify_load_model(r->classifier, shipped, err);
	free(own);
	free(shipped);
	if (mr != FOLIO_OK && mr != FOLIO_WARN)
		return mr;
	folio_err_clear(err);
	return FOLIO_OK;
}

/* Each worker's detector and decoder, then its thread. */
static int start_workers(struct folio_pipeline *r, struct folio_err *err)
{
	int i;

	if (!(r->workers = calloc((size_t)r->nworkers, sizeof(*r->workers))))
		return nomem(err);
	for (i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];

		w->run = r;
		if (!(w->detect = folio_detect_new(err)) ||
		    !(w->decode = folio_decode_ctx_new(r->cfg, err)))
			return FOLIO_FAILED;
		folio_decode_ctx_set_page_hook(w->decode, pl_page_ready, w);
	}
	for (i = 0; i < r->nworkers; i++) {
		if (pthread_create(&r->workers[i].thread, NULL, pl_worker_main, &r->workers[i]))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, errno,
					     "cannot start a worker thread");
		r->started++;
	}
	return FOLIO_OK;
}

struct folio_pipeline *folio_pipeline_new(struct folio_archive *arc,
					  const struct folio_ingest_opts *opts,
					  struct folio_err *err)
{
	struct folio_pipeline *r = calloc(1, sizeof(*r));
	char *models = NULL, *rules = NULL;

	if (!r) {
		nomem(err);
		return NULL;
	}
	r->t0 = folio_clock();
	r->arc = arc;
	r->opts = opts;
	r->cfg = opts->cfg;
	r->nworkers = folio_config_workers(opts->cfg);
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
	    !(rules = opts->cfg->type_rules ? strdup(opts->cfg->type_rules) :
					      folio_path_join(models, "doctype.rules"))) {
		nomem(err);
		goto fail;
	}
	if (opts->cfg->tag_rules && !(r->tagger = folio_tagger_load(opts->cfg->tag_rules, err)))
		goto fail;
	if (load_extractor(r, models, err) != FOLIO_OK ||
	    !(r->classifier = folio_classify_load(rules, err)) ||
	    compile_patterns(r, err) != FOLIO_OK || load_model(r, models, err) != FOLIO_OK)
		goto fail;
	if (folio_archive_each_sha(arc, seed_sha, &r->known, err) != FOLIO_OK ||
	    folio_decode_global_init(opts->cfg, err) != FOLIO_OK)
		goto fail;
	folio_prepare_global_init();
	if (start_workers(r, err) != FOLIO_OK)
		goto fail;
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
			pl_origin_free(j->origin);
		pl_job_free(j);
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
			pl_origin_free(o->origin);
		pl_outcome_free(o);
	}
	while (r->pending_dups) {
		struct outcome *o = r->pending_dups;

		r->pending_dups = o->next;
		if (o->origin && !--o->origin->pending)
			pl_origin_free(o->origin);
		pl_outcome_free(o);
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
