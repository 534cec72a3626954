/* prepare.c - page clean-up before OCR; see include/folio/prepare.h. */
#include "folio/prepare.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * A page passes through a dozen images of 1-35 MB (decoded, grey, copies,
 * binary masks, rotated, filtered, Tesseract's own), each freed within
 * the page. glibc hands blocks over 128 KB back to the kernel (munmap,
 * or trimming a thread's heap) and the next page's images fault every
 * page in again, zero-filled: 12% of the CPU time of an ingest of 300 dpi
 * scans went to page faults (perf). Kept in the heap instead (blocks up
 * to 32 MB, glibc's ceiling for the threshold; the heap given back only
 * beyond 512 MB free at its top), a quarter of the faults go (234,000 ->
 * 172,000 on the 25 rendered scan pages, two workers; system time 5.4 ->
 * 4.6 s) for 40-55 MB more peak memory (290-340 -> 340-380 MB): the
 * freed blocks wait in each worker's heap for the next page.
 */
#define HEAP_BLOCK_MAX (32 << 20)
#define HEAP_TRIM (512 << 20)

void folio_prepare_global_init(void)
{
	/* folio reports failures itself; Leptonica's stderr lines would only
	 * confuse an operator reading the ingest output */
	setMsgSeverity(L_SEVERITY_NONE);
	mallopt(M_MMAP_THRESHOLD, HEAP_BLOCK_MAX);
	mallopt(M_TRIM_THRESHOLD, HEAP_TRIM);
}

/* Below this a rotation is not worth its blur (Leptonica's own floor is
 * 0.1 deg); beyond +-7 deg the page is sideways, orientation's job. */
#define SKEW_MIN_DEG 0.15f

/* Resolution targets: Tesseract reads best with capitals 20-40 px high. */
#define DPI_MAX 400 /* above: scaled down to DPI_TARGET */
#define DPI_MIN 200 /* below: scaled up 2x or 4x */
#define DPI_TARGET 300
#define UPSCALE_MAX_PIXELS 120000000.0 /* never make a page larger than this */

/* Pixels darker than this are ink for blank detection; bleed-through and
 * grey paper are lighter. */
#define INK_LEVEL 128
/* Pixels darker than this can be a scanner border (black lid, no paper). */
#define BORDER_LEVEL 80

static int nomem(struct folio_err *err)
{
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

static void replace(PIX **slot, PIX *pix)
{
	pixDestroy(slot);
	*slot = pix;
}

/*
 * A photo is often turned further than a scan and its lines are not all
 * parallel (the phone held at an angle: one side's lines rise more than
 * the other's), so Leptonica's sweep of +-7 degrees found its maximum at
 * the edge, and its confidence (best score over mean) stayed under the 3
 * it asks for: photos tilted 5 to 7 degrees were read tilted, amounts a
 * line away from their labels. A photo is swept over +-PHOTO_SWEEP_DEG
 * and turned at a confidence of PHOTO_MIN_CONF.
 */
#define PHOTO_SWEEP_DEG 12.0f
#define PHOTO_MIN_CONF 1.5f
static PIX *deskew(PIX *gray, int level, int photo, float *angle_out)
{
	l_float32 angle = 0, conf = 0;
	PIX *rot, *bin;

	*angle_out = 0;
	if (photo) {
		if (!(bin = pixThresholdToBinary(gray, level)))
			return NULL;
		if (pixFindSkewSweepAndSearch(bin, &angle, &conf, 4, 2, PHOTO_SWEEP_DEG, 1.0f,
					      0.01f) ||
		    conf < PHOTO_MIN_CONF || fabsf(angle) < SKEW_MIN_DEG) {
			pixDestroy(&bin);
			return NULL;
		}
		pixDestroy(&bin);
		rot = pixRotate(gray, (l_float32)(angle * M_PI / 180.0), L_ROTATE_AREA_MAP,
				L_BRING_IN_WHITE, 0, 0);
		if (rot)
			*angle_out = angle;
		return rot;
	}
	/* reduction 4 to sweep, 2 to search: ~0.05 deg on a 300 dpi page */
	rot = pixDeskewGeneral(gray, 4, 7.0f, 1.0f, 2, level, &angle, &conf);
	if (!rot)
		return NULL;
	if (fabsf(angle) < SKEW_MIN_DEG || rot == gray) {
		pixDestroy(&rot);
		return NULL;
	}
	*angle_out = angle;
	return rot;
}

/*
 * The resolution to read the page at. The decoder's figure is the file's
 * own when it had one; distrust it when it makes the page's short side
 * longer than 13 inches (A3's is 11.7; "72 dpi" on a 300 dpi scan is the
 * usual lie) and guess from an A4 width instead.
 */
static int page_dpi(PIX *pix, int dpi)
{
	int w = pixGetWidth(pix), h = pixGetHeight(pix), side = w < h ? w : h;

	if (dpi >= 50 && side <= dpi * 13)
		return dpi;
	dpi = (int)(side / 8.27 + 0.5);
	return dpi < 70 ? 70 : dpi > 600 ? 600 : dpi;
}

/*
 * The resolution the letters say. A phone photo of a till receipt carries
 * no resolution or a camera's 72 dpi, and a width guess assumes an A4
 * sheet: an 8 cm receipt filling the frame came out "200 dpi" with letters
 * as tall as 450 dpi print, and Tesseract read a few lines of it, or none
 * (tests/bench/receipts.sh). So the median height of letter-sized marks
 * (Sauvola's local threshold: photos are unevenly lit) is compared with
 * body text's at 300 dpi; when the letters say TEXT_DPI_RATIO times more
 * than `dpi` and there are enough of them, they win. Returns the
 * resolution to use, `dpi` when in doubt, -1 on failure.
 */
#define TEXT_MARK_PX_300 29 /* letters' mark height of 9-11 pt text at 300 dpi */
#define TEXT_MIN_MARKS 60
#define TEXT_DPI_RATIO 1.6
#define TEXT_MAX_H 400
static int text_dpi(PIX *gray, int dpi)
{
	PIX *bin = NULL, *half = NULL;
	BOXA *boxa = NULL;
	double ink[TEXT_MAX_H + 1] = { 0 }, total = 0, acc = 0;
	int i, n, marks = 0, est, ret = -1, W, H;
	int med = 0;

	/* at half size: the letters' heights are plenty precise and the
	 * local threshold costs a quarter */
	if (!(half = pixScaleAreaMap2(gray)))
		goto out;
	W = pixGetWidth(half);
	H = pixGetHeight(half);
	if (pixSauvolaBinarizeTiled(half, 13, 0.35f, 1, 1, NULL, &bin) || !bin)
		goto out;
	if (!(boxa = pixConnCompBB(bin, 8)))
		goto out;
	n = boxaGetCount(boxa);
	for (i = 0; i < n; i++) {
		l_int32 x, y, w, h;

		boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
		/* letters: taller than specks, not rules, frames, shadows or
		 * what the image edge cuts */
		if (h < 4 || h > TEXT_MAX_H || w * 4 < h || w > h * 2 || x == 0 || y == 0 ||
		    x + w >= W || y + h >= H)
			continue;
		/* weighted by area: a letter outweighs the grain of a table
		 * top or paper noise many times over */
		ink[h] += (double)w * h;
		total += (double)w * h;
		marks++;
	}
	ret = dpi;
	if (marks < TEXT_MIN_MARKS)
		goto out;
	for (med = 4; med <= TEXT_MAX_H && (acc += ink[med]) < total / 2; med++)
		;
	est = (int)(2 * med * 300.0 / TEXT_MARK_PX_300 + 0.5);
	/* only upwards: small print at a high resolution reads well as it is,
	 * and grain or speckle on a blank sheet mimics small letters */
	if (est > dpi * TEXT_DPI_RATIO)
		ret = est > 1200 ? 1200 : est;
out:
	boxaDestroy(&boxa);
	pixDestroy(&bin);
	pixDestroy(&half);
	return ret;
}

/*
 * A photo's letters still light after the stretch: the cut kept a black
 * sliver of the table at its edge, which took the split's ink class, and
 * sparse grey letters stayed grey (ink 190 on paper 235; Tesseract read an
 * empty page). Inside a margin the darkest hundredth is the ink and the
 * median the paper; when that ink is lighter than LIGHT_INK, the two are
 * stretched to black..white. Returns 1 (stretched before), -1 failure.
 */
#define LIGHT_INK 128
#define PHOTO_INK_CONTRAST 24
static int restretch(PIX **gray)
{
	l_int32 pw = pixGetWidth(*gray), ph = pixGetHeight(*gray);
	BOX *in = boxCreate(pw / 10, ph / 20, pw - pw / 5, ph - ph / 10);
	PIX *core = in ? pixClipRectangle(*gray, in, NULL) : NULL, *s;
	l_uint32 ink = 0, paper = 0;
	int bad;

	boxDestroy(&in);
	if (!core)
		return -1;
	bad = pixGetRankValue(core, 2, 0.01f, &ink) || pixGetRankValue(core, 2, 0.5f, &paper);
	pixDestroy(&core);
	if (bad || ink <= LIGHT_INK || paper < ink + PHOTO_INK_CONTRAST)
		return 1;
	if (!(s = pixGammaTRC(NULL, *gray, 1.0f, (l_int32)ink, (l_int32)paper)))
		return -1;
	replace(gray, s);
	return 1;
}

/*
 * Faded print: thermal paper's ink greys with age and heat, and a receipt
 * photographed in a shop is grey paper with grey letters. The blank test,
 * the orientation and skew tests (all at INK_LEVEL) and Tesseract then see
 * no ink or little; and grey paper in a dim photo with black letters
 * read as nothing at all (Tesseract 5.3). When the ink (the darkest tenth
 * of the marks: pixels clearly darker than the paper) is lighter than
 * FADED_INK or the paper (the median) darker than GREY_PAPER, and the two
 * differ by FADED_CONTRAST at least, the grey levels between them are
 * stretched to black..white.
 * Bleed-through (a light mirror image on white paper) stays under
 * FADED_CONTRAST and is left alone. A photo (`photo`: cut from its
 * background, its light evened) is stretched between the means of its
 * ink and its paper (Leptonica's split of the histogram) whenever they
 * differ by PHOTO_INK_CONTRAST: a phone's blur greys the strokes, there
 * is no bleed-through to fear, and the strokes' cores must come out
 * black. Returns 1 stretched, 0 not, -1 failure.
 */
#define FADED_INK 100
#define GREY_PAPER 200
#define FADED_CONTRAST 64
static int unfade(PIX **gray, int photo)
{
	l_uint32 ink = 0, paper = 0;
	NUMA *hist;
	l_float32 *h;
	double marks = 0, seen = 0;
	int i, n;
	PIX *s;

	if (photo) {
		l_int32 split = 0, fg = 0, bg = 0;

		if (pixSplitDistributionFgBg(*gray, 0.1f, 4, &split, &fg, &bg, NULL) ||
		    bg < fg + PHOTO_INK_CONTRAST)
			return 0;
		if (!(s = pixGammaTRC(NULL, *gray, 1.0f, fg, bg)))
			return -1;
		replace(gray, s);
		return restretch(gray);
	}
	if (pixGetRankValue(*gray, 2, 0.5f, &paper))
		return 0;
	/* the ink is the darkest tenth of the marks (pixels clearly darker
	 * than the paper), not a fixed share of the page: a sparse page (a
	 * back with two lines) has so little ink that the page's darkest
	 * 0.3% reach into the letters' grey edges and would call it faded */
	if (!(hist = pixGetGrayHistogram(*gray, 2)))
		return 0;
	h = numaGetFArray(hist, L_NOCOPY);
	n = numaGetCount(hist);
	for (i = 0; i < n && i + FADED_CONTRAST / 2 < (int)paper; i++)
		marks += h[i];
	ink = paper;
	for (i = 0; i < n && marks > 0; i++) {
		seen += h[i];
		if (seen >= marks * 0.1) {
			ink = (l_uint32)i;
			break;
		}
	}
	numaDestroy(&hist);
	if ((ink <= FADED_INK && paper >= GREY_PAPER) || paper < ink + FADED_CONTRAST)
		return 0;
	if (!(s = pixGammaTRC(NULL, *gray, 1.0f, (l_int32)ink, (l_int32)paper)))
		return -1;
	replace(gray, s);
	return 1;
}

/*
 * The ink threshold of a photo for folio's own tests (blank page,
 * orientation, skew, speckle): PHOTO_INK_MARGIN under its paper's level
 * (the median; white after unfade()). Scans keep the fixed INK_LEVEL,
 * which their bleed-through and grey paper were measured against; a
 * photo's letters, blurred and stretched, can stay lighter than that all
 * over: a thin font's receipt was called a blank page. (Leptonica's
 * split of a stretched photo put the threshold at 21, under the strokes.)
 */
#define PHOTO_INK_MARGIN 48
#define SCAN_MIN_DPI 150 /* a stated resolution under this is a camera's (72) */
static int photo_ink_level(PIX *gray)
{
	l_uint32 paper = 0;

	if (pixGetRankValue(gray, 2, 0.5f, &paper))
		return INK_LEVEL;
	return (int)paper - PHOTO_INK_MARGIN < 64 ? 64 : (int)paper - PHOTO_INK_MARGIN;
}

/* Scale `*pix` towards DPI_TARGET; returns the new resolution. */
static int normalise_dpi(PIX **pix, int dpi)
{
	double px = (double)pixGetWidth(*pix) * pixGetHeight(*pix);
	PIX *s = NULL;
	int out = dpi;

	if (dpi > DPI_MAX) {
		/* area mapping: no aliasing of thin strokes */
		s = pixScaleAreaMap(*pix, (float)DPI_TARGET / dpi, (float)DPI_TARGET / dpi);
		out = DPI_TARGET;
	} else if (dpi < DPI_MIN / 2 && px * 16 <= UPSCALE_MAX_PIXELS) {
		s = pixScaleGray4xLI(*pix);
		out = dpi * 4;
	} else if (dpi < DPI_MIN && px * 4 <= UPSCALE_MAX_PIXELS) {
		s = pixScaleGray2xLI(*pix);
		out = dpi * 2;
	}
	if (!s)
		return dpi;
	replace(pix, s);
	return out;
}

/*
 * A photographed sheet: a phone photo of a till receipt has the paper as
 * one light region in a darker table, desk or counter. Leptonica's skew
 * and orientation tests and Tesseract's page layout take that background
 * for ink: the photos of tests/bench/receipts.sh came out with a few lines
 * of text or none. The paper is looked for on a light map: the image
 * shrunk to PAPER_MAP pixels on its long side and averaged over 5x5 of
 * those, so that a table's grain, a carpet's speckle and the letters are
 * gone and only light and dark regions remain. The map's own dark/light
 * split (not remove_border's fixed BORDER_LEVEL: a wooden table is
 * lighter than that, a dim photo's paper darker) finds the dark regions
 * touching the image edge; when they cover PHOTO_MIN..PHOTO_MAX of it and
 * the paper is PAPER_CONTRAST lighter than they are on the map, they are
 * painted the paper's grey and the image is cut to the largest light
 * region. (The split on the full image missed two photos in five: grain
 * and noise filled both classes.)
 * Returns 1 when cut, 0 when the image is no photo of a sheet, -1 on
 * allocation failure.
 */
#define PAPER_MAP 320
#define PAPER_CONTRAST 24
#define PAPER_SPLIT 40 /* percent of the way from the background's mean to the paper's */
#define PHOTO_MIN 0.10
#define PHOTO_MAX 0.92
static int paper_box(PIX *inside, float scale, int w, int h, BOX **out)
{
	PIXA *pixa = NULL;
	BOXA *boxa = pixConnComp(inside, &pixa, 8);
	l_int32 i, n, x, y, bw, bh, count, best = -1, most = 0, sides;
	int mw = pixGetWidth(inside), mh = pixGetHeight(inside);

	if (!boxa)
		return -1;
	n = boxaGetCount(boxa);
	for (i = 0; i < n; i++) {
		PIX *c = pixaGetPix(pixa, i, L_CLONE);

		if (c && !pixCountPixels(c, &count, NULL) && count > most) {
			most = count;
			best = i;
		}
		pixDestroy(&c);
	}
	if (best >= 0) {
		boxaGetBoxGeometry(boxa, best, &x, &y, &bw, &bh);
		/* a sheet lies on its background: light reaching three sides of
		 * the photo is a wall or a window, not the paper */
		sides = (x == 0) + (y == 0) + (x + bw >= mw) + (y + bh >= mh);
		x = (l_int32)(x / scale);
		y = (l_int32)(y / scale);
		bw = (l_int32)(bw / scale) + 1;
		bh = (l_int32)(bh / scale) + 1;
		if (sides <= 2 && (double)bw * bh >= PHOTO_MIN * w * h)
			*out = boxCreate(x, y, bw, bh);
	}
	boxaDestroy(&boxa);
	pixaDestroy(&pixa);
	return 0;
}

static int paper_only(PIX **gray)
{
	int w = pixGetWidth(*gray), h = pixGetHeight(*gray), ret = -1;
	float scale = (float)PAPER_MAP / (float)(w > h ? w : h);
	l_int32 thresh = 0, fg = 0, bg = 0, count = 0;
	l_float32 paper = 0, around = 0;
	PIX *small = NULL, *map = NULL, *dark = NULL, *edge = NULL, *inside = NULL, *wide = NULL,
	    *mask = NULL, *cut = NULL;
	BOX *box = NULL;
	double share;

	/* an image under twice the map's size is no phone photo */
	if (scale > 0.5f)
		return 0;
	if (!(small = pixScaleAreaMap(*gray, scale, scale)) || !(map = pixBlockconv(small, 2, 2)))
		goto out;
	ret = 0;
	if (pixSplitDistributionFgBg(map, 0.1f, 1, &thresh, &fg, &bg, NULL) ||
	    bg - fg < PAPER_CONTRAST)
		goto out;
	ret = -1;
	/* nearer the background's level than the paper's: a shaded or curled
	 * part of the paper (the photo's dim side) stays paper */
	thresh = fg + (bg - fg) * PAPER_SPLIT / 100;
	if (!(dark = pixThresholdToBinary(map, thresh)) ||
	    !(edge = pixExtractBorderConnComps(dark, 8)) || pixCountPixels(edge, &count, NULL) ||
	    !(inside = pixInvert(NULL, edge)))
		goto out;
	ret = 0;
	share = (double)count / ((double)pixGetWidth(map) * pixGetHeight(map));
	if (share < PHOTO_MIN || share > PHOTO_MAX ||
	    pixGetAverageMasked(map, edge, 0, 0, 1, L_MEAN_ABSVAL, &around) ||
	    pixGetAverageMasked(map, inside, 0, 0, 1, L_MEAN_ABSVAL, &paper) ||
	    paper - around < PAPER_CONTRAST)
		goto out;
	ret = -1;
	if (paper_box(inside, scale, w, h, &box) < 0)
		goto out;
	ret = 0;
	if (!box)
		goto out;
	ret = -1;
	/* a map pixel less of the background: the map's blocks are 5-10
	 * pixels of the photo, and painted whole they took the letters at
	 * a receipt's narrow margin (the paper's edge, a grey line, stays) */
	if (!(wide = pixErodeBrick(NULL, edge, 3, 3)) ||
	    !(mask = pixScaleBinary(wide, 1.0f / scale, 1.0f / scale)))
		goto out;
	/* painted the paper's grey: white around grey paper would be the
	 * light side of Tesseract's Otsu split and the whole sheet its ink */
	if (pixSetMasked(*gray, mask, (l_uint32)(paper + 0.5f)) ||
	    !(cut = pixClipRectangle(*gray, box, NULL)))
		goto out;
	replace(gray, cut);
	ret = 1;
out:
	boxDestroy(&box);
	pixDestroy(&mask);
	pixDestroy(&wide);
	pixDestroy(&inside);
	pixDestroy(&edge);
	pixDestroy(&dark);
	pixDestroy(&map);
	pixDestroy(&small);
	return ret;
}

/*
 * A photo's light is uneven (a lamp on one side, the phone's shadow, the
 * paper's curl) and often dim: the paper of one receipt goes from 90 to
 * 200 grey, and no single threshold (Tesseract's Otsu, folio's INK_LEVEL
 * for orientation and blank pages) separates letters from paper all
 * over it. On a cut-out photo, after a 3x3 median against the sensor's
 * grain, the paper's level is estimated per tile (Leptonica's background
 * normalisation, pixels darker than the image's own ink/paper split left
 * out) and brought to EVEN_PAPER everywhere.
 * Returns 1 evened, 0 not, -1 on failure.
 */
#define EVEN_PAPER 230
static int even_light(PIX **gray)
{
	l_int32 thresh = 0, fg = 0, bg = 0;
	PIX *even;

	/* the sensor's grain first: stretched with the letters it would
	 * become speckle that Tesseract's page layout takes for pictures */
	if (!(even = folio_prepare_median3(*gray)))
		return -1;
	replace(gray, even);
	if (pixSplitDistributionFgBg(*gray, 0.1f, 4, &thresh, &fg, &bg, NULL) || thresh < 8)
		return 0;
	even = pixBackgroundNorm(*gray, NULL, NULL, 16, 16, thresh, 40, EVEN_PAPER, 2, 1);
	if (!even)
		return 0;
	replace(gray, even);
	return 1;
}

/*
 * Paint dark regions at the image edge white: the scanner lid or platen
 * around a smaller sheet. The ink is framed with a dark band of 1/30 inch
 * first, so that a border separated from the edge by a thin light seam
 * (a skewed sheet, JPEG ringing) is still caught. Only large regions (over
 * 1/25 of the page's side) go, so a character cut by the edge stays.
 * Returns 1 when some border was removed, 0 when none, -1 on failure.
 */
static int remove_border(PIX *gray, int dpi)
{
	int w = pixGetWidth(gray), h = pixGetHeight(gray), pad = dpi / 30 + 1, ret = -1;
	PIX *dark = NULL, *framed = NULL, *edge = NULL, *big = NULL, *mask = NULL;
	l_int32 empty = 1;

	if (!(dark = pixThresholdToBinary(gray, BORDER_LEVEL)) ||
	    !(framed = pixAddBorder(dark, pad, 1)) ||
	    !(edge = pixExtractBorderConnComps(framed, 8)) ||
	    !(big = pixSelectBySize(edge, w / 25, h / 25, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE,
				    NULL)))
		goto out;
	pixDestroy(&edge);
	/* the frame itself is always there; take it off again */
	if (!(edge = pixRemoveBorder(big, pad)))
		goto out;
	pixZero(edge, &empty);
	ret = 0;
	if (empty)
		goto out;
	/* the edge of the region is a grey ramp (blur, JPEG): widen the mask
	 * a little to take it too */
	ret = -1;
	if (!(mask = pixDilateBrick(NULL, edge, 9, 9)) || pixSetMasked(gray, mask, 255))
		goto out;
	ret = 1;
out:
	pixDestroy(&mask);
	pixDestroy(&big);
	pixDestroy(&edge);
	pixDestroy(&framed);
	pixDestroy(&dark);
	return ret;
}

/*
 * A page is blank when, inside the margins (5% of each side: punch holes,
 * staple shadows, the edge of the platen), fewer than BLANK_MAX_MARKS
 * marks larger than a speck remain. A short line of text has a mark per
 * letter. Returns 1 blank, 0 not, -1 on allocation failure.
 */
#define BLANK_MAX_MARKS 3
static int is_blank(PIX *gray, int dpi, int level)
{
	int w = pixGetWidth(gray), h = pixGetHeight(gray), speck = dpi / 25, ret = -1;
	BOX *box = boxCreate(w / 20, h / 20, w - w / 10, h - h / 10);
	PIX *inner = NULL, *ink = NULL, *marks = NULL;
	BOXA *boxa = NULL;

	if (speck < 3)
		speck = 3;
	if (!box || !(inner = pixClipRectangle(gray, box, NULL)) ||
	    !(ink = pixThresholdToBinary(inner, level)))
		goto out;
	/* keep marks at least a speck long in one direction */
	marks = pixSelectBySize(ink, speck, speck, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
	if (!marks || !(boxa = pixConnCompBB(marks, 8)))
		goto out;
	ret = boxaGetCount(boxa) < BLANK_MAX_MARKS + 1;
out:
	boxaDestroy(&boxa);
	pixDestroy(&marks);
	pixDestroy(&ink);
	pixDestroy(&inner);
	boxDestroy(&box);
	return ret;
}

/*
 * The direction of the text lines, from a cheap cue: at 1/4 of the
 * resolution, the best sum of squared differences between adjacent row
 * counts over shears of +-7 degrees (the deskew score), for the page and
 * for the page turned by 90. Lines give rows of ink and rows of paper;
 * the sum is highest across them. Measured on the rendered scans and the
 * degraded test set: a ratio of 2.2-54 on pages with horizontal lines,
 * 0.04-0.42 with vertical ones (also skewed by 5 degrees, or in a
 * scanner's dark frame). Returns 1 horizontal, 2 vertical, 0 unclear
 * (also when the image is too small to tell, or memory ran out: OSD
 * decides then).
 */
#define AXIS_RATIO 2.0f
static int line_axis(PIX *bin)
{
	PIX *small = pixReduceRankBinaryCascade(bin, 1, 1, 0, 0), *turned = NULL;
	l_float32 angle, conf, across = 0, along = 0;
	int ret = 0;

	if (small && (turned = pixRotate90(small, 1)) &&
	    !pixFindSkewSweepAndSearchScore(small, &angle, &conf, &across, 1, 1, 0.0f, 7.0f, 1.0f,
					    0.01f) &&
	    !pixFindSkewSweepAndSearchScore(turned, &angle, &conf, &along, 1, 1, 0.0f, 7.0f, 1.0f,
					    0.01f))
		ret = across > AXIS_RATIO * along ? 1 : along > AXIS_RATIO * across ? 2 : 0;
	pixDestroy(&turned);
	pixDestroy(&small);
	return ret;
}

/* The clockwise turn of a Leptonica orientation. */
static int turn_of(l_int32 orient)
{
	switch (orient) {
	case L_TEXT_ORIENT_UP: return 0;
	case L_TEXT_ORIENT_LEFT: return 90;
	case L_TEXT_ORIENT_DOWN: return 180;
	case L_TEXT_ORIENT_RIGHT: return 270;
	default: return FOLIO_ROTATION_UNKNOWN;
	}
}

/*
 * When Leptonica's own thresholds (8, and 2.5 times the other direction's
 * confidence) leave a page undecided. Its confidences are 2 (n_up -
 * n_down) / sqrt(n_up + n_down) of ascenders counted pointing one way or
 * the other, about two standard deviations per unit on a page without
 * a direction. With the line direction known from line_axis(), the
 * confidence along it decides when over WEAK_CONF (2.5 sigma; a page of
 * digits can lean the wrong way below that), or at any strength when it
 * agrees with `prior`, the turn of another page of the same document: a
 * back page with a few lines is turned as its front was. Anything else is
 * left to Tesseract's OSD (a second at 300 dpi).
 */
#define WEAK_CONF 5.0f
static int weak_orientation(PIX *bin, l_float32 up, l_float32 left, int prior)
{
	int axis = line_axis(bin), turn;
	l_float32 conf;

	if (!axis)
		return FOLIO_ROTATION_UNKNOWN;
	conf = axis == 1 ? up : left;
	if (conf == 0)
		return FOLIO_ROTATION_UNKNOWN;
	/* positive: upright (horizontal lines) or facing left (vertical) */
	turn = axis == 1 ? (conf > 0 ? 0 : 180) : (conf > 0 ? 90 : 270);
	if (fabsf(conf) >= WEAK_CONF || turn == prior)
		return turn;
	return FOLIO_ROTATION_UNKNOWN;
}

/*
 * Leptonica's orientation test on the ink: counts ascenders pointing up,
 * down, left and right. Returns the clockwise turn that makes the page
 * upright, FOLIO_ROTATION_UNKNOWN when the signal is too weak to decide
 * (little text, non-Latin script), -2 on allocation failure. With its
 * default thresholds it decided 59 of 64 test pages and was never wrong;
 * weak_orientation() decides most of the rest without OSD.
 */
static int orientation(PIX *gray, int dpi, int prior, int level)
{
	l_float32 up = 0, left = 0;
	l_int32 orient = L_TEXT_ORIENT_UNKNOWN;
	PIX *bin, *half = NULL;
	int turn;

	bin = pixThresholdToBinary(gray, level);
	if (!bin)
		return -2;
	/* the test is tuned for 150-300 ppi */
	if (dpi > 300 && (half = pixReduceRankBinary2(bin, 1, NULL)))
		replace(&bin, half);
	if (pixOrientDetect(bin, &up, &left, 0, 0) ||
	    makeOrientDecision(up, left, 0, 0, &orient, 0))
		orient = L_TEXT_ORIENT_UNKNOWN;
	turn = turn_of(orient);
	if (turn == FOLIO_ROTATION_UNKNOWN && (up != 0 || left != 0))
		turn = weak_orientation(bin, up, left, prior);
	pixDestroy(&bin);
	return turn;
}

/*
 * Speckle noise: the share of marks under 4x4 pixels among all marks at
 * the ink threshold. Clean, blurred and JPEG-damaged test pages have under
 * 0.1; pages with salt-and-pepper noise about 0.5 (an old UNLV scan 0.35).
 * Returns 1 when over NOISY_SHARE, 0 when not, -1 on failure.
 */
#define NOISY_SHARE 0.2
static int noisy(PIX *gray, int level)
{
	PIX *bin = pixThresholdToBinary(gray, level), *small = NULL;
	BOXA *all = NULL, *specks = NULL;
	int ret = -1;

	if (bin && (all = pixConnCompBB(bin, 8)) &&
	    (small = pixSelectBySize(bin, 4, 4, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LT, NULL)) &&
	    (specks = pixConnCompBB(small, 8)))
		ret = boxaGetCount(specks) > NOISY_SHARE * boxaGetCount(all);
	boxaDestroy(&specks);
	boxaDestroy(&all);
	pixDestroy(&small);
	pixDestroy(&bin);
	return ret;
}

static uint8_t min8(uint8_t a, uint8_t b)
{
	return a < b ? a : b;
}

static uint8_t max8(uint8_t a, uint8_t b)
{
	return a > b ? a : b;
}

static uint8_t mid8(uint8_t a, uint8_t b, uint8_t c)
{
	return max8(min8(a, b), min8(max8(a, b), c));
}

/* Row y of `pix` (8 bpp) into buf[1..w], the edge pixels repeated in
 * buf[0] and buf[w + 1] (Leptonica's mirrored border, one pixel wide). */
static void unpack_row(PIX *pix, int y, uint8_t *buf)
{
	const l_uint32 *line = pixGetData(pix) + (size_t)y * pixGetWpl(pix);
	int x, w = pixGetWidth(pix);

	/* a word holds four pixels, the first in its high byte (on any host;
	 * GET_DATA_BYTE per pixel took as long as the median) */
	for (x = 0; x < w; x += 4) {
		l_uint32 v = line[x / 4];

		buf[x + 1] = (uint8_t)(v >> 24);
		buf[x + 2] = (uint8_t)(v >> 16);
		buf[x + 3] = (uint8_t)(v >> 8);
		buf[x + 4] = (uint8_t)v;
	}
	buf[0] = buf[1];
	buf[w + 1] = buf[w];
}

/*
 * The 3x3 median of an 8 bpp image, the same pixels as Leptonica's
 * pixRankFilterGray(pix, 3, 3, 0.5) (a test compares them) in a tenth of
 * its time (0.3 s on an A4 page at 300 dpi): each column's three values
 * sorted once, then the median of nine is the middle of the largest low,
 * the middle middle and the smallest high of three neighbouring columns.
 */
struct Pix *folio_prepare_median3(struct Pix *gray)
{
	int w = pixGetWidth(gray), h = pixGetHeight(gray), x, y, i;
	/* each buffer w + 2 long and 3 more: rows are moved in whole words */
	size_t len = (size_t)w + 5;
	uint8_t *buf = calloc(7, len), *row[3], *lo, *mid, *hi, *out;
	PIX *med = pixCreateTemplateNoInit(gray);

	if (!buf || !med) {
		free(buf);
		pixDestroy(&med);
		return NULL;
	}
	for (i = 0; i < 3; i++)
		row[i] = buf + i * len;
	lo = row[2] + len;
	mid = lo + len;
	hi = mid + len;
	out = hi + len;
	/* rows y-1, y and y+1; the first and last repeated at the edges */
	unpack_row(gray, 0, row[0]);
	memcpy(row[1], row[0], len);
	for (y = 0; y < h; y++) {
		l_uint32 *line = pixGetData(med) + (size_t)y * pixGetWpl(med);
		uint8_t *up = row[0], *at = row[1], *down = row[2];

		unpack_row(gray, y + 1 < h ? y + 1 : h - 1, down);
		row[0] = at;
		row[1] = down;
		row[2] = up;
		for (x = 0; x < w + 2; x++) {
			uint8_t a = up[x], b = at[x], c = down[x];

			lo[x] = min8(min8(a, b), c);
			hi[x] = max8(max8(a, b), c);
			mid[x] = mid8(a, b, c);
		}
		for (x = 0; x < w; x++)
			out[x] = mid8(max8(max8(lo[x], lo[x + 1]), lo[x + 2]),
				      mid8(mid[x], mid[x + 1], mid[x + 2]),
				      min8(min8(hi[x], hi[x + 1]), hi[x + 2]));
		for (x = 0; x < w; x += 4)
			line[x / 4] = (l_uint32)out[x] << 24 | (l_uint32)out[x + 1] << 16 |
				      (l_uint32)out[x + 2] << 8 | out[x + 3];
	}
	free(buf);
	return med;
}

static int set_image(struct folio_page *page, PIX *pix)
{
	pixSetResolution(pix, page->dpi, page->dpi);
	pixDestroy((PIX **)&page->pix);
	page->pix = (struct Pix *)pix;
	page->width = pixGetWidth(pix);
	page->height = pixGetHeight(pix);
	return FOLIO_OK;
}

int folio_prepare_rotate(struct folio_page *page, int degrees, struct folio_err *err)
{
	PIX *pix = (PIX *)page->pix, *rot, *straight;
	float angle;

	if (!pix || degrees % 90 || (degrees = ((degrees % 360) + 360) % 360) == 0)
		return FOLIO_OK;
	if (!(rot = pixRotateOrth(pix, degrees / 90)))
		return nomem(err);
	if (page->rotation == FOLIO_ROTATION_UNKNOWN)
		page->rotation = 0;
	page->rotation = (page->rotation + degrees) % 360;
	/* straightened sideways, a skewed page was not straightened yet */
	if (page->skew == 0 && (straight = deskew(rot, 0, 0, &angle))) {
		replace(&rot, straight);
		page->skew = angle;
	}
	return set_image(page, rot);
}

int folio_prepare_page(struct folio_page *page, struct folio_err *err)
{
	return folio_prepare_page_prior(page, FOLIO_ROTATION_UNKNOWN, err);
}

int folio_prepare_page_prior(struct folio_page *page, int prior, struct folio_err *err)
{
	PIX *pix = (PIX *)page->pix, *gray, *rot;
	int r, dpi, photo = 0, scan, level = INK_LEVEL;
	float angle;

	if (!pix)
		return FOLIO_OK;
	gray = pixGetDepth(pix) == 8 && !pixGetColormap(pix) ? pixClone(pix) :
							       pixConvertTo8(pix, 0);
	if (!gray)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "cannot convert page %d (depth %d) to grey", page->number,
				     pixGetDepth(pix));
	page->rotation = 0;
	page->skew = 0;
	page->blank = 0;
	dpi = page_dpi(gray, page->dpi);
	if (gray == pix) {
		/* a clone: backgrounds and borders are painted on a copy, the
		 * caller's image may be shared (barcodes) */
		PIX *copy = pixCopy(NULL, gray);

		replace(&gray, copy);
		if (!gray)
			return nomem(err);
	}
	/* a photo is cut from its background, its light and ink evened and
	 * stretched; a scan (a resolution stated as scanners write it, not
	 * a camera's 72 dpi or none) keeps
	 * its grey levels, which INK_LEVEL and the OCR benchmarks were
	 * measured on, and remove_border() takes a scanner lid's dark bands
	 * (cut as a photo, an UNLV page lost 1.4% of its words) */
	scan = !page->dpi_guessed && page->dpi >= SCAN_MIN_DPI;
	if (!scan && (photo = paper_only(&gray)) < 0)
		goto oom;
	if ((photo && even_light(&gray) < 0) || unfade(&gray, photo) < 0)
		goto oom;
	/* a scanner's stated resolution is trusted: the letters' height
	 * only corrects a camera's or a guess. On a scan it mistook the
	 * modules of a QR code for large letters: the KSeF visualisation's
	 * verification page was read at a quarter of its size, as nothing
	 * (tests/bench/ocr_speed.sh), and it cost a tenth of preparing a
	 * 300 dpi page (perf) */
	if ((r = scan ? dpi : text_dpi(gray, dpi)) < 0)
		goto oom;
	dpi = r;
	if (photo && (level = photo_ink_level(gray)) < 0)
		goto oom;
	page->dpi = normalise_dpi(&gray, dpi);
	if (remove_border(gray, page->dpi) < 0)
		goto oom;
	if ((r = is_blank(gray, page->dpi, level)) < 0)
		goto oom;
	if (r) {
		page->blank = 1;
		return set_image(page, gray);
	}
	r = orientation(gray, page->dpi, prior, level);
	if (r == -2)
		goto oom;
	if (r > 0) {
		if (!(rot = pixRotateOrth(gray, r / 90)))
			goto oom;
		replace(&gray, rot);
	}
	page->rotation = r;
	/* scans keep Leptonica's own threshold for the sweep (0: its 130) */
	if ((rot = deskew(gray, photo ? level : 0, photo, &angle))) {
		replace(&gray, rot);
		page->skew = angle;
	}
	/* a 3x3 median on speckled pages and on upscaled ones (smooths the
	 * interpolation's stairs): CER 0.055 -> 0.046 and 0.0023 -> 0.0012 on
	 * those classes, others unchanged (tests/bench/ocr.sh) */
	if ((r = page->dpi > dpi ? 1 : noisy(gray, level)) < 0)
		goto oom;
	if (r) {
		if (!(rot = folio_prepare_median3(gray)))
			goto oom;
		replace(&gray, rot);
	}
	return set_image(page, gray);
oom:
	pixDestroy(&gray);
	return nomem(err);
}
