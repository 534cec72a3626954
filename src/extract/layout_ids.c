/*
 * layout_ids.c - tax IDs and bank accounts on a laid-out page: IBANs by
 * their check digits at every plausible length, accounts and tax IDs that
 * fail their checks taken only beside a label that names them (weak, for
 * review), tax IDs by rule and repair, and the labels that vouch for them.
 * The parties (layout_party.c) assign the tax IDs found here to seller and
 * buyer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/util.h"
#include "folio/values.h"
#include "layout_private.h"

/* IBAN: letters and digits of the following tokens, checked at every
 * plausible length (15..34). */
int lay_read_iban(struct ctx *cx, const struct span *sp, float conf)
{
	const struct pagem *pm = sp->pm;
	char buf[64], out[40];
	size_t i, j, n = 0, endtok[64];

	for (i = sp->a; i < sp->b && n < 40; i++) {
		const char *s = pm->t[i].text;

		if (!pm->t[i].key[0] || !strcmp(pm->t[i].key, "iban"))
			continue;
		for (; *s && n < 40; s++)
			if (isalnum((unsigned char)*s)) {
				endtok[n] = i + 1;
				buf[n++] = (char)toupper((unsigned char)*s);
			}
	}
	buf[n] = '\0';
	if (n < 15 || !isalpha((unsigned char)buf[0]) || !isalpha((unsigned char)buf[1]))
		return 0;
	for (j = n; j >= 15; j--) {
		char save = buf[j];
		int ok;

		buf[j] = '\0';
		ok = folio_iban_check(buf, out);
		if (ok != 1 && folio_iban_repair(buf, out) == 1)
			ok = 2;
		buf[j] = save;
		if (ok >= 1) {
			size_t first = sp->a;

			while (first < sp->b &&
			       (!pm->t[first].key[0] || !strcmp(pm->t[first].key, "iban")))
				first++;
			return lay_emit(cx, "iban", out, NULL, ok == 2 ? conf * 0.7f : conf, pm,
					first, endtok[j - 1]) ?
				       -1 :
				       1;
		}
	}
	return 0;
}

/*
 * The account after an IBAN label whose check digits fail or whose shape is
 * no IBAN's (a sample's "DK1212341234123412", a Polish NRB without its
 * country): what the page says, as a weak candidate for review. Text layer
 * only (on a scan a failed check is more likely a misread); the value's
 * groups of letters and digits up to the end of its cell, 8 to 34 long with
 * at least 6 digits.
 */
int lay_read_account(struct ctx *cx, const struct span *sp, float conf)
{
	const struct pagem *pm = sp->pm;
	char buf[40];
	size_t i, n = 0, digits = 0, first = sp->b, last = sp->a;
	int ocr = pm->pg->source == FOLIO_SRC_OCR;

	for (i = sp->a; i < sp->b; i++) {
		const char *s = pm->t[i].text;

		if (!strcmp(pm->t[i].key, "iban") && n == 0)
			continue;
		if (!pm->t[i].key[0])
			break;
		for (; *s; s++) {
			if (!isalnum((unsigned char)*s) && !strchr("-. ", *s))
				return 0;
			if (isalnum((unsigned char)*s)) {
				if (n + 1 >= sizeof(buf))
					return 0;
				digits += isdigit((unsigned char)*s) != 0;
				buf[n++] = (char)toupper((unsigned char)*s);
			}
		}
		if (first == sp->b)
			first = i;
		last = i + 1;
	}
	buf[n] = '\0';
	if (n < 8 || digits < 6)
		return 0;
	/* a domestic account number (Polish NRB) is the IBAN without its
	 * country: with the labels' country it may check */
	if (digits == n && cx->country[0] && n + 3 < sizeof(buf)) {
		char iban[48], out[40];

		snprintf(iban, sizeof(iban), "%.2s%s", cx->country, buf);
		if (folio_iban_check(iban, out) == 1)
			return lay_emit(cx, "iban", out, NULL, conf * 0.9f, pm, first, last) ? -1 :
											       1;
	}
	/* from a scan, an account that does not check may be misread: only
	 * IBAN-shaped and read with confidence, and weaker still */
	if (ocr && (n < 15 || !isalpha((unsigned char)buf[0]) || !isalpha((unsigned char)buf[1]) ||
		    !isdigit((unsigned char)buf[2]) || !isdigit((unsigned char)buf[3]) ||
		    lay_span_ocr_conf(pm, first, last) < 0.85f))
		return 0;
	return lay_emit(cx, "iban", buf, NULL, conf * (ocr ? 0.3f : 0.4f), pm, first, last) ? -1 :
											      1;
}

int lay_taxid_label(const char *key)
{
	/* clang-format off */
	static const char *const w[] = {
		"nip", "nif", "cif", "vat", "piva", "iva", "partitaiva", "ustidnr", "ustid",
		"uid", "vatno", "vatnumber", "nipue", "contribuinte", "cf", "codicefiscale",
		"steuernummer", "tva", "siret", "regon", "taxid", "nr", "dni", "nie", "vatreg",
		"ustidnr", "no", "n", "number", "reg", "id", "umsatzsteuerid", "fiscale", "vatid",
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

/* Try token runs starting at `i` as a tax ID (up to 4 tokens: "526 000 12
 * 46", "PL 5260001246"). Returns the number of tokens used, 0 if none. */
size_t lay_taxid_at(const struct ctx *cx, const struct pagem *pm, size_t i, size_t end,
		    struct taxid *out)
{
	char buf[64];
	size_t k, n = 0, best = 0;

	for (k = i; k < end && k < i + 4; k++) {
		const char *s = pm->t[k].text;
		size_t l = strlen(s);

		if (!pm->t[k].key[0] || n + l + 1 >= sizeof(buf))
			break;
		memcpy(buf + n, s, l);
		n += l;
		buf[n] = '\0';
		while (n && strchr(",;.)", buf[n - 1]))
			buf[--n] = '\0';
		if (n >= 8 && lay_has_digit(buf)) {
			char id[32];
			const char *kind;

			if (folio_taxid_check(buf, cx->country[0] ? cx->country : NULL, id,
					      &kind) == 1) {
				memcpy(out->id, id, sizeof(id));
				out->repaired = 0;
				best = k - i + 1;
			} else if (!best && n >= 9 &&
				   folio_taxid_repair(buf, cx->country[0] ? cx->country : NULL,
						      id) == 1) {
				memcpy(out->id, id, sizeof(id));
				out->repaired = 1;
				best = k - i + 1;
			}
		}
	}
	return best;
}

/* A tax ID's confidence: `conf` when its check digits hold, less when it
 * was repaired, much less when only its label vouches for it. */
float lay_taxid_conf(const struct taxid *t, float conf)
{
	return t->repaired == 2 ? conf * 0.45f : t->repaired ? conf * 2 / 3 : conf;
}

/* Labels that name a tax ID and nothing else ("USt-IdNr.", "NIP", "Partita
 * IVA", "Umsatzsteuer-ID"), unlike "Nr." or "ID". */
int lay_strong_taxid_label(const char *key)
{
	/* clang-format off */
	static const char *const w[] = {
		"nip", "nif", "cif", "vat", "piva", "iva", "partitaiva", "ustidnr", "ustid",
		"vatno", "vatnumber", "vatid", "vatregno", "contribuinte", "steuernummer", "tva",
		"umsatzsteuerid", "umsatzsteueridentifikationsnummer", "taxid", "taxnumber",
		"fiscale", "codicefiscale", "nipue", "vatregno", "vatregnumber", "vatregistrationno",
		"vatregistrationnumber", "taxregno", "vatidno", "vatidnumber", "mva", "orgnr",
		"momsregnr", "momsnr", "cvrnr", "btwnummer", "btwnr", "numerotva", "ntva",
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

/*
 * Whether the tokens right before token i on its line name a tax ID: one
 * strong label ("NIP:", "USt-IdNr.") or two or three words that do
 * together ("VAT number:", "VAT reg. no.:", "Tax ID:").
 */
static int strong_label_before(const struct pagem *pm, size_t i)
{
	char joined[64] = "";
	size_t k, len = 0;

	for (k = 1; k <= 3 && k <= i; k++) {
		const struct tok *t = &pm->t[i - k];
		size_t n = strlen(t->key);

		if (t->line != pm->t[i].line || !n || n + len >= sizeof(joined))
			return 0;
		/* the earlier word goes first */
		memmove(joined + n, joined, len + 1);
		memcpy(joined, t->key, n);
		len += n;
		if (lay_strong_taxid_label(joined))
			return 1;
	}
	return 0;
}

/*
 * A tax ID whose check digits fail or whose country has no rule here
 * ("NO123456789MVA", a sample's "IT01234567890"), right after a label that
 * names a tax ID: what the page says, marked (repaired = 2) so that it is
 * only a weak candidate and goes to review. One token of letters and
 * digits, 8 to 16 long, at least 6 digits.
 */
static size_t unchecked_taxid(const struct pagem *pm, size_t i, struct taxid *t)
{
	const char *s = pm->t[i].text;
	size_t k, n = 0, digits = 0;
	char id[32];

	/* on a scan a failed check is more likely a misread, unless the word
	 * was read with confidence and no look-alike repair checks */
	if (pm->pg->source == FOLIO_SRC_OCR && pm->t[i].conf < 0.9f)
		return 0;
	if (!strong_label_before(pm, i))
		return 0;
	if (pm->pg->source == FOLIO_SRC_OCR) {
		char rep[32];

		if (folio_taxid_repair(s, NULL, rep) == 1)
			return 0;
	}
	for (k = 0; s[k]; k++) {
		if (isdigit((unsigned char)s[k]))
			digits++;
		else if (!isalpha((unsigned char)s[k]) && !strchr("-.", s[k]))
			return 0;
		if (isalnum((unsigned char)s[k]) && n < sizeof(id) - 1)
			id[n++] = (char)toupper((unsigned char)s[k]);
	}
	id[n] = '\0';
	if (n < 8 || n > 16 || digits < 6)
		return 0;
	memcpy(t->id, id, n + 1);
	t->repaired = 2;
	return 1;
}

int lay_find_taxids(struct ctx *cx, struct taxid **out, size_t *nout)
{
	struct taxid *v = NULL;
	size_t n = 0, alloc = 0, p, i;

	for (p = 0; p < cx->npm; p++) {
		const struct pagem *pm = &cx->pm[p];

		for (i = 0; i < pm->nt; i++) {
			struct taxid t;
			size_t end = pm->c[pm->t[i].cell].b, used;

			if (!pm->t[i].key[0] || pm->t[i].used)
				continue;
			/* a bare number qualifies only next to a tax-ID label, or when it
			 * carries a country prefix */
			memset(&t, 0, sizeof(t));
			if (!(used = lay_taxid_at(cx, pm, i, end, &t)) &&
			    !(used = unchecked_taxid(pm, i, &t)))
				continue;
			t.labelled = i > 0 && pm->t[i - 1].line == pm->t[i].line &&
				     lay_taxid_label(pm->t[i - 1].key);
			if (!t.labelled && !isalpha((unsigned char)pm->t[i].text[0]) &&
			    !(i > 1 && pm->t[i - 2].line == pm->t[i].line &&
			      lay_taxid_label(pm->t[i - 2].key))) {
				i += used - 1;
				continue;
			}
			t.page = p;
			t.a = i;
			t.b = i + used;
			if (lay_grow((void **)&v, &alloc, n, sizeof(*v))) {
				free(v);
				return -1;
			}
			v[n++] = t;
			i += used - 1;
		}
	}
	*out = v;
	*nout = n;
	return 0;
}

/* IBANs anywhere: "PL29 1020 ..." even without a label. */
int lay_find_ibans(struct ctx *cx)
{
	size_t p, i;

	for (p = 0; p < cx->npm; p++) {
		const struct pagem *pm = &cx->pm[p];

		for (i = 0; i < pm->nt; i++) {
			const char *s = pm->t[i].text;
			struct span sp;

			if (!(isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
			      isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])))
				continue;
			sp.pm = pm;
			sp.a = i;
			sp.b = pm->c[pm->t[i].cell].b;
			sp.conf = 0.7f;
			if (lay_read_iban(cx, &sp, 0.7f) < 0)
				return -1;
		}
	}
	return 0;
}
