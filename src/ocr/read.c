/* read.c - Tesseract through its C API; see include/folio/ocr.h. */
#include "folio/ocr.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "folio/prepare.h"
#include "folio/strbuf.h"
#include "folio/util.h"

#define MAX_PROFILES 32
#define MAX_CHARS 48

/* One engine per language set used. */
struct engine {
	char *langs;
	TessBaseAPI *api;
};

/* A word of the language profiles, with the profiles listing it. */
struct lang_word {
	char *text;	/* lowercase UTF-8 */
	uint32_t langs; /* bit i: profile i */
};

struct profile {
	char code[16];		   /* Tesseract's name, e.g. "por" */
	uint32_t chars[MAX_CHARS]; /* its distinctive letters, lowercase */
	int nchars;
};

/* See ocr.h. */
struct folio_ocr_doc {
	pthread_mutex_t mu;
	char lang[16]; /* its pages' language, "" not yet known */
	int rotation;  /* the last page's turn, or unknown */
};

struct folio_ocr {
	char *tessdata;
	char *langs;		/* the configured set */
	struct engine *engines; /* [0] is the configured set */
	size_t nengines;
	TessBaseAPI *osd; /* orientation, made on first use */
	int osd_failed;

	struct profile profiles[MAX_PROFILES]; /* the configured languages first */
	int nprofiles;
	int nconfigured;	 /* profiles of configured languages */
	int detect;		 /* every configured language has a profile */
	struct lang_word *words; /* sorted by text */
	size_t nwords, words_alloc;

	const char *last; /* languages of the last page */
	const char *band; /* the language bands are read in */
	unsigned hits;	  /* bit i: the (i+1)th last document was in `band` */
};

const char *folio_ocr_version(void)
{
	return TessVersion();
}

static int nomem(struct folio_err *err)
{
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

/* What missing_language() compares with. */
enum have {
	HAVE_FAILED,	/* installed (the engine did not start) */
	HAVE_LOADED,	/* loaded by the engine */
	HAVE_INSTALLED, /* installed, asked of a running engine */
};

/*
 * Name the first requested language that is not loaded, so the message
 * can say what to install: Tesseract skips a missing pack in "pol+xyz"
 * with a warning on stderr and carries on. Returns 0 when all are there.
 */
static int missing_language(const char *wanted, TessBaseAPI *api, enum have what,
			    struct folio_err *err)
{
	char *langs = strdup(wanted), *save = NULL, *l;
	char **have = what == HAVE_LOADED ? TessBaseAPIGetLoadedLanguagesAsVector(api) :
					    TessBaseAPIGetAvailableLanguagesAsVector(api);
	int missing = 0;

	for (l = langs ? strtok_r(langs, "+", &save) : NULL; l; l = strtok_r(NULL, "+", &save)) {
		int found = 0, i;

		for (i = 0; have && have[i]; i++)
			if (!strcmp(have[i], l))
				found = 1;
		if (!found) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				      "Tesseract language '%s' is not installed (install the "
				      "Debian package tesseract-ocr-%s)",
				      l, l);
			missing = 1;
			break;
		}
	}
	if (!missing && what == HAVE_FAILED) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_OCR, 0,
			      "cannot start Tesseract with languages '%s'", wanted);
		missing = 1;
	}
	TessDeleteTextArray(have);
	free(langs);
	return missing;
}

static TessBaseAPI *start_engine(const char *tessdata, const char *langs, struct folio_err *err)
{
	TessBaseAPI *api = TessBaseAPICreate();

	if (!api) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_OCR, 0, "cannot create a Tesseract engine");
		return NULL;
	}
	/* Tesseract prints its own complaints (a missing traineddata file,
	 * "Invalid resolution") to stderr; folio says what went wrong itself */
	TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	if (TessBaseAPIInit3(api, tessdata, langs)) {
		missing_language(langs, api, HAVE_FAILED, err);
		goto fail;
	}
	if (missing_language(langs, api, HAVE_LOADED, err))
		goto fail;
	/* the C API defaults to one uniform block; invoices are columns,
	 * tables and boxes */
	TessBaseAPISetPageSegMode(api, PSM_AUTO);
	TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	return api;
fail:
	TessBaseAPIEnd(api);
	TessBaseAPIDelete(api);
	return NULL;
}

/* The engine for `langs`, started on first use. */
static TessBaseAPI *engine_for(struct folio_ocr *ocr, const char *langs, struct folio_err *err)
{
	struct engine *e;
	TessBaseAPI *api;
	size_t i;

	for (i = 0; i < ocr->nengines; i++)
		if (!strcmp(ocr->engines[i].langs, langs)) {
			ocr->last = ocr->engines[i].langs;
			return ocr->engines[i].api;
		}
	e = realloc(ocr->engines, (ocr->nengines + 1) * sizeof(*e));
	if (!e) {
		nomem(err);
		return NULL;
	}
	ocr->engines = e;
	e = &ocr->engines[ocr->nengines];
	if (!(e->langs = strdup(langs))) {
		nomem(err);
		return NULL;
	}
	if (!(api = start_engine(ocr->tessdata, langs, err))) {
		free(e->langs);
		return NULL;
	}
	e->api = api;
	ocr->nengines++;
	ocr->last = e->langs;
	return api;
}

/* ---- language profiles --------------------------------------------- */

/* Next code point of UTF-8 `*s` (U+FFFD for a bad byte); advances *s. */
static uint32_t utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = *p;
	int n = 0, i;

	if (c < 0x80) {
		*s += 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0)
		n = 1, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 2, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 3, c &= 0x07;
	else {
		*s += 1;
		return 0xfffd;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s += i;
			return 0xfffd;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	*s += n + 1;
	return c;
}

static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (c >> 12));
	out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* Lowercase for the Latin letters the profiles use (Latin-1, Extended-A). */
static uint32_t lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 32;
	if (c >= 0x100 && c <= 0x137)
		return c | 1;
	if (c >= 0x139 && c <= 0x148)
		return c & 1 ? c + 1 : c;
	if (c >= 0x14a && c <= 0x177)
		return c | 1;
	if (c >= 0x179 && c <= 0x17e)
		return c & 1 ? c + 1 : c;
	return c;
}

static int is_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7);
}

/*
 * The next word of `*s`, lowercased into `buf` (letters and inner
 * apostrophes), advancing *s; *start (when not NULL) is where it begins.
 * Returns its length, 0 at the end.
 */
static size_t next_word(const char **s, char *buf, size_t size, const char **start)
{
	size_t n = 0;
	uint32_t c;

	while (**s) {
		const char *at = *s;

		c = utf8_next(s);
		if (is_letter(c)) {
			*s = at;
			break;
		}
	}
	if (start)
		*start = *s;
	while (**s) {
		const char *at = *s;

		c = utf8_next(s);
		if (!is_letter(c)) {
			*s = at;
			break;
		}
		if (n + 4 < size)
			n += utf8_put(buf + n, lower(c));
	}
	buf[n] = '\0';
	return n;
}

static int word_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lang_word *)a)->text, ((const struct lang_word *)b)->text);
}

static struct lang_word *find_word(const struct folio_ocr *ocr, const char *w)
{
	struct lang_word key = { .text = (char *)w };

	if (!ocr->nwords)
		return NULL;
	return bsearch(&key, ocr->words, ocr->nwords, sizeof(key), word_cmp);
}

struct load_ctx {
	struct folio_ocr *ocr;
	int index;
};

/* A profile line: "chars ąćęł..." or one frequent word. */
static int profile_line(void *arg, char *line, int lineno, struct folio_err *err)
{
	struct load_ctx *ctx = arg;
	struct folio_ocr *ocr = ctx->ocr;
	struct profile *p = &ocr->profiles[ctx->index];
	const char *s = line;
	char buf[128];

	(void)lineno;
	if (!strncmp(line, "chars", 5) && (line[5] == ' ' || !line[5])) {
		for (s = line + 5; *s && p->nchars < MAX_CHARS;) {
			uint32_t c = lower(utf8_next(&s));

			if (is_letter(c))
				p->chars[p->nchars++] = c;
		}
		return FOLIO_OK;
	}
	while (next_word(&s, buf, sizeof(buf), NULL)) {
		if (ocr->nwords == ocr->words_alloc) {
			size_t n = ocr->words_alloc ? 2 * ocr->words_alloc : 512;
			struct lang_word *w = realloc(ocr->words, n * sizeof(*w));

			if (!w)
				return nomem(err);
			ocr->words = w;
			ocr->words_alloc = n;
		}
		if (!(ocr->words[ocr->nwords].text = strdup(buf)))
			return nomem(err);
		ocr->words[ocr->nwords++].langs = 1u << ctx->index;
	}
	return FOLIO_OK;
}

/* Sort the words and merge duplicates (a word of several languages). */
static void merge_words(struct folio_ocr *ocr)
{
	size_t i, n = 0;

	if (!ocr->nwords)
		return;
	folio_sort(ocr->words, ocr->nwords, sizeof(*ocr->words), word_cmp);
	for (i = 1; i < ocr->nwords; i++) {
		if (!strcmp(ocr->words[i].text, ocr->words[n].text)) {
			ocr->words[n].langs |= ocr->words[i].langs;
			free(ocr->words[i].text);
		} else {
			ocr->words[++n] = ocr->words[i];
		}
	}
	ocr->nwords = n + 1;
}

/* Load MODELS/lang/<lang>.txt as profile ocr->nprofiles. Returns 1 when
 * loaded, 0 when there is no such file (or no room), or a failure. */
static int load_profile(struct folio_ocr *ocr, const char *models, const char *lang,
			struct folio_err *err)
{
	struct load_ctx ctx = { ocr, ocr->nprofiles };
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/lang/%s.txt", models, lang);
	if (ocr->nprofiles == MAX_PROFILES || strlen(lang) >= sizeof(ocr->profiles[0].code) ||
	    !(f = fopen(path, "r")))
		return 0;
	fclose(f);
	snprintf(ocr->profiles[ctx.index].code, sizeof(ocr->profiles[0].code), "%s", lang);
	if ((ret = folio_each_line(path, "language profile", profile_line, &ctx, err)))
		return ret;
	ocr->nprofiles++;
	return 1;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The profiles of languages outside the configured set whose traineddata
 * is installed (deu, eng): a German page is then read with deu alone
 * rather than with a union that lacks it. In name order, so that every
 * worker numbers them alike.
 */
static int load_extra_profiles(struct folio_ocr *ocr, const char *models, struct folio_err *err)
{
	char dir[4096], **have = TessBaseAPIGetAvailableLanguagesAsVector(ocr->engines[0].api);
	char *names[MAX_PROFILES];
	size_t n = 0, i;
	struct dirent *e;
	DIR *d;
	int ret = FOLIO_OK;

	snprintf(dir, sizeof(dir), "%s/lang", models);
	if (!have || !(d = opendir(dir))) {
		TessDeleteTextArray(have);
		return FOLIO_OK;
	}
	while ((e = readdir(d)) && n < MAX_PROFILES) {
		size_t len = strlen(e->d_name);
		int k, known = 0;

		if (len < 5 || strcmp(e->d_name + len - 4, ".txt") || e->d_name[0] == '.')
			continue;
		for (k = 0; k < ocr->nprofiles; k++)
			if (!strncmp(ocr->profiles[k].code, e->d_name, len - 4) &&
			    !ocr->profiles[k].code[len - 4])
				known = 1;
		for (k = 0; !known && have[k]; k++)
			if (!strncmp(have[k], e->d_name, len - 4) && !have[k][len - 4] &&
			    strcmp(have[k], "osd")) {
				if (!(names[n] = strndup(e->d_name, len - 4))) {
					ret = nomem(err);
					goto out;
				}
				n++;
				break;
			}
	}
	folio_sort(names, n, sizeof(*names), str_cmp);
	for (i = 0; i < n && ret == FOLIO_OK; i++)
		if ((ret = load_profile(ocr, models, names[i], err)) > 0)
			ret = FOLIO_OK;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	closedir(d);
	TessDeleteTextArray(have);
	return ret;
}

/*
 * Load MODELS/lang/<lang>.txt for each configured language, then those of
 * other installed languages. Detection is on when two or more languages
 * are configured and none lacks its profile (a language without a
 * profile could never win, and its pages would be read without it).
 */
static int load_profiles(struct folio_ocr *ocr, const struct folio_config *cfg,
			 struct folio_err *err)
{
	char *models = folio_config_models_dir(cfg), *langs = strdup(ocr->langs), *save = NULL;
	char *l;
	int ret = FOLIO_OK, missing = 0, nlangs = 0;

	if (!models || !langs) {
		ret = nomem(err);
		goto out;
	}
	for (l = strtok_r(langs, "+", &save); l; l = strtok_r(NULL, "+", &save)) {
		nlangs++;
		if ((ret = load_profile(ocr, models, l, err)) < 0)
			goto out;
		missing |= !ret;
	}
	ocr->nconfigured = ocr->nprofiles;
	ocr->detect = !missing && nlangs >= 2;
	/* with detection a page is read in one language: the union (a
	 * second to start, against a quarter for one language) waits until a
	 * page needs it, but every configured pack must be there now */
	if (!engine_for(ocr, ocr->detect ? ocr->profiles[0].code : ocr->langs, err) ||
	    (ocr->detect &&
	     missing_language(ocr->langs, ocr->engines[0].api, HAVE_INSTALLED, err))) {
		ret = FOLIO_FATAL;
		goto out;
	}
	ocr->band = ocr->profiles[0].code;
	ret = ocr->detect ? load_extra_profiles(ocr, models, err) : FOLIO_OK;
	merge_words(ocr);
out:
	free(langs);
	free(models);
	return ret;
}

/*
 * Each word found in a profile scores 1 shared among the profiles listing
 * it; each distinctive letter scores 0.5 shared likewise. The best wins
 * when it has at least MIN_SCORE and twice the runner-up's score.
 */
#define MIN_SCORE 4.0
/* A best guess needs at least a word's worth of evidence and a lead. */
#define MIN_GUESS 1.0
static const char *score_language(const struct folio_ocr *ocr, const char *text, int *clear)
{
	double score[MAX_PROFILES] = { 0 }, best = 0, second = 0;
	const char *s = text ? text : "", *base = s, *start;
	char buf[128];
	int i, k, win = -1;

	*clear = 0;
	if (ocr->nprofiles < 2)
		return NULL;
	while (next_word(&s, buf, sizeof(buf), &start)) {
		const struct lang_word *w;
		const char *p = buf;

		/* letters glued to digits are a code ("48e0", "2x"), no word */
		if ((start > base && isdigit((unsigned char)start[-1])) ||
		    isdigit((unsigned char)*s))
			continue;
		w = find_word(ocr, buf);

		if (w) {
			int n = __builtin_popcount(w->langs);

			for (i = 0; i < ocr->nprofiles; i++)
				if (w->langs & (1u << i))
					score[i] += 1.0 / n;
		}
		while (*p) {
			uint32_t c = utf8_next(&p), has = 0;

			if (c < 0x80)
				continue;
			for (i = 0; i < ocr->nprofiles; i++)
				for (k = 0; k < ocr->profiles[i].nchars; k++)
					if (ocr->profiles[i].chars[k] == c)
						has |= 1u << i;
			for (i = 0; has && i < ocr->nprofiles; i++)
				if (has & (1u << i))
					score[i] += 0.5 / __builtin_popcount(has);
		}
	}
	for (i = 0; i < ocr->nprofiles; i++) {
		if (score[i] > best) {
			second = best;
			best = score[i];
			win = i;
		} else if (score[i] > second) {
			second = score[i];
		}
	}
	*clear = win >= 0 && best >= MIN_SCORE && best >= 2 * second;
	if (win < 0 || best < MIN_GUESS || best <= second)
		return NULL;
	return ocr->profiles[win].code;
}

const char *folio_ocr_guess_language(const struct folio_ocr *ocr, const char *text)
{
	int clear = 0;
	const char *lang = score_language(ocr, text, &clear);

	return clear ? lang : NULL;
}

/* ---- engines ---------------------------------------------------------- */

struct folio_ocr *folio_ocr_new(const struct folio_config *cfg, struct folio_err *err)
{
	struct folio_ocr *ocr = calloc(1, sizeof(*ocr));

	if (!ocr) {
		nomem(err);
		return NULL;
	}
	if (!(ocr->langs = strdup(cfg->languages)) ||
	    (cfg->tessdata_dir && !(ocr->tessdata = strdup(cfg->tessdata_dir)))) {
		nomem(err);
		goto fail;
	}
	if (load_profiles(ocr, cfg, err))
		goto fail;
	ocr->last = "";
	return ocr;
fail:
	folio_ocr_free(ocr);
	return NULL;
}

void folio_ocr_free(struct folio_ocr *ocr)
{
	size_t i;

	if (!ocr)
		return;
	for (i = 0; i < ocr->nengines; i++) {
		TessBaseAPIEnd(ocr->engines[i].api);
		TessBaseAPIDelete(ocr->engines[i].api);
		free(ocr->engines[i].langs);
	}
	if (ocr->osd) {
		TessBaseAPIEnd(ocr->osd);
		TessBaseAPIDelete(ocr->osd);
	}
	for (i = 0; i < ocr->nwords; i++)
		free(ocr->words[i].text);
	free(ocr->words);
	free(ocr->engines);
	free(ocr->langs);
	free(ocr->tessdata);
	free(ocr);
}

const char *folio_ocr_last_languages(const struct folio_ocr *ocr)
{
	return ocr->last;
}

/*
 * Settle an orientation preparation could not decide with Tesseract's OSD
 * (osd.traineddata, Debian tesseract-ocr-osd). Without the pack, or when
 * OSD is unsure too, the page is read as it is.
 */
#define OSD_MIN_CONF 5.0f
static void doc_set_rotation(struct folio_ocr_doc *d, int rotation);
static int settle_orientation(struct folio_ocr *ocr, struct folio_page *page,
			      struct folio_ocr_doc *doc, struct folio_err *err)
{
	int deg = 0, ret = FOLIO_OK;
	float conf = 0, sconf = 0;
	const char *script = NULL;

	page->rotation = 0;
	if (!ocr->osd && !ocr->osd_failed) {
		struct folio_err ignored = { 0 };

		if (!(ocr->osd = start_engine(ocr->tessdata, "osd", &ignored)))
			ocr->osd_failed = 1;
		else
			TessBaseAPISetPageSegMode(ocr->osd, PSM_OSD_ONLY);
	}
	if (!ocr->osd)
		return FOLIO_OK;
	TessBaseAPISetImage2(ocr->osd, (PIX *)page->pix);
	TessBaseAPISetSourceResolution(ocr->osd, page->dpi > 0 ? page->dpi : 300);
	/* deg: how far the image is turned counter-clockwise from upright */
	if (TessBaseAPIDetectOrientationScript(ocr->osd, &deg, &conf, &script, &sconf) &&
	    conf >= OSD_MIN_CONF) {
		if (deg % 360)
			ret = folio_prepare_rotate(page, 360 - deg % 360, err);
		doc_set_rotation(doc, page->rotation);
	}
	TessBaseAPIClear(ocr->osd);
	return ret;
}

/*
 * The band of the page, a fourteenth of its height (three or four lines),
 * with the most ink, leaving out rows skip_top..+skip_h: where the first
 * pass reads a sample of the text. A sixth cost as much as reading the
 * page with the winner; a twentieth left some pages undecided
 * (tests/bench/ocr.sh).
 */
#define BAND_PARTS 14
static void text_band(NUMA *rows, int h, int skip_top, int skip_h, int *top, int *height)
{
	int band = h / BAND_PARTS, y, best = -1;
	double sum = 0, max = -1;

	*top = 0;
	*height = band < 64 ? h : band;
	if (!rows || band < 64)
		return;
	for (y = 0; y < h; y++) {
		l_float32 v = 0, old = 0;

		numaGetFValue(rows, y, &v);
		sum += v;
		if (y >= band) {
			numaGetFValue(rows, y - band, &old);
			sum -= old;
		}
		/* a window overlapping the one read already does not count */
		if (y >= band - 1 && sum > max &&
		    (y < skip_top || y - band + 1 >= skip_top + skip_h)) {
			max = sum;
			best = y - band + 1;
		}
	}
	*top = best < 0 ? 0 : best;
}

/*
 * The words a language is guessed from: those Tesseract is fairly sure
 * of. A model reading noise, a logo or a photo makes up short words in
 * its own language ("z", "w", "o", letters with its accents) that
 * outvoted a band's real words.
 */
#define SURE_WORD 0.6f

/*
 * Read rows top..top+height of the page and add its sure words to `sb`. In one
 * language, the last page's: the profiles' words come out right in any
 * Latin-script model, and one language reads a band in half the time of
 * the union.
 */
static int read_band(struct folio_ocr *ocr, struct folio_page *page, int top, int height,
		     struct folio_strbuf *sb)
{
	TessBaseAPI *api = engine_for(ocr, ocr->band, NULL);
	PIX *pix = (PIX *)page->pix, *band;
	BOX *box = api ? boxCreate(0, top, pixGetWidth(pix), height) : NULL;
	TessResultIterator *ri;
	int r = -1;

	band = box ? pixClipRectangle(pix, box, NULL) : NULL;
	boxDestroy(&box);
	if (!band)
		return -1;
	TessBaseAPISetImage2(api, band);
	TessBaseAPISetSourceResolution(api, page->dpi > 0 ? page->dpi : 300);
	if (!TessBaseAPIRecognize(api, NULL) && (ri = TessBaseAPIGetIterator(api))) {
		r = 0;
		do {
			char *w = TessResultIteratorGetUTF8Text(ri, RIL_WORD);

			if (w && TessResultIteratorConfidence(ri, RIL_WORD) >= SURE_WORD * 100)
				r |= folio_strbuf_adds(sb, w) || folio_strbuf_adds(sb, " ") ? -1 :
											      0;
			TessDeleteText(w);
		} while (!r && TessResultIteratorNext(ri, RIL_WORD));
		TessResultIteratorDelete(ri);
	}
	TessBaseAPIClear(api);
	pixDestroy(&band);
	return r;
}

/*
 * The language of the page by a first pass with one language over its
 * densest band, and when that is not clear (a bold heading, a table of
 * figures) over the next densest too. When still not clear, the profile
 * that leads is the best guess (the whole page's text checks it
 * afterwards); NULL only when no profile leads at all. The band is cut
 * out rather than set with TessBaseAPISetRectangle(), which read garbage
 * on full-width bands (Tesseract 5.3).
 */
static const char *detect_language(struct folio_ocr *ocr, struct folio_page *page, int *clear)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	PIX *pix = (PIX *)page->pix, *bin = pixThresholdToBinary(pix, 128);
	NUMA *rows = bin ? pixCountPixelsByRow(bin, NULL) : NULL;
	int h = pixGetHeight(pix), top, height, pass;
	const char *lang = NULL;

	*clear = 0;
	pixDestroy(&bin);
	for (pass = 0, top = height = 0; pass < 2 && !*clear; pass++) {
		text_band(rows, h, top, pass ? height : 0, &top, &height);
		if (read_band(ocr, page, top, height, &sb))
			break;
		lang = score_language(ocr, sb.buf, clear);
		if (height >= h)
			break;
	}
	numaDestroy(&rows);
	folio_strbuf_release(&sb);
	return lang;
}

static int recognise(TessBaseAPI *api, struct folio_page *page, struct folio_err *err)
{
	struct folio_strbuf text = FOLIO_STRBUF_INIT;
	TessResultIterator *ri = NULL;
	TessPageIterator *pi;
	double conf_sum = 0;
	int ret = FOLIO_FAILED, line = -1, first = 1, brk = 0;

	TessBaseAPISetImage2(api, (PIX *)page->pix);
	TessBaseAPISetSourceResolution(api, page->dpi > 0 ? page->dpi : 300);
	if (TessBaseAPIRecognize(api, NULL)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_OCR, 0,
				    "Tesseract could not recognise page %d", page->number);
		goto out;
	}
	ri = TessBaseAPIGetIterator(api);
	if (!ri) { /* nothing found: an empty page */
		ret = FOLIO_OK;
		goto done;
	}
	pi = TessResultIteratorGetPageIterator(ri);
	do {
		int x1, y1, x2, y2, r = 0;
		char *w;
		float c;

		/* the break before this word: the strongest boundary since the
		 * last word that had text (empty "words" of blank regions are
		 * skipped, and must not leave runs of empty lines) */
		if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
			brk = 2;
		else if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE) && brk < 2)
			brk = 1;
		if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
			line++;
		w = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
		if (!w || !w[strspn(w, " \t\r\n")]) {
			TessDeleteText(w);
			continue;
		}
		if (!first)
			r |= folio_strbuf_adds(&text, brk == 2 ? "\n\n" : brk == 1 ? "\n" : " ");
		brk = 0;
		c = TessResultIteratorConfidence(ri, RIL_WORD) / 100.0f;
		if (!TessPageIteratorBoundingBox(pi, RIL_WORD, &x1, &y1, &x2, &y2))
			x1 = y1 = x2 = y2 = 0;
		r |= folio_strbuf_adds(&text, w);
		r |= folio_page_add_word(page, w, x1, y1, x2 - x1, y2 - y1, c, line < 0 ? 0 : line);
		TessDeleteText(w);
		if (r) {
			ret = nomem(err);
			goto out;
		}
		conf_sum += c;
		first = 0;
	} while (TessResultIteratorNext(ri, RIL_WORD));
	ret = FOLIO_OK;
done:
	page->conf = page->nwords ? (float)(conf_sum / (double)page->nwords) : 0.0f;
	free(page->text);
	page->text = folio_strbuf_detach(&text);
	if (!page->text)
		ret = nomem(err);
out:
	if (ri)
		TessResultIteratorDelete(ri);
	TessBaseAPIClear(api);
	folio_strbuf_release(&text);
	return ret;
}

struct folio_ocr_doc *folio_ocr_doc_new(void)
{
	struct folio_ocr_doc *d = calloc(1, sizeof(*d));

	if (d && pthread_mutex_init(&d->mu, NULL)) {
		free(d);
		return NULL;
	}
	if (d)
		d->rotation = FOLIO_ROTATION_UNKNOWN;
	return d;
}

int folio_ocr_doc_rotation(struct folio_ocr_doc *d)
{
	int r;

	if (!d)
		return FOLIO_ROTATION_UNKNOWN;
	pthread_mutex_lock(&d->mu);
	r = d->rotation;
	pthread_mutex_unlock(&d->mu);
	return r;
}

static void doc_set_rotation(struct folio_ocr_doc *d, int rotation)
{
	if (!d || rotation == FOLIO_ROTATION_UNKNOWN)
		return;
	pthread_mutex_lock(&d->mu);
	d->rotation = rotation;
	pthread_mutex_unlock(&d->mu);
}

void folio_ocr_doc_free(struct folio_ocr_doc *d)
{
	if (!d)
		return;
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* The document's language into buf (size 16); 0 when not known yet. */
static int doc_language(struct folio_ocr_doc *d, char *buf)
{
	if (!d)
		return 0;
	pthread_mutex_lock(&d->mu);
	memcpy(buf, d->lang, sizeof(d->lang));
	pthread_mutex_unlock(&d->mu);
	return buf[0] != '\0';
}

static void doc_set_language(struct folio_ocr_doc *d, const char *lang)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	snprintf(d->lang, sizeof(d->lang), "%s", lang);
	pthread_mutex_unlock(&d->mu);
}

/* The profile's own copy of the code `lang`, or NULL for none. */
static const char *profile_code(const struct folio_ocr *ocr, const char *lang)
{
	int i;

	for (i = 0; lang && i < ocr->nprofiles; i++)
		if (!strcmp(ocr->profiles[i].code, lang))
			return ocr->profiles[i].code;
	return NULL;
}

static int is_configured(const struct folio_ocr *ocr, const char *lang)
{
	int i;

	for (i = 0; i < ocr->nconfigured; i++)
		if (!strcmp(ocr->profiles[i].code, lang))
			return 1;
	return 0;
}

/* The language of the page's sure words, NULL when unclear or on ENOMEM. */
static const char *guess_page_language(const struct folio_ocr *ocr, const struct folio_page *page,
				       struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const char *lang = NULL;
	size_t i;
	int r = 0;

	(void)err;
	for (i = 0; i < page->nwords && !r; i++)
		if (page->words[i].conf >= SURE_WORD)
			r = folio_strbuf_adds(&sb, page->words[i].text) ||
			    folio_strbuf_adds(&sb, " ");
	if (!r && sb.buf)
		lang = folio_ocr_guess_language(ocr, sb.buf);
	folio_strbuf_release(&sb);
	return lang;
}

/* Forget a reading of the page before the next. */
static void drop_words(struct folio_page *page)
{
	size_t i;

	for (i = 0; i < page->nwords; i++)
		free(page->words[i].text);
	page->nwords = 0;
}

/*
 * The share of the page's letters that no recognised word covers.
 * Tesseract's page layout sometimes drops whole text lines: a scanned
 * receipt with a shaded edge came out as its header and footer, the
 * items and totals between them gone, and a photo with creases lost
 * every line a crease crossed. The letters are the connected components
 * of the page's ink (INK_LEVEL) of a letter's size: between UNREAD_MIN_H
 * and UNREAD_MAX_H inches high and at most UNREAD_MAX_W heights wide
 * (rulings, frames, logos and shadows are none); a letter is read when
 * its centre lies in a word's box. Returns -1 when the page has fewer
 * than UNREAD_MIN_LETTERS letters (too little to judge) or on failure.
 */
#define UNREAD_INK 128
#define UNREAD_MIN_H 0.02 /* 1.5 pt */
#define UNREAD_MAX_H 0.25 /* 18 pt */
#define UNREAD_MAX_W 4
#define UNREAD_MIN_LETTERS 60
double folio_ocr_unread_share(const struct folio_page *page)
{
	PIX *pix = (PIX *)page->pix, *gray = NULL, *bin = NULL;
	BOXA *boxa = NULL;
	int dpi = page->dpi > 0 ? page->dpi : 300, i, n, letters = 0, read = 0;
	double ret = -1;

	if (!pix)
		return -1;
	if (pixGetDepth(pix) == 1)
		bin = pixClone(pix);
	else if ((gray = pixConvertTo8(pix, 0)))
		bin = pixThresholdToBinary(gray, UNREAD_INK);
	if (!bin || !(boxa = pixConnCompBB(bin, 8)))
		goto out;
	n = boxaGetCount(boxa);
	for (i = 0; i < n; i++) {
		l_int32 x, y, w, h;
		size_t k;
		int cx, cy;

		if (boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h) || h < dpi * UNREAD_MIN_H ||
		    h > dpi * UNREAD_MAX_H || w > UNREAD_MAX_W * h)
			continue;
		letters++;
		cx = x + w / 2;
		cy = y + h / 2;
		for (k = 0; k < page->nwords; k++) {
			const struct folio_word *wd = &page->words[k];

			if (cx >= wd->x - 2 && cx <= wd->x + wd->w + 2 && cy >= wd->y - 2 &&
			    cy <= wd->y + wd->h + 2) {
				read++;
				break;
			}
		}
	}
	if (letters >= UNREAD_MIN_LETTERS)
		ret = 1.0 - (double)read / letters;
out:
	boxaDestroy(&boxa);
	pixDestroy(&bin);
	pixDestroy(&gray);
	return ret;
}

/*
 * A page that read as almost nothing, or whose reading left many of its
 * letters out (folio_ocr_unread_share() over RETRY_UNREAD), is read once
 * more with its background evened out (Leptonica's background
 * normalisation): a receipt photographed on a light wall or under a lamp
 * has letters barely darker than the paper around them, and Tesseract's
 * global threshold took the paper and the wall for one
 * (tests/bench/receipts.sh: photos read as no text at all). When letters
 * are still left out, the page is read once more as one column of text
 * (PSM 4): Tesseract's automatic layout dropped a receipt photo's whole
 * column of amounts beside the paper's shadowed edge. A reading that
 * leaves fewer letters out (or, on a page too small to judge, has half as
 * many more words) at a mean confidence of 0.5 at least (not noise) is
 * kept. Pages read whole, the usual scan, never pay for it.
 */
#define RETRY_WORDS 25
#define RETRY_UNREAD 0.3
static void swap_reading(struct folio_page *a, struct folio_page *b)
{
	struct folio_page t = *a;

	a->words = b->words;
	a->nwords = b->nwords;
	a->words_alloc = b->words_alloc;
	a->text = b->text;
	a->conf = b->conf;
	b->words = t.words;
	b->nwords = t.nwords;
	b->words_alloc = t.words_alloc;
	b->text = t.text;
	b->conf = t.conf;
}

static int retry(TessBaseAPI *api, struct folio_page *page, double *unread, int evened,
		 TessPageSegMode psm, struct folio_err *err)
{
	struct folio_page tmp;
	PIX *pix = evened ? pixBackgroundNormSimple((PIX *)page->pix, NULL, NULL) :
			    pixClone((PIX *)page->pix);
	size_t i;
	int ret, better;

	if (!pix)
		return nomem(err);
	memset(&tmp, 0, sizeof(tmp));
	tmp.number = page->number;
	tmp.dpi = page->dpi;
	tmp.pix = (struct Pix *)pix;
	if (psm != PSM_AUTO)
		TessBaseAPISetPageSegMode(api, psm);
	ret = recognise(api, &tmp, err);
	if (psm != PSM_AUTO)
		TessBaseAPISetPageSegMode(api, PSM_AUTO);
	if (ret == FOLIO_OK && tmp.conf >= 0.5f) {
		/* both readings judged on the same letters: the page's own */
		struct folio_page view = tmp;
		double u;

		view.pix = page->pix;
		u = folio_ocr_unread_share(&view);
		better = *unread >= 0 && u >= 0 && u < *unread - 0.05;
		if (page->nwords < RETRY_WORDS && tmp.nwords > page->nwords + page->nwords / 2)
			better = 1;
		if (better) {
			swap_reading(page, &tmp);
			*unread = u;
		}
	}
	for (i = 0; i < tmp.nwords; i++)
		free(tmp.words[i].text);
	free(tmp.words);
	free(tmp.text);
	pixDestroy(&pix);
	return ret == FOLIO_FAILED ? FOLIO_OK : ret;
}

static int read_in(struct folio_ocr *ocr, struct folio_page *page, const char *langs,
		   struct folio_err *err)
{
	TessBaseAPI *api = engine_for(ocr, langs, err);
	double unread;
	int ret;

	if (!api)
		return FOLIO_FATAL;
	ret = recognise(api, page, err);
	if (ret != FOLIO_OK || !page->pix)
		return ret;
	unread = folio_ocr_unread_share(page);
	if (page->nwords >= RETRY_WORDS && unread <= RETRY_UNREAD)
		return FOLIO_OK;
	ret = retry(api, page, &unread, 1, PSM_AUTO, err);
	/* still lines left out: read as one column */
	if (ret == FOLIO_OK && unread > RETRY_UNREAD)
		ret = retry(api, page, &unread, 0, PSM_SINGLE_COLUMN, err);
	return ret;
}

/*
 * The page in the language detected or guessed (or known from the
 * document's earlier pages), then checked against its own text: a whole
 * page says more than a band. When that clearly names another language
 * the page is read again in it. The union of the configured languages
 * (twice the time of one, and its first use loads every model again) only
 * when the band gave no lead at all; such a page is read again only when
 * its language was outside the union. A band's clear language becomes
 * the document's at once (its other pages may be read at the same time),
 * and the language the whole text confirms replaces it.
 */
/*
 * A station's documents mostly come in one language, and the band costs a
 * quarter to a third of reading the page (perf on the rendered scans).
 * So a document is first read in the language the worker read last, with
 * no band, while that was the language of at least EXPECT_HITS of the last
 * four documents: a wrong guess costs a whole page read again, so it must
 * be right three times in four to pay. A stream that mixes languages
 * falls back to the band, and the history keeps being kept (the language
 * each document turned out in against the one before), so a run of one
 * language brings the guess back. A new worker has no history and reads
 * bands: started expecting its first language, it read two pages twice
 * each in a batch of twelve documents in three languages (ocr_speed.sh,
 * under load: 1.93 CPU-s/page against the band's 1.63 an hour before).
 */
#define EXPECT_HITS 3
static int expect_last(const struct folio_ocr *ocr)
{
	return __builtin_popcount(ocr->hits & 0xfu) >= EXPECT_HITS;
}

static int read_detected(struct folio_ocr *ocr, struct folio_page *page, struct folio_ocr_doc *doc,
			 struct folio_err *err)
{
	char known[16];
	const char *lang = known, *check, *before = NULL;
	int ret, clear = 0;

	if (!doc_language(doc, known)) {
		before = ocr->band;
		if (expect_last(ocr))
			lang = ocr->band;
		else if ((lang = detect_language(ocr, page, &clear)) && clear)
			/* the document's other pages, out with the other
			 * workers at the same time, need no band of their own */
			doc_set_language(doc, lang);
	}
	if ((ret = read_in(ocr, page, lang ? lang : ocr->langs, err)) != FOLIO_OK)
		return ret;
	if (profile_code(ocr, lang))
		ocr->band = profile_code(ocr, lang);
	if (!(check = guess_page_language(ocr, page, err)))
		return FOLIO_OK;
	if (before)
		ocr->hits = (ocr->hits << 1 | !strcmp(check, before)) & 0xffu;
	ocr->band = check;
	if ((lang && strcmp(check, lang)) || (!lang && !is_configured(ocr, check))) {
		drop_words(page);
		if ((ret = read_in(ocr, page, check, err)) != FOLIO_OK)
			return ret;
	}
	doc_set_language(doc, check);
	return FOLIO_OK;
}

int folio_ocr_page_in(struct folio_ocr *ocr, struct folio_page *page, const char *languages,
		      struct folio_ocr_doc *doc, struct folio_err *err)
{
	int ret;

	page->source = FOLIO_SRC_OCR;
	ocr->last = "";
	if (!page->pix)
		return FOLIO_OK;
	if (page->blank) {
		page->conf = 0;
		return folio_page_set_text(page, "") ? nomem(err) : FOLIO_OK;
	}
	if (page->rotation != FOLIO_ROTATION_UNKNOWN)
		doc_set_rotation(doc, page->rotation);
	else if ((ret = settle_orientation(ocr, page, doc, err)) != FOLIO_OK)
		return ret;
	if (!languages && ocr->detect)
		return read_detected(ocr, page, doc, err);
	return read_in(ocr, page, languages ? languages : ocr->langs, err);
}

int folio_ocr_page_lang(struct folio_ocr *ocr, struct folio_page *page, const char *languages,
			struct folio_err *err)
{
	return folio_ocr_page_in(ocr, page, languages, NULL, err);
}

int folio_ocr_page(struct folio_ocr *ocr, struct folio_page *page, struct folio_err *err)
{
	return folio_ocr_page_lang(ocr, page, NULL, err);
}
