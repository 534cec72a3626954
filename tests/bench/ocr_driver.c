/*
 * ocr_driver - folio's page reading on image files, for tests/bench/ocr.sh.
 *
 *   ocr_driver [-l LANGS] [-L LANG] [-P] FILE...
 *   ocr_driver [-l LANGS] [-L LANG] [-P] -     file names on stdin, one a line;
 *                                            "#done" printed after each file
 *
 * Decodes each file as the pipeline does (libmagic, folio's decoders),
 * then per page folio_prepare_page_prior() and folio_ocr_page_in(), and prints one
 * JSON object per page on stdout: file, page, rotation, skew, dpi, width,
 * height, blank, languages, seconds and cpu (prepare + OCR, wall and
 * CPU time), text.
 *
 *   -l LANGS   configured languages (default: folio's default)
 *   -L LANG    read every page with LANG (the per-inbox override path)
 *   -P         skip preparation (only the conversion to grey)
 *   -D DIR     also write each prepared page as DIR/NAME-PAGE.png (what
 *              Tesseract is given)
 *
 * The engines are started once before the first file, as a worker does;
 * the start-up time is printed on stderr.
 */
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "folio/config.h"
#include "folio/decode.h"
#include "folio/detect.h"
#include "folio/ocr.h"
#include "folio/prepare.h"
#include "folio/util.h"

struct run {
	struct folio_ocr *ocr;
	const char *force;
	struct folio_ocr_doc *doc; /* the file's pages share it, as in the pipeline */
	int no_prepare;
	const char *dump; /* -D: where prepared pages are written, or NULL */
	const char *file;
};

static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int page_hook(void *arg, struct folio_doc *doc, size_t index, struct folio_err *err)
{
	struct run *r = arg;
	struct folio_page *pg = &doc->pages[index];
	double t0 = folio_clock(), c0 = cpu_seconds();
	int ret;

	if (!pg->pix)
		return FOLIO_OK;
	if (r->no_prepare) {
		PIX *g = pixConvertTo8((PIX *)pg->pix, 0);

		if (!g)
			return FOLIO_FAILED;
		pixDestroy((PIX **)&pg->pix);
		pg->pix = (struct Pix *)g;
	} else if ((ret = folio_prepare_page_prior(pg, folio_ocr_doc_rotation(r->doc), err)) !=
		   FOLIO_OK) {
		return ret;
	}
	if (r->dump && pg->pix) {
		const char *base = strrchr(r->file, '/');
		char out[4096];

		snprintf(out, sizeof(out), "%s/%s-%d.png", r->dump, base ? base + 1 : r->file,
			 pg->number);
		if (pixWrite(out, (PIX *)pg->pix, IFF_PNG))
			fprintf(stderr, "ocr_driver: cannot write %s\n", out);
	}
	if ((ret = folio_ocr_page_in(r->ocr, pg, r->force, r->doc, err)) != FOLIO_OK)
		return ret;
	printf("{\"file\":");
	json_str(r->file);
	printf(",\"page\":%d,\"rotation\":%d,\"skew\":%.2f,\"dpi\":%d,\"width\":%d,\"height\":%d,"
	       "\"blank\":%s,\"languages\":",
	       pg->number, pg->rotation, (double)pg->skew, pg->dpi, pg->width, pg->height,
	       pg->blank ? "true" : "false");
	json_str(folio_ocr_last_languages(r->ocr));
	printf(",\"unread\":%.3f,\"seconds\":%.3f,\"cpu\":%.3f,\"text\":",
	       folio_ocr_unread_share(pg), folio_clock() - t0, cpu_seconds() - c0);
	json_str(pg->text);
	printf("}\n");
	fflush(stdout);
	folio_page_drop_image(pg);
	return FOLIO_OK;
}

static int read_one(struct run *r, const struct folio_config *cfg, struct folio_decode_ctx *ctx,
		    struct folio_detect *det, const char *path)
{
	struct folio_err err = { 0 };
	unsigned char *data = NULL;
	struct folio_doc *doc = NULL;
	size_t size = 0;
	int status = 0;

	r->file = path;
	r->doc = folio_ocr_doc_new();
	if (folio_read_file(path, cfg->max_file_bytes, &data, &size, &err) ||
	    !(doc = folio_doc_new(path, data, size)) || folio_detect_doc(det, doc, &err) ||
	    folio_decode(ctx, doc, &err) < 0) {
		fprintf(stderr, "ocr_driver: %s: %s\n", path, err.msg);
		status = 1;
	}
	folio_doc_free(doc);
	folio_ocr_doc_free(r->doc);
	r->doc = NULL;
	return status;
}

int main(int argc, char **argv)
{
	struct folio_config cfg;
	struct folio_err err = { 0 };
	struct folio_decode_ctx *ctx = NULL;
	struct folio_detect *det = NULL;
	struct run r = { 0 };
	int opt, i, status = 0;
	double t0;

	if (!getenv("OMP_THREAD_LIMIT"))
		setenv("OMP_THREAD_LIMIT", "1", 1);
	if (folio_config_defaults(&cfg, &err))
		return 2;
	while ((opt = getopt(argc, argv, "l:L:PD:")) != -1) {
		switch (opt) {
		case 'l':
			free(cfg.languages);
			cfg.languages = strdup(optarg);
			break;
		case 'L': r.force = optarg; break;
		case 'P': r.no_prepare = 1; break;
		case 'D': r.dump = optarg; break;
		default:
			fprintf(stderr,
				"usage: ocr_driver [-l LANGS] [-L LANG] [-P] [-D DIR] FILE...\n");
			return 2;
		}
	}
	folio_prepare_global_init();
	t0 = folio_clock();
	if (folio_decode_global_init(&cfg, &err) || !(ctx = folio_decode_ctx_new(&cfg, &err)) ||
	    !(det = folio_detect_new(&err)) || !(r.ocr = folio_ocr_new(&cfg, &err))) {
		fprintf(stderr, "ocr_driver: %s\n", err.msg);
		return 1;
	}
	fprintf(stderr, "ocr_driver: engines started in %.3f s\n", folio_clock() - t0);
	folio_decode_ctx_set_page_hook(ctx, page_hook, &r);
	if (optind == argc - 1 && !strcmp(argv[optind], "-")) {
		char line[4096];

		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			status |= read_one(&r, &cfg, ctx, det, line);
			printf("#done\n");
			fflush(stdout);
		}
	} else {
		for (i = optind; i < argc; i++)
			status |= read_one(&r, &cfg, ctx, det, argv[i]);
	}
	folio_ocr_free(r.ocr);
	folio_detect_free(det);
	folio_decode_ctx_free(ctx);
	folio_decode_global_release();
	folio_config_release(&cfg);
	return status;
}
