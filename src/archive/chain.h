/*
 * chain.h - the audit log's hash chain, link by link, as every backend
 * writes it (see struct folio_chain in include/folio/archive.h); private
 * to src/archive.
 */
#ifndef FOLIO_ARCHIVE_CHAIN_H
#define FOLIO_ARCHIVE_CHAIN_H

#include "folio/archive.h"

/* The hash of an event whose predecessor's hash is `prev` ("0" for the
 * first event) into hash[65]. -1 when memory ran out. */
int folio_chain_hash(const char *prev, const char *at, const char *kind, long long doc_id,
		     const char *sha256, const char *path, const char *detail, char hash[65]);

/* Start a check: no event seen. */
void folio_chain_init(struct folio_chain *c);

/*
 * Check the next event (in the order of ids): its stored hash against
 * the one recomputed from the previous event's stored hash. Returns 0
 * when the link holds, 1 when it is broken (msg[n] says what is wrong;
 * the first broken link is kept in c), -1 when memory ran out.
 */
int folio_chain_step(struct folio_chain *c, const struct folio_event *ev, char *msg, size_t n);

#endif
