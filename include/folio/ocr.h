/*
 * ocr.h - read a page image with Tesseract: words with boxes and
 * confidences, and the page text in reading order.
 *
 * One engine per worker thread, created once (loading the language models
 * takes about a second; re-creating per page would dominate). The process
 * must run with OMP_THREAD_LIMIT=1 (main re-executes itself to get it):
 * Tesseract's OpenMP threads fight the workers for the cores otherwise.
 *
 * Languages per page: when cfg->languages names several languages that
 * have a profile in MODELS/lang/<lang>.txt (frequent words and letters),
 * each page is first read in a band of a fourteenth of its height (the
 * one with the most ink) with one language (the last page's), the text is
 * scored against the profiles (and when unclear, the next densest band
 * too), and the page is then read with the winning language alone; when
 * the score is still not clear, with the profile that leads (the page's
 * own text then confirms it or names the language to read it again in),
 * and with all of them only when no profile leads. Measured on the test
 * scans: CER 0.0065 against 0.0121 with the union (0.0006 against 0.0096
 * on clean pages: the union drops diacritics, ç -> c, ã -> á), for about
 * 15% more time than the union alone. While a worker's documents keep
 * coming in one language (three of its last four), a new document's first
 * page skips the band and is read at once in that language, its own text
 * checking it as above (a station's stream is mostly one language; the
 * band cost a quarter of a page). Further engines (one per language
 * used, and OSD) are created on first use and kept.
 */
#ifndef FOLIO_OCR_H
#define FOLIO_OCR_H

#include "folio/config.h"
#include "folio/doc.h"
#include "folio/err.h"

struct folio_ocr;

/*
 * Create an engine for cfg->languages (e.g. "pol+eng") with the data in
 * cfg->tessdata_dir or Tesseract's default. A missing language pack fails
 * with FOLIO_FATAL and a message naming the Debian package to install.
 * Language profiles are read from folio_config_models_dir(cfg)/lang/; a
 * missing profile only turns detection off for that language.
 */
struct folio_ocr *folio_ocr_new(const struct folio_config *cfg, struct folio_err *err);
void folio_ocr_free(struct folio_ocr *ocr);

/*
 * Recognise page->pix (8-bit grey, page->dpi set; see folio_prepare_page).
 * Fills page->words, page->text and page->conf; sets page->source to
 * FOLIO_SRC_OCR. Word boxes are in the image's pixel coordinates. A blank
 * page (page->blank) is not read: no words, text "", FOLIO_OK. A rotation
 * left undecided by preparation is settled with Tesseract's OSD first
 * (the image is turned and page->rotation set). The image stays owned by
 * the page. FOLIO_FAILED with FOLIO_E_OCR on engine errors.
 * Same as folio_ocr_page_lang(ocr, page, NULL, err).
 */
int folio_ocr_page(struct folio_ocr *ocr, struct folio_page *page, struct folio_err *err);

/*
 * The same with the languages given: "por", "pol+eng" (an engine is made
 * for the set on first use; FOLIO_FATAL when a pack is not installed), or
 * NULL to detect them per page as above. For a per-inbox override.
 */
int folio_ocr_page_lang(struct folio_ocr *ocr, struct folio_page *page, const char *languages,
			struct folio_err *err);

/*
 * What the pages of one document share: once a page's language is clear
 * from its band (and again once confirmed by its whole text), the
 * document's further pages are read in it at once, without the detection
 * pass over a band, and checked by their own text (read again only when
 * it clearly names another language). It
 * locks itself: the workers reading one document's pages share it.
 * folio_ocr_doc_new() returns NULL on ENOMEM (pages are then read as if
 * alone); folio_ocr_doc_free() accepts NULL.
 */
struct folio_ocr_doc;
struct folio_ocr_doc *folio_ocr_doc_new(void);
void folio_ocr_doc_free(struct folio_ocr_doc *doc);

/*
 * The clockwise turn (0, 90, 180, 270) the latest page of `doc` read so
 * far needed, decided by preparation or confidently by OSD; -1
 * (FOLIO_ROTATION_UNKNOWN) when none yet or `doc` is NULL. The prior for
 * folio_prepare_page_prior() of the document's next page.
 */
int folio_ocr_doc_rotation(struct folio_ocr_doc *doc);

/* folio_ocr_page_lang() for a page of the document `doc` (may be NULL);
 * the page's orientation becomes the document's (above). */
int folio_ocr_page_in(struct folio_ocr *ocr, struct folio_page *page, const char *languages,
		      struct folio_ocr_doc *doc, struct folio_err *err);

/*
 * The share (0..1) of a read page's letters (connected components of its
 * ink of a letter's size) that no recognised word's box covers: how much
 * of the text Tesseract's page layout left out. -1 when the page has too
 * few letters to judge. For the retry in folio_ocr_page_in(), tests and
 * ocr_driver.
 */
double folio_ocr_unread_share(const struct folio_page *page);

/* The languages the last page was read with ("por", or the configured
 * set when detection was unsure or off; "" for a blank page). */
const char *folio_ocr_last_languages(const struct folio_ocr *ocr);

/*
 * Score UTF-8 text against the loaded profiles: the best language code,
 * or NULL when no profile wins clearly. For tests and the benchmark.
 */
const char *folio_ocr_guess_language(const struct folio_ocr *ocr, const char *text);

/* "5.3.0" */
const char *folio_ocr_version(void);

#endif
