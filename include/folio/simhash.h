/*
 * simhash.h - a 64-bit SimHash of a document's text, for finding the same
 * paper scanned twice (different bytes, nearly the same words).
 *
 * Features are the text's words and word pairs, folded (lowercase, no
 * diacritics, letters and digits only); similar texts give hashes that
 * differ in few bits. Texts with fewer than FOLIO_SIMHASH_MIN_WORDS words
 * get no hash (0): near-empty pages are all alike.
 */
#ifndef FOLIO_SIMHASH_H
#define FOLIO_SIMHASH_H

#include <stdint.h>

#define FOLIO_SIMHASH_MIN_WORDS 20
/* At most this many differing bits counts as the same document. */
#define FOLIO_SIMHASH_NEAR 6

/* The SimHash of UTF-8 `text`, or 0 when it is too short (or ENOMEM). */
uint64_t folio_simhash(const char *text);

/* Number of differing bits. */
int folio_simhash_distance(uint64_t a, uint64_t b);

#endif
