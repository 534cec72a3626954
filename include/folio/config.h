/*
 * config.h - folio's settings: built-in defaults, overridden by a config
 * file (`key = value` lines, '#' comments), overridden by the command line.
 *
 * The documented defaults live in config/folio.conf; the values below must
 * stay in step with it (tests/e2e checks that).
 */
#ifndef FOLIO_CONFIG_H
#define FOLIO_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "folio/err.h"

/* The default OCR languages (measured trade-off: see README). */
#define FOLIO_DEFAULT_LANGUAGES "pol+spa+por+ita"

struct folio_config {
	char *archive_dir;  /* used when neither --archive nor FOLIO_ARCHIVE is set */
	char *languages;    /* Tesseract languages, e.g. "pol+spa+por+ita+eng" */
	char *tessdata_dir; /* NULL: Tesseract's compiled-in default */
	char *models_dir;   /* NULL: see folio_config_models_dir() */
	char *type_rules;   /* NULL: MODELS/doctype.rules */
	char *tag_rules;    /* NULL: no tag rules */
	int workers;	    /* 0: number of online cores */

	/* bounds that keep memory finite on hostile input */
	uint64_t max_file_bytes;  /* one input file or archive entry */
	int max_pages;		  /* pages of one document */
	uint64_t max_page_pixels; /* width*height of one decoded page */
	int render_dpi;		  /* PDF pages without a text layer */
	int min_text_chars;	  /* fewer text-layer chars than this: OCR the page */
	int review_confidence;	  /* percent: a key field less sure than this needs review */
	char *asn_pattern;	  /* a barcode matching this (POSIX ERE) is the ASN */
	char *split_barcode;	  /* a page with a barcode matching this separates documents */
	int split_blank;	  /* a blank page separates documents */

	/* archives (ZIP, TAR, 7z) */
	int max_archive_entries;
	uint64_t max_archive_bytes; /* total expanded bytes */
	int max_archive_ratio;	    /* expanded:compressed */
	int max_archive_depth;	    /* nested archives */

	/* e-mail messages */
	int max_mail_parts;		  /* MIME parts of one message */
	uint64_t mail_inline_image_bytes; /* smaller inline images are no documents */

	/* folio watch */
	char *inboxes;	      /* ':'-separated folders */
	char *watch_backend;  /* "auto", "inotify" or "poll" */
	int settle_ms;	      /* size and mtime unchanged this long */
	int rescan_seconds;   /* full rescan period */
	int poll_ms;	      /* polling backend's period */
	char *done_dir;	      /* NULL: remove archived files from the inbox */
	char *quarantine_dir; /* NULL: ARCHIVE/quarantine */
	int tag_subfolders;   /* inbox/a/b/x.pdf gets tags "a" and "b" */
	/* a symbolic link found in an inbox or a walked folder: 0 refused
	 * (quarantined, never read); 1 followed when its target is a regular
	 * file inside that inbox or folder (see folio_open_input()) */
	int follow_symlinks;
	int max_queue;	 /* files handed to the workers at once */
	char *log;	 /* "stderr" or "syslog" */
	char *log_level; /* "debug", "info", "warning" or "error" */

	/* the country conventions of exports a spreadsheet opens (CSV's
	 * `locale`): "pl", "es", "it", "pt", "excel"; NULL: none */
	char *locale;

	/* the organisation's own fields (folio fix ID cost_center=4711):
	 * names of [a-z][a-z0-9_]*, separated by blanks or commas */
	char *custom_fields;

	/* retention (folio retention, folio delete): rules "SELECTOR=YEARS"
	 * separated by commas, SELECTOR type:T, tag:T or vendor:NAME, the
	 * first that matches a document wins; else the country's documented
	 * default for invoices, credit notes and receipts (retention_country
	 * pl 5, es 6, pt 10, it 10 years; none: no default). Years count
	 * from the end of the year of the invoice date, else the day added. */
	char *retention;
	char *retention_country;

	/* export profiles: the lines of `[export NAME]` sections, in file
	 * order (see src/export/ for each format's keys) */
	struct folio_profile_opt {
		char *profile, *key, *value;
	} * export_opts;
	size_t nexport_opts, export_opts_alloc;

	/* IMAP accounts: the lines of `[account NAME]` sections, in file
	 * order, keys and values checked (see src/watch/mailbox.c) */
	struct folio_profile_opt *mail_opts;
	size_t nmail_opts, mail_opts_alloc;
};

/* 1 when `name` is one of the config's custom_fields. */
int folio_config_custom_field(const struct folio_config *cfg, const char *name);

/* One retention rule of the config's `retention` (see above). */
struct folio_retention_rule {
	char kind[8];	 /* "type", "tag" or "vendor" */
	char value[128]; /* what it names */
	int years;	 /* 1 to 100 */
};

/*
 * The next rule of a `retention` value from *p into *r, advancing *p:
 * 1 when one was read, 0 at the end, -1 for a malformed one (err set,
 * FOLIO_E_CONFIG, naming it).
 */
int folio_config_retention_next(const char **p, struct folio_retention_rule *r,
				struct folio_err *err);

/* The documented default years of a country's invoices (pl 5, es 6, pt 10,
 * it 10), 0 for "none" or NULL, -1 for a country folio has none for. */
int folio_config_retention_country(const char *cc);

/* Fill `cfg` with the built-in defaults. Strings are heap copies. */
int folio_config_defaults(struct folio_config *cfg, struct folio_err *err);

/*
 * Read `path` over the current values. Unknown keys and bad values are
 * errors (FOLIO_FAILED, message names file, line and key): a typo in a
 * config must not silently fall back to a default.
 */
int folio_config_load(struct folio_config *cfg, const char *path, struct folio_err *err);

/* Set one key from its text form, as a config line would. */
int folio_config_set(struct folio_config *cfg, const char *key, const char *value,
		     struct folio_err *err);

/* Number of worker threads to use (resolves 0 to the core count). */
int folio_config_workers(const struct folio_config *cfg);

/*
 * The models folder: cfg->models_dir, else $FOLIO_MODELS, else models/
 * beside the running binary (a source checkout), else the installed
 * FOLIO_DATADIR/models. Returns a new string (caller frees) or NULL.
 */
char *folio_config_models_dir(const struct folio_config *cfg);

/* Free the strings; cfg may be reused after folio_config_defaults(). */
void folio_config_release(struct folio_config *cfg);

/* The names of the config's [account NAME] sections into names[0..max),
 * each once, in file order; returns how many. */
size_t folio_config_account_names(const struct folio_config *cfg, const char **names, size_t max);

#endif
