/* suggest.c - "did you mean": the closest of a list of names to a word a
 * person mistyped (see folio_suggest() in include/folio/util.h). */
#include "folio/util.h"

#include <ctype.h>
#include <string.h>

#define MAXLEN 64

int folio_edit_distance(const char *a, const char *b)
{
	/* optimal string alignment: insertions, deletions, substitutions and
	 * swaps of two neighbours each cost one; three rows suffice */
	int rows[3][MAXLEN + 1], *pp = rows[0], *p = rows[1], *c = rows[2], *t;
	size_t na = strlen(a), nb = strlen(b), i, j;

	if (na > MAXLEN || nb > MAXLEN)
		return MAXLEN + 1;
	for (j = 0; j <= nb; j++)
		p[j] = (int)j;
	for (i = 1; i <= na; i++) {
		c[0] = (int)i;
		for (j = 1; j <= nb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) !=
				   tolower((unsigned char)b[j - 1]);
			int v = p[j] + 1;

			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (p[j - 1] + cost < v)
				v = p[j - 1] + cost;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[nb];
}

const char *folio_suggest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t n = strlen(word);
	/* git's manner: close relative to the word's length, never a guess
	 * at a two-letter word */
	int limit = n < 3 ? 0 : n < 6 ? 1 : 2, bd = limit + 1, d;

	for (; names && *names; names++) {
		d = folio_edit_distance(word, *names);
		if (d < bd) {
			bd = d;
			best = *names;
		}
	}
	return bd <= limit ? best : NULL;
}
