/*
 * writer.c - the single writer, on the calling thread: outcomes into the
 * archive (stored, duplicate, quarantined), the run's duplicates settled,
 * sources reported once everything found in them is handled.
 */
#include "pipeline_private.h"

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

/*
 * A duplicate from an origin that names where it came from (a polled
 * message's mail_source): the existing document is linked to it too. It
 * gets the origin's tags it lacks (the account's, the folder's, the
 * matching tag rules') and, when it has no such field yet, the origin's
 * (a document keeps the first source it came from; the "duplicate"
 * event names every later one). A tag the archive refuses is left out.
 */
static int link_origin(struct folio_pipeline *r, struct outcome *o, long long id,
		       struct folio_err *err)
{
	const struct origin *og = o->origin;
	struct folio_doc *d = NULL;
	struct folio_err e = { 0 };
	const char **add = NULL;
	size_t i, k, n = 0;
	int ret = FOLIO_OK;

	if (!og->field || folio_archive_get(r->arc, id, &d, &e) != FOLIO_OK)
		return FOLIO_OK; /* nothing to link, or gone meanwhile */
	if (!(add = calloc(og->ntags + 1, sizeof(*add)))) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < og->ntags; i++) {
		for (k = 0; k < d->ntags && strcmp(d->tags[k], og->tags[i]); k++)
			;
		if (k == d->ntags)
			add[n++] = og->tags[i];
	}
	if (n && folio_archive_tag(r->arc, id, add, NULL, &e) == FOLIO_FATAL) {
		*err = e;
		ret = FOLIO_FATAL;
		goto out;
	}
	if (!folio_doc_field(d, og->field)) {
		char detail[1200];

		if (folio_doc_set_field(d, og->field, og->value, NULL, 1.0f, FOLIO_SRC_NONE, 0,
					NULL)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		snprintf(detail, sizeof(detail), "%s: %s (a duplicate came from there)", og->field,
			 og->value);
		if (folio_archive_update_fields(r->arc, d, detail, &e) == FOLIO_FATAL) {
			*err = e;
			ret = FOLIO_FATAL;
		}
	}
out:
	free(add);
	folio_doc_free(d);
	return ret;
}

static int duplicate(struct folio_pipeline *r, struct outcome *o, long long id,
		     struct folio_err *err)
{
	char reason[64], type[64], *type_p = NULL, detail[1200] = "";
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
	if (o->origin->field)
		snprintf(detail, sizeof(detail), "%s: %s", o->origin->field, o->origin->value);
	if (folio_archive_event(r->arc, "duplicate", id, o->sha, o->path,
				o->origin->field ? detail : NULL, err) != FOLIO_OK ||
	    link_origin(r, o, id, err) != FOLIO_OK)
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
	pl_origin_free(og);
}

/* The original of `sha` is settled: report the copies that waited. */
static int settle_pending(struct folio_pipeline *r, const char *sha, long long id, const char *why,
			  struct folio_err *err)
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
		pl_outcome_free(o);
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
		pl_outcome_free(o);
		pthread_mutex_lock(&r->mu);
		if ((slot = pl_sha_find(&r->known, sha)))
			slot->state = S_RETRY;
		pl_push_job(r, j, 1);
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
	case O_DUP_KNOWN: return duplicate(r, o, o->dup_id, err);
	case O_DUP_PENDING: {
		struct sha_slot *slot;
		enum sha_state state;
		long long id;

		pthread_mutex_lock(&r->mu);
		slot = pl_sha_find(&r->known, o->sha);
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
			pl_sha_put(&r->known, o->sha,
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
		if (o->origin->field &&
		    folio_doc_set_field(o->doc, o->origin->field, o->origin->value, NULL, 1.0f,
					FOLIO_SRC_NONE, 0, NULL))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		{
			double t = folio_clock();

			ret = folio_match(r->arc, o->doc, &e);
			if (ret == FOLIO_OK)
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
		pl_sha_put(&r->known, o->sha, S_ARCHIVED, o->doc->id);
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
			pl_outcome_free(o);
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
