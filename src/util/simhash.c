/* simhash.c - near-duplicate fingerprints; see include/folio/simhash.h. */
#include "folio/simhash.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "folio/util.h"

static uint64_t fnv1a(const char *s, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void add(int64_t v[64], uint64_t h)
{
	int b;

	for (b = 0; b < 64; b++)
		v[b] += (h >> b) & 1 ? 1 : -1;
}

uint64_t folio_simhash(const char *text)
{
	char *folded = folio_fold_key(text ? text : ""), *p;
	int64_t v[64] = { 0 };
	const char *prev = NULL;
	size_t prevn = 0, nwords = 0;
	uint64_t h = 0;
	int b;

	if (!folded)
		return 0;
	p = folded;
	while (*p) {
		char *w;
		size_t n;

		/* a word: letters and digits (OCR punctuation noise is dropped) */
		while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
			p++;
		w = p;
		while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
			p++;
		n = (size_t)(p - w);
		if (n < 2)
			continue;
		nwords++;
		add(v, fnv1a(w, n, 0xcbf29ce484222325ULL));
		if (prev)
			add(v, fnv1a(w, n, fnv1a(prev, prevn, 0x84222325cbf29ce4ULL)));
		prev = w;
		prevn = n;
	}
	if (nwords >= FOLIO_SIMHASH_MIN_WORDS)
		for (b = 0; b < 64; b++)
			if (v[b] > 0)
				h |= 1ULL << b;
	free(folded);
	return h;
}

int folio_simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}
