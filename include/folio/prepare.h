/*
 * prepare.h - make a decoded page image fit for OCR (Leptonica).
 *
 * folio_prepare_page() replaces page->pix by the prepared image, in this
 * order (each step measured with `make bench-ocr`, see tests/bench/ocr.sh):
 *
 *   1. 8-bit grey.
 *   2. Photos of a sheet: dark regions touching the edge at the image's
 *      own dark/light split (a table around a receipt), covering 10-92%
 *      of it, are painted the paper's grey and the image is cut to the
 *      paper. Faded or grey pages (thermal print, dim photos) have the
 *      levels between their ink and their paper stretched to black..white.
 *   3. Resolution: page->dpi when plausible for a page (else a guess from
 *      the width, as for an A4 sheet), raised to what the letters' height
 *      says when that is over 1.6 times more (a photo's letters are large
 *      for its pixel count); above 400 dpi scaled down to 300,
 *      below 200 dpi scaled up 2x (4x below 100) with interpolation.
 *   4. Dark scanner borders: large dark regions touching the image edge
 *      are painted white.
 *   5. Blank page: ink coverage inside the margins after dropping specks
 *      (components smaller than 1/25 inch) at a conservative threshold
 *      (bleed-through is light grey). A blank page gets page->blank = 1
 *      and no further work; folio_ocr_page() skips it.
 *   6. Orientation: Leptonica's ascender/descender test, upright or turned
 *      by 90, 180 or 270 degrees. When its signal is weak, the direction
 *      of the text lines (a projection at 75 dpi) and the weak signal
 *      along it, or another page of the document, decide. When nothing
 *      does (too little Latin text) page->rotation is set to
 *      FOLIO_ROTATION_UNKNOWN and folio_ocr_page() asks Tesseract's OSD.
 *   7. Skew: angles up to +-7 degrees are straightened.
 *   8. Noise: a 3x3 median filter on speckled pages (many marks smaller
 *      than 4x4 px) and on upscaled ones. Background normalisation,
 *      contrast normalisation and Sauvola binarisation were measured and
 *      did not lower the error rate (Sauvola tripled it on old scans);
 *      Tesseract's own Otsu thresholding is kept.
 *
 * Afterwards every geometry in the page is in the prepared image's space:
 * page->width and page->height are its size in pixels, page->dpi its
 * resolution, and the OCR word boxes are in its coordinates (x right, y
 * down, origin at the top left of the upright, deskewed page).
 * page->rotation is the clockwise turn applied (0, 90, 180, 270) and
 * page->skew the clockwise correction in degrees. Pages without an image
 * (text layers) are left alone.
 */
#ifndef FOLIO_PREPARE_H
#define FOLIO_PREPARE_H

#include "folio/doc.h"
#include "folio/err.h"

/* page->rotation between folio_prepare_page() and folio_ocr_page() when
 * the cheap orientation test could not decide. */
#define FOLIO_ROTATION_UNKNOWN (-1)

/* Process-wide set-up: silence Leptonica's stderr chatter, and keep
 * freed page-sized blocks in the heap (glibc mallopt) rather than hand
 * them back to the kernel between pages. Call once, before the workers. */
void folio_prepare_global_init(void);

/* FOLIO_OK, or FOLIO_FAILED when the image cannot be converted,
 * FOLIO_FATAL on allocation failure. */
int folio_prepare_page(struct folio_page *page, struct folio_err *err);

/*
 * The same, with `prior`: the clockwise turn (0, 90, 180, 270) another
 * page of the same document needed, or FOLIO_ROTATION_UNKNOWN. When the
 * orientation test is weak but the text lines run along the prior's
 * direction and lean its way, the page is turned as the prior says
 * instead of being left to OSD (a back page with a few lines).
 */
int folio_prepare_page_prior(struct folio_page *page, int prior, struct folio_err *err);

/* The 3x3 median of an 8 bpp image without colormap (step 7): a new
 * image, the caller frees it; NULL on allocation failure. */
struct Pix *folio_prepare_median3(struct Pix *gray);

/* Turn page->pix clockwise by `degrees` (90, 180 or 270) and add it to
 * page->rotation (an unknown rotation counts as 0); width and height follow.
 * Used by folio_ocr_page() after OSD. FOLIO_OK or FOLIO_FATAL. */
int folio_prepare_rotate(struct folio_page *page, int degrees, struct folio_err *err);

#endif
