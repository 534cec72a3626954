/*
 * layout_party.c - the seller and the buyer from a page's layout: party
 * blocks under their labels, the tax IDs on the page and whose they are,
 * letterheads and return addresses (see layout.c for the page model).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "layout_private.h"

/* ---- party addresses ------------------------------------------------------ */

/*
 * A party's block is its name and the lines under it in its column: street
 * lines, a postcode line, perhaps a country, then the tax ID, phone, mail.
 * The postcode line's shape ends the address; the lines above it that look
 * like streets (a house number, "ul.", "Calle", "-straße", "Road", ...)
 * start it. Written as einvoice.c writes an e-invoice's address: the lines
 * joined with ", " ("ul. Piotrkowska 212, 90-001 Łódź"), the country apart.
 */

static int in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(key, *list))
			return 1;
	return 0;
}

/* Words of street names (folded keys), and endings of German ones. */
static int street_word(const char *key)
{
	/* clang-format off */
	static const char *const w[] = {
		"ul", "al", "pl", "os", "aleja", "aleje", "plac", "osiedle", "rynek", "calle",
		"c", "avda", "avenida", "av", "paseo", "plaza", "carretera", "poligono", "ronda",
		"camino", "travesia", "rua", "estrada", "largo", "praca", "travessa", "cais",
		"zona", "lote", "via", "viale", "piazza", "piazzale", "corso", "strada",
		"lungomare", "localita", "vicolo", "contrada", "str", "strasse", "strase", "weg",
		"platz", "allee", "gasse", "damm", "ufer", "markt", "rue", "bd", "boulevard",
		"chemin", "impasse", "place", "cours", "quai", "route", "street", "road", "rd",
		"lane", "way", "house", "unit", "court", "drive", "square", "promenade", "quay",
		"parade", "terrace", "crescent", "km", NULL,
	};
	/* clang-format on */
	static const char *const end[] = { "strasse", "strase", "str",	"weg",	 "platz", "allee",
					   "gasse",   "damm",	"ufer", "markt", NULL };
	size_t n = strlen(key), k;

	if (in_list(key, w))
		return 1;
	for (k = 0; end[k]; k++) {
		size_t e = strlen(end[k]);

		if (n > e + 2 && !strcmp(key + n - e, end[k]))
			return 1;
	}
	return 0;
}

/* Whether bytes [0, n) of `s` hold a street word. */
static int has_street_word(const char *s, size_t n)
{
	char word[64], key[KEY_MAX];
	size_t i = 0, j;

	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j > i && j - i < sizeof(word)) {
			memcpy(word, s + i, j - i);
			word[j - i] = '\0';
			lay_make_key(word, key, sizeof(key));
			if (*key && street_word(key))
				return 1;
		}
		i = j;
	}
	return 0;
}

enum pcode { PC_NONE, PC_PL, PC_PT, PC_5, PC_GB, PC_IE };

struct postcode {
	enum pcode kind;
	size_t at, end; /* its bytes in the line */
};

static int all_digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The first letter of a city: ASCII or the lead byte of a Latin letter. */
static int city_start(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return isalpha(c) || (c >= 0xc3 && c <= 0xc5);
}

/* "90-001 Łódź", "4450-208 Matosinhos", "50667 Köln", "D-50667 Köln",
 * also after a street on the same line ("ul. Kwiatowa 3, 05-500 ..."). */
static int lead_postcode(const char *s, struct postcode *pc)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		const char *p = s + i;
		size_t at = i, n, k2;
		enum pcode k;

		if (!isdigit((unsigned char)*p) ||
		    (i && s[i - 1] != ' ' && s[i - 1] != ',' && s[i - 1] != '-'))
			continue;
		if (i && s[i - 1] == '-') {
			/* a country's letters before it: "D-", "PL-" */
			size_t j = i - 1;

			while (j && isupper((unsigned char)s[j - 1]))
				j--;
			if (i - 1 - j > 2 || (j && s[j - 1] != ' '))
				continue;
			/* no letters: an OCR speck ("-3800-246 Aveiro") */
			at = i - 1 == j ? i : j;
		}
		if (all_digits(p, 2) && p[2] == '-' && all_digits(p + 3, 3) &&
		    !isdigit((unsigned char)p[6])) {
			k = PC_PL;
			n = 6;
		} else if (all_digits(p, 4) && p[4] == '-' && all_digits(p + 5, 3) &&
			   !isdigit((unsigned char)p[8])) {
			k = PC_PT;
			n = 8;
		} else if (all_digits(p, 5) && !isdigit((unsigned char)p[5])) {
			k = PC_5;
			n = 5;
		} else {
			continue;
		}
		if (p[n] != ' ' || !city_start(p + n + 1))
			continue;
		/* after a street ("ul. Kwiatowa 3, 05-500"), not after any word
		 * ("Razem 12345 Zapłacono") */
		for (k2 = 0; k2 < at && !isalnum((unsigned char)s[k2]); k2++)
			;
		if (k2 < at && !(at >= 2 && s[at - 2] == ',') && s[at - 1] != ',' &&
		    !has_street_word(s, at))
			continue;
		pc->kind = k;
		pc->at = at;
		pc->end = i + n;
		return 1;
	}
	return 0;
}

static int upper_or_digit(int c)
{
	return isupper(c) || isdigit(c);
}

/* A British outward code: A9, A99, A9A, AA9, AA99, AA9A. */
static int gb_outward(const char *w, size_t n)
{
	size_t i = 0;

	while (i < n && i < 2 && isupper((unsigned char)w[i]))
		i++;
	if (!i || i >= n || !isdigit((unsigned char)w[i]))
		return 0;
	i++;
	if (i < n && upper_or_digit((unsigned char)w[i]))
		i++;
	return i == n;
}

/* "York YO1 7HH", "Dublin 7, D07 X2Y3": a British postcode or an Irish
 * Eircode ending the line, after the town. */
static int trail_postcode(const char *s, struct postcode *pc)
{
	size_t e2 = strlen(s), b2, e1, b1, i;
	int town = 0;

	/* specks after it: "Huddersfield HD1 6QA ©" */
	for (;;) {
		while (e2 && (s[e2 - 1] == ' ' || s[e2 - 1] == '.'))
			e2--;
		for (b2 = e2; b2 && s[b2 - 1] != ' '; b2--)
			if (isalnum((unsigned char)s[b2 - 1]))
				break;
		if (!b2 || s[b2 - 1] != ' ' || b2 == e2)
			break;
		e2 = b2 - 1;
	}
	for (b2 = e2; b2 && s[b2 - 1] != ' '; b2--)
		;
	if (b2 < 2 || s[b2 - 1] != ' ')
		return 0;
	e1 = b2 - 1;
	for (b1 = e1; b1 && s[b1 - 1] != ' '; b1--)
		;
	for (i = 0; i < b1; i++)
		town |= isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0xc3;
	if (!town || e1 == b1)
		return 0;
	if (e1 - b1 == 3 && isupper((unsigned char)s[b1]) && isdigit((unsigned char)s[b1 + 1]) &&
	    (isdigit((unsigned char)s[b1 + 2]) || s[b1 + 2] == 'W') && e2 - b2 == 4 &&
	    upper_or_digit((unsigned char)s[b2]) && upper_or_digit((unsigned char)s[b2 + 1]) &&
	    upper_or_digit((unsigned char)s[b2 + 2]) && upper_or_digit((unsigned char)s[b2 + 3]))
		pc->kind = PC_IE;
	else if (gb_outward(s + b1, e1 - b1) && e2 - b2 == 3 && isdigit((unsigned char)s[b2]) &&
		 isupper((unsigned char)s[b2 + 1]) && isupper((unsigned char)s[b2 + 2]))
		pc->kind = PC_GB;
	else
		return 0;
	pc->at = b1;
	pc->end = e2;
	return 1;
}

static int find_postcode(const char *s, struct postcode *pc)
{
	memset(pc, 0, sizeof(*pc));
	return lead_postcode(s, pc) || trail_postcode(s, pc);
}

/* A postcode line that also holds the street ("Calle Mayor 12, 28013 Madrid",
 * "12 High Street, Bath BA1 1AA"). */
static int street_in_line(const char *s, const struct postcode *pc)
{
	const char *comma;
	size_t i;

	if (pc->kind != PC_GB && pc->kind != PC_IE) {
		for (i = 0; i < pc->at; i++)
			if (isalnum((unsigned char)s[i]))
				return 1;
		return 0;
	}
	/* before the town: "Dublin 7, D07 X2Y3" is a town and its district */
	comma = memchr(s, ',', pc->at);
	return comma && (isdigit((unsigned char)s[0]) || has_street_word(s, (size_t)(comma - s)));
}

/* ISO code of a country's name in the languages folio reads, else NULL. */
static const char *country_name(const char *key)
{
	/* clang-format off */
	static const struct { const char *k, *cc; } c[] = {
		{ "polska", "PL" }, { "poland", "PL" }, { "polen", "PL" }, { "pologne", "PL" },
		{ "polonia", "PL" }, { "espana", "ES" }, { "spain", "ES" }, { "spanien", "ES" },
		{ "espagne", "ES" }, { "hiszpania", "ES" }, { "spagna", "ES" }, { "espanha", "ES" },
		{ "portugal", "PT" }, { "portugalia", "PT" }, { "portogallo", "PT" },
		{ "italia", "IT" }, { "italy", "IT" }, { "italien", "IT" }, { "italie", "IT" },
		{ "wlochy", "IT" }, { "deutschland", "DE" }, { "germany", "DE" }, { "niemcy", "DE" },
		{ "allemagne", "DE" }, { "alemania", "DE" }, { "germania", "DE" },
		{ "alemanha", "DE" }, { "france", "FR" }, { "frankreich", "FR" }, { "francja", "FR" },
		{ "francia", "FR" }, { "franca", "FR" }, { "unitedkingdom", "GB" }, { "uk", "GB" },
		{ "greatbritain", "GB" }, { "ireland", "IE" }, { "eire", "IE" }, { "irlanda", "IE" },
		{ "irland", "IE" }, { "irlande", "IE" }, { "irlandia", "IE" },
		{ "osterreich", "AT" }, { "austria", "AT" }, { "autriche", "AT" },
		{ "nederland", "NL" }, { "netherlands", "NL" }, { "niederlande", "NL" },
		{ "belgique", "BE" }, { "belgie", "BE" }, { "belgium", "BE" }, { "belgien", "BE" },
		{ "schweiz", "CH" }, { "suisse", "CH" }, { "switzerland", "CH" },
		{ "svizzera", "CH" }, { "czechy", "CZ" }, { "czechia", "CZ" },
		{ "tschechien", "CZ" }, { "ceskarepublika", "CZ" },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!strcmp(key, c[i].k))
			return c[i].cc;
	return NULL;
}

/* A line that ends a party's address before any postcode: tax ID, phone,
 * mail, bank, or another label. */
static int stop_cell(const struct pagem *pm, const struct cell *c)
{
	/* clang-format off */
	static const char *const w[] = {
		"nip", "nif", "cif", "vat", "piva", "iva", "partitaiva", "ustidnr", "ustid", "uid",
		"contribuinte", "cf", "tva", "siret", "siren", "regon", "krs", "tel", "telefon",
		"phone", "fax", "email", "mail", "www", "iban", "steuernummer", "stnr", "pesel",
		"dni", "codicefiscale", "bdo", "konto", "bank", NULL,
	};
	/* clang-format on */
	size_t i, k = 0;

	for (i = c->a; i < c->b; i++) {
		if (pm->t[i].used)
			return 1;
		if (!pm->t[i].key[0])
			continue;
		if (in_list(pm->t[i].key, w))
			return 1;
		/* "P. IVA", "N° TVA": a short word first */
		if (++k == 2 || strlen(pm->t[i].key) > 2)
			break;
	}
	return 0;
}

#define BLOCK_MAX 7

/*
 * The lines under `top` in its column, one run of cells a line: the cells
 * that overlap `top` horizontally (OCR splits a monospaced receipt's line
 * into several), kept when the run is aligned with `top` (left, right or
 * centred), until a blank gap. Lines of punctuation only (specks) are
 * passed over. The runs are written to `out` as cells.
 */
static size_t block_cells(const struct pagem *pm, const struct cell *top, struct cell *out)
{
	int last = top->y1;
	size_t l, k, n = 0;

	for (l = (size_t)top->line + 1;
	     l < pm->nl && n < BLOCK_MAX && l <= (size_t)top->line + BLOCK_MAX + 3; l++) {
		struct cell run;
		int h, dl, dr, dc, dm, keyed = 0;
		size_t i;

		memset(&run, 0, sizeof(run));
		for (k = pm->l[l].ca; k < pm->l[l].cb; k++) {
			const struct cell *d = &pm->c[k];

			if (d->x1 <= top->x0 || d->x0 >= top->x1) {
				if (run.b)
					break;
				continue;
			}
			if (!run.b) {
				run = *d;
				continue;
			}
			run.b = d->b;
			run.x1 = d->x1;
			run.y0 = d->y0 < run.y0 ? d->y0 : run.y0;
			run.y1 = d->y1 > run.y1 ? d->y1 : run.y1;
		}
		if (!run.b)
			continue;
		for (i = run.a; i < run.b; i++)
			keyed |= pm->t[i].key[0] != '\0';
		if (!keyed)
			continue;
		h = run.y1 - run.y0;
		dl = abs(run.x0 - top->x0);
		dr = abs(run.x1 - top->x1);
		dc = abs(run.x0 + run.x1 - top->x0 - top->x1) / 2;
		dm = dl < dr ? dl : dr;
		if ((dc < dm ? dc : dm) > h)
			continue;
		if (run.y0 - last > 2 * h)
			break;
		out[n++] = run;
		last = run.y1;
	}
	return n;
}

struct address {
	char *text;	 /* "street, postcode city" (caller frees) */
	char country[3]; /* printed, else implied, else "" */
	int printed;	 /* the country is printed */
	int bbox[4];
	float ocr; /* mean word confidence */
};

/* OCR specks around a line: "‘Lungomare ...", ". Rua ...", "... 9 :", "301." */
static void trim_line(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && strchr(" ,;:.|_'`", s[n - 1]))
		s[--n] = '\0';
	for (;;) {
		if (i < n && strchr(" ,;:.|_'`-*", s[i]))
			i++;
		else if (i + 2 < n && !memcmp(s + i, "\xe2\x80", 2) &&
			 ((unsigned char)s[i + 2] >= 0x98 && (unsigned char)s[i + 2] <= 0x9e))
			i += 3; /* quotes */
		else
			break;
	}
	memmove(s, s + i, n - i + 1);
}

static void bbox_add(int bb[4], const struct cell *c, int first)
{
	int x1 = bb[0] + bb[2], y1 = bb[1] + bb[3];

	if (first) {
		bb[0] = c->x0;
		bb[1] = c->y0;
		x1 = c->x1;
		y1 = c->y1;
	}
	if (c->x0 < bb[0])
		bb[0] = c->x0;
	if (c->y0 < bb[1])
		bb[1] = c->y0;
	if (c->x1 > x1)
		x1 = c->x1;
	if (c->y1 > y1)
		y1 = c->y1;
	bb[2] = x1 - bb[0];
	bb[3] = y1 - bb[1];
}

/*
 * The address in the block under `top` (a party's name or label) on page
 * `page`. Its country when printed (last line, or after the postcode line's
 * last comma), else implied by a postcode format only a tax ID in the same
 * block confirms (dd-ddd and a PL NIP; ddddd and an ES, IT, DE or FR ID).
 * Returns 1 and fills `ad`, 0 when the block has no postcode line, -1 on
 * ENOMEM.
 */
static int read_address(const struct ctx *cx, size_t page, const struct cell *top,
			const struct taxid *ids, size_t nids, struct address *ad)
{
	const struct pagem *pm = &cx->pm[page];
	struct cell bc[BLOCK_MAX];
	char *tx[BLOCK_MAX] = { NULL }, key[KEY_MAX];
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct postcode pc;
	size_t n = block_cells(pm, top, bc), i, p = n, j, nw = 0, nb = 0;
	const char *cc;
	float ocr = 0;
	int ret = -1;

	memset(ad, 0, sizeof(*ad));
	for (i = 0; i < n; i++)
		if (!(tx[i] = lay_span_text(pm, bc[i].a, bc[i].b, NULL, 0)))
			goto out;
	for (i = 0; i < n && p == n; i++) {
		if (stop_cell(pm, &bc[i]))
			break;
		if (find_postcode(tx[i], &pc))
			p = i;
	}
	ret = 0;
	if (p == n)
		goto out;
	if (pc.kind == PC_GB || pc.kind == PC_IE)
		tx[p][pc.end] = '\0';
	/* a printed country */
	{
		char *comma = strrchr(tx[p] + pc.end, ',');

		if (comma) {
			lay_make_key(comma + 1, key, sizeof(key));
			if ((cc = country_name(key))) {
				memcpy(ad->country, cc, 3);
				ad->printed = 1;
				*comma = '\0';
			}
		}
	}
	if (!ad->printed && p + 1 < n && !stop_cell(pm, &bc[p + 1])) {
		lay_make_key(tx[p + 1], key, sizeof(key));
		if ((cc = country_name(key))) {
			memcpy(ad->country, cc, 3);
			ad->printed = 1;
			bbox_add(ad->bbox, &bc[p + 1], nb++ == 0);
		}
	}
	/* the street lines above it; the line right above stands for the street
	 * when the postcode line holds none, whatever it looks like ("The
	 * Slipway") */
	for (i = 0; i <= p; i++) {
		if (i < p && !lay_has_digit(tx[i]) && !has_street_word(tx[i], strlen(tx[i])) &&
		    (i + 1 < p || street_in_line(tx[p], &pc)))
			continue;
		trim_line(tx[i]);
		if ((sb.len && folio_strbuf_adds(&sb, ", ")) || folio_strbuf_adds(&sb, tx[i]))
			goto nomem;
		bbox_add(ad->bbox, &bc[i], nb++ == 0);
		for (j = bc[i].a; j < bc[i].b; j++, nw++)
			ocr += pm->t[j].conf;
	}
	ad->ocr = nw ? ocr / (float)nw : 1.0f;
	/* implied by the postcode and the tax ID of the block */
	for (j = 0; j < nids && !ad->country[0]; j++) {
		const char *id = ids[j].id;

		if (ids[j].page != page)
			continue;
		for (i = 0; i < n; i++)
			if (ids[j].a >= bc[i].a && ids[j].a < bc[i].b)
				break;
		if (i == n)
			continue;
		if ((pc.kind == PC_PL && !strncmp(id, "PL", 2)) ||
		    (pc.kind == PC_PT && !strncmp(id, "PT", 2)) ||
		    (pc.kind == PC_GB && !strncmp(id, "GB", 2)) ||
		    (pc.kind == PC_IE && !strncmp(id, "IE", 2)) ||
		    (pc.kind == PC_5 && (!strncmp(id, "ES", 2) || !strncmp(id, "IT", 2) ||
					 !strncmp(id, "DE", 2) || !strncmp(id, "FR", 2))))
			memcpy(ad->country, id, 2);
		break;
	}
	if (!(ad->text = folio_strbuf_detach(&sb)))
		goto nomem;
	ret = 1;
	goto out;
nomem:
	ret = -1;
out:
	folio_strbuf_release(&sb);
	for (i = 0; i < n; i++)
		free(tx[i]);
	return ret;
}

static int emit_box(struct ctx *cx, const char *name, const char *value, float conf,
		    const struct pagem *pm, const int bbox[4], float ocr)
{
	enum folio_source src = pm->pg->source == FOLIO_SRC_OCR ? FOLIO_SRC_OCR : FOLIO_SRC_TEXT;

	if (src == FOLIO_SRC_OCR)
		conf *= 0.6f + 0.4f * ocr;
	if (folio_cands_add(cx->out, name, value, NULL, conf, src, pm->pg->number, bbox)) {
		cx->oom = 1;
		return -1;
	}
	return 0;
}

/* `role`_address and `role`_country from the block under `top`. `conf` is
 * the address's; a printed country has it too, an implied one less.
 * Returns 1 when an address was found, 0 if not, -1 on ENOMEM. */
static int party_address(struct ctx *cx, size_t page, const struct cell *top, const char *role,
			 const struct taxid *ids, size_t nids, float conf)
{
	const struct pagem *pm = &cx->pm[page];
	struct address ad;
	char field[32];
	int r = read_address(cx, page, top, ids, nids, &ad);

	if (r <= 0)
		return r;
	snprintf(field, sizeof(field), "%s_address", role);
	r = emit_box(cx, field, ad.text, conf, pm, ad.bbox, ad.ocr);
	snprintf(field, sizeof(field), "%s_country", role);
	if (!r && ad.country[0])
		r = emit_box(cx, field, ad.country, ad.printed ? conf : conf * 0.7f, pm, ad.bbox,
			     ad.ocr);
	free(ad.text);
	return r ? -1 : 1;
}

/* OCR misreadings of legal forms in a name: "Sp. z 0.o."; specks before
 * it or a colon after it ("_ The Corner Bookshop", "Vogt GmbH:"). */
static void clean_name(char *t)
{
	static const char *const bad[] = { "z 0.o.", "z o.0.", "z 0.0.", "z o,o.", "z o.o,", NULL };
	size_t n = strlen(t), i = 0;
	char *p;
	int k;

	for (k = 0; bad[k]; k++)
		while ((p = strstr(t, bad[k])))
			memcpy(p, "z o.o.", 6);
	while (n && strchr(" :;|_", t[n - 1]))
		t[--n] = '\0';
	/* OCR reads the l of a closing "ltd" as I */
	if (n >= 4 && !strcmp(t + n - 4, " Itd"))
		t[n - 3] = 'l';
	else if (n >= 5 && !strcmp(t + n - 5, " Itd."))
		t[n - 4] = 'l';
	while (i < n && strchr(" :;|_.,'`\"", t[i]))
		i++;
	memmove(t, t + i, n - i + 1);
}

/* Whether party label `m` heads its cell from its end: "Dati del cedente /
 * prestatore", "Informationen zum Käufer" - a short cell of words only,
 * the label its last words. */
static int party_heading(const struct pagem *pm, const struct match *m)
{
	const struct cell *c = &pm->c[m->cell];
	size_t i, b = c->b;

	while (b > m->b && !pm->t[b - 1].key[0])
		b--;
	if (b != m->b || c->b - c->a > 6)
		return 0;
	for (i = c->a; i < c->b; i++)
		if (lay_has_digit(pm->t[i].text) || strchr(pm->t[i].text, ':'))
			return 0;
	return 1;
}

/* A name label is one of a label:value pair: "Nazwa:" with its colon, or
 * alone in its cell with the value in the next one - not the first words
 * of a column heading ("Nazwa towaru"). */
static int name_label(const struct pagem *pm, const struct match *n)
{
	const struct cell *c = &pm->c[n->cell];

	if (strchr(pm->t[n->b - 1].text, ':') || (n->b < c->b && !strcmp(pm->t[n->b].text, ":")))
		return 1;
	return n->b == c->b && n->cell + 1 < pm->nc && pm->c[n->cell + 1].line == c->line;
}

/* Whether cell `c` opens with a field label of the lexicon ("NIP:",
 * "Adres", "E-mail:") or a tax ID label: not a name. */
static int label_cell(const struct ctx *cx, const struct pagem *pm, const struct cell *c)
{
	size_t k;

	if (lay_taxid_label(pm->t[c->a].key))
		return 1;
	for (k = 0; k < cx->nm; k++)
		if (cx->m[k].a == c->a && &cx->pm[cx->m[k].page] == pm &&
		    cx->m[k].lb->kind != V_COL && cx->m[k].lb->kind != V_ROW &&
		    (cx->m[k].lb->kind != V_PNAME || name_label(pm, &cx->m[k])))
			return 1;
	return strchr(pm->t[c->b - 1].text, ':') != NULL;
}

/* The first cell under a party heading that is not a label line. */
static const struct cell *name_below(const struct ctx *cx, const struct pagem *pm,
				     const struct cell *c)
{
	const struct cell *d = c;
	int i;

	for (i = 0; i < 4 && (d = lay_cell_below(pm, d, 2)); i++) {
		if (d->x0 > c->x0 + 3 * (c->y1 - c->y0) + 40)
			return NULL;
		if (!label_cell(cx, pm, d))
			return d;
	}
	return NULL;
}

/*
 * A long name wraps: the next line starts where the name's value starts,
 * with no label ("Azienda Unita Sanitaria Locale di
 * Reg-" / "gio Emilia"). Appends up to three such lines to `t` (a hyphen at
 * the break is dropped); returns the new string (or NULL on ENOMEM, `t`
 * freed).
 */
static char *name_goes_on(const struct ctx *cx, const struct pagem *pm, size_t a, char *t)
{
	int x = pm->t[a].x;
	size_t l = (size_t)pm->t[a].line + 1, k;

	for (k = 0; k < 3 && l < pm->nl; k++, l++) {
		/* the line's first cell starts at the name's x (nothing in the
		 * labels' column); other columns may go on to its right */
		const struct cell *d = &pm->c[pm->l[l].ca];
		size_t n = strlen(t);
		char *u, *v;

		if (abs(d->x0 - x) > 3 || label_cell(cx, pm, d))
			break;
		if (!(u = lay_span_text(pm, d->a, d->b, NULL, 0))) {
			free(t);
			return NULL;
		}
		if (!(v = malloc(n + strlen(u) + 2))) {
			free(u);
			free(t);
			return NULL;
		}
		if (n && t[n - 1] == '-' && n > 1 && isalpha((unsigned char)t[n - 2]) &&
		    islower((unsigned char)u[0]))
			snprintf(v, n + strlen(u) + 2, "%.*s%s", (int)(n - 1), t, u);
		else
			snprintf(v, n + strlen(u) + 2, "%s %s", t, u);
		free(u);
		free(t);
		t = v;
	}
	return t;
}

/*
 * A name label ("Nazwa:", "Denominazione:", "Firmenname:") in the block
 * under party heading `m`: the lines below it, in its column, up to the
 * next party heading. Emits `role`_name from the label's value and points
 * `*name` at the value's cell. Returns 1 when found, 0 if not, -1 ENOMEM.
 */
static int labelled_name(struct ctx *cx, const struct match *m, const struct cell **name)
{
	const struct pagem *pm = &cx->pm[m->page];
	const struct cell *h = &pm->c[m->cell];
	int lh = h->y1 - h->y0 > 4 ? h->y1 - h->y0 : 10;
	size_t k, best = (size_t)-1;
	char field[32];

	for (k = 0; k < cx->nm; k++) {
		const struct match *n = &cx->m[k];
		const struct cell *c = &pm->c[n->cell];

		if (n->page != m->page || c->line <= h->line || c->line > h->line + 12)
			continue;
		if (c->x0 < h->x0 - 2 * lh || c->x0 > h->x0 + 6 * lh)
			continue;
		if (n->lb->kind == V_PARTY &&
		    c->line < (best == (size_t)-1 ? h->line + 13 : pm->c[cx->m[best].cell].line))
			break;
		if (n->lb->kind == V_PNAME && n->a == c->a && name_label(pm, n) &&
		    (best == (size_t)-1 || c->line < pm->c[cx->m[best].cell].line))
			best = k;
	}
	/* a party heading between the two: the label is the other party's */
	if (best != (size_t)-1)
		for (k = 0; k < cx->nm; k++) {
			const struct match *n = &cx->m[k];
			const struct cell *c = &pm->c[n->cell];

			if (n->page == m->page && n != m && n->lb->kind == V_PARTY &&
			    c->line > h->line && c->line <= pm->c[cx->m[best].cell].line &&
			    c->x0 >= h->x0 - 2 * lh && c->x0 <= h->x0 + 6 * lh &&
			    (n->a == c->a || party_heading(pm, n)))
				return 0;
		}
	if (best == (size_t)-1)
		return 0;
	{
		const struct match *n = &cx->m[best];
		struct span sp = { pm, 0, 0, 0 };
		char *t;
		int r = 0;

		if (!lay_right_span(pm, n, &sp))
			return 0;
		if (!(t = lay_span_text(pm, sp.a, sp.b, NULL, 0)))
			return -1;
		if (!(t = name_goes_on(cx, pm, sp.a, t)))
			return -1;
		clean_name(t);
		snprintf(field, sizeof(field), "%s_name", m->lb->field);
		if (strlen(t) >= 2) {
			r = 1;
			if (lay_emit(cx, field, t, NULL, 0.9f, pm, sp.a, sp.b))
				r = -1;
			*name = &pm->c[pm->t[sp.a].cell];
		}
		free(t);
		return r;
	}
}

/* Whether party heading `m` has no other party heading on its line (so
 * its block is the page's width); `*last` gets the last line of its block:
 * the line before the next party heading, at most 8 lines down. */
static int party_alone(const struct ctx *cx, const struct match *m, size_t *last)
{
	const struct pagem *pm = &cx->pm[m->page];
	int line = pm->c[m->cell].line;
	size_t k;

	for (k = 0; k < cx->nm; k++) {
		const struct match *n = &cx->m[k];
		int nl;

		/* n's cell indexes its own page: look only on m's */
		if (n == m || n->page != m->page || n->lb->kind != V_PARTY)
			continue;
		nl = pm->c[n->cell].line;
		if (n->a != pm->c[n->cell].a && !party_heading(pm, n))
			continue;
		if (nl == line)
			return 0;
		if (nl > line && (size_t)nl <= *last)
			*last = (size_t)nl - 1;
	}
	return 1;
}

/* Party blocks: name right of or under "Sprzedawca:", tax ID in the block. */
static int legal_form(const struct pagem *pm, const struct cell *c);

int lay_parties(struct ctx *cx, struct taxid *ids, size_t nids, int *assigned)
{
	size_t i, j;

	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct pagem *pm = &cx->pm[m->page];
		const struct cell *c = &pm->c[m->cell], *name = NULL;
		const char *role = m->lb->field;
		char field[32];
		struct span sp;
		int x0, x1, r;
		size_t l, last;

		if (m->lb->kind != V_PARTY || (m->a != c->a && !party_heading(pm, m)))
			continue;
		/* "Seller GmbH", "Buyer AB": a name that starts with a heading's word */
		if (m->b < c->b && legal_form(pm, c))
			continue;
		/* "Destinatario PEC: ...": the first word of another label */
		if (!strchr(pm->t[m->b - 1].text, ':')) {
			size_t k;

			for (k = m->b; k < c->b && k < m->b + 4; k++)
				if (strchr(pm->t[k].text, ':'))
					break;
			if (k < c->b && k < m->b + 4 && pm->t[m->b].key[0] &&
			    strcmp(pm->t[m->b].text, ":"))
				continue;
		}
		snprintf(field, sizeof(field), "%s_name", role);
		memset(&sp, 0, sizeof(sp));
		if ((r = labelled_name(cx, m, &name)) < 0)
			return -1;
		if (r) {
			/* "Nazwa: Firma" under the heading: the value, not the label
			 * lines around it ("NIP: ...") */
		} else if (m->a != c->a) {
			/* a heading that ends its cell ("Dati del cedente /
			 * prestatore") with no name label under it: no name */
			name = NULL;
		} else if (lay_right_span(pm, m, &sp) && sp.a >= c->a && sp.b <= c->b) {
			/* "Sprzedawca: Firma Sp. z o.o." on one line */
			char *t = lay_span_text(pm, sp.a, sp.b, NULL, 0);

			if (t)
				clean_name(t);
			if (t && strlen(t) >= 3 && !lay_has_digit(t) &&
			    lay_emit(cx, field, t, NULL, 0.8f, pm, sp.a, sp.b)) {
				free(t);
				return -1;
			}
			free(t);
		} else if ((name = name_below(cx, pm, c))) {
			char *t = lay_span_text(pm, name->a, name->b, NULL, 0);

			if (t)
				clean_name(t);
			if (t && strlen(t) >= 3 &&
			    lay_emit(cx, field, t, NULL, 0.8f, pm, name->a, name->b)) {
				free(t);
				return -1;
			}
			free(t);
		}
		/* the block: up to 8 lines under the label in its column; a heading
		 * with no other party's beside it heads the page's width, down to
		 * the next party heading ("Informationen zum Verkäufer" over two
		 * columns of label: value pairs) */
		x0 = c->x0 - (c->y1 - c->y0);
		x1 = c->x0 + (c->x1 - c->x0 > 200 ? c->x1 - c->x0 : 200);
		if (name && name->x1 > x1)
			x1 = name->x1;
		last = (size_t)c->line + 8;
		if (party_alone(cx, m, &last)) {
			x0 = 0;
			x1 = 1 << 20;
		}
		snprintf(field, sizeof(field), "%s_tax_id", role);
		for (j = 0; j < nids; j++) {
			const struct tok *t;

			if (assigned[j] || ids[j].page != m->page)
				continue;
			t = &pm->t[ids[j].a];
			l = (size_t)t->line;
			if (l < (size_t)c->line || l > last)
				continue;
			if (t->x + t->w < x0 || t->x > x1 + 400)
				continue;
			/* nearest in x: a block on the right belongs to the other party */
			{
				const struct cell *tc = &pm->c[t->cell];
				int ov = (tc->x1 < x1 ? tc->x1 : x1) - (tc->x0 > x0 ? tc->x0 : x0);

				if (ov <= 0)
					continue;
			}
			assigned[j] = 1;
			if (lay_emit(cx, field, ids[j].id, NULL, lay_taxid_conf(&ids[j], 0.9f), pm,
				     ids[j].a, ids[j].b))
				return -1;
			break;
		}
		if (party_address(cx, m->page, name ? name : c, role, ids, nids, 0.7f) < 0)
			return -1;
	}
	return 0;
}

/* ---- letterheads ---------------------------------------------------------- */

/* Words of document titles, which head a page as a letterhead does. */
static int title_word(const char *key)
{
	/* clang-format off */
	static const char *const w[] = {
		"faktura", "rachunek", "paragon", "factura", "fatura", "fattura", "rechnung",
		"gutschrift", "kassenbon", "quittung", "invoice", "receipt", "facture", "avoir",
		"ticket", "nota", "documento", "proforma", "recibo", "ricevuta", "scontrino",
		"korekta", "credit", "bon", NULL,
	};
	/* clang-format on */

	return in_list(key, w);
}

/* Whether the cell's words end with a company's legal form ("Sp. z o.o.",
 * "S.L.", "Lda.", "GmbH & Co. KG", "Ltd") after a name. */
static int legal_form(const struct pagem *pm, const struct cell *c)
{
	/* clang-format off */
	static const char *const one[] = {
		"gmbh", "ltd", "limited", "plc", "llp", "sarl", "sas", "sa", "sl", "slu", "lda",
		"srl", "srls", "spa", "snc", "sapa", "ag", "kg", "ohg", "ek", "mbb", "ug", "gbr",
		"kgaa", "bv", "nv", "sc", "sro", "inc", "llc", "eurl", "sasu", "scs", "unipessoal",
		"spzoo", "spj", "spk", "cb", "scoop", "ab", "hb", "kb", "as", "asa", "aps",
		"oy", "oyj", "itd", NULL,
	};
	/* clang-format on */
	const char *k[4] = { "", "", "", "" };
	size_t i;
	int n = 0, form = 0;

	for (i = c->b; i > c->a && n < 4; i--)
		if (pm->t[i - 1].key[0])
			k[n++] = pm->t[i - 1].key;
	if (in_list(k[0], one))
		form = 1;
	/* "Sp. z o.o.", "Sp. j.", "Sp. k.", "S. A." */
	else if (!strcmp(k[0], "oo") && !strcmp(k[1], "z") && !strcmp(k[2], "sp"))
		form = 3;
	else if ((!strcmp(k[1], "sp") &&
		  (!strcmp(k[0], "j") || !strcmp(k[0], "k") || !strcmp(k[0], "p"))) ||
		 (!strcmp(k[1], "s") &&
		  (!strcmp(k[0], "a") || !strcmp(k[0], "l") || !strcmp(k[0], "c"))))
		form = 2;
	/* the form alone ("Lda." wrapped onto a line of its own) is no name */
	return form && n > form;
}

/* A cell that could be a name: letters, no label, no title, no colon. */
static int name_cell(const struct pagem *pm, const struct cell *c)
{
	size_t i;
	const char *k;
	int letters = 0;

	for (i = c->a; i < c->b; i++) {
		const struct tok *t = &pm->t[i];

		if (t->used || title_word(t->key) || strchr(t->text, ':'))
			return 0;
		for (k = t->key; *k; k++)
			letters += isalpha((unsigned char)*k) != 0;
	}
	return letters >= 3;
}

/* Emit the cell as `field` (a party's name). */
static int emit_name(struct ctx *cx, const char *field, const struct pagem *pm,
		     const struct cell *c, float conf)
{
	char *t = lay_span_text(pm, c->a, c->b, NULL, 0);
	int r;

	if (!t)
		return -1;
	clean_name(t);
	r = lay_emit(cx, field, t, NULL, conf, pm, c->a, c->b);
	free(t);
	return r;
}

/* Whether a text candidate (not a QR's or an e-invoice's) is named `name`. */
static int have_text(const struct ctx *cx, const char *name)
{
	return folio_cands_find(cx->out, name, FOLIO_SRC_TEXT) ||
	       folio_cands_find(cx->out, name, FOLIO_SRC_OCR);
}

/*
 * The seller printed only as a letterhead: the first cell of the first
 * page's top lines that is a name (not a title, not a label) and either
 * ends with a legal form or has an address under it. Its name only when no
 * label gave one; its address likewise. Weaker than a labelled block.
 */
int lay_letterhead(struct ctx *cx, const struct taxid *ids, size_t nids)
{
	const struct pagem *pm;
	size_t l, k;

	if (!cx->npm || have_text(cx, "seller_address"))
		return 0;
	pm = &cx->pm[0];
	for (l = 0; l < pm->nl && l < 3; l++) {
		if (pm->pg->height > 0 && pm->l[l].y0 > pm->pg->height * 3 / 10)
			break;
		for (k = pm->l[l].ca; k < pm->l[l].cb; k++) {
			const struct cell *c = &pm->c[k];
			int legal, r;
			struct address ad;
			float conf;

			if (!name_cell(pm, c) || c == cx->recipient)
				continue;
			legal = legal_form(pm, c);
			if ((r = read_address(cx, 0, c, ids, nids, &ad)) < 0)
				return -1;
			if (!legal && !r)
				continue;
			free(ad.text);
			conf = legal && r ? 0.6f : legal ? 0.5f : 0.45f;
			if (!have_text(cx, "seller_name") &&
			    emit_name(cx, "seller_name", pm, c, conf))
				return -1;
			if (r && party_address(cx, 0, c, "seller", ids, nids, 0.6f) < 0)
				return -1;
			return 0;
		}
	}
	return 0;
}

/*
 * A letter: the sender's block at the top left, the recipient's block under
 * it in the left half where a window envelope shows it, set beside the
 * document's title ("Testverket / Box 88 / 10011 Stockholm" next to
 * "FACTURE") or with an address. Unlabelled, so only when no party heading
 * or name label is on the page, and weakly: the sender's name when nothing
 * else gave it, the recipient's as the buyer's.
 */
int lay_letter_parties(struct ctx *cx, const struct taxid *ids, size_t nids)
{
	const struct pagem *pm;
	const struct cell *sender = NULL;
	size_t k, i, skip_to = 0;

	if (!cx->npm || have_text(cx, "buyer_name"))
		return 0;
	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct cell *mc = &cx->pm[m->page].c[m->cell];

		/* headings where the parties are: not a footer's "Seller GmbH · ..." */
		if (m->page || (cx->pm[0].pg->height > 0 && mc->y0 > cx->pm[0].pg->height / 2))
			continue;
		if (m->lb->kind == V_PARTY && m->b < mc->b && legal_form(&cx->pm[m->page], mc))
			continue;
		/* "Nazwa towaru" heads a table's column, not a party's name */
		if ((m->lb->kind == V_PARTY && (m->a == mc->a || party_heading(&cx->pm[0], m))) ||
		    (m->lb->kind == V_PNAME && name_label(&cx->pm[0], m)))
			return 0;
	}
	pm = &cx->pm[0];
	if (pm->pg->width <= 0 || pm->pg->height <= 0)
		return 0;
	for (k = 0; k < pm->nc; k++) {
		const struct cell *c = &pm->c[k];
		struct cell bc[BLOCK_MAX];
		struct address ad;
		size_t nb;
		int titled = 0, r;

		if (c->y0 > pm->pg->height * 45 / 100)
			break;
		if (c->x0 > pm->pg->width * 2 / 5 || (size_t)c->line < skip_to)
			continue;
		/* "Seller GmbH": a heading's word, but a name */
		if ((!name_cell(pm, c) || label_cell(cx, pm, c)) &&
		    !(legal_form(pm, c) && !strchr(pm->t[c->b - 1].text, ':')))
			return 0;
		nb = block_cells(pm, c, bc);
		if (!sender) {
			sender = c;
			skip_to = (size_t)(nb ? bc[nb - 1].line : c->line) + 1;
			continue;
		}
		/* the title on the recipient's first line */
		for (i = pm->l[c->line].ca; i < pm->l[c->line].cb; i++) {
			const struct cell *d = &pm->c[i];

			if (d != c && d->x0 > pm->pg->width / 2 && title_word(pm->t[d->a].key))
				titled = 1;
		}
		if ((r = read_address(cx, 0, c, ids, nids, &ad)) < 0)
			return -1;
		if (r)
			free(ad.text);
		if (!titled && !r)
			return 0;
		if (!have_text(cx, "seller_name") &&
		    emit_name(cx, "seller_name", pm, sender, legal_form(pm, sender) ? 0.6f : 0.5f))
			return -1;
		if (emit_name(cx, "buyer_name", pm, c, titled && r ? 0.6f : 0.5f))
			return -1;
		cx->recipient = c;
		if (r && party_address(cx, 0, c, "buyer", ids, nids, 0.6f) < 0)
			return -1;
		return 0;
	}
	return 0;
}

/* Separators of a return address: "Firma GmbH · Hauptstraße 1 · 50667 Köln". */
static int sep_tok(const char *s)
{
	/* clang-format off */
	static const char *const w[] = {
		"\xc2\xb7", "\xe2\x80\xa2", "|", "-", "\xe2\x80\x93", "\xe2\x80\x94",
		"\xc2\xbb", "*", NULL,
	};
	/* clang-format on */

	return in_list(s, w);
}

/*
 * A window envelope's return address, one small line above the recipient
 * (DIN 5008): the block under it is the buyer's, unlabelled. Its name and
 * address only when no label gave them.
 */
int lay_return_address(struct ctx *cx, const struct taxid *ids, size_t nids)
{
	const struct pagem *pm;
	size_t k, i;

	if (!cx->npm || have_text(cx, "buyer_address"))
		return 0;
	pm = &cx->pm[0];
	for (k = 0; k < pm->nc; k++) {
		const struct cell *c = &pm->c[k];
		struct cell bc[BLOCK_MAX];
		struct postcode pc;
		char *t;
		int nsep = 0, r;

		if (pm->pg->height > 0 && c->y0 > pm->pg->height / 2)
			break;
		for (i = c->a; i < c->b; i++)
			nsep += sep_tok(pm->t[i].text);
		if (nsep < 2)
			continue;
		if (!(t = lay_span_text(pm, c->a, c->b, NULL, 0)))
			return -1;
		r = find_postcode(t, &pc);
		free(t);
		if (!r || !block_cells(pm, c, bc) || !name_cell(pm, &bc[0]))
			continue;
		if (!have_text(cx, "buyer_name") && emit_name(cx, "buyer_name", pm, &bc[0], 0.5f))
			return -1;
		return party_address(cx, 0, &bc[0], "buyer", ids, nids, 0.6f) < 0 ? -1 : 0;
	}
	return 0;
}
