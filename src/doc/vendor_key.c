/*
 * vendor_key.c - the keys vendors are matched by (see values.h): a name's
 * key with its legal form dropped, the similarity of two keys, and an
 * IBAN as the registry records it. Pure functions: the matching step of
 * the pipeline and the storage backends' registries share them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "folio/util.h"
#include "folio/values.h"

/* Legal forms, as their letters run together: the trailing words of a
 * name whose letters make one of these are dropped ("S.p.A.", "SpA" and
 * "S. p. A." alike). */
/* clang-format off */
static const char *const legal_forms[] = {
	"spzoo", "spolkazograniczonaodpowiedzialnoscia", "spk", "spj", "sc", "ska",
	"spolkaakcyjna", "spolkajawna", "spolkakomandytowa", "sa", "sl", "slu", "sau",
	"scp", "lda", "limitada", "unipessoal", "srl", "srls", "spa", "sas", "snc", "sapa",
	"sarl", "eurl", "sprl", "gmbh", "ag", "kg", "ohg", "gbr", "ug", "ek", "co", "ltd",
	"limited", "plc", "llc", "inc", "corp", "bv", "nv", "bvba", "sro", "as", "oy", "ab",
	"aps", "kft", "zrt", "doo",
};
/* clang-format on */

#define MAX_TOKENS 64

static int is_form(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(legal_forms) / sizeof(legal_forms[0]); i++)
		if (strlen(legal_forms[i]) == n && !memcmp(legal_forms[i], s, n))
			return 1;
	return 0;
}

size_t folio_vendor_key(const char *name, char *key, size_t size)
{
	char *f = folio_fold_key(name), joined[64];
	size_t start[MAX_TOKENS], len[MAX_TOKENS], ntok = 0, i, j, n;
	int k;

	if (!size)
		return 0;
	*key = '\0';
	if (!f)
		return 0;
	/* words: runs of ASCII letters and digits, and of what folding left
	 * beyond ASCII (other scripts) */
	for (i = 0; f[i] && ntok < MAX_TOKENS;) {
		unsigned char c = (unsigned char)f[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
			start[ntok] = i;
			while ((c = (unsigned char)f[i]) &&
			       ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80))
				i++;
			len[ntok] = i - start[ntok];
			ntok++;
		} else {
			i++;
		}
	}
	/* drop trailing legal forms (up to 5 words each), keeping one word */
	for (;;) {
		int cut = 0;

		for (k = 5; k >= 1 && !cut; k--) {
			if ((size_t)k >= ntok)
				continue;
			for (n = 0, j = ntok - (size_t)k; j < ntok; j++) {
				if (n + len[j] >= sizeof(joined))
					break;
				memcpy(joined + n, f + start[j], len[j]);
				n += len[j];
			}
			if (j == ntok && is_form(joined, n)) {
				ntok -= (size_t)k;
				cut = 1;
			}
		}
		if (!cut)
			break;
	}
	for (n = 0, j = 0; j < ntok; j++) {
		size_t take = len[j];

		if (n + take >= size) {
			take = size - 1 - n;
			/* not in the middle of a UTF-8 sequence */
			while (take && ((unsigned char)f[start[j] + take] & 0xc0) == 0x80)
				take--;
		}
		memcpy(key + n, f + start[j], take);
		n += take;
		if (take < len[j])
			break;
	}
	key[n] = '\0';
	free(f);
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The sorted set of byte trigrams of s into t[]; returns its size. */
static size_t trigrams(const char *s, uint32_t *t, size_t max)
{
	size_t n = strlen(s), i, k = 0, u;

	for (i = 0; i + 2 < n && k < max; i++)
		t[k++] = (uint32_t)(unsigned char)s[i] << 16 |
			 (uint32_t)(unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
	if (!k)
		return 0;
	folio_sort(t, k, sizeof(*t), cmp_u32);
	for (u = 1, i = 1; i < k; i++)
		if (t[i] != t[u - 1])
			t[u++] = t[i];
	return u;
}

double folio_vendor_similarity(const char *a, const char *b)
{
	uint32_t ta[FOLIO_VENDOR_KEY_MAX], tb[FOLIO_VENDOR_KEY_MAX];
	size_t na = trigrams(a, ta, FOLIO_VENDOR_KEY_MAX),
	       nb = trigrams(b, tb, FOLIO_VENDOR_KEY_MAX);
	size_t i = 0, j = 0, both = 0;

	if (!na || !nb)
		return *a && !strcmp(a, b) ? 1.0 : 0.0;
	while (i < na && j < nb) {
		if (ta[i] == tb[j]) {
			both++;
			i++;
			j++;
		} else if (ta[i] < tb[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(na + nb - both);
}

size_t folio_vendor_iban(const char *raw, char *out, size_t size)
{
	size_t i, n = 0;

	if (!size)
		return 0;
	for (i = 0; raw && raw[i] && n + 1 < size; i++)
		if (raw[i] != ' ')
			out[n++] = (char)(raw[i] >= 'a' && raw[i] <= 'z' ? raw[i] - 32 : raw[i]);
	out[n] = '\0';
	return n;
}
