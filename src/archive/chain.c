/*
 * chain.c - the audit log's hash chain recomputed link by link, the same
 * for every backend (SQLite's verify, folio_archive_chain()).
 */
#include "chain.h"

#include <stdio.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"

int folio_chain_hash(const char *prev, const char *at, const char *kind, long long doc_id,
		     const char *sha256, const char *path, const char *detail, char hash[65])
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	if (folio_strbuf_addf(&sb, "%s\n%s\n%s\n%lld\n%s\n%s\n%s", prev, at, kind, doc_id,
			      sha256 ? sha256 : "", path ? path : "", detail ? detail : "")) {
		folio_strbuf_release(&sb);
		return -1;
	}
	folio_sha256_hex(sb.buf, sb.len, hash);
	folio_strbuf_release(&sb);
	return 0;
}

void folio_chain_init(struct folio_chain *c)
{
	memset(c, 0, sizeof(*c));
}

int folio_chain_step(struct folio_chain *c, const struct folio_event *ev, char *msg, size_t n)
{
	char want[65];
	long long expect = c->last_id + 1;
	int broken;

	if (folio_chain_hash(c->events ? c->head : "0", ev->at, ev->kind, ev->doc_id, ev->sha256,
			     ev->path, ev->detail, want))
		return -1;
	broken = strcmp(want, ev->hash) != 0;
	if (broken) {
		/* ids are not dense on every engine (a PostgreSQL sequence
		 * skips the ids of rolled-back writes): a gap explains a broken
		 * link, it is no fault on its own */
		if (ev->id > expect && expect == ev->id - 1)
			snprintf(msg, n,
				 "event %lld (%s): its hash does not follow from the event before"
				 " it: event %lld is missing (removed from the log)",
				 ev->id, ev->kind, expect);
		else if (ev->id > expect)
			snprintf(msg, n,
				 "event %lld (%s): its hash does not follow from the event before"
				 " it: events %lld to %lld are missing (removed from the log)",
				 ev->id, ev->kind, expect, ev->id - 1);
		else if (!c->events)
			snprintf(msg, n,
				 "event %lld (%s): its hash does not follow from its columns (the"
				 " event was changed)",
				 ev->id, ev->kind);
		else
			snprintf(msg, n,
				 "event %lld (%s): its hash does not follow from its columns and"
				 " the hash of event %lld (the event was changed, or the one"
				 " before it)",
				 ev->id, ev->kind, c->last_id);
		if (!c->broken++) {
			c->first_broken = ev->id;
			snprintf(c->problem, sizeof(c->problem), "%s", msg);
		}
	}
	c->events++;
	c->last_id = ev->id;
	snprintf(c->head, sizeof(c->head), "%s", ev->hash);
	return broken;
}
