/*
 * doc.h - the objects that flow through the pipeline.
 *
 * A `struct folio_doc` is one logical document: it enters the pipeline as
 * bytes plus a display path and each stage adds to it (mime, pages, words,
 * text, fields, type). Stages never free a document; the pipeline does,
 * with folio_doc_free(), after the archive has committed it.
 *
 * Ownership: every string and array hanging off a doc or page is owned by
 * it and freed by folio_doc_free(). Setters copy their arguments.
 */
#ifndef FOLIO_DOC_H
#define FOLIO_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "folio/strbuf.h"

struct Pix; /* Leptonica image */

/* Where a piece of text or a field value came from, most trusted first. */
enum folio_source {
	FOLIO_SRC_NONE = 0,
	FOLIO_SRC_XML,
	FOLIO_SRC_QR,
	FOLIO_SRC_TEXT, /* PDF text layer or a plain-text file */
	FOLIO_SRC_OCR,
	FOLIO_SRC_USER,
};

/* "xml", "qr", "text", "ocr", "user" or "none". */
const char *folio_source_name(enum folio_source src);

/* One recognised word with its box in page coordinates (see folio_page). */
struct folio_word {
	char *text; /* UTF-8 */
	int x, y, w, h;
	float conf; /* 0..1 */
	int line;   /* line number within the page, for reflow */
};

/* One barcode found on a page (zbar). */
struct folio_code {
	char *type;	/* "QR-Code", "CODE-128", "CODE-39", "EAN-13" */
	char *data;	/* payload, UTF-8 when the code says so */
	int x, y, w, h; /* box in the decoded image's pixels (read before the
				* page is turned and deskewed), in points on text pages */
};

struct folio_page {
	int number;	   /* 1-based */
	int width, height; /* in units of 1/dpi inch */
	int dpi;	   /* 72 for PDF text layers (points) */
	int dpi_guessed;   /* 1: the file stated no resolution, `dpi` is a guess */
	enum folio_source source;
	struct Pix *pix; /* decoded image awaiting OCR; freed after OCR */
	int pix_dpi;	 /* a text page's rendering for barcodes: its dpi */
	char *text;	 /* the page's text, lines separated by '\n' */
	struct folio_word *words;
	size_t nwords, words_alloc;
	float conf;   /* mean word confidence 0..1; 1 for text layers */
	int rotation; /* degrees applied to make the page upright */
	float skew;   /* degrees corrected by deskew */
	int blank;    /* 1 when the page carries no content */
	struct folio_code *codes;
	size_t ncodes, codes_alloc;
};

struct folio_field {
	char *name;
	char *value;	  /* normalised */
	char *raw;	  /* as printed, may be NULL */
	float confidence; /* 0..1 */
	enum folio_source source;
	int page;    /* 0 when not tied to a page */
	int bbox[4]; /* x, y, w, h; all 0 when unknown */
};

/*
 * The file a document was cut from: a scanned batch split at separator
 * sheets. An archive of record keeps what it was given, so these bytes
 * go into the store beside each part's own original (pages re-made as a
 * new PDF or TIFF), named by each part's source_sha256; the batch is
 * never a document of its own. Shared by the parts and reference-counted:
 * made with folio_batch_original_new(), each holder drops its reference
 * with folio_batch_original_unref() (folio_doc_free() does for doc->batch).
 */
struct folio_batch_original {
	unsigned char *data;
	size_t size;
	char sha256[65];
	int refs;
};

/* A new original with one reference, holding a copy of data[size] whose
 * checksum is `sha256`. NULL on ENOMEM. */
struct folio_batch_original *folio_batch_original_new(const unsigned char *data, size_t size,
						      const char *sha256);
/* Another reference to `b` (thread-safe); returns b. */
struct folio_batch_original *folio_batch_original_ref(struct folio_batch_original *b);
/* Drop a reference (thread-safe); the last frees it. Accepts NULL. */
void folio_batch_original_unref(struct folio_batch_original *b);

struct folio_doc {
	char *path;	     /* as the user named it; "a.zip!/b.png" for entries */
	char *name;	     /* base name, used as a fallback title */
	unsigned char *data; /* the original bytes (owned) */
	size_t size;
	char sha256[65]; /* lowercase hex */
	char *mime;	 /* from libmagic, e.g. "application/pdf" */
	char *title;

	struct folio_page *pages;
	size_t npages, pages_alloc;

	struct folio_strbuf text; /* all pages' text, pages separated by '\f' */

	struct folio_field *fields;
	size_t nfields, fields_alloc;

	char **tags;
	size_t ntags, tags_alloc;

	uint64_t simhash; /* text fingerprint, 0 when too short */
	long long dup_of; /* a near-duplicate of this older document, or 0 */
	/* the vendor the matching step (folio_match) found for the seller, 0
	 * when none: the archive then registers a new one */
	long long vendor_id;

	/* an e-invoice XML embedded in a PDF (factur-x.xml, ...), owned */
	unsigned char *attachment;
	size_t attachment_size;
	char *attachment_name;
	int needs_review; /* set by extraction: key fields missing or unsure */
	char *review;	  /* why, "; "-separated, or NULL */
	char *notes;	  /* disagreements between sources, or NULL */

	char *doc_type; /* "invoice", "form", ... */
	float type_conf;
	char *type_reason;

	/* documents found inside this one (archive entries); owned until the
	 * pipeline takes them with folio_doc_take_children() */
	struct folio_doc **children;
	size_t nchildren, children_alloc;
	int depth; /* archive nesting depth, 0 for top level */

	/* set by the archive when the document was stored or loaded */
	long long id;	  /* 0 until stored */
	char *status;	  /* "archived", ... */
	char *added_at;	  /* ISO 8601 UTC */
	int is_container; /* an archive: its entries are the documents */
	/* a container that is a document too: an e-mail message, whose
	 * attachments are its children; or a document whose fields are all
	 * its decoder's (an SDI notice): neither is extracted from */
	int also_document;
	int decoded; /* pages already read (a part of a split batch) */
	/* a part of a split batch: the batch's bytes (a reference, stored
	 * with the part) and their checksum; "" for any other document.
	 * Documents loaded from the archive have only the checksum. */
	struct folio_batch_original *batch;
	char source_sha256[65];
};

/*
 * Create a document from `data` (ownership taken; freed with the doc) and a
 * display path (copied). Returns NULL on allocation failure, in which case
 * `data` is freed as well.
 */
struct folio_doc *folio_doc_new(const char *path, unsigned char *data, size_t size);

/* Free a document and everything it owns. Accepts NULL. */
void folio_doc_free(struct folio_doc *doc);

/* Append an empty page numbered npages+1; returns it or NULL on ENOMEM.
 * The pointer is valid until the next folio_doc_add_page(). */
struct folio_page *folio_doc_add_page(struct folio_doc *doc);

/* Append a word (text copied). Returns 0 or -1 on ENOMEM. */
int folio_page_add_word(struct folio_page *page, const char *text, int x, int y, int w, int h,
			float conf, int line);

/* Append a barcode (strings copied). Returns 0 or -1 on ENOMEM. */
int folio_page_add_code(struct folio_page *page, const char *type, const char *data, int x, int y,
			int w, int h);

/* Free page->pix (after OCR). Accepts a page without an image. */
void folio_page_drop_image(struct folio_page *page);

/* Split page->text into words without boxes (one line number per text
 * line), for pages whose text has no geometry. Returns 0 or -1 on ENOMEM. */
int folio_page_words_from_text(struct folio_page *page);

/* Set or replace page->text (copied). Returns 0 or -1 on ENOMEM. */
int folio_page_set_text(struct folio_page *page, const char *text);

/* Add or replace the field `name`. Strings copied; raw may be NULL. */
int folio_doc_set_field(struct folio_doc *doc, const char *name, const char *value, const char *raw,
			float confidence, enum folio_source src, int page, const int bbox[4]);

/* The field named `name`, or NULL. */
const struct folio_field *folio_doc_field(const struct folio_doc *doc, const char *name);

/* Add a tag (copied) unless present. Returns 0 or -1 on ENOMEM. */
int folio_doc_add_tag(struct folio_doc *doc, const char *tag);

/* Replace a string member, e.g. folio_doc_set_str(&doc->mime, "x"). */
int folio_doc_set_str(char **slot, const char *value);

/* Append a child document (ownership taken). Returns 0 or -1 on ENOMEM
 * (the child is freed then). */
int folio_doc_add_child(struct folio_doc *doc, struct folio_doc *child);

/* Rebuild doc->text from the pages' text. */
int folio_doc_join_text(struct folio_doc *doc);

/* ---- vendor templates -------------------------------------------------- */

/*
 * Where one vendor prints one field, learnt from a user's correction: the
 * page and the box of the corrected value as fractions of the page size.
 * On that vendor's next invoices the words in the box are read first.
 */
struct folio_template {
	char seller_tax_id[32];
	char field[32];
	int page;
	float x, y, w, h; /* 0..1 of the page's width and height */
	int hits;	  /* corrections that confirmed it */
};

#endif
